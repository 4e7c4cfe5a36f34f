package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
)

// XNonceSize is the size of an XAES-256-GCM nonce: a 12-byte key-derivation
// nonce followed by the 12-byte AES-GCM IV.
const XNonceSize = xDeriveNonceSize + ivSize

const xDeriveNonceSize = 12

// XAES256GCM is XAES-256-GCM (c2sp.org/XAES-256-GCM) with a fresh random
// 192-bit nonce per encryption. Its output is nonce(24) || ciphertext ||
// tag(16), where ciphertext || tag is exactly XAES-256-GCM's output for
// that nonce (tested against the specification's vectors).
//
// Each message is sealed under its own AES-256-GCM key Kx, derived from the
// key K and the first 12 bytes of the nonce, N1, with the NIST SP 800-108r1
// counter-mode KDF on AES-256-CMAC (label "X", context N1, 16-bit counter,
// no length field). With a single-block CMAC input this is:
//
//	L  = AES-256_K(0^128)
//	K1 = L << 1, xor 0x87 into the last byte if the top bit of L was set
//	M1 = 0x00 0x01 0x58 0x00 || N1
//	M2 = 0x00 0x02 0x58 0x00 || N1
//	Kx = AES-256_K(M1 xor K1) || AES-256_K(M2 xor K1)
//
// The message is then AES-256-GCM under Kx with the last 12 bytes of the
// nonce as IV. L and K1 are computed once, by NewXAES256GCM.
//
// Why: AES-256-GCM with random 96-bit IVs is limited to 2^32 messages per
// key (NIST SP 800-38D, 8.3). With a random 96-bit N1 per message, each Kx
// is used for one message, and the specification puts the limit at 2^80
// messages per key for a collision risk of 2^-32. Like AES-GCM, it is not
// key-committing.
//
// The per-message AEAD is the standard library's
// cipher.NewGCMWithRandomNonce, which draws the IV itself and reads it back
// from the ciphertext on Open, so XAES256GCM also works under
// GODEBUG=fips140=only, where cipher.NewGCM with caller-chosen IVs is
// refused. The derivation uses only the AES block function.
//
// Each Seal and Open puts Kx, then its AES key schedule and GCM state, on
// the heap (three allocations, about 1.3 KB). Kx itself is zeroed after
// use; the schedule and GCM state cannot be (the standard library offers
// no way to), but Kx protects only its own message. They are not pooled:
// the standard library cannot re-key a GCM, so there is nothing safe to
// reuse.
//
// It is safe for concurrent use.
type XAES256GCM struct {
	block cipher.Block // AES-256 under K
	k1    [aes.BlockSize]byte
}

// NewXAES256GCM returns XAES-256-GCM for a 32-byte key. The caller may zero
// key afterwards.
func NewXAES256GCM(key []byte) (*XAES256GCM, error) {
	if len(key) != AES256KeySize {
		return nil, fmt.Errorf("crypto: XAES-256-GCM key must be %d bytes, got %d", AES256KeySize, len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return newXAES(b), nil
}

// newXAES returns XAES-256-GCM over the AES-256 block b, computing the CMAC
// subkey K1 once.
func newXAES(b cipher.Block) *XAES256GCM {
	x := &XAES256GCM{block: b}
	var l [aes.BlockSize]byte
	b.Encrypt(l[:], l[:])
	// K1 = L << 1 over the 128-bit string, then the reduction if L's most
	// significant bit was set (NIST SP 800-38B, 6.1).
	for i := range aes.BlockSize - 1 {
		x.k1[i] = l[i]<<1 | l[i+1]>>7
	}
	x.k1[aes.BlockSize-1] = l[aes.BlockSize-1]<<1 ^ byte(0x87&-(l[0]>>7))
	clear(l[:])
	return x
}

// deriveKey writes Kx for the derivation nonce n1 (12 bytes) into kx. The
// two CMAC inputs are built in kx itself and encrypted in place, so no
// other buffer holds them.
func (x *XAES256GCM) deriveKey(kx *[AES256KeySize]byte, n1 []byte) {
	m1, m2 := kx[:aes.BlockSize], kx[aes.BlockSize:]
	m1[0], m1[1], m1[2], m1[3] = 0x00, 0x01, 'X', 0x00
	m2[0], m2[1], m2[2], m2[3] = 0x00, 0x02, 'X', 0x00
	copy(m1[4:], n1[:xDeriveNonceSize])
	copy(m2[4:], n1[:xDeriveNonceSize])
	subtle.XORBytes(m1, m1, x.k1[:])
	subtle.XORBytes(m2, m2, x.k1[:])
	x.block.Encrypt(m1, m1)
	x.block.Encrypt(m2, m2)
}

// gcmFor returns the per-message AES-256-GCM for derivation nonce n1.
func (x *XAES256GCM) gcmFor(n1 []byte) (cipher.AEAD, error) {
	kx := new([AES256KeySize]byte) // escapes through the cipher.Block interface anyway
	x.deriveKey(kx, n1)
	b, err := aes.NewCipher(kx[:])
	clear(kx[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(b)
}

// Seal encrypts plaintext with associated data aad and appends
// nonce(24) || ciphertext || tag(16) to dst. dst must not overlap aad or
// plaintext.
func (x *XAES256GCM) Seal(dst, plaintext, aad []byte) []byte {
	dst, n1 := sliceForAppend(dst, xDeriveNonceSize)
	rand.Read(n1) // never fails on supported platforms (Go 1.24+ crashes instead)
	g, err := x.gcmFor(n1)
	if err != nil {
		panic("crypto: XAES-256-GCM: " + err.Error()) // a 32-byte AES key cannot fail
	}
	return g.Seal(dst, nil, plaintext, aad)
}

// Open authenticates and decrypts nonce(24) || ciphertext || tag(16) with
// associated data aad and appends the plaintext to dst.
func (x *XAES256GCM) Open(dst, ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < XNonceSize+tagSize {
		return nil, errOpen
	}
	g, err := x.gcmFor(ciphertext[:xDeriveNonceSize])
	if err != nil {
		return nil, errOpen
	}
	pt, err := g.Open(dst, nil, ciphertext[xDeriveNonceSize:], aad)
	if err != nil {
		return nil, errOpen
	}
	return pt, nil
}

// Encrypt returns nonce || ciphertext || tag in a new slice (the tink.AEAD
// method set).
func (x *XAES256GCM) Encrypt(plaintext, aad []byte) ([]byte, error) {
	return x.Seal(make([]byte, 0, XNonceSize+len(plaintext)+tagSize), plaintext, aad), nil
}

// Decrypt returns the plaintext of nonce || ciphertext || tag in a new
// slice (the tink.AEAD method set).
func (x *XAES256GCM) Decrypt(ciphertext, aad []byte) ([]byte, error) {
	return x.Open(nil, ciphertext, aad)
}

// sliceForAppend extends b by n bytes, growing it if needed, and returns
// the whole slice and the n new bytes.
func sliceForAppend(b []byte, n int) (whole, tail []byte) {
	whole = append(b, make([]byte, n)...)
	return whole, whole[len(b):]
}
