package kms

import (
	"context"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

type mgFixedClock struct{ t time.Time }

func (c mgFixedClock) Now() time.Time { return c.t }

// An AWS managed key is stored with yearly automatic rotation ("New AWS
// managed keys are automatically rotated one year after they are
// created": AWS KMS Developer Guide, "Rotating AWS KMS keys"), which
// GetKeyRotationStatus will report; a customer managed key is stored
// without.
func TestManagedKeyRecord(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	k, err := New(Options{Clock: mgFixedClock{now}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	ctx := context.Background()
	md, err := k.DescribeKey(ctx, &DescribeKeyInput{KeyId: "alias/aws/lambda"})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := k.CreateKey(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	read := func(id string) *records.Key {
		var rec *records.Key
		if err := k.store.View(ctx, func(tx backend.Txn) error {
			var err error
			rec, err = records.GetKey(tx, k.account, k.region, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	rec := read(md.KeyMetadata.KeyId)
	if rec.KeyManager != "AWS" || rec.RotationPeriodInDays != 365 || !rec.NextRotationDate.Equal(now.AddDate(0, 0, 365)) {
		t.Errorf("managed key record: KeyManager %q, RotationPeriodInDays %d, NextRotationDate %v", rec.KeyManager, rec.RotationPeriodInDays, rec.NextRotationDate)
	}
	if rec := read(cust.KeyMetadata.KeyId); rec.KeyManager != "" || rec.RotationPeriodInDays != 0 || !rec.NextRotationDate.IsZero() {
		t.Errorf("customer key record: KeyManager %q, RotationPeriodInDays %d, NextRotationDate %v", rec.KeyManager, rec.RotationPeriodInDays, rec.NextRotationDate)
	}
}

// Two callers that both missed the alias (in the cache and the store)
// both reach managedTarget: the second finds, in its transaction, the key
// the first created, and creates none.
func TestManagedTargetFindsTheAliasInItsTransaction(t *testing.T) {
	k, err := New(Options{Clock: mgFixedClock{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	ctx := context.Background()
	ref := keyRef{k.account, k.region, "alias/aws/sns"}
	first, ok, err := k.managedTarget(ctx, ref)
	if !ok || err != nil {
		t.Fatalf("first managedTarget: %v, %v", ok, err)
	}
	second, ok, err := k.managedTarget(ctx, ref)
	if !ok || err != nil || second != first {
		t.Fatalf("second managedTarget = %v, %v, %v; want %v", second, ok, err, first)
	}
	keys, err := k.ListKeys(ctx, nil)
	if err != nil || len(keys.Keys) != 1 || keys.Keys[0].KeyId != first.name {
		t.Fatalf("ListKeys = %+v, %v; want only %s", keys, err, first.name)
	}
}
