package file_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/file"
	"github.com/embedkms/kms/backend/memory"
)

// Benchmarks of the file store through the handle, with the memory store
// beside it in the same run. The 100,000-key ones run only with
// EMBEDKMS_BIG_BENCH=1:
//
//	go test -run '^$' -bench . -benchtime 2s ./backend/file
//	EMBEDKMS_BIG_BENCH=1 go test -run '^$' -bench 'ListKeys|Open' ./backend/file

const bigBenchEnv = "EMBEDKMS_BIG_BENCH"

func bigBench(b *testing.B) {
	if os.Getenv(bigBenchEnv) != "1" {
		b.Skipf("set %s=1 to run the 100,000-key benchmarks", bigBenchEnv)
	}
}

func BenchmarkEncrypt(b *testing.B) {
	for _, store := range []string{"memory", "file"} {
		b.Run(store, func(b *testing.B) {
			var s backend.Store = memory.New()
			if store == "file" {
				s = mustOpen(b, b.TempDir(), file.Options{})
			}
			defer s.Close()
			k := newHandle(b, s, rootKey(9))
			defer k.Close()
			ctx := context.Background()
			out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
			if err != nil {
				b.Fatal(err)
			}
			in := &kms.EncryptInput{KeyId: out.KeyMetadata.KeyId, Plaintext: make([]byte, 64)}
			for b.Loop() {
				if _, err := k.Encrypt(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateKey reports fsync'd CreateKey calls per second.
func BenchmarkCreateKey(b *testing.B) {
	for _, store := range []string{"memory", "file"} {
		b.Run(store, func(b *testing.B) {
			var s backend.Store = memory.New()
			if store == "file" {
				s = mustOpen(b, b.TempDir(), file.Options{})
			}
			defer s.Close()
			k := newHandle(b, s, rootKey(9))
			defer k.Close()
			ctx := context.Background()
			for b.Loop() {
				if _, err := k.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

// populated returns a closed file store directory holding n keys, made
// once per process: the keys are created through a handle on a memory
// store (no fsync each) and copied into the file store in large
// transactions, without the memory store's identity entry.
var populatedDirs = map[int]string{}

func populated(b *testing.B, n int) string {
	if dir, ok := populatedDirs[n]; ok {
		return dir
	}
	ctx := context.Background()
	m := memory.New()
	k := newHandle(b, m, rootKey(9))
	for range n {
		if _, err := k.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
			b.Fatal(err)
		}
	}
	k.Close()
	dir, err := os.MkdirTemp("", "filestore-bench-")
	if err != nil {
		b.Fatal(err)
	}
	s := mustOpen(b, dir, file.Options{})
	var batch [][2][]byte
	flush := func() {
		if err := s.Update(ctx, func(tx backend.Txn) error {
			for _, kv := range batch {
				if err := tx.Set(kv[0], kv[1]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	if err := m.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(key, v []byte) bool {
			if string(key) != "meta/store-id" {
				batch = append(batch, [2][]byte{key, v})
			}
			if len(batch) == 5000 {
				flush()
			}
			return true
		})
	}); err != nil {
		b.Fatal(err)
	}
	flush()
	s.Close()
	m.Close()
	populatedDirs[n] = dir
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range populatedDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// BenchmarkListKeys lists one page of 100 keys from stores of 1,000 and
// 100,000 keys.
func BenchmarkListKeys(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			if n > 1_000 {
				bigBench(b)
			}
			s := mustOpen(b, populated(b, n), file.Options{})
			defer s.Close()
			k := newHandle(b, s, rootKey(9))
			defer k.Close()
			ctx := context.Background()
			for b.Loop() {
				out, err := k.ListKeys(ctx, &kms.ListKeysInput{Limit: 100})
				if err != nil || len(out.Keys) != 100 {
					b.Fatalf("ListKeys = %d keys, %v", len(out.Keys), err)
				}
			}
		})
	}
}

const openChildEnv = "EMBEDKMS_FILE_OPEN_CHILD"

// TestOpenChild is the child of BenchmarkOpen100k: it opens the store in
// the directory it is given and prints the open time and its peak RSS.
func TestOpenChild(t *testing.T) {
	dir := os.Getenv(openChildEnv)
	if dir == "" {
		t.Skip("run by BenchmarkOpen100k")
	}
	start := time.Now()
	s := mustOpen(t, dir, file.Options{})
	k := newHandle(t, s, rootKey(9))
	elapsed := time.Since(start)
	k.Close()
	s.Close()
	fmt.Printf("open-ns %d\nvmhwm-kb %d\n", elapsed.Nanoseconds(), vmHWM(t))
}

// vmHWM returns the peak resident set size in kB.
func vmHWM(t testing.TB) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkOpen100k opens a 100,000-key store (the store and a handle
// over it) in a fresh child process and reports the time and the child's
// peak RSS, with the log's size beside it.
func BenchmarkOpen100k(b *testing.B) {
	bigBench(b)
	dir := populated(b, 100_000)
	fi, err := os.Stat(filepath.Join(dir, "data.log"))
	if err != nil {
		b.Fatal(err)
	}
	var ns, kb int64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOpenChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), openChildEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		var o, h int64
		for _, line := range strings.Split(string(out), "\n") {
			fmt.Sscanf(line, "open-ns %d", &o)
			fmt.Sscanf(line, "vmhwm-kb %d", &h)
		}
		ns, kb = ns+o, max(kb, h)
	}
	b.ReportMetric(float64(ns)/float64(b.N)/1e6, "open-ms")
	b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(fi.Size())/(1<<20), "log-MiB")
}
