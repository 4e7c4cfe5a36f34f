package crypto

import "crypto/aes"

// Test-only access to internals, for the specification's intermediate
// values.

// DeriveKeyForTest returns Kx for the 12-byte derivation nonce n1.
func (x *XAES256GCM) DeriveKeyForTest(n1 []byte) []byte {
	var kx [AES256KeySize]byte
	x.deriveKey(&kx, n1)
	return kx[:]
}

// K1ForTest returns the precomputed CMAC subkey K1.
func (x *XAES256GCM) K1ForTest() []byte { return x.k1[:] }

// KWPWrapForTest wraps plaintext under kek with RFC 5649.
func KWPWrapForTest(kek, plaintext []byte) ([]byte, error) { return kwpWrap(kek, plaintext) }

// KWPUnwrapForTest unwraps an RFC 5649 ciphertext.
func KWPUnwrapForTest(kek, ciphertext []byte) ([]byte, error) { return kwpUnwrap(kek, ciphertext) }

// KWPRawWrapForTest encrypts the 8-byte initial value a followed by the
// padded plaintext p (a multiple of 8 bytes) as KWP does, without building
// or checking a: one AES block for an 8-byte p, RFC 3394's W otherwise.
// Tests use it to make ciphertexts whose AIV or padding is wrong.
func KWPRawWrapForTest(kek, a, p []byte) []byte {
	b, err := aes.NewCipher(kek)
	if err != nil {
		panic(err)
	}
	buf := append(append([]byte(nil), a...), p...)
	if len(p) == 8 {
		b.Encrypt(buf, buf)
		return buf
	}
	wrapW(b, buf)
	return buf
}

// SM2ScalarForTest returns the private scalar of an SM2 PKCS #8 key.
func SM2ScalarForTest(der []byte) ([]byte, error) { return parseECPKCS8(der, oidSM2) }
