package crypto_test

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/embedkms/kms/crypto"
)

// The crypto layer's own cost, beside the raw primitive it wraps where
// there is one: the gap is this package's overhead.

func BenchmarkSignECDSAP256(b *testing.B) {
	k := testKey(b, "ECC_NIST_P256").(crypto.Signer)
	msg := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign("ECDSA_SHA_256", msg, crypto.MessageRaw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignECDSAP256Raw(b *testing.B) {
	priv, err := x509.ParsePKCS8PrivateKey(testMaterial(b, "ECC_NIST_P256"))
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(msg)
		if _, err := ecdsa.SignASN1(rand.Reader, priv.(*ecdsa.PrivateKey), d[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyECDSAP256(b *testing.B) {
	k := testKey(b, "ECC_NIST_P256").(crypto.Signer)
	msg := make([]byte, 256)
	sig, _ := k.Sign("ECDSA_SHA_256", msg, crypto.MessageRaw)
	b.ReportAllocs()
	for b.Loop() {
		if err := k.Verify("ECDSA_SHA_256", msg, crypto.MessageRaw, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHMACSHA256(b *testing.B) {
	k := testKey(b, "HMAC_256").(crypto.MAC)
	msg := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Generate("HMAC_SHA_256", msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHMACSHA256Raw(b *testing.B) {
	key := testMaterial(b, "HMAC_256")
	msg := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		h := hmac.New(sha256.New, key)
		h.Write(msg)
		h.Sum(nil)
	}
}

func BenchmarkDecryptRSA2048OAEPSHA256(b *testing.B) {
	k := testKey(b, "RSA_2048").(crypto.Decrypter)
	ct, _ := k.Encrypt("RSAES_OAEP_SHA_256", make([]byte, 32))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Decrypt("RSAES_OAEP_SHA_256", ct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignMLDSA65(b *testing.B) {
	k := testKey(b, "ML_DSA_65").(crypto.Signer)
	msg := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign("ML_DSA_SHAKE_256", msg, crypto.MessageRaw); err != nil {
			b.Fatal(err)
		}
	}
}
