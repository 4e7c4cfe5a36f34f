package kms_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/kmstest"
)

// imParams calls GetParametersForImport with RSAES_OAEP_SHA_256 and an
// RSA_2048 wrapping key.
func imParams(t *testing.T, k *kms.KMS, keyID string) *kms.GetParametersForImportOutput {
	t.Helper()
	p, err := k.GetParametersForImport(context.Background(), &kms.GetParametersForImportInput{KeyId: keyID, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048})
	lcNoErr(t, err)
	return p
}

// imWrap wraps material with RSAES_OAEP_SHA_256 under the public key of p.
func imWrap(t *testing.T, p *kms.GetParametersForImportOutput, material []byte) []byte {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	lcNoErr(t, err)
	w, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	lcNoErr(t, err)
	return w
}

// imImport imports material into keyID as in (KeyId, ImportToken and
// EncryptedKeyMaterial filled in; ExpirationModel
// KEY_MATERIAL_DOES_NOT_EXPIRE if in gives none and no ValidTo).
func imImport(t *testing.T, k *kms.KMS, keyID string, material []byte, in kms.ImportKeyMaterialInput) (*kms.ImportKeyMaterialOutput, error) {
	t.Helper()
	p := imParams(t, k, keyID)
	in.KeyId, in.ImportToken, in.EncryptedKeyMaterial = keyID, p.ImportToken, imWrap(t, p, material)
	if in.ExpirationModel == "" && in.ValidTo.IsZero() {
		in.ExpirationModel = kms.ExpirationModelTypeKeyMaterialDoesNotExpire
	}
	return k.ImportKeyMaterial(context.Background(), &in)
}

func imRandom(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func imExternal(t *testing.T, k *kms.KMS) *kms.KeyMetadata {
	t.Helper()
	return lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
}

func imEncrypt(t *testing.T, k *kms.KMS, keyID string, pt []byte) *kms.EncryptOutput {
	t.Helper()
	out, err := k.Encrypt(context.Background(), &kms.EncryptInput{KeyId: keyID, Plaintext: pt})
	lcNoErr(t, err)
	return out
}

// A key of Origin EXTERNAL is created for every key spec AWS takes
// imported material for, in PendingImport with no material (as recorded
// from AWS in LocalStack's test_kms.snapshot.json,
// test_import_key_symmetric: Enabled false, no CurrentKeyMaterialId, no
// ExpirationModel), and refuses cryptographic operations as pending
// import.
func TestCreateKeyExternal(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	specs := []struct {
		spec  kms.KeySpec
		usage kms.KeyUsageType
	}{
		{kms.KeySpecSymmetricDefault, ""},
		{kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac},
		{kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecRsa3072, kms.KeyUsageTypeEncryptDecrypt},
		{kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecEccNistP384, kms.KeyUsageTypeKeyAgreement},
		{kms.KeySpecEccSecgP256k1, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecMlDsa65, kms.KeyUsageTypeSignVerify},
	}
	for _, s := range specs {
		md := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: s.spec, KeyUsage: s.usage})
		if md.KeyState != kms.KeyStatePendingImport || md.Enabled || md.Origin != kms.OriginTypeExternal || md.KeySpec != s.spec ||
			md.CurrentKeyMaterialId != "" || md.ExpirationModel != "" || !md.ValidTo.IsZero() {
			t.Errorf("%s: %+v", s.spec, md)
		}
		if got := lcDescribe(t, k, md.KeyId); got.KeyState != kms.KeyStatePendingImport {
			t.Errorf("%s: DescribeKey says %s", s.spec, got.KeyState)
		}
	}
	md := imExternal(t, k)
	_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending import.")
	_, err = k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: kms.DataKeySpecAes256})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending import.")
	_, err = k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending import.")
}

func TestGetParametersForImport(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	sym := imExternal(t, k)
	rsaKey := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeSignVerify})
	p521 := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecEccNistP521, KeyUsage: kms.KeyUsageTypeSignVerify})
	generated := lcCreate(t, k, nil)
	pending := imExternal(t, k)
	_, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: pending.KeyId})
	lcNoErr(t, err)

	for _, tc := range []struct {
		name  string
		in    kms.GetParametersForImportInput
		code  kms.Code
		msg   string   // the exact message, when AWS's is known
		parts []string // else parts of it
	}{
		{name: "no WrappingAlgorithm", in: kms.GetParametersForImportInput{KeyId: sym.KeyId, WrappingKeySpec: kms.WrappingKeySpecRsa2048}, code: kms.ErrValidation, parts: []string{"wrappingAlgorithm"}},
		{name: "no WrappingKeySpec", in: kms.GetParametersForImportInput{KeyId: sym.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256}, code: kms.ErrValidation, parts: []string{"wrappingKeySpec"}},
		{name: "unknown WrappingAlgorithm", in: kms.GetParametersForImportInput{KeyId: sym.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_512", WrappingKeySpec: kms.WrappingKeySpecRsa2048}, code: kms.ErrValidation, parts: []string{"wrappingAlgorithm"}},
		{name: "key of AWS_KMS origin", in: kms.GetParametersForImportInput{KeyId: generated.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048},
			code: kms.ErrUnsupportedOperation, msg: generated.Arn + " origin is AWS_KMS which is not valid for this operation."},
		{name: "pending deletion", in: kms.GetParametersForImportInput{KeyId: pending.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048},
			code: kms.ErrKMSInvalidState, msg: pending.Arn + " is pending deletion."},
		{name: "RSAES_PKCS1_V1_5", in: kms.GetParametersForImportInput{KeyId: sym.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesPkcs1V15, WrappingKeySpec: kms.WrappingKeySpecRsa2048}, code: kms.ErrUnsupportedOperation, parts: []string{"RSAES_PKCS1_V1_5"}},
		{name: "SM2 outside China", in: kms.GetParametersForImportInput{KeyId: sym.KeyId, WrappingAlgorithm: kms.AlgorithmSpecSm2pke, WrappingKeySpec: kms.WrappingKeySpecSm2}, code: kms.ErrValidation, parts: []string{"China"}},
		{name: "OAEP for an RSA key", in: kms.GetParametersForImportInput{KeyId: rsaKey.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha1, WrappingKeySpec: kms.WrappingKeySpecRsa4096}, code: kms.ErrValidation, parts: []string{"RSA_AES_KEY_WRAP"}},
		{name: "OAEP, RSA_2048, P-521", in: kms.GetParametersForImportInput{KeyId: p521.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048}, code: kms.ErrValidation, parts: []string{"ECC_NIST_P521"}},
		{name: "unknown key", in: kms.GetParametersForImportInput{KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab", WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048}, code: kms.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.GetParametersForImport(ctx, &tc.in)
			if tc.msg != "" {
				lcWantErr(t, err, tc.code, tc.msg)
			} else {
				lcWantCode(t, err, tc.code, tc.parts...)
			}
		})
	}

	for _, ok := range []kms.GetParametersForImportInput{
		{KeyId: rsaKey.Arn, WrappingAlgorithm: kms.AlgorithmSpecRsaAesKeyWrapSha1, WrappingKeySpec: kms.WrappingKeySpecRsa2048},
		{KeyId: p521.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa3072},
		{KeyId: p521.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaAesKeyWrapSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048},
	} {
		out, err := k.GetParametersForImport(ctx, &ok)
		lcNoErr(t, err)
		if out.KeyId != lcKeyARN(k.AccountID(), k.Region(), strings.TrimPrefix(ok.KeyId, "arn:aws:kms:us-east-1:111122223333:key/")) ||
			!out.ParametersValidTo.Equal(clock.Now().Add(kms.ImportParametersValidity)) {
			t.Errorf("%+v: KeyId %s, ParametersValidTo %v", ok, out.KeyId, out.ParametersValidTo)
		}
	}
}

// imState is what must not change when ImportKeyMaterial fails.
func imState(t *testing.T, k *kms.KMS, keyID string) string {
	t.Helper()
	md := lcDescribe(t, k, keyID)
	rot, err := k.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: keyID, IncludeKeyMaterial: kms.IncludeKeyMaterialAllKeyMaterial})
	var rotations any = err
	if err == nil {
		rotations = rot.Rotations
	}
	return strings.Join([]string{string(md.KeyState), md.CurrentKeyMaterialId, string(md.ExpirationModel), md.ValidTo.String(), fmt.Sprint(rotations)}, "|")
}

// The errors of ImportKeyMaterial, each leaving the key as it was.
func TestImportKeyMaterialErrors(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	md := imExternal(t, k)
	other := imExternal(t, k)
	material := imRandom(32)
	p := imParams(t, k, md.KeyId)
	wrapped := imWrap(t, p, material)
	otherP := imParams(t, k, other.KeyId)
	forged := bytes.Clone(p.ImportToken)
	forged[len(forged)/2] ^= 1
	corrupt := bytes.Clone(wrapped)
	corrupt[len(corrupt)-1] ^= 1
	short := imWrap(t, p, material[:16])
	now := clock.Now()
	dne := kms.ExpirationModelTypeKeyMaterialDoesNotExpire

	cases := []struct {
		name string
		in   kms.ImportKeyMaterialInput
		code kms.Code
		msg  string
	}{
		{"no ExpirationModel nor ValidTo", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped}, kms.ErrValidation,
			"A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"},
		{"KEY_MATERIAL_EXPIRES without ValidTo", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: kms.ExpirationModelTypeKeyMaterialExpires}, kms.ErrValidation,
			"A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"},
		{"KEY_MATERIAL_DOES_NOT_EXPIRE with ValidTo", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: dne, ValidTo: now.Add(time.Hour)}, kms.ErrValidation, ""},
		{"ValidTo now", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ValidTo: now}, kms.ErrValidation, ""},
		{"ValidTo beyond 365 days", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ValidTo: now.Add(kms.MaxImportValidity + time.Second)}, kms.ErrValidation, ""},
		{"KeyMaterialId with NEW_KEY_MATERIAL", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: dne, ImportType: kms.ImportTypeNewKeyMaterial, KeyMaterialId: strings.Repeat("a", 64)}, kms.ErrValidation, ""},
		{"KeyMaterialId not hex", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: dne, KeyMaterialId: strings.Repeat("A", 64)}, kms.ErrValidation, ""},
		{"no ImportToken", kms.ImportKeyMaterialInput{EncryptedKeyMaterial: wrapped, ExpirationModel: dne}, kms.ErrValidation, ""},
		{"token of another key", kms.ImportKeyMaterialInput{ImportToken: otherP.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: dne}, kms.ErrInvalidImportToken, ""},
		{"forged token", kms.ImportKeyMaterialInput{ImportToken: forged, EncryptedKeyMaterial: wrapped, ExpirationModel: dne}, kms.ErrInvalidImportToken, ""},
		{"not a token", kms.ImportKeyMaterialInput{ImportToken: []byte("token"), EncryptedKeyMaterial: wrapped, ExpirationModel: dne}, kms.ErrInvalidImportToken, ""},
		{"corrupt wrapped material", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: corrupt, ExpirationModel: dne}, kms.ErrInvalidCiphertext, ""},
		{"16-byte symmetric material", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: short, ExpirationModel: dne}, kms.ErrIncorrectKeyMaterial, ""},
		{"EXISTING_KEY_MATERIAL as the first import", kms.ImportKeyMaterialInput{ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: dne, ImportType: kms.ImportTypeExistingKeyMaterial}, kms.ErrIncorrectKeyMaterial, ""},
	}
	before := imState(t, k, md.KeyId)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.KeyId = md.KeyId
			_, err := k.ImportKeyMaterial(ctx, &in)
			if tc.msg != "" {
				lcWantErr(t, err, tc.code, tc.msg)
			} else {
				lcWantCode(t, err, tc.code)
			}
			if after := imState(t, k, md.KeyId); after != before {
				t.Fatalf("the failed import changed the key:\n%s\n%s", before, after)
			}
		})
	}

	// The token expires 24 hours after it was issued, not a moment before.
	clock.Advance(kms.ImportParametersValidity - time.Nanosecond)
	fresh := imExternal(t, k)
	fp := imParams(t, k, fresh.KeyId)
	clock.Advance(time.Nanosecond)
	_, err := k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: dne})
	lcWantCode(t, err, kms.ErrExpiredImportToken)
	if after := imState(t, k, md.KeyId); after != before {
		t.Fatalf("the expired token changed the key")
	}
	clock.Advance(kms.ImportParametersValidity - 2*time.Nanosecond) // fp's last valid instant
	_, err = k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: fresh.KeyId, ImportToken: fp.ImportToken, EncryptedKeyMaterial: imWrap(t, fp, material), ExpirationModel: dne})
	lcNoErr(t, err)

	// The key of AWS KMS's material.
	generated := lcCreate(t, k, nil)
	_, err = k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: generated.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: dne})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, generated.Arn+" origin is AWS_KMS which is not valid for this operation.")
}

// The life of a symmetric key of imported material: import, encrypt,
// delete the material (PendingImport: decryption fails), re-import other
// material (IncorrectKeyMaterialException), re-import the same (the old
// ciphertext decrypts again, same KeyMaterialId).
func TestImportDeleteReimport(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	md := imExternal(t, k)
	material := imRandom(32)
	first, err := imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{KeyMaterialDescription: "first one"})
	lcNoErr(t, err)
	if first.KeyId != md.Arn || len(first.KeyMaterialId) != 64 {
		t.Fatalf("ImportKeyMaterial: %+v", first)
	}
	got := lcDescribe(t, k, md.KeyId)
	if got.KeyState != kms.KeyStateEnabled || !got.Enabled || got.CurrentKeyMaterialId != first.KeyMaterialId || got.ExpirationModel != kms.ExpirationModelTypeKeyMaterialDoesNotExpire || !got.ValidTo.IsZero() {
		t.Fatalf("after the import: %+v", got)
	}
	pt := []byte("imported secrets")
	enc := imEncrypt(t, k, md.KeyId, pt)
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if !bytes.Equal(dec.Plaintext, pt) || dec.KeyMaterialId != first.KeyMaterialId {
		t.Fatalf("Decrypt: %q under %s", dec.Plaintext, dec.KeyMaterialId)
	}

	// Other material, while the key has its own: refused.
	_, err = imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)

	del, err := k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if del.KeyId != md.Arn || del.KeyMaterialId != first.KeyMaterialId {
		t.Fatalf("DeleteImportedKeyMaterial: %+v", del)
	}
	got = lcDescribe(t, k, md.KeyId)
	// As recorded from AWS (test_import_key_symmetric,
	// describe-key-after-deleted-import): the material id stays.
	if got.KeyState != kms.KeyStatePendingImport || got.Enabled || got.CurrentKeyMaterialId != first.KeyMaterialId || got.ExpirationModel != "" {
		t.Fatalf("after the deletion: %+v", got)
	}
	_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending import.")

	// Other material, after the deletion: still refused, nothing changed.
	_, err = imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)
	_, err = imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{KeyMaterialId: first.KeyMaterialId})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)
	if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStatePendingImport {
		t.Fatalf("a refused import made the key %s", st)
	}
	// The same material, named by a wrong KeyMaterialId: refused.
	_, err = imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{KeyMaterialId: strings.Repeat("0", 64)})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)

	again, err := imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{KeyMaterialId: first.KeyMaterialId})
	lcNoErr(t, err)
	if again.KeyMaterialId != first.KeyMaterialId {
		t.Fatalf("re-import: KeyMaterialId %s, want %s", again.KeyMaterialId, first.KeyMaterialId)
	}
	dec, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if !bytes.Equal(dec.Plaintext, pt) {
		t.Fatalf("after the re-import: %q", dec.Plaintext)
	}
	if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStateEnabled {
		t.Fatalf("after the re-import: %s", st)
	}
	// The description of the first import is kept ("KMS retains the
	// value you specified when you last imported the same key material").
	rot := rtList(t, k, md.KeyId, kms.IncludeKeyMaterialAllKeyMaterial, 0)
	if len(rot) != 1 || rot[0].KeyMaterialDescription != "first one" || rot[0].ImportState != kms.ImportStateImported || rot[0].KeyMaterialState != kms.KeyMaterialStateCurrent {
		t.Fatalf("ListKeyRotations: %+v", rot)
	}

	// The same material imported into another key has another id: the id
	// is based on the key and the material.
	md2 := imExternal(t, k)
	o2, err := imImport(t, k, md2.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if o2.KeyMaterialId == first.KeyMaterialId {
		t.Fatal("one material has one KeyMaterialId in two keys")
	}
	// Nor does one key's ciphertext open under the other.
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: md2.KeyId}); err == nil {
		t.Fatal("another key of the same material decrypted the ciphertext")
	}
}

// Deleting material is allowed in every state but Unavailable; a key
// pending deletion keeps its state, and cancelling the deletion of a key
// without its material makes it PendingImport (DeleteImportedKeyMaterial
// in the API reference; key-state.html).
func TestImportKeyStates(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	md := imExternal(t, k)
	material := imRandom(32)
	_, err := imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)

	// Disabled: re-import and deletion allowed; re-import keeps it
	// Disabled, deletion makes it PendingImport.
	_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	_, err = imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStateDisabled {
		t.Fatalf("re-import into a disabled key made it %s", st)
	}
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStatePendingImport {
		t.Fatalf("deletion from a disabled key made it %s", st)
	}
	_, err = imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)

	// PendingDeletion: no import, but the deletion of material, keeping
	// the state.
	p := imParams(t, k, md.KeyId)
	_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	_, err = k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: imWrap(t, p, material), ExpirationModel: kms.ExpirationModelTypeKeyMaterialDoesNotExpire})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending deletion.")
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStatePendingDeletion {
		t.Fatalf("deletion of material from a key pending deletion made it %s", st)
	}
	_, err = k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStatePendingImport {
		t.Fatalf("cancelled deletion of a key without material: %s", st)
	}

	// Other errors of DeleteImportedKeyMaterial.
	generated := lcCreate(t, k, nil)
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: generated.KeyId})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, generated.Arn+" origin is AWS_KMS which is not valid for this operation.")
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId, KeyMaterialId: strings.Repeat("b", 64)})
	lcWantCode(t, err, kms.ErrNotFound)
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId, KeyMaterialId: "abc"})
	lcWantCode(t, err, kms.ErrValidation, "keyMaterialId")
}

// Material expires when its ValidTo passes on the handle's clock: on
// access, and on a maintenance pass, which reads only the index of keys
// whose material expires.
func TestImportExpiry(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	k, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store})
	ctx := context.Background()

	// On access.
	md := imExternal(t, k)
	material := imRandom(32)
	validTo := clock.Now().Add(time.Hour).Truncate(time.Second)
	_, err := imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{ValidTo: validTo})
	lcNoErr(t, err)
	got := lcDescribe(t, k, md.KeyId)
	if !got.ValidTo.Equal(validTo) || got.ExpirationModel != kms.ExpirationModelTypeKeyMaterialExpires {
		t.Fatalf("DescribeKey: ValidTo %v, %s", got.ValidTo, got.ExpirationModel)
	}
	enc := imEncrypt(t, k, md.KeyId, []byte("expiring"))
	clock.Set(validTo.Add(-time.Nanosecond))
	imEncrypt(t, k, md.KeyId, []byte("not yet"))
	clock.Set(validTo)
	_, err = k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending import.")
	if got := lcDescribe(t, k, md.KeyId); got.KeyState != kms.KeyStatePendingImport || !got.ValidTo.IsZero() {
		t.Fatalf("after expiry: %s, ValidTo %v", got.KeyState, got.ValidTo)
	}
	// Re-importing the same material restores it.
	_, err = imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)

	// On a maintenance pass, with nothing touching the key.
	md2 := imExternal(t, k)
	_, err = imImport(t, k, md2.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ValidTo: clock.Now().Add(48 * time.Hour)})
	lcNoErr(t, err)
	if n := imExpiryEntries(t, store); n != 1 {
		t.Fatalf("%d importexpiry/ entries, want 1", n)
	}
	clock.Advance(47 * time.Hour)
	lcNoErr(t, k.Maintain(ctx))
	if rec := lcStoredKey(t, store, k.AccountID(), k.Region(), md2.KeyId); rec.State != string(kms.KeyStateEnabled) {
		t.Fatalf("Maintain before ValidTo: %s", rec.State)
	}
	clock.Advance(time.Hour)
	lcNoErr(t, k.Maintain(ctx))
	rec := lcStoredKey(t, store, k.AccountID(), k.Region(), md2.KeyId)
	if rec.State != string(kms.KeyStatePendingImport) || len(rec.Materials) != 0 {
		t.Fatalf("Maintain after ValidTo: %s with %d materials", rec.State, len(rec.Materials))
	}
	if n := imExpiryEntries(t, store); n != 0 {
		t.Fatalf("%d importexpiry/ entries after the expiry, want 0", n)
	}
}

func imExpiryEntries(t *testing.T, store backend.Store) int {
	t.Helper()
	n := 0
	err := store.View(context.Background(), func(tx backend.Txn) error {
		return tx.Scan([]byte("importexpiry/"), nil, func(_, _ []byte) bool { n++; return true })
	})
	lcNoErr(t, err)
	return n
}

// A symmetric key of imported material rotates on demand with new
// material imported for it (ImportType NEW_KEY_MATERIAL), which waits in
// PENDING_ROTATION; automatic rotation stays refused.
func TestImportRotateOnDemand(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	md := imExternal(t, k)
	first, err := imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	_, err = k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	// As recorded from AWS (test_rotate_key_on_demand_raises_for_no_pending_key_material).
	lcWantErr(t, err, kms.ErrKMSInvalidState, "No available key material pending rotation for the key: "+md.Arn+".")
	_, err = k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, md.Arn+" origin is EXTERNAL which is not valid for this operation.")

	old := imEncrypt(t, k, md.KeyId, []byte("before"))
	validTo := clock.Now().Add(100 * rtDay).Truncate(time.Second)
	second, err := imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial, ValidTo: validTo, KeyMaterialDescription: "next"})
	lcNoErr(t, err)
	if second.KeyMaterialId == first.KeyMaterialId {
		t.Fatal("new material got the old id")
	}
	// Pending: not used yet, and not the key's ValidTo (not permanently
	// associated).
	if got := lcDescribe(t, k, md.KeyId); got.CurrentKeyMaterialId != first.KeyMaterialId || !got.ValidTo.IsZero() {
		t.Fatalf("before the rotation: %+v", got)
	}
	rot := rtList(t, k, md.KeyId, kms.IncludeKeyMaterialAllKeyMaterial, 0)
	if len(rot) != 2 || rot[1].KeyMaterialId != second.KeyMaterialId || rot[1].KeyMaterialState != kms.KeyMaterialStatePendingRotation ||
		!rot[1].RotationDate.IsZero() || rot[1].ImportState != kms.ImportStateImported || !rot[1].ValidTo.Equal(validTo) || rot[1].KeyMaterialDescription != "next" ||
		rot[1].ExpirationModel != kms.ExpirationModelTypeKeyMaterialExpires || rot[0].ExpirationModel != kms.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Fatalf("ListKeyRotations: %+v", rot)
	}
	// A second new material while one is pending (as recorded from AWS:
	// test_import_key_material_raises_if_there_is_already_key_material_pending).
	third, err := imImport(t, k, md.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	if third != nil {
		t.Fatal("second pending material imported")
	}
	lcWantCode(t, err, kms.ErrKMSInvalidState, "cannot be imported into KMS key "+md.KeyId+", because another key material (id: "+second.KeyMaterialId+") is pending rotation.")

	clock.Advance(time.Hour)
	out, err := k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if out.KeyId != md.Arn {
		t.Fatalf("RotateKeyOnDemand: %+v", out)
	}
	got := lcDescribe(t, k, md.KeyId)
	if got.CurrentKeyMaterialId != second.KeyMaterialId || !got.ValidTo.Equal(validTo) {
		t.Fatalf("after the rotation: %+v", got)
	}
	enc := imEncrypt(t, k, md.KeyId, []byte("after"))
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if dec.KeyMaterialId != second.KeyMaterialId {
		t.Fatalf("new ciphertext under %s", dec.KeyMaterialId)
	}
	dec, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old.CiphertextBlob})
	lcNoErr(t, err)
	if dec.KeyMaterialId != first.KeyMaterialId || string(dec.Plaintext) != "before" {
		t.Fatalf("old ciphertext: %+v", dec)
	}
	rot = rtList(t, k, md.KeyId, kms.IncludeKeyMaterialRotationsOnly, 0)
	if len(rot) != 1 || rot[0].RotationType != kms.RotationTypeOnDemand || !rot[0].RotationDate.Equal(clock.Now()) || rot[0].KeyMaterialState != kms.KeyMaterialStateCurrent {
		t.Fatalf("ListKeyRotations after: %+v", rot)
	}

	// Deleting the old (non-current) material makes the key PendingImport:
	// all its materials must be imported.
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId, KeyMaterialId: first.KeyMaterialId})
	lcNoErr(t, err)
	if st := lcDescribe(t, k, md.KeyId).KeyState; st != kms.KeyStatePendingImport {
		t.Fatalf("after deleting the old material: %s", st)
	}

	// A pending material deleted is forgotten: other material may take
	// its place, and the key's state is unchanged.
	md3 := imExternal(t, k)
	_, err = imImport(t, k, md3.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	pend, err := imImport(t, k, md3.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md3.KeyId, KeyMaterialId: pend.KeyMaterialId})
	lcNoErr(t, err)
	if st := lcDescribe(t, k, md3.KeyId).KeyState; st != kms.KeyStateEnabled {
		t.Fatalf("after deleting pending material: %s", st)
	}
	_, err = imImport(t, k, md3.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)

	// Asymmetric and HMAC keys take no new material.
	hk := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	_, err = imImport(t, k, hk.KeyId, imRandom(32), kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	_, err = imImport(t, k, hk.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)
	_, err = k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: hk.KeyId})
	lcWantCode(t, err, kms.ErrUnsupportedOperation)
}

// Asymmetric and HMAC material imported works as that material must.
func TestImportAsymmetricAndHMAC(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	lcNoErr(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(ec)
	lcNoErr(t, err)
	sk := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
	// The wrong curve: IncorrectKeyMaterialException.
	ec384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	lcNoErr(t, err)
	der384, err := x509.MarshalPKCS8PrivateKey(ec384)
	lcNoErr(t, err)
	_, err = imImport(t, k, sk.KeyId, der384, kms.ImportKeyMaterialInput{})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)
	_, err = imImport(t, k, sk.KeyId, der, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sk.KeyId})
	lcNoErr(t, err)
	want, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	lcNoErr(t, err)
	if !bytes.Equal(pub.PublicKey, want) {
		t.Fatal("GetPublicKey is not the imported key's public key")
	}
	msg := []byte("signed by imported material")
	sig, err := k.Sign(ctx, &kms.SignInput{KeyId: sk.KeyId, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	lcNoErr(t, err)
	digest := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(&ec.PublicKey, digest[:], sig.Signature) {
		t.Fatal("the signature does not verify under the imported key")
	}
	// Re-importing it (another PKCS #8 encoding of the same key would do
	// too) is the same material; a different key is not.
	_, err = imImport(t, k, sk.KeyId, der, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	ec2, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	lcNoErr(t, err)
	der2, err := x509.MarshalPKCS8PrivateKey(ec2)
	lcNoErr(t, err)
	_, err = imImport(t, k, sk.KeyId, der2, kms.ImportKeyMaterialInput{})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)

	hk := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecHmac384, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	secret := imRandom(48)
	_, err = imImport(t, k, hk.KeyId, secret, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	mac, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: hk.KeyId, Message: msg, MacAlgorithm: kms.MacAlgorithmSpecHmacSha384})
	lcNoErr(t, err)
	h := hmac.New(sha512.New384, secret)
	h.Write(msg)
	if !bytes.Equal(mac.Mac, h.Sum(nil)) {
		t.Fatal("GenerateMac differs from HMAC-SHA-384 under the imported key")
	}
}

// The identity of imported material survives a root-key rewrap: material
// deleted before RewrapRootKey is re-imported after it with the same
// KeyMaterialId, and ciphertexts made before decrypt again.
func TestImportAcrossRootKeyRewrap(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	oldKey, newKey := imRandom(32), imRandom(32)
	clock := kmstest.NewClock(kmstest.Start)
	k, err := kms.New(kms.Options{Backend: store, RootKey: oldKey, Clock: clock})
	lcNoErr(t, err)
	ctx := context.Background()
	md := imExternal(t, k)
	material := imRandom(32)
	first, err := imImport(t, k, md.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	enc := imEncrypt(t, k, md.KeyId, []byte("across"))
	_, err = k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	// A key whose material expires: its importexpiry/ index entry moves
	// to the new root key too, and it still expires after.
	expiring := imExternal(t, k)
	_, err = imImport(t, k, expiring.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ValidTo: clock.Now().Add(time.Hour)})
	lcNoErr(t, err)
	lcNoErr(t, k.Close())
	lcNoErr(t, kms.RewrapRootKey(ctx, store, keystore.RawRootKey(oldKey), keystore.RawRootKey(newKey)))
	k2, err := kms.New(kms.Options{Backend: store, RootKey: newKey, Clock: clock})
	lcNoErr(t, err)
	t.Cleanup(func() { k2.Close() })
	again, err := imImport(t, k2, md.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if again.KeyMaterialId != first.KeyMaterialId {
		t.Fatalf("after the rewrap the material is %s, was %s", again.KeyMaterialId, first.KeyMaterialId)
	}
	dec, err := k2.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if string(dec.Plaintext) != "across" {
		t.Fatalf("decrypted %q", dec.Plaintext)
	}
	if n := imExpiryEntries(t, store); n != 1 {
		t.Fatalf("%d importexpiry/ entries after the rewrap, want 1", n)
	}
	clock.Advance(time.Hour)
	lcNoErr(t, k2.Maintain(ctx))
	if n := imExpiryEntries(t, store); n != 0 {
		t.Fatalf("%d importexpiry/ entries after Maintain, want 0", n)
	}
	if st := lcDescribe(t, k2, expiring.KeyId).KeyState; st != kms.KeyStatePendingImport {
		t.Fatalf("after the rewrap and the expiry: %s", st)
	}
}

// In a China Region the SM2 wrapping key spec and SM2PKE, which go
// together, are offered (GetParametersForImport, WrappingKeySpec); an SM2
// key is created with Origin EXTERNAL.
func TestGetParametersForImportSM2(t *testing.T) {
	k, _ := kmstest.NewWithOptions(t, kms.Options{Region: "cn-north-1", Partition: "aws-cn"})
	ctx := context.Background()
	md := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecSm2, KeyUsage: kms.KeyUsageTypeSignVerify})
	out, err := k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: kms.AlgorithmSpecSm2pke, WrappingKeySpec: kms.WrappingKeySpecSm2})
	lcNoErr(t, err)
	if len(out.PublicKey) == 0 || len(out.ImportToken) == 0 || out.KeyId != md.Arn {
		t.Fatalf("GetParametersForImport: %+v", out)
	}
	_, err = k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: kms.AlgorithmSpecSm2pke, WrappingKeySpec: kms.WrappingKeySpecRsa2048})
	lcWantCode(t, err, kms.ErrValidation, "SM2PKE", "RSA_2048")
	_, err = k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecSm2})
	lcWantCode(t, err, kms.ErrValidation, "RSAES_OAEP_SHA_256", "SM2")
}
