package kms_test

import (
	"bytes"
	"context"
	gocrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// Tests of Sign, Verify and GetPublicKey. Sources: the API reference
// (Sign, Verify, GetPublicKey and their MessageType, Message and
// Signature members, in the model kms-2014-11-01.json) and AWS responses
// quoted in public reports, cited where used.

// sigAlgs lists every SigningAlgorithmSpec of every SIGN_VERIFY key spec
// (Developer Guide, "Key spec reference").
var sigAlgs = map[kms.KeySpec][]kms.SigningAlgorithmSpec{
	kms.KeySpecRsa2048: rsaAlgs, kms.KeySpecRsa3072: rsaAlgs, kms.KeySpecRsa4096: rsaAlgs,
	kms.KeySpecEccNistP256:         {kms.SigningAlgorithmSpecEcdsaSha256},
	kms.KeySpecEccNistP384:         {kms.SigningAlgorithmSpecEcdsaSha384},
	kms.KeySpecEccNistP521:         {kms.SigningAlgorithmSpecEcdsaSha512},
	kms.KeySpecEccSecgP256k1:       {kms.SigningAlgorithmSpecEcdsaSha256},
	kms.KeySpecEccNistEdwards25519: {kms.SigningAlgorithmSpecEd25519Sha512, kms.SigningAlgorithmSpecEd25519PhSha512},
	kms.KeySpecMlDsa44:             {kms.SigningAlgorithmSpecMlDsaShake256},
	kms.KeySpecMlDsa65:             {kms.SigningAlgorithmSpecMlDsaShake256},
	kms.KeySpecMlDsa87:             {kms.SigningAlgorithmSpecMlDsaShake256},
}

var rsaAlgs = []kms.SigningAlgorithmSpec{
	kms.SigningAlgorithmSpecRsassaPssSha256, kms.SigningAlgorithmSpecRsassaPssSha384, kms.SigningAlgorithmSpecRsassaPssSha512,
	kms.SigningAlgorithmSpecRsassaPkcs1V15Sha256, kms.SigningAlgorithmSpecRsassaPkcs1V15Sha384, kms.SigningAlgorithmSpecRsassaPkcs1V15Sha512,
}

// hashOf returns the hash an algorithm's DIGEST is made with (0 for
// ED25519_SHA_512 and ML-DSA, which take no DIGEST).
func hashOf(alg kms.SigningAlgorithmSpec) gocrypto.Hash {
	switch {
	case strings.HasSuffix(string(alg), "SHA_256"):
		return gocrypto.SHA256
	case strings.HasSuffix(string(alg), "SHA_384"):
		return gocrypto.SHA384
	case alg == kms.SigningAlgorithmSpecEd25519Sha512:
		return 0
	case strings.HasSuffix(string(alg), "SHA_512"):
		return gocrypto.SHA512
	}
	return 0
}

func digest(h gocrypto.Hash, m []byte) []byte {
	d := h.New()
	d.Write(m)
	return d.Sum(nil)
}

// mlDSAMu is FIPS 204's μ for the empty context (section 6.2, Algorithm 2
// with ctx empty, and Algorithm 7 step 6): SHAKE256(SHAKE256(pk, 64) ||
// 0x00 || 0x00 || M, 64).
func mlDSAMu(pk, m []byte) []byte {
	tr := sha3.SumSHAKE256(pk, 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(m)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

// sigKeys creates one SIGN_VERIFY key of every spec on k.
func sigKeys(t *testing.T, k *kms.KMS) map[kms.KeySpec]string {
	ids := map[kms.KeySpec]string{}
	for spec := range sigAlgs {
		ids[spec] = lcCreate(t, k, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
	}
	return ids
}

// rawPublicKey returns the subjectPublicKey BIT STRING of an SPKI and its
// algorithm OID.
func rawPublicKey(t *testing.T, spki []byte) (asn1.ObjectIdentifier, []byte) {
	t.Helper()
	var v struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(spki, &v); err != nil || len(rest) != 0 {
		t.Fatalf("SPKI %x: %v", spki, err)
	}
	return v.Algorithm.Algorithm, v.PublicKey.RightAlign()
}

// TestSignVerifyEveryAlgorithm: every algorithm of every SIGN_VERIFY key
// spec signs and verifies, with each message type the algorithm takes;
// the message type of Verify need not be Sign's ("The message type does
// not need to be the same as the one used for signing", Verify); a wrong
// signature or message gives KMSInvalidSignatureException ("If the
// signature verification fails, the Verify operation fails with an
// KMSInvalidSignatureException exception"), never SignatureValid false.
func TestSignVerifyEveryAlgorithm(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	ids := sigKeys(t, k)
	msg := []byte("a message of no particular length")
	for spec, algs := range sigAlgs {
		id := ids[spec]
		keyARN := lcKeyARN(lcAccount, lcRegion, id)
		pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
		lcNoErr(t, err)
		for _, alg := range algs {
			// The forms of one message: (type, Message).
			type form struct {
				mt kms.MessageType
				m  []byte
			}
			var forms []form
			switch {
			case alg == kms.SigningAlgorithmSpecEd25519PhSha512:
				forms = []form{{kms.MessageTypeDigest, digest(gocrypto.SHA512, msg)}}
			case alg == kms.SigningAlgorithmSpecMlDsaShake256:
				_, raw := rawPublicKey(t, pub.PublicKey)
				forms = []form{{"", msg}, {kms.MessageTypeRaw, msg}, {kms.MessageTypeExternalMu, mlDSAMu(raw, msg)}}
			case hashOf(alg) == 0:
				forms = []form{{"", msg}, {kms.MessageTypeRaw, msg}}
			default:
				forms = []form{{"", msg}, {kms.MessageTypeRaw, msg}, {kms.MessageTypeDigest, digest(hashOf(alg), msg)}}
			}
			for _, sf := range forms {
				t.Run(string(spec)+"/"+string(alg)+"/"+string(sf.mt), func(t *testing.T) {
					out, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: sf.m, MessageType: sf.mt, SigningAlgorithm: alg})
					lcNoErr(t, err)
					if out.KeyId != keyARN || out.SigningAlgorithm != alg || len(out.Signature) == 0 {
						t.Fatalf("Sign = %+v", out)
					}
					for _, vf := range forms {
						v, err := k.Verify(ctx, &kms.VerifyInput{KeyId: id, Message: vf.m, MessageType: vf.mt, Signature: out.Signature, SigningAlgorithm: alg})
						lcNoErr(t, err)
						if !v.SignatureValid || v.KeyId != keyARN || v.SigningAlgorithm != alg {
							t.Fatalf("Verify = %+v", v)
						}
						bad := slices.Clone(out.Signature)
						bad[len(bad)/2] ^= 1
						v, err = k.Verify(ctx, &kms.VerifyInput{KeyId: id, Message: vf.m, MessageType: vf.mt, Signature: bad, SigningAlgorithm: alg})
						lcWantErr(t, err, kms.ErrKMSInvalidSignature, "")
						if v != nil {
							t.Fatalf("Verify of a bad signature returned %+v", v)
						}
						other := slices.Clone(vf.m)
						other[0] ^= 1
						_, err = k.Verify(ctx, &kms.VerifyInput{KeyId: id, Message: other, MessageType: vf.mt, Signature: out.Signature, SigningAlgorithm: alg})
						lcWantErr(t, err, kms.ErrKMSInvalidSignature, "")
					}
					if sf.mt == kms.MessageTypeExternalMu {
						// A signature of μ is the ML-DSA signature of the message.
						_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: id, Message: msg, Signature: out.Signature, SigningAlgorithm: alg})
						lcNoErr(t, err)
					}
				})
			}
		}
		t.Run(string(spec)+"/RAW 4096 bytes", func(t *testing.T) {
			big := bytes.Repeat([]byte{0xa5}, kms.MaxPlaintextSize)
			out, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: big, SigningAlgorithm: algs[0]})
			lcNoErr(t, err)
			_, err = k.Verify(ctx, &kms.VerifyInput{KeyId: id, Message: big, Signature: out.Signature, SigningAlgorithm: algs[0]})
			lcNoErr(t, err)
		})
	}
	// Another key's signature does not verify.
	out, err := k.Sign(ctx, &kms.SignInput{KeyId: ids[kms.KeySpecEccNistP256], Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	lcNoErr(t, err)
	other := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
	_, err = k.Verify(ctx, &kms.VerifyInput{KeyId: other, Message: msg, Signature: out.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	lcWantErr(t, err, kms.ErrKMSInvalidSignature, "")
}

// TestSignDigestNotHashedAgain: a DIGEST is signed as the digest, so the
// signature verifies offline against the message's hash (once), with the
// public key from GetPublicKey. ED25519_PH_SHA_512 is the one algorithm AWS
// documents as hashing a DIGEST again ("KMS still performs the SHA-512
// prehash described in Step 1 of Section 7.8.1 in FIPS 186-5. This means
// the input is hashed twice": Sign, MessageType): its signature of the
// 64-byte DIGEST d is HashEdDSA of the message d.
func TestSignDigestNotHashedAgain(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	msg := []byte("hash me once")
	sign := func(spec kms.KeySpec, alg kms.SigningAlgorithmSpec, m []byte, mt kms.MessageType) (any, []byte) {
		t.Helper()
		id := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
		out, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: m, MessageType: mt, SigningAlgorithm: alg})
		lcNoErr(t, err)
		pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
		lcNoErr(t, err)
		pk, err := x509.ParsePKIXPublicKey(pub.PublicKey)
		lcNoErr(t, err)
		return pk, out.Signature
	}
	for _, tc := range []struct {
		spec kms.KeySpec
		alg  kms.SigningAlgorithmSpec
	}{
		{kms.KeySpecEccNistP256, kms.SigningAlgorithmSpecEcdsaSha256},
		{kms.KeySpecEccNistP384, kms.SigningAlgorithmSpecEcdsaSha384},
		{kms.KeySpecEccNistP521, kms.SigningAlgorithmSpecEcdsaSha512},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPssSha384},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPkcs1V15Sha512},
	} {
		h := hashOf(tc.alg)
		d := digest(h, msg)
		pk, sig := sign(tc.spec, tc.alg, d, kms.MessageTypeDigest)
		var ok bool
		switch pk := pk.(type) {
		case *ecdsa.PublicKey:
			ok = ecdsa.VerifyASN1(pk, d, sig)
		case *rsa.PublicKey:
			if strings.Contains(string(tc.alg), "PSS") {
				ok = rsa.VerifyPSS(pk, h, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
			} else {
				ok = rsa.VerifyPKCS1v15(pk, h, d, sig) == nil
			}
		}
		if !ok {
			t.Errorf("%s %s: the signature of a DIGEST does not verify against the message's hash", tc.spec, tc.alg)
		}
	}

	d := digest(gocrypto.SHA512, msg)
	pk, sig := sign(kms.KeySpecEccNistEdwards25519, kms.SigningAlgorithmSpecEd25519PhSha512, d, kms.MessageTypeDigest)
	ph := sha512.Sum512(d)
	if err := ed25519.VerifyWithOptions(pk.(ed25519.PublicKey), ph[:], sig, &ed25519.Options{Hash: gocrypto.SHA512}); err != nil {
		t.Errorf("ED25519_PH_SHA_512 of DIGEST d is not Ed25519ph of the message d: %v", err)
	}
	if ed25519.VerifyWithOptions(pk.(ed25519.PublicKey), d, sig, &ed25519.Options{Hash: gocrypto.SHA512}) == nil {
		t.Error("ED25519_PH_SHA_512 of DIGEST d verifies with PH(M) = d: KMS's own prehash was skipped")
	}
}

// TestSignVerifyErrors: AWS's checks of Sign and Verify requests, and the
// errors they give.
func TestSignVerifyErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	p256 := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
	ed := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistEdwards25519, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
	mldsa := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecMlDsa44, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
	rsaEnc := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt}).KeyId
	agree := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeKeyAgreement}).KeyId
	sym := lcCreate(t, k, &kms.CreateKeyInput{}).KeyId
	hmac := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}).KeyId
	disabled := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
	_, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled})
	lcNoErr(t, err)
	arn := func(id string) string { return lcKeyARN(lcAccount, lcRegion, id) }
	msg := []byte("message")
	d32, d48, d64 := make([]byte, 32), make([]byte, 48), make([]byte, 64)
	good, err := k.Sign(ctx, &kms.SignInput{KeyId: p256, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	lcNoErr(t, err)

	const ecdsa256 = kms.SigningAlgorithmSpecEcdsaSha256
	algSet := "[RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384, ECDSA_SHA_512, SM2DSA, ML_DSA_SHAKE_256, ED25519_SHA_512, ED25519_PH_SHA_512]"
	tests := []struct {
		name string
		in   kms.SignInput
		code kms.Code
		msg  string // exact message; "" with has: contains each of has
		has  []string
	}{
		{name: "SigningAlgorithm missing", in: kms.SignInput{KeyId: p256, Message: msg},
			code: kms.ErrValidation, msg: "1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null"},
		{name: "SigningAlgorithm unknown", in: kms.SignInput{KeyId: p256, Message: msg, SigningAlgorithm: "ECDSA_SHA_1"},
			code: kms.ErrValidation, msg: "1 validation error detected: Value 'ECDSA_SHA_1' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: " + algSet},
		{name: "MessageType unknown", in: kms.SignInput{KeyId: p256, Message: msg, MessageType: "HASH", SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, msg: "1 validation error detected: Value 'HASH' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]"},
		// Probed against AWS: 0 bytes refused (>= 1), 4097 refused (<= 4096).
		{name: "Message empty", in: kms.SignInput{KeyId: p256, Message: []byte{}, SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, msg: "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "Message missing", in: kms.SignInput{KeyId: p256, SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, msg: "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null"},
		{name: "Message 4097 bytes", in: kms.SignInput{KeyId: p256, Message: make([]byte, 4097), SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, msg: "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{name: "KeyId missing", in: kms.SignInput{Message: msg, SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, msg: "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		// "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec
		// RSA_4096." is AWS's text for the encryption algorithm
		// (zalando/spring-cloud-config-aws-kms#82).
		{name: "algorithm of another spec", in: kms.SignInput{KeyId: p256, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha384},
			code: kms.ErrInvalidKeyUsage, msg: "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."},
		{name: "RSA algorithm on Ed25519", in: kms.SignInput{KeyId: ed, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecRsassaPssSha256},
			code: kms.ErrInvalidKeyUsage, msg: "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_EDWARDS25519."},
		{name: "SM2DSA on a NIST key", in: kms.SignInput{KeyId: p256, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa},
			code: kms.ErrInvalidKeyUsage, msg: "Algorithm SM2DSA is incompatible with key spec ECC_NIST_P256."},
		{name: "ENCRYPT_DECRYPT RSA key", in: kms.SignInput{KeyId: rsaEnc, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecRsassaPssSha256},
			code: kms.ErrInvalidKeyUsage, msg: arn(rsaEnc) + " key usage is ENCRYPT_DECRYPT which is not valid for Sign."},
		{name: "KEY_AGREEMENT key", in: kms.SignInput{KeyId: agree, Message: msg, SigningAlgorithm: ecdsa256},
			code: kms.ErrInvalidKeyUsage, msg: arn(agree) + " key usage is KEY_AGREEMENT which is not valid for Sign."},
		{name: "symmetric key", in: kms.SignInput{KeyId: sym, Message: msg, SigningAlgorithm: ecdsa256},
			code: kms.ErrInvalidKeyUsage, msg: arn(sym) + " key usage is ENCRYPT_DECRYPT which is not valid for Sign."},
		{name: "HMAC key", in: kms.SignInput{KeyId: hmac, Message: msg, SigningAlgorithm: ecdsa256},
			code: kms.ErrInvalidKeyUsage, msg: arn(hmac) + " key usage is GENERATE_VERIFY_MAC which is not valid for Sign."},
		{name: "disabled key", in: kms.SignInput{KeyId: disabled, Message: msg, SigningAlgorithm: ecdsa256},
			code: kms.ErrDisabled, msg: arn(disabled) + " is disabled."},
		{name: "unknown key", in: kms.SignInput{KeyId: lcUnknownID, Message: msg, SigningAlgorithm: ecdsa256},
			code: kms.ErrNotFound, msg: "Key '" + arn(lcUnknownID) + "' does not exist"},
		// "Digest is invalid length for algorithm ..." probed against AWS
		// for RSASSA_PKCS1_V1_5_SHA_256 (20, 31, 33, 48, 64 bytes refused).
		{name: "DIGEST too long", in: kms.SignInput{KeyId: p256, Message: d48, MessageType: kms.MessageTypeDigest, SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, msg: "Digest is invalid length for algorithm ECDSA_SHA_256."},
		{name: "DIGEST too short", in: kms.SignInput{KeyId: p256, Message: d32[:31], MessageType: kms.MessageTypeDigest, SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, msg: "Digest is invalid length for algorithm ECDSA_SHA_256."},
		{name: "DIGEST of Ed25519ph not 64 bytes", in: kms.SignInput{KeyId: ed, Message: d32, MessageType: kms.MessageTypeDigest, SigningAlgorithm: kms.SigningAlgorithmSpecEd25519PhSha512},
			code: kms.ErrValidation, msg: "Digest is invalid length for algorithm ED25519_PH_SHA_512."},
		{name: "EXTERNAL_MU not 64 bytes", in: kms.SignInput{KeyId: mldsa, Message: d48, MessageType: kms.MessageTypeExternalMu, SigningAlgorithm: kms.SigningAlgorithmSpecMlDsaShake256},
			code: kms.ErrValidation, msg: "Digest is invalid length for algorithm ML_DSA_SHAKE_256."},
		// "ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW;
		// ED25519_PH_SHA_512 signing algorithm requires KMS
		// MessageType:DIGEST"; EXTERNAL_MU is "used in ML-DSA signing".
		// AWS's code and text for these are not documented.
		{name: "ED25519_SHA_512 DIGEST", in: kms.SignInput{KeyId: ed, Message: d64, MessageType: kms.MessageTypeDigest, SigningAlgorithm: kms.SigningAlgorithmSpecEd25519Sha512},
			code: kms.ErrValidation, has: []string{"DIGEST", "ED25519_SHA_512"}},
		{name: "ED25519_PH_SHA_512 RAW", in: kms.SignInput{KeyId: ed, Message: d64, MessageType: kms.MessageTypeRaw, SigningAlgorithm: kms.SigningAlgorithmSpecEd25519PhSha512},
			code: kms.ErrValidation, has: []string{"RAW", "ED25519_PH_SHA_512"}},
		{name: "ED25519_PH_SHA_512 default RAW", in: kms.SignInput{KeyId: ed, Message: d64, SigningAlgorithm: kms.SigningAlgorithmSpecEd25519PhSha512},
			code: kms.ErrValidation, has: []string{"RAW", "ED25519_PH_SHA_512"}},
		{name: "EXTERNAL_MU on Ed25519", in: kms.SignInput{KeyId: ed, Message: d64, MessageType: kms.MessageTypeExternalMu, SigningAlgorithm: kms.SigningAlgorithmSpecEd25519PhSha512},
			code: kms.ErrValidation, has: []string{"EXTERNAL_MU", "ED25519_PH_SHA_512"}},
		{name: "EXTERNAL_MU on ECDSA", in: kms.SignInput{KeyId: p256, Message: d64, MessageType: kms.MessageTypeExternalMu, SigningAlgorithm: ecdsa256},
			code: kms.ErrValidation, has: []string{"EXTERNAL_MU", "ECDSA_SHA_256"}},
		{name: "DIGEST on ML-DSA", in: kms.SignInput{KeyId: mldsa, Message: d64, MessageType: kms.MessageTypeDigest, SigningAlgorithm: kms.SigningAlgorithmSpecMlDsaShake256},
			code: kms.ErrValidation, has: []string{"DIGEST", "ML_DSA_SHAKE_256"}},
		// DryRunOperationException comes after every other check.
		{name: "DryRun", in: kms.SignInput{KeyId: p256, Message: msg, SigningAlgorithm: ecdsa256, DryRun: true},
			code: kms.ErrDryRunOperation, msg: "The request would have succeeded, but the DryRun option is set."},
		{name: "DryRun with a bad digest", in: kms.SignInput{KeyId: p256, Message: d48, MessageType: kms.MessageTypeDigest, SigningAlgorithm: ecdsa256, DryRun: true},
			code: kms.ErrValidation, msg: "Digest is invalid length for algorithm ECDSA_SHA_256."},
		{name: "DryRun with an algorithm of another spec", in: kms.SignInput{KeyId: p256, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha512, DryRun: true},
			code: kms.ErrInvalidKeyUsage, msg: "Algorithm ECDSA_SHA_512 is incompatible with key spec ECC_NIST_P256."},
		{name: "DryRun with a disabled key", in: kms.SignInput{KeyId: disabled, Message: msg, SigningAlgorithm: ecdsa256, DryRun: true},
			code: kms.ErrDisabled, msg: arn(disabled) + " is disabled."},
		{name: "grant token", in: kms.SignInput{KeyId: p256, Message: msg, SigningAlgorithm: ecdsa256, GrantTokens: []string{"token"}},
			code: kms.ErrInvalidGrantToken, has: []string{"token"}},
	}
	for _, tt := range tests {
		t.Run("Sign/"+tt.name, func(t *testing.T) {
			in := tt.in
			out, err := k.Sign(ctx, &in)
			if out != nil {
				t.Errorf("output %+v with an error", out)
			}
			if tt.has != nil {
				lcWantCode(t, err, tt.code, tt.has...)
			} else {
				lcWantErr(t, err, tt.code, tt.msg)
			}
		})
		t.Run("Verify/"+tt.name, func(t *testing.T) {
			in := kms.VerifyInput{KeyId: tt.in.KeyId, Message: tt.in.Message, MessageType: tt.in.MessageType, Signature: good.Signature,
				SigningAlgorithm: tt.in.SigningAlgorithm, GrantTokens: tt.in.GrantTokens, DryRun: tt.in.DryRun}
			_, err := k.Verify(ctx, &in)
			want := strings.ReplaceAll(tt.msg, "not valid for Sign.", "not valid for Verify.")
			if tt.has != nil {
				lcWantCode(t, err, tt.code, tt.has...)
			} else {
				lcWantErr(t, err, tt.code, want)
			}
		})
	}
	t.Run("Verify/Signature missing", func(t *testing.T) {
		_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: p256, Message: msg, SigningAlgorithm: ecdsa256})
		lcWantErr(t, err, kms.ErrValidation, "1 validation error detected: Value null at 'signature' failed to satisfy constraint: Member must not be null")
	})
	t.Run("Verify/Signature 6145 bytes", func(t *testing.T) {
		_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: p256, Message: msg, Signature: make([]byte, 6145), SigningAlgorithm: ecdsa256})
		lcWantErr(t, err, kms.ErrValidation, "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=6145 cap=6145]' at 'signature' failed to satisfy constraint: Member must have length less than or equal to 6144")
	})
	t.Run("Verify/every member wrong", func(t *testing.T) {
		_, err := k.Verify(ctx, &kms.VerifyInput{})
		lcWantErr(t, err, kms.ErrValidation, "4 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value null at 'message' failed to satisfy constraint: Member must not be null; Value null at 'signature' failed to satisfy constraint: Member must not be null; Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null")
	})
	t.Run("Verify/DryRun with a wrong signature", func(t *testing.T) {
		// DryRunOperationException says the call would have succeeded
		// (Developer Guide, "Testing your permissions"): a wrong signature
		// is reported, as VerifyMac reports a wrong MAC.
		_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: p256, Message: []byte("other"), Signature: good.Signature, SigningAlgorithm: ecdsa256, DryRun: true})
		lcWantErr(t, err, kms.ErrKMSInvalidSignature, "")
		_, err = k.Verify(ctx, &kms.VerifyInput{KeyId: p256, Message: msg, Signature: good.Signature, SigningAlgorithm: ecdsa256, DryRun: true})
		lcWantErr(t, err, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set.")
	})
	t.Run("Verify/garbage signature", func(t *testing.T) {
		for _, sig := range [][]byte{{0}, make([]byte, 6144), []byte("not DER")} {
			_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: p256, Message: msg, Signature: sig, SigningAlgorithm: ecdsa256})
			lcWantErr(t, err, kms.ErrKMSInvalidSignature, "")
		}
	})
	t.Run("nil input", func(t *testing.T) {
		_, err := k.Sign(ctx, nil)
		lcWantCode(t, err, kms.ErrValidation, "keyId")
		_, err = k.Verify(ctx, nil)
		lcWantCode(t, err, kms.ErrValidation, "keyId")
	})
	t.Run("alias and ARN", func(t *testing.T) {
		lcAlias(t, k, "alias/signer", p256)
		for _, id := range []string{"alias/signer", lcAliasARN(lcAccount, lcRegion, "alias/signer"), arn(p256)} {
			out, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: msg, SigningAlgorithm: ecdsa256})
			lcNoErr(t, err)
			if out.KeyId != arn(p256) {
				t.Errorf("KeyId %s, want the key ARN", out.KeyId)
			}
			_, err = k.Verify(ctx, &kms.VerifyInput{KeyId: id, Message: msg, Signature: out.Signature, SigningAlgorithm: ecdsa256})
			lcNoErr(t, err)
		}
	})
}

// TestVerifyExternalMu: Verify with MessageType EXTERNAL_MU accepts the
// signature of μ and the RAW signature of the message μ represents; a
// changed signature, a signature of another message, a signature cut short
// and another key's signature give KMSInvalidSignatureException; DryRun
// gives DryRunOperationException whether or not the signature is valid.
func TestVerifyExternalMu(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	alg := kms.SigningAlgorithmSpecMlDsaShake256
	for _, spec := range []kms.KeySpec{kms.KeySpecMlDsa44, kms.KeySpecMlDsa65, kms.KeySpecMlDsa87} {
		t.Run(string(spec), func(t *testing.T) {
			id := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
			other := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
			pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
			lcNoErr(t, err)
			_, raw := rawPublicKey(t, pub.PublicKey)
			msg := []byte("signed from mu")
			mu := mlDSAMu(raw, msg)
			fromMu, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: mu, MessageType: kms.MessageTypeExternalMu, SigningAlgorithm: alg})
			lcNoErr(t, err)
			fromRaw, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: msg, SigningAlgorithm: alg})
			lcNoErr(t, err)
			otherSig, err := k.Sign(ctx, &kms.SignInput{KeyId: other, Message: msg, SigningAlgorithm: alg})
			lcNoErr(t, err)
			verify := func(sig, m []byte, dryRun bool) (*kms.VerifyOutput, error) {
				return k.Verify(ctx, &kms.VerifyInput{KeyId: id, Message: m, MessageType: kms.MessageTypeExternalMu, Signature: sig, SigningAlgorithm: alg, DryRun: dryRun})
			}
			for _, sig := range [][]byte{fromMu.Signature, fromRaw.Signature} {
				v, err := verify(sig, mu, false)
				lcNoErr(t, err)
				if !v.SignatureValid || v.SigningAlgorithm != alg || v.KeyId != lcKeyARN(lcAccount, lcRegion, id) {
					t.Fatalf("Verify = %+v", v)
				}
			}
			bad := slices.Clone(fromMu.Signature)
			bad[len(bad)-1] ^= 0x80 // the hint counts
			otherMu := mlDSAMu(raw, []byte("another message"))
			for name, c := range map[string]struct{ sig, mu []byte }{
				"changed signature":       {bad, mu},
				"changed c̃":              {append([]byte{fromMu.Signature[0] ^ 1}, fromMu.Signature[1:]...), mu},
				"other message":           {fromMu.Signature, otherMu},
				"signature cut short":     {fromMu.Signature[:len(fromMu.Signature)-1], mu},
				"another key's signature": {otherSig.Signature, mu},
			} {
				v, err := verify(c.sig, c.mu, false)
				if v != nil {
					t.Errorf("%s: Verify returned %+v", name, v)
				}
				t.Log(name)
				lcWantErr(t, err, kms.ErrKMSInvalidSignature, "")
				_, err = verify(c.sig, c.mu, true) // DryRun reports it too
				lcWantErr(t, err, kms.ErrKMSInvalidSignature, "")
			}
		})
	}
}

// TestGetPublicKey: every asymmetric key spec and usage; the fields of the
// response; the SPKI's algorithm.
func TestGetPublicKey(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	oid := func(s ...int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier(s) }
	ecOID, rsaOID, edOID := oid(1, 2, 840, 10045, 2, 1), oid(1, 2, 840, 113549, 1, 1, 1), oid(1, 3, 101, 112)
	rsaSign := []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"}
	tests := []struct {
		spec               kms.KeySpec
		usage              kms.KeyUsageType
		oid                asn1.ObjectIdentifier
		cmk                string
		enc, sign, agr, em []string
	}{
		{kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify, rsaOID, "RSA_2048", nil, rsaSign, nil, nil},
		{kms.KeySpecRsa3072, kms.KeyUsageTypeEncryptDecrypt, rsaOID, "RSA_3072", []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}, nil, nil, nil},
		{kms.KeySpecRsa4096, kms.KeyUsageTypeSignVerify, rsaOID, "RSA_4096", nil, rsaSign, nil, nil},
		{kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify, ecOID, "ECC_NIST_P256", nil, []string{"ECDSA_SHA_256"}, nil, nil},
		{kms.KeySpecEccNistP384, kms.KeyUsageTypeKeyAgreement, ecOID, "ECC_NIST_P384", nil, nil, []string{"ECDH"}, nil},
		{kms.KeySpecEccNistP521, kms.KeyUsageTypeSignVerify, ecOID, "ECC_NIST_P521", nil, []string{"ECDSA_SHA_512"}, nil, nil},
		{kms.KeySpecEccSecgP256k1, kms.KeyUsageTypeSignVerify, ecOID, "ECC_SECG_P256K1", nil, []string{"ECDSA_SHA_256"}, nil, nil},
		{kms.KeySpecEccNistEdwards25519, kms.KeyUsageTypeSignVerify, edOID, "", nil, []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}, nil, nil},
		{kms.KeySpecMlDsa44, kms.KeyUsageTypeSignVerify, oid(2, 16, 840, 1, 101, 3, 4, 3, 17), "", nil, []string{"ML_DSA_SHAKE_256"}, nil, nil},
		{kms.KeySpecMlDsa65, kms.KeyUsageTypeSignVerify, oid(2, 16, 840, 1, 101, 3, 4, 3, 18), "", nil, []string{"ML_DSA_SHAKE_256"}, nil, nil},
		{kms.KeySpecMlDsa87, kms.KeyUsageTypeSignVerify, oid(2, 16, 840, 1, 101, 3, 4, 3, 19), "", nil, []string{"ML_DSA_SHAKE_256"}, nil, nil},
		{kms.KeySpecMlKem512, kms.KeyUsageTypeEncapsulateDecapsulate, oid(2, 16, 840, 1, 101, 3, 4, 4, 1), "", nil, nil, nil, []string{"ML_KEM"}},
		{kms.KeySpecMlKem768, kms.KeyUsageTypeEncapsulateDecapsulate, oid(2, 16, 840, 1, 101, 3, 4, 4, 2), "", nil, nil, nil, []string{"ML_KEM"}},
		{kms.KeySpecMlKem1024, kms.KeyUsageTypeEncapsulateDecapsulate, oid(2, 16, 840, 1, 101, 3, 4, 4, 3), "", nil, nil, nil, []string{"ML_KEM"}},
	}
	strs := func(v ...[]string) [][]string { return v }
	for _, tt := range tests {
		t.Run(string(tt.spec)+"/"+string(tt.usage), func(t *testing.T) {
			md := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: tt.spec, KeyUsage: tt.usage})
			out, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
			lcNoErr(t, err)
			if out.KeyId != md.Arn || out.KeySpec != tt.spec || out.KeyUsage != tt.usage || string(out.CustomerMasterKeySpec) != tt.cmk {
				t.Errorf("KeyId %s KeySpec %s KeyUsage %s CustomerMasterKeySpec %q", out.KeyId, out.KeySpec, out.KeyUsage, out.CustomerMasterKeySpec)
			}
			got := strs(toStrings(out.EncryptionAlgorithms), toStrings(out.SigningAlgorithms), toStrings(out.KeyAgreementAlgorithms), toStrings(out.EncapsulationAlgorithms))
			want := strs(tt.enc, tt.sign, tt.agr, tt.em)
			for i := range got {
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("algorithms %v, want %v", got, want)
				}
			}
			// The lists are DescribeKey's.
			if md.SigningAlgorithms != nil && !slices.Equal(md.SigningAlgorithms, out.SigningAlgorithms) {
				t.Errorf("SigningAlgorithms %v, DescribeKey's %v", out.SigningAlgorithms, md.SigningAlgorithms)
			}
			alg, _ := rawPublicKey(t, out.PublicKey)
			if !alg.Equal(tt.oid) {
				t.Errorf("SPKI algorithm %v, want %v", alg, tt.oid)
			}
			if tt.oid.Equal(rsaOID) || (tt.oid.Equal(ecOID) && tt.spec != kms.KeySpecEccSecgP256k1) || tt.oid.Equal(edOID) {
				if _, err := x509.ParsePKIXPublicKey(out.PublicKey); err != nil {
					t.Errorf("x509.ParsePKIXPublicKey: %v", err)
				}
			}
			// The caller's copy is its own.
			clear(out.PublicKey)
			out.SigningAlgorithms = append(out.SigningAlgorithms[:0:0], "X")
			again, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.Arn})
			lcNoErr(t, err)
			if bytes.Equal(again.PublicKey, out.PublicKey) {
				t.Error("clearing the returned PublicKey changed the key's")
			}
		})
	}
}

func toStrings[T ~string](v []T) []string {
	var out []string
	for _, x := range v {
		out = append(out, string(x))
	}
	return out
}

// TestGetPublicKeyErrors: symmetric and HMAC keys have no public key
// (UnsupportedOperationException, in GetPublicKey's error list); the key
// states; another account's key by ARN ("Cross-account use: Yes").
func TestGetPublicKeyErrors(t *testing.T) {
	a, b, _, _, _ := lcShared(t)
	ctx := context.Background()
	sym := lcCreate(t, a, &kms.CreateKeyInput{}).KeyId
	hmac := lcCreate(t, a, &kms.CreateKeyInput{KeySpec: kms.KeySpecHmac384, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}).KeyId
	signer := lcCreate(t, a, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
	lcAlias(t, a, "alias/pub", signer.KeyId)
	arn := func(id string) string { return lcKeyARN(lcAccount, lcRegion, id) }
	_, err := a.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sym})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, arn(sym)+" key spec SYMMETRIC_DEFAULT has no public key: GetPublicKey supports only asymmetric KMS keys.")
	_, err = a.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: hmac})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, arn(hmac)+" key spec HMAC_384 has no public key: GetPublicKey supports only asymmetric KMS keys.")
	_, err = a.GetPublicKey(ctx, &kms.GetPublicKeyInput{})
	lcWantErr(t, err, kms.ErrValidation, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	_, err = a.GetPublicKey(ctx, nil)
	lcWantCode(t, err, kms.ErrValidation, "keyId")
	_, err = a.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: "arn:aws:kms:us-east-1:111122223333"})
	lcWantCode(t, err, kms.ErrInvalidArn)
	_, err = a.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signer.KeyId, GrantTokens: []string{"token"}})
	lcWantCode(t, err, kms.ErrInvalidGrantToken)
	out, err := a.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: "alias/pub"})
	lcNoErr(t, err)
	if out.KeyId != signer.Arn {
		t.Errorf("KeyId %s", out.KeyId)
	}

	t.Run("another account's key by ARN", func(t *testing.T) {
		caller := kms.WithCaller(ctx, "arn:aws:iam::111122223333:user/Bob")
		for _, id := range []string{signer.Arn, lcAliasARN(lcAccount, lcRegion, "alias/pub")} {
			got, err := b.GetPublicKey(caller, &kms.GetPublicKeyInput{KeyId: id})
			lcNoErr(t, err)
			if got.KeyId != signer.Arn || !bytes.Equal(got.PublicKey, out.PublicKey) {
				t.Errorf("GetPublicKey(%s) = %s", id, got.KeyId)
			}
		}
		// The other account's caller is not allowed by the default key policy.
		_, err := b.GetPublicKey(kms.WithCaller(ctx, "arn:aws:iam::444455556666:root"), &kms.GetPublicKeyInput{KeyId: signer.Arn})
		lcWantCode(t, err, kms.ErrAccessDenied, "kms:GetPublicKey")
		// A bare key id names the handle's own account.
		_, err = b.GetPublicKey(caller, &kms.GetPublicKeyInput{KeyId: signer.KeyId})
		lcWantErr(t, err, kms.ErrNotFound, "Key '"+lcKeyARN(lcOtherAccount, lcRegion, signer.KeyId)+"' does not exist")
		// Sign and Verify are cross-account too.
		s, err := b.Sign(caller, &kms.SignInput{KeyId: signer.Arn, Message: []byte("m"), SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
		lcNoErr(t, err)
		_, err = b.Verify(caller, &kms.VerifyInput{KeyId: signer.Arn, Message: []byte("m"), Signature: s.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
		lcNoErr(t, err)
	})

	t.Run("key states", func(t *testing.T) {
		_, err := a.DisableKey(ctx, &kms.DisableKeyInput{KeyId: signer.KeyId})
		lcNoErr(t, err)
		_, err = a.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signer.KeyId})
		lcWantErr(t, err, kms.ErrDisabled, signer.Arn+" is disabled.")
		_, err = a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: signer.KeyId, PendingWindowInDays: 7})
		lcNoErr(t, err)
		_, err = a.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signer.KeyId})
		lcWantErr(t, err, kms.ErrKMSInvalidState, signer.Arn+" is pending deletion.")
	})
}

// --- Interoperability through the handle --------------------------------

// TestOpenSSLVerifiesSign: openssl verifies Sign's output, RAW and DIGEST,
// with the SPKI from GetPublicKey (OpenSSL 3.0 has no Ed25519ph and no
// ML-DSA: ML-DSA is checked against circl below; Ed25519ph against the
// standard library in TestSignDigestNotHashedAgain). The other direction
// (openssl signs, we verify) would need the private key, which never
// leaves the handle.
func TestOpenSSLVerifiesSign(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (scripts/test.sh installs it)")
	}
	k, _ := kmstest.New(t)
	ctx := context.Background()
	msg := []byte("a message for openssl to verify")
	keys := map[kms.KeySpec]string{}
	tests := []struct {
		spec kms.KeySpec
		alg  kms.SigningAlgorithmSpec
		md   string
	}{
		{kms.KeySpecEccNistP256, kms.SigningAlgorithmSpecEcdsaSha256, "sha256"},
		{kms.KeySpecEccNistP384, kms.SigningAlgorithmSpecEcdsaSha384, "sha384"},
		{kms.KeySpecEccNistP521, kms.SigningAlgorithmSpecEcdsaSha512, "sha512"},
		{kms.KeySpecEccSecgP256k1, kms.SigningAlgorithmSpecEcdsaSha256, "sha256"},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPssSha256, "sha256"},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPssSha384, "sha384"},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPssSha512, "sha512"},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPkcs1V15Sha256, "sha256"},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPkcs1V15Sha384, "sha384"},
		{kms.KeySpecRsa2048, kms.SigningAlgorithmSpecRsassaPkcs1V15Sha512, "sha512"},
		{kms.KeySpecEccNistEdwards25519, kms.SigningAlgorithmSpecEd25519Sha512, ""},
	}
	for _, tc := range tests {
		mts := []kms.MessageType{kms.MessageTypeRaw, kms.MessageTypeDigest}
		if tc.md == "" {
			mts = mts[:1]
		}
		for _, mt := range mts {
			t.Run(string(tc.spec)+"/"+string(tc.alg)+"/"+string(mt), func(t *testing.T) {
				id, ok := keys[tc.spec]
				if !ok {
					id = lcCreate(t, k, &kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
					keys[tc.spec] = id
				}
				in := msg
				if mt == kms.MessageTypeDigest {
					in = digest(hashOf(tc.alg), msg)
				}
				out, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: in, MessageType: mt, SigningAlgorithm: tc.alg})
				lcNoErr(t, err)
				pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
				lcNoErr(t, err)
				dir := t.TempDir()
				other := slices.Clone(in)
				other[0] ^= 1
				for name, b := range map[string][]byte{"pub.der": pub.PublicKey, "in": in, "other": other, "sig": out.Signature} {
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				args := []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.der", "-keyform", "DER", "-sigfile", "sig"}
				if mt == kms.MessageTypeRaw {
					args = append(args, "-rawin")
					if tc.md != "" {
						args = append(args, "-digest", tc.md)
					}
				} else {
					args = append(args, "-pkeyopt", "digest:"+tc.md)
				}
				if strings.Contains(string(tc.alg), "PSS") {
					// KMS's PSS salt is as long as the hash (Developer Guide,
					// "Key spec reference": "a 256-bit salt" for SHA-256).
					args = append(args, "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest")
				}
				for _, f := range []struct {
					file string
					ok   bool
				}{{"in", true}, {"other", false}} {
					cmd := exec.Command(bin, append(slices.Clone(args), "-in", f.file)...)
					cmd.Dir = dir
					b, err := cmd.CombinedOutput()
					if (err == nil) != f.ok {
						t.Errorf("openssl %s -in %s: %v, want success %t\n%s", strings.Join(args, " "), f.file, err, f.ok, b)
					}
				}
			})
		}
	}
}

// TestCirclVerifiesMLDSASign: circl's ML-DSA (a second implementation)
// verifies Sign's output, RAW and EXTERNAL_MU, with the key parsed from
// GetPublicKey's SPKI.
func TestCirclVerifiesMLDSASign(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	verifiers := map[kms.KeySpec]func(pk, msg, sig []byte) (bool, error){
		kms.KeySpecMlDsa44: func(pk, msg, sig []byte) (bool, error) {
			var p mldsa44.PublicKey
			if err := p.UnmarshalBinary(pk); err != nil {
				return false, err
			}
			return mldsa44.Verify(&p, msg, nil, sig), nil
		},
		kms.KeySpecMlDsa65: func(pk, msg, sig []byte) (bool, error) {
			var p mldsa65.PublicKey
			if err := p.UnmarshalBinary(pk); err != nil {
				return false, err
			}
			return mldsa65.Verify(&p, msg, nil, sig), nil
		},
		kms.KeySpecMlDsa87: func(pk, msg, sig []byte) (bool, error) {
			var p mldsa87.PublicKey
			if err := p.UnmarshalBinary(pk); err != nil {
				return false, err
			}
			return mldsa87.Verify(&p, msg, nil, sig), nil
		},
	}
	msg := []byte("a message for circl to verify")
	for spec, verify := range verifiers {
		t.Run(string(spec), func(t *testing.T) {
			id := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
			pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
			lcNoErr(t, err)
			_, raw := rawPublicKey(t, pub.PublicKey)
			for _, in := range []kms.SignInput{
				{KeyId: id, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecMlDsaShake256},
				{KeyId: id, Message: mlDSAMu(raw, msg), MessageType: kms.MessageTypeExternalMu, SigningAlgorithm: kms.SigningAlgorithmSpecMlDsaShake256},
			} {
				out, err := k.Sign(ctx, &in)
				lcNoErr(t, err)
				ok, err := verify(raw, msg, out.Signature)
				lcNoErr(t, err)
				if !ok {
					t.Errorf("circl does not verify the %s signature", in.MessageType)
				}
				if ok, _ := verify(raw, []byte("another message"), out.Signature); ok {
					t.Error("circl verifies the signature of another message")
				}
			}
		})
	}
}
