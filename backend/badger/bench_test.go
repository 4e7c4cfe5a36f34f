package badger_test

// Benchmarks of a kms handle on a badger store. Those with 100,000 keys
// build their store (about a minute) only when they run, that is under
// -bench; go test without -bench builds nothing. Run them all with
//
//	go test -run '^$' -bench . -benchtime 2s ./backend/badger

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/badger"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// BenchmarkEncrypt encrypts 64 bytes under one key on a memory store and
// on a badger store; the key is cached after the first call, so the two
// should be within a few percent.
func BenchmarkEncrypt(b *testing.B) {
	for _, store := range []string{"memory", "badger"} {
		b.Run(store, func(b *testing.B) {
			var s backend.Store = memory.New()
			if store == "badger" {
				s = open(b)
			}
			k := newKMS(b, s, "", rootKey)
			ck, err := k.CreateKey(b.Context(), nil)
			if err != nil {
				b.Fatal(err)
			}
			in := &kms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: make([]byte, 64)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Encrypt(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateKey creates symmetric keys one after another on a badger
// store with sync writes (each CreateKey is one synced commit).
func BenchmarkCreateKey(b *testing.B) {
	k := newKMS(b, open(b), "", rootKey)
	start := time.Now()
	for b.Loop() {
		if _, err := k.CreateKey(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "keys/s")
}

// bigStores holds the stores of many keys built in this process, by key
// count: building one takes long, so every benchmark that needs it shares it.
var bigStores sync.Map // int -> *bigStore

type bigStore struct {
	once sync.Once
	dir  string
	err  error
}

// storeWithKeys returns the directory of a closed badger store holding n
// key records of the default account and Region, written directly as the
// handle writes them, a few thousand per transaction. Their material is
// not valid: the benchmarks only list them.
func storeWithKeys(b *testing.B, n int) string {
	v, _ := bigStores.LoadOrStore(n, &bigStore{})
	bs := v.(*bigStore)
	bs.once.Do(func() {
		dir, err := os.MkdirTemp("", fmt.Sprintf("badger-bench-%d-", n))
		if err != nil {
			bs.err = err
			return
		}
		bs.dir = filepath.Join(dir, "store")
		bs.err = writeKeys(b, bs.dir, n)
	})
	if bs.err != nil {
		b.Fatal(bs.err)
	}
	return bs.dir
}

func writeKeys(b *testing.B, dir string, n int) error {
	s, err := badger.Open(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	k, err := kms.New(kms.Options{Backend: s, RootKey: rootKey}) // initialises the root-key check
	if err != nil {
		return err
	}
	account, region := k.AccountID(), k.Region()
	k.Close()
	root, err := keystore.NewRootKey(rootKey)
	if err != nil {
		return err
	}
	auth := root.Authenticated(s)
	created := time.Now()
	const perTxn = 2000
	for first := 0; first < n; first += perTxn {
		err := auth.Update(b.Context(), func(tx backend.Txn) error {
			for i := first; i < min(first+perTxn, n); i++ {
				rec := &records.Key{
					Account: account, Region: region,
					KeyID:        fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
					CreationDate: created, KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT",
					Origin: "AWS_KMS", State: "Enabled", Policy: "{}",
				}
				if err := records.PutKey(tx, rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkListKeys lists the first page (Limit 100) of a store of 1,000
// and of 100,000 keys: a page costs the same whatever the store holds.
func BenchmarkListKeys(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s, err := badger.Open(storeWithKeys(b, n))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			k := newKMS(b, s, "", rootKey)
			in := &kms.ListKeysInput{Limit: 100}
			for b.Loop() {
				out, err := k.ListKeys(b.Context(), in)
				if err != nil {
					b.Fatal(err)
				}
				if len(out.Keys) != 100 {
					b.Fatalf("%d keys in a page", len(out.Keys))
				}
			}
		})
	}
}

// BenchmarkOpen100k opens a store of 100,000 keys in a new process (Open
// and kms.New, then one ListKeys page) and reports the time it took and
// the peak resident set size of that process (VmHWM).
func BenchmarkOpen100k(b *testing.B) {
	dir := storeWithKeys(b, 100000)
	var total time.Duration
	var peak int64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOpenChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "EMBEDKMS_OPEN_DIR="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		var took time.Duration
		var hwm int64
		if _, err := fmt.Sscanf(lastLine(string(out), "open:"), "open: %d %d", &took, &hwm); err != nil {
			b.Fatalf("child output %q: %v", out, err)
		}
		total += took
		peak = max(peak, hwm)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/open")
	b.ReportMetric(float64(peak)/1024, "MiB-peak-RSS")
}

func lastLine(out, prefix string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			last = sc.Text()
		}
	}
	return last
}

// TestHelperOpenChild is the process BenchmarkOpen100k starts; it prints
// "open: <nanoseconds> <VmHWM in KiB>".
func TestHelperOpenChild(t *testing.T) {
	dir := os.Getenv("EMBEDKMS_OPEN_DIR")
	if dir == "" {
		t.Skip("the child process of BenchmarkOpen100k")
	}
	start := time.Now()
	s, err := badger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := kms.New(kms.Options{Backend: s, RootKey: rootKey})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, err := k.ListKeys(t.Context(), &kms.ListKeysInput{Limit: 100}); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	var hwm int64
	for l := range strings.Lines(string(status)) {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			hwm, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	fmt.Printf("open: %d %d\n", took.Nanoseconds(), hwm)
}
