package crypto

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"hash"
)

// Importing key material (AWS Developer Guide, "Importing key material";
// GetParametersForImport and ImportKeyMaterial API references). The caller
// gets a wrapping key pair from GenerateWrappingKey, hands its public key
// out with GetParametersForImport, and recovers the material that
// ImportKeyMaterial receives with UnwrapKeyMaterial, then checks it with
// ImportedKeyMaterial.
//
// Wrapping algorithms (GetParametersForImport, WrappingAlgorithm; Developer
// Guide, "Download the wrapping public key and import token"):
//
//	RSAES_OAEP_SHA_1/256       RSA-OAEP of the material, MGF1 with the
//	                           OAEP hash, empty label
//	RSA_AES_KEY_WRAP_SHA_1/256 RSA-OAEP (as above) of an ephemeral 256-bit
//	                           AES key, followed by the material wrapped
//	                           under that key with AES Key Wrap with
//	                           Padding (RFC 5649, kwp.go); the RSA part is
//	                           as long as the modulus (PKCS #11
//	                           CKM_RSA_AES_KEY_WRAP)
//	SM2PKE                     SM2 encryption of the material, the ASN.1
//	                           C1C3C2 ciphertext (China Regions only;
//	                           sm2.go)
//
// RSAES_PKCS1_V1_5, which AWS no longer offers, is not implemented.

// Wrapping algorithms (AlgorithmSpec) and wrapping key specs
// (WrappingKeySpec) of GetParametersForImport, besides RSAES_OAEP_SHA_1/256
// (AlgOAEPSHA1, AlgOAEPSHA256) and SM2PKE (AlgSM2PKE), and the RSA_* and
// SM2 key specs.
const (
	AlgRSAAESKeyWrapSHA1   = "RSA_AES_KEY_WRAP_SHA_1"
	AlgRSAAESKeyWrapSHA256 = "RSA_AES_KEY_WRAP_SHA_256"
)

// ErrInvalidWrappedMaterial: wrapped key material that does not unwrap
// with the wrapping key and algorithm, whatever the reason (malformed,
// truncated, altered, wrapped under another key or algorithm, or a
// wrapping key or algorithm that is not one). It never says why.
var ErrInvalidWrappedMaterial = errors.New("crypto: wrapped key material does not unwrap")

// ErrInvalidImportedMaterial: unwrapped key material that is not of the
// form AWS accepts for the key spec, or is a key of another spec.
var ErrInvalidImportedMaterial = errors.New("crypto: imported key material is not valid for the key spec")

// rsaAESKeyWrapKeySize is the length of the ephemeral AES key of
// RSA_AES_KEY_WRAP_SHA_*: AWS's procedure generates "a 256-bit AES
// symmetric key" (Developer Guide, "Encrypt the key material").
const rsaAESKeyWrapKeySize = 32

// GenerateWrappingKey returns a new wrapping key pair of spec ("RSA_2048",
// "RSA_3072", "RSA_4096", "SM2"): the private key as PKCS#8 DER and the
// public key as DER SubjectPublicKeyInfo (what GetParametersForImport's
// PublicKey carries). Any other spec gives ErrUnsupportedSpec.
func GenerateWrappingKey(spec string) (privPKCS8, pubSPKI []byte, err error) {
	switch spec {
	case SpecRSA2048, SpecRSA3072, SpecRSA4096, SpecSM2:
	default:
		return nil, nil, ErrUnsupportedSpec
	}
	pub, priv, err := GenerateKeyPair(spec)
	if err != nil {
		return nil, nil, err
	}
	return priv, pub, nil
}

// UnwrapKeyMaterial undoes AWS's wrapping algorithm alg
// ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1",
// "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE") with the private key, PKCS#8 DER
// as GenerateWrappingKey returns it. Any failure is
// ErrInvalidWrappedMaterial (no detail), including an algorithm the
// wrapping key does not support (an RSA algorithm with an SM2 key and the
// reverse) and, under GODEBUG=fips140=only, the SHA-1 algorithms.
func UnwrapKeyMaterial(alg string, privPKCS8, wrapped []byte) ([]byte, error) {
	out, err := unwrap(alg, privPKCS8, wrapped)
	if err != nil || len(out) == 0 {
		return nil, ErrInvalidWrappedMaterial
	}
	return out, nil
}

func unwrap(alg string, privPKCS8, wrapped []byte) ([]byte, error) {
	switch alg {
	case AlgSM2PKE:
		d, err := parseECPKCS8(privPKCS8, oidSM2)
		if err != nil {
			return nil, err
		}
		defer clear(d)
		k, err := newSM2(SpecSM2, d)
		if err != nil {
			return nil, err
		}
		return k.(*sm2Key).Decrypt(AlgSM2PKE, wrapped)
	case AlgOAEPSHA1, AlgOAEPSHA256, AlgRSAAESKeyWrapSHA1, AlgRSAAESKeyWrapSHA256:
	default:
		return nil, ErrUnsupportedAlgorithm
	}
	k, err := parsePKCS8(privPKCS8)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, ErrInvalidKeyMaterial
	}
	h, err := wrapHash(alg)
	if err != nil {
		return nil, err
	}
	if alg == AlgOAEPSHA1 || alg == AlgOAEPSHA256 {
		return rsa.DecryptOAEP(h, nil, priv, wrapped, nil)
	}
	if len(wrapped) <= priv.Size() {
		return nil, ErrInvalidCiphertext
	}
	kek, err := rsa.DecryptOAEP(h, nil, priv, wrapped[:priv.Size()], nil)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	if len(kek) != rsaAESKeyWrapKeySize {
		return nil, ErrInvalidCiphertext
	}
	return kwpUnwrap(kek, wrapped[priv.Size():])
}

// wrapHash returns the OAEP (and MGF1) hash of an RSA wrapping algorithm;
// SHA-1 is refused under GODEBUG=fips140=only, as in oaepHash.
func wrapHash(alg string) (hash.Hash, error) {
	switch alg {
	case AlgOAEPSHA1, AlgRSAAESKeyWrapSHA1:
		return oaepHash(AlgOAEPSHA1)
	case AlgOAEPSHA256, AlgRSAAESKeyWrapSHA256:
		return sha256.New(), nil
	}
	return nil, ErrUnsupportedAlgorithm
}

// parseECPKCS8 parses PKCS #8 DER (nothing after it) holding an RFC 5915
// ECPrivateKey on the named curve (id-ecPublicKey with curve as parameter,
// as openssl writes SM2 and secp256k1 keys) and returns the private key
// octets, 32 bytes for both curves this is used with. It checks neither
// the scalar's range nor the optional public key: the callers do.
func parseECPKCS8(der []byte, curve asn1.ObjectIdentifier) ([]byte, error) {
	var p pkcs8
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 || p.Version != 0 ||
		!p.Algorithm.Algorithm.Equal(oidECPublicKey) {
		return nil, ErrInvalidKeyMaterial
	}
	var param asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(p.Algorithm.Parameters.FullBytes, &param); err != nil || len(rest) != 0 || !param.Equal(curve) {
		return nil, ErrInvalidKeyMaterial
	}
	var ec ecPrivateKeyFull
	if rest, err := asn1.Unmarshal(p.PrivateKey, &ec); err != nil || len(rest) != 0 || ec.Version != 1 || len(ec.PrivateKey) != 32 {
		return nil, ErrInvalidKeyMaterial
	}
	if len(ec.Parameters.FullBytes) != 0 {
		var inner asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(ec.Parameters.FullBytes, &inner); err != nil || len(rest) != 0 || !inner.Equal(curve) {
			return nil, ErrInvalidKeyMaterial
		}
	}
	return ec.PrivateKey, nil
}

// ecPrivateKeyFull is RFC 5915's ECPrivateKey with its optional
// parameters, which some encoders repeat inside PKCS #8.
type ecPrivateKeyFull struct {
	Version    int
	PrivateKey []byte
	Parameters asn1.RawValue  `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}
