package kms

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
)

// clockedWatchStore is a watchStore whose Fresh costs what a real one's
// does: an atomic load and a clock reading (the time of the last report
// heard, against a bound).
type clockedWatchStore struct {
	*watchStore
	heard atomic.Int64 // UnixNano of the last report heard
	bound time.Duration
}

func (s *clockedWatchStore) Fresh() bool {
	return time.Now().UnixNano()-s.heard.Load() < int64(s.bound)
}

// BenchmarkEncryptCoherence is Encrypt of 4 KiB over a memory store and
// over a backend.Watcher: Fresh (the cache is used, one Fresh call per
// use) and stale (every call reads the store and unwraps the key).
func BenchmarkEncryptCoherence(b *testing.B) {
	fresh := &clockedWatchStore{watchStore: newWatchStore(), bound: time.Hour}
	fresh.heard.Store(time.Now().UnixNano())
	stale := &clockedWatchStore{watchStore: newWatchStore(), bound: 0}
	for _, bc := range []struct {
		name  string
		store backend.Store
	}{
		{"memory", memory.New()},
		{"watcher-fresh", fresh},
		{"watcher-stale", stale},
	} {
		b.Run(bc.name, func(b *testing.B) {
			k, err := New(Options{Backend: bc.store, RootKey: bytes.Repeat([]byte{5}, 32), Clock: fixedClock{}})
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			ctx := context.Background()
			out, err := k.CreateKey(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			in := &EncryptInput{KeyId: out.KeyMetadata.KeyId, Plaintext: make([]byte, 4096), EncryptionContext: map[string]string{"tenant": "acme", "purpose": "bench"}}
			b.SetBytes(4096)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Encrypt(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCacheHit is the hot path's key lookup alone (entry, a cache
// hit) over a memory store and over a Fresh backend.Watcher: the
// difference is the coherence check.
func BenchmarkCacheHit(b *testing.B) {
	fresh := &clockedWatchStore{watchStore: newWatchStore(), bound: time.Hour}
	fresh.heard.Store(time.Now().UnixNano())
	for _, bc := range []struct {
		name  string
		store backend.Store
	}{
		{"memory", memory.New()},
		{"watcher-fresh", fresh},
	} {
		b.Run(bc.name, func(b *testing.B) {
			k, err := New(Options{Backend: bc.store, RootKey: bytes.Repeat([]byte{5}, 32), Clock: fixedClock{}})
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			ctx := context.Background()
			out, err := k.CreateKey(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			id := out.KeyMetadata.KeyId
			if _, err := k.entry(ctx, id, opEncrypt); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.entry(ctx, id, opEncrypt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
