package keystore

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"sync"

	"github.com/embedkms/kms/backend"
)

// Authenticated records, format version 1.
//
// Every value the handle stores (key and alias records, and the indexes
// beside them) goes through Authenticated, which stores
//
//	offset  size  field
//	0       1     record format version, 0x01
//	1       n     the value, as the caller gave it
//	1+n     32    tag = HMAC-SHA256(K_rec, 0x01 || uint32be(len(key)) || key || value)
//
// where key is the backend key the value is stored under and K_rec is
// HKDF-SHA256 (RFC 5869) of the root key with an empty salt and the info
// string "embedkms/record-authentication/v1", 32 bytes. The tag binds the
// value to its place: an edited value, a value copied from another key's
// record, or a value stored under another root key does not authenticate,
// and reading it fails with an error matching backend.ErrCorrupt. (A record
// rolled back to an earlier version of itself under the same backend key
// still authenticates, and a deleted record is simply absent; detecting
// either needs state outside the store.)
const (
	RecordVersion1 = 0x01
	recordTagSize  = sha256.Size
)

const recordInfo = "embedkms/record-authentication/v1"

// recordMAC computes record tags. It is safe for concurrent use.
type recordMAC struct {
	pool sync.Pool // of hash.Hash keyed with K_rec
}

func newRecordMAC(root []byte) (*recordMAC, error) {
	k, err := hkdf.Key(sha256.New, root, nil, recordInfo, 32)
	if err != nil {
		return nil, err
	}
	m := &recordMAC{}
	m.pool.New = func() any { return hmac.New(sha256.New, k) }
	return m, nil
}

// tag appends the tag of value stored at key to dst.
func (m *recordMAC) tag(dst []byte, version byte, key, value []byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Reset()
	var hdr [5]byte
	hdr[0] = version
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(key)))
	h.Write(hdr[:])
	h.Write(key)
	h.Write(value)
	dst = h.Sum(dst)
	m.pool.Put(h)
	return dst
}

func (m *recordMAC) seal(key, value []byte) []byte {
	out := make([]byte, 0, 1+len(value)+recordTagSize)
	out = append(out, RecordVersion1)
	out = append(out, value...)
	return m.tag(out, RecordVersion1, key, value)
}

func (m *recordMAC) open(key, stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != RecordVersion1 {
		if len(stored) > 0 && stored[0] > RecordVersion1 {
			return nil, fmt.Errorf("%w: record %q has format version %d, newer than this version of embedkms reads", backend.ErrCorrupt, key, stored[0])
		}
		return nil, fmt.Errorf("%w: record %q is not an authenticated record", backend.ErrCorrupt, key)
	}
	if len(stored) < 1+recordTagSize {
		return nil, fmt.Errorf("%w: record %q is truncated", backend.ErrCorrupt, key)
	}
	value := stored[1 : len(stored)-recordTagSize]
	var buf [recordTagSize]byte
	if !hmac.Equal(m.tag(buf[:0], RecordVersion1, key, value), stored[len(stored)-recordTagSize:]) {
		return nil, fmt.Errorf("%w: record %q does not authenticate under the root key (edited, moved from another key, or written under another root key)", backend.ErrCorrupt, key)
	}
	return value, nil
}

// Authenticated returns a store that keeps every value of s authenticated
// under a key derived from r and bound to the backend key it is stored
// under (format above). Reading a value that does not authenticate fails
// with an error matching backend.ErrCorrupt: it is never returned. Closing
// the returned store closes s.
func (r *RootKey) Authenticated(s backend.Store) backend.Store {
	return &authStore{s: s, mac: r.records}
}

type authStore struct {
	s   backend.Store
	mac *recordMAC
}

func (a *authStore) View(ctx context.Context, fn func(backend.Txn) error) error {
	return a.s.View(ctx, func(tx backend.Txn) error { return fn(authTxn{tx, a.mac}) })
}

func (a *authStore) Update(ctx context.Context, fn func(backend.Txn) error) error {
	return a.s.Update(ctx, func(tx backend.Txn) error { return fn(authTxn{tx, a.mac}) })
}

func (a *authStore) Close() error { return a.s.Close() }

type authTxn struct {
	tx  backend.Txn
	mac *recordMAC
}

func (t authTxn) Get(key []byte) ([]byte, error) {
	v, err := t.tx.Get(key)
	if err != nil {
		return nil, err
	}
	return t.mac.open(key, v)
}

func (t authTxn) Set(key, value []byte) error { return t.tx.Set(key, t.mac.seal(key, value)) }

func (t authTxn) Delete(key []byte) error { return t.tx.Delete(key) }

func (t authTxn) Scan(prefix, start []byte, fn func(key, value []byte) bool) error {
	var bad error
	err := t.tx.Scan(prefix, start, func(k, v []byte) bool {
		pv, err := t.mac.open(k, v)
		if err != nil {
			bad = err
			return false
		}
		return fn(k, pv)
	})
	if err != nil {
		return err
	}
	return bad
}

// AuthenticatedTxn is Authenticated for one transaction: values read
// through it are checked, and values written through it are tagged, under
// r. RewrapRootKey uses one under the old root key and one under the new
// over the same transaction to re-tag every record.
func (r *RootKey) AuthenticatedTxn(tx backend.Txn) backend.Txn {
	return authTxn{tx, r.records}
}
