package kms

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

// A multi-Region key with imported key material (Origin EXTERNAL) is not
// replicated by this version: UnsupportedOperationException, and nothing
// is written. Such a key is made here by editing its record, as CreateKey
// makes none yet.
func TestReplicateKeyRefusesImportedMaterial(t *testing.T) {
	ctx := t.Context()
	k, err := New(Options{Clock: &rtClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	out, err := k.CreateKey(ctx, &CreateKeyInput{MultiRegion: true})
	if err != nil {
		t.Fatal(err)
	}
	id := out.KeyMetadata.KeyId
	if err := k.store.Update(ctx, func(tx backend.Txn) error {
		rec, err := records.GetKey(tx, k.account, k.region, id)
		if err != nil {
			return err
		}
		rec.Origin = string(OriginTypeExternal)
		return records.PutKey(tx, rec)
	}); err != nil {
		t.Fatal(err)
	}
	k.shared.invalidate([]keyRef{{k.account, k.region, id}}, nil)
	_, err = k.ReplicateKey(ctx, &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"})
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrUnsupportedOperation || !strings.Contains(e.Message, "imported key material (Origin EXTERNAL)") {
		t.Fatalf("ReplicateKey of an EXTERNAL key: %v", err)
	}
	if err := k.store.View(ctx, func(tx backend.Txn) error {
		_, err := records.GetKey(tx, k.account, "eu-west-1", id)
		if !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("a replica was written: %v", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
