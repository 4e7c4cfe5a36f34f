package kms_test

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/crypto"
)

// Benchmarks of GenerateMac, DeriveSharedSecret, Encapsulate and
// Decapsulate beside the raw standard-library primitives they are built
// on, in the same run (results: BENCHMARKS.md). Each raw benchmark does
// what a caller holding the key would do for one request; the operation
// adds KeyId resolution, authorization, the key-state and key-usage checks
// and, for DeriveSharedSecret, parsing the peer's SPKI.

var macSizes = []struct {
	name string
	n    int
}{{"32B", 32}, {"4KiB", 4096}}

// BenchmarkRawHMACSHA256 is crypto/hmac with SHA-256, a new hmac.New per
// message, as the crypto layer does it.
func BenchmarkRawHMACSHA256(b *testing.B) {
	key := crypto.Random(32)
	for _, s := range macSizes {
		b.Run(s.name, func(b *testing.B) {
			msg := make([]byte, s.n)
			b.SetBytes(int64(s.n))
			b.ReportAllocs()
			for b.Loop() {
				h := hmac.New(sha256.New, key)
				h.Write(msg)
				h.Sum(nil)
			}
		})
	}
}

func BenchmarkGenerateMac(b *testing.B) {
	f := newMaterialFixture(b)
	md := f.create(b, kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac)
	for _, s := range macSizes {
		b.Run(s.name, func(b *testing.B) {
			in := &kms.GenerateMacInput{KeyId: md.KeyId, Message: make([]byte, s.n), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256}
			b.SetBytes(int64(s.n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.k.GenerateMac(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyMac(b *testing.B) {
	f := newMaterialFixture(b)
	md := f.create(b, kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac)
	msg := make([]byte, 32)
	gen, err := f.k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
	if err != nil {
		b.Fatal(err)
	}
	in := &kms.VerifyMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256, Mac: gen.Mac}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.k.VerifyMac(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawECDHP256 is crypto/ecdh on P-256: parse the peer's
// uncompressed point, then ECDH with our private key.
func BenchmarkRawECDHP256(b *testing.B) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	point := peer.PublicKey().Bytes()
	b.ReportAllocs()
	for b.Loop() {
		pub, err := ecdh.P256().NewPublicKey(point)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := priv.ECDH(pub); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeriveSharedSecretP256(b *testing.B) {
	f := newMaterialFixture(b)
	md := f.create(b, kms.KeySpecEccNistP256, kms.KeyUsageTypeKeyAgreement)
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	in := &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerSPKI(b, peer)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.k.DeriveSharedSecret(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawMLKEM768Encapsulate(b *testing.B) {
	dk, err := mlkem.GenerateKey768()
	if err != nil {
		b.Fatal(err)
	}
	ek := dk.EncapsulationKey()
	b.ReportAllocs()
	for b.Loop() {
		ek.Encapsulate()
	}
}

func BenchmarkEncapsulateMLKEM768(b *testing.B) {
	f := newMaterialFixture(b)
	md := f.create(b, kms.KeySpecMlKem768, kms.KeyUsageTypeEncapsulateDecapsulate)
	in := &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.k.Encapsulate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawMLKEM768Decapsulate(b *testing.B) {
	dk, err := mlkem.GenerateKey768()
	if err != nil {
		b.Fatal(err)
	}
	_, ct := dk.EncapsulationKey().Encapsulate()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dk.Decapsulate(ct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecapsulateMLKEM768(b *testing.B) {
	f := newMaterialFixture(b)
	md := f.create(b, kms.KeySpecMlKem768, kms.KeyUsageTypeEncapsulateDecapsulate)
	enc, err := f.k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
	if err != nil {
		b.Fatal(err)
	}
	in := &kms.DecapsulateInput{KeyId: md.KeyId, SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.k.Decapsulate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
