package kmstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

func TestClock(t *testing.T) {
	c := kmstest.NewClock(kmstest.Start)
	if !c.Now().Equal(kmstest.Start) {
		t.Fatalf("Now = %v, want %v", c.Now(), kmstest.Start)
	}
	c.Advance(36 * time.Hour)
	if want := kmstest.Start.Add(36 * time.Hour); !c.Now().Equal(want) {
		t.Fatalf("after Advance: %v, want %v", c.Now(), want)
	}
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(later)
	if !c.Now().Equal(later) {
		t.Fatalf("after Set: %v", c.Now())
	}
}

func TestNewUsesTheFakeClock(t *testing.T) {
	k, clock := kmstest.New(t)
	if k.AccountID() != kms.DefaultAccountID || k.Region() != kms.DefaultRegion {
		t.Fatalf("handle is %s/%s", k.AccountID(), k.Region())
	}
	ctx := context.Background()
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !key.KeyMetadata.CreationDate.Equal(kmstest.Start) {
		t.Fatalf("CreationDate = %v, want the fake clock's %v", key.KeyMetadata.CreationDate, kmstest.Start)
	}
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyMetadata.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(7 * 24 * time.Hour)
	if _, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId}); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("DescribeKey after the deletion date: %v, want NotFoundException", err)
	}
}

func TestNewWithOptionsKeepsAGivenClock(t *testing.T) {
	c := kmstest.NewClock(time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC))
	k, got := kmstest.NewWithOptions(t, kms.Options{Clock: c, Region: "eu-west-1"})
	if got != c || k.Region() != "eu-west-1" {
		t.Fatalf("NewWithOptions replaced the clock or the Region")
	}
}

// ExampleClock moves time forward to watch a scheduled deletion happen. In
// a test, kmstest.New(t) gives the handle and the clock in one call.
func ExampleClock() {
	clock := kmstest.NewClock(kmstest.Start)
	k, err := kms.New(kms.Options{Clock: clock})
	if err != nil {
		panic(err)
	}
	defer k.Close()
	ctx := context.Background()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyMetadata.KeyId, PendingWindowInDays: 7})

	clock.Advance(7 * 24 * time.Hour)
	_, err = k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId})
	fmt.Println(errors.Is(err, kms.ErrNotFound))
	// Output: true
}

func TestNewOptions(t *testing.T) {
	shared := kmstest.NewClock(time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name            string
		opts            []kmstest.Option
		account, region string
		maxKeys         int
		wantShared      bool // the clock is shared, else a fresh one at Start
	}{
		{name: "defaults", account: kms.DefaultAccountID, region: kms.DefaultRegion},
		{name: "account and region", opts: []kmstest.Option{kmstest.WithAccount("444455556666"), kmstest.WithRegion("ap-southeast-2")},
			account: "444455556666", region: "ap-southeast-2"},
		{name: "later options edit WithOptions", opts: []kmstest.Option{kmstest.WithOptions(kms.Options{Region: "eu-west-1", AccountID: "777788889999"}), kmstest.WithRegion("eu-central-1")},
			account: "777788889999", region: "eu-central-1"},
		{name: "WithOptions replaces earlier options", opts: []kmstest.Option{kmstest.WithRegion("eu-central-1"), kmstest.WithOptions(kms.Options{})},
			account: kms.DefaultAccountID, region: kms.DefaultRegion},
		{name: "a shared clock", opts: []kmstest.Option{kmstest.WithClock(shared)},
			account: kms.DefaultAccountID, region: kms.DefaultRegion, wantShared: true},
		{name: "a func literal", opts: []kmstest.Option{func(o *kms.Options) { o.MaxKeys = 1 }},
			account: kms.DefaultAccountID, region: kms.DefaultRegion, maxKeys: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, clock := kmstest.New(t, tc.opts...)
			if k.AccountID() != tc.account || k.Region() != tc.region {
				t.Fatalf("handle is %s/%s, want %s/%s", k.AccountID(), k.Region(), tc.account, tc.region)
			}
			switch {
			case tc.wantShared && clock != shared:
				t.Fatalf("New returned clock %p, not the one given", clock)
			case !tc.wantShared && (clock == nil || !clock.Now().Equal(kmstest.Start)):
				t.Fatalf("New returned clock %v, want a fresh one at Start", clock)
			}
			ctx := context.Background()
			key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
			if err != nil {
				t.Fatal(err)
			}
			if !key.KeyMetadata.CreationDate.Equal(clock.Now()) {
				t.Fatalf("CreationDate %v, want the clock's %v", key.KeyMetadata.CreationDate, clock.Now())
			}
			_, err = k.CreateKey(ctx, &kms.CreateKeyInput{})
			if tc.maxKeys == 1 && !errors.Is(err, kms.ErrLimitExceeded) {
				t.Fatalf("second CreateKey with MaxKeys 1: %v, want LimitExceededException", err)
			}
			if tc.maxKeys == 0 && err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A kms.Clock other than a *Clock is used, and New returns no clock.
func TestNewWithAnotherClock(t *testing.T) {
	at := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)
	k, clock := kmstest.New(t, kmstest.WithClock(fixedClock(at)))
	if clock != nil {
		t.Fatalf("New returned a *Clock for another kms.Clock")
	}
	key, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil || !key.KeyMetadata.CreationDate.Equal(at) {
		t.Fatalf("CreateKey: %v, %v; want CreationDate %v", key, err, at)
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// The handle is closed when the test that opened it ends.
func TestNewClosesAtCleanup(t *testing.T) {
	var k *kms.KMS
	t.Run("user", func(t *testing.T) {
		k, _ = kmstest.New(t)
		if _, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{}); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := k.ListKeys(context.Background(), &kms.ListKeysInput{}); !errors.Is(err, kms.ErrClosed) {
		t.Fatalf("ListKeys after the test ended: %v, want ErrClosed", err)
	}
}

func TestNewFailsTheTest(t *testing.T) {
	msg := fatalOf(t, func(tb testing.TB) { kmstest.New(tb, kmstest.WithAccount("12345")) })
	if !strings.HasPrefix(msg, "kmstest.New: ") || !strings.Contains(msg, `AccountID "12345" is not a 12-digit AWS account id`) {
		t.Fatalf("Fatal message %q", msg)
	}
}
