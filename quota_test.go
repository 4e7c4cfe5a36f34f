package kms_test

import (
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// TestKeyQuota: CreateKey beyond Options.MaxKeys customer managed keys of
// an account and Region is LimitExceededException (AWS KMS Developer Guide,
// "Resource quotas"); a deleted key frees its place; other accounts and
// Regions on the same backend have their own quota.
func TestKeyQuota(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	k, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store, MaxKeys: 3})
	other, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, MaxKeys: 3, Region: "eu-west-1", Clock: clock})
	ctx := t.Context()
	var ids []string
	for range 3 {
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.KeyMetadata.KeyId)
	}
	_, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	azWantCode(t, err, kms.ErrLimitExceeded, "quota")
	if _, err := other.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatalf("another Region's quota: %v", err)
	}
	// A key pending deletion still counts; once deleted it does not.
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: ids[0], PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	_, err = k.CreateKey(ctx, &kms.CreateKeyInput{})
	azWantCode(t, err, kms.ErrLimitExceeded, "quota")
	clock.Advance(8 * 24 * time.Hour)
	if err := k.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatalf("after a deletion: %v", err)
	}
	_, err = k.CreateKey(ctx, &kms.CreateKeyInput{})
	azWantCode(t, err, kms.ErrLimitExceeded, "quota")
	if _, err := kms.New(kms.Options{MaxKeys: -1}); err == nil {
		t.Fatal("New accepted a negative MaxKeys")
	}
}

// TestKeyQuotaCountsAStoreWithoutACount: a store written before the count
// was kept gets it computed from its keys.
func TestKeyQuotaCountsAStoreWithoutACount(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store})
	ctx := t.Context()
	for range 2 {
		if _, err := k.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
			t.Fatal(err)
		}
	}
	k.Close()
	if err := store.Update(ctx, func(tx backend.Txn) error { return tx.Delete([]byte("keycount/111122223333/us-east-1")) }); err != nil {
		t.Fatal(err)
	}
	k2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, MaxKeys: 3})
	if _, err := k2.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := k2.CreateKey(ctx, &kms.CreateKeyInput{})
	azWantCode(t, err, kms.ErrLimitExceeded, "quota")
}
