package kms_test

import (
	"context"
	"testing"

	"github.com/embedkms/kms"
)

// BenchmarkDecryptRotated decrypts, in one run, a ciphertext made under
// the oldest of a key's 25 materials and one under the newest: a blob
// names its material, so the two cost the same.
func BenchmarkDecryptRotated(b *testing.B) {
	ctx := context.Background()
	k, id := benchKey(b)
	pt := make([]byte, 1024)
	oldest, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: pt, EncryptionContext: benchEC})
	if err != nil {
		b.Fatal(err)
	}
	for range 24 {
		if _, err := k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id}); err != nil {
			b.Fatal(err)
		}
	}
	newest, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: pt, EncryptionContext: benchEC})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		blob []byte
	}{{"oldest", oldest.CiphertextBlob}, {"newest", newest.CiphertextBlob}} {
		b.Run(c.name, func(b *testing.B) {
			in := &kms.DecryptInput{CiphertextBlob: c.blob, EncryptionContext: benchEC}
			b.SetBytes(int64(len(pt)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Decrypt(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
