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
// the handle's clock, with its key material and its aliases, it deletes
// every imported key material whose ValidTo has passed (the key becomes
// PendingImport), and it performs every automatic key rotation that is
// due. Such keys are
// already refused by every operation, and a key due for rotation rotates
// when it is next used; the pass is what does both when nothing touches
// the keys. It reads only the indexes of keys pending deletion and of
// keys that rotate, so it costs next to nothing when nothing is due.
// Last, it writes the last use of keys (GetKeyLastUsage) noted in memory
// since the previous pass.
//
// A handle on the system clock runs the pass in the background every
// Options.MaintenanceInterval; tests and tools on their own clock call
// Maintain themselves after moving the clock.
func (k *KMS) Maintain(ctx context.Context) error {
	if k.closed.Load() {
		return errClosed()
	}
	return k.maintain(ctx)
}

// maintain is one maintenance pass: deletions, expiries of imported
// material, then rotations, then the writing of the last uses of keys
// noted since the last pass.
func (k *KMS) maintain(ctx context.Context) error {
	if err := k.sweep(ctx); err != nil {
		return err
	}
	if err := k.expirySweep(ctx); err != nil {
		return err
	}
	if err := k.rotateSweep(ctx); err != nil {
		return err
	}
	_, _, err := k.flushUsage(ctx, nil)
	return err
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
			_ = k.maintain(ctx)
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
