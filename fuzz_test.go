package kms_test

import (
	"errors"
	"testing"

	"github.com/embedkms/kms"
)

// FuzzListMarkers feeds arbitrary pagination markers (untrusted strings a
// client echoes back) to every List operation: they must never panic, and
// must either page or fail with InvalidMarkerException or
// ValidationException.
func FuzzListMarkers(f *testing.F) {
	k, err := kms.New(kms.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer k.Close()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "a", TagValue: "1"}, {TagKey: "b", TagValue: "2"}}})
	for _, n := range []string{"alias/a", "alias/b"} {
		k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: n, TargetKeyId: key.KeyMetadata.KeyId})
	}
	for range 2 {
		k.CreateKey(ctx, &kms.CreateKeyInput{})
	}
	keys, _ := k.ListKeys(ctx, &kms.ListKeysInput{Limit: 1})
	aliases, _ := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: 1})
	tags, _ := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key.KeyMetadata.KeyId, Limit: 1})
	for _, m := range []string{keys.NextMarker, aliases.NextMarker, tags.NextMarker, "", "a2V5Og", "\xff", "key:"} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, marker string) {
		ok := func(err error) {
			if err != nil && !errors.Is(err, kms.ErrInvalidMarker) && !errors.Is(err, kms.ErrValidation) {
				t.Fatalf("marker %q: %v", marker, err)
			}
		}
		_, err := k.ListKeys(ctx, &kms.ListKeysInput{Marker: marker, Limit: 2})
		ok(err)
		_, err = k.ListAliases(ctx, &kms.ListAliasesInput{Marker: marker, Limit: 2})
		ok(err)
		_, err = k.ListAliases(ctx, &kms.ListAliasesInput{Marker: marker, KeyId: key.KeyMetadata.KeyId, Limit: 1})
		ok(err)
		_, err = k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key.KeyMetadata.KeyId, Marker: marker, Limit: 1})
		ok(err)
	})
}

// FuzzUntrustedKeyInputs feeds arbitrary bytes, as a client could send
// them, to every operation that parses caller-supplied cryptographic data
// under a real key: Verify (every algorithm and message type of its key),
// Decrypt of an RSA ciphertext, VerifyMac, DeriveSharedSecret's peer key
// and Decapsulate's ciphertext. None may panic or fail as an internal
// error: each answers or refuses with the request's AWS error.
func FuzzUntrustedKeyInputs(f *testing.F) {
	k, err := kms.New(kms.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer k.Close()
	create := func(spec kms.KeySpec, usage kms.KeyUsageType) *kms.KeyMetadata {
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
		if err != nil {
			f.Fatal(err)
		}
		return out.KeyMetadata
	}
	signers := []*kms.KeyMetadata{
		create(kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify),
		create(kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify),
		create(kms.KeySpecEccSecgP256k1, kms.KeyUsageTypeSignVerify),
		create(kms.KeySpecEccNistEdwards25519, kms.KeyUsageTypeSignVerify),
		create(kms.KeySpecMlDsa44, kms.KeyUsageTypeSignVerify),
	}
	rsaEnc := create(kms.KeySpecRsa2048, kms.KeyUsageTypeEncryptDecrypt)
	hmacKey := create(kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac)
	agree := create(kms.KeySpecEccNistP256, kms.KeyUsageTypeKeyAgreement)
	kem := create(kms.KeySpecMlKem768, kms.KeyUsageTypeEncapsulateDecapsulate)
	pub, _ := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: agree.KeyId})
	sig, _ := k.Sign(ctx, &kms.SignInput{KeyId: signers[0].KeyId, Message: []byte("m"), SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	f.Add([]byte("m"), sig.Signature, byte(0))
	f.Add(make([]byte, 32), pub.PublicKey, byte(1))
	f.Add(make([]byte, 64), make([]byte, 1088), byte(2))
	f.Fuzz(func(t *testing.T, msg, data []byte, pick byte) {
		ok := func(what string, err error) {
			if errors.Is(err, kms.ErrKMSInternal) {
				t.Fatalf("%s: %v", what, err)
			}
		}
		md := signers[int(pick)%len(signers)]
		mts := kms.MessageType("").Values()
		mt := mts[int(pick/8)%len(mts)]
		for _, alg := range md.SigningAlgorithms {
			_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: msg, MessageType: mt, Signature: data, SigningAlgorithm: alg})
			ok("Verify "+string(alg), err)
		}
		_, err := k.Decrypt(ctx, &kms.DecryptInput{KeyId: rsaEnc.KeyId, CiphertextBlob: data, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256})
		ok("Decrypt RSA", err)
		_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: data})
		ok("Decrypt", err)
		_, err = k.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: hmacKey.KeyId, Message: msg, Mac: data, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
		ok("VerifyMac", err)
		_, err = k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: agree.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: data})
		ok("DeriveSharedSecret", err)
		_, err = k.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: kem.KeyId, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem, SharedSecretCiphertextBlob: data})
		ok("Decapsulate", err)
	})
}
