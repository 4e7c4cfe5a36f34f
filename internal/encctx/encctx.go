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
)

// Append appends the canonical encoding of ec to dst.
func Append(dst []byte, ec map[string]string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(ec)))
	switch len(ec) {
	case 0:
		return dst
	case 1:
		for k, v := range ec {
			dst = appendString(dst, k)
			dst = appendString(dst, v)
		}
		return dst
	}
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = appendString(dst, k)
		dst = appendString(dst, ec[k])
	}
	return dst
}

// Size returns the length of the canonical encoding of ec.
func Size(ec map[string]string) int {
	n := 4
	for k, v := range ec {
		n += 8 + len(k) + len(v)
	}
	return n
}

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}
