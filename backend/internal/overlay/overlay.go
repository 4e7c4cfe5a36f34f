// Package overlay is the part of a transaction that the in-process stores
// (backend/memory, backend/file) share: a transaction's own writes laid
// over the store's committed, sorted keys, giving Get, Set, Delete and
// Scan with the semantics package backend documents (read-your-writes,
// ordered scans that see the transaction's own writes, copies in and out,
// ErrReadOnly in a View, ErrClosed after the transaction).
package overlay

import (
	"bytes"
	"sort"

	"github.com/embedkms/kms/backend"
)

// Write is a pending write: a value, or a deletion.
type Write struct {
	Val     []byte
	Deleted bool
}

// Committed is the committed state a transaction reads: its keys in
// ascending order and a way to read one's value. Value must return a
// slice the caller may keep.
type Committed interface {
	SortedKeys() []string
	Value(key string) (v []byte, ok bool, err error)
}

// Txn is a transaction over c. Writes holds what it wrote (nil in a View).
type Txn struct {
	C      Committed
	Writes map[string]Write
	done   bool
}

// NewView returns a read-only transaction over c.
func NewView(c Committed) *Txn { return &Txn{C: c} }

// NewUpdate returns a read-write transaction over c.
func NewUpdate(c Committed) *Txn { return &Txn{C: c, Writes: map[string]Write{}} }

// End makes every later call fail with backend.ErrClosed.
func (t *Txn) End() { t.done = true }

// Get implements backend.Txn.
func (t *Txn) Get(key []byte) ([]byte, error) {
	if t.done {
		return nil, backend.ErrClosed
	}
	if w, ok := t.Writes[string(key)]; ok {
		if w.Deleted {
			return nil, backend.ErrNotFound
		}
		return bytes.Clone(w.Val), nil
	}
	v, ok, err := t.C.Value(string(key))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, backend.ErrNotFound
	}
	return v, nil
}

// Set implements backend.Txn.
func (t *Txn) Set(key, value []byte) error {
	if t.done {
		return backend.ErrClosed
	}
	if t.Writes == nil {
		return backend.ErrReadOnly
	}
	v := bytes.Clone(value)
	if v == nil {
		v = []byte{}
	}
	t.Writes[string(key)] = Write{Val: v}
	return nil
}

// Delete implements backend.Txn.
func (t *Txn) Delete(key []byte) error {
	if t.done {
		return backend.ErrClosed
	}
	if t.Writes == nil {
		return backend.ErrReadOnly
	}
	t.Writes[string(key)] = Write{Deleted: true}
	return nil
}

// Scan implements backend.Txn: the committed keys and the pending writes,
// merged in order, a pending write replacing or hiding a committed key.
func (t *Txn) Scan(prefix, start []byte, fn func(key, value []byte) bool) error {
	if t.done {
		return backend.ErrClosed
	}
	from := string(prefix)
	if bytes.Compare(start, prefix) > 0 {
		from = string(start)
	}
	inRange := func(k string) bool { return k >= from && len(k) >= len(prefix) && k[:len(prefix)] == string(prefix) }

	var pending []string
	for k := range t.Writes {
		if inRange(k) {
			pending = append(pending, k)
		}
	}
	sort.Strings(pending)

	keys := t.C.SortedKeys()
	i := sort.SearchStrings(keys, from)
	j := 0
	for {
		var k string
		var v []byte
		switch {
		case i < len(keys) && inRange(keys[i]) && (j >= len(pending) || keys[i] < pending[j]):
			k = keys[i]
			i++
			var err error
			if v, _, err = t.C.Value(k); err != nil {
				return err
			}
		case j < len(pending):
			k = pending[j]
			if i < len(keys) && keys[i] == k {
				i++
			}
			j++
			w := t.Writes[k]
			if w.Deleted {
				continue
			}
			v = bytes.Clone(w.Val)
		default:
			return nil
		}
		if !fn([]byte(k), v) {
			return nil
		}
	}
}
