package kms_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// Sign and Verify beside the raw primitives they are built on, in the same
// run (BENCHMARKS.md): ECDSA P-256 (crypto/ecdsa; the raw side hashes the
// message too, as Sign with MessageType RAW does) and ML-DSA-65 (circl,
// hedged, as crypto's ML-DSA signs).

var benchMsg = []byte("a 64-byte message to sign, as a JWT header and claims might be..")

func benchSigningKey(b *testing.B, spec kms.KeySpec) (*kms.KMS, string) {
	k, _ := kmstest.New(b)
	out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeSignVerify})
	if err != nil {
		b.Fatal(err)
	}
	return k, out.KeyMetadata.KeyId
}

func BenchmarkRawECDSASignP256(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(benchMsg)
		if _, err := ecdsa.SignASN1(rand.Reader, priv, d[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignP256(b *testing.B) {
	k, id := benchSigningKey(b, kms.KeySpecEccNistP256)
	ctx := context.Background()
	in := &kms.SignInput{KeyId: id, Message: benchMsg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawECDSAVerifyP256(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	d := sha256.Sum256(benchMsg)
	sig, err := ecdsa.SignASN1(rand.Reader, priv, d[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(benchMsg)
		if !ecdsa.VerifyASN1(&priv.PublicKey, d[:], sig) {
			b.Fatal("does not verify")
		}
	}
}

func BenchmarkVerifyP256(b *testing.B) {
	k, id := benchSigningKey(b, kms.KeySpecEccNistP256)
	ctx := context.Background()
	out, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: benchMsg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		b.Fatal(err)
	}
	in := &kms.VerifyInput{KeyId: id, Message: benchMsg, Signature: out.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Verify(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawMLDSA65Sign(b *testing.B) {
	_, sk, err := mldsa65.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sig := make([]byte, mldsa65.SignatureSize)
		if err := mldsa65.SignTo(sk, benchMsg, nil, true, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignMLDSA65(b *testing.B) {
	k, id := benchSigningKey(b, kms.KeySpecMlDsa65)
	ctx := context.Background()
	in := &kms.SignInput{KeyId: id, Message: benchMsg, SigningAlgorithm: kms.SigningAlgorithmSpecMlDsaShake256}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
