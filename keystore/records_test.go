package keystore_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/backendtest"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/keystore"
)

// The authenticated view keeps every guarantee of the store under it.
func TestAuthenticatedConformance(t *testing.T) {
	root := newRoot(t)
	backendtest.Run(t, func(t *testing.T) backend.Store { return root.Authenticated(memory.New()) })
}

const (
	vecKey = "key/111122223333/us-east-1/1234abcd-12ab-34cd-56ef-1234567890ab"
	vecVal = `{"state":"Disabled"}`
	// vecStored is vecVal stored at vecKey under the root key 00 01 .. 1f,
	// computed from the format's doc comment with crypto/hkdf and
	// crypto/hmac (record format version 1, frozen: a change here breaks
	// every existing store).
	vecStored = "017b227374617465223a2244697361626c6564227d294a95baef96f7d9fc5ec538f61d3f25798b59e5d2e67b8d7841309635a654d9"
)

func vectorRoot(t *testing.T) *keystore.RootKey {
	t.Helper()
	raw := make([]byte, keystore.RootKeySize)
	for i := range raw {
		raw[i] = byte(i)
	}
	r, err := keystore.NewRootKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func rawGet(t *testing.T, s backend.Store, key string) []byte {
	t.Helper()
	var v []byte
	if err := s.View(context.Background(), func(tx backend.Txn) error {
		var err error
		v, err = tx.Get([]byte(key))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func rawSet(t *testing.T, s backend.Store, key string, v []byte) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx backend.Txn) error { return tx.Set([]byte(key), v) }); err != nil {
		t.Fatal(err)
	}
}

func TestRecordFormatVector(t *testing.T) {
	m := memory.New()
	a := vectorRoot(t).Authenticated(m)
	rawSet(t, a, vecKey, []byte(vecVal))
	if got := hex.EncodeToString(rawGet(t, m, vecKey)); got != vecStored {
		t.Fatalf("stored record\n got %s\nwant %s", got, vecStored)
	}
	want, _ := hex.DecodeString(vecStored)
	rawSet(t, m, vecKey, want)
	if got := rawGet(t, a, vecKey); string(got) != vecVal {
		t.Fatalf("frozen record reads back as %q, want %q", got, vecVal)
	}
}

// Every way a stored record can be changed behind the handle's back is
// refused with backend.ErrCorrupt, and the record's content is not returned.
func TestRecordTamperingIsCorrupt(t *testing.T) {
	good, _ := hex.DecodeString(vecStored)
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x01; return b }
	edited := bytes.Replace(good, []byte("Disabled"), []byte("Enabled!"), 1)
	for _, tc := range []struct {
		name   string
		key    string
		stored []byte
	}{
		{"value edited (Disabled -> Enabled)", vecKey, edited},
		{"a bit of the value flipped", vecKey, flip(5)},
		{"a bit of the tag flipped", vecKey, flip(len(good) - 1)},
		{"record moved to another key's place", vecKey[:len(vecKey)-1] + "c", good},
		{"tag cut off", vecKey, good[:len(good)-32]},
		{"truncated to the version byte", vecKey, good[:1]},
		{"empty", vecKey, []byte{}},
		{"unauthenticated plain JSON", vecKey, []byte(vecVal)},
		{"newer format version", vecKey, append([]byte{0x02}, good[1:]...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := memory.New()
			a := vectorRoot(t).Authenticated(m)
			rawSet(t, m, tc.key, tc.stored)
			err := a.View(context.Background(), func(tx backend.Txn) error {
				v, err := tx.Get([]byte(tc.key))
				if err == nil {
					t.Errorf("Get returned %q", v)
				}
				return err
			})
			if !errors.Is(err, backend.ErrCorrupt) {
				t.Fatalf("Get: %v, want backend.ErrCorrupt", err)
			}
			var seen int
			err = a.View(context.Background(), func(tx backend.Txn) error {
				return tx.Scan([]byte("key/"), nil, func(_, _ []byte) bool { seen++; return true })
			})
			if !errors.Is(err, backend.ErrCorrupt) || seen != 0 {
				t.Fatalf("Scan: %v after %d records, want backend.ErrCorrupt before any", err, seen)
			}
		})
	}
}

// A record written under one root key does not authenticate under another.
func TestRecordOtherRootKeyIsCorrupt(t *testing.T) {
	m := memory.New()
	rawSet(t, newRoot(t).Authenticated(m), vecKey, []byte(vecVal))
	err := newRoot(t).Authenticated(m).View(context.Background(), func(tx backend.Txn) error {
		_, err := tx.Get([]byte(vecKey))
		return err
	})
	if !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("Get under another root key: %v, want backend.ErrCorrupt", err)
	}
}

// The view never stores a value in the clear form it was given without
// its version and tag, and an empty value (an index entry) is still
// authenticated.
func TestRecordEmptyValueAuthenticated(t *testing.T) {
	m := memory.New()
	a := vectorRoot(t).Authenticated(m)
	rawSet(t, a, "idx/x", nil)
	if got := rawGet(t, m, "idx/x"); len(got) != 1+32 || got[0] != keystore.RecordVersion1 {
		t.Fatalf("stored empty value = %x, want version byte and tag", got)
	}
	rawSet(t, m, "idx/y", rawGet(t, m, "idx/x")) // moved index entry
	err := a.View(context.Background(), func(tx backend.Txn) error {
		_, err := tx.Get([]byte("idx/y"))
		return err
	})
	if !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("moved index entry: %v, want backend.ErrCorrupt", err)
	}
}

// FuzzAuthenticatedGet: whatever bytes a store holds, reading them never
// panics, and a read succeeds only for exactly the bytes the view itself
// writes for that value at that key (no other encoding authenticates).
func FuzzAuthenticatedGet(f *testing.F) {
	good, _ := hex.DecodeString(vecStored)
	f.Add(vecKey, good)
	f.Add(vecKey, []byte{})
	f.Add("k", []byte{1})
	f.Add(vecKey, append([]byte{2}, good[1:]...))
	f.Fuzz(func(t *testing.T, key string, stored []byte) {
		if key == "" {
			return
		}
		m := memory.New()
		a := vectorRoot(t).Authenticated(m)
		rawSet(t, m, key, stored)
		var got []byte
		err := a.View(context.Background(), func(tx backend.Txn) error {
			var err error
			got, err = tx.Get([]byte(key))
			return err
		})
		if err != nil {
			if !errors.Is(err, backend.ErrCorrupt) {
				t.Fatalf("Get: %v, want nil or backend.ErrCorrupt", err)
			}
			return
		}
		m2 := memory.New()
		rawSet(t, vectorRoot(t).Authenticated(m2), key, got)
		if again := rawGet(t, m2, key); !bytes.Equal(again, stored) {
			t.Fatalf("%x authenticated as %q, which is stored as %x", stored, got, again)
		}
	})
}
