package crypto_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/embedkms/kms/crypto"
)

// FuzzParsePublicKey: ParsePublicKey never panics on untrusted bytes, and
// whatever it accepts re-encodes (MarshalPublicKey) to the same bytes and
// the same spec.
func FuzzParsePublicKey(f *testing.F) {
	for _, spec := range crypto.Specs() {
		if pk, ok := testKey(f, spec).(crypto.PublicKeyer); ok {
			f.Add(pk.PublicKey())
		}
	}
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := crypto.ParsePublicKey(b)
		if err != nil {
			if !errors.Is(err, crypto.ErrInvalidPublicKey) {
				t.Fatalf("error %v is not ErrInvalidPublicKey", err)
			}
			return
		}
		enc, err := crypto.MarshalPublicKey(p)
		if err != nil {
			t.Fatalf("MarshalPublicKey of a parsed %s key: %v", p.Spec, err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("%s key re-encodes to other bytes", p.Spec)
		}
		again, err := crypto.ParsePublicKey(enc)
		if err != nil || again.Spec != p.Spec {
			t.Fatalf("re-encoded key parses as %v, %v", again, err)
		}
	})
}

// FuzzVerify: Verify never panics on an untrusted signature or message,
// for every signing spec, and accepts nothing that was not signed (with
// overwhelming probability) but the seeds' own signatures.
func FuzzVerify(f *testing.F) {
	specs := []string{"RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44"}
	algs := map[string]string{"RSA_2048": "RSASSA_PSS_SHA_256", "ECC_NIST_P256": "ECDSA_SHA_256", "ECC_NIST_P384": "ECDSA_SHA_384",
		"ECC_NIST_P521": "ECDSA_SHA_512", "ECC_SECG_P256K1": "ECDSA_SHA_256", "ECC_NIST_EDWARDS25519": "ED25519_SHA_512", "ML_DSA_44": "ML_DSA_SHAKE_256"}
	for i, spec := range specs {
		sig, err := testKey(f, spec).(crypto.Signer).Sign(algs[spec], []byte("m"), crypto.MessageRaw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), []byte("m"), sig)
	}
	f.Add(uint8(4), []byte("m"), []byte{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, which uint8, msg, sig []byte) {
		spec := specs[int(which)%len(specs)]
		k := testKey(t, spec).(crypto.Signer)
		for _, mt := range []crypto.MessageType{crypto.MessageRaw, crypto.MessageDigest, crypto.MessageExternalMu} {
			err := k.Verify(algs[spec], msg, mt, sig)
			if err == nil && mt == crypto.MessageRaw && !bytes.Equal(msg, []byte("m")) {
				t.Fatalf("%s: a fuzzed signature verifies", spec)
			}
		}
	})
}

// FuzzDecryptDecapsulate: RSA OAEP Decrypt and ML-KEM Decapsulate never
// panic on untrusted ciphertexts.
func FuzzDecryptDecapsulate(f *testing.F) {
	f.Add(make([]byte, 256))
	f.Add(make([]byte, 1088))
	f.Fuzz(func(t *testing.T, ct []byte) {
		rsa := testKey(t, "RSA_2048").(crypto.Decrypter)
		if _, err := rsa.Decrypt("RSAES_OAEP_SHA_256", ct); err != nil && !errors.Is(err, crypto.ErrInvalidCiphertext) {
			t.Fatal(err)
		}
		for _, spec := range []string{"ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"} {
			if _, err := testKey(t, spec).(crypto.KEM).Decapsulate(ct); err != nil && !errors.Is(err, crypto.ErrInvalidCiphertext) {
				t.Fatal(err)
			}
		}
	})
}
