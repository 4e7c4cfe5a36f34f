package kms_test

import (
	"context"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// storedKey returns the record of key md as the backend m holds it, read
// through the authenticated view under root, and the root key.
func storedKey(t testing.TB, m backend.Store, root []byte, md *kms.KeyMetadata) (*records.Key, *keystore.RootKey) {
	t.Helper()
	rk, err := keystore.NewRootKey(root)
	if err != nil {
		t.Fatal(err)
	}
	var rec *records.Key
	if err := rk.Authenticated(m).View(context.Background(), func(tx backend.Txn) error {
		var err error
		rec, err = records.GetKey(tx, md.AWSAccountId, "us-east-1", md.KeyId)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rec, rk
}

// unwrapped returns the secret material of key md, read from the backend
// and unwrapped with the root key as an application could (the record's
// first material: these keys have one).
func unwrapped(t testing.TB, m backend.Store, root []byte, md *kms.KeyMetadata) []byte {
	t.Helper()
	rec, rk := storedKey(t, m, root, md)
	if len(rec.Materials) != 1 {
		t.Fatalf("key has %d materials, want 1", len(rec.Materials))
	}
	material, err := rk.Open(md.Arn, rec.Materials[0])
	if err != nil {
		t.Fatal(err)
	}
	return material
}
