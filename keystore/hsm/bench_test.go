package hsm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	"github.com/embedkms/kms/keystore/hsm/hsmtest"
)

// BenchmarkEncrypt4KB compares AES-256-GCM of 4 KB through SoftHSM2
// (PKCS#11 C_EncryptInit + C_Encrypt on a pooled session) with the same
// operation in crypto/aes.
func BenchmarkEncrypt4KB(b *testing.B) {
	plaintext := make([]byte, 4096)
	aad := []byte("benchmark")
	b.Run("softhsm2", func(b *testing.B) {
		tok := hsmtest.NewToken(b, "bench")
		h, err := Open(Config{Module: tok.Module, TokenLabel: tok.Label, PIN: tok.PIN})
		if err != nil {
			b.Fatal(err)
		}
		defer h.Close()
		k, err := h.GenerateKey("bench")
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(plaintext)))
		for b.Loop() {
			if _, err := h.Encrypt(k.ID, plaintext, aad); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("crypto-aes", func(b *testing.B) {
		key := make([]byte, KeyBytes)
		rand.Read(key)
		block, _ := aes.NewCipher(key)
		gcm, _ := cipher.NewGCMWithRandomNonce(block)
		b.SetBytes(int64(len(plaintext)))
		for b.Loop() {
			gcm.Seal(nil, nil, plaintext, aad)
		}
	})
}
