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
	t := &txn{s: s}
	defer t.end()
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
	t := &txn{s: s, writable: true, writes: make(map[string]write)}
	defer t.end()
	if err := fn(t); err != nil {
		return err
	}
	s.apply(t.writes)
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

func (s *Store) apply(ws map[string]write) {
	for k, w := range ws {
		_, exists := s.vals[k]
		switch {
		case w.deleted && exists:
			delete(s.vals, k)
			i := sort.SearchStrings(s.keys, k)
			s.keys = slices.Delete(s.keys, i, i+1)
		case !w.deleted:
			if !exists {
				i := sort.SearchStrings(s.keys, k)
				s.keys = slices.Insert(s.keys, i, k)
			}
			s.vals[k] = w.val
		}
	}
}

type write struct {
	val     []byte
	deleted bool
}

type txn struct {
	s        *Store
	writable bool
	done     bool
	writes   map[string]write
}

func (t *txn) end() { t.done = true }

func (t *txn) Get(key []byte) ([]byte, error) {
	if t.done {
		return nil, backend.ErrClosed
	}
	if w, ok := t.writes[string(key)]; ok {
		if w.deleted {
			return nil, backend.ErrNotFound
		}
		return bytes.Clone(w.val), nil
	}
	v, ok := t.s.vals[string(key)]
	if !ok {
		return nil, backend.ErrNotFound
	}
	return bytes.Clone(v), nil
}

func (t *txn) Set(key, value []byte) error {
	if t.done {
		return backend.ErrClosed
	}
	if !t.writable {
		return backend.ErrReadOnly
	}
	v := bytes.Clone(value)
	if v == nil {
		v = []byte{}
	}
	t.writes[string(key)] = write{val: v}
	return nil
}

func (t *txn) Delete(key []byte) error {
	if t.done {
		return backend.ErrClosed
	}
	if !t.writable {
		return backend.ErrReadOnly
	}
	t.writes[string(key)] = write{deleted: true}
	return nil
}

func (t *txn) Scan(prefix, start []byte, fn func(key, value []byte) bool) error {
	if t.done {
		return backend.ErrClosed
	}
	from := string(prefix)
	if bytes.Compare(start, prefix) > 0 {
		from = string(start)
	}
	inRange := func(k string) bool { return k >= from && len(k) >= len(prefix) && k[:len(prefix)] == string(prefix) }

	// Pending writes of this transaction, in order.
	var pending []string
	for k := range t.writes {
		if inRange(k) {
			pending = append(pending, k)
		}
	}
	sort.Strings(pending)

	keys := t.s.keys
	i := sort.SearchStrings(keys, from)
	j := 0
	for {
		var k string
		var v []byte
		switch {
		case i < len(keys) && inRange(keys[i]) && (j >= len(pending) || keys[i] < pending[j]):
			k, v = keys[i], t.s.vals[keys[i]]
			i++
		case j < len(pending):
			k = pending[j]
			if i < len(keys) && keys[i] == k {
				i++
			}
			j++
			w := t.writes[k]
			if w.deleted {
				continue
			}
			v = w.val
		default:
			return nil
		}
		if !fn([]byte(k), bytes.Clone(v)) {
			return nil
		}
	}
}
