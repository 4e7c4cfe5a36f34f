package badger_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/backendtest"
	"github.com/embedkms/kms/backend/badger"
)

// open opens a store in a new temporary directory, closed at the end of
// the test unless the test closed it.
func open(t testing.TB, opts ...badger.Option) *badger.Store {
	t.Helper()
	s, err := badger.Open(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Store {
		s, err := badger.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestReservedKeys stores keys Badger itself refuses or hides (its
// "!badger!" prefix, the empty key) and reads them back.
func TestReservedKeys(t *testing.T) {
	s := open(t)
	keys := []string{"", "!badger!head", "!badger!", "\x00", "\xff"}
	err := s.Update(t.Context(), func(tx backend.Txn) error {
		for _, k := range keys {
			if err := tx.Set([]byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = s.View(t.Context(), func(tx backend.Txn) error {
		for _, k := range keys {
			v, err := tx.Get([]byte(k))
			if err != nil || string(v) != "v"+k {
				t.Errorf("Get(%q) = %q, %v", k, v, err)
			}
		}
		return tx.Scan(nil, nil, func(k, v []byte) bool { got = append(got, string(k)); return true })
	})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Scan = %q, want %q", got, want)
	}
}

// TestSecondOpenerFails opens a directory that is in use: the second Open
// fails at once with ErrLocked and the directory's name, and the first
// store still works. After Close the directory opens again.
func TestSecondOpenerFails(t *testing.T) {
	dir := t.TempDir()
	s, err := badger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	commit(t, s, "k", "v")
	begin := time.Now()
	s2, err := badger.Open(dir)
	if err == nil {
		s2.Close()
		t.Fatal("second Open of a directory in use succeeded")
	}
	if !errors.Is(err, badger.ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Errorf("second Open = %v, want ErrLocked naming %s", err, dir)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("second Open took %v", d)
	}
	commit(t, s, "k2", "v2")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = badger.Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	defer s.Close()
	for _, k := range []string{"k", "k2"} {
		if got := get(t, s, k); got != "v"+k[1:] {
			t.Errorf("%s = %q after reopening", k, got)
		}
	}
}

func commit(t testing.TB, s backend.Store, k, v string) {
	t.Helper()
	if err := s.Update(t.Context(), func(tx backend.Txn) error { return tx.Set([]byte(k), []byte(v)) }); err != nil {
		t.Fatal(err)
	}
}

func get(t testing.TB, s backend.Store, k string) string {
	t.Helper()
	var v []byte
	err := s.View(t.Context(), func(tx backend.Txn) (err error) { v, err = tx.Get([]byte(k)); return err })
	if err != nil {
		t.Fatalf("Get(%q): %v", k, err)
	}
	return string(v)
}

// TestConflictRetriesAreBounded makes attempts of an Update conflict
// (another Update writes the key it read before it commits): Update reruns
// it, the last of WithMaxRetries reruns alone, and without retries returns
// backend.ErrConflict at the first conflict.
func TestConflictRetriesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retries   int
		conflicts int // attempts that conflict
		wantCalls int
		wantErr   error
	}{
		{"no retries", 0, 1, 1, backend.ErrConflict},
		{"conflicts once", 3, 1, 2, nil},
		{"conflicts until the last rerun", 3, 3, 4, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, badger.WithMaxRetries(tc.retries))
			commit(t, s, "n", "0")
			calls := 0
			err := s.Update(t.Context(), func(tx backend.Txn) error {
				calls++
				if _, err := tx.Get([]byte("n")); err != nil {
					return err
				}
				if calls <= tc.conflicts {
					// A concurrent Update commits a write of n
					// after this transaction read it.
					done := make(chan struct{})
					go func() { defer close(done); commit(t, s, "n", fmt.Sprint(calls)) }()
					<-done
				}
				return tx.Set([]byte("n"), []byte("mine"))
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Update = %v, want %v", err, tc.wantErr)
			}
			if calls != tc.wantCalls {
				t.Errorf("fn ran %d times, want %d", calls, tc.wantCalls)
			}
			want := "mine"
			if tc.wantErr != nil {
				want = fmt.Sprint(calls)
			}
			if got := get(t, s, "n"); got != want {
				t.Errorf("n = %q, want %q", got, want)
			}
		})
	}
}

// TestScanningUpdatesSerialize runs Updates that count the keys under a
// prefix and add one only while there are fewer than a limit, beside
// Updates that do the same: however they interleave, the limit holds (no
// insert appears in a range a committing Update scanned).
func TestScanningUpdatesSerialize(t *testing.T) {
	s := open(t)
	const limit, workers = 20, 8
	var wg sync.WaitGroup
	var added atomic.Int32
	for w := range workers {
		wg.Go(func() {
			for i := range limit {
				err := s.Update(t.Context(), func(tx backend.Txn) error {
					n := 0
					if err := tx.Scan([]byte("q/"), nil, func(k, v []byte) bool { n++; return true }); err != nil {
						return err
					}
					if n >= limit {
						return nil
					}
					return tx.Set(fmt.Appendf(nil, "q/%d/%d", w, i), nil)
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
			added.Add(1)
		})
	}
	wg.Wait()
	n := 0
	s.View(t.Context(), func(tx backend.Txn) error {
		return tx.Scan([]byte("q/"), nil, func(k, v []byte) bool { n++; return true })
	})
	if n != limit {
		t.Errorf("%d keys under q/, want the limit %d", n, limit)
	}
}

// TestWriteErrorPreventsCommit: when a write fails (a value too large for
// one transaction) and fn ignores the error and returns nil, nothing of
// the transaction is committed.
func TestWriteErrorPreventsCommit(t *testing.T) {
	s := open(t, badger.WithBadgerOptions(func(o bdg.Options) bdg.Options { return o.WithMemTableSize(1 << 20).WithValueThreshold(1 << 10) }))
	err := s.Update(t.Context(), func(tx backend.Txn) error {
		tx.Set([]byte("small"), []byte("v"))
		for i := range 1000 { // far beyond the 150 KiB batch limit of a 1 MiB memtable
			tx.Set(fmt.Appendf(nil, "big/%d", i), bytes.Repeat([]byte{'x'}, 512))
		}
		return nil
	})
	if err == nil {
		t.Fatal("Update with a failed write returned nil")
	}
	s.View(t.Context(), func(tx backend.Txn) error {
		if _, err := tx.Get([]byte("small")); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("Get(small) after the failed Update: %v, want ErrNotFound", err)
		}
		return nil
	})
}

// TestQuietByDefault checks that Badger logs nothing on stderr unless a
// logger is given, and that WithLogger receives its messages.
func TestQuietByDefault(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	dir := t.TempDir()
	s, err := badger.Open(dir)
	if err == nil {
		commit(t, s, "k", "v")
		s.Close()
	}
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > 0 {
		t.Errorf("Open, Update and Close wrote to stderr:\n%s", out)
	}
	var buf syncBuffer
	s, err = badger.Open(dir, badger.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if !strings.Contains(buf.String(), "store=badger") {
		t.Errorf("WithLogger received nothing on reopening a store: %q", buf.String())
	}
}

// dirSize is the sum of the sizes of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// syncBuffer is a bytes.Buffer safe for the goroutines Badger logs from.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestGCBoundsDirectory churns values (overwrites and deletes, 20 MiB in
// all) and runs value-log garbage collection between rounds: the directory
// ends within a bound far below what was written. The same churn without
// collection leaves it past that bound, so the bound is a real one.
func TestGCBoundsDirectory(t *testing.T) {
	// Small memtables, value-log files and value threshold, so that a few
	// megabytes of churn fill several value-log files and compactions
	// (which tell the collector what is garbage) run often.
	tune := badger.WithBadgerOptions(func(o bdg.Options) bdg.Options {
		return o.WithValueLogFileSize(1 << 20).WithValueThreshold(256).
			WithMemTableSize(32 << 10).WithBaseTableSize(32 << 10).
			WithNumLevelZeroTables(1).WithNumLevelZeroTablesStall(8)
	})
	const rounds, keys, size = 40, 32, 16 << 10
	const bound = 8 << 20
	churn := func(s *badger.Store, gc bool) (final int64, rewritten int) {
		val := bytes.Repeat([]byte{'v'}, size)
		for r := range rounds {
			err := s.Update(t.Context(), func(tx backend.Txn) error {
				for i := range keys {
					k := fmt.Appendf(nil, "churn/%d", i)
					if (r+i)%5 == 0 {
						if err := tx.Delete(k); err != nil {
							return err
						}
						continue
					}
					val[0] = byte(r)
					if err := tx.Set(k, val); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if gc {
				rewritten += s.RunGC()
			}
		}
		// Compactions run in the background: collect until they have
		// caught up, for a few seconds at most.
		for deadline := time.Now().Add(5 * time.Second); gc && time.Now().Before(deadline); {
			rewritten += s.RunGC()
			if dirSize(t, s.Dir()) <= bound {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return dirSize(t, s.Dir()), rewritten
	}
	withGC, rewritten := churn(open(t, tune, badger.WithGCInterval(0)), true)
	t.Logf("with GC: %d bytes at the end, %d value-log files rewritten", withGC, rewritten)
	if withGC > bound {
		t.Errorf("with GC the directory holds %d bytes, want at most %d", withGC, bound)
	}
	without, _ := churn(open(t, tune, badger.WithGCInterval(0)), false)
	t.Logf("without GC: %d bytes at the end", without)
	if without <= bound {
		t.Errorf("without GC the directory holds only %d bytes: the churn does not test the bound", without)
	}
}
