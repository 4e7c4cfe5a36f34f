// Package kmstest helps test code that uses embedkms: an in-memory handle
// with a fake clock the test moves forward (New), keys and aliases made in
// one line (Key, Alias), keys whose id and material follow from a seed for
// golden tests (Deterministic), an aws-sdk-go-v2 KMS client or aws.Config
// wired to a handle in-process (SDKClient, AWSConfig), and a loopback
// endpoint for code that needs a URL, such as another language's SDK or
// the AWS CLI (NewServer). Everything a helper opens is closed by
// t.Cleanup, and a helper that fails ends the test with t.Fatal.
//
// Importing kmstest pulls in aws-sdk-go-v2 (the KMS client and package
// aws), which the module requires already for package awsapi.
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

// Option configures the handle New opens: it edits the kms.Options New
// passes to kms.New. A func(*kms.Options) literal is an Option too.
type Option func(*kms.Options)

// WithOptions starts from opts instead of the zero kms.Options; Options
// given after it edit them further.
func WithOptions(opts kms.Options) Option {
	return func(o *kms.Options) { *o = opts }
}

// WithAccount sets the handle's 12-digit AWS account id.
func WithAccount(accountID string) Option {
	return func(o *kms.Options) { o.AccountID = accountID }
}

// WithRegion sets the handle's AWS Region.
func WithRegion(region string) Option {
	return func(o *kms.Options) { o.Region = region }
}

// WithClock makes the handle use c, for example to share one fake clock
// between the handles of several Regions.
func WithClock(c kms.Clock) Option {
	return func(o *kms.Options) { o.Clock = c }
}

// New returns a handle on a fresh in-memory backend (unless an Option
// gives one), with account 111122223333 and Region us-east-1 unless
// Options say otherwise, closed when the test ends. Without a Clock in
// the options the handle gets a fake clock at Start, which New returns;
// the returned clock is the Options' one when that is a *Clock, and nil
// for any other kms.Clock. An error of kms.New ends the test (t.Fatal).
func New(t testing.TB, opts ...Option) (*kms.KMS, *Clock) {
	t.Helper()
	var o kms.Options
	for _, opt := range opts {
		opt(&o)
	}
	clock, _ := o.Clock.(*Clock)
	if o.Clock == nil {
		clock = NewClock(Start)
		o.Clock = clock
	}
	k, err := kms.New(o)
	if err != nil {
		t.Fatalf("kmstest.New: %v", err)
	}
	t.Cleanup(func() { k.Close() })
	return k, clock
}

// NewWithOptions is New(t, WithOptions(opts)): a nil Clock is replaced by
// a fake one.
func NewWithOptions(t testing.TB, opts kms.Options) (*kms.KMS, *Clock) {
	t.Helper()
	return New(t, WithOptions(opts))
}
