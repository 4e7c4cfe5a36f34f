package kms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/kmstest"
)

// mtStored reports whether the backend still holds anything of key id:
// its record, an alias record pointing at it, or any index entry.
func mtStored(t *testing.T, m backend.Store, account, region, id string, alias string) []string {
	t.Helper()
	var found []string
	err := m.View(context.Background(), func(tx backend.Txn) error {
		if _, err := tx.Get(records.KeyKey(account, region, id)); err == nil {
			found = append(found, "key record")
		}
		if _, err := tx.Get(records.AliasKey(account, region, alias)); err == nil {
			found = append(found, "alias record")
		}
		for _, p := range []string{"deletion/", "aliasbykey/"} {
			if err := tx.Scan([]byte(p), nil, func(_, _ []byte) bool { found = append(found, p+" index entry"); return true }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// The maintenance pass deletes a key whose deletion date has passed, with
// its material, aliases and index entries, though nothing touched the key.
func TestMaintainDeletesDueKeys(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	k, clock := kmstest.NewWithOptions(t, kms.Options{Backend: m})
	due := rkCreateKey(t, k)
	kept := rkCreateKey(t, k)
	for _, id := range []string{due.KeyId, kept.KeyId} {
		if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/" + id, TargetKeyId: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: due.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: kept.KeyId, PendingWindowInDays: 30}); err != nil {
		t.Fatal(err)
	}

	clock.Advance(7*24*time.Hour - time.Second)
	if err := k.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mtStored(t, m, due.AWSAccountId, "us-east-1", due.KeyId, "alias/"+due.KeyId); len(got) != 6 {
		t.Fatalf("a second before its deletion date the key is stored as %v, want record, alias and 4 index entries", got)
	}

	clock.Advance(time.Second)
	if err := k.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mtStored(t, m, due.AWSAccountId, "us-east-1", due.KeyId, "alias/"+due.KeyId); len(got) != 2 {
		t.Fatalf("after the pass the backend holds %v, want only the other key's 2 index entries", got)
	}
	if _, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: kept.KeyId}); err != nil {
		t.Fatalf("the key not yet due: %v", err)
	}
	k.Close()
	if err := k.Maintain(ctx); !errors.Is(err, kms.ErrKMSInternal) {
		t.Fatalf("Maintain after Close: %v, want KMSInternalException", err)
	}
}

// On the system clock the pass runs in the background every
// MaintenanceInterval, and Close stops it.
func TestMaintenanceRunsInTheBackground(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	k := rkNew(t, kms.Options{Backend: m, MaintenanceInterval: 5 * time.Millisecond})
	md := rkCreateKey(t, k)
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	// Move the deletion date into the past, as the days passing would.
	err := authenticatedView(t, m).Update(ctx, func(tx backend.Txn) error {
		rec, err := records.GetKey(tx, md.AWSAccountId, "us-east-1", md.KeyId)
		if err != nil {
			return err
		}
		rec.DeletionDate = time.Now().Add(-time.Hour)
		return records.PutKey(tx, rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(mtStored(t, m, md.AWSAccountId, "us-east-1", md.KeyId, "alias/none")) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the background pass did not delete the due key within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	k.Close() // returns only once the pass has stopped (the race detector checks)
}

func TestMaintenanceIntervalNegative(t *testing.T) {
	if k, err := kms.New(kms.Options{MaintenanceInterval: -time.Second}); err == nil {
		k.Close()
		t.Fatal("New with a negative MaintenanceInterval succeeded")
	}
}
