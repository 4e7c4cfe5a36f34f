package keystore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/keystore"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// fastArgon2 keeps tests quick; the defaults are checked separately.
var fastArgon2 = keystore.WithArgon2Params(keystore.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1})

func srcStore(t *testing.T) *memory.Store {
	t.Helper()
	m := memory.New()
	t.Cleanup(func() { m.Close() })
	return m
}

// snapshot returns every key and value of s.
func snapshot(t *testing.T, s backend.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.View(context.Background(), func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool { out[string(k)] = string(v); return true })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// open gets the root key of src for s and verifies it, as kms.New does.
func open(s backend.Store, src keystore.RootKeySource) (*keystore.RootKey, error) {
	ctx := context.Background()
	r, err := src.RootKey(ctx, s)
	if err != nil {
		return nil, err
	}
	return r, r.Verify(ctx, s)
}

func mustOpen(t *testing.T, s backend.Store, src keystore.RootKeySource) *keystore.RootKey {
	t.Helper()
	r, err := open(s, src)
	if err != nil {
		t.Fatalf("opening with the source: %v", err)
	}
	return r
}

// refusedUnchanged checks that src is refused on s with ErrWrongRootKey
// and that s is unchanged.
func refusedUnchanged(t *testing.T, s backend.Store, src keystore.RootKeySource) {
	t.Helper()
	before := snapshot(t, s)
	if _, err := open(s, src); !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Errorf("err = %v, want ErrWrongRootKey", err)
	}
	if after := snapshot(t, s); !maps.Equal(before, after) {
		t.Errorf("the refused source changed the store")
	}
}

func TestRawRootKeySourceIsTheKey(t *testing.T) {
	raw := crypto.Random(32)
	want, _ := keystore.NewRootKey(raw)
	src := keystore.RawRootKey(raw)
	clear(raw) // the source kept a copy
	s := srcStore(t)
	if got := mustOpen(t, s, src); got.ID() != want.ID() {
		t.Error("RawRootKey yields another key than NewRootKey")
	}
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := keystore.RawRootKey(make([]byte, n)).RootKey(context.Background(), s); err == nil {
			t.Errorf("%d-byte RawRootKey accepted", n)
		}
	}
}

func TestPassphraseSamePassphraseReopens(t *testing.T) {
	s := srcStore(t)
	a := mustOpen(t, s, keystore.PassphraseRootKey([]byte("correct horse"), fastArgon2))
	b := mustOpen(t, s, keystore.PassphraseRootKey([]byte("correct horse"), fastArgon2))
	if a.ID() != b.ID() {
		t.Error("the same passphrase gave another root key")
	}
	// A second store gets its own salt, hence its own key.
	c := mustOpen(t, srcStore(t), keystore.PassphraseRootKey([]byte("correct horse"), fastArgon2))
	if c.ID() == a.ID() {
		t.Error("two stores with the same passphrase share a root key: no per-store salt")
	}
}

func TestPassphraseWrongRefused(t *testing.T) {
	s := srcStore(t)
	mustOpen(t, s, keystore.PassphraseRootKey([]byte("correct horse"), fastArgon2))
	for _, p := range []string{"correct hors", "correct horse ", "Correct horse", "x"} {
		refusedUnchanged(t, s, keystore.PassphraseRootKey([]byte(p), fastArgon2))
	}
	if _, err := keystore.PassphraseRootKey(nil).RootKey(context.Background(), srcStore(t)); err == nil {
		t.Error("an empty passphrase was accepted")
	}
}

// Parameters and salt are kept in the store on first use and read back:
// a later open with other parameters configured still finds the key.
func TestPassphraseParamsReadBackFromStore(t *testing.T) {
	s := srcStore(t)
	first := keystore.Argon2Params{Time: 2, MemoryKiB: 96, Threads: 2}
	a := mustOpen(t, s, keystore.PassphraseRootKey([]byte("pw"), keystore.WithArgon2Params(first)))
	b := mustOpen(t, s, keystore.PassphraseRootKey([]byte("pw"), fastArgon2))
	if a.ID() != b.ID() {
		t.Fatal("reopening with other configured parameters gave another key: parameters not read back")
	}
	meta := snapshot(t, s)[keystore.SourceMetaPrefix+"passphrase"]
	if len(meta) != 1+26+32 {
		t.Fatalf("stored passphrase record is %d bytes", len(meta))
	}
	if got := []byte(meta[2:11]); !bytes.Equal(got, []byte{0, 0, 0, 2, 0, 0, 0, 96, 2}) {
		t.Errorf("stored parameters = %x, want t=2 m=96 p=2", got)
	}
}

// The stored salt and parameters are authenticated: any edit is refused
// by the source itself (before Verify), as a wrong root key.
func TestPassphraseTamperedParamsRefused(t *testing.T) {
	key := keystore.SourceMetaPrefix + "passphrase"
	edits := []struct {
		name string
		edit func([]byte) []byte
	}{
		{"salt bit", func(v []byte) []byte { v[20] ^= 1; return v }},
		{"time", func(v []byte) []byte { v[5]++; return v }},
		{"memory", func(v []byte) []byte { v[9]++; return v }},
		{"threads", func(v []byte) []byte { v[10]++; return v }},
		{"huge memory", func(v []byte) []byte { copy(v[6:10], []byte{0xff, 0xff, 0xff, 0xff}); return v }},
		{"zero time", func(v []byte) []byte { copy(v[2:6], []byte{0, 0, 0, 0}); return v }},
		{"tag bit", func(v []byte) []byte { v[len(v)-1] ^= 1; return v }},
		{"record version", func(v []byte) []byte { v[0] = 2; return v }},
		{"truncated", func(v []byte) []byte { return v[:len(v)-1] }},
		{"empty", func([]byte) []byte { return nil }},
	}
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			s := srcStore(t)
			mustOpen(t, s, keystore.PassphraseRootKey([]byte("pw"), fastArgon2))
			if err := s.Update(context.Background(), func(tx backend.Txn) error {
				v, err := tx.Get([]byte(key))
				if err != nil {
					return err
				}
				return tx.Set([]byte(key), tt.edit(v))
			}); err != nil {
				t.Fatal(err)
			}
			_, err := keystore.PassphraseRootKey([]byte("pw"), fastArgon2).RootKey(context.Background(), s)
			if !errors.Is(err, keystore.ErrWrongRootKey) {
				t.Errorf("RootKey after editing the %s: err = %v, want ErrWrongRootKey", tt.name, err)
			}
		})
	}
}

func TestPassphraseDefaultsAreRFC9106SecondOption(t *testing.T) {
	if want := (keystore.Argon2Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}); keystore.DefaultArgon2Params != want {
		t.Errorf("DefaultArgon2Params = %+v, want %+v", keystore.DefaultArgon2Params, want)
	}
	for _, p := range []keystore.Argon2Params{{}, {Time: 1, MemoryKiB: 7, Threads: 1}, {Time: 1, MemoryKiB: 64, Threads: 0}, {Time: 1, MemoryKiB: 5 << 20, Threads: 1}} {
		if _, err := keystore.PassphraseRootKey([]byte("pw"), keystore.WithArgon2Params(p)).RootKey(context.Background(), srcStore(t)); err == nil {
			t.Errorf("parameters %+v accepted", p)
		}
	}
}

// A store initialised under one kind of source refuses every other kind,
// and the refusal writes nothing.
func TestSourceOfAnotherKindRefusedUnchanged(t *testing.T) {
	a := newAEAD(t)
	kinds := map[string]func() keystore.RootKeySource{
		"raw":        func() keystore.RootKeySource { return keystore.RawRootKey(crypto.Random(32)) },
		"passphrase": func() keystore.RootKeySource { return keystore.PassphraseRootKey([]byte("pw"), fastArgon2) },
		"aead":       func() keystore.RootKeySource { return keystore.AEADRootKey(a) },
	}
	for first, mk := range kinds {
		s := srcStore(t)
		mustOpen(t, s, mk())
		for other, mk2 := range kinds {
			if other != first {
				t.Run(first+" then "+other, func(t *testing.T) { refusedUnchanged(t, s, mk2()) })
			}
		}
	}
}

func writeKeyFile(t *testing.T, content []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "root.key")
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // not subject to umask
		t.Fatal(err)
	}
	return p
}

func TestRootKeyFilePermissionsAndSize(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix mode bits")
	}
	raw := crypto.Random(32)
	want, _ := keystore.NewRootKey(raw)
	tests := []struct {
		name    string
		content []byte
		mode    os.FileMode
		ok      bool
		errHas  string
	}{
		{"0600", raw, 0o600, true, ""},
		{"0400", raw, 0o400, true, ""},
		{"0640 group-readable", raw, 0o640, false, "mode"},
		{"0604 world-readable", raw, 0o604, false, "mode"},
		{"0620 group-writable", raw, 0o620, false, "mode"},
		{"0602 world-writable", raw, 0o602, false, "mode"},
		{"0610 group-executable", raw, 0o610, false, "mode"},
		{"31 bytes", raw[:31], 0o600, false, "31 bytes"},
		{"33 bytes", append(raw[:32:32], '\n'), 0o600, false, "33 bytes"},
		{"empty", nil, 0o600, false, "0 bytes"},
		{"hex", []byte(hex.EncodeToString(raw)), 0o600, false, "64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeKeyFile(t, tt.content, tt.mode)
			r, err := keystore.RootKeyFile(p).RootKey(context.Background(), srcStore(t))
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if r.ID() != want.ID() {
					t.Error("the file's key is not its 32 bytes")
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.errHas) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file and say %q", err, tt.errHas)
			}
			if strings.Contains(err.Error(), hex.EncodeToString(raw[:8])) {
				t.Error("the error holds key bytes")
			}
		})
	}
}

func TestRootKeyFileMissingOrNotAFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.key")
	_, err := keystore.RootKeyFile(missing).RootKey(context.Background(), srcStore(t))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist naming the file", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.RootKeyFile(dir).RootKey(context.Background(), srcStore(t)); err == nil {
		t.Error("a directory was accepted as a key file")
	}
}

func newAEAD(t *testing.T) tink.AEAD {
	t.Helper()
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	a, err := aead.New(h)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAEADRootKeyEnvelope(t *testing.T) {
	a := newAEAD(t)
	s := srcStore(t)
	r1 := mustOpen(t, s, keystore.AEADRootKey(a))
	r2 := mustOpen(t, s, keystore.AEADRootKey(a))
	if r1.ID() != r2.ID() {
		t.Fatal("the same AEAD gave another root key")
	}
	refusedUnchanged(t, s, keystore.AEADRootKey(newAEAD(t)))

	// The envelope is the root key encrypted under the AEAD, bound to its
	// purpose by associated data, and never the key in the clear.
	env := []byte(snapshot(t, s)[keystore.SourceMetaPrefix+"aead-envelope"])
	if len(env) == 0 {
		t.Fatal("no envelope stored")
	}
	if _, err := a.Decrypt(env, nil); err == nil {
		t.Error("the envelope decrypts without associated data: not bound to its purpose")
	}
	raw, err := a.Decrypt(env, []byte("embedkms/root-key-envelope/v1\x00"+keystore.SourceMetaPrefix+"aead-envelope"))
	if err != nil {
		t.Fatalf("the envelope does not decrypt with its associated data: %v", err)
	}
	if rk, _ := keystore.NewRootKey(raw); rk == nil || rk.ID() != r1.ID() {
		t.Fatal("the envelope does not hold the root key")
	}
	for k, v := range snapshot(t, s) {
		for _, f := range [][]byte{raw, []byte(hex.EncodeToString(raw)), []byte(base64.StdEncoding.EncodeToString(raw))} {
			if bytes.Contains([]byte(v), f) {
				t.Errorf("%s holds the root key in the clear", k)
			}
		}
	}

	// An edited envelope is refused.
	if err := s.Update(context.Background(), func(tx backend.Txn) error {
		env[len(env)-1] ^= 1
		return tx.Set([]byte(keystore.SourceMetaPrefix+"aead-envelope"), env)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.AEADRootKey(a).RootKey(context.Background(), s); !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Errorf("edited envelope: err = %v, want ErrWrongRootKey", err)
	}
}
