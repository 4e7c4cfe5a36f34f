// Package crypto holds the cryptographic primitives behind embedkms and the
// ciphertext-blob format. It knows nothing about keys' metadata, storage or
// policy: callers hand it raw key material and get primitives back.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// AES256KeySize is the size of a SYMMETRIC_DEFAULT key: AES-256.
const AES256KeySize = 32

const (
	ivSize  = 12
	tagSize = 16
)

// AESGCM is AES-256-GCM with a fresh random 96-bit IV per encryption. Its
// output is iv(12) || ciphertext || tag(16): exactly the output of Tink's
// aead/aesgcm with VariantNoPrefix, so either decrypts the other's (tested).
// Like any AES-GCM with random IVs it must not seal more than 2^32
// messages under one key; package keystore uses it to wrap key material.
// Ciphertext blobs use BlobKey, which derives a key per blob.
//
// It is built on the standard library's cipher.NewGCMWithRandomNonce rather
// than on Tink's AEAD for two reasons (BENCHMARKS.md): Seal appends to a
// caller's buffer, so no second allocation and copy is needed behind a
// header; and it works under GODEBUG=fips140=only, where Tink's AES-GCM
// refuses to run (scripts/test.sh runs the crypto tests in that mode).
//
// It is safe for concurrent use.
type AESGCM struct {
	gcm cipher.AEAD
}

// NewAESGCM returns the AES-256-GCM AEAD for a 32-byte key.
func NewAESGCM(key []byte) (*AESGCM, error) {
	if len(key) != AES256KeySize {
		return nil, fmt.Errorf("crypto: AES-256-GCM key must be %d bytes, got %d", AES256KeySize, len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCMWithRandomNonce(b)
	if err != nil {
		return nil, err
	}
	return &AESGCM{gcm: g}, nil
}

// Seal encrypts plaintext with associated data aad and appends
// iv || ciphertext || tag to dst. dst must not overlap aad or plaintext.
func (a *AESGCM) Seal(dst, plaintext, aad []byte) []byte {
	return a.gcm.Seal(dst, nil, plaintext, aad)
}

// Open authenticates and decrypts iv || ciphertext || tag with associated
// data aad and appends the plaintext to dst.
func (a *AESGCM) Open(dst, ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < ivSize+tagSize {
		return nil, errOpen
	}
	pt, err := a.gcm.Open(dst, nil, ciphertext, aad)
	if err != nil {
		return nil, errOpen
	}
	return pt, nil
}

var errOpen = errors.New("crypto: message authentication failed")

// Encrypt returns iv || ciphertext || tag in a new slice (the tink.AEAD
// method set).
func (a *AESGCM) Encrypt(plaintext, aad []byte) ([]byte, error) {
	return a.Seal(make([]byte, 0, ivSize+len(plaintext)+tagSize), plaintext, aad), nil
}

// Decrypt returns the plaintext of iv || ciphertext || tag in a new slice
// (the tink.AEAD method set).
func (a *AESGCM) Decrypt(ciphertext, aad []byte) ([]byte, error) {
	return a.Open(nil, ciphertext, aad)
}

// Random returns n bytes from the operating system's CSPRNG.
func Random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails on supported platforms (Go 1.24+ crashes instead)
	return b
}
