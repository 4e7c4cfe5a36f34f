package kms_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// TestEveryKeyWithEveryOperation runs every operation that uses a key's
// material against a key of every KeySpec and KeyUsage pair AWS allows.
// Each operation succeeds on exactly the keys whose usage it needs (and,
// for the data key operations, only on symmetric encryption keys); on
// every other key it fails with AWS's error: InvalidKeyUsageException for
// a key of another usage or spec, UnsupportedOperationException for
// GetPublicKey of a symmetric or HMAC key (GetPublicKey API reference:
// "the KMS key must be asymmetric"). Nothing else is ever returned.
func TestEveryKeyWithEveryOperation(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	peers := map[kms.KeySpec][]byte{}
	for spec, c := range map[kms.KeySpec]ecdh.Curve{kms.KeySpecEccNistP256: ecdh.P256(), kms.KeySpecEccNistP384: ecdh.P384(), kms.KeySpecEccNistP521: ecdh.P521()} {
		priv, err := c.GenerateKey(rand.Reader)
		lcNoErr(t, err)
		spki, err := x509.MarshalPKIXPublicKey(priv.PublicKey())
		lcNoErr(t, err)
		peers[spec] = spki
	}
	// An algorithm each key lists, for the operations that need one.
	type key struct {
		md       *kms.KeyMetadata
		spec     kms.KeySpec
		usage    kms.KeyUsageType
		encAlg   kms.EncryptionAlgorithmSpec
		signAlg  kms.SigningAlgorithmSpec
		macAlg   kms.MacAlgorithmSpec
		peerSPKI []byte
	}
	var keys []key
	for _, spec := range kms.KeySpec("").Values() {
		for _, usage := range kms.KeyUsageType("").Values() {
			if spec == kms.KeySpecSm2 {
				continue // China Regions only
			}
			out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
			if errors.Is(err, kms.ErrValidation) {
				continue // a pair AWS refuses: TestCreateKeyEverySpecAndUsage
			}
			lcNoErr(t, err)
			md := out.KeyMetadata
			kk := key{md: md, spec: spec, usage: usage, encAlg: kms.EncryptionAlgorithmSpecRsaesOaepSha256, signAlg: kms.SigningAlgorithmSpecEcdsaSha256, macAlg: kms.MacAlgorithmSpecHmacSha256, peerSPKI: peers[kms.KeySpecEccNistP256]}
			if n := len(md.EncryptionAlgorithms); n > 0 {
				// The last: RSAES_OAEP_SHA_256 for RSA keys, which also
				// runs under GODEBUG=fips140=only (SHA-1 does not).
				kk.encAlg = md.EncryptionAlgorithms[n-1]
			}
			if len(md.SigningAlgorithms) > 0 {
				kk.signAlg = md.SigningAlgorithms[0]
			}
			if len(md.MacAlgorithms) > 0 {
				kk.macAlg = md.MacAlgorithms[0]
			}
			if p, ok := peers[spec]; ok {
				kk.peerSPKI = p
			}
			keys = append(keys, kk)
		}
	}
	if len(keys) != 25 {
		t.Fatalf("%d key spec and usage pairs, want the 25 AWS allows outside China Regions", len(keys))
	}
	symmetric := func(kk key) bool { return kk.spec == kms.KeySpecSymmetricDefault }
	ops := []struct {
		name string
		ok   func(key) bool
		// other is the error on the keys where ok is false.
		other kms.Code
		call  func(key) error
	}{
		{"Encrypt", func(kk key) bool { return kk.usage == kms.KeyUsageTypeEncryptDecrypt }, kms.ErrInvalidKeyUsage, func(kk key) error {
			alg := kk.encAlg
			if symmetric(kk) {
				alg = ""
			}
			_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: kk.md.KeyId, Plaintext: []byte("p"), EncryptionAlgorithm: alg})
			return err
		}},
		{"GenerateDataKey", symmetric, kms.ErrInvalidKeyUsage, func(kk key) error {
			_, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: kk.md.KeyId, KeySpec: kms.DataKeySpecAes256})
			return err
		}},
		{"GenerateDataKeyPair", symmetric, kms.ErrInvalidKeyUsage, func(kk key) error {
			_, err := k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: kk.md.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
			return err
		}},
		{"Sign", func(kk key) bool { return kk.usage == kms.KeyUsageTypeSignVerify }, kms.ErrInvalidKeyUsage, func(kk key) error {
			_, err := k.Sign(ctx, &kms.SignInput{KeyId: kk.md.KeyId, Message: []byte("m"), SigningAlgorithm: kk.signAlg})
			return err
		}},
		{"GetPublicKey", func(kk key) bool { return !symmetric(kk) && kk.usage != kms.KeyUsageTypeGenerateVerifyMac }, kms.ErrUnsupportedOperation, func(kk key) error {
			_, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: kk.md.KeyId})
			return err
		}},
		{"GenerateMac", func(kk key) bool { return kk.usage == kms.KeyUsageTypeGenerateVerifyMac }, kms.ErrInvalidKeyUsage, func(kk key) error {
			_, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: kk.md.KeyId, Message: []byte("m"), MacAlgorithm: kk.macAlg})
			return err
		}},
		{"DeriveSharedSecret", func(kk key) bool { return kk.usage == kms.KeyUsageTypeKeyAgreement }, kms.ErrInvalidKeyUsage, func(kk key) error {
			_, err := k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: kk.md.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: kk.peerSPKI})
			return err
		}},
		{"Encapsulate", func(kk key) bool { return kk.usage == kms.KeyUsageTypeEncapsulateDecapsulate }, kms.ErrInvalidKeyUsage, func(kk key) error {
			_, err := k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: kk.md.KeyId, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
			return err
		}},
	}
	for _, op := range ops {
		for _, kk := range keys {
			err := op.call(kk)
			switch {
			case op.ok(kk) && err != nil:
				t.Errorf("%s with a %s %s key: %v", op.name, kk.spec, kk.usage, err)
			case !op.ok(kk) && !errors.Is(err, op.other):
				t.Errorf("%s with a %s %s key: %v, want %s", op.name, kk.spec, kk.usage, err, op.other)
			}
		}
	}
}
