package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/internal/pgtest"
)

// TestServerKilled: the PostgreSQL server is killed with SIGKILL (the
// postmaster and every backend) while two handles create keys, and
// started again, three times. Every CreateKey that returned a key is in
// the database afterwards; the handles recover on their own (the pools
// reconnect, CreateKey succeeds again, the listeners reconnect and are
// fresh again) and a change made after the restart reaches the other
// handle's cache within the bound. It needs a private cluster, which it
// starts even when EMBEDKMS_TEST_POSTGRES names a server.
func TestServerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a PostgreSQL server")
	}
	cl := pgtest.StartCluster(t)
	dsn := cl.DSN("postgres")
	s1 := open(t, postgres.Options{DSN: dsn, Staleness: procStaleness})
	s2 := open(t, postgres.Options{DSN: dsn, Staleness: procStaleness})
	k1, k2 := newHandle(t, s1), newHandle(t, s2)

	var mu sync.Mutex
	var acked []string
	for round := range 3 {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, k := range []*kms.KMS{k1, k2} {
			for range 2 {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
						out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
						cancel()
						if err == nil {
							mu.Lock()
							acked = append(acked, out.KeyMetadata.KeyId)
							mu.Unlock()
						} else {
							time.Sleep(10 * time.Millisecond)
						}
					}
				})
			}
		}
		time.Sleep(300 * time.Millisecond)
		if err := cl.Kill(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		before := len(acked)
		mu.Unlock()
		time.Sleep(200 * time.Millisecond)
		if err := cl.Start(); err != nil {
			t.Fatal(err)
		}
		// Both handles create keys again, on their own.
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= before+20 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d keys created in 30s after the restart", round, n-before)
			}
			time.Sleep(20 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
	}

	for _, s := range []*postgres.Store{s1, s2} {
		deadline := time.Now().Add(procStaleness + 5*time.Second)
		for !s.Fresh() {
			if time.Now().After(deadline) {
				t.Fatal("a store is not fresh again after the restarts")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	listed, err := listKeys(k2)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range acked {
		if !slices.Contains(listed, id) {
			t.Errorf("key %s, acknowledged by CreateKey, is lost", id)
		}
	}
	t.Logf("%d keys acknowledged, %d stored", len(acked), len(listed))

	// The caches work again: a key k2 used is disabled through k1, and k2
	// refuses it within the bound.
	key := acked[0]
	if got := encrypt(k2, key); got != "ok" {
		t.Fatalf("Encrypt: %s", got)
	}
	if _, err := k1.DisableKey(t.Context(), &kms.DisableKeyInput{KeyId: key}); err != nil {
		t.Fatal(err)
	}
	refusedWithin(t, "Encrypt after the restarts with a key the other handle disabled", time.Now(), "DisabledException", func() string { return encrypt(k2, key) })
}
