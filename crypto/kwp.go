package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// AES Key Wrap with Padding (KWP, RFC 5649; NIST SP 800-38F KWP): the
// second step of the RSA_AES_KEY_WRAP_SHA_* wrapping algorithms, which wrap
// the key material under an ephemeral AES key. openssl names it
// id-aes{128,192,256}-wrap-pad.
//
// The alternative initial value is AIV = A65959A6 || MLI, MLI the 32-bit
// big-endian length of the plaintext in bytes (RFC 5649 section 3). The
// plaintext is padded with zeros to a multiple of 8 bytes; a padded
// plaintext of 8 bytes is encrypted as the one AES block AIV || P (section
// 4.1, step 2), a longer one with the RFC 3394 wrapping process W and AIV
// as its initial value.

// kwpAIVPrefix is the constant high half of the alternative initial value
// (RFC 5649 section 3).
var kwpAIVPrefix = [4]byte{0xa6, 0x59, 0x59, 0xa6}

// errKWP: a KWP ciphertext that is malformed or fails its integrity check.
// It never says which.
var errKWP = errors.New("crypto: AES key wrap with padding: invalid ciphertext")

// kwpMaxPlaintext is the longest plaintext KWP wraps: MLI is 32 bits.
const kwpMaxPlaintext = 1<<32 - 1

// kwpWrap wraps plaintext under kek (16, 24 or 32 bytes) with RFC 5649.
// An empty plaintext is refused (section 4.1 requires at least one octet).
func kwpWrap(kek, plaintext []byte) ([]byte, error) {
	if len(plaintext) == 0 || uint64(len(plaintext)) > kwpMaxPlaintext {
		return nil, errors.New("crypto: AES key wrap with padding: plaintext length out of range")
	}
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	n := (len(plaintext) + 7) / 8 // 64-bit blocks of the padded plaintext
	out := make([]byte, 8+8*n)
	copy(out[:4], kwpAIVPrefix[:])
	binary.BigEndian.PutUint32(out[4:8], uint32(len(plaintext)))
	copy(out[8:], plaintext) // the padding is out's zeros
	if n == 1 {
		b.Encrypt(out, out)
		return out, nil
	}
	wrapW(b, out)
	return out, nil
}

// wrapW is RFC 3394's wrapping process W (section 2.2.1, index-based) in
// place: buf holds A (8 bytes) then R[1..n].
func wrapW(b cipher.Block, buf []byte) {
	n := len(buf)/8 - 1
	var blk [16]byte
	copy(blk[:8], buf[:8])
	for j := range 6 {
		for i := 1; i <= n; i++ {
			r := buf[8*i : 8*i+8]
			copy(blk[8:], r)
			b.Encrypt(blk[:], blk[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(blk[:8], binary.BigEndian.Uint64(blk[:8])^t)
			copy(r, blk[8:])
		}
	}
	copy(buf[:8], blk[:8])
}

// unwrapW is the unwrapping process W⁻¹ (RFC 3394 section 2.2.2), in
// place on buf (A then R[1..n]).
func unwrapW(b cipher.Block, buf []byte) {
	n := len(buf)/8 - 1
	var blk [16]byte
	copy(blk[:8], buf[:8])
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			r := buf[8*i : 8*i+8]
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(blk[:8], binary.BigEndian.Uint64(blk[:8])^t)
			copy(blk[8:], r)
			b.Decrypt(blk[:], blk[:])
			copy(r, blk[8:])
		}
	}
	copy(buf[:8], blk[:8])
}

// kwpUnwrap undoes kwpWrap (RFC 5649 section 4.2). A ciphertext that is
// not a whole number of 64-bit blocks, shorter than two blocks, or whose
// recovered AIV or padding fails the checks of section 3 gives errKWP. The
// integrity checks are evaluated together, in time that does not depend on
// which of them fails or on the key material.
func kwpUnwrap(kek, ciphertext []byte) ([]byte, error) {
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, errKWP
	}
	if len(ciphertext)%8 != 0 || len(ciphertext) < 16 {
		return nil, errKWP
	}
	buf := make([]byte, len(ciphertext))
	if len(ciphertext) == 16 {
		b.Decrypt(buf, ciphertext)
	} else {
		copy(buf, ciphertext)
		unwrapW(b, buf)
	}
	n := len(buf)/8 - 1
	mli := binary.BigEndian.Uint32(buf[4:8])
	// Checks of section 3: the prefix is A65959A6, 8·(n-1) < MLI <= 8·n,
	// and the b = 8·n - MLI padding octets are zero.
	ok := subtle.ConstantTimeCompare(buf[:4], kwpAIVPrefix[:])
	lower, upper := uint64(8*(n-1)), uint64(8*n)
	ok &= ctLess(lower, uint64(mli)) & ctLessEq(uint64(mli), upper)
	// Every octet at index >= MLI of the padded plaintext must be zero;
	// only the last block can hold padding, whatever MLI claims.
	p := buf[8:]
	var pad byte
	for i := len(p) - 8; i < len(p); i++ {
		// mask is 0xff when i >= mli, 0 otherwise.
		mask := byte(ctLessEq(uint64(mli), uint64(i)) * 0xff)
		pad |= p[i] & mask
	}
	ok &= subtle.ConstantTimeByteEq(pad, 0)
	if ok != 1 {
		clear(buf)
		return nil, errKWP
	}
	out := make([]byte, mli)
	copy(out, p)
	clear(buf)
	return out, nil
}

// ctLess returns 1 if a < b and 0 otherwise, for a, b < 2^63, without
// branching on them.
func ctLess(a, b uint64) int {
	return int((a - b) >> 63)
}

// ctLessEq returns 1 if a <= b and 0 otherwise, for a, b < 2^63.
func ctLessEq(a, b uint64) int {
	return 1 - ctLess(b, a)
}
