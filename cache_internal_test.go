package kms

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms/backend/memory"
)

// When the last handle over a backend closes, the shared state goes, and
// with it every unwrapped key: nothing of the key material stays in the
// process's cache.
func TestLastCloseReleasesSharedState(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	a, err := New(Options{Backend: m})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Backend: m})
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.CreateKey(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Encrypt(ctx, &EncryptInput{KeyId: out.KeyMetadata.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	sh, id := a.shared, a.storeID
	a.Close()
	sharedMu.Lock()
	held := sharedFor[id] == sh
	sharedMu.Unlock()
	if !held {
		t.Fatal("the shared state went while a handle still used it")
	}
	b.Close()
	sharedMu.Lock()
	_, held = sharedFor[id]
	sharedMu.Unlock()
	if held {
		t.Fatal("the shared state outlived the last handle")
	}
	cached := 0
	sh.keys.Range(func(_, _ any) bool { cached++; return true })
	if cached != 0 {
		t.Fatalf("%d unwrapped keys still cached after the last Close", cached)
	}
}

// maintenanceGoroutines counts the goroutines running a maintenance loop,
// by their stacks: unlike runtime.NumGoroutine, it does not move when other
// tests' goroutines come and go.
func maintenanceGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), ").maintainEvery(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// waitMaintenance waits until n maintenance loops run, and reports whether
// that happened within a few seconds.
func waitMaintenance(n int) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if maintenanceGoroutines() == n {
			return true
		}
	}
	return false
}

// A handle on its own clock runs no background goroutine; one on the
// system clock runs its maintenance pass until Close, which stops it.
func TestMaintenanceGoroutineLifetime(t *testing.T) {
	base := maintenanceGoroutines()
	k, err := New(Options{Clock: fixedClock{}})
	if err != nil {
		t.Fatal(err)
	}
	// A goroutine just started may not show in a stack dump at once:
	// watch for a while.
	for deadline := time.Now().Add(200 * time.Millisecond); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if n := maintenanceGoroutines(); n != base {
			t.Fatalf("a handle with its own Clock runs %d maintenance goroutines, want none", n-base)
		}
	}
	k.Close()

	k, err = New(Options{MaintenanceInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !waitMaintenance(base + 1) {
		t.Error("a handle on the system clock runs no maintenance goroutine")
	}
	time.Sleep(5 * time.Millisecond) // let a few passes run
	closed := make(chan struct{})
	go func() { k.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5 s: the maintenance goroutine did not stop")
	}
	if !waitMaintenance(base) {
		t.Errorf("%d maintenance goroutines still run after Close, want %d", maintenanceGoroutines(), base)
	}
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
