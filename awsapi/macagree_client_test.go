package awsapi_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
)

// GenerateMac, VerifyMac, DeriveSharedSecret, Encapsulate and Decapsulate
// through the SDK, as client_test.go tests the other operations.
func init() {
	operationTests["GenerateMac"] = testGenerateMac
	operationTests["VerifyMac"] = testVerifyMac
	operationTests["DeriveSharedSecret"] = testDeriveSharedSecret
	operationTests["Encapsulate"] = testEncapsulate
	operationTests["Decapsulate"] = testDecapsulate
}

// sdkRefuses makes a call through the SDK that the handle refuses with
// code and an empty message, and checks that the same call made directly
// fails alike, that the SDK's error is typed where the SDK has a type
// (isTyped) and that the status is 400. call would compare messages, which
// the SDK fills in ("UnknownError") when AWS sends none for an error it
// has no type for.
func sdkRefuses(t *testing.T, sdkErr, directErr error, code string, isTyped func(error) bool) {
	t.Helper()
	var ke *kms.Error
	if !errors.As(directErr, &ke) || string(ke.Code) != code || ke.Message != "" {
		t.Fatalf("direct call: %v, want %s with no message", directErr, code)
	}
	wantCode(t, sdkErr, code)
	if isTyped != nil && !isTyped(sdkErr) {
		t.Errorf("%v (%T) is not the SDK's type for %s", sdkErr, sdkErr, code)
	}
	var re *awshttp.ResponseError
	if !errors.As(sdkErr, &re) || re.HTTPStatusCode() != 400 {
		t.Errorf("%v: want HTTP status 400", sdkErr)
	}
}

func testGenerateMac(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{KeySpec: kms.KeySpecHmac384, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}).KeyId
	msg := []byte("a message to MAC")
	out, _, err := call(e, e.c.GenerateMac, e.k.GenerateMac, &awskms.GenerateMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha384})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Mac) != 48 {
		t.Errorf("%d-byte MAC", len(out.Mac))
	}
	// Another algorithm than the key spec's: AWS's InvalidKeyUsageException.
	_, _, err = call(e, e.c.GenerateMac, e.k.GenerateMac, &awskms.GenerateMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
	wantCode(t, err, "InvalidKeyUsageException")
	_, _, err = call(e, e.c.GenerateMac, e.k.GenerateMac, &awskms.GenerateMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha384, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.GenerateMac, e.k.GenerateMac, &awskms.GenerateMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha384, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}

func testVerifyMac(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}).KeyId
	msg := []byte("a message to MAC")
	gen, err := e.k.GenerateMac(e.ctx, &kms.GenerateMacInput{KeyId: id, Message: msg, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
	if err != nil {
		t.Fatal(err)
	}
	in := &awskms.VerifyMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Mac: gen.Mac}
	out, _, err := call(e, e.c.VerifyMac, e.k.VerifyMac, in)
	if err != nil {
		t.Fatal(err)
	}
	if !out.MacValid {
		t.Error("MacValid false")
	}
	// A wrong MAC: KMSInvalidMacException, with no message.
	bad := bytes.Clone(gen.Mac)
	bad[0] ^= 1
	_, err = e.c.VerifyMac(e.ctx, &awskms.VerifyMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Mac: bad})
	_, derr := e.k.VerifyMac(e.ctx, &kms.VerifyMacInput{KeyId: id, Message: msg, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256, Mac: bad})
	sdkRefuses(t, err, derr, "KMSInvalidMacException", isA[*types.KMSInvalidMacException])
	var typed *types.KMSInvalidMacException
	if errors.As(err, &typed) && typed.ErrorMessage() != "" {
		t.Errorf("message %q, want none", typed.ErrorMessage())
	}
	_, _, err = call(e, e.c.VerifyMac, e.k.VerifyMac, &awskms.VerifyMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Mac: gen.Mac, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.VerifyMac, e.k.VerifyMac, &awskms.VerifyMacInput{KeyId: aws.String(id), Message: msg, MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Mac: gen.Mac, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}

func testDeriveSharedSecret(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeKeyAgreement}).KeyId
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	in := &awskms.DeriveSharedSecretInput{KeyId: aws.String(id), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: spki}
	out, _, err := call(e, e.c.DeriveSharedSecret, e.k.DeriveSharedSecret, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SharedSecret) != 32 || out.KeyOrigin != types.OriginTypeAwsKms {
		t.Errorf("%d-byte secret, KeyOrigin %s", len(out.SharedSecret), out.KeyOrigin)
	}
	// A peer key that is no key: ValidationException with no message.
	_, err = e.c.DeriveSharedSecret(e.ctx, &awskms.DeriveSharedSecretInput{KeyId: aws.String(id), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: []byte("InvalidPublicKey")})
	_, derr := e.k.DeriveSharedSecret(e.ctx, &kms.DeriveSharedSecretInput{KeyId: id, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: []byte("InvalidPublicKey")})
	sdkRefuses(t, err, derr, "ValidationException", nil)
	_, _, err = call(e, e.c.DeriveSharedSecret, e.k.DeriveSharedSecret, &awskms.DeriveSharedSecretInput{KeyId: aws.String(id), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: spki, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.DeriveSharedSecret, e.k.DeriveSharedSecret, &awskms.DeriveSharedSecretInput{KeyId: aws.String(id), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: spki, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	_, _, err = call(e, e.c.DeriveSharedSecret, e.k.DeriveSharedSecret, &awskms.DeriveSharedSecretInput{KeyId: aws.String(id), KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: spki, Recipient: recipient})
	wantCode(t, err, "ValidationException")
	e.allMembersSent()
}

func testEncapsulate(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{KeySpec: kms.KeySpecMlKem1024, KeyUsage: kms.KeyUsageTypeEncapsulateDecapsulate}).KeyId
	in := &awskms.EncapsulateInput{KeyId: aws.String(id), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem}
	out, _, err := call(e, e.c.Encapsulate, e.k.Encapsulate, in, opt{ignore: []string{"SharedSecret", "SharedSecretCiphertextBlob"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SharedSecret) != 32 || len(out.SharedSecretCiphertextBlob) != 1568 {
		t.Fatalf("%d-byte secret, %d-byte ciphertext", len(out.SharedSecret), len(out.SharedSecretCiphertextBlob))
	}
	dec, err := e.k.Decapsulate(e.ctx, &kms.DecapsulateInput{KeyId: id, SharedSecretCiphertextBlob: out.SharedSecretCiphertextBlob, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
	if err != nil || !bytes.Equal(dec.SharedSecret, out.SharedSecret) {
		t.Fatalf("Decapsulate of the SDK's ciphertext: %v", err)
	}
	_, _, err = call(e, e.c.Encapsulate, e.k.Encapsulate, &awskms.EncapsulateInput{KeyId: aws.String(id), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.Encapsulate, e.k.Encapsulate, &awskms.EncapsulateInput{KeyId: aws.String(id), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}

func testDecapsulate(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{KeySpec: kms.KeySpecMlKem512, KeyUsage: kms.KeyUsageTypeEncapsulateDecapsulate}).KeyId
	enc, err := e.k.Encapsulate(e.ctx, &kms.EncapsulateInput{KeyId: id, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
	if err != nil {
		t.Fatal(err)
	}
	in := &awskms.DecapsulateInput{KeyId: aws.String(id), SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem}
	out, _, err := call(e, e.c.Decapsulate, e.k.Decapsulate, in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.SharedSecret, enc.SharedSecret) {
		t.Errorf("secret %x, want %x", out.SharedSecret, enc.SharedSecret)
	}
	// A ciphertext of the wrong length: InvalidCiphertextException, with
	// no message.
	_, _, err = call(e, e.c.Decapsulate, e.k.Decapsulate, &awskms.DecapsulateInput{KeyId: aws.String(id), SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob[1:], EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	checkCode(t, err, "InvalidCiphertextException", "")
	_, _, err = call(e, e.c.Decapsulate, e.k.Decapsulate, &awskms.DecapsulateInput{KeyId: aws.String(id), SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.Decapsulate, e.k.Decapsulate, &awskms.DecapsulateInput{KeyId: aws.String(id), SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}
