package kms_test

import (
	"context"
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
