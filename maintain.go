package kms

import (
	"context"
	"errors"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

// Maintain runs the maintenance pass once: it deletes, for good, every key
// of the handle's account and Region whose deletion date has passed by
// the handle's clock, with its key material and its aliases. Such keys are
// already refused by every operation; the pass is what removes them from
// storage when nothing touches them. It reads only the index of keys
// pending deletion, so it costs next to nothing when nothing is due.
//
// A handle on the system clock runs the pass in the background every
// Options.MaintenanceInterval; tests and tools on their own clock call
// Maintain themselves after moving the clock.
func (k *KMS) Maintain(ctx context.Context) error {
	if k.closed.Load() {
		return errClosed()
	}
	return k.sweep(ctx)
}

// maintainEvery runs the pass every interval until ctx is cancelled (by
// Close).
func (k *KMS) maintainEvery(ctx context.Context, interval time.Duration) {
	defer close(k.maintenanceDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A failed pass (a store error) is retried at the next tick;
			// the keys stay refused meanwhile.
			_ = k.sweep(ctx)
		}
	}
}

// sweep deletes every key of the handle's account and Region whose
// deletion date has passed (with its aliases).
func (k *KMS) sweep(ctx context.Context) error {
	var due []string
	err := k.store.View(ctx, func(tx backend.Txn) error {
		var err error
		due, err = records.DueForDeletion(tx, k.account, k.region, k.clock.Now())
		return err
	})
	if err != nil {
		return internal(err)
	}
	for _, id := range due {
		if err := k.purge(ctx, keyRef{k.account, k.region, id}); !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}
