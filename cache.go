package kms

import (
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
)

// shared is the state all handles over one backend share: the cache of
// unwrapped keys and resolved aliases. Sharing it means a write through one
// handle invalidates what every handle sees.
type shared struct {
	refs int // guarded by sharedMu

	// keys maps keyRef -> *cachedKey; aliases maps keyRef (Name = alias
	// name) -> key id string. Reads take no lock.
	keys, aliases sync.Map
	// gen counts invalidations. A fill is stored only if no invalidation
	// happened since it began reading the backend, so a fill that read
	// stale data can never overwrite a newer invalidation.
	gen    atomic.Uint64
	fillMu sync.Mutex
}

var (
	sharedMu  sync.Mutex
	sharedFor = map[backend.Store]*shared{}
)

func acquireShared(s backend.Store) *shared {
	if !reflect.TypeOf(s).Comparable() {
		// Cannot be a map key: such a store gets a cache of its own.
		return &shared{refs: 1}
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	sh := sharedFor[s]
	if sh == nil {
		sh = &shared{}
		sharedFor[s] = sh
	}
	sh.refs++
	return sh
}

func releaseShared(s backend.Store) {
	if !reflect.TypeOf(s).Comparable() {
		return
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sh := sharedFor[s]; sh != nil {
		if sh.refs--; sh.refs == 0 {
			delete(sharedFor, s)
			sh.keys.Clear() // drop unwrapped key material now, not at the next GC
			sh.aliases.Clear()
		}
	}
}

// keyRef names a key (or, in the alias cache, an alias) in the backend.
type keyRef struct {
	account, region, name string
}

// cachedKey is an immutable snapshot of a key record with its material
// unwrapped into primitives.
type cachedKey struct {
	rec       *records.Key
	arn       string
	materials map[[crypto.MaterialIDSize]byte]material
	current   material
	hdr       crypto.BlobHeader // header of blobs under the current material
}

// material is one unwrapped version of a key's material.
type material struct {
	aead *crypto.BlobKey
	id   string // KeyMaterialId: lowercase hex
}

func (sh *shared) loadKey(r keyRef) (*cachedKey, bool) {
	v, ok := sh.keys.Load(r)
	if !ok {
		return nil, false
	}
	return v.(*cachedKey), true
}

func (sh *shared) loadAlias(r keyRef) (string, bool) {
	v, ok := sh.aliases.Load(r)
	if !ok {
		return "", false
	}
	return v.(string), true
}

// fill stores v under r in m if nothing was invalidated since gen was read.
func (sh *shared) fill(m *sync.Map, gen uint64, r keyRef, v any) {
	sh.fillMu.Lock()
	if sh.gen.Load() == gen {
		m.Store(r, v)
	}
	sh.fillMu.Unlock()
}

// invalidate drops the cached key and aliases named; call after a commit.
func (sh *shared) invalidate(keys []keyRef, aliases []keyRef) {
	sh.fillMu.Lock()
	sh.gen.Add(1)
	for _, r := range keys {
		sh.keys.Delete(r)
	}
	for _, r := range aliases {
		sh.aliases.Delete(r)
	}
	sh.fillMu.Unlock()
}
