// Package keystore is where KMS key material lives: the default key store
// keeps every key's material wrapped (encrypted) under a root key inside the
// backend, and never writes it in the clear.
//
// The root key is 32 bytes of AES-256 key material. A RootKeySource
// yields it: RawRootKey (bytes the application holds), PassphraseRootKey
// (Argon2id of a passphrase, salt and parameters kept in the store),
// RootKeyFile (a 0600 file of 32 raw bytes) or AEADRootKey (a random key
// kept in the store encrypted under a tink.AEAD: a cloud KMS, an HSM).
// Wrapped material is bound to its owner, so a wrapped blob moved to
// another key record does not unwrap.
package keystore

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
)

// RootKeySize is the size of a root key in bytes.
const RootKeySize = crypto.AES256KeySize

// ErrWrongRootKey is returned when a backend was initialised under a
// different root key than the one given.
var ErrWrongRootKey = errors.New("keystore: the root key does not match the one this backend was initialised with")

// RootKey wraps and unwraps key material. It is safe for concurrent use.
type RootKey struct {
	aead    *crypto.AESGCM
	records *recordMAC
	backup  []byte // K_backup (backup.go)
	tokens  []byte // K_token: authenticates grant tokens
	id      string
}

// grantTokenInfo is the HKDF-SHA256 info that derives K_token from the
// root key.
const grantTokenInfo = "embedkms/grant-tokens/v1"

// TokenMAC returns a new HMAC-SHA256 keyed with K_token, the key that
// authenticates the grant tokens a handle issues. It is different for
// every root key, so RewrapRootKey ends the validity of earlier tokens.
func (r *RootKey) TokenMAC() hash.Hash {
	return hmac.New(sha256.New, r.tokens)
}

// NewRootKey returns a root key from 32 bytes of key material. The caller
// may zero raw afterwards.
func NewRootKey(raw []byte) (*RootKey, error) {
	if len(raw) != RootKeySize {
		return nil, fmt.Errorf("keystore: root key must be %d bytes, got %d", RootKeySize, len(raw))
	}
	a, err := crypto.NewAESGCM(raw)
	if err != nil {
		return nil, err
	}
	m, err := newRecordMAC(raw)
	if err != nil {
		return nil, err
	}
	b, err := newBackupKey(raw)
	if err != nil {
		return nil, err
	}
	id, err := hkdf.Key(sha256.New, raw, nil, "embedkms/root-key-identity/v1", 16)
	if err != nil {
		return nil, err
	}
	tk, err := hkdf.Key(sha256.New, raw, nil, grantTokenInfo, 32)
	if err != nil {
		return nil, err
	}
	return &RootKey{aead: a, records: m, backup: b, tokens: tk, id: hex.EncodeToString(id)}, nil
}

// ID names the root key without revealing it: a one-way function of it
// (HKDF-SHA256, info "embedkms/root-key-identity/v1"), equal for equal
// root keys and different, with overwhelming probability, for others.
func (r *RootKey) ID() string {
	return r.id
}

// Wrap encrypts material, binding it to owner (for example the key ARN and
// material id): Unwrap with any other owner fails.
func (r *RootKey) Wrap(material []byte, owner string) ([]byte, error) {
	return r.aead.Encrypt(material, []byte(owner))
}

// Unwrap decrypts material wrapped by Wrap for the same owner.
func (r *RootKey) Unwrap(wrapped []byte, owner string) ([]byte, error) {
	m, err := r.aead.Decrypt(wrapped, []byte(owner))
	if err != nil {
		return nil, errors.New("keystore: wrapped key material does not authenticate")
	}
	return m, nil
}

// volatileRootKey is where VolatileRootKey keeps its key.
var volatileRootKey = []byte(VolatileRootKeyEntry)

// VolatileRootKey returns the root key of a volatile store (one that keeps
// nothing beyond the process, such as backend/memory) used without a
// configured root key. The first call creates a random key and keeps it in
// the store itself, so every handle that ever opens this store, at any
// time, shares it. It must never be used with a durable store: the key
// would be written in the clear.
func VolatileRootKey(ctx context.Context, store backend.Store) (*RootKey, error) {
	var raw []byte
	err := store.Update(ctx, func(tx backend.Txn) error {
		v, err := tx.Get(volatileRootKey)
		if errors.Is(err, backend.ErrNotFound) {
			v = crypto.Random(RootKeySize)
			err = tx.Set(volatileRootKey, v)
		}
		raw = v
		return err
	})
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	return NewRootKey(raw)
}

// Material is one version of a key's material, as stored: wrapped.
type Material struct {
	ID string // KeyMaterialId: 64 lowercase hex digits
	// Wrapped is the material encrypted under the root key and bound to its
	// owner and ID (MaterialOwner): it unwraps nowhere else.
	Wrapped []byte
}

// Generate creates size bytes of fresh key material for the key named
// owner, and returns it wrapped, together with the plaintext for immediate
// use (the caller must not store the plaintext).
func (r *RootKey) Generate(owner string, size int) (Material, []byte, error) {
	secret := crypto.Random(size)
	m, err := r.Seal(owner, secret)
	if err != nil {
		return Material{}, nil, err
	}
	return m, secret, nil
}

// Seal wraps secret, new key material for the key named owner, under a
// fresh random material id.
func (r *RootKey) Seal(owner string, secret []byte) (Material, error) {
	id := hex.EncodeToString(crypto.Random(crypto.MaterialIDSize))
	w, err := r.Wrap(secret, MaterialOwner(owner, id))
	if err != nil {
		return Material{}, err
	}
	return Material{ID: id, Wrapped: w}, nil
}

// SealID wraps secret, existing key material with material id id, for
// the key named owner: a multi-Region replica holds the same materials,
// with the same ids, as its primary, each wrapped under its own key ARN.
func (r *RootKey) SealID(owner, id string, secret []byte) (Material, error) {
	w, err := r.Wrap(secret, MaterialOwner(owner, id))
	if err != nil {
		return Material{}, err
	}
	return Material{ID: id, Wrapped: w}, nil
}

// Open unwraps m, which belongs to the key named owner.
func (r *RootKey) Open(owner string, m Material) ([]byte, error) {
	return r.Unwrap(m.Wrapped, MaterialOwner(owner, m.ID))
}

// MaterialOwner is the associated data that binds a wrapped material to its
// key and material id.
func MaterialOwner(owner, materialID string) string {
	return "embedkms/material/v1\x00" + owner + "\x00" + materialID
}

// checkKey is where Verify keeps its check value.
var checkKey = []byte(RootKeyCheckEntry)

const checkOwner = "embedkms/rootkey-check/v1"

// checkPlain is the plaintext of the check value.
var checkPlain = []byte("embedkms root key check")

// Verify makes sure store is used with one root key only. The first call on
// an empty store records a check value (a known plaintext wrapped under r);
// later calls fail with ErrWrongRootKey if r cannot unwrap it.
func (r *RootKey) Verify(ctx context.Context, store backend.Store) error {
	return store.Update(ctx, func(tx backend.Txn) error {
		v, err := tx.Get(checkKey)
		if errors.Is(err, backend.ErrNotFound) {
			// A store that holds keys but lost its check value cannot
			// prove which root key wrapped them: refuse rather than guess.
			hasKeys := false
			if err := tx.Scan([]byte("key/"), nil, func(_, _ []byte) bool { hasKeys = true; return false }); err != nil {
				return err
			}
			if hasKeys {
				return ErrWrongRootKey
			}
			w, err := r.Wrap(checkPlain, checkOwner)
			if err != nil {
				return err
			}
			return tx.Set(checkKey, w)
		}
		if err != nil {
			return err
		}
		return r.check(v)
	})
}

// check returns ErrWrongRootKey unless v is a check value under r.
func (r *RootKey) check(v []byte) error {
	got, err := r.Unwrap(v, checkOwner)
	if err != nil || subtle.ConstantTimeCompare(got, checkPlain) != 1 {
		return ErrWrongRootKey
	}
	return nil
}

// ReplaceCheck, inside tx, checks that the store's root-key check value is
// under r (else ErrWrongRootKey; a store without one is refused too) and
// replaces it by one under next, so that from the commit of tx on Verify
// accepts next and refuses r.
func (r *RootKey) ReplaceCheck(tx backend.Txn, next *RootKey) error {
	v, err := tx.Get(checkKey)
	if errors.Is(err, backend.ErrNotFound) {
		return fmt.Errorf("%w: the store has no root-key check value", ErrWrongRootKey)
	}
	if err != nil {
		return err
	}
	if err := r.check(v); err != nil {
		return err
	}
	w, err := next.Wrap(checkPlain, checkOwner)
	if err != nil {
		return err
	}
	return tx.Set(checkKey, w)
}

// IsCheckValue reports whether key is where the root-key check value is
// kept.
func IsCheckValue(key []byte) bool { return bytes.Equal(key, checkKey) }
