package memory_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/backendtest"
	"github.com/embedkms/kms/backend/memory"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(*testing.T) backend.Store { return memory.New() })
}

// FuzzScanMatchesModel applies random Set and Delete operations in one or
// several Update transactions, some rolled back, and checks Scan over a
// prefix, inside each transaction and in a View after it, against a sorted
// model of the contents.
func FuzzScanMatchesModel(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x01, 0x05, 0x00, 0x01, 0x08, 0x09, 0x06, 0x0c, 0x05, 0x0e, 0x02, 0x07})
	f.Add([]byte{0x05, 0x00, 0x00, 0x01, 0x10, 0x01, 0x06, 0x04, 0x02, 0x18, 0x0d, 0x06, 0x0c, 0x01, 0x04, 0x09, 0x07})
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hundred operations reach every case; longer inputs only make
		// each execution, and minimization, slower.
		if len(data) > 256 {
			t.Skip("input too long")
		}
		in := fuzzInput(data)
		prefix, start := in.key(), in.key()
		s := memory.New()
		defer s.Close()

		errRollback := errors.New("rollback")
		var committed model
		for len(in) > 0 {
			txn := in.txn()
			want := slices.Clone(committed)
			for _, o := range txn.ops {
				want = want.apply(o)
			}
			err := s.Update(t.Context(), func(tx backend.Txn) error {
				for _, o := range txn.ops {
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
				check(t, tx, want, prefix, start)
				if txn.rollback {
					return errRollback
				}
				return nil
			})
			if txn.rollback && !errors.Is(err, errRollback) || !txn.rollback && err != nil {
				t.Fatalf("Update = %v", err)
			}
			if !txn.rollback {
				committed = want
			}
			err = s.View(t.Context(), func(tx backend.Txn) error {
				check(t, tx, committed, prefix, start)
				return nil
			})
			if err != nil {
				t.Fatalf("View = %v", err)
			}
		}
	})
}

// fuzzInput decodes fuzz bytes into keys and transactions.
type fuzzInput []byte

type fuzzOp struct {
	key, val string
	del      bool
}

type fuzzTxn struct {
	ops      []fuzzOp
	rollback bool
}

func (in *fuzzInput) byte() byte {
	if len(*in) == 0 {
		return 0
	}
	b := (*in)[0]
	*in = (*in)[1:]
	return b
}

// key decodes a key of up to three bytes from a small alphabet, so that keys
// collide, prefix each other and contain 0x00 and 0xff.
func (in *fuzzInput) key() string {
	const alphabet = "\x00a\x80\xff"
	b := in.byte()
	var k []byte
	for i := range int(b % 4) {
		k = append(k, alphabet[b>>(2+2*i)%4])
	}
	return string(k)
}

// txn decodes operations up to a commit, a rollback or the end of input.
// The low three bits of an operation byte choose Set (0-3), Delete (4-5),
// commit (6) or rollback (7); a Set stores the other five bits.
func (in *fuzzInput) txn() fuzzTxn {
	var txn fuzzTxn
	for len(*in) > 0 {
		b := in.byte()
		switch b % 8 {
		case 0, 1, 2, 3:
			txn.ops = append(txn.ops, fuzzOp{key: in.key(), val: string([]byte{'0' + b>>3})})
		case 4, 5:
			txn.ops = append(txn.ops, fuzzOp{key: in.key(), del: true})
		case 6:
			return txn
		case 7:
			txn.rollback = true
			return txn
		}
	}
	return txn
}

// model is the expected store contents, sorted by key. It is a slice rather
// than a map so that the fuzzer's coverage does not depend on map order.
type model []fuzzOp

func cmpKey(o fuzzOp, key string) int { return strings.Compare(o.key, key) }

func (m model) apply(o fuzzOp) model {
	i, found := slices.BinarySearchFunc(m, o.key, cmpKey)
	switch {
	case o.del && found:
		return slices.Delete(m, i, i+1)
	case o.del:
		return m
	case found:
		m[i] = o
		return m
	default:
		return slices.Insert(m, i, o)
	}
}

// check compares Scan(prefix, start), Scan(prefix, nil) and a full Scan
// with the model m.
func check(t *testing.T, txn backend.Txn, m model, prefix, start string) {
	t.Helper()
	for _, sc := range []struct{ prefix, start string }{
		{prefix, start},
		{prefix, ""},
		{"", ""},
	} {
		var got, want []string
		err := txn.Scan([]byte(sc.prefix), []byte(sc.start), func(k, v []byte) bool {
			got = append(got, string(k)+"="+string(v))
			return true
		})
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		for _, o := range m {
			if strings.HasPrefix(o.key, sc.prefix) && o.key >= sc.start {
				want = append(want, o.key+"="+o.val)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Scan(%q, %q) =\n\t%q\nwant\n\t%q", sc.prefix, sc.start, got, want)
		}
	}
}
