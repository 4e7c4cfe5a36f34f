package keystore_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"slices"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/keystore"
)

const owner = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func newRoot(t *testing.T) *keystore.RootKey {
	t.Helper()
	r, err := keystore.NewRootKey(crypto.Random(keystore.RootKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewRootKeySize(t *testing.T) {
	for _, n := range []int{0, 1, 16, 24, 31, 33, 64} {
		if _, err := keystore.NewRootKey(make([]byte, n)); err == nil {
			t.Errorf("NewRootKey(%d bytes) succeeded, want an error", n)
		}
	}
	if _, err := keystore.NewRootKey(nil); err == nil {
		t.Error("NewRootKey(nil) succeeded, want an error")
	}
	if _, err := keystore.NewRootKey(make([]byte, 32)); err != nil {
		t.Errorf("NewRootKey(32 bytes): %v", err)
	}
}

// The caller may zero the raw key after NewRootKey.
func TestNewRootKeyCopiesRaw(t *testing.T) {
	raw := crypto.Random(32)
	r, err := keystore.NewRootKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.Wrap([]byte("material"), owner)
	if err != nil {
		t.Fatal(err)
	}
	same, err := keystore.NewRootKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	clear(raw)
	if got, err := r.Unwrap(w, owner); err != nil || string(got) != "material" {
		t.Fatalf("after zeroing raw: Unwrap = %q, %v", got, err)
	}
	w2, err := r.Wrap([]byte("again"), owner)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := same.Unwrap(w2, owner); err != nil || string(got) != "again" {
		t.Errorf("a root key made from the same bytes cannot unwrap after zeroing: %q, %v", got, err)
	}
}

func TestWrapUnwrap(t *testing.T) {
	r := newRoot(t)
	for _, m := range [][]byte{{}, {0}, crypto.Random(32), crypto.Random(1024)} {
		w, err := r.Wrap(m, owner)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) >= 8 && bytes.Contains(w, m) {
			t.Errorf("wrapped material contains the material in the clear")
		}
		got, err := r.Unwrap(w, owner)
		if err != nil || !bytes.Equal(got, m) {
			t.Errorf("Unwrap(Wrap(%d bytes)) = %d bytes, %v", len(m), len(got), err)
		}
	}
}

// Two wraps of the same material differ: the IV is random.
func TestWrapRandomized(t *testing.T) {
	r := newRoot(t)
	m := crypto.Random(32)
	a, _ := r.Wrap(m, owner)
	b, _ := r.Wrap(m, owner)
	if bytes.Equal(a, b) {
		t.Error("two wraps of the same material are identical")
	}
}

func TestUnwrapFailures(t *testing.T) {
	r := newRoot(t)
	m := crypto.Random(32)
	w, err := r.Wrap(m, owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Unwrap(w, owner+"x"); err == nil {
		t.Error("Unwrap with another owner succeeded")
	}
	if _, err := r.Unwrap(w, ""); err == nil {
		t.Error("Unwrap with an empty owner succeeded")
	}
	if _, err := newRoot(t).Unwrap(w, owner); err == nil {
		t.Error("Unwrap under another root key succeeded")
	}
	for i := range len(w) * 8 {
		b := slices.Clone(w)
		b[i/8] ^= 1 << (i % 8)
		if _, err := r.Unwrap(b, owner); err == nil {
			t.Fatalf("Unwrap of a blob with bit %d flipped succeeded", i)
		}
	}
	for n := range len(w) {
		if _, err := r.Unwrap(w[:n], owner); err == nil {
			t.Fatalf("Unwrap of a blob truncated to %d bytes succeeded", n)
		}
	}
}

var materialIDRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestGenerateOpen(t *testing.T) {
	r := newRoot(t)
	m, secret, err := r.Generate(owner, 32)
	if err != nil {
		t.Fatal(err)
	}
	if !materialIDRE.MatchString(m.ID) {
		t.Errorf("material id %q is not 64 lowercase hex digits", m.ID)
	}
	if len(secret) != 32 {
		t.Errorf("secret is %d bytes, want 32", len(secret))
	}
	if bytes.Contains(m.Wrapped, secret) {
		t.Error("wrapped material contains the secret in the clear")
	}
	got, err := r.Open(owner, m)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %x, %v; want the generated secret", got, err)
	}
	// Open is Unwrap with the owner bound to the material id.
	if got, err := r.Unwrap(m.Wrapped, keystore.MaterialOwner(owner, m.ID)); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("Unwrap with MaterialOwner = %x, %v", got, err)
	}

	m2, secret2, err := r.Generate(owner, 32)
	if err != nil {
		t.Fatal(err)
	}
	if m2.ID == m.ID || bytes.Equal(secret, secret2) {
		t.Error("two Generate calls returned the same id or material")
	}
	// A wrapped material moved to another key, or relabelled with another
	// material id, does not open.
	if _, err := r.Open(owner+"0", m); err == nil {
		t.Error("Open under another owner succeeded")
	}
	if _, err := r.Open(owner, keystore.Material{ID: m2.ID, Wrapped: m.Wrapped}); err == nil {
		t.Error("Open with another material id succeeded")
	}
	if _, err := newRoot(t).Open(owner, m); err == nil {
		t.Error("Open under another root key succeeded")
	}
}

func TestGenerateSizes(t *testing.T) {
	r := newRoot(t)
	for _, n := range []int{1, 16, 32, 1024} {
		m, secret, err := r.Generate(owner, n)
		if err != nil || len(secret) != n {
			t.Fatalf("Generate(%d) = %d bytes, %v", n, len(secret), err)
		}
		if got, err := r.Open(owner, m); err != nil || !bytes.Equal(got, secret) {
			t.Errorf("Open after Generate(%d): %v", n, err)
		}
	}
}

// MaterialOwner separates owner and material id, so moving bytes between
// them changes the binding.
func TestMaterialOwnerUnambiguous(t *testing.T) {
	if keystore.MaterialOwner("a", "bc") == keystore.MaterialOwner("ab", "c") {
		t.Error(`MaterialOwner("a","bc") == MaterialOwner("ab","c")`)
	}
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	defer store.Close()
	r := newRoot(t)

	if err := r.Verify(ctx, store); err != nil {
		t.Fatalf("first Verify on an empty store: %v", err)
	}
	var n int
	var check []byte
	store.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool { n++; check = v; return true })
	})
	if n != 1 {
		t.Fatalf("first Verify wrote %d records, want one check value", n)
	}
	if err := r.Verify(ctx, store); err != nil {
		t.Fatalf("Verify again with the same root key: %v", err)
	}
	var after []byte
	store.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool { after = v; return true })
	})
	if !bytes.Equal(after, check) {
		t.Error("a second Verify rewrote the check value")
	}
	if err := newRoot(t).Verify(ctx, store); !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Fatalf("Verify with a different root key: err = %v, want ErrWrongRootKey", err)
	}
	// The failed Verify left the check value alone: the right key still passes.
	if err := r.Verify(ctx, store); err != nil {
		t.Fatalf("Verify with the right key after a wrong one: %v", err)
	}
}

// A check value that does not authenticate means a wrong root key, not a
// crash or a silent pass.
func TestVerifyCorruptCheckValue(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	defer store.Close()
	r := newRoot(t)
	if err := r.Verify(ctx, store); err != nil {
		t.Fatal(err)
	}
	var key []byte
	store.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool { key = slices.Clone(k); return false })
	})
	for _, v := range [][]byte{nil, {}, {1, 2, 3}, crypto.Random(64)} {
		store.Update(ctx, func(tx backend.Txn) error { return tx.Set(key, v) })
		if err := r.Verify(ctx, store); !errors.Is(err, keystore.ErrWrongRootKey) {
			t.Errorf("Verify over check value %x: err = %v, want ErrWrongRootKey", v, err)
		}
	}
}

func TestVerifyClosedStore(t *testing.T) {
	store := memory.New()
	store.Close()
	if err := newRoot(t).Verify(context.Background(), store); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("Verify on a closed store: err = %v, want ErrClosed", err)
	}
}

func TestVolatileRootKey(t *testing.T) {
	store := memory.New()
	defer store.Close()
	a, err := keystore.VolatileRootKey(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	again, err := keystore.VolatileRootKey(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	other, err := keystore.VolatileRootKey(context.Background(), memory.New())
	if err != nil {
		t.Fatal(err)
	}
	w, err := a.Wrap([]byte("m"), owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Unwrap(w, owner); err != nil {
		t.Errorf("the same store gave another root key: %v", err)
	}
	if _, err := other.Unwrap(w, owner); err == nil {
		t.Error("two stores share one volatile root key")
	}
}

func TestVerifyRefusesKeysWithoutCheckValue(t *testing.T) {
	store := memory.New()
	defer store.Close()
	if err := store.Update(context.Background(), func(tx backend.Txn) error {
		return tx.Set([]byte("key/111122223333/us-east-1/k"), []byte("{}"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := newRoot(t).Verify(context.Background(), store); !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Fatalf("Verify on a store with keys but no check value: %v", err)
	}
}
