package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/internal/pgtest"
)

// recorder keeps what a Watch function was called with; a nil report
// means "anything".
type recorder struct {
	mu      sync.Mutex
	reports [][][]byte
	fresh   []bool // Fresh() as seen inside each call
}

func watch(t *testing.T, s *postgres.Store) *recorder {
	r := &recorder{}
	stop := s.Watch(func(keys [][]byte) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.reports = append(r.reports, keys)
		r.fresh = append(r.fresh, s.Fresh())
	})
	t.Cleanup(stop)
	return r
}

func (r *recorder) snapshot() ([][][]byte, []bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reports), slices.Clone(r.fresh)
}

// waitFor polls until cond holds of the reports, failing t after timeout.
func (r *recorder) waitFor(t *testing.T, timeout time.Duration, what string, cond func([][][]byte) bool) [][][]byte {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		reps, _ := r.snapshot()
		if cond(reps) {
			return reps
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v, still waiting for %s; reports: %s", timeout, what, fmtReports(reps))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func fmtReports(reps [][][]byte) string {
	var b strings.Builder
	for _, r := range reps {
		if r == nil {
			b.WriteString("[ANY] ")
			continue
		}
		fmt.Fprintf(&b, "%q ", r)
	}
	return b.String()
}

// reported reports whether any report names key or is nil.
func reported(reps [][][]byte, key string) bool {
	for _, r := range reps {
		if r == nil || slices.ContainsFunc(r, func(k []byte) bool { return string(k) == key }) {
			return true
		}
	}
	return false
}

func set(t *testing.T, s backend.Store, kv ...string) {
	t.Helper()
	err := s.Update(t.Context(), func(tx backend.Txn) error {
		for i := 0; i < len(kv); i += 2 {
			if err := tx.Set([]byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWatchReportsAnotherStoresCommits: two Store values on one database
// stand for two processes; every Update of one is reported to the other's
// Watch, with exactly the keys it wrote or deleted, in commit order.
func TestWatchReportsAnotherStoresCommits(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := open(t, postgres.Options{DSN: dsn})
	b := open(t, postgres.Options{DSN: dsn})
	rb := watch(t, b)
	const n = 20
	for i := range n {
		err := a.Update(t.Context(), func(tx backend.Txn) error {
			if err := tx.Set(fmt.Appendf(nil, "k/%02d", i), []byte("v")); err != nil {
				return err
			}
			return tx.Delete(fmt.Appendf(nil, "d/%02d", i))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A View and an Update that wrote nothing are not reported.
	if err := a.View(t.Context(), func(backend.Txn) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(t.Context(), func(tx backend.Txn) error { _, err := tx.Get([]byte("k/00")); return err }); err != nil {
		t.Fatal(err)
	}
	set(t, a, "last", "v")
	reps := rb.waitFor(t, 10*time.Second, "the last write", func(r [][][]byte) bool { return reported(r, "last") })
	if len(reps) != n+1 {
		t.Fatalf("%d reports, want %d: %s", len(reps), n+1, fmtReports(reps))
	}
	for i, r := range reps[:n] {
		want := [][]byte{fmt.Appendf(nil, "d/%02d", i), fmt.Appendf(nil, "k/%02d", i)}
		if !slices.EqualFunc(r, want, bytes.Equal) {
			t.Errorf("report %d = %q, want %q", i, r, want)
		}
	}
}

// TestWatchCommitOrder: writers in two stores race, each transaction
// incrementing one counter and writing a key named by its new value, so
// commit order is the order of those values. A third store must be told
// of every transaction, alone, in that order, and never "anything".
func TestWatchCommitOrder(t *testing.T) {
	dsn := pgtest.DSN(t)
	writers := []*postgres.Store{open(t, postgres.Options{DSN: dsn}), open(t, postgres.Options{DSN: dsn})}
	w := open(t, postgres.Options{DSN: dsn})
	rw := watch(t, w)
	const perGoroutine, goroutines = 10, 4
	total := perGoroutine * goroutines * len(writers)
	var wg sync.WaitGroup
	errs := make(chan error, total)
	for _, s := range writers {
		for range goroutines {
			wg.Go(func() {
				for range perGoroutine {
					errs <- s.Update(t.Context(), func(tx backend.Txn) error {
						n := 0
						if v, err := tx.Get([]byte("ctr")); err == nil {
							n, _ = strconv.Atoi(string(v))
						} else if !errors.Is(err, backend.ErrNotFound) {
							return err
						}
						n++
						if err := tx.Set([]byte("ctr"), []byte(strconv.Itoa(n))); err != nil {
							return err
						}
						return tx.Set(fmt.Appendf(nil, "seq/%04d", n), nil)
					})
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	reps := rw.waitFor(t, 10*time.Second, "every transaction", func(r [][][]byte) bool { return len(r) >= total })
	for i, r := range reps {
		want := [][]byte{[]byte("ctr"), fmt.Appendf(nil, "seq/%04d", i+1)}
		if !slices.EqualFunc(r, want, bytes.Equal) {
			t.Fatalf("report %d = %s, want %q (reports: %s)", i, fmtReports([][][]byte{r}), want, fmtReports(reps))
		}
	}
	if len(reps) != total {
		t.Errorf("%d reports, want %d", len(reps), total)
	}
}

// TestUpdateWithoutRetriesConflicts: with MaxRetries < 0, racing
// increments of one key fail with an error wrapping backend.ErrConflict
// (a serialization failure is not retried), and those that succeed add up.
func TestUpdateWithoutRetriesConflicts(t *testing.T) {
	dsn := pgtest.DSN(t)
	s := open(t, postgres.Options{DSN: dsn, MaxRetries: -1})
	var mu sync.Mutex
	ok, conflicts := 0, 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 15 {
				err := s.Update(t.Context(), increment)
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, backend.ErrConflict):
					conflicts++
				default:
					t.Errorf("Update: %v, want nil or ErrConflict", err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if conflicts == 0 {
		t.Errorf("no conflicts among %d racing increments", ok)
	}
	if got := counter(t, s); got != ok {
		t.Errorf("counter = %d after %d successful increments", got, ok)
	}
}

// TestUpdateRetriesConflicts: racing increments from two stores all
// succeed (serialization failures are rerun) and none is lost.
func TestUpdateRetriesConflicts(t *testing.T) {
	dsn := pgtest.DSN(t)
	stores := []*postgres.Store{open(t, postgres.Options{DSN: dsn}), open(t, postgres.Options{DSN: dsn})}
	var wg sync.WaitGroup
	for _, s := range stores {
		for range 4 {
			wg.Go(func() {
				for range 15 {
					if err := s.Update(t.Context(), increment); err != nil {
						t.Errorf("Update: %v", err)
					}
				}
			})
		}
	}
	wg.Wait()
	if got := counter(t, stores[0]); got != 2*4*15 {
		t.Errorf("counter = %d, want %d", got, 2*4*15)
	}
}

func increment(tx backend.Txn) error {
	n := 0
	if v, err := tx.Get([]byte("ctr")); err == nil {
		n, _ = strconv.Atoi(string(v))
	} else if !errors.Is(err, backend.ErrNotFound) {
		return err
	}
	return tx.Set([]byte("ctr"), []byte(strconv.Itoa(n+1)))
}

func counter(t *testing.T, s backend.Store) int {
	t.Helper()
	n := 0
	err := s.View(t.Context(), func(tx backend.Txn) error {
		v, err := tx.Get([]byte("ctr"))
		if err != nil {
			return err
		}
		n, err = strconv.Atoi(string(v))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// cutOff ends the listener connection of s and keeps it from reconnecting
// until the returned function is called.
func cutOff(t *testing.T, dsn string, s *postgres.Store) (reconnect func()) {
	t.Helper()
	s.BlockListener(true)
	pid := s.ListenerPID()
	if err := pgtest.Exec(t.Context(), dsn, `SELECT pg_terminate_backend($1)`, int64(pid)); err != nil {
		t.Fatal(err)
	}
	return func() { s.BlockListener(false) }
}

// TestFreshWhileCutOff: when the listener's connection is ended and it
// cannot reconnect, Fresh turns false within the bound and a change made
// meanwhile is not reported; when it reconnects, it reports the change it
// missed while Fresh is still false, and only then is Fresh true again.
func TestFreshWhileCutOff(t *testing.T) {
	const staleness = 400 * time.Millisecond
	dsn := pgtest.DSN(t)
	a := open(t, postgres.Options{DSN: dsn})
	b := open(t, postgres.Options{DSN: dsn, Staleness: staleness})
	if got := b.Staleness(); got != staleness {
		t.Errorf("Staleness() = %v, want %v", got, staleness)
	}
	rb := watch(t, b)
	if !b.Fresh() {
		t.Fatal("Fresh() = false after Open")
	}
	set(t, a, "before", "v")
	rb.waitFor(t, 5*time.Second, "a write while connected", func(r [][][]byte) bool { return reported(r, "before") })

	reconnect := cutOff(t, dsn, b)
	cut := time.Now()
	set(t, a, "missed", "v")
	for b.Fresh() {
		if time.Since(cut) > staleness+200*time.Millisecond {
			t.Fatalf("Fresh() still true %v after the listener was cut off (bound %v)", time.Since(cut), staleness)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(staleness) // while cut off, nothing is reported
	if reps, _ := rb.snapshot(); reported(reps[1:], "missed") {
		t.Fatalf("a change was reported while the listener was cut off: %s", fmtReports(reps))
	}
	if b.Fresh() {
		t.Fatal("Fresh() true again while the listener is cut off")
	}

	reconnect()
	back := time.Now()
	rb.waitFor(t, 5*time.Second, "the missed change", func(r [][][]byte) bool { return reported(r[1:], "missed") })
	for !b.Fresh() {
		if time.Since(back) > 5*time.Second {
			t.Fatal("Fresh() still false 5s after the listener could reconnect")
		}
		time.Sleep(5 * time.Millisecond)
	}
	reps, fresh := rb.snapshot()
	for i, r := range reps {
		if reported([][][]byte{r}, "missed") && fresh[i] {
			t.Errorf("Fresh() was true while the missed change was being reported (report %d)", i)
		}
	}
}

// TestCatchUpAfterPrune: a listener that was cut off while the change log
// rows it needed were pruned reports nil ("anything") when it reconnects.
func TestCatchUpAfterPrune(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := open(t, postgres.Options{DSN: dsn})
	b := open(t, postgres.Options{DSN: dsn, Staleness: 200 * time.Millisecond})
	rb := watch(t, b)
	reconnect := cutOff(t, dsn, b)
	set(t, a, "x", "1")
	set(t, a, "y", "1")
	if err := pgtest.Exec(t.Context(), dsn, `DELETE FROM embedkms_changes`); err != nil {
		t.Fatal(err)
	}
	set(t, a, "z", "1") // still logged, but the rows before it are gone
	reconnect()
	reps := rb.waitFor(t, 5*time.Second, "a report", func(r [][][]byte) bool { return len(r) > 0 })
	if reps[0] != nil {
		t.Errorf("first report after the log was pruned = %s, want nil (anything)", fmtReports(reps))
	}
}

// TestCatchUpWithoutNotification: a change committed without a
// notification (as when one is lost) is found by the listener's poll; and
// at no moment is the store Fresh while a change committed more than the
// bound ago is unreported.
func TestCatchUpWithoutNotification(t *testing.T) {
	const staleness = 400 * time.Millisecond
	dsn := pgtest.DSN(t)
	b := open(t, postgres.Options{DSN: dsn, Staleness: staleness})
	rb := watch(t, b)
	err := pgtest.Exec(t.Context(), dsn, `WITH c AS (UPDATE embedkms_clock SET rev = rev + 1 WHERE id = 1 RETURNING rev)
		INSERT INTO embedkms_changes (rev, keys) SELECT rev, ARRAY['\x6b6579'::bytea] FROM c`)
	if err != nil {
		t.Fatal(err)
	}
	committed := time.Now() // after the commit
	for {
		// Fresh first: if it is true, every change committed more
		// than the bound before this moment has been reported.
		now := time.Now()
		fresh := b.Fresh()
		if reps, _ := rb.snapshot(); len(reps) > 0 {
			if len(reps) != 1 || len(reps[0]) != 1 || string(reps[0][0]) != "key" {
				t.Errorf("reports = %s, want [\"key\"]", fmtReports(reps))
			}
			return
		}
		if fresh && now.Sub(committed) > staleness {
			t.Fatalf("Fresh() true %v after an unreported commit (bound %v)", now.Sub(committed), staleness)
		}
		if now.Sub(committed) > 5*time.Second {
			t.Fatal("the unnotified change was not reported in 5s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestTooManyKeysReportedAsAnything: a transaction writing more keys than
// the change log lists is reported as nil.
func TestTooManyKeysReportedAsAnything(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := open(t, postgres.Options{DSN: dsn})
	b := open(t, postgres.Options{DSN: dsn})
	rb := watch(t, b)
	err := a.Update(t.Context(), func(tx backend.Txn) error {
		for i := range 1025 {
			if err := tx.Set(fmt.Appendf(nil, "k%05d", i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	set(t, a, "after", "v")
	reps := rb.waitFor(t, 5*time.Second, "two reports", func(r [][][]byte) bool { return len(r) >= 2 })
	if reps[0] != nil || len(reps[1]) != 1 {
		t.Errorf("reports = %s, want [ANY] [\"after\"]", fmtReports(reps))
	}
}

// TestScanBatches scans with two rows per query, across batch boundaries
// that fall between keys that are prefixes of each other, and checks every
// key comes once, in order, within the prefix.
func TestScanBatches(t *testing.T) {
	defer postgres.SetScanBatch(2)()
	s := open(t, postgres.Options{DSN: pgtest.DSN(t)})
	keys := []string{"a", "a\x00", "a\x00\x00", "a\x01", "ab", "abc", "b", "\xff", "\xff\xff", "\xff\xff\x00", "\x00"}
	var kv []string
	for _, k := range keys {
		kv = append(kv, k, "v"+k)
	}
	set(t, s, kv...)
	slices.Sort(keys)
	for _, tc := range []struct{ prefix, start string }{
		{"", ""}, {"a", ""}, {"a", "a\x00\x00"}, {"a\x00", ""}, {"\xff", ""}, {"\xff\xff", ""}, {"", "ab"}, {"b", ""}, {"c", ""},
	} {
		var want []string
		for _, k := range keys {
			if strings.HasPrefix(k, tc.prefix) && k >= tc.start {
				want = append(want, k)
			}
		}
		// Once committed, and once with a pending write of this
		// transaction inside the range.
		for _, pending := range []bool{false, true} {
			var got []string
			err := s.Update(t.Context(), func(tx backend.Txn) error {
				got = nil
				if pending {
					if err := tx.Set([]byte(tc.prefix+"\x00new"), nil); err != nil {
						return err
					}
				}
				if err := tx.Scan([]byte(tc.prefix), []byte(tc.start), func(k, v []byte) bool {
					if string(v) != "v"+string(k) && !strings.HasSuffix(string(k), "\x00new") {
						t.Errorf("value of %q = %q", k, v)
					}
					got = append(got, string(k))
					return true
				}); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			w := want
			if pending && tc.prefix+"\x00new" >= tc.start {
				w = append(slices.Clone(want), tc.prefix+"\x00new")
				slices.Sort(w)
			}
			if !slices.Equal(got, w) {
				t.Errorf("Scan(%q, %q) pending=%v = %q, want %q", tc.prefix, tc.start, pending, got, w)
			}
		}
	}
}

var errRollback = errors.New("rollback")

// TestOpenConcurrently: processes opening a new database at once all
// succeed (the migration runs once, under its lock), and the schema
// version is recorded.
func TestOpenConcurrently(t *testing.T) {
	dsn := pgtest.DSN(t)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn, Table: "race"})
			if err != nil {
				t.Errorf("Open: %v", err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	if err := pgtest.Exec(t.Context(), dsn, `DO $$ BEGIN IF (SELECT version FROM race_schema) <> 1 THEN RAISE 'version'; END IF; END $$`); err != nil {
		t.Errorf("schema version: %v", err)
	}
}

// TestOpenRefusesNewerSchema: tables migrated by a newer version are not
// used.
func TestOpenRefusesNewerSchema(t *testing.T) {
	dsn := pgtest.DSN(t)
	open(t, postgres.Options{DSN: dsn}).Close()
	if err := pgtest.Exec(t.Context(), dsn, `UPDATE embedkms_schema SET version = 99`); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn})
	if err == nil || !strings.Contains(err.Error(), "schema version 99") {
		t.Errorf("Open of a newer schema = %v, want an error naming version 99", err)
	}
}

// TestOpenOptions refuses a bad table prefix or bound, and keeps stores with
// different prefixes apart.
func TestOpenOptions(t *testing.T) {
	dsn := pgtest.DSN(t)
	for _, o := range []postgres.Options{
		{DSN: dsn, Table: "Upper"}, {DSN: dsn, Table: "a-b"}, {DSN: dsn, Table: "9x"},
		{DSN: dsn, Staleness: time.Millisecond}, {DSN: "postgres://[bad"},
	} {
		if s, err := postgres.Open(t.Context(), o); err == nil {
			s.Close()
			t.Errorf("Open(%+v) succeeded", o)
		}
	}
	one := open(t, postgres.Options{DSN: dsn, Table: "one"})
	two := open(t, postgres.Options{DSN: dsn, Table: "two"})
	set(t, one, "k", "1")
	err := two.View(context.Background(), func(tx backend.Txn) error {
		_, err := tx.Get([]byte("k"))
		return err
	})
	if !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Get in another table prefix = %v, want ErrNotFound", err)
	}
}

// TestNotifiedChangeIsPrompt: with a bound of a minute (a poll every 15s),
// another store's commit is reported within a second: the listener is
// woken by the commit's notification, not by its poll.
func TestNotifiedChangeIsPrompt(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := open(t, postgres.Options{DSN: dsn})
	b := open(t, postgres.Options{DSN: dsn, Staleness: time.Minute})
	rb := watch(t, b)
	for i := range 5 {
		key := fmt.Sprintf("k%d", i)
		set(t, a, key, "v")
		rb.waitFor(t, time.Second, "the notified change "+key, func(r [][][]byte) bool { return reported(r, key) })
	}
	// A change committed while the listener is catching up, after its
	// snapshot: its notification arrives during the catch-up's queries,
	// and is still acted on at once.
	var once sync.Once
	b.OnCatchUp(func() {
		once.Do(func() {
			// On the listener's goroutine: no t.Fatal here.
			if err := a.Update(context.Background(), func(tx backend.Txn) error { return tx.Set([]byte("during"), nil) }); err != nil {
				t.Errorf("Update during a catch-up: %v", err)
			}
		})
	})
	defer b.OnCatchUp(nil)
	set(t, a, "trigger", "v")
	rb.waitFor(t, time.Second, "the change committed during a catch-up", func(r [][][]byte) bool { return reported(r, "during") })
}
