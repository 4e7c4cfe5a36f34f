package kms_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// Asymmetric operations through the handle beside the standard library
// call they are built on, in the same run: what the handle adds (key
// lookup, authorization, state and usage checks, sealing) over the raw
// primitive. Neither name ends in Encrypt or Decrypt, so the symmetric
// comparison (BENCHMARKS.md) does not pick them up.

// BenchmarkDecryptRSA2048OAEPSHA256: Decrypt of a 32-byte plaintext under
// an RSA_2048 key with RSAES_OAEP_SHA_256, beside rsa.DecryptOAEP with a
// key of the same size.
func BenchmarkDecryptRSA2048OAEPSHA256(b *testing.B) {
	ctx := context.Background()
	pt := make([]byte, 32)
	b.Run("handle", func(b *testing.B) {
		k, _ := kmstest.New(b)
		md := rsaKey(b, k, kms.KeySpecRsa2048, "")
		enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: oaep256})
		if err != nil {
			b.Fatal(err)
		}
		in := &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: md.KeyId, EncryptionAlgorithm: oaep256}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.Decrypt(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-rsa.DecryptOAEP", func(b *testing.B) {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &priv.PublicKey, pt, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rsa.DecryptOAEP(sha256.New(), nil, priv, ct, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGenerateDataKeyPairP256: GenerateDataKeyPair ECC_NIST_P256
// (generate, encode SPKI and PKCS #8, seal the private key) beside
// ecdsa.GenerateKey alone.
func BenchmarkGenerateDataKeyPairP256(b *testing.B) {
	ctx := context.Background()
	b.Run("handle", func(b *testing.B) {
		k, _ := kmstest.New(b)
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			b.Fatal(err)
		}
		in := &kms.GenerateDataKeyPairInput{KeyId: out.KeyMetadata.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256, EncryptionContext: benchEC}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.GenerateDataKeyPair(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-ecdsa.GenerateKey", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				b.Fatal(err)
			}
		}
	})
}
