package postgres_test

import (
	"testing"
	"time"

	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/internal/pgtest"
)

// TestListenerFailingCatchUpBacksOff: when the listener connects but its
// catch-up keeps failing (here the clock table is gone: a permission
// revoked or a schema changed under it would do the same), it waits
// between attempts as it does when it cannot connect, rather than
// reconnecting in a loop; Fresh turns false, and once the catch-up works
// again it is Fresh again.
func TestListenerFailingCatchUpBacksOff(t *testing.T) {
	const staleness = 400 * time.Millisecond
	dsn := pgtest.DSN(t)
	s := open(t, postgres.Options{DSN: dsn, Staleness: staleness})
	if err := pgtest.Exec(t.Context(), dsn, `ALTER TABLE embedkms_clock RENAME TO embedkms_clock_away`); err != nil {
		t.Fatal(err)
	}
	const window = time.Second
	pids := map[uint32]bool{}
	for end := time.Now().Add(window); time.Now().Before(end); {
		pids[s.ListenerPID()] = true
		time.Sleep(time.Millisecond)
	}
	// One connection per Staleness/4 at most, and some slack.
	if max := int(window/(staleness/4)) + 4; len(pids) > max {
		t.Errorf("the listener opened at least %d connections in %v while its catch-up failed, want at most %d (one per Staleness/4)", len(pids), window, max)
	}
	if s.Fresh() {
		t.Error("Fresh() true while every catch-up fails")
	}
	if err := pgtest.Exec(t.Context(), dsn, `ALTER TABLE embedkms_clock_away RENAME TO embedkms_clock`); err != nil {
		t.Fatal(err)
	}
	for back := time.Now(); !s.Fresh(); time.Sleep(5 * time.Millisecond) {
		if time.Since(back) > 5*time.Second {
			t.Fatal("Fresh() still false 5s after the catch-up could work again")
		}
	}
}

// TestListenerFailingPruneBacksOff: a prune of the change log that fails
// (here a trigger refuses it) is tried again at the next pruning time, not
// on every pass of the listener, which reconnects in a loop otherwise; the
// listener keeps the store Fresh meanwhile.
func TestListenerFailingPruneBacksOff(t *testing.T) {
	const staleness = 200 * time.Millisecond
	dsn := pgtest.DSN(t)
	open(t, postgres.Options{DSN: dsn}).Close() // creates the tables
	if err := pgtest.Exec(t.Context(), dsn, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'refused'; END $$;
		CREATE TRIGGER refuse BEFORE DELETE ON embedkms_changes FOR EACH STATEMENT EXECUTE FUNCTION refuse()`); err != nil {
		t.Fatal(err)
	}
	s := open(t, postgres.Options{DSN: dsn, Staleness: staleness})
	const window = time.Second
	pids := map[uint32]bool{}
	for end := time.Now().Add(window); time.Now().Before(end); {
		pids[s.ListenerPID()] = true
		time.Sleep(time.Millisecond)
	}
	if max := int(window/(staleness/4)) + 4; len(pids) > max {
		t.Errorf("the listener opened at least %d connections in %v while pruning failed, want at most %d (one per Staleness/4)", len(pids), window, max)
	}
	if !s.Fresh() {
		t.Error("Fresh() false: the failing prune kept the listener from catching up")
	}
}
