package kms

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// newWatchStoreOver returns a second watchStore over the data of s: a
// second Store value, with its own listener, over one database.
func newWatchStoreOver(s *watchStore) *watchStore {
	s2 := &watchStore{Store: s.Store, watchers: map[int]func([][]byte){}}
	s2.fresh.Store(true)
	return s2
}

// Two Store values over one database in one process (two postgres.Open
// calls, say with different Staleness bounds) share one cache, whose use
// must honour the Fresh of each: a handle over the second is refused the
// cache while that store is not Fresh, whatever the first says.
func TestCoherenceSecondWatcherFreshHonoured(t *testing.T) {
	ctx := context.Background()
	s1, a, _ := twoProcesses(t, Options{})
	s2 := newWatchStoreOver(s1)
	c, err := New(Options{Backend: s2, RootKey: bytes.Repeat([]byte{7}, 32), Clock: fixedClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id := cohCreateKey(t, a)
	mustEncrypt(t, c, id)

	// a's DisableKey, in another process, is reported by neither store
	// yet; s2's bound has passed, s1's has not.
	s1.holdReports()
	s2.holdReports()
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	s2.fresh.Store(false)
	if _, err := cohEncrypt(c, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("Encrypt through a handle whose store is not Fresh: %v, want DisabledException read from the store", err)
	}
}

// The handle that gave the shared state its subscription closes, and
// its store with it: the handles left keep a cache that is used while
// their own store is Fresh, and that drops what their store reports.
func TestCoherenceSubscriptionOutlivesFirstStore(t *testing.T) {
	ctx := context.Background()
	s1, a, b := twoProcesses(t, Options{})
	s2 := newWatchStoreOver(s1)
	c, err := New(Options{Backend: s2, RootKey: bytes.Repeat([]byte{7}, 32), Clock: fixedClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.shared != b.shared {
		t.Fatal("two handles over one database in one process do not share a cache")
	}
	b.Close() // the handle over s1; s1 is closed after it
	s1.fresh.Store(false)
	if s1.watching() != 1 { // a's
		t.Fatalf("s1 has %d subscriptions after its last handle in this process closed, want a's only", s1.watching())
	}
	id := cohCreateKey(t, a)
	mustEncrypt(t, c, id)
	if c.cachedKeyCount() != 1 {
		t.Fatal("c does not cache while its own store is Fresh")
	}
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	// a's Update reported through s1; s2 reports it too (the database's
	// change reaches every listener).
	s2.report([][]byte{[]byte(keyRecordPrefix + a.account + "/" + a.region + "/" + id)})
	if _, err := cohEncrypt(c, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("c's Encrypt after s2 reported the change: %v, want DisabledException", err)
	}
}

// A change the first store had yet to report, and the second reported
// before a handle over it subscribed, is dropped from the cache when the
// first store's last handle closes: no subscription left would report it.
func TestCoherenceLeavingWatcherDropsCache(t *testing.T) {
	ctx := context.Background()
	s1, a, b := twoProcesses(t, Options{})
	id := cohCreateKey(t, a)
	mustEncrypt(t, b, id)

	s1.holdReports() // s1's listener has not caught up yet
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	// s2 caught up on it before any handle over it subscribed.
	s2 := newWatchStoreOver(s1)
	c, err := New(Options{Backend: s2, RootKey: bytes.Repeat([]byte{7}, 32), Clock: fixedClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.shared != b.shared || c.cachedKeyCount() != 1 {
		t.Fatal("c does not share b's cache holding the key")
	}
	b.Close()
	if _, err := cohEncrypt(c, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("c's Encrypt after the store that had not reported the change left: %v, want DisabledException", err)
	}
}
