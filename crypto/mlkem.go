package crypto

import (
	"crypto/mlkem"
	"crypto/rand"

	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
)

// ML-KEM (ML_KEM_512/768/1024, FIPS 203). The material is the 64-byte seed
// d || z of ML-KEM.KeyGen_internal. 768 and 1024 use the standard library's
// crypto/mlkem; 512, which it lacks, uses circl's kem/mlkem/mlkem512 (both
// take the seed in the same order: tested against each other).

const mlkemSeedSize = 64

func generateMLKEM(string) ([]byte, error) {
	seed := make([]byte, mlkemSeedSize)
	_, err := rand.Read(seed)
	return seed, err
}

type mlkemKey struct {
	spec   string
	ctLen  int
	spki   []byte
	encaps func() (shared, ct []byte)
	decaps func(ct []byte) ([]byte, error)
}

func newMLKEM(spec string, material []byte) (KeyPrimitive, error) {
	if len(material) != mlkemSeedSize {
		return nil, ErrInvalidKeyMaterial
	}
	k := &mlkemKey{spec: spec}
	var pub []byte
	switch spec {
	case SpecMLKEM512:
		pk, sk := mlkem512.NewKeyFromSeed(material)
		pub = make([]byte, mlkem512.PublicKeySize)
		pk.Pack(pub)
		k.ctLen = mlkem512.CiphertextSize
		k.encaps = func() ([]byte, []byte) {
			ct := make([]byte, mlkem512.CiphertextSize)
			ss := make([]byte, mlkem512.SharedKeySize)
			pk.EncapsulateTo(ct, ss, nil) // nil: a fresh random seed
			return ss, ct
		}
		k.decaps = func(ct []byte) ([]byte, error) {
			ss := make([]byte, mlkem512.SharedKeySize)
			sk.DecapsulateTo(ss, ct)
			return ss, nil
		}
	case SpecMLKEM768:
		dk, err := mlkem.NewDecapsulationKey768(material)
		if err != nil {
			return nil, ErrInvalidKeyMaterial
		}
		ek := dk.EncapsulationKey()
		pub, k.ctLen = ek.Bytes(), mlkem.CiphertextSize768
		k.encaps, k.decaps = ek.Encapsulate, dk.Decapsulate
	case SpecMLKEM1024:
		dk, err := mlkem.NewDecapsulationKey1024(material)
		if err != nil {
			return nil, ErrInvalidKeyMaterial
		}
		ek := dk.EncapsulationKey()
		pub, k.ctLen = ek.Bytes(), mlkem.CiphertextSize1024
		k.encaps, k.decaps = ek.Encapsulate, dk.Decapsulate
	}
	k.spki = marshalSPKI(pqcOID(spec), nil, pub)
	return k, nil
}

func (k *mlkemKey) Spec() string      { return k.spec }
func (k *mlkemKey) PublicKey() []byte { return k.spki }

func (k *mlkemKey) Encapsulate() (sharedSecret, ciphertext []byte, err error) {
	ss, ct := k.encaps()
	return ss, ct, nil
}

func (k *mlkemKey) Decapsulate(ciphertext []byte) ([]byte, error) {
	if len(ciphertext) != k.ctLen {
		return nil, ErrInvalidCiphertext
	}
	ss, err := k.decaps(ciphertext)
	if err != nil {
		return nil, ErrInvalidCiphertext
	}
	return ss, nil
}
