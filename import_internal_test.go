package kms

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
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

// Deleting the imported key material of a multi-Region primary key
// pending replica deletion, or its material expiring, leaves it pending
// replica deletion: "When the specified KMS key is in the PendingDeletion
// state, this operation does not change the KMS key's state"
// (DeleteImportedKeyMaterial in the API reference), the key-state table
// putting PendingReplicaDeletion with PendingDeletion. Were it made
// PendingImport, its scheduled deletion would be lost. The state is set
// here by editing the record, as ReplicateKey makes no replica of such a
// key in this version.
func TestDeleteImportedKeepsPendingReplicaDeletion(t *testing.T) {
	ctx := t.Context()
	clock := &rtClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	k, err := New(Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for _, expire := range []bool{false, true} {
		out, err := k.CreateKey(ctx, &CreateKeyInput{MultiRegion: true, Origin: OriginTypeExternal})
		if err != nil {
			t.Fatal(err)
		}
		md := out.KeyMetadata
		p, err := k.GetParametersForImport(ctx, &GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: WrappingKeySpecRsa2048})
		if err != nil {
			t.Fatal(err)
		}
		wrapped := importTestWrap(t, p.PublicKey, crypto.Random(32))
		in := &ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: ExpirationModelTypeKeyMaterialDoesNotExpire}
		if expire {
			in.ExpirationModel, in.ValidTo = ExpirationModelTypeKeyMaterialExpires, clock.Now().Add(time.Hour)
		}
		if _, err := k.ImportKeyMaterial(ctx, in); err != nil {
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
		if expire {
			clock.advance(2 * time.Hour)
		} else if _, err := k.DeleteImportedKeyMaterial(ctx, &DeleteImportedKeyMaterialInput{KeyId: md.KeyId}); err != nil {
			t.Fatal(err)
		}
		d, err := k.DescribeKey(ctx, &DescribeKeyInput{KeyId: md.KeyId})
		if err != nil {
			t.Fatal(err)
		}
		if d.KeyMetadata.KeyState != KeyStatePendingReplicaDeletion || d.KeyMetadata.PendingDeletionWindowInDays != 7 {
			t.Errorf("material expired %v: key state %s, window %d, want PendingReplicaDeletion, 7", expire, d.KeyMetadata.KeyState, d.KeyMetadata.PendingDeletionWindowInDays)
		}
	}
}

// importTestWrap wraps material with RSAES_OAEP_SHA_256 under the DER
// public key pub.
func importTestWrap(t *testing.T, pub, material []byte) []byte {
	t.Helper()
	k, err := x509.ParsePKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	w, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, k.(*rsa.PublicKey), material, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
