package records_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/records"
)

const acct, region = "111122223333", "us-east-1"

func update(t *testing.T, s backend.Store, fn func(tx backend.Txn) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestAliasIndexFollowsAliases(t *testing.T) {
	s := memory.New()
	defer s.Close()
	aliasesOf := func(key string) (names []string) {
		t.Helper()
		update(t, s, func(tx backend.Txn) error {
			var err error
			names, err = records.AliasesOf(tx, acct, region, key)
			return err
		})
		return names
	}
	update(t, s, func(tx backend.Txn) error {
		for _, a := range []records.Alias{{Name: "alias/b", TargetKeyID: "k1"}, {Name: "alias/a", TargetKeyID: "k1"}, {Name: "alias/c", TargetKeyID: "k2"}} {
			if err := records.PutAlias(tx, acct, region, &a); err != nil {
				return err
			}
		}
		return nil
	})
	if got := aliasesOf("k1"); !slices.Equal(got, []string{"alias/a", "alias/b"}) {
		t.Fatalf("k1 aliases = %v", got)
	}
	// Retarget alias/b to k2, delete alias/a.
	update(t, s, func(tx backend.Txn) error {
		if err := records.PutAlias(tx, acct, region, &records.Alias{Name: "alias/b", TargetKeyID: "k2"}); err != nil {
			return err
		}
		return records.DeleteAlias(tx, acct, region, "alias/a")
	})
	if got := aliasesOf("k1"); len(got) != 0 {
		t.Fatalf("k1 aliases after retarget and delete = %v", got)
	}
	if got := aliasesOf("k2"); !slices.Equal(got, []string{"alias/b", "alias/c"}) {
		t.Fatalf("k2 aliases = %v", got)
	}
}

func TestDeletionIndexFollowsKeys(t *testing.T) {
	s := memory.New()
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	due := func(now time.Time) (ids []string) {
		t.Helper()
		update(t, s, func(tx backend.Txn) error {
			var err error
			ids, err = records.DueForDeletion(tx, acct, region, now)
			return err
		})
		return ids
	}
	update(t, s, func(tx backend.Txn) error {
		for i, id := range []string{"late", "early", "never"} {
			k := &records.Key{Account: acct, Region: region, KeyID: id}
			if id != "never" {
				k.DeletionDate = t0.Add(time.Duration(10-i*5) * 24 * time.Hour) // late: +10d, early: +5d
			}
			if err := records.PutKey(tx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if got := due(t0.Add(5*24*time.Hour - time.Nanosecond)); len(got) != 0 {
		t.Fatalf("due before any date = %v", got)
	}
	if got := due(t0.Add(5 * 24 * time.Hour)); !slices.Equal(got, []string{"early"}) {
		t.Fatalf("due at the first date = %v", got)
	}
	if got := due(t0.Add(365 * 24 * time.Hour)); !slices.Equal(got, []string{"early", "late"}) {
		t.Fatalf("due much later = %v", got)
	}
	// Cancelling (clearing the date) and deleting both leave the index.
	update(t, s, func(tx backend.Txn) error {
		if err := records.PutKey(tx, &records.Key{Account: acct, Region: region, KeyID: "late"}); err != nil {
			return err
		}
		return records.DeleteKey(tx, acct, region, "early")
	})
	if got := due(t0.Add(365 * 24 * time.Hour)); len(got) != 0 {
		t.Fatalf("due after cancel and delete = %v", got)
	}
	// Other accounts and Regions are separate.
	update(t, s, func(tx backend.Txn) error {
		return records.PutKey(tx, &records.Key{Account: "444455556666", Region: region, KeyID: "x", DeletionDate: t0})
	})
	if got := due(t0.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("another account's key is due here: %v", got)
	}
}

// The rotation index holds the Enabled keys that rotate, by next rotation
// date: DueForRotation finds those due, and PutKey and DeleteKey keep it in
// step with the records.
func TestRotationIndexFollowsKeys(t *testing.T) {
	s := memory.New()
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	due := func(at time.Time) (ids []string) {
		t.Helper()
		update(t, s, func(tx backend.Txn) error {
			var err error
			ids, err = records.DueForRotation(tx, acct, region, at)
			return err
		})
		return ids
	}
	put := func(k *records.Key) {
		t.Helper()
		update(t, s, func(tx backend.Txn) error { return records.PutKey(tx, k) })
	}
	a := &records.Key{Account: acct, Region: region, KeyID: "a", State: "Enabled", RotationPeriodInDays: 90, NextRotationDate: t0.Add(time.Hour)}
	b := &records.Key{Account: acct, Region: region, KeyID: "b", State: "Enabled", RotationPeriodInDays: 90, NextRotationDate: t0.Add(2 * time.Hour)}
	c := &records.Key{Account: acct, Region: region, KeyID: "c", State: "Enabled"} // does not rotate
	put(a)
	put(b)
	put(c)
	if got := due(t0.Add(time.Hour)); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("due at +1h: %v", got)
	}
	if got := due(t0.Add(3 * time.Hour)); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("due at +3h: %v", got)
	}
	a.NextRotationDate = t0.Add(4 * time.Hour) // rotated
	put(a)
	b.State = "Disabled"
	put(b)
	if got := due(t0.Add(3 * time.Hour)); len(got) != 0 {
		t.Fatalf("after a's rotation and b disabled, due at +3h: %v", got)
	}
	if got := due(t0.Add(4 * time.Hour)); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("due at +4h: %v", got)
	}
	update(t, s, func(tx backend.Txn) error { return records.DeleteKey(tx, acct, region, "a") })
	n := 0
	update(t, s, func(tx backend.Txn) error {
		return tx.Scan([]byte("rotation/"), nil, func(_, _ []byte) bool { n++; return true })
	})
	if n != 0 {
		t.Fatalf("%d rotation index entries left after the delete", n)
	}
}
