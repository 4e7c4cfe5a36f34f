package crypto

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
