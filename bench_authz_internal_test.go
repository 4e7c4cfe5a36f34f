package kms

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchRoleForTest and BenchPolicy20ForTest are the role and the
// 20-statement key policy of the authorization benchmarks, for package
// kms_test's BenchmarkEncryptAuthz too.
const BenchRoleForTest = "arn:aws:iam::111122223333:role/BenchApp"

var BenchPolicy20ForTest = benchPolicy20

// benchPolicy20 is a key policy of 20 statements with conditions: the
// account root, 18 statements that do not apply to the role's Encrypt
// (other principals, another action, a Deny whose condition does not
// hold), and last the statement that allows it.
func benchPolicy20() string {
	st := []string{`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`}
	for i := 0; len(st) < 19; i++ {
		switch i % 3 {
		case 0: // another principal, with a condition
			st = append(st, fmt.Sprintf(`{"Sid":"Other%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/Other%d"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"t%d"}}}`, i, i, i))
		case 1: // the role, another action
			st = append(st, fmt.Sprintf(`{"Sid":"Decrypt%d","Effect":"Allow","Principal":{"AWS":"%s"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"t%d"},"Bool":{"aws:SecureTransport":"true"}}}`, i, BenchRoleForTest, i))
		case 2: // a Deny whose condition does not hold
			st = append(st, fmt.Sprintf(`{"Sid":"Deny%d","Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:purpose":"forbidden%d"}}}`, i, i))
		}
	}
	st = append(st, `{"Sid":"AppEncrypts","Effect":"Allow","Principal":{"AWS":"`+BenchRoleForTest+`"},"Action":["kms:Encrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"acme","kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"},"StringLike":{"kms:EncryptionContext:purpose":"ben*"},"Bool":{"aws:SecureTransport":"true"}}}`)
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

// BenchmarkAuthorize is the authorization step of Encrypt alone (what
// evaluation adds to each call), for the callers of BenchmarkEncryptAuthz.
func BenchmarkAuthorize(b *testing.B) {
	const grantee = "arn:aws:iam::111122223333:user/BenchGrantee"
	ec := map[string]string{"tenant": "acme", "purpose": "bench"}
	run := func(b *testing.B, k *KMS, ctx context.Context, keyID string) {
		ck, err := k.entry(ctx, keyID, opEncrypt)
		if err != nil {
			b.Fatal(err)
		}
		x := authzExtra{encryptionContext: ec, requestKeyID: keyID}
		if err := k.authorize(ctx, opEncrypt, x, onKey(ck.rec, ck.arn)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := k.authorize(ctx, opEncrypt, x, onKey(ck.rec, ck.arn)); err != nil {
				b.Fatal(err)
			}
		}
	}
	handle := func(b *testing.B, opts Options) *KMS {
		k, err := New(opts)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { k.Close() })
		return k
	}
	iam := Options{IdentityPolicies: IdentityPolicies{BenchRoleForTest: nil, grantee: nil}}
	ctx := context.Background()
	b.Run("DefaultPolicy", func(b *testing.B) {
		k := handle(b, Options{})
		out, err := k.CreateKey(ctx, &CreateKeyInput{})
		if err != nil {
			b.Fatal(err)
		}
		run(b, k, ctx, out.KeyMetadata.KeyId)
	})
	b.Run("Policy20", func(b *testing.B) {
		k := handle(b, iam)
		out, err := k.CreateKey(ctx, &CreateKeyInput{Policy: benchPolicy20()})
		if err != nil {
			b.Fatal(err)
		}
		run(b, k, WithCaller(ctx, BenchRoleForTest), out.KeyMetadata.KeyId)
	})
	b.Run("Grant", func(b *testing.B) {
		k := handle(b, iam)
		out, err := k.CreateKey(ctx, &CreateKeyInput{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.CreateGrant(ctx, &CreateGrantInput{KeyId: out.KeyMetadata.KeyId, GranteePrincipal: grantee,
			Operations:  []GrantOperation{GrantOperationEncrypt, GrantOperationDecrypt},
			Constraints: &GrantConstraints{EncryptionContextSubset: map[string]string{"tenant": "acme"}}}); err != nil {
			b.Fatal(err)
		}
		run(b, k, WithCaller(ctx, grantee), out.KeyMetadata.KeyId)
	})
}
