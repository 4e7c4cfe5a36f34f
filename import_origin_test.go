package kms_test

import (
	"context"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// A key that cannot have imported key material is refused by the import
// operations for its origin in every key state, pending deletion too:
// key-state.html, rows GetParametersForImport and ImportKeyMaterial,
// column "Pending deletion": "[8] or [9]", [8] "If the KMS key has
// imported key material: KMSInvalidStateException", [9] "If the KMS key
// cannot or does not have imported key material:
// UnsupportedOperationException" (AWS KMS Developer Guide, "Key states of
// AWS KMS keys"). A key of Origin EXTERNAL pending deletion gets [8].
func TestImportOpsCheckOriginBeforeKeyState(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	generated := lcCreate(t, k, nil)
	external := imExternal(t, k)
	p := imParams(t, k, external.KeyId)
	for _, md := range []*kms.KeyMetadata{generated, external} {
		_, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId})
		lcNoErr(t, err)
	}
	originErr := generated.Arn + " origin is AWS_KMS which is not valid for this operation."

	_, err := k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: generated.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, originErr)
	_, err = k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: generated.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: imWrap(t, p, imRandom(32)), ExpirationModel: kms.ExpirationModelTypeKeyMaterialDoesNotExpire})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, originErr)
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: generated.KeyId})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, originErr)

	_, err = k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: external.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048})
	lcWantErr(t, err, kms.ErrKMSInvalidState, external.Arn+" is pending deletion.")
	_, err = k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: external.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: imWrap(t, p, imRandom(32)), ExpirationModel: kms.ExpirationModelTypeKeyMaterialDoesNotExpire})
	lcWantErr(t, err, kms.ErrKMSInvalidState, external.Arn+" is pending deletion.")
}

// Material imported for a rotation that has not happened (PENDING_ROTATION)
// is listed with IncludeKeyMaterial ALL_KEY_MATERIAL only: "If you omit
// this parameter, KMS returns information on the key materials created by
// automatic or on-demand key rotation. When you specify a value of
// ALL_KEY_MATERIAL, KMS adds the first key material and any imported key
// material pending rotation to the response" (ListKeyRotations,
// IncludeKeyMaterial, in the API reference).
func TestListKeyRotationsPendingMaterialOnlyWithAll(t *testing.T) {
	k, _ := kmstest.New(t)
	md := imExternal(t, k)
	first, err := imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	pending, err := imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)
	for _, include := range []kms.IncludeKeyMaterial{"", kms.IncludeKeyMaterialRotationsOnly} {
		if rot := rtList(t, k, md.KeyId, include, 0); len(rot) != 0 {
			t.Errorf("IncludeKeyMaterial %q: %+v, want no rotations", include, rot)
		}
	}
	rot := rtList(t, k, md.KeyId, kms.IncludeKeyMaterialAllKeyMaterial, 0)
	if len(rot) != 2 || rot[0].KeyMaterialId != first.KeyMaterialId || rot[0].KeyMaterialState != kms.KeyMaterialStateCurrent ||
		rot[1].KeyMaterialId != pending.KeyMaterialId || rot[1].KeyMaterialState != kms.KeyMaterialStatePendingRotation {
		t.Errorf("ALL_KEY_MATERIAL: %+v, want the first material then the pending one", rot)
	}
}

// KeyMaterialId and KeyMaterialDescription are "only usable with
// symmetric encryption keys" (ImportKeyMaterial in the API reference): an
// HMAC key given either is refused, and nothing is imported.
func TestImportMaterialIdSymmetricOnly(t *testing.T) {
	k, _ := kmstest.New(t)
	md := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	material := imRandom(32)
	for _, in := range []kms.ImportKeyMaterialInput{
		{KeyMaterialDescription: "mine"},
		{ImportType: kms.ImportTypeExistingKeyMaterial, KeyMaterialId: strings.Repeat("a", 64)},
	} {
		out, err := imImport(t, k, md.KeyId, material, in)
		if out != nil {
			t.Fatalf("%+v: imported", in)
		}
		lcWantCode(t, err, kms.ErrValidation, "symmetric")
		if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStatePendingImport {
			t.Fatalf("%+v: key state %s after a refused import", in, st)
		}
	}
	_, err := imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
}
