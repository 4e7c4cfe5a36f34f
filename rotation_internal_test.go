package kms

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

// rtClock is a settable clock (package kmstest imports this package).
type rtClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rtClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *rtClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// A handle that noticed a due rotation (from a key it read before) and
// rotates after another handle did rotates nothing: the rotation is
// checked again inside its transaction.
func TestRotateIfDueChecksAgainInTransaction(t *testing.T) {
	ctx := context.Background()
	clock := &rtClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	k, err := New(Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	out, err := k.CreateKey(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := out.KeyMetadata.KeyId
	if _, err := k.EnableKeyRotation(ctx, &EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: 90}); err != nil {
		t.Fatal(err)
	}
	clock.advance(90 * day)
	ref := keyRef{k.account, k.region, id}
	read := func() *records.Key {
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
	if !rotationDue(read(), clock.Now()) {
		t.Fatal("not due after 90 days")
	}
	for range 3 {
		if err := k.rotateIfDue(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if rec := read(); len(rec.Rotations) != 1 || len(rec.Materials) != 2 {
		t.Fatalf("three handles noticing one due rotation made %d rotations", len(rec.Rotations))
	}
}

// Keys whose material is not AWS KMS's are refused automatic rotation
// with AWS's wording, as recorded from AWS for RotateKeyOnDemand in
// LocalStack's test_kms.snapshot.json
// (test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material,
// before imported keys rotated on demand); on demand a key of imported
// material rotates, multi-Region (its primary) too, and a multi-Region
// replica is refused by checkRotationWrite.
func TestCheckRotatableOrigin(t *testing.T) {
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	ext := &records.Key{KeySpec: string(KeySpecSymmetricDefault), Origin: string(OriginTypeExternal)}
	err := checkRotatable(ext, keyARN, false)
	e, ok := err.(*Error)
	if !ok || e.Code != ErrUnsupportedOperation || e.Message != keyARN+" origin is EXTERNAL which is not valid for this operation." {
		t.Fatalf("EXTERNAL origin, automatic: %v", err)
	}
	if err := checkRotatable(ext, keyARN, true); err != nil {
		t.Fatalf("EXTERNAL origin, on demand: %v", err)
	}
	mrk := &records.Key{Region: "us-east-1", KeySpec: string(KeySpecSymmetricDefault), Origin: string(OriginTypeExternal), MultiRegion: true}
	if err := checkRotationWrite(mrk, keyARN, true); err != nil {
		t.Fatalf("multi-Region EXTERNAL primary, on demand: %v", err)
	}
	if err := checkRotatable(mrk, keyARN, false); !errors.Is(err, ErrUnsupportedOperation) {
		t.Fatalf("multi-Region EXTERNAL primary, automatic: %v", err)
	}
	replica := &records.Key{Region: "eu-west-1", PrimaryRegion: "us-east-1", KeySpec: string(KeySpecSymmetricDefault), Origin: string(OriginTypeExternal), MultiRegion: true}
	if err := checkRotationWrite(replica, keyARN, true); err == nil || err.Error() != notPrimary(keyARN).Error() {
		t.Fatalf("multi-Region EXTERNAL replica, on demand: %v", err)
	}
	hmacExt := &records.Key{KeySpec: string(KeySpecHmac256), Origin: string(OriginTypeExternal)}
	if err := checkRotatable(hmacExt, keyARN, true); !errors.Is(err, ErrUnsupportedOperation) {
		t.Fatalf("HMAC EXTERNAL origin, on demand: %v", err)
	}
	for _, onDemand := range []bool{false, true} {
		if err := checkRotatable(&records.Key{KeySpec: string(KeySpecSymmetricDefault), Origin: string(OriginTypeAwsKms)}, keyARN, onDemand); err != nil {
			t.Fatalf("AWS_KMS origin (on demand %v): %v", onDemand, err)
		}
	}
}
