package crypto

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// HMAC (HMAC_224/256/384/512): one HMAC_SHA_* algorithm each. The
// generated key material is as long as the hash output: 224, 256, 384 or
// 512 bits (Developer Guide, "HMAC key specs").
type hmacSpec struct {
	alg  string
	hash crypto.Hash
}

var hmacSpecs = map[string]hmacSpec{
	SpecHMAC224: {AlgHMACSHA224, crypto.SHA224},
	SpecHMAC256: {AlgHMACSHA256, crypto.SHA256},
	SpecHMAC384: {AlgHMACSHA384, crypto.SHA384},
	SpecHMAC512: {AlgHMACSHA512, crypto.SHA512},
}

func generateHMAC(spec string) ([]byte, error) {
	k := make([]byte, hmacSpecs[spec].hash.Size())
	_, err := rand.Read(k)
	return k, err
}

type hmacKey struct {
	spec string
	s    hmacSpec
	key  []byte
}

// newHMAC takes key material of any non-empty length: HMAC is defined for
// every key length (RFC 2104), and whoever imports material checks the
// lengths AWS KMS allows for the spec.
func newHMAC(spec string, material []byte) (KeyPrimitive, error) {
	s := hmacSpecs[spec]
	if len(material) == 0 {
		return nil, ErrInvalidKeyMaterial
	}
	return &hmacKey{spec: spec, s: s, key: append([]byte(nil), material...)}, nil
}

func (k *hmacKey) Spec() string         { return k.spec }
func (k *hmacKey) MACAlgorithm() string { return k.s.alg }

func (k *hmacKey) Generate(alg string, message []byte) ([]byte, error) {
	if alg != k.s.alg {
		return nil, ErrUnsupportedAlgorithm
	}
	h := hmac.New(newHash(k.s.hash), k.key)
	h.Write(message)
	return h.Sum(nil), nil
}

func newHash(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.SHA224:
		return sha256.New224
	case crypto.SHA256:
		return sha256.New
	case crypto.SHA384:
		return sha512.New384
	}
	return sha512.New
}

func (k *hmacKey) Verify(alg string, message, mac []byte) error {
	want, err := k.Generate(alg, message)
	if err != nil {
		return err
	}
	if !hmac.Equal(want, mac) {
		return ErrInvalidMAC
	}
	return nil
}
