package kms_test

import (
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// KeyMetadata's CurrentKeyMaterialId "is present for symmetric encryption
// keys with AWS_KMS or EXTERNAL origin" (KeyMetadata in the API
// reference): AWS's recorded DescribeKey responses show it for
// SYMMETRIC_DEFAULT keys only, never for HMAC or asymmetric keys, whether
// generated or imported, before or after the import (LocalStack's
// test_kms.snapshot.json: test_import_key_asymmetric,
// test_import_key_hmac_keys, test_import_key_ecc_keys, test_import_key_symmetric).
func TestCurrentKeyMaterialIdSymmetricOnly(t *testing.T) {
	k, _ := kmstest.New(t)
	for _, tc := range []struct {
		in   kms.CreateKeyInput
		want bool
	}{
		{kms.CreateKeyInput{}, true},
		{kms.CreateKeyInput{MultiRegion: true}, true},
		{kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}, false},
		{kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt}, false},
		{kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify}, false},
	} {
		md := lcCreate(t, k, &tc.in)
		for _, got := range []*kms.KeyMetadata{md, lcDescribe(t, k, md.KeyId)} {
			if (got.CurrentKeyMaterialId != "") != tc.want {
				t.Errorf("%s key: CurrentKeyMaterialId %q, want present %v", md.KeySpec, got.CurrentKeyMaterialId, tc.want)
			}
		}
	}

	// Imported: HMAC material, and symmetric.
	hmacKey := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	_, err := imImport(t, k, hmacKey.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if got := lcDescribe(t, k, hmacKey.KeyId); got.KeyState != kms.KeyStateEnabled || got.CurrentKeyMaterialId != "" {
		t.Errorf("imported HMAC key: state %s, CurrentKeyMaterialId %q, want Enabled and none", got.KeyState, got.CurrentKeyMaterialId)
	}
	sym := imExternal(t, k)
	out, err := imImport(t, k, sym.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if got := lcDescribe(t, k, sym.KeyId); got.CurrentKeyMaterialId != out.KeyMaterialId {
		t.Errorf("imported symmetric key: CurrentKeyMaterialId %q, want %q", got.CurrentKeyMaterialId, out.KeyMaterialId)
	}
}
