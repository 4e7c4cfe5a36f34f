package file_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/file"
)

func mustOpen(t testing.TB, dir string, opts file.Options) *file.Store {
	t.Helper()
	s, err := file.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func set(t testing.TB, s backend.Store, kv ...string) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx backend.Txn) error {
		for i := 0; i < len(kv); i += 2 {
			if err := tx.Set([]byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func all(t testing.TB, s backend.Store) map[string]string {
	t.Helper()
	got := map[string]string{}
	if err := s.View(context.Background(), func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool {
			got[string(k)] = string(v)
			return true
		})
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// threeRecords writes a store of three one-key transactions and returns
// its directory, its log, and the offsets where each record starts.
func threeRecords(t *testing.T) (dir string, log []byte, starts []int) {
	t.Helper()
	dir = t.TempDir()
	s := mustOpen(t, dir, file.Options{})
	path := filepath.Join(dir, "data.log")
	for i, kv := range [][2]string{{"a", "first value"}, {"b", "second value"}, {"c", "third value"}} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		starts = append(starts, int(fi.Size()))
		set(t, s, kv[0], kv[1])
		_ = i
	}
	s.Close()
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return dir, log, starts
}

// TestOpenTruncatesTornTail: a damaged last record is a write a crash cut
// short; opening drops it, keeps the rest, and later writes survive.
func TestOpenTruncatesTornTail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(log []byte, last int) []byte
	}{
		{"partial-header", func(log []byte, last int) []byte { return log[:last+5] }},
		{"partial-body", func(log []byte, last int) []byte { return log[:len(log)-3] }},
		{"bad-body-checksum", func(log []byte, last int) []byte { log[len(log)-1] ^= 1; return log }},
		{"bad-length", func(log []byte, last int) []byte { log[last+3] ^= 0x40; return log }},
		{"zeros-appended", func(log []byte, last int) []byte { return append(log[:last], make([]byte, 40)...) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, log, starts := threeRecords(t)
			damaged := tc.damage(log, starts[2])
			if err := os.WriteFile(filepath.Join(dir, "data.log"), damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			s := mustOpen(t, dir, file.Options{})
			if size := logSize(t, dir); size != int64(starts[2]) {
				t.Errorf("after opening the log is %d bytes, want the torn tail truncated to %d", size, starts[2])
			}
			want := map[string]string{"a": "first value", "b": "second value"}
			if got := all(t, s); !maps.Equal(got, want) {
				t.Fatalf("after opening: %q, want %q", got, want)
			}
			set(t, s, "d", "after")
			s.Close()
			want["d"] = "after"
			s = mustOpen(t, dir, file.Options{})
			defer s.Close()
			if got := all(t, s); !maps.Equal(got, want) {
				t.Fatalf("after a write and a reopen: %q, want %q", got, want)
			}
		})
	}
}

// TestOpenRefusesDamageBeforeAnIntactRecord: a damaged record followed by
// an intact one is corruption, not a crash: Open fails with ErrCorrupt
// and leaves the log as it was.
func TestOpenRefusesDamageBeforeAnIntactRecord(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   func(starts []int) int
	}{
		{"first-record-body", func(s []int) int { return s[0] + 14 }},
		{"middle-record-length", func(s []int) int { return s[1] + 2 }},
		{"middle-record-body-checksum", func(s []int) int { return s[1] + 9 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, log, starts := threeRecords(t)
			log[tc.at(starts)] ^= 0x10
			path := filepath.Join(dir, "data.log")
			if err := os.WriteFile(path, log, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := file.Open(context.Background(), dir, file.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded over a damaged record in the middle of the log")
			}
			if !errors.Is(err, backend.ErrCorrupt) {
				t.Fatalf("Open = %v, want an error wrapping backend.ErrCorrupt", err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(log) {
				t.Fatal("a refused Open changed the log")
			}
		})
	}
}

// TestOpenChecksTheHeader: the first bytes name the format and its
// version; a newer version or another file is refused.
func TestOpenChecksTheHeader(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(h []byte)
		wantMsg string
		corrupt bool
	}{
		{"newer-version", func(h []byte) { binary.BigEndian.PutUint32(h[8:], 2) }, "format version 2, newer", false},
		{"bad-magic", func(h []byte) { h[0] = 'X' }, "not an embedkms log", true},
		{"bad-header-checksum", func(h []byte) { h[15] ^= 1 }, "damaged header", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, log, _ := threeRecords(t)
			tc.edit(log)
			if err := os.WriteFile(filepath.Join(dir, "data.log"), log, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := file.Open(context.Background(), dir, file.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantMsg) || errors.Is(err, backend.ErrCorrupt) != tc.corrupt {
				t.Fatalf("Open = %v, want it to say %q (ErrCorrupt: %v)", err, tc.wantMsg, tc.corrupt)
			}
		})
	}
}

// TestSecondOpenIsRefusedAtOnce: one store per directory; the lock goes
// with Close.
func TestSecondOpenIsRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, file.Options{})
	_, err := file.Open(context.Background(), dir, file.Options{})
	if !errors.Is(err, file.ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Open = %v, want ErrLocked naming %s", err, dir)
	}
	s.Close()
	mustOpen(t, dir, file.Options{}).Close()
}

// TestValuesAreReadFromDiskAndChecked: values are not held in memory but
// read from the log, and a value changed on disk under an open store is
// reported as corruption rather than returned.
func TestValuesAreReadFromDiskAndChecked(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, file.Options{})
	defer s.Close()
	set(t, s, "key", "the original value")
	path := filepath.Join(dir, "data.log")
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(log), "original")
	copy(log[i:], "tampered")
	if err := os.WriteFile(path, log, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func(tx backend.Txn) error{
		"Get": func(tx backend.Txn) error { _, err := tx.Get([]byte("key")); return err },
		"Scan": func(tx backend.Txn) error {
			return tx.Scan(nil, nil, func(k, v []byte) bool { return true })
		},
	} {
		err := s.View(context.Background(), read)
		if !errors.Is(err, backend.ErrCorrupt) {
			t.Errorf("%s of a value changed on disk = %v, want ErrCorrupt", name, err)
		}
	}
}

func logSize(t testing.TB, dir string) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(dir, "data.log"))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestCompactionKeepsLiveDataAndShrinksTheLog: explicit and automatic.
func TestCompactionKeepsLiveDataAndShrinksTheLog(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     file.Options
		explicit bool
	}{
		{"explicit", file.Options{CompactRatio: -1}, true},
		{"automatic", file.Options{CompactRatio: 0.5, CompactMinSize: 4096}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir, tc.opts)
			want := map[string]string{}
			for i := range 300 {
				k, v := fmt.Sprintf("key%d", i%10), strings.Repeat(fmt.Sprint(i), 30)
				set(t, s, k, v)
				want[k] = v
			}
			if tc.explicit {
				if err := s.Compact(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if size := logSize(t, dir); size > 8192 {
				t.Fatalf("log is %d bytes after compaction, want at most 8192 for 10 live keys", size)
			}
			if got := all(t, s); !maps.Equal(got, want) {
				t.Fatalf("after compaction: %q, want %q", got, want)
			}
			s.Close()
			s = mustOpen(t, dir, tc.opts)
			defer s.Close()
			if got := all(t, s); !maps.Equal(got, want) {
				t.Fatalf("after compaction and reopen: %q, want %q", got, want)
			}
		})
	}
}
