// Package backendtest is the conformance suite for backend.Store
// implementations. A store's tests call Run with a function that opens a
// fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backend.Store { return memory.New() })
//	}
//
// The suite checks the guarantees documented in package backend: bytewise
// key order, Scan semantics, ownership of byte slices, atomic and isolated
// transactions under concurrency, read-only Views, context cancellation and
// the behaviour of a closed Store or an ended Txn. It does not check
// durability across crashes, which durable stores test themselves, nor what
// a store does when a transaction function panics, which the contract
// leaves open. It never uses the empty key.
package backendtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
)

// Run runs the conformance suite against stores made by open. open is called
// once per subtest and must return a new, empty store; Run closes it unless
// the subtest closed it already.
func Run(t *testing.T, open func(t *testing.T) backend.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s backend.Store)
	}{
		{"Basics", testBasics},
		{"NotFound", testNotFound},
		{"EmptyValue", testEmptyValue},
		{"CopyOnSet", testCopyOnSet},
		{"CopyOnGet", testCopyOnGet},
		{"CopyOnScan", testCopyOnScan},
		{"Delete", testDelete},
		{"Atomicity", testAtomicity},
		{"ReadYourWrites", testReadYourWrites},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"Order", testOrder},
		{"Scan", testScan},
		{"ScanStop", testScanStop},
		{"LargeValues", testLargeValues},
		{"ManyKeys", testManyKeys},
		{"ConcurrentCounter", testConcurrentCounter},
		{"ConsistentSnapshot", testConsistentSnapshot},
		{"Close", testClose},
		{"CloseWaitsForUpdate", func(t *testing.T, s backend.Store) { testCloseWaits(t, s, s.Update) }},
		{"CloseWaitsForView", func(t *testing.T, s backend.Store) { testCloseWaits(t, s, s.View) }},
		{"TxnAfterEnd", testTxnAfterEnd},
		{"ContextDone", testContextDone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &tracked{Store: open(t)}
			t.Cleanup(func() {
				if s.closed.Load() {
					return
				}
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.test(t, s)
		})
	}
}

// tracked records whether a subtest closed its store.
type tracked struct {
	backend.Store
	closed atomic.Bool
}

func (s *tracked) Close() error {
	s.closed.Store(true)
	return s.Store.Close()
}

// errRollback is returned by transaction functions to discard their writes.
var errRollback = errors.New("backendtest: rollback")

// kv is one key-value pair as Scan reports it.
type kv struct{ k, v string }

func (p kv) String() string { return fmt.Sprintf("%q=%q", p.k, p.v) }

// op is one write of a transaction.
type op struct {
	key, val string
	del      bool
}

func set(k, v string) op { return op{key: k, val: v} }
func del(k string) op    { return op{key: k, del: true} }

func (o op) apply(txn backend.Txn) error {
	if o.del {
		return txn.Delete([]byte(o.key))
	}
	return txn.Set([]byte(o.key), []byte(o.val))
}

func applyAll(txn backend.Txn, ops []op) error {
	for _, o := range ops {
		if err := o.apply(txn); err != nil {
			return fmt.Errorf("%v: %w", o, err)
		}
	}
	return nil
}

// model applies ops to a copy of m.
func model(m map[string]string, ops ...op) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, o := range ops {
		if o.del {
			delete(out, o.key)
		} else {
			out[o.key] = o.val
		}
	}
	return out
}

// expect returns the pairs of m that Scan(prefix, start) must report, in order.
func expect(m map[string]string, prefix, start string) []kv {
	var out []kv
	for k, v := range m {
		if strings.HasPrefix(k, prefix) && k >= start {
			out = append(out, kv{k, v})
		}
	}
	slices.SortFunc(out, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	return out
}

func update(t *testing.T, s backend.Store, fn func(backend.Txn) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s backend.Store, fn func(backend.Txn) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// commit applies ops in one Update.
func commit(t *testing.T, s backend.Store, ops ...op) {
	t.Helper()
	update(t, s, func(txn backend.Txn) error { return applyAll(txn, ops) })
}

func scan(txn backend.Txn, prefix, start []byte) ([]kv, error) {
	var out []kv
	err := txn.Scan(prefix, start, func(k, v []byte) bool {
		out = append(out, kv{string(k), string(v)})
		return true
	})
	return out, err
}

// checkScan reports a difference between Scan(prefix, start) and want.
func checkScan(t *testing.T, txn backend.Txn, prefix, start []byte, want []kv) error {
	t.Helper()
	got, err := scan(txn, prefix, start)
	if err != nil {
		return fmt.Errorf("Scan(%q, %q): %w", prefix, start, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Scan(%q, %q) =\n\t%v\nwant\n\t%v", prefix, start, got, want)
	}
	return nil
}

// checkContents reports a difference between the transaction's view of the
// store and want, through Get of every key in want and absent and through a
// full Scan.
func checkContents(t *testing.T, txn backend.Txn, want map[string]string, absent ...string) error {
	t.Helper()
	for k, v := range want {
		if err := checkGet(t, txn, k, v); err != nil {
			return err
		}
	}
	for _, k := range absent {
		if _, ok := want[k]; !ok {
			checkMissing(t, txn, k)
		}
	}
	return checkScan(t, txn, nil, nil, expect(want, "", ""))
}

func checkGet(t *testing.T, txn backend.Txn, key, want string) error {
	t.Helper()
	got, err := txn.Get([]byte(key))
	if errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Get(%q): %v, want %q", key, err, want)
		return nil
	}
	if err != nil {
		return fmt.Errorf("Get(%q): %w", key, err)
	}
	if string(got) != want {
		t.Errorf("Get(%q) = %q, want %q", key, got, want)
	}
	return nil
}

func checkMissing(t *testing.T, txn backend.Txn, key string) {
	t.Helper()
	if got, err := txn.Get([]byte(key)); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Get(%q) = %q, %v; want ErrNotFound", key, got, err)
	}
}

// testBasics applies a sequence of transactions and checks the store's
// contents inside each one before commit and in a View after it.
func testBasics(t *testing.T, s backend.Store) {
	var keys []string
	want := map[string]string{}
	for _, step := range []struct {
		name string
		ops  []op
	}{
		{"set", []op{set("k", "v1")}},
		{"overwrite", []op{set("k", "v2")}},
		{"set another key", []op{set("k2", "x")}},
		{"overwrite twice in one transaction", []op{set("k", "a"), set("k", "b")}},
		{"delete", []op{del("k")}},
		{"delete then set", []op{del("k2"), set("k2", "y")}},
		{"set then delete", []op{set("k3", "z"), del("k3")}},
		{"set deleted key", []op{set("k", "again")}},
		{"several keys", []op{set("x", "1"), set("y", "2"), set("z", "3"), del("y")}},
	} {
		for _, o := range step.ops {
			keys = append(keys, o.key)
		}
		want = model(want, step.ops...)
		update(t, s, func(txn backend.Txn) error {
			if err := applyAll(txn, step.ops); err != nil {
				return err
			}
			return checkContents(t, txn, want, keys...)
		})
		view(t, s, func(txn backend.Txn) error { return checkContents(t, txn, want, keys...) })
		if t.Failed() {
			t.Fatalf("after step %q", step.name)
		}
	}
}

func testNotFound(t *testing.T, s backend.Store) {
	check := func(txn backend.Txn) error {
		for _, k := range []string{"missing", "\x00", "\xff"} {
			checkMissing(t, txn, k)
		}
		return checkScan(t, txn, nil, nil, nil)
	}
	view(t, s, check)
	update(t, s, check)

	// A key that only prefixes, or is prefixed by, a stored key is missing.
	commit(t, s, set("ab", "v"))
	view(t, s, func(txn backend.Txn) error {
		for _, k := range []string{"a", "abc", "ab\x00", "b"} {
			checkMissing(t, txn, k)
		}
		return nil
	})
}

func testEmptyValue(t *testing.T, s backend.Store) {
	check := func(txn backend.Txn) error {
		for _, k := range []string{"empty", "nil", "emptied"} {
			v, err := txn.Get([]byte(k))
			if err != nil {
				return fmt.Errorf("Get(%q): %w", k, err)
			}
			if len(v) != 0 {
				t.Errorf("Get(%q) = %q, want empty", k, v)
			}
		}
		checkMissing(t, txn, "missing")
		return checkScan(t, txn, nil, nil, []kv{{"emptied", ""}, {"empty", ""}, {"nil", ""}})
	}
	commit(t, s, set("emptied", "not yet"))
	update(t, s, func(txn backend.Txn) error {
		for k, v := range map[string][]byte{"empty": {}, "nil": nil, "emptied": {}} {
			if err := txn.Set([]byte(k), v); err != nil {
				return fmt.Errorf("Set(%q, %v): %w", k, v, err)
			}
		}
		return check(txn)
	})
	view(t, s, check)
}

func testCopyOnSet(t *testing.T, s backend.Store) {
	key, val := []byte("key"), []byte("value")
	update(t, s, func(txn backend.Txn) error {
		if err := txn.Set(key, val); err != nil {
			return err
		}
		key[0], val[0] = 'X', 'X'
		checkMissing(t, txn, "Xey")
		return checkGet(t, txn, "key", "value")
	})
	key[1], val[1] = 'Y', 'Y'
	view(t, s, func(txn backend.Txn) error {
		checkMissing(t, txn, "Xey")
		checkMissing(t, txn, "XYy")
		return checkScan(t, txn, nil, nil, []kv{{"key", "value"}})
	})
}

func testCopyOnGet(t *testing.T, s backend.Store) {
	// clobber overwrites v up to its capacity, in case it shares an array.
	clobber := func(v []byte) {
		v = v[:cap(v)]
		for i := range v {
			v[i] = 'X'
		}
	}
	check := func(txn backend.Txn, key, want string) error {
		v, err := txn.Get([]byte(key))
		if err != nil {
			return fmt.Errorf("Get(%q): %w", key, err)
		}
		clobber(v)
		return checkGet(t, txn, key, want)
	}
	commit(t, s, set("a", "committed"), set("b", "committed"))
	var kept []byte
	update(t, s, func(txn backend.Txn) error {
		if err := txn.Set([]byte("b"), []byte("pending")); err != nil {
			return err
		}
		if err := check(txn, "a", "committed"); err != nil {
			return err
		}
		if err := check(txn, "b", "pending"); err != nil {
			return err
		}
		var err error
		kept, err = txn.Get([]byte("b"))
		return err
	})
	view(t, s, func(txn backend.Txn) error {
		if err := check(txn, "a", "committed"); err != nil {
			return err
		}
		return check(txn, "b", "pending")
	})
	commit(t, s, set("b", "overwritten"))
	if string(kept) != "pending" {
		t.Errorf("value returned by Get changed after the transaction to %q", kept)
	}
}

func testCopyOnScan(t *testing.T, s backend.Store) {
	commit(t, s, set("a", "committed"), set("b", "committed"))
	want := []kv{{"a", "committed"}, {"b", "pending"}}
	var keptKeys, keptVals [][]byte
	update(t, s, func(txn backend.Txn) error {
		if err := txn.Set([]byte("b"), []byte("pending")); err != nil {
			return err
		}
		// Slices passed to fn may be modified without affecting the store.
		err := txn.Scan(nil, nil, func(k, v []byte) bool {
			k[0], v[0] = 'X', 'X'
			return true
		})
		if err != nil {
			return err
		}
		if err := checkScan(t, txn, nil, nil, want); err != nil {
			return err
		}
		// And they may be kept after the transaction.
		return txn.Scan(nil, nil, func(k, v []byte) bool {
			keptKeys, keptVals = append(keptKeys, k), append(keptVals, v)
			return true
		})
	})
	commit(t, s, set("a", "overwritten"), del("b"))
	view(t, s, func(txn backend.Txn) error {
		return checkScan(t, txn, nil, nil, []kv{{"a", "overwritten"}})
	})
	var kept []kv
	for i := range keptKeys {
		kept = append(kept, kv{string(keptKeys[i]), string(keptVals[i])})
	}
	if !slices.Equal(kept, want) {
		t.Errorf("pairs returned by Scan changed after the transaction to %v, want %v", kept, want)
	}
}

func testDelete(t *testing.T, s backend.Store) {
	for _, tc := range []struct {
		name  string
		ops   []op
		probe []string // keys that must be missing or hold their model value
	}{
		{"missing key in empty store", []op{del("nope")}, []string{"nope"}},
		{"missing key twice", []op{del("nope"), del("nope")}, []string{"nope"}},
		{"populate", []op{set("a", "1"), set("ab", "2"), set("a\x00", "3"), set("b", "4")}, nil},
		{"key that prefixes others", []op{del("a")}, []string{"a", "ab", "a\x00"}},
		{"key deleted earlier", []op{del("a")}, []string{"a"}},
		{"missing key extending an existing one", []op{del("abc")}, []string{"ab", "abc"}},
		{"key with 0x00", []op{del("a\x00")}, []string{"a\x00", "ab"}},
		{"delete then set", []op{del("b"), set("b", "5")}, []string{"b"}},
		{"everything", []op{del("ab"), del("b")}, []string{"ab", "b"}},
	} {
		before := map[string]string{}
		view(t, s, func(txn backend.Txn) error {
			pairs, err := scan(txn, nil, nil)
			for _, p := range pairs {
				before[p.k] = p.v
			}
			return err
		})
		want := model(before, tc.ops...)
		update(t, s, func(txn backend.Txn) error {
			if err := applyAll(txn, tc.ops); err != nil {
				return err
			}
			return checkContents(t, txn, want, tc.probe...)
		})
		view(t, s, func(txn backend.Txn) error { return checkContents(t, txn, want, tc.probe...) })
		if t.Failed() {
			t.Fatalf("after step %q", tc.name)
		}
	}
}

func testAtomicity(t *testing.T, s backend.Store) {
	initial := map[string]string{"a": "1", "b": "2", "c": "3"}
	commit(t, s, set("a", "1"), set("b", "2"), set("c", "3"))
	for _, tc := range []struct {
		name string
		ops  []op
	}{
		{"no writes", nil},
		{"overwrite", []op{set("a", "10")}},
		{"insert", []op{set("d", "4")}},
		{"delete", []op{del("b")}},
		{"mixed", []op{set("a", "10"), set("d", "4"), del("b"), set("e", "5"), del("c"), set("c", "30")}},
		{"many", func() []op {
			var ops []op
			for i := range 1000 {
				ops = append(ops, set(fmt.Sprintf("many/%04d", i), "x"))
			}
			return append(ops, del("a"), del("b"), del("c"))
		}()},
	} {
		err := s.Update(t.Context(), func(txn backend.Txn) error {
			if err := applyAll(txn, tc.ops); err != nil {
				return err
			}
			return fmt.Errorf("%s: %w", tc.name, errRollback)
		})
		if !errors.Is(err, errRollback) {
			t.Errorf("%s: Update = %v, want the function's error", tc.name, err)
		}
		view(t, s, func(txn backend.Txn) error { return checkContents(t, txn, initial, "d", "e", "many/0000") })
		if t.Failed() {
			t.Fatalf("after rolled back transaction %q", tc.name)
		}
	}
	if err := s.View(t.Context(), func(backend.Txn) error { return errRollback }); !errors.Is(err, errRollback) {
		t.Errorf("View = %v, want the function's error", err)
	}
}

func testReadYourWrites(t *testing.T, s backend.Store) {
	committed := map[string]string{"p/a": "a", "p/c": "c", "p/e": "e", "q/x": "x", "o": "o"}
	commit(t, s, set("p/a", "a"), set("p/c", "c"), set("p/e", "e"), set("q/x", "x"), set("o", "o"))
	ops := []op{
		set("p/b", "b"), set("p/c", "c2"), del("p/e"), set("p/f", "f"), del("p/a"),
		del("p/zz"), set("p/g", "g"), del("p/g"), set("p/", "root"), set("q", "q"),
	}
	want := model(committed, ops...)
	absent := []string{"p/a", "p/e", "p/g", "p/zz"}
	update(t, s, func(txn backend.Txn) error {
		// Each write is visible to the next read, one at a time.
		for i, o := range ops {
			if err := o.apply(txn); err != nil {
				return err
			}
			m := model(committed, ops[:i+1]...)
			if err := checkScan(t, txn, []byte("p/"), nil, expect(m, "p/", "")); err != nil {
				return err
			}
		}
		if err := checkContents(t, txn, want, absent...); err != nil {
			return err
		}
		for _, tc := range []struct{ prefix, start string }{
			{"p/", "p/c"}, {"p/", "p/d"}, {"p/", "p/f"}, {"p/", "p/g"}, {"q", ""}, {"", "p/b"}, {"", "q"},
		} {
			if err := checkScan(t, txn, []byte(tc.prefix), []byte(tc.start), expect(want, tc.prefix, tc.start)); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(txn backend.Txn) error { return checkContents(t, txn, want, absent...) })
}

func testViewIsReadOnly(t *testing.T, s backend.Store) {
	commit(t, s, set("k", "v"))
	view(t, s, func(txn backend.Txn) error {
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"Set existing", txn.Set([]byte("k"), []byte("new"))},
			{"Set new", txn.Set([]byte("n"), []byte("new"))},
			{"Delete existing", txn.Delete([]byte("k"))},
			{"Delete missing", txn.Delete([]byte("m"))},
		} {
			if !errors.Is(tc.err, backend.ErrReadOnly) {
				t.Errorf("%s in View: %v, want ErrReadOnly", tc.name, tc.err)
			}
		}
		// The failed writes are invisible and the transaction still reads.
		return checkContents(t, txn, map[string]string{"k": "v"}, "n")
	})
	view(t, s, func(txn backend.Txn) error { return checkContents(t, txn, map[string]string{"k": "v"}, "n") })
}

// orderKeys exercise bytewise order: 0x00 and 0xff bytes, high-bit bytes
// (which sort after ASCII, unlike signed chars), and keys that prefix others.
var orderKeys = []string{
	"\x00", "\x00\x00", "\x00\x01", "\x00\xff", "\x01",
	"0", "9", "A", "Z", "a", "a\x00", "a\x00\x00", "a\x01", "a\x7f", "a\x80", "a\xff", "a\xff\xff",
	"ab", "aba", "abb", "b", "\x7f", "\x80", "\xfe", "\xff", "\xff\x00", "\xff\xff", "\xff\xff\xff",
}

func testOrder(t *testing.T, s backend.Store) {
	sorted := slices.Clone(orderKeys)
	slices.SortFunc(sorted, func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) })
	all := map[string]string{}
	for _, k := range sorted {
		all[k] = "v" + k
	}
	// Commit every other key in reverse order, and set the rest in a
	// shuffled order inside the transaction that scans.
	var first, second []op
	for i := len(sorted) - 1; i >= 0; i-- {
		if i%2 == 0 {
			first = append(first, set(sorted[i], all[sorted[i]]))
		} else {
			second = append(second, set(sorted[i], all[sorted[i]]))
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(second), func(i, j int) { second[i], second[j] = second[j], second[i] })
	commit(t, s, first...)

	check := func(txn backend.Txn) error {
		got, err := scan(txn, nil, nil)
		if err != nil {
			return err
		}
		for i := 1; i < len(got); i++ {
			if bytes.Compare([]byte(got[i-1].k), []byte(got[i].k)) >= 0 {
				t.Errorf("Scan returned %q before %q", got[i-1].k, got[i].k)
			}
		}
		if err := checkScan(t, txn, nil, nil, expect(all, "", "")); err != nil {
			return err
		}
		for _, k := range sorted {
			if err := checkScan(t, txn, []byte(k), nil, expect(all, k, "")); err != nil {
				return err
			}
			if err := checkScan(t, txn, nil, []byte(k), expect(all, "", k)); err != nil {
				return err
			}
		}
		return nil
	}
	update(t, s, func(txn backend.Txn) error {
		if err := applyAll(txn, second); err != nil {
			return err
		}
		return check(txn)
	})
	view(t, s, check)
}

func testScan(t *testing.T, s backend.Store) {
	data := []string{"a", "a/", "a/1", "a/2", "a/3", "a0", "b", "b/1", "\xff", "\xff\xff"}
	all := map[string]string{}
	for _, k := range data {
		all[k] = "v" + k
	}
	pick := func(keys ...string) []kv {
		out := []kv{}
		for _, k := range keys {
			out = append(out, kv{k, all[k]})
		}
		return out
	}
	cases := []struct {
		name          string
		prefix, start []byte
		want          []kv
	}{
		{"prefix", []byte("a/"), nil, pick("a/", "a/1", "a/2", "a/3")},
		{"prefix is a whole key", []byte("a/1"), nil, pick("a/1")},
		{"prefix longer than every key", []byte("a/1x"), nil, nil},
		{"prefix matching nothing", []byte("c"), nil, nil},
		{"prefix 0xff", []byte("\xff"), nil, pick("\xff", "\xff\xff")},
		{"start equal to prefix", []byte("a/"), []byte("a/"), pick("a/", "a/1", "a/2", "a/3")},
		{"empty non-nil start", []byte("a/"), []byte{}, pick("a/", "a/1", "a/2", "a/3")},
		{"start at a key inside the range", []byte("a/"), []byte("a/2"), pick("a/2", "a/3")},
		{"start between keys inside the range", []byte("a/"), []byte("a/15"), pick("a/2", "a/3")},
		{"start at the last key", []byte("a/"), []byte("a/3"), pick("a/3")},
		{"start past the last key inside the range", []byte("a/"), []byte("a/4"), nil},
		{"start before the range", []byte("a/"), []byte("a"), pick("a/", "a/1", "a/2", "a/3")},
		{"start far before the range", []byte("a/"), []byte("\x00"), pick("a/", "a/1", "a/2", "a/3")},
		{"start after the range", []byte("a/"), []byte("b"), nil},
		{"start after the range with its prefix", []byte("a/"), []byte("a0"), nil},
		{"empty prefix", nil, nil, pick(data...)},
		{"empty non-nil prefix", []byte{}, nil, pick(data...)},
		{"empty prefix with start", nil, []byte("b"), pick("b", "b/1", "\xff", "\xff\xff")},
		{"empty prefix with start 0xff 0x00", nil, []byte("\xff\x00"), pick("\xff\xff")},
		{"empty prefix with start past everything", nil, []byte("\xff\xff\xff"), nil},
	}
	check := func(txn backend.Txn) error {
		for _, tc := range cases {
			got, err := scan(txn, tc.prefix, tc.start)
			if err != nil {
				return fmt.Errorf("%s: Scan(%q, %q): %w", tc.name, tc.prefix, tc.start, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: Scan(%q, %q) =\n\t%v\nwant\n\t%v", tc.name, tc.prefix, tc.start, got, tc.want)
			}
		}
		return nil
	}

	// Every key is a pending write of the scanning transaction.
	var sets []op
	for _, k := range data {
		sets = append(sets, set(k, all[k]))
	}
	t.Run("Pending", func(t *testing.T) {
		err := s.Update(t.Context(), func(txn backend.Txn) error {
			if err := applyAll(txn, sets); err != nil {
				return err
			}
			if err := check(txn); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Update = %v", err)
		}
	})

	// Half the keys are committed and the scanning transaction writes the
	// rest, overwrites stale values and deletes decoys in every range.
	var stale, fix []op
	for i, k := range data {
		if i%2 == 0 {
			stale = append(stale, set(k, all[k]))
		} else {
			stale = append(stale, set(k, "stale"))
			fix = append(fix, set(k, all[k]))
		}
	}
	for _, k := range []string{"\x00", "a/", "a/15", "a/4", "a0/", "b/0", "c", "\xff\x00"} {
		if _, ok := all[k]; !ok {
			stale = append(stale, set(k, "decoy"))
			fix = append(fix, del(k))
		}
	}
	fix = append(fix, set("a/25", "pending decoy"), del("a/25"))
	commit(t, s, stale...)
	t.Run("Mixed", func(t *testing.T) {
		update(t, s, func(txn backend.Txn) error {
			if err := applyAll(txn, fix); err != nil {
				return err
			}
			return check(txn)
		})
	})
	t.Run("View", func(t *testing.T) { view(t, s, check) })
	t.Run("Update", func(t *testing.T) { update(t, s, check) })
}

func testScanStop(t *testing.T, s backend.Store) {
	var committed []op
	for i := range 10 {
		committed = append(committed, set(fmt.Sprintf("k%d", i), "v"))
	}
	commit(t, s, committed...)
	check := func(txn backend.Txn) error {
		for _, stopAt := range []int{1, 2, 5} {
			calls := 0
			err := txn.Scan([]byte("k"), nil, func(k, v []byte) bool {
				calls++
				return calls < stopAt
			})
			if err != nil {
				return fmt.Errorf("Scan stopping after %d: %w", stopAt, err)
			}
			if calls != stopAt {
				t.Errorf("Scan called fn %d times after it returned false on call %d", calls, stopAt)
			}
		}
		return nil
	}
	view(t, s, check)
	update(t, s, func(txn backend.Txn) error {
		if err := applyAll(txn, []op{del("k0"), set("k00", "v"), set("k1", "w"), del("k3")}); err != nil {
			return err
		}
		return check(txn)
	})
}

func testLargeValues(t *testing.T, s backend.Store) {
	rng := rand.NewChaCha8([32]byte{1})
	vals := map[string][]byte{}
	for _, size := range []int{1 << 20, 8 << 20} {
		v := make([]byte, size)
		rng.Read(v)
		vals[fmt.Sprintf("large/%d", size)] = v
	}
	check := func(txn backend.Txn) error {
		for k, want := range vals {
			got, err := txn.Get([]byte(k))
			if err != nil {
				return fmt.Errorf("Get(%q): %w", k, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Get(%q) returned %d bytes that differ from the %d set", k, len(got), len(want))
			}
		}
		n := 0
		err := txn.Scan([]byte("large/"), nil, func(k, v []byte) bool {
			n++
			if !bytes.Equal(v, vals[string(k)]) {
				t.Errorf("Scan returned %d bytes for %q that differ from the %d set", len(v), k, len(vals[string(k)]))
			}
			return true
		})
		if n != len(vals) {
			t.Errorf("Scan returned %d large values, want %d", n, len(vals))
		}
		return err
	}
	update(t, s, func(txn backend.Txn) error {
		for k, v := range vals {
			if err := txn.Set([]byte(k), v); err != nil {
				return fmt.Errorf("Set(%q, %d bytes): %w", k, len(v), err)
			}
		}
		return check(txn)
	})
	view(t, s, check)
}

func testManyKeys(t *testing.T, s backend.Store) {
	const n = 10000
	key := func(i int) string { return fmt.Sprintf("key/%05d", i) }
	val := func(i int) string { return "val/" + strconv.Itoa(i) }
	// check expects exactly the keys i in [0, n) with keep(i).
	check := func(txn backend.Txn, keep func(int) bool) error {
		i := 0
		err := txn.Scan([]byte("key/"), nil, func(k, v []byte) bool {
			for i < n && !keep(i) {
				i++
			}
			if i == n || string(k) != key(i) || string(v) != val(i) {
				t.Errorf("Scan returned %q=%q where key %d was expected", k, v, i)
				return false
			}
			i++
			return true
		})
		for i < n && !keep(i) {
			i++
		}
		if i != n {
			t.Errorf("Scan ended before key %d", i)
		}
		return err
	}
	all := func(int) bool { return true }
	odd := func(i int) bool { return i%2 == 1 }
	update(t, s, func(txn backend.Txn) error {
		for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(n) {
			if err := txn.Set([]byte(key(i)), []byte(val(i))); err != nil {
				return err
			}
		}
		return check(txn, all)
	})
	view(t, s, func(txn backend.Txn) error {
		for _, i := range []int{0, 1, n / 2, n - 1} {
			if err := checkGet(t, txn, key(i), val(i)); err != nil {
				return err
			}
		}
		return check(txn, all)
	})
	update(t, s, func(txn backend.Txn) error {
		for i := 0; i < n; i += 2 {
			if err := txn.Delete([]byte(key(i))); err != nil {
				return err
			}
		}
		return check(txn, odd)
	})
	view(t, s, func(txn backend.Txn) error { return check(txn, odd) })
}

// retry runs Update until it returns something other than ErrConflict.
func retry(ctx context.Context, s backend.Store, fn func(backend.Txn) error) error {
	for range 1000 {
		if err := s.Update(ctx, fn); !errors.Is(err, backend.ErrConflict) {
			return err
		}
		runtime.Gosched()
	}
	return errors.New("backendtest: Update kept returning ErrConflict")
}

func getInt(txn backend.Txn, key string) (int, error) {
	v, err := txn.Get([]byte(key))
	if err != nil {
		return 0, fmt.Errorf("Get(%q): %w", key, err)
	}
	return strconv.Atoi(string(v))
}

func setInt(txn backend.Txn, key string, n int) error {
	return txn.Set([]byte(key), []byte(strconv.Itoa(n)))
}

// testConcurrentCounter checks for lost updates: concurrent read-modify-write
// transactions on one key must serialize.
func testConcurrentCounter(t *testing.T, s backend.Store) {
	const goroutines, increments = 8, 100
	commit(t, s, set("counter", "0"))
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range increments {
				err := retry(t.Context(), s, func(txn backend.Txn) error {
					n, err := getInt(txn, "counter")
					if err != nil {
						return err
					}
					runtime.Gosched()
					return setInt(txn, "counter", n+1)
				})
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	view(t, s, func(txn backend.Txn) error { return checkGet(t, txn, "counter", strconv.Itoa(goroutines*increments)) })
}

// testConsistentSnapshot checks that readers never see a transfer between
// two accounts half-applied, whether they read by Get or by Scan.
func testConsistentSnapshot(t *testing.T, s backend.Store) {
	const writers, readers, transfers, total = 4, 4, 200, 1000
	commit(t, s, set("acct/a", strconv.Itoa(total)), set("acct/b", "0"))
	var done atomic.Bool
	var writersWG, readersWG sync.WaitGroup
	for w := range writers {
		writersWG.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 0))
			for range transfers {
				amount := rng.IntN(100) - 50
				err := retry(t.Context(), s, func(txn backend.Txn) error {
					a, err := getInt(txn, "acct/a")
					if err != nil {
						return err
					}
					b, err := getInt(txn, "acct/b")
					if err != nil {
						return err
					}
					if err := setInt(txn, "acct/a", a-amount); err != nil {
						return err
					}
					runtime.Gosched()
					return setInt(txn, "acct/b", b+amount)
				})
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	for range readers {
		readersWG.Go(func() {
			for {
				last := done.Load()
				err := s.View(t.Context(), func(txn backend.Txn) error {
					a, err := getInt(txn, "acct/a")
					if err != nil {
						return err
					}
					runtime.Gosched()
					b, err := getInt(txn, "acct/b")
					if err != nil {
						return err
					}
					if a+b != total {
						t.Errorf("View read a=%d b=%d by Get; a+b = %d, want %d", a, b, a+b, total)
					}
					sum := 0
					err = txn.Scan([]byte("acct/"), nil, func(k, v []byte) bool {
						n, err := strconv.Atoi(string(v))
						if err != nil {
							t.Errorf("Scan: %q=%q is not a number", k, v)
						}
						sum += n
						runtime.Gosched()
						return true
					})
					if sum != total {
						t.Errorf("View read a+b = %d by Scan, want %d", sum, total)
					}
					return err
				})
				if err != nil {
					t.Errorf("View: %v", err)
				}
				if last || err != nil || t.Failed() {
					return
				}
			}
		})
	}
	writersWG.Wait()
	done.Store(true)
	readersWG.Wait()
}

func testClose(t *testing.T, s backend.Store) {
	commit(t, s, set("k", "v"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil && !errors.Is(err, backend.ErrClosed) {
		t.Errorf("second Close = %v, want nil or ErrClosed", err)
	}
	for name, run := range map[string]func(context.Context, func(backend.Txn) error) error{
		"View": s.View, "Update": s.Update,
	} {
		ran := false
		err := run(t.Context(), func(backend.Txn) error { ran = true; return nil })
		if !errors.Is(err, backend.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
		if ran {
			t.Errorf("%s after Close ran its function", name)
		}
	}
}

// testCloseWaits checks that Close waits for a running transaction, which
// then finishes normally.
func testCloseWaits(t *testing.T, s backend.Store, run func(context.Context, func(backend.Txn) error) error) {
	commit(t, s, set("k", "v"))
	started, release := make(chan struct{}), make(chan struct{})
	txnErr, closeErr := make(chan error, 1), make(chan error, 1)
	go func() {
		txnErr <- run(t.Context(), func(txn backend.Txn) error {
			close(started)
			<-release
			return checkGet(t, txn, "k", "v")
		})
	}()
	<-started
	go func() { closeErr <- s.Close() }()
	closed := false
	select {
	case err := <-closeErr:
		closed = true
		t.Errorf("Close returned %v while a transaction was running", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-txnErr; err != nil {
		t.Errorf("transaction running during Close = %v, want nil", err)
	}
	if !closed {
		if err := <-closeErr; err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

func testTxnAfterEnd(t *testing.T, s backend.Store) {
	commit(t, s, set("k", "v"))
	for _, tc := range []struct {
		name string
		run  func(fn func(backend.Txn) error) error
		err  error
	}{
		{"View", func(fn func(backend.Txn) error) error { return s.View(t.Context(), fn) }, nil},
		{"committed Update", func(fn func(backend.Txn) error) error { return s.Update(t.Context(), fn) }, nil},
		{"rolled back Update", func(fn func(backend.Txn) error) error { return s.Update(t.Context(), fn) }, errRollback},
	} {
		var leaked backend.Txn
		if err := tc.run(func(txn backend.Txn) error { leaked = txn; return tc.err }); !errors.Is(err, tc.err) {
			t.Fatalf("%s = %v, want %v", tc.name, err, tc.err)
		}
		if _, err := leaked.Get([]byte("k")); !errors.Is(err, backend.ErrClosed) {
			t.Errorf("Get after %s ended: %v, want ErrClosed", tc.name, err)
		}
		if err := leaked.Set([]byte("new"), []byte("x")); !errors.Is(err, backend.ErrClosed) {
			t.Errorf("Set after %s ended: %v, want ErrClosed", tc.name, err)
		}
		if err := leaked.Delete([]byte("k")); !errors.Is(err, backend.ErrClosed) {
			t.Errorf("Delete after %s ended: %v, want ErrClosed", tc.name, err)
		}
		called := false
		err := leaked.Scan(nil, nil, func(k, v []byte) bool { called = true; return true })
		if !errors.Is(err, backend.ErrClosed) || called {
			t.Errorf("Scan after %s ended: %v (fn called: %v), want ErrClosed", tc.name, err, called)
		}
		view(t, s, func(txn backend.Txn) error { return checkContents(t, txn, map[string]string{"k": "v"}, "new") })
	}
}

func testContextDone(t *testing.T, s backend.Store) {
	commit(t, s, set("k", "v"))
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"canceled", canceled, context.Canceled},
		{"deadline exceeded", expired, context.DeadlineExceeded},
	} {
		for name, run := range map[string]func(context.Context, func(backend.Txn) error) error{
			"View": s.View, "Update": s.Update,
		} {
			ran := false
			err := run(tc.ctx, func(txn backend.Txn) error {
				ran = true
				return txn.Set([]byte("k"), []byte("changed"))
			})
			if !errors.Is(err, tc.want) {
				t.Errorf("%s with %s context = %v, want %v", name, tc.name, err, tc.want)
			}
			if ran {
				t.Errorf("%s with %s context ran its function", name, tc.name)
			}
		}
	}
	view(t, s, func(txn backend.Txn) error { return checkContents(t, txn, map[string]string{"k": "v"}) })
}
