//go:build !cgo

package hsm

import "errors"

// Available reports whether this build can load PKCS#11 modules: it
// needs cgo.
const Available = false

// errNoCgo is why every call fails in a program built without cgo: a
// PKCS#11 module is a C library, loaded with dlopen through cgo.
var errNoCgo = errors.New("PKCS#11 needs cgo: this program was built with CGO_ENABLED=0")

// Token is a logged-in PKCS#11 token. Built without cgo, no token can be
// opened: Open fails with ErrModule, and a Token never exists.
type Token struct{}

// Open fails: a program built without cgo cannot load a PKCS#11 module.
// The error wraps ErrModule, so a custom key store on it fails to connect
// with the connection error code of a missing module.
func Open(cfg Config) (*Token, error) {
	return nil, &Error{Op: "open", Kind: ErrModule, Err: errNoCgo}
}

func (t *Token) fail(op string) error { return &Error{Op: op, Kind: ErrClosed, Err: errNoCgo} }

// Close does nothing.
func (t *Token) Close() error { return nil }

// GenerateKey fails (see Open).
func (t *Token) GenerateKey(label string) (Key, error) { return Key{}, t.fail("generate key") }

// FindKey fails (see Open).
func (t *Token) FindKey(id string) (Key, error) { return Key{}, t.fail("find key") }

// DeleteKey fails (see Open).
func (t *Token) DeleteKey(id string) error { return t.fail("delete key") }

// Encrypt fails (see Open).
func (t *Token) Encrypt(id string, plaintext, aad []byte) (Sealed, error) {
	return Sealed{}, t.fail("encrypt")
}

// Decrypt fails (see Open).
func (t *Token) Decrypt(id string, sealed Sealed, aad []byte) ([]byte, error) {
	return nil, t.fail("decrypt")
}

// Health fails (see Open).
func (t *Token) Health() error { return t.fail("health") }

// GenerateRandom fails (see Open).
func (t *Token) GenerateRandom(n int) ([]byte, error) { return nil, t.fail("generate random") }
