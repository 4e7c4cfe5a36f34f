package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"hash"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/emmansun/gmsm/sm2"
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
// RSA_AES_KEY_WRAP_SHA_*: an AES-256 key, the one size unwrapped (PKCS #11
// CKM_RSA_AES_KEY_WRAP also allows 128 and 192 bits; that AWS KMS refuses
// them is assumed, not documented in the pages available here).
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

// SpecSymmetricDefault is the symmetric encryption key spec, which
// AESGCM serves; ImportedKeyMaterial checks its material too.
const SpecSymmetricDefault = "SYMMETRIC_DEFAULT"

// symmetricImportSize is the length of imported SYMMETRIC_DEFAULT
// material: a 256-bit AES key (Developer Guide, "Step 3: Encrypt the key
// material": "openssl rand -out PlaintextKeyMaterial.bin 32"; the 128-bit
// keys of China Regions there are not offered).
const symmetricImportSize = 32

// hmacImportSizes are the lengths, in bytes, of imported HMAC material
// each HMAC spec accepts: from the hash's output length to its block
// size. These are the ranges of LocalStack's KMS provider
// (HMAC_RANGE_KEY_LENGTHS); its AWS-validated test imports the lower
// bounds (test_import_key_hmac_keys). The upper bounds are not checked
// against an AWS page.
var hmacImportSizes = map[string][2]int{
	SpecHMAC224: {28, 64},
	SpecHMAC256: {32, 64},
	SpecHMAC384: {48, 128},
	SpecHMAC512: {64, 128},
}

// ImportedKeyMaterial checks material imported for keySpec and returns it
// in the internal form GenerateKeyMaterial uses, so that
// NewKeyPrimitive(keySpec, out) works; SYMMETRIC_DEFAULT material is
// returned as is. The forms accepted:
//
//	SYMMETRIC_DEFAULT        exactly 32 bytes
//	HMAC_224/256             28..64, 32..64 bytes
//	HMAC_384/512             48..128, 64..128 bytes
//	RSA_*                    PKCS #8 DER (RFC 5208/5958) of an RSA key
//	                         with a modulus of exactly the spec's size
//	ECC_NIST_P256/P384/P521  PKCS #8 DER of an RFC 5915 ECPrivateKey on
//	ECC_SECG_P256K1, SM2     the spec's curve (id-ecPublicKey with the
//	                         named curve), its public key, if present,
//	                         matching the private key
//	ECC_NIST_EDWARDS25519    PKCS #8 DER of an RFC 8410 Ed25519 key
//	ML_DSA_44/65/87          PKCS #8 DER with the seed (RFC 9881 seed
//	                         form, or both with a matching expanded key)
//	ML_KEM_512/768/1024      PKCS #8 DER with the 64-byte seed (RFC 9935
//	                         seed form)
//
// Only the private key is imported: "For asymmetric key pairs, encrypt and
// import only the private key. AWS KMS derives the public key from the
// private key" (Developer Guide, "Step 3: Encrypt the key material"). The
// result is the same bytes for the same key, whatever optional fields or
// encodings the PKCS #8 carried. Anything else, including a key of
// another spec (a P-384 key for ECC_NIST_P256, an RSA-2048 key for
// RSA_3072), gives ErrInvalidImportedMaterial; an unknown spec
// ErrUnsupportedSpec.
func ImportedKeyMaterial(keySpec string, raw []byte) ([]byte, error) {
	var out []byte
	var err error
	switch keySpec {
	case SpecSymmetricDefault:
		if len(raw) != symmetricImportSize {
			return nil, ErrInvalidImportedMaterial
		}
		return append([]byte(nil), raw...), nil
	case SpecHMAC224, SpecHMAC256, SpecHMAC384, SpecHMAC512:
		r := hmacImportSizes[keySpec]
		if len(raw) < r[0] || len(raw) > r[1] {
			return nil, ErrInvalidImportedMaterial
		}
		out = append([]byte(nil), raw...)
	case SpecRSA2048, SpecRSA3072, SpecRSA4096:
		out, err = importRSA(keySpec, raw)
	case SpecP256, SpecP384, SpecP521:
		out, err = importNIST(keySpec, raw)
	case SpecSecp256k1:
		out, err = importScalarEC(raw, oidSecp256k1, 32, func(d []byte) ([]byte, bool) {
			k, ok := parseSecpScalar(d)
			if !ok {
				return nil, false
			}
			return k.PubKey().SerializeUncompressed(), true
		})
	case SpecSM2:
		out, err = importScalarEC(raw, oidSM2, 32, func(d []byte) ([]byte, bool) {
			k, err := sm2.NewPrivateKey(d) // refuses d outside [1, n-2]
			if err != nil {
				return nil, false
			}
			return sm2Point(&k.PublicKey), true
		})
	case SpecEd25519:
		out, err = importEd25519(raw)
	case SpecMLDSA44, SpecMLDSA65, SpecMLDSA87:
		out, err = importMLDSA(keySpec, raw)
	case SpecMLKEM512, SpecMLKEM768, SpecMLKEM1024:
		out, err = importMLKEM(keySpec, raw)
	default:
		return nil, ErrUnsupportedSpec
	}
	if err != nil {
		return nil, ErrInvalidImportedMaterial
	}
	// The material must build the primitive it is imported for.
	if _, err := NewKeyPrimitive(keySpec, out); err != nil {
		clear(out)
		return nil, ErrInvalidImportedMaterial
	}
	return out, nil
}

// oneAsymmetricKey is PKCS #8's PrivateKeyInfo (version 0) or RFC 5958's
// OneAsymmetricKey (version 1, which may carry the public key).
type oneAsymmetricKey struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue  `asn1:"optional,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,tag:1"`
}

// parseOneAsymmetricKey parses PKCS #8 DER with nothing after it, of
// version 0 (no public key) or 1.
func parseOneAsymmetricKey(der []byte) (*oneAsymmetricKey, error) {
	var k oneAsymmetricKey
	if rest, err := asn1.Unmarshal(der, &k); err != nil || len(rest) != 0 {
		return nil, ErrInvalidKeyMaterial
	}
	if k.Version != 0 && k.Version != 1 || k.Version == 0 && k.PublicKey.BitLength != 0 {
		return nil, ErrInvalidKeyMaterial
	}
	return &k, nil
}

func importRSA(spec string, raw []byte) ([]byte, error) {
	k, err := parsePKCS8(raw)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(*rsa.PrivateKey)
	if !ok || priv.N.BitLen() != rsaBits[spec] {
		return nil, ErrInvalidKeyMaterial
	}
	if err := priv.Validate(); err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return x509.MarshalPKCS8PrivateKey(priv)
}

func importNIST(spec string, raw []byte) ([]byte, error) {
	size := (nistCurves[spec].curve.Params().N.BitLen() + 7) / 8
	d, err := importScalarEC(raw, nistCurveOID[spec], size, func(d []byte) ([]byte, bool) {
		k, err := ecdsa.ParseRawPrivateKey(nistCurves[spec].curve, d)
		if err != nil {
			return nil, false
		}
		pub, err := k.PublicKey.Bytes()
		return pub, err == nil
	})
	if err != nil {
		return nil, err
	}
	defer clear(d)
	priv, err := ecdsa.ParseRawPrivateKey(nistCurves[spec].curve, d)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return x509.MarshalPKCS8PrivateKey(priv)
}

// nistCurveOID names the NIST curves in an id-ecPublicKey
// AlgorithmIdentifier (RFC 5480 2.1.1.1).
var nistCurveOID = map[string]asn1.ObjectIdentifier{
	SpecP256: {1, 2, 840, 10045, 3, 1, 7},
	SpecP384: {1, 3, 132, 0, 34},
	SpecP521: {1, 3, 132, 0, 35},
}

// importScalarEC parses PKCS #8 of an RFC 5915 ECPrivateKey on curve and
// returns its private key, size bytes big-endian (a shorter encoding, with
// leading zeros left out, is padded back). pub returns the uncompressed
// public point of a private key, false for one out of range; a public key
// in the ECPrivateKey or the OneAsymmetricKey must equal it.
func importScalarEC(raw []byte, curve asn1.ObjectIdentifier, size int, pub func(d []byte) ([]byte, bool)) ([]byte, error) {
	k, err := parseOneAsymmetricKey(raw)
	if err != nil {
		return nil, err
	}
	var param asn1.ObjectIdentifier
	if !k.Algorithm.Algorithm.Equal(oidECPublicKey) {
		return nil, ErrInvalidKeyMaterial
	}
	if rest, err := asn1.Unmarshal(k.Algorithm.Parameters.FullBytes, &param); err != nil || len(rest) != 0 || !param.Equal(curve) {
		return nil, ErrInvalidKeyMaterial
	}
	var ec ecPrivateKeyFull
	if rest, err := asn1.Unmarshal(k.PrivateKey, &ec); err != nil || len(rest) != 0 || ec.Version != 1 {
		return nil, ErrInvalidKeyMaterial
	}
	if len(ec.Parameters.FullBytes) != 0 {
		var inner asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(ec.Parameters.FullBytes, &inner); err != nil || len(rest) != 0 || !inner.Equal(curve) {
			return nil, ErrInvalidKeyMaterial
		}
	}
	if len(ec.PrivateKey) == 0 || len(ec.PrivateKey) > size {
		return nil, ErrInvalidKeyMaterial
	}
	d := make([]byte, size)
	copy(d[size-len(ec.PrivateKey):], ec.PrivateKey)
	want, ok := pub(d)
	if !ok {
		clear(d)
		return nil, ErrInvalidKeyMaterial
	}
	for _, p := range []asn1.BitString{ec.PublicKey, k.PublicKey} {
		if p.BitLength != 0 && (p.BitLength != 8*len(p.Bytes) || !bytes.Equal(p.Bytes, want)) {
			clear(d)
			return nil, ErrInvalidKeyMaterial
		}
	}
	return d, nil
}

func importEd25519(raw []byte) ([]byte, error) {
	k, err := parseOneAsymmetricKey(raw)
	if err != nil {
		return nil, err
	}
	// RFC 8410 section 7: id-Ed25519 with absent parameters, and the
	// 32-byte private key as a CurvePrivateKey OCTET STRING.
	var seed []byte
	if !k.Algorithm.Algorithm.Equal(oidEd25519) || len(k.Algorithm.Parameters.FullBytes) != 0 {
		return nil, ErrInvalidKeyMaterial
	}
	if rest, err := asn1.Unmarshal(k.PrivateKey, &seed); err != nil || len(rest) != 0 || len(seed) != ed25519.SeedSize {
		return nil, ErrInvalidKeyMaterial
	}
	if k.PublicKey.BitLength != 0 {
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		if k.PublicKey.BitLength != 8*len(k.PublicKey.Bytes) || !bytes.Equal(k.PublicKey.Bytes, pub) {
			return nil, ErrInvalidKeyMaterial
		}
	}
	return seed, nil
}

// oidEd25519 is id-Ed25519 (RFC 8410 section 3).
var oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}

// importMLDSA takes RFC 9881's ML-DSA-xx-PrivateKey: the CHOICE seed [0]
// IMPLICIT OCTET STRING (SIZE (32)), or both SEQUENCE { seed OCTET STRING
// (SIZE (32)), expandedKey OCTET STRING } with expandedKey the key the
// seed expands to. The expandedKey form alone is refused: the material
// stored is the seed, which it does not give back.
func importMLDSA(spec string, raw []byte) ([]byte, error) {
	k, err := parseOneAsymmetricKey(raw)
	if err != nil {
		return nil, err
	}
	if !k.Algorithm.Algorithm.Equal(pqcOID(spec)) || len(k.Algorithm.Parameters.FullBytes) != 0 {
		return nil, ErrInvalidKeyMaterial
	}
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(k.PrivateKey, &v); err != nil || len(rest) != 0 {
		return nil, ErrInvalidKeyMaterial
	}
	var seed []byte
	switch {
	case v.Class == asn1.ClassContextSpecific && v.Tag == 0 && !v.IsCompound:
		seed = v.Bytes
	case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence && v.IsCompound:
		var both struct{ Seed, ExpandedKey []byte }
		if rest, err := asn1.Unmarshal(v.FullBytes, &both); err != nil || len(rest) != 0 || len(both.Seed) != mldsaSeedSize {
			return nil, ErrInvalidKeyMaterial
		}
		if subtle.ConstantTimeCompare(mldsaExpandedKey(spec, both.Seed), both.ExpandedKey) != 1 {
			return nil, ErrInvalidKeyMaterial
		}
		seed = both.Seed
	default:
		return nil, ErrInvalidKeyMaterial
	}
	if len(seed) != mldsaSeedSize {
		return nil, ErrInvalidKeyMaterial
	}
	if k.PublicKey.BitLength != 0 {
		pub, _, _ := mldsaParams[spec].newKey((*[32]byte)(seed))
		if k.PublicKey.BitLength != 8*len(k.PublicKey.Bytes) || !bytes.Equal(k.PublicKey.Bytes, pub) {
			return nil, ErrInvalidKeyMaterial
		}
	}
	return append([]byte(nil), seed...), nil
}

// mldsaExpandedKey returns the FIPS 204 encoding of the private key that
// seed expands to (ML-DSA.KeyGen_internal, skEncode).
func mldsaExpandedKey(spec string, seed []byte) []byte {
	s := (*[32]byte)(seed)
	switch spec {
	case SpecMLDSA44:
		_, sk := mldsa44.NewKeyFromSeed(s)
		return sk.Bytes()
	case SpecMLDSA65:
		_, sk := mldsa65.NewKeyFromSeed(s)
		return sk.Bytes()
	default:
		_, sk := mldsa87.NewKeyFromSeed(s)
		return sk.Bytes()
	}
}

// importMLKEM takes RFC 9935's seed form, the one GenerateKeyPair writes:
// privateKey is seed [0] IMPLICIT OCTET STRING (SIZE (64)).
func importMLKEM(spec string, raw []byte) ([]byte, error) {
	k, err := parseOneAsymmetricKey(raw)
	if err != nil {
		return nil, err
	}
	if !k.Algorithm.Algorithm.Equal(pqcOID(spec)) || len(k.Algorithm.Parameters.FullBytes) != 0 || k.PublicKey.BitLength != 0 {
		return nil, ErrInvalidKeyMaterial
	}
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(k.PrivateKey, &v); err != nil || len(rest) != 0 ||
		v.Class != asn1.ClassContextSpecific || v.Tag != 0 || v.IsCompound || len(v.Bytes) != mlkemSeedSize {
		return nil, ErrInvalidKeyMaterial
	}
	return append([]byte(nil), v.Bytes...), nil
}
