package policy

import "testing"

// TestGlob: "*" matches any run of characters (none included), "?" one
// character (one rune, not one byte), as IAM matches Action, Resource and
// StringLike (IAM User Guide, "IAM JSON policy elements: Condition
// operators", StringLike); fold makes ASCII case irrelevant (action names).
func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "", false, true},
		{"*", "anything", false, true},
		{"kms:*", "kms:Encrypt", false, true},
		{"kms:*", "kms", false, false},
		{"kms:*crypt", "kms:ReEncrypt", false, true},
		{"kms:*crypt", "kms:Encrypted", false, false},
		{"kms:Re*From", "kms:ReEncryptFrom", false, true},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a?c", "aéc", false, true},
		{"", "", false, true},
		{"", "x", false, false},
		{"KMS:encrypt", "kms:Encrypt", true, true},
		{"KMS:encrypt", "kms:Encrypt", false, false},
		{"kms:Get*", "kms:GetPublicKey", true, true},
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s, tt.fold); got != tt.want {
			t.Errorf("glob(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
	}
}

// TestArnLike: ArnLike matches each of the six colon-separated ARN
// components separately (IAM User Guide, "Condition operators", ARN
// condition operators).
func TestArnLike(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/Alice", true},
		{"arn:aws:iam::*:role/Ops", "arn:aws:iam::444455556666:role/Ops", true},
		{"arn:aws:iam::*", "arn:aws:iam::111122223333:user/Alice", false},
		{"arn:*:kms:*:111122223333:key/*", "arn:aws-cn:kms:cn-north-1:111122223333:key/k", true},
		{"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:444455556666:key/k", false},
		{"arn:aws:iam::111122223333:user/Alice", "not-an-arn", false},
	}
	for _, tt := range tests {
		if got := arnLike(tt.pattern, tt.s); got != tt.want {
			t.Errorf("arnLike(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
