package kms_test

import (
	"context"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// Authorization benchmarks: Encrypt of 32 bytes with an encryption
// context (as BenchmarkEncrypt/32B, the same call as the account root on
// the default key policy, run beside them) by three callers:
//
//   - DefaultPolicy: the account root, default key policy (its first
//     statement allows it);
//   - Policy20: a role allowed by the last statement of a 20-statement key
//     policy, every statement with conditions, IAM modelled;
//   - Grant: a user no policy allows, through a grant with an encryption
//     context constraint (the key's grants are read on each call, after
//     the policies fail to allow).
//
// BenchmarkAuthorize (bench_authz_internal_test.go) measures the
// authorization step alone. Results and the command: BENCHMARKS.md.

const (
	benchRole = kms.BenchRoleForTest
	benchUser = "arn:aws:iam::111122223333:user/BenchGrantee"
)

func BenchmarkEncryptAuthz(b *testing.B) {
	run := func(b *testing.B, k *kms.KMS, ctx context.Context, keyID string) {
		in := &kms.EncryptInput{KeyId: keyID, Plaintext: make([]byte, 32), EncryptionContext: benchEC}
		if _, err := k.Encrypt(ctx, in); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(32)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.Encrypt(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	}
	iam := kms.Options{IdentityPolicies: kms.IdentityPolicies{benchRole: nil, benchUser: nil}}
	b.Run("DefaultPolicy", func(b *testing.B) {
		k, id := benchKey(b)
		run(b, k, context.Background(), id)
	})
	b.Run("Policy20", func(b *testing.B) {
		k, _ := kmstest.NewWithOptions(b, iam)
		ctx := context.Background()
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{Policy: kms.BenchPolicy20ForTest()})
		if err != nil {
			b.Fatal(err)
		}
		run(b, k, kms.WithCaller(ctx, benchRole), out.KeyMetadata.KeyId)
	})
	b.Run("Grant", func(b *testing.B) {
		k, _ := kmstest.NewWithOptions(b, iam)
		ctx := context.Background()
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: out.KeyMetadata.KeyId, GranteePrincipal: benchUser,
			Operations:  []kms.GrantOperation{kms.GrantOperationEncrypt, kms.GrantOperationDecrypt},
			Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"tenant": "acme"}}}); err != nil {
			b.Fatal(err)
		}
		run(b, k, kms.WithCaller(ctx, benchUser), out.KeyMetadata.KeyId)
	})
}
