// Package encctx encodes an AWS KMS encryption context canonically, for use
// as AEAD associated data.
//
// The encoding is unambiguous: distinct contexts always encode differently.
// Pairs are sorted by key (bytewise), and every key and value is preceded by
// its length, so {"ab":"c"} and {"a":"bc"} (which naive concatenation
// confuses) encode differently:
//
//	context = uint32be(n) pair*n          n pairs, keys strictly ascending
//	pair    = uint32be(len(key)) key uint32be(len(value)) value
//
// An empty or nil context encodes as four zero bytes.
package encctx

import (
	"encoding/binary"
	"slices"
	"strings"
)

// Append appends the canonical encoding of ec to dst.
func Append(dst []byte, ec map[string]string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(ec)))
	if len(ec) == 0 {
		return dst
	}
	// One pass over the map into a slice (on the stack for small contexts),
	// then sort: map iteration is the expensive part.
	var small [8]pair
	pairs := small[:0]
	n := 0
	for k, v := range ec {
		pairs = append(pairs, pair{k, v})
		n += 8 + len(k) + len(v)
	}
	if len(pairs) > 1 {
		slices.SortFunc(pairs, func(a, b pair) int { return strings.Compare(a.k, b.k) })
	}
	dst = slices.Grow(dst, n)
	for _, p := range pairs {
		dst = appendString(dst, p.k)
		dst = appendString(dst, p.v)
	}
	return dst
}

type pair struct{ k, v string }

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}
