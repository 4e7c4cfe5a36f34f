package kms

import (
	"context"
	"errors"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

// applyIfDue runs apply, in one transaction, on the key ref names if due
// says work is due on it now, and stores the changed record. The check is
// made again inside the transaction, so handles (of this process or
// another) that notice the same due work at once do it once: the backend
// serializes their transactions and the later ones find it done. Every
// copy of a changed multi-Region key is dropped from the cache; when
// nothing was due, the possibly stale entry for ref is.
func (k *KMS) applyIfDue(ctx context.Context, ref keyRef, due func(*records.Key, time.Time) bool, apply func(backend.Txn, *records.Key, time.Time) error) error {
	var changed *records.Key
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		changed = nil
		rec, err := records.GetKey(tx, ref.account, ref.region, ref.name)
		if errors.Is(err, backend.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		now := k.clock.Now()
		if !due(rec, now) {
			return nil
		}
		if err := apply(tx, rec, now); err != nil {
			return err
		}
		changed = rec
		return records.PutKey(tx, rec)
	})
	if err != nil {
		return internal(err)
	}
	if changed != nil {
		k.invalidateCopies(changed, ref)
	} else {
		k.shared.invalidate([]keyRef{ref}, nil)
	}
	return nil
}

// sweepDue runs each on every key of the handle's account and Region that
// the date index list names as due now.
func (k *KMS) sweepDue(ctx context.Context, list func(tx backend.Txn, account, region string, now time.Time) ([]string, error), each func(context.Context, keyRef) error) error {
	var due []string
	err := k.store.View(ctx, func(tx backend.Txn) error {
		var err error
		due, err = list(tx, k.account, k.region, k.clock.Now())
		return err
	})
	if err != nil {
		return internal(err)
	}
	for _, id := range due {
		if err := each(ctx, keyRef{k.account, k.region, id}); err != nil {
			return err
		}
	}
	return nil
}
