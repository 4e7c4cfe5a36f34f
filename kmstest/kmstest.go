// Package kmstest helps users test code that uses embedkms: an in-memory
// handle with a fake clock that the test moves forward.
package kmstest

import (
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms"
)

// Clock is a kms.Clock that stands still until the test moves it. It is
// safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now implements kms.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Start is the time a new fake clock shows.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// New returns a handle on a fresh in-memory backend, with account
// 111122223333, Region us-east-1 and a fake clock at Start, closed when the
// test ends.
func New(t testing.TB) (*kms.KMS, *Clock) {
	t.Helper()
	return NewWithOptions(t, kms.Options{})
}

// NewWithOptions is New with options; a nil Clock is replaced by a fake one.
func NewWithOptions(t testing.TB, opts kms.Options) (*kms.KMS, *Clock) {
	t.Helper()
	clock, _ := opts.Clock.(*Clock)
	if opts.Clock == nil {
		clock = NewClock(Start)
		opts.Clock = clock
	}
	k, err := kms.New(opts)
	if err != nil {
		t.Fatalf("kmstest: %v", err)
	}
	t.Cleanup(func() { k.Close() })
	return k, clock
}
