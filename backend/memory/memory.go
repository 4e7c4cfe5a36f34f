// Package memory is an in-memory backend.Store. It keeps nothing after
// Close or process exit and is meant for tests, caches and short-lived
// tools. Transactions are serializable: Update runs under an exclusive lock,
// View under a shared one.
package memory

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/internal/overlay"
)

// Store is an in-memory backend.Store.
type Store struct {
	mu     sync.RWMutex
	closed bool
	keys   []string // sorted
	vals   map[string][]byte
}

var _ backend.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{vals: make(map[string][]byte)}
}

// View implements backend.Store.
func (s *Store) View(ctx context.Context, fn func(backend.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return backend.ErrClosed
	}
	t := overlay.NewView(committed{s})
	defer t.End()
	return fn(t)
}

// Update implements backend.Store.
func (s *Store) Update(ctx context.Context, fn func(backend.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	t := overlay.NewUpdate(committed{s})
	defer t.End()
	if err := fn(t); err != nil {
		return err
	}
	s.apply(t.Writes)
	return nil
}

// Close implements backend.Store. It waits for running transactions.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	s.closed = true
	s.keys, s.vals = nil, nil
	return nil
}

func (s *Store) apply(ws map[string]overlay.Write) {
	for k, w := range ws {
		_, exists := s.vals[k]
		switch {
		case w.Deleted && exists:
			delete(s.vals, k)
			i := sort.SearchStrings(s.keys, k)
			s.keys = slices.Delete(s.keys, i, i+1)
		case !w.Deleted:
			if !exists {
				i := sort.SearchStrings(s.keys, k)
				s.keys = slices.Insert(s.keys, i, k)
			}
			s.vals[k] = w.Val
		}
	}
}

// committed is the store's committed state, as a transaction reads it
// (under the store's lock).
type committed struct{ s *Store }

func (c committed) SortedKeys() []string { return c.s.keys }

func (c committed) Value(k string) ([]byte, bool, error) {
	v, ok := c.s.vals[k]
	return bytes.Clone(v), ok, nil
}
