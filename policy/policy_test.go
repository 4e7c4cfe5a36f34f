package policy_test

import (
	"encoding/json"
	"testing"

	"github.com/embedkms/kms/policy"
)

func TestEvaluateDefaultPolicy(t *testing.T) {
	// The default key policy delegates to the key's account: every
	// principal of that account is allowed (IAM is not modelled), no other
	// account is.
	tests := []struct {
		name string
		req  policy.Request
		want policy.Decision
	}{
		{"own account", policy.Request{Action: "kms:Encrypt", CallerAccount: "111122223333", KeyAccount: "111122223333"}, policy.Allow},
		{"other account", policy.Request{Action: "kms:Encrypt", CallerAccount: "444455556666", KeyAccount: "111122223333"}, policy.ImplicitDeny},
		{"no caller account", policy.Request{Action: "kms:Encrypt", KeyAccount: "111122223333"}, policy.ImplicitDeny},
	}
	for _, tt := range tests {
		if got := policy.Evaluate(tt.req); got != tt.want {
			t.Errorf("%s: Evaluate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestDefaultKeyPolicyText: the exact text AWS returns from GetKeyPolicy for
// a key created without a policy (botocore examples-1.json, GetKeyPolicy;
// AWS KMS Developer Guide, "Default key policy").
func TestDefaultKeyPolicyText(t *testing.T) {
	const want = "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::111122223333:root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}"
	got := policy.DefaultKeyPolicy("aws", "111122223333")
	if got != want {
		t.Fatalf("DefaultKeyPolicy =\n%s\nwant\n%s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Fatal("default policy is not valid JSON")
	}
	if cn := policy.DefaultKeyPolicy("aws-cn", "444455556666"); !json.Valid([]byte(cn)) || cn == got {
		t.Fatalf("partition/account not substituted: %s", cn)
	}
}
