package keystore_test

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/keystore"
)

// BackupMAC is HMAC-SHA256 under HKDF-SHA256(root key, empty salt,
// "embedkms/backup-authentication/v1"), and differs between root keys.
func TestBackupMACKeyDerivation(t *testing.T) {
	raw := crypto.Random(keystore.RootKeySize)
	r, err := keystore.NewRootKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	k, err := hkdf.Key(sha256.New, raw, nil, "embedkms/backup-authentication/v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	want := hmac.New(sha256.New, k)
	want.Write([]byte("stream"))
	got := r.BackupMAC()
	got.Write([]byte("stream"))
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("BackupMAC is not HMAC-SHA256 under the documented key")
	}
	other := newRoot(t).BackupMAC()
	other.Write([]byte("stream"))
	if bytes.Equal(other.Sum(nil), want.Sum(nil)) {
		t.Fatal("two root keys give the same backup tag")
	}
}

// VerifyStored accepts exactly what a handle writes under the root key:
// authenticated records at their own key and the check value; it refuses
// an edited record, a record at another key, a record or check value
// under another root key, and the volatile root key.
func TestVerifyStored(t *testing.T) {
	ctx := context.Background()
	r, other := newRoot(t), newRoot(t)
	m := memory.New()
	defer m.Close()
	if err := r.Verify(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := r.Authenticated(m).Update(ctx, func(tx backend.Txn) error { return tx.Set([]byte("key/a"), []byte("record")) }); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.VolatileRootKey(ctx, m); err != nil {
		t.Fatal(err)
	}
	check := rawGet(t, m, keystore.RootKeyCheckEntry)
	rec := rawGet(t, m, "key/a")
	edited := bytes.Clone(rec)
	edited[2] ^= 1
	om := memory.New()
	defer om.Close()
	if err := other.Verify(ctx, om); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		key    string
		stored []byte
		want   error // nil: accepted
	}{
		{"a record", "key/a", rec, nil},
		{"the check value", keystore.RootKeyCheckEntry, check, nil},
		{"an edited record", "key/a", edited, backend.ErrCorrupt},
		{"a record at another key", "key/b", rec, backend.ErrCorrupt},
		{"the check value as a record", "key/a", check, backend.ErrCorrupt},
		{"a record as the check value", keystore.RootKeyCheckEntry, rec, keystore.ErrWrongRootKey},
		{"another root key's check value", keystore.RootKeyCheckEntry, rawGet(t, om, keystore.RootKeyCheckEntry), keystore.ErrWrongRootKey},
		{"the volatile root key", keystore.VolatileRootKeyEntry, rawGet(t, m, keystore.VolatileRootKeyEntry), backend.ErrCorrupt},
	} {
		err := r.VerifyStored([]byte(c.key), c.stored)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: VerifyStored = %v, want %v", c.name, err, c.want)
		}
	}
}
