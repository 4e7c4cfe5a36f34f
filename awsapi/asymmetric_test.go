package awsapi_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
)

// Sign, Verify and GetPublicKey through the SDK: every member reaches the
// handle, blobs survive base64, and the errors reach the SDK typed.

func (e *env) signingKey(spec kms.KeySpec) string {
	e.t.Helper()
	return e.key(&kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeSignVerify}).KeyId
}

func testSign(t *testing.T) {
	e := newEnv(t)
	id := e.signingKey(kms.KeySpecEccNistP256)
	msg := []byte("attack at dawn")
	out, _, err := call(e, e.c.Sign, e.k.Sign, &awskms.SignInput{KeyId: aws.String(id), Message: msg, MessageType: types.MessageTypeRaw,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}, opt{ignore: []string{"Signature"}})
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's signature verifies with the SDK's public key, offline.
	pub, err := e.c.GetPublicKey(e.ctx, &awskms.GetPublicKeyInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.ParsePKIXPublicKey(pub.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(pk.(*ecdsa.PublicKey), d[:], out.Signature) {
		t.Error("the signature does not verify offline")
	}
	_, _, err = call(e, e.c.Sign, e.k.Sign, &awskms.SignInput{KeyId: aws.String(id), Message: d[:], MessageType: types.MessageTypeDigest,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.Sign, e.k.Sign, &awskms.SignInput{KeyId: aws.String(id), Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	_, _, err = call(e, e.c.Sign, e.k.Sign, &awskms.SignInput{KeyId: aws.String(id), Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha384})
	wantCode(t, err, "InvalidKeyUsageException")
	e.allMembersSent()
}

func testVerify(t *testing.T) {
	e := newEnv(t)
	id := e.signingKey(kms.KeySpecEccNistP256)
	msg := []byte("attack at dawn")
	sig, err := e.k.Sign(e.ctx, &kms.SignInput{KeyId: id, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(msg)
	out, _, err := call(e, e.c.Verify, e.k.Verify, &awskms.VerifyInput{KeyId: aws.String(id), Message: d[:], MessageType: types.MessageTypeDigest,
		Signature: sig.Signature, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	if !out.SignatureValid {
		t.Error("SignatureValid false")
	}
	bad := append([]byte(nil), sig.Signature...)
	bad[len(bad)-1] ^= 1
	_, _, err = call(e, e.c.Verify, e.k.Verify, &awskms.VerifyInput{KeyId: aws.String(id), Message: msg, Signature: bad, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	wantCode(t, err, "KMSInvalidSignatureException")
	var invalid *types.KMSInvalidSignatureException
	if !errors.As(err, &invalid) {
		t.Errorf("%T is not *types.KMSInvalidSignatureException", err)
	}
	_, _, err = call(e, e.c.Verify, e.k.Verify, &awskms.VerifyInput{KeyId: aws.String(id), Message: msg, Signature: sig.Signature,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.Verify, e.k.Verify, &awskms.VerifyInput{KeyId: aws.String(id), Message: msg, Signature: sig.Signature,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}

func testGetPublicKey(t *testing.T) {
	e := newEnv(t)
	for _, in := range []*kms.CreateKeyInput{
		{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt},
		{KeySpec: kms.KeySpecEccNistP384, KeyUsage: kms.KeyUsageTypeKeyAgreement},
		{KeySpec: kms.KeySpecMlDsa44, KeyUsage: kms.KeyUsageTypeSignVerify},
		{KeySpec: kms.KeySpecMlKem768, KeyUsage: kms.KeyUsageTypeEncapsulateDecapsulate},
	} {
		id := e.key(in).KeyId
		out, _, err := call(e, e.c.GetPublicKey, e.k.GetPublicKey, &awskms.GetPublicKeyInput{KeyId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PublicKey) == 0 || string(out.KeySpec) != string(in.KeySpec) || string(out.KeyUsage) != string(in.KeyUsage) {
			t.Errorf("%s: %+v", in.KeySpec, out)
		}
	}
	id := e.key(nil).KeyId
	_, _, err := call(e, e.c.GetPublicKey, e.k.GetPublicKey, &awskms.GetPublicKeyInput{KeyId: aws.String(id)})
	wantCode(t, err, "UnsupportedOperationException")
	_, _, err = call(e, e.c.GetPublicKey, e.k.GetPublicKey, &awskms.GetPublicKeyInput{KeyId: aws.String(id), GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}
