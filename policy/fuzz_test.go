package policy_test

import (
	"testing"

	"github.com/embedkms/kms/policy"
)

// FuzzParse: Parse never panics on any text, and a document it accepts
// evaluates without panic for callers of every principal type, with and
// without conditions, grants and identity policies.
func FuzzParse(f *testing.F) {
	f.Add(policy.DefaultKeyPolicy("aws", acct))
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/R"]},"NotAction":"kms:Get*","NotResource":"arn:aws:kms:*:*:key/*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":"a*"},"NumericLessThanIfExists":{"kms:X":1},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Null":{"kms:ViaService":true},"BinaryEquals":{"kms:B":"AAAA"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"*","Resource":"*"}}`)
	f.Add(`{"Statement":[]}`)
	f.Add(`[`)
	callers := []policy.Principal{
		{ARN: root}, {ARN: alice}, {ARN: bob}, {ARN: otherRoot}, {ARN: opsSession}, {ARN: opsSession, RoleARN: opsRole},
		{ARN: "arn:aws:sts::111122223333:federated-user/F"}, {ARN: "ec2.amazonaws.com"}, {ARN: "garbage"},
	}
	vals := policy.Values{}.SetEncryptionContext(map[string]string{"a": "b"}).
		Set("aws:SourceIp", "10.1.2.3").Set("aws:TagKeys", "a", "b").Set("kms:ViaService", "ec2.us-east-1.amazonaws.com").Set("kms:B", "AAAA")
	f.Fuzz(func(t *testing.T, text string) {
		d, err := policy.Parse(text)
		if err != nil {
			if d != nil {
				t.Fatal("document and error")
			}
			return
		}
		_ = d.AWSPrincipals()
		var idDocs []*policy.Document
		if id, err := policy.ParseIdentityPolicy(text); err == nil {
			idDocs = []*policy.Document{id}
		}
		for _, c := range callers {
			for _, action := range []string{"kms:Encrypt", "kms:CreateGrant", "kms:DescribeKey"} {
				in := policy.Input{
					Request:           policy.Request{Action: action, Principal: c, Resource: keyA, ResourceAccount: acct, Conditions: vals},
					KeyPolicy:         d,
					IdentityPolicies:  idDocs,
					Grants:            []policy.Grant{{ID: "g", GranteePrincipal: c.ARN, Operations: []string{"Encrypt"}, EncryptionContextSubset: map[string]string{"A": "b"}}},
					EncryptionContext: map[string]string{"a": "b"},
				}
				r := policy.Evaluate(in)
				if r.Decision == policy.ExplicitDeny && len(r.Matches) == 0 {
					t.Fatal("explicit deny names no statement")
				}
				_ = r.Message(c.ARN, keyA)
				in.KeyPolicy, in.IdentityPolicies = nil, []*policy.Document{d}
				_ = policy.Evaluate(in)
			}
		}
	})
}
