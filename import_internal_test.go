package kms

import (
	"errors"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

// A multi-Region primary key of imported key material that is pending
// replica deletion takes no import, as one pending deletion
// (key-state.html, rows GetParametersForImport and ImportKeyMaterial,
// column "Pending deletion / Pending replica deletion", note [8]:
// KMSInvalidStateException). ReplicateKey makes no replica of such a key
// in this version, so the state is set here by editing the record.
func TestImportRefusedPendingReplicaDeletion(t *testing.T) {
	ctx := t.Context()
	k, err := New(Options{Clock: &rtClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	out, err := k.CreateKey(ctx, &CreateKeyInput{MultiRegion: true, Origin: OriginTypeExternal})
	if err != nil {
		t.Fatal(err)
	}
	md := out.KeyMetadata
	p, err := k.GetParametersForImport(ctx, &GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa2048})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.store.Update(ctx, func(tx backend.Txn) error {
		rec, err := records.GetKey(tx, k.account, k.region, md.KeyId)
		if err != nil {
			return err
		}
		rec.State = string(KeyStatePendingReplicaDeletion)
		rec.PendingWindowInDays = 7
		return records.PutKey(tx, rec)
	}); err != nil {
		t.Fatal(err)
	}
	k.shared.invalidate([]keyRef{{k.account, k.region, md.KeyId}}, nil)
	want := md.Arn + " is pending replica deletion."
	check := func(op string, err error) {
		t.Helper()
		var e *Error
		if !errors.As(err, &e) || e.Code != ErrKMSInvalidState || e.Message != want {
			t.Errorf("%s of a key pending replica deletion: %v, want %s: %s", op, err, ErrKMSInvalidState, want)
		}
	}
	_, err = k.GetParametersForImport(ctx, &GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa2048})
	check("GetParametersForImport", err)
	// Any wrapped material: the key state is checked before the token
	// and the material are.
	_, err = k.ImportKeyMaterial(ctx, &ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: make([]byte, 256), ExpirationModel: ExpirationModelTypeKeyMaterialDoesNotExpire})
	check("ImportKeyMaterial", err)
}
