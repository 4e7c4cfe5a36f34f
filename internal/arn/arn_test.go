package arn_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/embedkms/kms/internal/arn"
)

const (
	uuid = "1234abcd-12ab-34cd-56ef-1234567890ab"
	mrk  = "mrk-1234abcd12ab34cd56ef1234567890ab"
)

// Identifier forms from the KeyId parameter of the AWS KMS API reference:
// key id, key ARN, alias name, alias ARN.
func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want arn.ID
	}{
		{"key id", uuid, arn.ID{Kind: arn.KeyID, Name: uuid}},
		{"multi-Region key id", mrk, arn.ID{Kind: arn.KeyID, Name: mrk}},
		// Bare identifiers are not checked here: whether they name a key
		// is for the caller.
		{"anything without arn: is a key id", "not a key", arn.ID{Kind: arn.KeyID, Name: "not a key"}},
		{"empty string is a key id", "", arn.ID{Kind: arn.KeyID, Name: ""}},
		{"ARN: in capitals is not an ARN", "ARN:aws:kms:us-east-1:111122223333:key/" + uuid, arn.ID{Kind: arn.KeyID, Name: "ARN:aws:kms:us-east-1:111122223333:key/" + uuid}},
		{"alias name", "alias/ExampleAlias", arn.ID{Kind: arn.AliasName, Name: "alias/ExampleAlias"}},
		{"AWS managed alias name", "alias/aws/s3", arn.ID{Kind: arn.AliasName, Name: "alias/aws/s3"}},
		{
			"key ARN",
			"arn:aws:kms:us-east-1:111122223333:key/" + uuid,
			arn.ID{Kind: arn.KeyARN, Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: uuid},
		},
		{
			"multi-Region key ARN in another partition",
			"arn:aws-cn:kms:cn-north-1:000000000000:key/" + mrk,
			arn.ID{Kind: arn.KeyARN, Partition: "aws-cn", Region: "cn-north-1", Account: "000000000000", Name: mrk},
		},
		{
			"key ARN whose resource holds a colon",
			"arn:aws:kms:us-east-1:111122223333:key/a:b",
			arn.ID{Kind: arn.KeyARN, Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "a:b"},
		},
		{
			"alias ARN",
			"arn:aws:kms:us-east-1:111122223333:alias/ExampleAlias",
			arn.ID{Kind: arn.AliasARN, Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "alias/ExampleAlias"},
		},
		{
			"alias ARN with slashes in the name",
			"arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/ebs",
			arn.ID{Kind: arn.AliasARN, Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "111122223333", Name: "alias/aws/ebs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := arn.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// Anything that starts with "arn:" and is not a well-formed KMS key or
// alias ARN is malformed.
func TestParseMalformed(t *testing.T) {
	tests := []struct{ name, in string }{
		{"arn: alone", "arn:"},
		{"four parts", "arn:aws:kms:us-east-1"},
		{"five parts", "arn:aws:kms:us-east-1:111122223333"},
		{"empty partition", "arn::kms:us-east-1:111122223333:key/" + uuid},
		{"wrong service", "arn:aws:s3:us-east-1:111122223333:key/" + uuid},
		{"service in capitals", "arn:aws:KMS:us-east-1:111122223333:key/" + uuid},
		{"empty service", "arn:aws::us-east-1:111122223333:key/" + uuid},
		{"empty Region", "arn:aws:kms::111122223333:key/" + uuid},
		{"empty account", "arn:aws:kms:us-east-1::key/" + uuid},
		{"11-digit account", "arn:aws:kms:us-east-1:11112222333:key/" + uuid},
		{"13-digit account", "arn:aws:kms:us-east-1:1111222233334:key/" + uuid},
		{"account with a letter", "arn:aws:kms:us-east-1:11112222333a:key/" + uuid},
		{"account with a sign", "arn:aws:kms:us-east-1:+11122223333:key/" + uuid},
		{"empty resource", "arn:aws:kms:us-east-1:111122223333:"},
		{"key/ with nothing after", "arn:aws:kms:us-east-1:111122223333:key/"},
		{"alias/ with nothing after", "arn:aws:kms:us-east-1:111122223333:alias/"},
		{"key without slash", "arn:aws:kms:us-east-1:111122223333:key"},
		{"unknown resource type", "arn:aws:kms:us-east-1:111122223333:keys/" + uuid},
		{"resource type in capitals", "arn:aws:kms:us-east-1:111122223333:Key/" + uuid},
		{"bare key id as resource", "arn:aws:kms:us-east-1:111122223333:" + uuid},
		{"alias ARN with bad account", "arn:aws:kms:us-east-1:1111:alias/ExampleAlias"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := arn.Parse(tt.in); !errors.Is(err, arn.ErrMalformed) || got != (arn.ID{}) {
				t.Errorf("Parse(%q) = %+v, %v; want ErrMalformed", tt.in, got, err)
			}
		})
	}
}

func TestBuilders(t *testing.T) {
	if got, want := arn.Key("aws", "us-east-1", "111122223333", uuid), "arn:aws:kms:us-east-1:111122223333:key/"+uuid; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	if got, want := arn.Alias("aws-cn", "cn-north-1", "111122223333", "alias/a"), "arn:aws-cn:kms:cn-north-1:111122223333:alias/a"; got != want {
		t.Errorf("Alias = %q, want %q", got, want)
	}
	// What the builders make, Parse takes apart again.
	id, err := arn.Parse(arn.Key("aws", "eu-west-2", "123456789012", mrk))
	if want := (arn.ID{Kind: arn.KeyARN, Partition: "aws", Region: "eu-west-2", Account: "123456789012", Name: mrk}); err != nil || id != want {
		t.Errorf("Parse(Key(...)) = %+v, %v; want %+v", id, err, want)
	}
	id, err = arn.Parse(arn.Alias("aws", "eu-west-2", "123456789012", "alias/x"))
	if want := (arn.ID{Kind: arn.AliasARN, Partition: "aws", Region: "eu-west-2", Account: "123456789012", Name: "alias/x"}); err != nil || id != want {
		t.Errorf("Parse(Alias(...)) = %+v, %v; want %+v", id, err, want)
	}
}

// Principal ARN forms from the IAM User Guide, "IAM identifiers".
func TestPrincipalAccount(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" if not a principal
	}{
		{"arn:aws:iam::111122223333:root", "111122223333"},
		{"arn:aws:iam::111122223333:user/Alice", "111122223333"},
		{"arn:aws:iam::111122223333:user/division/team/Alice", "111122223333"},
		{"arn:aws:iam::111122223333:role/Admin", "111122223333"},
		{"arn:aws:sts::444455556666:assumed-role/Admin/session", "444455556666"},
		{"arn:aws-cn:iam::000000000000:root", "000000000000"},

		{"", ""},
		{"111122223333", ""},
		{"arn:aws:iam::111122223333", ""},
		{"arn:aws:iam::111122223333:", ""},
		{"arn:aws:kms:us-east-1:111122223333:key/" + uuid, ""},
		{"arn:aws:s3:::bucket", ""},
		{"arn:aws:iam::11112222333:root", ""},
		{"arn:aws:iam::1111222233334:root", ""},
		{"arn:aws:iam::11112222333x:root", ""},
		{"arn:aws:iam:::root", ""},
		{"xrn:aws:iam::111122223333:root", ""},
		{"ARN:aws:iam::111122223333:root", ""},
	}
	for _, tt := range tests {
		got, ok := arn.PrincipalAccount(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("PrincipalAccount(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.want != "")
		}
	}
}

// Key ids as AWS KMS issues them: a lowercase UUID, or for multi-Region
// keys "mrk-" and 32 lowercase hex digits.
func TestIsKeyID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{uuid, true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", true},
		{mrk, true},
		{"mrk-00000000000000000000000000000000", true},

		{"", false},
		{strings.ToUpper(uuid), false},
		{"1234ABCD-12ab-34cd-56ef-1234567890ab", false},
		{"1234abcd-12ab-34cd-56ef-1234567890a", false},   // 35
		{"1234abcd-12ab-34cd-56ef-1234567890abc", false}, // 37
		{"1234abcd12ab34cd56ef1234567890ab", false},      // no dashes
		{"1234abcd-12ab-34cd-56ef1-234567890ab", false},  // dash moved
		{"1234abcd-12ab-34cd-56ef-1234567890ag", false},  // not hex
		{"1234abcd-12ab-34cd-56ef-12345678-0ab", false},  // extra dash
		{"mrk-1234ABCD12ab34cd56ef1234567890ab", false},
		{"MRK-1234abcd12ab34cd56ef1234567890ab", false},
		{"mrk-1234abcd12ab34cd56ef1234567890a", false},   // 31 hex
		{"mrk-1234abcd12ab34cd56ef1234567890abc", false}, // 33 hex
		{"mrk-1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"mrk_1234abcd12ab34cd56ef1234567890ab", false},
		{"xyz-1234abcd12ab34cd56ef1234567890ab", false},
		{"alias/" + uuid[:30], false},
	}
	for _, tt := range tests {
		if got := arn.IsKeyID(tt.in); got != tt.want {
			t.Errorf("IsKeyID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		uuid, mrk, "alias/x", "",
		"arn:aws:kms:us-east-1:111122223333:key/" + uuid,
		"arn:aws:kms:us-east-1:111122223333:alias/x",
		"arn:aws:kms:us-east-1:111122223333:key/",
		"arn:aws:iam::111122223333:root",
		"arn:::::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		arn.PrincipalAccount(s)
		arn.IsKeyID(s)
		id, err := arn.Parse(s)
		if err != nil {
			if !errors.Is(err, arn.ErrMalformed) || !strings.HasPrefix(s, "arn:") {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			return
		}
		switch id.Kind {
		case arn.KeyID, arn.AliasName:
			if id.Name != s || id.Partition != "" || id.Region != "" || id.Account != "" || strings.HasPrefix(s, "arn:") {
				t.Fatalf("Parse(%q) = %+v", s, id)
			}
			if (id.Kind == arn.AliasName) != strings.HasPrefix(s, "alias/") {
				t.Fatalf("Parse(%q) = %+v", s, id)
			}
		case arn.KeyARN:
			if back := arn.Key(id.Partition, id.Region, id.Account, id.Name); back != s {
				t.Fatalf("Parse(%q) = %+v, which Key rebuilds as %q", s, id, back)
			}
		case arn.AliasARN:
			if back := arn.Alias(id.Partition, id.Region, id.Account, id.Name); back != s {
				t.Fatalf("Parse(%q) = %+v, which Alias rebuilds as %q", s, id, back)
			}
		default:
			t.Fatalf("Parse(%q): unknown kind %d", s, id.Kind)
		}
		if id.Kind == arn.KeyARN || id.Kind == arn.AliasARN {
			if id.Partition == "" || id.Region == "" || len(id.Account) != 12 || id.Name == "" || id.Name == "alias/" {
				t.Fatalf("Parse(%q) accepted %+v", s, id)
			}
		}
	})
}
