package awsapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
)

// wrapFor wraps material for the key keyID with RSAES_OAEP_SHA_256 under
// a fresh wrapping key, returning the import token and the wrapped
// material.
func (e *env) wrapFor(keyID string, material []byte) (token, wrapped []byte) {
	e.t.Helper()
	p, err := e.k.GetParametersForImport(e.ctx, &kms.GetParametersForImportInput{KeyId: keyID, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048})
	if err != nil {
		e.t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	if err != nil {
		e.t.Fatal(err)
	}
	wrapped, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.ImportToken, wrapped
}

// externalKey creates a symmetric key of Origin EXTERNAL and imports 32
// random bytes into it; it returns the key and the material.
func (e *env) externalKey() (*kms.KeyMetadata, []byte, *kms.ImportKeyMaterialOutput) {
	e.t.Helper()
	md := e.key(&kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
	material := make([]byte, 32)
	rand.Read(material)
	token, wrapped := e.wrapFor(md.KeyId, material)
	out, err := e.k.ImportKeyMaterial(e.ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: kms.ExpirationModelTypeKeyMaterialDoesNotExpire})
	if err != nil {
		e.t.Fatal(err)
	}
	return md, material, out
}

func testGetParametersForImport(t *testing.T) {
	e := newEnv(t)
	md := e.key(&kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
	in := &awskms.GetParametersForImportInput{KeyId: aws.String(md.KeyId), WrappingAlgorithm: types.AlgorithmSpecRsaAesKeyWrapSha256, WrappingKeySpec: types.WrappingKeySpecRsa3072}
	out, _, err := call(e, e.c.GetParametersForImport, e.k.GetParametersForImport, in, opt{ignore: []string{"ImportToken", "PublicKey"}})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(out.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if rk, ok := pub.(*rsa.PublicKey); !ok || rk.N.BitLen() != 3072 {
		t.Errorf("PublicKey is a %T, want a 3072-bit RSA key", pub)
	}
	if *out.KeyId != md.Arn || !out.ParametersValidTo.Equal(e.clock.Now().Add(24*time.Hour).Truncate(time.Millisecond)) || len(out.ImportToken) == 0 {
		t.Errorf("KeyId %s, ParametersValidTo %v", *out.KeyId, out.ParametersValidTo)
	}
	// A key whose material is AWS KMS's.
	_, _, err = call(e, e.c.GetParametersForImport, e.k.GetParametersForImport, &awskms.GetParametersForImportInput{KeyId: aws.String(e.key(nil).KeyId), WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	wantCode(t, err, "UnsupportedOperationException")
	e.allMembersSent()
}

func testImportKeyMaterial(t *testing.T) {
	e := newEnv(t)
	md, material, first := e.externalKey()
	e.must(e.k.DeleteImportedKeyMaterial(e.ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId}))
	token, wrapped := e.wrapFor(md.KeyId, material)
	validTo := e.clock.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	in := &awskms.ImportKeyMaterialInput{
		KeyId: aws.String(md.KeyId), ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: types.ExpirationModelTypeKeyMaterialExpires, ValidTo: aws.Time(validTo),
		ImportType: types.ImportTypeExistingKeyMaterial, KeyMaterialId: aws.String(first.KeyMaterialId),
		KeyMaterialDescription: aws.String("restored material"),
	}
	out, _, err := call(e, e.c.ImportKeyMaterial, e.k.ImportKeyMaterial, in)
	if err != nil {
		t.Fatal(err)
	}
	if *out.KeyId != md.Arn || *out.KeyMaterialId != first.KeyMaterialId {
		t.Errorf("KeyId %s, KeyMaterialId %s, want %s", *out.KeyId, *out.KeyMaterialId, first.KeyMaterialId)
	}
	got := e.describe(md.KeyId)
	if got.KeyState != kms.KeyStateEnabled || !got.ValidTo.Equal(validTo) || got.ExpirationModel != kms.ExpirationModelTypeKeyMaterialExpires {
		t.Errorf("after the import: %s, ValidTo %v, %s", got.KeyState, got.ValidTo, got.ExpirationModel)
	}
	// Other material: IncorrectKeyMaterialException.
	other := make([]byte, 32)
	token, wrapped = e.wrapFor(md.KeyId, other)
	_, _, err = call(e, e.c.ImportKeyMaterial, e.k.ImportKeyMaterial, &awskms.ImportKeyMaterialInput{KeyId: aws.String(md.KeyId), ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantCode(t, err, "IncorrectKeyMaterialException")
	// A token of another key.
	md2 := e.key(&kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
	_, _, err = call(e, e.c.ImportKeyMaterial, e.k.ImportKeyMaterial, &awskms.ImportKeyMaterialInput{KeyId: aws.String(md2.KeyId), ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantCode(t, err, "InvalidImportTokenException")
	e.allMembersSent()
}

func testDeleteImportedKeyMaterial(t *testing.T) {
	e := newEnv(t)
	md, material, first := e.externalKey()
	restore := func() {
		token, wrapped := e.wrapFor(md.KeyId, material)
		e.must(e.k.ImportKeyMaterial(e.ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: kms.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	}
	in := &awskms.DeleteImportedKeyMaterialInput{KeyId: aws.String(md.KeyId), KeyMaterialId: aws.String(first.KeyMaterialId)}
	out, _, err := call(e, e.c.DeleteImportedKeyMaterial, e.k.DeleteImportedKeyMaterial, in, opt{undo: restore})
	if err != nil {
		t.Fatal(err)
	}
	if *out.KeyId != md.Arn || *out.KeyMaterialId != first.KeyMaterialId {
		t.Errorf("KeyId %s, KeyMaterialId %s", *out.KeyId, *out.KeyMaterialId)
	}
	if st := e.describe(md.KeyId).KeyState; st != kms.KeyStatePendingImport {
		t.Errorf("after the deletion: %s", st)
	}
	_, _, err = call(e, e.c.DeleteImportedKeyMaterial, e.k.DeleteImportedKeyMaterial, &awskms.DeleteImportedKeyMaterialInput{KeyId: aws.String(e.key(nil).KeyId)})
	wantCode(t, err, "UnsupportedOperationException")
	e.allMembersSent()
}
