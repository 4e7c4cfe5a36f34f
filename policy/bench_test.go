package policy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/embedkms/kms/policy"
)

// BenchmarkEvaluate: the hot path of every call (the default key policy,
// the account root), a 20-statement policy with conditions, and a grant.
func BenchmarkEvaluate(b *testing.B) {
	b.Run("default policy root", func(b *testing.B) {
		in := policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: root}), KeyPolicy: mustKey(b, policy.DefaultKeyPolicy("aws", acct))}
		benchEval(b, in)
	})
	b.Run("default policy user with IAM", func(b *testing.B) {
		in := policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: alice}), KeyPolicy: mustKey(b, policy.DefaultKeyPolicy("aws", acct)),
			IdentityPolicies: []*policy.Document{mustIAM(b, allowAllIAM)}}
		benchEval(b, in)
	})
	b.Run("20 statements with conditions", func(b *testing.B) {
		var stmts []string
		for i := 0; i < 19; i++ {
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"s%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/R%d"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"t%d"},"Bool":{"aws:SecureTransport":"true"}}}`, i, i, i))
		}
		stmts = append(stmts, `{"Sid":"app","Effect":"Allow","Principal":{"AWS":"`+alice+`"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"acme"},"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["tenant","app"]}}}`)
		kp := mustKey(b, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)
		r := keyReq("kms:Encrypt", policy.Principal{ARN: alice})
		r.Conditions = policy.Values{}.SetEncryptionContext(map[string]string{"tenant": "acme", "app": "web"}).Set("aws:SecureTransport", "true")
		benchEval(b, policy.Input{Request: r, KeyPolicy: kp})
	})
	b.Run("grant", func(b *testing.B) {
		in := policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: bob}), KeyPolicy: mustKey(b, policy.DefaultKeyPolicy("aws", acct)),
			Grants:            []policy.Grant{{ID: "g", GranteePrincipal: bob, Operations: []string{"Encrypt", "Decrypt"}, EncryptionContextSubset: map[string]string{"tenant": "acme"}}},
			EncryptionContext: map[string]string{"tenant": "acme", "app": "web"}}
		benchEval(b, in)
	})
}

func benchEval(b *testing.B, in policy.Input) {
	b.Helper()
	if r := policy.Evaluate(in); r.Decision != policy.Allow {
		b.Fatalf("benchmark input not allowed: %+v", r)
	}
	b.ReportAllocs()
	for b.Loop() {
		policy.Evaluate(in)
	}
}

// TestEvaluateDefaultPolicyRootDoesNotAllocate: the per-call check of the
// common case (the account root under the default key policy) allocates
// nothing.
func TestEvaluateDefaultPolicyRootDoesNotAllocate(t *testing.T) {
	in := policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: root}), KeyPolicy: mustKey(t, policy.DefaultKeyPolicy("aws", acct))}
	if n := testing.AllocsPerRun(100, func() { policy.Evaluate(in) }); n != 0 {
		t.Fatalf("Evaluate allocates %v times per call", n)
	}
}
