package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path"
	"testing"

	"github.com/embedkms/kms/backend"
)

const crashDir = "/db"

// crashOpts compact often, so that the workload crosses compactions.
var crashOpts = Options{CompactRatio: 0.3, CompactMinSize: 600}

type crashOp struct {
	key, val string
	del      bool
}

// crashWorkload is a fixed sequence of transactions over few keys, so that
// they overwrite and delete each other and the log gathers dead bytes.
func crashWorkload() [][]crashOp {
	r := rand.New(rand.NewPCG(1, 2))
	var txns [][]crashOp
	for range 40 {
		var txn []crashOp
		for range 1 + r.IntN(4) {
			o := crashOp{key: fmt.Sprintf("k%02d", r.IntN(12))}
			if r.IntN(4) == 0 {
				o.del = true
			} else {
				v := make([]byte, r.IntN(200))
				for i := range v {
					v[i] = byte(r.Uint32())
				}
				o.val = string(v)
			}
			txn = append(txn, o)
		}
		txns = append(txns, txn)
	}
	return txns
}

func applyOps(m map[string]string, txn []crashOp) map[string]string {
	m = maps.Clone(m)
	for _, o := range txn {
		if o.del {
			delete(m, o.key)
		} else {
			m[o.key] = o.val
		}
	}
	return m
}

// runWorkload runs the workload on fs, with a Compact every seventh
// transaction, until it ends or an operation fails. It returns the
// contents acknowledged so far and, if an Update failed, the contents
// had that Update committed.
func runWorkload(fs fsys) (acked, inflight map[string]string) {
	ctx := context.Background()
	acked = map[string]string{}
	s, err := open(ctx, fs, crashDir, crashOpts)
	if err != nil {
		return acked, nil
	}
	defer s.Close()
	for i, txn := range crashWorkload() {
		err := s.Update(ctx, func(tx backend.Txn) error {
			for _, o := range txn {
				var err error
				if o.del {
					err = tx.Delete([]byte(o.key))
				} else {
					err = tx.Set([]byte(o.key), []byte(o.val))
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return acked, applyOps(acked, txn)
		}
		acked = applyOps(acked, txn)
		if i%7 == 3 {
			if err := s.Compact(ctx); err != nil {
				return acked, nil
			}
		}
	}
	return acked, nil
}

// contents opens the store on fs and returns everything in it.
func contents(t *testing.T, fs fsys) map[string]string {
	t.Helper()
	s, err := open(context.Background(), fs, crashDir, crashOpts)
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	defer s.Close()
	return dump(t, s)
}

func dump(t *testing.T, s backend.Store) map[string]string {
	t.Helper()
	got := map[string]string{}
	if err := s.View(context.Background(), func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool {
			got[string(k)] = string(v)
			return true
		})
	}); err != nil {
		t.Fatalf("View: %v", err)
	}
	return got
}

// TestCrashAtEveryWriteKeepsExactlyTheAcknowledgedTransactions crashes the
// workload at its k-th file-system operation for k = 0, 1, 2, ... until a
// run completes, in each crash mode, and checks that the restarted store
// holds every acknowledged transaction and, of the one in flight, all or
// nothing; and that it then accepts writes that survive another reopen
// (a torn tail left in place would make them unreadable).
func TestCrashAtEveryWriteKeepsExactlyTheAcknowledgedTransactions(t *testing.T) {
	for _, mode := range []struct {
		name   string
		tear   bool
		tearAt func(n int) int
	}{
		{"drop-unsynced", false, nil},
		{"tear-first-byte", true, func(n int) int { return min(n, 1) }},
		{"tear-half", true, func(n int) int { return n / 2 }},
		{"tear-all-but-last-byte", true, func(n int) int { return max(n-1, 0) }},
	} {
		t.Run(mode.name, func(t *testing.T) {
			crashes := 0
			for k := 0; ; k++ {
				fs := newCrashFS()
				fs.crashAt, fs.tearAt = k, mode.tearAt
				acked, inflight := runWorkload(fs)
				if !fs.crashed {
					if crashes < 50 {
						t.Fatalf("the workload completed after only %d crashes", crashes)
					}
					break
				}
				crashes++
				after := fs.reboot(mode.tear)
				got := contents(t, after)
				if !maps.Equal(got, acked) && (inflight == nil || !maps.Equal(got, inflight)) {
					t.Fatalf("crash at operation %d: reopened store holds\n\t%q\nwant the acknowledged\n\t%q\nor with the transaction in flight\n\t%q", k, got, acked, inflight)
				}
				s, err := open(context.Background(), after, crashDir, crashOpts)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Update(context.Background(), func(tx backend.Txn) error { return tx.Set([]byte("after"), []byte("crash")) }); err != nil {
					t.Fatal(err)
				}
				s.Close()
				got["after"] = "crash"
				if again := contents(t, after); !maps.Equal(again, got) {
					t.Fatalf("crash at operation %d: after a write and a reopen the store holds\n\t%q\nwant\n\t%q", k, again, got)
				}
			}
		})
	}
}

// TestCompactionCrashLeavesOldOrNewLog crashes Compact at each of its
// file-system operations and checks that the log found after the restart
// is byte for byte the old log or the compacted one, never a mixture.
func TestCompactionCrashLeavesOldOrNewLog(t *testing.T) {
	ctx := context.Background()
	base := newCrashFS()
	s, err := open(ctx, base, crashDir, Options{CompactRatio: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if err := s.Update(ctx, func(tx backend.Txn) error {
			return tx.Set(fmt.Appendf(nil, "k%d", i%5), bytes.Repeat([]byte{byte(i)}, 100))
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	logPath := path.Join(crashDir, logName)
	oldLog := base.bytes(logPath)

	compactOn := func(fs *crashFS, crashAfter int) error {
		s, err := open(ctx, fs, crashDir, Options{CompactRatio: -1})
		if err != nil {
			return err
		}
		defer s.Close()
		if crashAfter >= 0 {
			fs.crashAt = fs.ops + crashAfter
		}
		return s.Compact(ctx)
	}
	clean := base.reboot(false)
	if err := compactOn(clean, -1); err != nil {
		t.Fatal(err)
	}
	newLog := clean.bytes(logPath)
	if len(newLog) >= len(oldLog) {
		t.Fatalf("compaction did not shrink the log: %d -> %d bytes", len(oldLog), len(newLog))
	}
	sawNew, sawOld := false, false
	for k := 0; ; k++ {
		fs := base.reboot(false)
		fs.tearAt = func(n int) int { return n / 2 }
		err := compactOn(fs, k)
		if !fs.crashed {
			break
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("crash at step %d: Compact = %v, want the crash", k, err)
		}
		for _, tear := range []bool{false, true} {
			got := fs.reboot(tear).bytes(logPath)
			switch {
			case bytes.Equal(got, oldLog):
				sawOld = true
			case bytes.Equal(got, newLog):
				sawNew = true
			default:
				t.Fatalf("crash at step %d (tear %v): the log is neither the old one (%d bytes) nor the compacted one (%d bytes) but %d bytes", k, tear, len(oldLog), len(newLog), len(got))
			}
		}
	}
	if !sawOld || !sawNew {
		t.Fatalf("crashes left the old log: %v, the new log: %v; want both seen", sawOld, sawNew)
	}
}
