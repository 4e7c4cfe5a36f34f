package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/mlkem"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"

	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/emmansun/gmsm/sm2"
)

// Object identifiers of the keys crypto/x509 does not encode.
var (
	// id-ecPublicKey (RFC 5480 2.1.1) and secp256k1 (SEC 2 version 2,
	// appendix A.2.1: 1.3.132.0.10).
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	// id-ml-dsa-44/65/87 (NIST Computer Security Objects Register, sigAlgs
	// 17, 18, 19; RFC 9881 section 2).
	oidMLDSA44 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}
	oidMLDSA65 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}
	oidMLDSA87 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}
	// id-alg-ml-kem-512/768/1024 (NIST CSOR kems 1, 2, 3; RFC 9935
	// section 3).
	oidMLKEM512  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}
	oidMLKEM768  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}
	oidMLKEM1024 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}
)

// pqcSpecs maps the ML-DSA and ML-KEM OIDs to their spec and raw public
// key length; their SPKI has no parameters and the raw key as its BIT
// STRING (RFC 9881 section 4, RFC 9935 section 4).
var pqcSpecs = []struct {
	oid    asn1.ObjectIdentifier
	spec   string
	keyLen int
}{
	{oidMLDSA44, SpecMLDSA44, mldsa44.PublicKeySize},
	{oidMLDSA65, SpecMLDSA65, mldsa65.PublicKeySize},
	{oidMLDSA87, SpecMLDSA87, mldsa87.PublicKeySize},
	{oidMLKEM512, SpecMLKEM512, mlkem512.PublicKeySize},
	{oidMLKEM768, SpecMLKEM768, mlkem.EncapsulationKeySize768},
	{oidMLKEM1024, SpecMLKEM1024, mlkem.EncapsulationKeySize1024},
}

func pqcOID(spec string) asn1.ObjectIdentifier {
	for _, p := range pqcSpecs {
		if p.spec == spec {
			return p.oid
		}
	}
	return nil
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

// marshalSPKI encodes a SubjectPublicKeyInfo (RFC 5280 4.1) for alg, with
// the named-curve OID param as parameters unless it is nil.
func marshalSPKI(alg, param asn1.ObjectIdentifier, key []byte) []byte {
	ai := algorithmIdentifier{Algorithm: alg}
	if param != nil {
		p, err := asn1.Marshal(param)
		if err != nil {
			panic(err) // a constant OID always encodes
		}
		ai.Parameters = asn1.RawValue{FullBytes: p}
	}
	b, err := asn1.Marshal(subjectPublicKeyInfo{ai, asn1.BitString{Bytes: key, BitLength: 8 * len(key)}})
	if err != nil {
		panic(err) // fixed types always encode
	}
	return b
}

// PublicKey is a parsed public key of one of the key specs.
type PublicKey struct {
	// Spec is the key spec the key is of; an RSA key's spec follows from
	// its modulus size.
	Spec string
	// Key is *rsa.PublicKey, *ecdsa.PublicKey (NIST curves, and SM2 on
	// gmsm's sm2.P256 curve),
	// *secp256k1.PublicKey, ed25519.PublicKey, *mldsa44.PublicKey (and 65,
	// 87), *mlkem512.PublicKey, *mlkem.EncapsulationKey768 or
	// *mlkem.EncapsulationKey1024.
	Key any
}

// ParsePublicKey parses an untrusted DER SubjectPublicKeyInfo of one of the
// asymmetric key specs. It returns ErrInvalidPublicKey for anything
// malformed, with trailing data, of an algorithm or curve no spec has, of
// an RSA size no spec has, or (EC keys) not on its curve. EC points must be
// uncompressed. It never panics.
func ParsePublicKey(spki []byte) (*PublicKey, error) {
	var s subjectPublicKeyInfo
	rest, err := asn1.Unmarshal(spki, &s)
	if err != nil || len(rest) != 0 || s.PublicKey.BitLength != 8*len(s.PublicKey.Bytes) {
		return nil, ErrInvalidPublicKey
	}
	alg := s.Algorithm
	key := s.PublicKey.Bytes
	if alg.Algorithm.Equal(oidECPublicKey) {
		var curve asn1.ObjectIdentifier
		r, err := asn1.Unmarshal(alg.Parameters.FullBytes, &curve)
		if err == nil && len(r) == 0 && curve.Equal(oidSM2) {
			pub, err := parseSM2Point(key)
			if err != nil || !bytes.Equal(marshalSPKI(oidECPublicKey, oidSM2, key), spki) {
				return nil, ErrInvalidPublicKey
			}
			return &PublicKey{SpecSM2, pub}, nil
		}
		if err == nil && len(r) == 0 && curve.Equal(oidSecp256k1) {
			if len(key) != 65 || key[0] != 4 {
				return nil, ErrInvalidPublicKey
			}
			pub, err := secp256k1.ParsePubKey(key)
			if err != nil || !bytes.Equal(marshalSPKI(oidECPublicKey, oidSecp256k1, key), spki) {
				return nil, ErrInvalidPublicKey
			}
			return &PublicKey{SpecSecp256k1, pub}, nil
		}
	}
	for _, p := range pqcSpecs {
		if !alg.Algorithm.Equal(p.oid) {
			continue
		}
		if len(key) != p.keyLen || !bytes.Equal(marshalSPKI(p.oid, nil, key), spki) {
			return nil, ErrInvalidPublicKey
		}
		k, err := parsePQCKey(p.spec, key)
		if err != nil {
			return nil, ErrInvalidPublicKey
		}
		return &PublicKey{p.spec, k}, nil
	}
	k, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	switch k := k.(type) {
	case *rsa.PublicKey:
		for spec, bits := range rsaBits {
			if k.N.BitLen() == bits {
				return &PublicKey{spec, k}, nil
			}
		}
	case *ecdsa.PublicKey:
		// x509 has checked the point is on the curve.
		switch k.Curve {
		case elliptic.P256():
			return &PublicKey{SpecP256, k}, nil
		case elliptic.P384():
			return &PublicKey{SpecP384, k}, nil
		case elliptic.P521():
			return &PublicKey{SpecP521, k}, nil
		}
	case ed25519.PublicKey:
		return &PublicKey{SpecEd25519, k}, nil
	}
	return nil, ErrInvalidPublicKey
}

func parsePQCKey(spec string, key []byte) (any, error) {
	switch spec {
	case SpecMLDSA44:
		var k mldsa44.PublicKey
		return &k, k.UnmarshalBinary(key)
	case SpecMLDSA65:
		var k mldsa65.PublicKey
		return &k, k.UnmarshalBinary(key)
	case SpecMLDSA87:
		var k mldsa87.PublicKey
		return &k, k.UnmarshalBinary(key)
	case SpecMLKEM512:
		var k mlkem512.PublicKey
		return &k, k.Unpack(key)
	case SpecMLKEM768:
		return mlkem.NewEncapsulationKey768(key)
	case SpecMLKEM1024:
		return mlkem.NewEncapsulationKey1024(key)
	}
	return nil, ErrInvalidPublicKey
}

// MarshalPublicKey encodes p as DER SubjectPublicKeyInfo: the inverse of
// ParsePublicKey.
func MarshalPublicKey(p *PublicKey) ([]byte, error) {
	switch k := p.Key.(type) {
	case *ecdsa.PublicKey:
		if sm2.IsSM2PublicKey(k) {
			return marshalSM2SPKI(k), nil
		}
	case *secp256k1.PublicKey:
		return marshalSPKI(oidECPublicKey, oidSecp256k1, k.SerializeUncompressed()), nil
	case *mldsa44.PublicKey:
		return marshalSPKI(oidMLDSA44, nil, k.Bytes()), nil
	case *mldsa65.PublicKey:
		return marshalSPKI(oidMLDSA65, nil, k.Bytes()), nil
	case *mldsa87.PublicKey:
		return marshalSPKI(oidMLDSA87, nil, k.Bytes()), nil
	case *mlkem512.PublicKey:
		b := make([]byte, mlkem512.PublicKeySize)
		k.Pack(b)
		return marshalSPKI(oidMLKEM512, nil, b), nil
	case *mlkem.EncapsulationKey768:
		return marshalSPKI(oidMLKEM768, nil, k.Bytes()), nil
	case *mlkem.EncapsulationKey1024:
		return marshalSPKI(oidMLKEM1024, nil, k.Bytes()), nil
	}
	b, err := x509.MarshalPKIXPublicKey(p.Key)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	return b, nil
}

// PKCS #8 (RFC 5208 / RFC 5958 OneAsymmetricKey, version 0) for the keys
// crypto/x509 does not encode.
type pkcs8 struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
}

// ecPrivateKey is RFC 5915's ECPrivateKey; inside PKCS #8 the curve is in
// the AlgorithmIdentifier, so parameters are left out.
type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}

func marshalPKCS8(alg, param asn1.ObjectIdentifier, privateKey []byte) []byte {
	ai := algorithmIdentifier{Algorithm: alg}
	if param != nil {
		p, _ := asn1.Marshal(param)
		ai.Parameters = asn1.RawValue{FullBytes: p}
	}
	b, err := asn1.Marshal(pkcs8{0, ai, privateKey})
	if err != nil {
		panic(err) // fixed types always encode
	}
	return b
}

// marshalSecp256k1PKCS8 encodes a secp256k1 scalar as PKCS #8 holding an
// RFC 5915 ECPrivateKey with its public key, as openssl writes it.
func marshalSecp256k1PKCS8(k *secp256k1.PrivateKey) []byte {
	pub := k.PubKey().SerializeUncompressed()
	ec, err := asn1.Marshal(ecPrivateKey{1, k.Serialize(), asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	if err != nil {
		panic(err)
	}
	return marshalPKCS8(oidECPublicKey, oidSecp256k1, ec)
}

// marshalMLKEMPKCS8 encodes an ML-KEM seed d || z in RFC 9935's seed-only
// form: privateKey is ML-KEM-PrivateKey's choice seed [0] IMPLICIT OCTET
// STRING (SIZE (64)).
func marshalMLKEMPKCS8(spec string, seed []byte) []byte {
	return marshalPKCS8(pqcOID(spec), nil, append([]byte{0x80, 64}, seed...))
}

// GenerateKeyPair generates a data key pair (GenerateDataKeyPair,
// DataKeyPairSpec): the public key as DER SubjectPublicKeyInfo and the
// private key as DER PKCS #8. ECC_SECG_P256K1's private key holds an RFC
// 5915 ECPrivateKey, and so does SM2's (id-ecPublicKey with the SM2 curve
// OID, as openssl writes it); ML-KEM's holds the 64-byte seed (RFC 9935
// seed form). ML-DSA and HMAC specs are not data key pair specs and give
// ErrUnsupportedSpec.
func GenerateKeyPair(spec string) (publicSPKI, privatePKCS8 []byte, err error) {
	switch spec {
	case SpecRSA2048, SpecRSA3072, SpecRSA4096, SpecP256, SpecP384, SpecP521,
		SpecSecp256k1, SpecEd25519, SpecSM2, SpecMLKEM512, SpecMLKEM768, SpecMLKEM1024:
	default:
		return nil, nil, ErrUnsupportedSpec
	}
	material, err := GenerateKeyMaterial(spec)
	if err != nil {
		return nil, nil, err
	}
	p, err := NewKeyPrimitive(spec, material)
	if err != nil {
		return nil, nil, err
	}
	pub := p.(PublicKeyer).PublicKey()
	switch spec {
	case SpecRSA2048, SpecRSA3072, SpecRSA4096, SpecP256, SpecP384, SpecP521:
		return pub, material, nil // this material is PKCS #8 already
	}
	defer clear(material) // the caller gets the PKCS #8, not this copy
	switch spec {
	case SpecSecp256k1:
		return pub, marshalSecp256k1PKCS8(p.(*secpKey).priv), nil
	case SpecSM2:
		return pub, marshalSM2PKCS8(p.(*sm2Key)), nil
	case SpecEd25519:
		priv, err := x509.MarshalPKCS8PrivateKey(p.(*edKey).priv)
		return pub, priv, err
	}
	return pub, marshalMLKEMPKCS8(spec, material), nil
}
