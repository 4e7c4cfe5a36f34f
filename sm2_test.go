package kms_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// SM2 through the handle, in a China Region (partition aws-cn), the only
// Regions where AWS offers it. These tests are named TestSM2* so that none
// of scripts/test.sh's GODEBUG=fips140=only runs picks them up: gmsm is not
// a FIPS 140-3 module. The offline checks use gmsm's high-level API with
// the public key from GetPublicKey; package crypto's tests check the
// primitives against the standard's parameters and openssl.

func chinaHandle(t *testing.T) *kms.KMS {
	t.Helper()
	k, _ := kmstest.NewWithOptions(t, kms.Options{Region: "cn-north-1", Partition: "aws-cn"})
	return k
}

func sm2Key(t *testing.T, k *kms.KMS, usage kms.KeyUsageType) *kms.KeyMetadata {
	t.Helper()
	out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecSm2, KeyUsage: usage})
	if err != nil {
		t.Fatalf("CreateKey(SM2, %s): %v", usage, err)
	}
	return out.KeyMetadata
}

func sm2Public(t *testing.T, k *kms.KMS, keyID string) *ecdsa.PublicKey {
	t.Helper()
	out, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: keyID})
	if err != nil {
		t.Fatal(err)
	}
	if out.KeySpec != kms.KeySpecSm2 {
		t.Fatalf("GetPublicKey KeySpec = %s", out.KeySpec)
	}
	pub, err := smx509.ParsePKIXPublicKey(out.PublicKey)
	if err != nil || !sm2.IsSM2PublicKey(pub) {
		t.Fatalf("GetPublicKey's key does not parse as SM2: %T, %v", pub, err)
	}
	return pub.(*ecdsa.PublicKey)
}

func TestSM2CreateKey(t *testing.T) {
	k := chinaHandle(t)
	tests := []struct {
		usage            kms.KeyUsageType
		enc, sign, agree string
		wantErr          bool
	}{
		{usage: kms.KeyUsageTypeEncryptDecrypt, enc: "SM2PKE"},
		{usage: kms.KeyUsageTypeSignVerify, sign: "SM2DSA"},
		{usage: kms.KeyUsageTypeKeyAgreement, agree: "ECDH"},
		{usage: kms.KeyUsageTypeGenerateVerifyMac, wantErr: true},
		{usage: kms.KeyUsageTypeEncapsulateDecapsulate, wantErr: true},
	}
	join := func(v []string) string { return strings.Join(v, ",") }
	for _, tc := range tests {
		t.Run(string(tc.usage), func(t *testing.T) {
			out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecSm2, KeyUsage: tc.usage})
			if tc.wantErr {
				wantExact(t, err, kms.ErrValidation, "KeyUsage "+string(tc.usage)+" is not compatible with KeySpec SM2")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			md := out.KeyMetadata
			if !strings.HasPrefix(md.Arn, "arn:aws-cn:kms:cn-north-1:") {
				t.Errorf("Arn = %s", md.Arn)
			}
			var enc, sign, agree []string
			for _, a := range md.EncryptionAlgorithms {
				enc = append(enc, string(a))
			}
			for _, a := range md.SigningAlgorithms {
				sign = append(sign, string(a))
			}
			for _, a := range md.KeyAgreementAlgorithms {
				agree = append(agree, string(a))
			}
			if join(enc) != tc.enc || join(sign) != tc.sign || join(agree) != tc.agree || md.KeySpec != kms.KeySpecSm2 || md.CustomerMasterKeySpec != kms.CustomerMasterKeySpecSm2 {
				t.Errorf("metadata: enc %v sign %v agree %v spec %s cmk %s", enc, sign, agree, md.KeySpec, md.CustomerMasterKeySpec)
			}
			// The key ARN resolves in its own partition.
			d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.Arn})
			if err != nil || d.KeyMetadata.KeyId != md.KeyId {
				t.Errorf("DescribeKey(%s): %v", md.Arn, err)
			}
			pub := sm2Public(t, k, md.Arn)
			if pub.X.Sign() == 0 {
				t.Error("zero public key")
			}
		})
	}
	// The deprecated CustomerMasterKeySpec member names SM2 too.
	if _, err := k.CreateKey(ctx, &kms.CreateKeyInput{CustomerMasterKeySpec: kms.CustomerMasterKeySpecSm2, KeyUsage: kms.KeyUsageTypeSignVerify}); err != nil {
		t.Errorf("CustomerMasterKeySpec SM2: %v", err)
	}
	// Outside China Regions SM2 stays refused.
	global, _ := kmstest.New(t)
	for _, usage := range []kms.KeyUsageType{kms.KeyUsageTypeEncryptDecrypt, kms.KeyUsageTypeSignVerify, kms.KeyUsageTypeKeyAgreement} {
		_, err := global.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecSm2, KeyUsage: usage})
		wantExact(t, err, kms.ErrValidation, "KeySpec SM2 is supported only in China Regions")
	}
}

func TestSM2SignVerify(t *testing.T) {
	k := chinaHandle(t)
	md := sm2Key(t, k, kms.KeyUsageTypeSignVerify)
	pub := sm2Public(t, k, md.KeyId)
	msg := []byte("a message for SM2DSA")
	// e = SM3(Z_A || M) with the default distinguishing ID, computed
	// offline as AWS's SM2OfflineOperationHelper.calculateSM2Digest does.
	e, err := sm2.CalculateSM2Hash(pub, msg, []byte("1234567812345678"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		m    []byte
		mt   kms.MessageType
	}{
		{"RAW", msg, kms.MessageTypeRaw},
		{"default RAW", msg, ""},
		{"DIGEST", e, kms.MessageTypeDigest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: tc.m, MessageType: tc.mt, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa})
			if err != nil {
				t.Fatal(err)
			}
			if out.SigningAlgorithm != kms.SigningAlgorithmSpecSm2dsa || out.KeyId != md.Arn {
				t.Errorf("Sign output %+v", out)
			}
			// Offline, as AWS documents: the message and the default ID.
			if !sm2.VerifyASN1WithSM2(pub, nil, msg, out.Signature) {
				t.Error("offline SM2 verification with the default ID fails")
			}
			for _, v := range []struct {
				m  []byte
				mt kms.MessageType
			}{{msg, kms.MessageTypeRaw}, {e, kms.MessageTypeDigest}} {
				res, err := k.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: v.m, MessageType: v.mt, Signature: out.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa})
				if err != nil || !res.SignatureValid {
					t.Errorf("Verify(%s) = %+v, %v", v.mt, res, err)
				}
			}
			_, err = k.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: []byte("another"), Signature: out.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa})
			if !errors.Is(err, kms.ErrKMSInvalidSignature) {
				t.Errorf("Verify of another message: %v", err)
			}
		})
	}
	// A signature made offline with the default ID verifies in KMS.
	t.Run("offline signature", func(t *testing.T) {
		priv, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := priv.Sign(rand.Reader, msg, sm2.DefaultSM2SignerOpts)
		if err != nil {
			t.Fatal(err)
		}
		if !sm2.VerifyASN1WithSM2(&priv.PublicKey, nil, msg, sig) {
			t.Fatal("gmsm self-check")
		}
		_, err = k.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: msg, Signature: sig, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa})
		if !errors.Is(err, kms.ErrKMSInvalidSignature) {
			t.Errorf("a signature of another key: %v", err)
		}
	})
	errs := []struct {
		name string
		in   kms.SignInput
		code error
		msg  string
	}{
		{"ECDSA on SM2", kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256}, kms.ErrInvalidKeyUsage, "Algorithm ECDSA_SHA_256 is incompatible with key spec SM2."},
		{"short digest", kms.SignInput{KeyId: md.KeyId, Message: e[:31], MessageType: kms.MessageTypeDigest, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa}, kms.ErrValidation, "Digest is invalid length for algorithm SM2DSA."},
		{"SHA-384-long digest", kms.SignInput{KeyId: md.KeyId, Message: make([]byte, 48), MessageType: kms.MessageTypeDigest, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa}, kms.ErrValidation, "Digest is invalid length for algorithm SM2DSA."},
		{"EXTERNAL_MU", kms.SignInput{KeyId: md.KeyId, Message: make([]byte, 64), MessageType: kms.MessageTypeExternalMu, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa}, kms.ErrValidation, "MessageType EXTERNAL_MU is not valid for signing algorithm SM2DSA."},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.Sign(ctx, &tc.in)
			wantExact(t, err, tc.code, tc.msg)
		})
	}
	// SM2DSA on another spec, and an SM2 key of another usage.
	p256, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Sign(ctx, &kms.SignInput{KeyId: p256.KeyMetadata.KeyId, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa})
	wantExact(t, err, kms.ErrInvalidKeyUsage, "Algorithm SM2DSA is incompatible with key spec ECC_NIST_P256.")
	enc := sm2Key(t, k, kms.KeyUsageTypeEncryptDecrypt)
	if _, err := k.Sign(ctx, &kms.SignInput{KeyId: enc.KeyId, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecSm2dsa}); !errors.Is(err, kms.ErrInvalidKeyUsage) {
		t.Errorf("Sign with an ENCRYPT_DECRYPT SM2 key: %v", err)
	}
}

func TestSM2EncryptDecrypt(t *testing.T) {
	k := chinaHandle(t)
	md := sm2Key(t, k, kms.KeyUsageTypeEncryptDecrypt)
	pub := sm2Public(t, k, md.KeyId)
	sym, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	decrypt := func(ct []byte) ([]byte, error) {
		out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke})
		if err != nil {
			return nil, err
		}
		if out.EncryptionAlgorithm != kms.EncryptionAlgorithmSpecSm2pke || out.KeyId != md.Arn {
			t.Errorf("Decrypt output %+v", out)
		}
		return out.Plaintext, nil
	}
	for _, n := range []int{1, 200, 1024} {
		pt := bytes.Repeat([]byte{'p'}, n)
		out, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke})
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if got, err := decrypt(out.CiphertextBlob); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("%d bytes: Decrypt = %v", n, err)
		}
		// A ciphertext made offline in AWS's ASN.1 form with GetPublicKey's
		// key decrypts in KMS. Not for 1 byte: gmsm's EncryptASN1 itself
		// makes an undecryptable ciphertext about once in 256 calls there
		// (see crypto/sm2.go, which checks its own short ciphertexts), and
		// the test would fail on the offline encrypter's fault.
		if n < 8 {
			continue
		}
		offline, err := sm2.EncryptASN1(rand.Reader, pub, pt)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decrypt(offline); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("%d bytes: Decrypt of an offline ciphertext: %v", n, err)
		}
	}
	pt := []byte("re-encrypted")
	ct, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke})
	if err != nil {
		t.Fatal(err)
	}
	// ReEncrypt SM2 -> symmetric -> SM2.
	re, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: ct.CiphertextBlob, SourceKeyId: md.KeyId, SourceEncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke, DestinationKeyId: sym.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	back, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: re.CiphertextBlob, DestinationKeyId: md.KeyId, DestinationEncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decrypt(back.CiphertextBlob); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("after ReEncrypt: %q, %v", got, err)
	}

	tampered := bytes.Clone(ct.CiphertextBlob)
	tampered[len(tampered)-1] ^= 1
	_, err = decrypt(tampered)
	if !errors.Is(err, kms.ErrInvalidCiphertext) {
		t.Errorf("tampered: %v", err)
	}
	raw, _ := sm2.Encrypt(rand.Reader, pub, pt, nil) // raw C1C3C2, not AWS's form
	if _, err := decrypt(raw); !errors.Is(err, kms.ErrInvalidCiphertext) {
		t.Errorf("raw C1C3C2: %v", err)
	}
	errs := []struct {
		name string
		in   kms.EncryptInput
		code error
		msg  string
	}{
		{"too large", kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 1025), EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke}, kms.ErrValidation, "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes."},
		{"no algorithm", kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt}, kms.ErrInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec SM2."},
		{"OAEP", kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256}, kms.ErrInvalidKeyUsage, "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SM2."},
		{"encryption context", kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke, EncryptionContext: map[string]string{"a": "b"}}, kms.ErrValidation, "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."},
		{"SM2PKE on a symmetric key", kms.EncryptInput{KeyId: sym.KeyMetadata.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke}, kms.ErrInvalidKeyUsage, "Algorithm SM2PKE is incompatible with key spec SYMMETRIC_DEFAULT."},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.Encrypt(ctx, &tc.in)
			wantExact(t, err, tc.code, tc.msg)
		})
	}
	// Decrypt without KeyId, or without the algorithm (then it is taken
	// for a symmetric blob).
	_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke})
	wantExact(t, err, kms.ErrValidation, "KeyId must not be null")
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct.CiphertextBlob, KeyId: md.KeyId}); !errors.Is(err, kms.ErrInvalidCiphertext) {
		t.Errorf("Decrypt without the algorithm: %v", err)
	}
	// A SIGN_VERIFY SM2 key does not encrypt.
	sig := sm2Key(t, k, kms.KeyUsageTypeSignVerify)
	if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: sig.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke}); !errors.Is(err, kms.ErrInvalidKeyUsage) {
		t.Errorf("Encrypt with a SIGN_VERIFY SM2 key: %v", err)
	}
}

func TestSM2DeriveSharedSecret(t *testing.T) {
	k := chinaHandle(t)
	a := sm2Key(t, k, kms.KeyUsageTypeKeyAgreement)
	b := sm2Key(t, k, kms.KeyUsageTypeKeyAgreement)
	spki := func(id string) []byte {
		out, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
		if err != nil {
			t.Fatal(err)
		}
		return out.PublicKey
	}
	derive := func(id string, peer []byte) ([]byte, error) {
		out, err := k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: id, PublicKey: peer, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh})
		if err != nil {
			return nil, err
		}
		return out.SharedSecret, nil
	}
	ab, err := derive(a.KeyId, spki(b.KeyId))
	if err != nil {
		t.Fatal(err)
	}
	ba, err := derive(b.KeyId, spki(a.KeyId))
	if err != nil {
		t.Fatal(err)
	}
	if len(ab) != 32 || !bytes.Equal(ab, ba) {
		t.Fatalf("both sides differ: %x %x", ab, ba)
	}
	// An offline peer: gmsm's ECDH on the SM2 curve with KMS's public key.
	peer, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	peerSPKI, err := smx509.MarshalPKIXPublicKey(&peer.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := derive(a.KeyId, peerSPKI)
	if err != nil {
		t.Fatal(err)
	}
	peerDH, err := peer.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	kmsDH, err := sm2.PublicKeyToECDH(sm2Public(t, k, a.KeyId))
	if err != nil {
		t.Fatal(err)
	}
	want, err := peerDH.ECDH(kmsDH)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("offline peer: KMS %x, peer %x (%v)", got, want, err)
	}
	// A peer key on another curve is a ValidationException.
	p256, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeKeyAgreement})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := derive(a.KeyId, spki(p256.KeyMetadata.KeyId)); !errors.Is(err, kms.ErrValidation) {
		t.Errorf("P-256 peer for an SM2 key: %v", err)
	}
	if _, err := derive(p256.KeyMetadata.KeyId, spki(a.KeyId)); !errors.Is(err, kms.ErrValidation) {
		t.Errorf("SM2 peer for a P-256 key: %v", err)
	}
	// An SM2 key of another usage.
	sig := sm2Key(t, k, kms.KeyUsageTypeSignVerify)
	if _, err := derive(sig.KeyId, spki(b.KeyId)); !errors.Is(err, kms.ErrInvalidKeyUsage) {
		t.Errorf("SIGN_VERIFY SM2 key: %v", err)
	}
}

func TestSM2GenerateDataKeyPair(t *testing.T) {
	k := chinaHandle(t)
	sym, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := sym.KeyMetadata.KeyId
	check := func(t *testing.T, pub, priv []byte) {
		t.Helper()
		key, err := smx509.ParsePKCS8PrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		sk, ok := key.(*sm2.PrivateKey)
		if !ok {
			t.Fatalf("PKCS #8 holds a %T", key)
		}
		want, err := smx509.MarshalPKIXPublicKey(&sk.PublicKey)
		if err != nil || !bytes.Equal(want, pub) {
			t.Fatalf("PublicKey is not the private key's: %v", err)
		}
	}
	t.Run("GenerateDataKeyPair", func(t *testing.T) {
		out, err := k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: kms.DataKeyPairSpecSm2})
		if err != nil {
			t.Fatal(err)
		}
		if out.KeyPairSpec != kms.DataKeyPairSpecSm2 {
			t.Errorf("KeyPairSpec = %s", out.KeyPairSpec)
		}
		check(t, out.PublicKey, out.PrivateKeyPlaintext)
		d, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob})
		if err != nil || !bytes.Equal(d.Plaintext, out.PrivateKeyPlaintext) {
			t.Errorf("the encrypted private key decrypts to another: %v", err)
		}
	})
	t.Run("GenerateDataKeyPairWithoutPlaintext", func(t *testing.T) {
		out, err := k.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: id, KeyPairSpec: kms.DataKeyPairSpecSm2})
		if err != nil {
			t.Fatal(err)
		}
		d, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob})
		if err != nil {
			t.Fatal(err)
		}
		check(t, out.PublicKey, d.Plaintext)
	})
	// An SM2 KMS key cannot protect a data key pair; outside China Regions
	// the spec is refused.
	enc := sm2Key(t, k, kms.KeyUsageTypeEncryptDecrypt)
	_, err = k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: enc.KeyId, KeyPairSpec: kms.DataKeyPairSpecSm2})
	wantExact(t, err, kms.ErrInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec SM2.")
	global, _ := kmstest.New(t)
	g, err := global.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = global.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: g.KeyMetadata.KeyId, KeyPairSpec: kms.DataKeyPairSpecSm2})
	wantExact(t, err, kms.ErrValidation, "KeyPairSpec SM2 is supported only in China Regions")
}

// An RSA ciphertext of the empty message (anyone with the public key can
// make one) re-encrypted to an SM2 key: SM2PKE has no encryption of the
// empty plaintext, so ReEncrypt refuses it as a bad request, with DryRun
// too, and never fails as an internal error.
func TestSM2ReEncryptEmptyPlaintext(t *testing.T) {
	ctx := context.Background()
	k := chinaHandle(t)
	src, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt})
	lcNoErr(t, err)
	dst := sm2Key(t, k, kms.KeyUsageTypeEncryptDecrypt)
	pk, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: src.KeyMetadata.KeyId})
	lcNoErr(t, err)
	pub, err := x509.ParsePKIXPublicKey(pk.PublicKey)
	lcNoErr(t, err)
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), nil, nil)
	lcNoErr(t, err)
	for _, dryRun := range []bool{false, true} {
		_, err = k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: ct, SourceKeyId: src.KeyMetadata.KeyId,
			SourceEncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256,
			DestinationKeyId:          dst.KeyId, DestinationEncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke, DryRun: dryRun})
		if !errors.Is(err, kms.ErrValidation) {
			t.Fatalf("ReEncrypt (DryRun %v) of the empty plaintext to SM2PKE: %v, want ValidationException", dryRun, err)
		}
	}
}
