// Package backend defines the storage interface that every embedkms store
// implements: a small, transactional, ordered key-value store.
//
// Keys are arbitrary byte strings ordered bytewise (as bytes.Compare orders
// them). Values are opaque. Transactions are closures, so commit and rollback
// cannot be forgotten: Update commits when its function returns nil and
// discards every write when it returns an error.
//
// Guarantees every implementation gives, and the conformance suite in
// package backendtest checks:
//
//   - Atomicity: the writes of one Update are visible all together or not at
//     all, including after a crash for durable stores.
//   - Isolation: transactions are serializable. A View sees one consistent
//     snapshot; an Update never observes another transaction half-applied.
//   - Ownership: byte slices passed to Set are copied; slices returned by Get
//     and Scan belong to the caller and remain valid after the transaction.
//   - After Close, every method returns ErrClosed.
package backend

import (
	"context"
	"errors"
)

// Sentinel errors returned by stores.
var (
	// ErrNotFound is returned by Txn.Get when the key does not exist.
	ErrNotFound = errors.New("backend: key not found")
	// ErrClosed is returned by every method of a closed Store.
	ErrClosed = errors.New("backend: store is closed")
	// ErrReadOnly is returned by Set and Delete inside a View.
	ErrReadOnly = errors.New("backend: write in a read-only transaction")
	// ErrConflict is returned by Update when a concurrent transaction
	// invalidated this one and it could not be retried; callers may retry.
	ErrConflict = errors.New("backend: transaction conflict")
	// ErrCorrupt marks a store whose contents fail a consistency or
	// authenticity check (an edited record, a record moved to another
	// key). Errors wrapping it name the record; nothing from such a
	// record is ever used.
	ErrCorrupt = errors.New("backend: corrupt store")
)

// Store is a transactional ordered key-value store. It is safe for
// concurrent use.
type Store interface {
	// View runs fn in a read-only transaction over a consistent snapshot.
	View(ctx context.Context, fn func(Txn) error) error
	// Update runs fn in a read-write transaction and commits its writes
	// atomically if fn returns nil; otherwise nothing fn wrote is kept and
	// fn's error is returned. fn may be called more than once if the store
	// retries after a conflict, so it must not have side effects beyond Txn.
	Update(ctx context.Context, fn func(Txn) error) error
	// Close releases the store. Transactions that have not begun fail with
	// ErrClosed; Close waits for running transactions to finish.
	Close() error
}

// Txn is a transaction. It is valid only inside the function it was passed
// to and must not be used from other goroutines.
type Txn interface {
	// Get returns a copy of the value stored at key, or ErrNotFound.
	Get(key []byte) ([]byte, error)
	// Set stores value at key, replacing any earlier value.
	Set(key, value []byte) error
	// Delete removes key. Deleting a missing key is not an error.
	Delete(key []byte) error
	// Scan calls fn for each key that begins with prefix and is >= start,
	// in ascending order, seeing this transaction's own writes. A nil start
	// begins at the prefix. Scanning stops when fn returns false.
	Scan(prefix, start []byte, fn func(key, value []byte) bool) error
}

// Watcher is implemented by stores that other processes write to (a
// database shared by a fleet). A handle caches keys and aliases; through a
// Watcher it learns what other processes changed, and whether what it
// cached may still be used.
//
// The coherence contract: a handle that calls Fresh before each use of
// its cache, and drops what Watch reports, never uses a record more than
// the store's staleness bound after another process committed a change to
// it. Stores that only one process opens (memory, Badger, the file store)
// do not implement it.
type Watcher interface {
	Store
	// Watch calls fn with the keys that each committed transaction, of any
	// process, wrote or deleted, in commit order and from one goroutine
	// at a time. keys == nil means anything may have changed (the store
	// lost track, after a dropped connection or when a transaction wrote
	// too many keys to list). A call may also report this process's own
	// writes. fn must return quickly and must not use the store. Watch
	// returns at once; the watch ends when stop is called or the store is
	// closed.
	Watch(fn func(keys [][]byte)) (stop func())
	// Fresh reports whether every transaction that committed more than
	// the store's staleness bound ago has been reported to every Watch
	// function. While it is false a handle must not use what it cached: it
	// reads the store instead. Fresh is called on every cached use, so it
	// must be cheap (an atomic load and a clock read).
	Fresh() bool
}
