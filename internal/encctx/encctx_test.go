package encctx_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/embedkms/kms/internal/encctx"
)

// Known answers written by hand from the package doc comment:
//
//	context = uint32be(n) pair*n          n pairs, keys strictly ascending
//	pair    = uint32be(len(key)) key uint32be(len(value)) value
func TestAppendKnownAnswers(t *testing.T) {
	tests := []struct {
		name string
		ec   map[string]string
		want string // hex, spaces ignored
	}{
		{"nil context is four zero bytes", nil, "00000000"},
		{"empty context is four zero bytes", map[string]string{}, "00000000"},
		{"one pair", map[string]string{"a": "b"}, "00000001 00000001 61 00000001 62"},
		{"empty key and value", map[string]string{"": ""}, "00000001 00000000 00000000"},
		{"lengths keep ab=c apart from a=bc", map[string]string{"ab": "c"}, "00000001 00000002 6162 00000001 63"},
		{"lengths keep a=bc apart from ab=c", map[string]string{"a": "bc"}, "00000001 00000001 61 00000002 6263"},
		{
			"keys sorted bytewise: uppercase before lowercase",
			map[string]string{"b": "2", "a": "1", "B": "3"},
			"00000003 00000001 42 00000001 33 00000001 61 00000001 31 00000001 62 00000001 32",
		},
		{
			"prefix sorts first",
			map[string]string{"ab": "", "a": ""},
			"00000002 00000001 61 00000000 00000002 6162 00000000",
		},
		{
			// "é" is c3 a9: after every ASCII key.
			"non-ASCII keys sort by UTF-8 bytes",
			map[string]string{"é": "x", "z": "y", "e": "w"},
			"00000003 00000001 65 00000001 77 00000001 7a 00000001 79 00000002 c3a9 00000001 78",
		},
		{
			// U+FFFF is ef bf bf, U+1F600 is f0 9f 98 80: bytewise order
			// puts U+FFFF first; UTF-16 order would not.
			"bytewise, not UTF-16, order",
			map[string]string{"😀": "", "\uffff": ""},
			"00000002 00000003 efbfbf 00000000 00000004 f09f9880 00000000",
		},
		{
			"value lengths count bytes",
			map[string]string{"k": "ключ"},
			"00000001 00000001 6b 00000008 d0bad0bbd18ed187",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := hex.DecodeString(strings.ReplaceAll(tt.want, " ", ""))
			if err != nil {
				t.Fatal(err)
			}
			if got := encctx.Append(nil, tt.ec); !bytes.Equal(got, want) {
				t.Errorf("Append(%q) = %x, want %x", tt.ec, got, want)
			}
			// Append appends: the prefix is kept.
			prefix := []byte("header")
			if got := encctx.Append(prefix, tt.ec); !bytes.Equal(got, append([]byte("header"), want...)) {
				t.Errorf("Append(prefix, %q) = %x, want prefix then %x", tt.ec, got, want)
			}
		})
	}
}

// The doc comment's example: naive concatenation confuses these two.
func TestAppendAmbiguousPair(t *testing.T) {
	a := encctx.Append(nil, map[string]string{"ab": "c"})
	b := encctx.Append(nil, map[string]string{"a": "bc"})
	if bytes.Equal(a, b) {
		t.Errorf(`{"ab":"c"} and {"a":"bc"} both encode as %x`, a)
	}
}

func TestAppendNilEqualsEmpty(t *testing.T) {
	if a, b := encctx.Append(nil, nil), encctx.Append(nil, map[string]string{}); !bytes.Equal(a, b) {
		t.Errorf("nil encodes as %x, empty map as %x", a, b)
	}
}

// Contexts larger than any small-size fast path still encode canonically,
// and the same context always encodes the same way whatever the map's
// iteration order.
func TestAppendManyPairs(t *testing.T) {
	for _, n := range []int{2, 7, 8, 9, 16, 50} {
		ec := make(map[string]string, n)
		for i := range n {
			ec["key"+strconv.Itoa(n-i)] = strings.Repeat("v", i)
		}
		want := decodeInto(t, encctx.Append(nil, ec))
		if !maps.Equal(want, ec) {
			t.Fatalf("%d pairs: encoding does not decode back", n)
		}
		first := encctx.Append(nil, ec)
		for range 20 {
			if got := encctx.Append(nil, ec); !bytes.Equal(got, first) {
				t.Fatalf("%d pairs: encoding changes between calls", n)
			}
		}
	}
}

// decode parses the canonical encoding, strictly: exact lengths, keys
// strictly ascending, no trailing bytes. A left inverse of Append proves
// Append injective.
func decode(b []byte) (map[string]string, bool) {
	str := func() (string, bool) {
		if len(b) < 4 {
			return "", false
		}
		l := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(l) > uint64(len(b)) {
			return "", false
		}
		s := string(b[:l])
		b = b[l:]
		return s, true
	}
	if len(b) < 4 {
		return nil, false
	}
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	m := map[string]string{}
	prev := ""
	for i := uint32(0); i < n; i++ {
		k, ok1 := str()
		v, ok2 := str()
		if !ok1 || !ok2 || (i > 0 && k <= prev) {
			return nil, false
		}
		m[k], prev = v, k
	}
	return m, len(b) == 0
}

func decodeInto(t *testing.T, b []byte) map[string]string {
	t.Helper()
	m, ok := decode(b)
	if !ok {
		t.Fatalf("%x is not a canonical encoding", b)
	}
	return m
}

// fuzzMap turns arbitrary bytes into a context: repeated
// [key length][key][value length][value], lengths one byte each, cut short
// at the end of the input. Later keys overwrite earlier ones.
func fuzzMap(b []byte) map[string]string {
	m := map[string]string{}
	next := func() string {
		if len(b) == 0 {
			return ""
		}
		l := min(int(b[0]), len(b)-1)
		s := string(b[1 : 1+l])
		b = b[1+l:]
		return s
	}
	for len(b) > 0 {
		k := next()
		m[k] = next()
	}
	return m
}

func FuzzInjective(f *testing.F) {
	f.Add([]byte("\x02ab\x01c"), []byte("\x01a\x02bc"))
	f.Add([]byte("\x01a\x01x\x01b\x01y"), []byte("\x01b\x01y\x01a\x01x"))
	f.Add([]byte(""), []byte("\x00\x00"))
	f.Add([]byte("\x01a\x01b"), []byte("\x01a\x01b\x00\x00"))
	f.Add([]byte("\x02\xc3\xa9\x00\x01z\x00"), []byte("\x01e\x00"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ma, mb := fuzzMap(a), fuzzMap(b)
		ea, eb := encctx.Append(nil, ma), encctx.Append(nil, mb)
		if eq := maps.Equal(ma, mb); eq != bytes.Equal(ea, eb) {
			t.Fatalf("maps equal = %v but encodings equal = %v:\n%q -> %x\n%q -> %x", eq, !eq, ma, ea, mb, eb)
		}
		if got, ok := decode(ea); !ok || !maps.Equal(got, ma) {
			t.Fatalf("encoding %x of %q does not decode back (got %q, %v)", ea, ma, got, ok)
		}
	})
}
