package kmstest_test

import (
	"context"
	"errors"
	"fmt"
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
