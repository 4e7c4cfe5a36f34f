package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
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
	// policies holds parsed key and identity policies by text.
	policies policyCache
	// usage maps keyRef -> *usageSlot: each key's last use noted in this
	// process and maybe not yet written (usage.go). trackingSince is the
	// earliest time a handle of this process began noting uses.
	usage         sync.Map
	usageMu       sync.Mutex
	trackingSince time.Time
	// watch is set when a handle over a backend.Watcher opened this
	// state: the store's change reports drop what they name from keys
	// and aliases, and nothing cached is used while the store is not
	// Fresh. nil for stores only this process writes. It lists one
	// subscription per Watcher value the handles were given (two Store
	// values over one database, with bounds of their own, share this
	// state), and the cache is used only while every one is Fresh.
	// Replaced, never changed, under sharedMu.
	watch atomic.Pointer[[]*storeWatch]
}

// storeWatch is the subscription of a shared state to a backend.Watcher.
type storeWatch struct {
	w     backend.Watcher // the store subscribed to
	refs  int             // handles over w; guarded by sharedMu
	fresh func() bool     // the Watcher's Fresh
	stop  func()          // ends the Watch
}

// sameWatcher reports whether a and b are one store value. Values of a
// type that == cannot compare count as different.
func sameWatcher(a, b backend.Watcher) bool {
	ta := reflect.TypeOf(a)
	return ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// sharedFor maps a backend's identity to the state of the handles open on
// it in this process.
var (
	sharedMu  sync.Mutex
	sharedFor = map[string]*shared{}
)

// storeIDKey holds a backend's identity: random bytes written, as an
// authenticated record, the first time a handle opens it. The shared state
// is keyed on that identity and on the root key's (cacheID): keying on
// what the backend holds, rather than on the Go value a handle was given,
// means every handle over the same data shares one cache whatever the
// store's type (a wrapper around a store, two values of a non-comparable
// store type, a store no map could hold as a key); and the identity cannot
// be forged without the root key, nor shared by stores under different
// root keys. A copy of a store's contents (a restored backup) opened in
// the same process as the original must be given a fresh identity first
// (delete the meta/store-id entry from the copy: the next open writes a
// new one), or the two would share one cache. Backup never writes the
// entry, so a store made by Restore gets a fresh identity.
var storeIDKey = []byte("meta/store-id")

// cacheID returns the key of the shared state of the handles over s, the
// authenticated view of a backend under root.
func cacheID(ctx context.Context, root *keystore.RootKey, s backend.Store) (string, error) {
	id, err := storeID(ctx, s)
	if err != nil {
		return "", err
	}
	return root.ID() + "/" + id, nil
}

// storeID returns s's identity, creating it on first use.
func storeID(ctx context.Context, s backend.Store) (string, error) {
	var id string
	err := s.Update(ctx, func(tx backend.Txn) error {
		v, err := tx.Get(storeIDKey)
		if errors.Is(err, backend.ErrNotFound) {
			v = []byte(hex.EncodeToString(crypto.Random(16)))
			err = tx.Set(storeIDKey, v)
		}
		id = string(v)
		return err
	})
	return id, err
}

// acquireShared returns the shared state of the store whose identity is
// id, creating it. If raw, the backend as the handle was given it, is a
// backend.Watcher the state has no subscription to yet, the state
// subscribes to its change reports (one Watch per state and Watcher value,
// whatever the number of handles), until the last handle over raw
// releases it.
func acquireShared(id string, raw backend.Store) *shared {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	sh := sharedFor[id]
	if sh == nil {
		sh = &shared{}
		sharedFor[id] = sh
	}
	sh.refs++
	if w, ok := raw.(backend.Watcher); ok {
		var list []*storeWatch
		if l := sh.watch.Load(); l != nil {
			list = *l
		}
		for _, sw := range list {
			if sameWatcher(sw.w, w) {
				sw.refs++
				return sh
			}
		}
		list = append(list[:len(list):len(list)], &storeWatch{w: w, refs: 1, fresh: w.Fresh, stop: w.Watch(sh.changed)})
		sh.watch.Store(&list)
	}
	return sh
}

// releaseShared releases a handle's reference to the shared state of the
// store whose identity is id; raw is the backend the handle was given.
// The subscription to raw ends with the last handle over it; the cache is
// then dropped, since what raw reported no other subscription may have.
func releaseShared(id string, raw backend.Store) {
	var stops []func()
	sharedMu.Lock()
	if sh := sharedFor[id]; sh != nil {
		if sh.refs--; sh.refs == 0 {
			delete(sharedFor, id)
			if l := sh.watch.Swap(nil); l != nil {
				for _, sw := range *l {
					stops = append(stops, sw.stop)
				}
			}
			sh.keys.Clear() // drop unwrapped key material now, not at the next GC
			sh.aliases.Clear()
		} else if w, ok := raw.(backend.Watcher); ok && sh.watch.Load() != nil {
			list := *sh.watch.Load()
			for i, sw := range list {
				if !sameWatcher(sw.w, w) {
					continue
				}
				if sw.refs--; sw.refs == 0 {
					stops = append(stops, sw.stop)
					rest := append(append([]*storeWatch{}, list[:i]...), list[i+1:]...)
					sh.watch.Store(&rest)
					// A change raw reported to this state but the
					// others had not yet: nothing reports it again.
					sh.changed(nil)
				}
				break
			}
		}
	}
	sharedMu.Unlock()
	for _, stop := range stops {
		// Outside sharedMu: a store may wait for a report under way.
		stop()
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
	// algs are the algorithms the key's spec and usage allow, computed
	// once; read-only (outputs get fresh copies from algorithmsOf).
	algs algorithms
	// use is where the key's last use is noted: the key's slot on the
	// shared state, which outlives this snapshot.
	use *usageSlot
}

// material is one unwrapped version of a key's material, as the primitive
// of its key spec.
type material struct {
	aead *crypto.BlobKey     // SYMMETRIC_DEFAULT keys
	prim crypto.KeyPrimitive // every other key spec
	id   string              // KeyMaterialId: lowercase hex
}

// stale reports whether the cache may not be used now: a
// backend.Watcher the handles were given is not Fresh (changes committed
// longer ago than its staleness bound may not have been reported). One
// atomic load for other stores.
func (sh *shared) stale() bool {
	l := sh.watch.Load()
	if l == nil {
		return false
	}
	for _, w := range *l {
		if !w.fresh() {
			return true
		}
	}
	return false
}

// loadKey returns the cached key r names; a miss while the cache is stale.
func (sh *shared) loadKey(r keyRef) (*cachedKey, bool) {
	if sh.stale() {
		return nil, false
	}
	v, ok := sh.keys.Load(r)
	if !ok {
		return nil, false
	}
	return v.(*cachedKey), true
}

// loadAlias returns the cached target of the alias r names; a miss while
// the cache is stale.
func (sh *shared) loadAlias(r keyRef) (string, bool) {
	if sh.stale() {
		return "", false
	}
	v, ok := sh.aliases.Load(r)
	if !ok {
		return "", false
	}
	return v.(string), true
}

// fill stores v under r in m if nothing was invalidated since gen was read
// and the cache is not stale (what was read is used once, not kept).
func (sh *shared) fill(m *sync.Map, gen uint64, r keyRef, v any) {
	if sh.stale() {
		return
	}
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

// changed is the Watch function of a shared state over a backend.Watcher:
// it drops from the cache what the store keys another transaction wrote
// name. keys == nil (the store lost track) drops everything. Keys of no
// cached record (lastused/, grant/, the date indexes, ...) change nothing,
// not even gen: frequent writes of them must not keep fills from being
// stored.
func (sh *shared) changed(keys [][]byte) {
	if keys == nil {
		sh.fillMu.Lock()
		sh.gen.Add(1)
		sh.keys.Clear()
		sh.aliases.Clear()
		sh.fillMu.Unlock()
		return
	}
	var ks, as []keyRef
	for _, key := range keys {
		if r, ok := cachedRef(key, keyRecordPrefix); ok {
			ks = append(ks, r)
		} else if r, ok := cachedRef(key, aliasRecordPrefix); ok {
			as = append(as, r)
		}
	}
	if ks != nil || as != nil {
		sh.invalidate(ks, as)
	}
}

// The prefixes of the records the cache holds (records.KeyKey,
// records.AliasKey): "key/<account>/<region>/<key id>" and
// "alias/<account>/<region>/<alias name>".
const (
	keyRecordPrefix   = "key/"
	aliasRecordPrefix = "alias/"
)

// cachedRef returns the reference a store key under prefix names, if it
// is the key of a record of that kind: prefix, account, "/", region, "/",
// name. An alias name contains "/" itself ("alias/x"), so the name is all
// that follows the region.
func cachedRef(key []byte, prefix string) (keyRef, bool) {
	if len(key) <= len(prefix) || string(key[:len(prefix)]) != prefix {
		return keyRef{}, false
	}
	rest := string(key[len(prefix):])
	account, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return keyRef{}, false
	}
	region, name, ok := strings.Cut(rest, "/")
	if !ok || account == "" || region == "" || name == "" {
		return keyRef{}, false
	}
	return keyRef{account: account, region: region, name: name}, true
}
