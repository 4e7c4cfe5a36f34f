package kms_test

import (
	"context"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// TestEncryptOAEPSHA1UnderFIPSOnly: in FIPS 140-3 only mode
// (GODEBUG=fips140=only, which scripts/test.sh runs this test under) Go
// refuses SHA-1 OAEP, so Encrypt and Decrypt with RSAES_OAEP_SHA_1 are
// UnsupportedOperationException saying why — not an internal error, and
// not an invalid ciphertext — while RSAES_OAEP_SHA_256 still works.
func TestEncryptOAEPSHA1UnderFIPSOnly(t *testing.T) {
	if !fips140.Enforced() {
		t.Skip("runs under GODEBUG=fips140=only (scripts/test.sh)")
	}
	ctx := context.Background()
	k, _ := kmstest.New(t)
	md := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt})
	_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("p"), EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha1})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, "Algorithm RSAES_OAEP_SHA_1 is not available: this process runs in FIPS 140-3 only mode (GODEBUG=fips140=only).")

	pk, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	pub, err := x509.ParsePKIXPublicKey(pk.PublicKey)
	lcNoErr(t, err)
	var ct []byte
	fips140.WithoutEnforcement(func() { ct, err = rsa.EncryptOAEP(sha1.New(), rand.Reader, pub.(*rsa.PublicKey), []byte("p"), nil) })
	lcNoErr(t, err)
	_, err = k.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha1})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, "Algorithm RSAES_OAEP_SHA_1 is not available: this process runs in FIPS 140-3 only mode (GODEBUG=fips140=only).")

	out, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("p"), EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256})
	lcNoErr(t, err)
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: out.CiphertextBlob, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256})
	lcNoErr(t, err)
	if string(dec.Plaintext) != "p" {
		t.Fatalf("Decrypt = %q", dec.Plaintext)
	}
}
