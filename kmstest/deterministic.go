package kmstest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"sync"

	"github.com/embedkms/kms"
	kmscrypto "github.com/embedkms/kms/crypto"
)

// Deterministic makes Key create the key from seed instead of at random:
// its key id and its key material follow from the seed (and the material
// from the key spec too), so the same seed gives, in every run and every
// handle, the same key id, ARN and material id, hence the same public key,
// the same GenerateMac output, and the same signatures for deterministic
// schemes (Ed25519, RSASSA_PKCS1_V1_5). Ciphertexts of such a key made in
// one handle decrypt in another. Use it for golden tests, never for data
// that matters: whoever knows the seed holds the key.
//
// The key is loaded with kms.ApplySeed, with the spec, usage, description,
// tags, policy and multi-Region flag the other options give. Loading a
// seed again is a no-op, so Key with the same seed, spec and usage on the
// same handle returns the same key; another spec or usage under a seed
// already used on the handle ends the test with an error matching
// kms.ErrSeedConflict.
//
// The derivation is fixed, so that golden files stay valid: with IKM the
// bytes of "embedkms kmstest seed: " followed by the seed, the id is the
// first 16 bytes of HKDF-SHA-256 (RFC 5869, no salt) with info
// "embedkms kmstest key id", made a version 4 UUID (or, for MultiRegion,
// "mrk-" and those 16 bytes in hex, unchanged); the material is drawn
// from a ChaCha8 stream (math/rand/v2) keyed by 32 bytes of HKDF-SHA-256
// with info "embedkms kmstest key material " followed by the key spec, in
// the form kms.SeedKey.KeyMaterial takes: the first bytes of the stream
// for SYMMETRIC_DEFAULT, HMAC, Ed25519, ML-DSA and ML-KEM keys; scalars
// drawn until one is in range for the elliptic curves; primes drawn until
// probable for RSA (e = 65537).
func Deterministic(seed string) KeyOption {
	return func(c *keyConfig) { c.seed = &seed }
}

// HKDF parameters of Deterministic. The input key material is ikmPrefix
// and the seed, so that even an empty seed is 112 bits long, as HKDF
// requires in FIPS 140-only mode.
const (
	ikmPrefix    = "embedkms kmstest seed: "
	infoKeyID    = "embedkms kmstest key id"
	infoMaterial = "embedkms kmstest key material "
)

// seedKey loads the Deterministic key c describes into k and returns its
// key id.
func seedKey(k *kms.KMS, c *keyConfig) (string, error) {
	id, err := deterministicKeyID(*c.seed, c.multiRegion)
	if err != nil {
		return "", err
	}
	material, err := deterministicMaterial(*c.seed, c.spec)
	if err != nil {
		return "", err
	}
	var tags map[string]string
	if len(c.tags) > 0 {
		tags = make(map[string]string, len(c.tags))
		for _, tag := range c.tags {
			tags[tag.TagKey] = tag.TagValue
		}
	}
	sk := kms.SeedKey{
		ID:          id,
		KeySpec:     c.spec,
		KeyUsage:    c.usage,
		Description: c.description,
		Policy:      kms.SeedPolicy(c.policy),
		Tags:        tags,
		KeyMaterial: material,
	}
	if err := k.ApplySeed(context.Background(), &kms.SeedFile{Keys: []kms.SeedKey{sk}}); err != nil {
		return "", err
	}
	return id, nil
}

// deterministicKeyID returns the key id of seed: a version 4 UUID, or
// "mrk-" and 32 hex digits for a multi-Region key.
func deterministicKeyID(seed string, multiRegion bool) (string, error) {
	b, err := hkdf.Key(sha256.New, []byte(ikmPrefix+seed), nil, infoKeyID, 16)
	if err != nil {
		return "", err
	}
	if multiRegion {
		return "mrk-" + hex.EncodeToString(b), nil
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// rawSizes are the sizes of the specs whose material is uniform bytes.
var rawSizes = map[kms.KeySpec]int{
	kms.KeySpecSymmetricDefault:    32,
	kms.KeySpecHmac224:             28,
	kms.KeySpecHmac256:             32,
	kms.KeySpecHmac384:             48,
	kms.KeySpecHmac512:             64,
	kms.KeySpecEccNistEdwards25519: 32, // RFC 8032 private key
	kms.KeySpecMlDsa44:             32, // FIPS 204 seed ξ
	kms.KeySpecMlDsa65:             32,
	kms.KeySpecMlDsa87:             32,
	kms.KeySpecMlKem512:            64, // FIPS 203 seed d || z
	kms.KeySpecMlKem768:            64,
	kms.KeySpecMlKem1024:           64,
}

var nistCurves = map[kms.KeySpec]elliptic.Curve{
	kms.KeySpecEccNistP256: elliptic.P256(),
	kms.KeySpecEccNistP384: elliptic.P384(),
	kms.KeySpecEccNistP521: elliptic.P521(),
}

var rsaBits = map[kms.KeySpec]int{
	kms.KeySpecRsa2048: 2048,
	kms.KeySpecRsa3072: 3072,
	kms.KeySpecRsa4096: 4096,
}

// rsaCache holds the RSA material deterministicMaterial made, by spec and
// seed: the same seed always gives the same material, and RSA keys take
// up to seconds to make.
var rsaCache sync.Map

// deterministicMaterial returns the key material of seed for spec, in the
// form kms.SeedKey.KeyMaterial takes. A spec it does not know gets nil, so
// that ApplySeed refuses the spec as CreateKey would.
func deterministicMaterial(seed string, spec kms.KeySpec) ([]byte, error) {
	key, err := hkdf.Key(sha256.New, []byte(ikmPrefix+seed), nil, infoMaterial+string(spec), 32)
	if err != nil {
		return nil, err
	}
	r := rand.NewChaCha8([32]byte(key))
	var m []byte
	switch {
	case rawSizes[spec] > 0:
		m = make([]byte, rawSizes[spec])
		r.Read(m)
	case spec == kms.KeySpecEccSecgP256k1 || spec == kms.KeySpecSm2:
		// A 32-byte scalar; the few out of range are drawn again.
		for {
			m = make([]byte, 32)
			r.Read(m)
			if _, err := kmscrypto.NewKeyPrimitive(string(spec), m); err == nil {
				break
			}
		}
	case nistCurves[spec] != nil:
		m, err = nistMaterial(r, nistCurves[spec])
	case rsaBits[spec] > 0:
		cacheKey := string(spec) + " " + seed
		if cached, ok := rsaCache.Load(cacheKey); ok {
			return bytes.Clone(cached.([]byte)), nil
		}
		m, err = rsaMaterial(r, rsaBits[spec])
		if err == nil {
			rsaCache.Store(cacheKey, bytes.Clone(m))
		}
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("deterministic %s material: %w", spec, err)
	}
	return m, nil // ApplySeed checks it as it checks any seed's
}

// nistMaterial draws a private scalar of curve from r (again while out of
// range) and returns the key's PKCS #8 DER.
func nistMaterial(r io.Reader, curve elliptic.Curve) ([]byte, error) {
	bits := curve.Params().N.BitLen()
	b := make([]byte, (bits+7)/8)
	for {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		b[0] &= 0xff >> (len(b)*8 - bits) // P-521: 521 bits in 66 bytes
		priv, err := ecdsa.ParseRawPrivateKey(curve, b)
		if err != nil {
			continue // zero, or not below the order
		}
		return x509.MarshalPKCS8PrivateKey(priv)
	}
}

// rsaMaterial makes an RSA key of bits bits, e = 65537, from primes drawn
// from r, and returns its PKCS #8 DER. (rsa.GenerateKey ignores the reader
// it is given since Go 1.26.)
func rsaMaterial(r io.Reader, bits int) ([]byte, error) {
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, err := rsaPrime(r, bits/2, e)
		if err != nil {
			return nil, err
		}
		q, err := rsaPrime(r, bits-bits/2, e)
		if err != nil {
			return nil, err
		}
		n := new(big.Int).Mul(p, q)
		if p.Cmp(q) == 0 || n.BitLen() != bits {
			continue
		}
		pm1 := new(big.Int).Sub(p, one)
		qm1 := new(big.Int).Sub(q, one)
		d := new(big.Int).ModInverse(e, new(big.Int).Mul(pm1, qm1))
		if d == nil {
			continue
		}
		priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d, Primes: []*big.Int{p, q}}
		priv.Precompute()
		if priv.Validate() != nil {
			continue
		}
		return x509.MarshalPKCS8PrivateKey(priv)
	}
}

// rsaPrime draws a prime of exactly bits bits, its two top bits set (so
// that a product of two is 2*bits long), with p-1 prime to e.
func rsaPrime(r io.Reader, bits int, e *big.Int) (*big.Int, error) {
	b := make([]byte, (bits+7)/8)
	one := big.NewInt(1)
	for {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		p := new(big.Int).SetBytes(b)
		for i := bits; i < len(b)*8; i++ {
			p.SetBit(p, i, 0)
		}
		p.SetBit(p, bits-1, 1)
		p.SetBit(p, bits-2, 1)
		p.SetBit(p, 0, 1)
		if !p.ProbablyPrime(20) {
			continue
		}
		if new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, one)).Cmp(one) != 0 {
			continue
		}
		return p, nil
	}
}
