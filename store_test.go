package kms_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
)

// stEdit rewrites the raw bytes stored at key (bypassing the handle), as
// someone with access to the store's files could.
func stEdit(t *testing.T, s backend.Store, key []byte, edit func([]byte) []byte) {
	t.Helper()
	err := s.Update(context.Background(), func(tx backend.Txn) error {
		v, err := tx.Get(key)
		if err != nil {
			return err
		}
		return tx.Set(key, edit(v))
	})
	if err != nil {
		t.Fatalf("editing %s: %v", key, err)
	}
}

func stRaw(t *testing.T, s backend.Store, key []byte) []byte {
	t.Helper()
	var v []byte
	err := s.View(context.Background(), func(tx backend.Txn) error {
		var err error
		v, err = tx.Get(key)
		return err
	})
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return v
}

// stWantCorrupt fails unless err is a KMSInternalException caused by a
// corrupt store.
func stWantCorrupt(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, kms.ErrKMSInternal) || !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("%s: %v, want KMSInternalException wrapping backend.ErrCorrupt", what, err)
	}
}

// A Disabled key's record edited to Enabled on disk must not make Encrypt
// succeed after reopening: the store is reported corrupt.
func TestEditedKeyRecordIsRefused(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	root := crypto.Random(32)
	a := rkNew(t, kms.Options{Backend: m, RootKey: root})
	md := rkCreateKey(t, a)
	if _, err := a.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	key := records.KeyKey(md.AWSAccountId, "us-east-1", md.KeyId)
	stEdit(t, m, key, func(v []byte) []byte {
		if !bytes.Contains(v, []byte(`"state":"Disabled"`)) {
			t.Fatalf("stored record %q does not hold the state in JSON", v)
		}
		return bytes.Replace(v, []byte(`"state":"Disabled"`), []byte(`"state":"Enabled"`), 1)
	})

	b := rkNew(t, kms.Options{Backend: m, RootKey: root})
	_, err := b.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	stWantCorrupt(t, "Encrypt with an edited record", err)
	_, err = b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	stWantCorrupt(t, "DescribeKey", err)
	_, err = b.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	stWantCorrupt(t, "EnableKey", err)
	_, err = b.ListKeys(ctx, &kms.ListKeysInput{})
	stWantCorrupt(t, "ListKeys", err)
}

// A key's record copied over another key's (an "enabled" record planted
// where a disabled key's was) is refused: records are bound to their key.
func TestSwappedKeyRecordIsRefused(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	root := crypto.Random(32)
	a := rkNew(t, kms.Options{Backend: m, RootKey: root})
	enabled, disabled := rkCreateKey(t, a), rkCreateKey(t, a)
	if _, err := a.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyId}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	good := stRaw(t, m, records.KeyKey(enabled.AWSAccountId, "us-east-1", enabled.KeyId))
	stEdit(t, m, records.KeyKey(disabled.AWSAccountId, "us-east-1", disabled.KeyId), func([]byte) []byte { return good })

	b := rkNew(t, kms.Options{Backend: m, RootKey: root})
	_, err := b.Encrypt(ctx, &kms.EncryptInput{KeyId: disabled.KeyId, Plaintext: []byte("x")})
	stWantCorrupt(t, "Encrypt under a swapped record", err)
	rkDecrypts(t, b, rkEncrypt(t, b, enabled.KeyId, []byte("still fine"), nil), []byte("still fine"), nil)
}

// An alias record edited to point at another key is refused, not followed.
func TestEditedAliasRecordIsRefused(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	root := crypto.Random(32)
	a := rkNew(t, kms.Options{Backend: m, RootKey: root})
	mine, other := rkCreateKey(t, a), rkCreateKey(t, a)
	if _, err := a.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/app", TargetKeyId: mine.KeyId}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	stEdit(t, m, records.AliasKey(mine.AWSAccountId, "us-east-1", "alias/app"), func(v []byte) []byte {
		return bytes.Replace(v, []byte(mine.KeyId), []byte(other.KeyId), 1)
	})
	b := rkNew(t, kms.Options{Backend: m, RootKey: root})
	_, err := b.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/app", Plaintext: []byte("x")})
	stWantCorrupt(t, "Encrypt through an edited alias", err)
	_, err = b.ListAliases(ctx, &kms.ListAliasesInput{})
	stWantCorrupt(t, "ListAliases", err)
}

// stOpaque is a store whose type cannot be a map key (it has a slice
// field): two values of it over one memory store are the same backend.
type stOpaque struct {
	backend.Store
	_ []int
}

// stWrapper is a comparable wrapper around a store that is not.
type stWrapper struct{ inner backend.Store }

func (w stWrapper) View(ctx context.Context, fn func(backend.Txn) error) error {
	return w.inner.View(ctx, fn)
}
func (w stWrapper) Update(ctx context.Context, fn func(backend.Txn) error) error {
	return w.inner.Update(ctx, fn)
}
func (w stWrapper) Close() error { return w.inner.Close() }

// Every handle over one backend shares one cache, whatever Go value it was
// given for it: a key one handle disables and schedules for deletion is
// refused at once by the others, even those that had it cached.
func TestOneCachePerBackend(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	root := crypto.Random(32)
	opaque := stOpaque{Store: m}
	stores := map[string]backend.Store{
		"the memory store":                   m,
		"a non-comparable store":             stOpaque{Store: m},
		"another value of that type":         stOpaque{Store: m},
		"a comparable wrapper around one":    stWrapper{inner: opaque},
		"a pointer wrapper around a wrapper": &stWrapper{inner: stWrapper{inner: opaque}},
	}
	handles := map[string]*kms.KMS{}
	for name, s := range stores {
		handles[name] = rkNew(t, kms.Options{Backend: s, RootKey: root})
	}
	md := rkCreateKey(t, handles["the memory store"])
	for name, k := range handles { // every handle caches the key
		if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}); err != nil {
			t.Fatalf("%s: Encrypt: %v", name, err)
		}
	}
	if _, err := handles["a non-comparable store"].DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	for name, k := range handles {
		if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}); !errors.Is(err, kms.ErrDisabled) {
			t.Errorf("%s: Encrypt after another handle disabled the key: %v, want DisabledException", name, err)
		}
	}
}

// Only the memory store itself may run without a root key: a store that
// embeds it (a persisting wrapper, say) would otherwise keep a random root
// key in the clear beside the key material it protects.
func TestEmbeddedMemoryStoreIsNotVolatile(t *testing.T) {
	type persisting struct{ *memory.Store }
	s := persisting{memory.New()}
	if k, err := kms.New(kms.Options{Backend: s}); err == nil {
		k.Close()
		t.Fatal("New without RootKey on a store embedding the memory store succeeded")
	}
	rkNew(t, kms.Options{Backend: s, RootKey: crypto.Random(32)})
}

// stCopy copies every entry of from into to, as restoring a backup would.
func stCopy(t *testing.T, from, to backend.Store) {
	t.Helper()
	err := from.View(context.Background(), func(src backend.Txn) error {
		return to.Update(context.Background(), func(dst backend.Txn) error {
			var err error
			if serr := src.Scan(nil, nil, func(k, v []byte) bool { err = dst.Set(k, v); return err == nil }); serr != nil {
				return serr
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two backends never share a cache, even when one is a copy of the other
// under the same root key (a restored backup) once the copy has a fresh
// identity: a key disabled in one stays enabled in the other, and neither
// sees the other's cached state.
func TestDistinctBackendsDoNotShareCache(t *testing.T) {
	ctx := context.Background()
	root := crypto.Random(32)
	a, b := memory.New(), memory.New()
	ka := rkNew(t, kms.Options{Backend: a, RootKey: root})
	md := rkCreateKey(t, ka)
	stCopy(t, a, b)
	if err := b.Update(ctx, func(tx backend.Txn) error { return tx.Delete([]byte("meta/store-id")) }); err != nil {
		t.Fatal(err)
	}
	kb := rkNew(t, kms.Options{Backend: b, RootKey: root})
	if _, err := ka.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := kb.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatalf("Encrypt in the copy, where the key is enabled: %v", err)
	}
	if _, err := ka.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}); !errors.Is(err, kms.ErrDisabled) {
		t.Fatalf("Encrypt in the original, where the key is disabled: %v, want DisabledException", err)
	}
}

// A backend's identity is an authenticated record: copied into a store
// under another root key it does not authenticate, so that store can
// neither open nor join the first store's cache (whose unwrapped keys it
// would otherwise use).
func TestForgedStoreIdentityIsRefused(t *testing.T) {
	victim, attacker := memory.New(), memory.New()
	rkNew(t, kms.Options{Backend: victim, RootKey: crypto.Random(32)})
	attackerRoot := crypto.Random(32)
	rkNew(t, kms.Options{Backend: attacker, RootKey: attackerRoot}).Close()
	id := stRaw(t, victim, []byte("meta/store-id"))
	stEdit(t, attacker, []byte("meta/store-id"), func([]byte) []byte { return id })
	if k, err := kms.New(kms.Options{Backend: attacker, RootKey: attackerRoot}); err == nil {
		k.Close()
		t.Fatal("New succeeded on a store whose identity was copied from another")
	} else if !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("New: %v, want backend.ErrCorrupt", err)
	}
}
