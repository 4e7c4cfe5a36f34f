package policy_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/embedkms/kms/policy"
)

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
	d, err := policy.ParseKeyPolicy(got)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID() != "key-default-1" || d.Version() != "2012-10-17" || d.Len() != 1 {
		t.Fatalf("parsed default policy: id %q version %q statements %d", d.ID(), d.Version(), d.Len())
	}
	if got := d.AWSPrincipals(); !slices.Equal(got, []string{"arn:aws:iam::111122223333:root"}) {
		t.Fatalf("AWSPrincipals = %q", got)
	}
}

// TestParseAcceptsIAMGrammar: the forms the IAM User Guide's "IAM JSON
// policy element reference" allows: Statement as one object or an array,
// Version 2008-10-17, NotPrincipal/NotAction/NotResource, Principal "*",
// string or list values, condition values as JSON strings, numbers and
// booleans, and ForAnyValue/ForAllValues/IfExists operators.
func TestParseAcceptsIAMGrammar(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"statement object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}}`},
		{"version 2008-10-17", `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"NotAction":["kms:Decrypt","kms:Get*"],"NotResource":"arn:aws:kms:*:111122223333:key/*"}]}`},
		{"NotPrincipal", `{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/admin/Ops"]},"Action":"kms:*","Resource":"*"}]}`},
		{"service principal", `{"Statement":[{"Effect":"Allow","Principal":{"Service":["dynamodb.amazonaws.com","logs.us-east-1.amazonaws.com"]},"Action":"kms:*","Resource":"*"}]}`},
		{"assumed-role and federated-user principals", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:sts::111122223333:assumed-role/R/s","arn:aws:sts::111122223333:federated-user/Bob"]},"Action":"kms:*","Resource":"*"}]}`},
		{"condition value types", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"kms:RecipientAttestation:ImageSha384":[10,"11"]},"Bool":{"aws:SecureTransport":true},"ForAnyValue:StringEqualsIfExists":{"kms:EncryptionContextKeys":["a","b"]},"ForAllValues:StringLike":{"aws:TagKeys":"x*"},"Null":{"aws:SourceIp":"true"}}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := policy.Parse(tt.doc); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

// TestParseRefusesMalformed: documents AWS refuses with
// MalformedPolicyDocumentException, each with its message.
// "Policy contains a statement with one or more invalid principals." is
// AWS KMS's text (CreateKey/PutKeyPolicy error reports); the Action, Sid,
// Resource and "should not specify a principal" texts are IAM's
// (MalformedPolicyDocument errors of IAM PutUserPolicy/CreatePolicy).
func TestParseRefusesMalformed(t *testing.T) {
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
		msg  string // substring of the message
	}{
		{"not JSON", policy.AnyPolicy, `{"Statement":`, "not valid JSON"},
		{"trailing data", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`) + `{}`, "not valid JSON"},
		{"trailing garbage", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`) + ` x`, "not valid JSON"},
		{"not an object", policy.AnyPolicy, `["Statement"]`, "must be a JSON object"},
		{"unknown top-level element", policy.AnyPolicy, `{"Statement":[],"Foo":1}`, "unknown element: Foo"},
		{"bad version", policy.AnyPolicy, `{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`, "invalid Version"},
		{"no Statement", policy.AnyPolicy, `{"Version":"2012-10-17"}`, "missing the required element Statement"},
		{"empty Statement", policy.AnyPolicy, stmt(``), "at least one statement"},
		{"unknown statement element", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Foo":"x"}`), "unknown element: Foo"},
		{"missing Effect", policy.AnyPolicy, stmt(`{"Principal":"*","Action":"kms:*","Resource":"*"}`), "missing the required element Effect"},
		{"bad Effect", policy.AnyPolicy, stmt(`{"Effect":"allow","Principal":"*","Action":"kms:*","Resource":"*"}`), "Allow or Deny"},
		{"Action and NotAction", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","NotAction":"kms:Decrypt","Resource":"*"}`), "both Action and NotAction"},
		{"no Action", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Resource":"*"}`), "must contain Action or NotAction"},
		{"action without vendor", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"Encrypt","Resource":"*"}`), "prefaced by a vendor"},
		{"empty Action list", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":[],"Resource":"*"}`), "non-empty array"},
		{"no Resource", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*"}`), "must contain Resource or NotResource"},
		{"Resource not an ARN", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"my-key"}`), `Resource my-key must be in ARN format or "*".`},
		{"Principal and NotPrincipal", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"kms:*","Resource":"*"}`), "both Principal and NotPrincipal"},
		{"principal string not *", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"kms:*","Resource":"*"}`), "one or more invalid principals"},
		{"principal ARN with wildcard", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"kms:*","Resource":"*"}`), "one or more invalid principals"},
		{"principal bad account", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":{"AWS":"11112222333"},"Action":"kms:*","Resource":"*"}`), "one or more invalid principals"},
		{"principal not IAM", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::bucket"},"Action":"kms:*","Resource":"*"}`), "one or more invalid principals"},
		{"CanonicalUser principal", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"kms:*","Resource":"*"}`), "one or more invalid principals"},
		{"bad service principal", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":{"Service":"Not A Service"},"Action":"kms:*","Resource":"*"}`), "one or more invalid principals"},
		{"unknown condition operator", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEqualz":{"kms:ViaService":"x"}}}`), "invalid condition operator: StringEqualz"},
		{"NullIfExists", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NullIfExists":{"kms:ViaService":"true"}}}`), "invalid condition operator: NullIfExists"},
		{"condition key without vendor", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"ViaService":"x"}}}`), "prefaced by a vendor"},
		{"condition value object", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":{"a":"b"}}}}`), "must be a string, number or boolean"},
		{"Null value not boolean", policy.AnyPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Null":{"kms:ViaService":"maybe"}}}`), "true or false"},
		{"duplicate member", policy.AnyPolicy, stmt(`{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`), "duplicate element: Effect"},
		{"key policy statement without principal", policy.KeyPolicy, stmt(`{"Effect":"Allow","Action":"kms:*","Resource":"*"}`), "one or more invalid principals"},
		{"identity policy with principal", policy.IdentityPolicy, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`), "Policy document should not specify a principal."},
		{"identity policy duplicate Sid", policy.IdentityPolicy, stmt(`{"Sid":"a","Effect":"Allow","Action":"kms:*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}`), "must be unique"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := policy.ParseKind(tt.doc, tt.kind)
			if !errors.Is(err, policy.ErrMalformed) {
				t.Fatalf("ParseKind = %v, %v; want ErrMalformed", d, err)
			}
			if errors.Is(err, policy.ErrTooLarge) {
				t.Fatal("malformed error also wraps ErrTooLarge")
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("message %q does not contain %q", err.Error(), tt.msg)
			}
		})
	}
}

// TestParseKindDifferences: a duplicate Sid is refused in an IAM policy
// only; a statement without principal is fine in an IAM policy, a
// principal fine in a key policy.
func TestParseKindDifferences(t *testing.T) {
	dupSid := `{"Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Sid":"a","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`
	if _, err := policy.ParseKeyPolicy(dupSid); err != nil {
		t.Fatalf("key policy with duplicate Sids: %v", err)
	}
	if _, err := policy.ParseIdentityPolicy(`{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`); err != nil {
		t.Fatalf("identity policy: %v", err)
	}
	if _, err := policy.Parse(`{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`); err != nil {
		t.Fatalf("Parse of a principal-less statement: %v", err)
	}
}

// TestParseSizeLimit: a key policy up to 32768 bytes parses; one byte more
// is LimitExceededException (AWS KMS API reference, PutKeyPolicy: the key
// policy size quota is 32 kilobytes, 32768 bytes).
func TestParseSizeLimit(t *testing.T) {
	base := `{"Statement":[{"Sid":"","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`
	pad := policy.MaxKeyPolicySize - len(base)
	fits := strings.Replace(base, `"Sid":""`, `"Sid":"`+strings.Repeat("x", pad)+`"`, 1)
	if len(fits) != policy.MaxKeyPolicySize {
		t.Fatalf("test document is %d bytes", len(fits))
	}
	if _, err := policy.Parse(fits); err != nil {
		t.Fatalf("policy of exactly %d bytes: %v", len(fits), err)
	}
	over := strings.Replace(fits, `"Sid":"`, `"Sid":"x`, 1)
	_, err := policy.Parse(over)
	if !errors.Is(err, policy.ErrTooLarge) || errors.Is(err, policy.ErrMalformed) {
		t.Fatalf("policy of %d bytes: err = %v, want ErrTooLarge", len(over), err)
	}
}

// TestAWSPrincipals: every AWS value of Principal and NotPrincipal as
// written, once, "*" and Service values excluded, so the handle can refuse
// principals it does not know ("Policy contains a statement with one or
// more invalid principals.").
func TestAWSPrincipals(t *testing.T) {
	d, err := policy.Parse(`{"Statement":[
	 {"Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::111122223333:user/Alice","*"],"Service":"ec2.amazonaws.com"},"Action":"kms:*","Resource":"*"},
	 {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/path/Admin","444455556666"]},"Action":"kms:*","Resource":"*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"444455556666", "arn:aws:iam::111122223333:user/Alice", "arn:aws:iam::111122223333:role/path/Admin"}
	if got := d.AWSPrincipals(); !slices.Equal(got, want) {
		t.Fatalf("AWSPrincipals = %q, want %q", got, want)
	}
}

// TestParsePrincipal: the principal ARNs of the IAM User Guide, "IAM
// identifiers", and service principals ("AWS JSON policy elements:
// Principal").
func TestParsePrincipal(t *testing.T) {
	tests := []struct {
		p    policy.Principal
		want policy.PrincipalInfo
	}{
		{policy.Principal{ARN: "arn:aws:iam::111122223333:root"}, policy.PrincipalInfo{Type: policy.TypeAccount, Partition: "aws", Account: "111122223333"}},
		{policy.Principal{ARN: "arn:aws:iam::111122223333:user/div/Alice"}, policy.PrincipalInfo{Type: policy.TypeUser, Partition: "aws", Account: "111122223333", Name: "Alice"}},
		{policy.Principal{ARN: "arn:aws-cn:iam::111122223333:role/R"}, policy.PrincipalInfo{Type: policy.TypeRole, Partition: "aws-cn", Account: "111122223333", Name: "R", RoleARN: "arn:aws-cn:iam::111122223333:role/R"}},
		{policy.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/R/sess"}, policy.PrincipalInfo{Type: policy.TypeAssumedRole, Partition: "aws", Account: "111122223333", Name: "R", Session: "sess", RoleARN: "arn:aws:iam::111122223333:role/R"}},
		{policy.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/R/sess", RoleARN: "arn:aws:iam::111122223333:role/p/R"}, policy.PrincipalInfo{Type: policy.TypeAssumedRole, Partition: "aws", Account: "111122223333", Name: "R", Session: "sess", RoleARN: "arn:aws:iam::111122223333:role/p/R"}},
		{policy.Principal{ARN: "arn:aws:sts::111122223333:federated-user/Bob"}, policy.PrincipalInfo{Type: policy.TypeFederatedUser, Partition: "aws", Account: "111122223333", Name: "Bob"}},
		{policy.Principal{ARN: "dynamodb.amazonaws.com"}, policy.PrincipalInfo{Type: policy.TypeService, Name: "dynamodb.amazonaws.com"}},
	}
	for _, tt := range tests {
		got, err := policy.ParsePrincipal(tt.p)
		if err != nil || got != tt.want {
			t.Errorf("ParsePrincipal(%+v) = %+v, %v; want %+v", tt.p, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "111122223333", "arn:aws:iam::1111222233:root", "arn:aws:iam:us-east-1:111122223333:root",
		"arn:aws:iam::111122223333:group/G", "arn:aws:iam::111122223333:user/", "arn:aws:sts::111122223333:assumed-role/R",
		"arn:aws:iam::111122223333:user/*", "arn:aws:kms:us-east-1:111122223333:key/k", "Dynamodb.Amazonaws.com", "example.com"} {
		if _, err := policy.ParsePrincipal(policy.Principal{ARN: bad}); !errors.Is(err, policy.ErrInvalidPrincipal) {
			t.Errorf("ParsePrincipal(%q): err = %v, want ErrInvalidPrincipal", bad, err)
		}
	}
}
