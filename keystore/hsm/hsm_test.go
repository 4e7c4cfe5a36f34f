//go:build cgo

package hsm

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms/keystore/hsm/hsmtest"
	"github.com/miekg/pkcs11"
)

// open opens a fresh SoftHSM2 token and closes it when the test ends.
func open(t testing.TB) (*Token, *hsmtest.Token) {
	t.Helper()
	tok := hsmtest.NewToken(t, "embedkms-test")
	h, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h, tok
}

func TestRoundTrip(t *testing.T) {
	h, _ := open(t)
	k, err := h.GenerateKey("round-trip")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{"empty", nil, nil},
		{"one byte", []byte{7}, nil},
		{"with aad", []byte("hello token"), []byte("context")},
		{"4300 bytes", bytes.Repeat([]byte{0xa5}, 4300), bytes.Repeat([]byte{1}, 8192)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := h.Encrypt(k.ID, tc.plaintext, tc.aad)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.IV) != IVBytes || len(s.Tag) != TagBytes || len(s.Ciphertext) != len(tc.plaintext) {
				t.Fatalf("IV %d, tag %d, ciphertext %d bytes for %d of plaintext", len(s.IV), len(s.Tag), len(s.Ciphertext), len(tc.plaintext))
			}
			if len(tc.plaintext) > 1 && bytes.Equal(s.Ciphertext, tc.plaintext) {
				t.Fatal("ciphertext is the plaintext")
			}
			pt, err := h.Decrypt(k.ID, s, tc.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pt, tc.plaintext) {
				t.Fatalf("Decrypt = %x, want %x", pt, tc.plaintext)
			}
		})
	}
	t.Run("fresh IVs", func(t *testing.T) {
		a, _ := h.Encrypt(k.ID, []byte("same"), nil)
		b, _ := h.Encrypt(k.ID, []byte("same"), nil)
		if bytes.Equal(a.IV, b.IV) || bytes.Equal(a.Ciphertext, b.Ciphertext) {
			t.Fatalf("two encryptions share IV %x / ciphertext %x", a.IV, a.Ciphertext)
		}
	})
}

// TestDecryptRefusesTampering changes each part of a sealed message and the
// AAD in turn; every change must fail with ErrDecrypt.
func TestDecryptRefusesTampering(t *testing.T) {
	h, _ := open(t)
	k, err := h.GenerateKey("tamper")
	if err != nil {
		t.Fatal(err)
	}
	other, err := h.GenerateKey("other")
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("aad")
	s, err := h.Encrypt(k.ID, []byte("sixteen byte msg"), aad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	for _, tc := range []struct {
		name string
		key  string
		s    Sealed
		aad  []byte
	}{
		{"ciphertext", k.ID, Sealed{s.IV, flip(s.Ciphertext, 3), s.Tag}, aad},
		{"tag", k.ID, Sealed{s.IV, s.Ciphertext, flip(s.Tag, 15)}, aad},
		{"iv", k.ID, Sealed{flip(s.IV, 0), s.Ciphertext, s.Tag}, aad},
		{"wrong aad", k.ID, s, []byte("aae")},
		{"no aad", k.ID, s, nil},
		{"other key", other.ID, s, aad},
		{"short tag", k.ID, Sealed{s.IV, s.Ciphertext, s.Tag[:12]}, aad},
		{"short iv", k.ID, Sealed{s.IV[:8], s.Ciphertext, s.Tag}, aad},
		{"truncated", k.ID, Sealed{s.IV, s.Ciphertext[:15], s.Tag}, aad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := h.Decrypt(tc.key, tc.s, tc.aad)
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Decrypt = %x, %v; want ErrDecrypt", pt, err)
			}
		})
	}
	// The session that failed went back to the pool in a usable state.
	if pt, err := h.Decrypt(k.ID, s, aad); err != nil || string(pt) != "sixteen byte msg" {
		t.Fatalf("Decrypt after failures = %q, %v", pt, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	tok := hsmtest.NewToken(t, "concurrent")
	h, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN, MaxSessions: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	k, err := h.GenerateKey("concurrent")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				msg := []byte{byte(g), byte(i)}
				s, err := h.Encrypt(k.ID, msg, msg)
				if err != nil {
					errs <- err
					return
				}
				pt, err := h.Decrypt(k.ID, s, msg)
				if err != nil || !bytes.Equal(pt, msg) {
					errs <- errors.Join(err, errors.New("plaintext "+string(pt)))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	h.mu.Lock()
	open := h.open
	h.mu.Unlock()
	if open > 3 {
		t.Fatalf("%d sessions open, MaxSessions 3", open)
	}
}

// attr reads one attribute of an object through the package's session.
func attr(t *testing.T, h *Token, id string, typ uint) ([]byte, error) {
	t.Helper()
	var v []byte
	err := h.withKey("attr", id, func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, o pkcs11.ObjectHandle) error {
		a, err := ctx.GetAttributeValue(s, o, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
		if err == nil {
			v = a[0].Value
		}
		return err
	})
	return v, err
}

// TestKeyIsNotExtractable asks the token for the generated key's value
// (refused: CKR_ATTRIBUTE_SENSITIVE) and checks the attributes that keep
// it inside the token.
func TestKeyIsNotExtractable(t *testing.T) {
	h, _ := open(t)
	k, err := h.GenerateKey("sealed")
	if err != nil {
		t.Fatal(err)
	}
	v, err := attr(t, h, k.ID, pkcs11.CKA_VALUE)
	var e *Error
	if !errors.As(err, &e) || e.RV != pkcs11.CKR_ATTRIBUTE_SENSITIVE {
		t.Fatalf("CKA_VALUE = %x, %v; want CKR_ATTRIBUTE_SENSITIVE", v, err)
	}
	for _, tc := range []struct {
		name string
		typ  uint
		want bool
	}{
		{"CKA_EXTRACTABLE", pkcs11.CKA_EXTRACTABLE, false},
		{"CKA_NEVER_EXTRACTABLE", pkcs11.CKA_NEVER_EXTRACTABLE, true},
		{"CKA_SENSITIVE", pkcs11.CKA_SENSITIVE, true},
		{"CKA_ALWAYS_SENSITIVE", pkcs11.CKA_ALWAYS_SENSITIVE, true},
		{"CKA_TOKEN", pkcs11.CKA_TOKEN, true},
		{"CKA_PRIVATE", pkcs11.CKA_PRIVATE, true},
		{"CKA_ENCRYPT", pkcs11.CKA_ENCRYPT, true},
		{"CKA_DECRYPT", pkcs11.CKA_DECRYPT, true},
		{"CKA_WRAP", pkcs11.CKA_WRAP, false},
		{"CKA_LOCAL", pkcs11.CKA_LOCAL, true},
	} {
		v, err := attr(t, h, k.ID, tc.typ)
		if err != nil || isTrue(v) != tc.want {
			t.Errorf("%s = %x, %v; want %v", tc.name, v, err, tc.want)
		}
	}
	if v, err := attr(t, h, k.ID, pkcs11.CKA_VALUE_LEN); err != nil || len(v) == 0 {
		t.Fatalf("CKA_VALUE_LEN = %x, %v", v, err)
	} else if n, _ := bytesToUint(v); n != KeyBytes {
		t.Fatalf("CKA_VALUE_LEN = %d, want %d", n, KeyBytes)
	}
}

// generateTwin makes what GenerateKey makes except that it is extractable
// and not sensitive: a debug twin whose value the test can read, to learn
// what the token's storage and this package's outputs look like for a key
// whose value is known.
func generateTwin(t *testing.T, h *Token) (id string, value []byte) {
	t.Helper()
	id = newID()
	tmpl := keyTemplate(id, "twin")
	for i, a := range tmpl {
		switch a.Type {
		case pkcs11.CKA_SENSITIVE, pkcs11.CKA_EXTRACTABLE:
			tmpl[i] = pkcs11.NewAttribute(a.Type, a.Type == pkcs11.CKA_EXTRACTABLE)
		}
	}
	err := h.with(func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) error {
		_, err := ctx.GenerateKey(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}, tmpl)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	value, err = attr(t, h, id, pkcs11.CKA_VALUE)
	if err != nil || len(value) != KeyBytes {
		t.Fatalf("twin CKA_VALUE = %x, %v", value, err)
	}
	return id, value
}

// TestTwinMaterialNeverExposed uses the debug twin: what Encrypt returns
// for it is AES-256-GCM under its value (crypto/aes opens it, so the
// mechanism and parameters are the ones documented), yet neither those
// outputs nor the token's files hold the value: the package's API and the
// token's storage expose no key material, and the real, non-extractable
// keys are made by the same template with only CKA_SENSITIVE and
// CKA_EXTRACTABLE changed.
func TestTwinMaterialNeverExposed(t *testing.T) {
	h, tok := open(t)
	real, err := h.GenerateKey("real")
	if err != nil {
		t.Fatal(err)
	}
	id, value := generateTwin(t, h)
	block, _ := aes.NewCipher(value)
	gcm, _ := cipher.NewGCM(block)
	plaintext, aad := bytes.Repeat([]byte("p"), 100), []byte("aad")
	var outputs [][]byte
	for _, key := range []string{id, real.ID} {
		s, err := h.Encrypt(key, plaintext, aad)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, s.IV, s.Ciphertext, s.Tag)
		if key == id {
			pt, err := gcm.Open(nil, s.IV, append(bytes.Clone(s.Ciphertext), s.Tag...), aad)
			if err != nil || !bytes.Equal(pt, plaintext) {
				t.Fatalf("crypto/aes cannot open the token's AES-GCM output: %v", err)
			}
			// And the other way: the token opens what crypto/aes sealed.
			nonce := bytes.Repeat([]byte{9}, IVBytes)
			sealed := gcm.Seal(nil, nonce, plaintext, aad)
			n := len(plaintext)
			pt, err = h.Decrypt(key, Sealed{nonce, sealed[:n], sealed[n:]}, aad)
			if err != nil || !bytes.Equal(pt, plaintext) {
				t.Fatalf("the token cannot open crypto/aes's AES-GCM output: %v", err)
			}
		}
	}
	k, err := h.FindKey(id)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, []byte(k.ID), []byte(k.Label))
	for _, o := range outputs {
		if bytes.Contains(o, value) || bytes.Contains(value, o) && len(o) >= 8 {
			t.Fatalf("an output of the package holds the twin's key material")
		}
	}
	h.Close()
	scanned := 0
	err = filepath.WalkDir(tok.TokenDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned += len(b)
		if bytes.Contains(b, value) || bytes.Contains(b, value[:16]) || bytes.Contains(b, value[16:]) {
			t.Errorf("%s holds the twin's key material", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned == 0 {
		t.Fatal("the token directory is empty: nothing was scanned")
	}
}

func TestOpenErrors(t *testing.T) {
	tok := hsmtest.NewToken(t, "errors")
	for _, tc := range []struct {
		name string
		cfg  Config
		want error
		code string
	}{
		{"wrong PIN", Config{Module: tok.Module, TokenLabel: tok.Label, PIN: "0000000000"}, ErrPINIncorrect, "INVALID_CREDENTIALS"},
		{"missing token", Config{Module: tok.Module, TokenLabel: "no-such-token", PIN: tok.PIN}, ErrTokenNotPresent, "CLUSTER_NOT_FOUND"},
		{"missing module", Config{Module: filepath.Join(t.TempDir(), "nope.so"), TokenLabel: tok.Label, PIN: tok.PIN}, ErrModule, "CLUSTER_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Open(tc.cfg)
			if err == nil {
				h.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			if got := ConnectionErrorCode(err); got != tc.code {
				t.Fatalf("ConnectionErrorCode = %s, want %s", got, tc.code)
			}
		})
	}
	// A failed Open leaves nothing behind: the module is finalised, so the
	// right PIN still logs in.
	if n := len(modules.m); n != 0 {
		t.Fatalf("%d modules still loaded after failed opens", n)
	}
	h, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label + " ", PIN: tok.PIN})
	if err != nil {
		t.Fatalf("Open with the right PIN (label with a trailing blank): %v", err)
	}
	h.Close()
}

// TestOpenChecksPINWhileLoggedIn opens a second Token on a token the
// process is logged in to: C_Login answers CKR_USER_ALREADY_LOGGED_IN
// whatever the PIN, and Open must still refuse a wrong one.
func TestOpenChecksPINWhileLoggedIn(t *testing.T) {
	h, tok := open(t)
	wrong := Config{Module: tok.Module, TokenLabel: tok.Label, PIN: "0000000000"}
	if h2, err := Open(wrong); err == nil {
		h2.Close()
		t.Fatal("a wrong PIN opened a token another Token is logged in to")
	} else if !errors.Is(err, ErrPINIncorrect) || ConnectionErrorCode(err) != "INVALID_CREDENTIALS" {
		t.Fatalf("Open with a wrong PIN: %v", err)
	}
	h2, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN})
	if err != nil {
		t.Fatalf("the right PIN while logged in: %v", err)
	}
	h.Close()
	// h2 still holds the login: the check still applies.
	if h3, err := Open(wrong); err == nil {
		h3.Close()
		t.Fatal("a wrong PIN opened the token while a second Token is logged in")
	}
	h2.Close()
	if h4, err := Open(wrong); !errors.Is(err, ErrPINIncorrect) {
		if err == nil {
			h4.Close()
		}
		t.Fatalf("Open with a wrong PIN after every Token closed: %v", err)
	}
	h5, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN})
	if err != nil {
		t.Fatalf("the right PIN after every Token closed: %v", err)
	}
	h5.Close()
}

func TestKeyLifecycle(t *testing.T) {
	h, _ := open(t)
	k, err := h.GenerateKey("lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	if len(k.ID) != 36 || strings.Trim(k.ID, "0123456789abcdef-") != "" {
		t.Fatalf("id %q is not a UUID", k.ID)
	}
	got, err := h.FindKey(k.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := Key{ID: k.ID, Label: "lifecycle", Bits: 256, Encrypt: true, Decrypt: true}
	if got != want || k != want {
		t.Fatalf("FindKey = %+v, GenerateKey = %+v; want %+v", got, k, want)
	}
	s, err := h.Encrypt(k.ID, []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteKey(k.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"FindKey":   func() error { _, err := h.FindKey(k.ID); return err }(),
		"Encrypt":   func() error { _, err := h.Encrypt(k.ID, []byte("x"), nil); return err }(),
		"Decrypt":   func() error { _, err := h.Decrypt(k.ID, s, nil); return err }(),
		"DeleteKey": h.DeleteKey(k.ID),
		"empty id":  func() error { _, err := h.FindKey(""); return err }(),
		"unknown":   func() error { _, err := h.Encrypt(newID(), nil, nil); return err }(),
	} {
		if !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("%s after DeleteKey: %v, want ErrKeyNotFound", name, err)
		}
	}
}

// TestStaleHandle: a key destroyed behind the cache's back (by another
// application or Token) is reported missing, not as a failure of the
// module, and a new key is found.
func TestStaleHandle(t *testing.T) {
	h, tok := open(t)
	k, err := h.GenerateKey("stale")
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.DeleteKey(k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Encrypt(k.ID, []byte("x"), nil); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("Encrypt with a destroyed key: %v, want ErrKeyNotFound", err)
	}
	k2, err := other.GenerateKey("new")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Encrypt(k2.ID, []byte("x"), nil); err != nil {
		t.Fatalf("Encrypt with a key made by the other Token: %v", err)
	}
	// A key made again under a cached id (a restored key) is found anew.
	k3, err := h.GenerateKey("replaced")
	if err != nil {
		t.Fatal(err)
	}
	if err := other.DeleteKey(k3.ID); err != nil {
		t.Fatal(err)
	}
	err = other.with(func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) error {
		_, err := ctx.GenerateKey(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}, keyTemplate(k3.ID, "again"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Encrypt(k3.ID, []byte("x"), nil); err != nil {
		t.Fatalf("Encrypt with a key made again under its id: %v", err)
	}
	if k, err := h.FindKey(k3.ID); err != nil || k.Label != "again" {
		t.Fatalf("FindKey = %+v, %v; want the new key", k, err)
	}
}

func TestReopenAfterClose(t *testing.T) {
	h, tok := open(t)
	k, err := h.GenerateKey("persist")
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.Encrypt(k.ID, []byte("survives"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Encrypt": func() error { _, err := h.Encrypt(k.ID, nil, nil); return err }(),
		"Health":  h.Health(),
		"Close":   h.Close(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if len(modules.m) != 0 {
		t.Fatal("module still loaded after the last Close")
	}
	h2, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN})
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if err := h2.Health(); err != nil {
		t.Fatal(err)
	}
	pt, err := h2.Decrypt(k.ID, s, []byte("a"))
	if err != nil || string(pt) != "survives" {
		t.Fatalf("Decrypt after reopening = %q, %v", pt, err)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		rv   uint
		want error
		code string
	}{
		{pkcs11.CKR_PIN_INCORRECT, ErrPINIncorrect, "INVALID_CREDENTIALS"},
		{pkcs11.CKR_PIN_LOCKED, ErrPINLocked, "USER_LOCKED_OUT"},
		{pkcs11.CKR_PIN_EXPIRED, ErrPINLocked, "USER_LOCKED_OUT"},
		{pkcs11.CKR_TOKEN_NOT_PRESENT, ErrTokenNotPresent, "CLUSTER_NOT_FOUND"},
		{pkcs11.CKR_DEVICE_REMOVED, ErrTokenNotPresent, "CLUSTER_NOT_FOUND"},
		{pkcs11.CKR_KEY_HANDLE_INVALID, ErrKeyNotFound, "INTERNAL_ERROR"},
		{pkcs11.CKR_ENCRYPTED_DATA_INVALID, ErrDecrypt, "INTERNAL_ERROR"},
		{0x35, ErrDecrypt, "INTERNAL_ERROR"},
		{pkcs11.CKR_GENERAL_ERROR, ErrInternal, "INTERNAL_ERROR"},
	} {
		err := newErr("op", pkcs11.Error(tc.rv), ErrInternal)
		if !errors.Is(err, tc.want) || ConnectionErrorCode(err) != tc.code || err.RV != tc.rv {
			t.Errorf("%#x: %v (%s), want %v (%s)", tc.rv, err, ConnectionErrorCode(err), tc.want, tc.code)
		}
	}
}

func TestGenerateRandom(t *testing.T) {
	h, _ := open(t)
	a, err := h.GenerateRandom(64)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.GenerateRandom(64)
	if err != nil || len(a) != 64 || len(b) != 64 || bytes.Equal(a, b) {
		t.Fatalf("%x %x %v", a, b, err)
	}
	h.Close()
	if _, err := h.GenerateRandom(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestSessionPoolBound: with MaxSessions sessions in use, the next caller
// waits until one is returned (TestConcurrentUse shows the bound only when
// its goroutines happen to overlap).
func TestSessionPoolBound(t *testing.T) {
	tok := hsmtest.NewToken(t, "bound")
	h, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN, MaxSessions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	s1, err := h.session()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := h.session()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		s, err := h.session()
		if err == nil {
			h.done(s, nil)
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a third session (err %v) while two are in use, MaxSessions 2", err)
	case <-time.After(200 * time.Millisecond):
	}
	h.done(s1, nil)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	h.done(s2, nil)
}
