package crypto

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
)

// Key specs, signing, encryption, MAC and key-agreement algorithms, as AWS
// KMS names them (API reference, CreateKey KeySpec, Sign SigningAlgorithm,
// Encrypt EncryptionAlgorithm, GenerateMac MacAlgorithm, DeriveSharedSecret
// KeyAgreementAlgorithm). The root package maps its own enum types to these
// strings one to one. SYMMETRIC_DEFAULT is served by AESGCM, not here. SM2
// (China Regions only; whether a caller may use it is the caller's rule)
// and its algorithms are in sm2.go.
const (
	SpecRSA2048   = "RSA_2048"
	SpecRSA3072   = "RSA_3072"
	SpecRSA4096   = "RSA_4096"
	SpecP256      = "ECC_NIST_P256"
	SpecP384      = "ECC_NIST_P384"
	SpecP521      = "ECC_NIST_P521"
	SpecSecp256k1 = "ECC_SECG_P256K1"
	SpecEd25519   = "ECC_NIST_EDWARDS25519"
	SpecHMAC224   = "HMAC_224"
	SpecHMAC256   = "HMAC_256"
	SpecHMAC384   = "HMAC_384"
	SpecHMAC512   = "HMAC_512"
	SpecMLDSA44   = "ML_DSA_44"
	SpecMLDSA65   = "ML_DSA_65"
	SpecMLDSA87   = "ML_DSA_87"
	SpecMLKEM512  = "ML_KEM_512"
	SpecMLKEM768  = "ML_KEM_768"
	SpecMLKEM1024 = "ML_KEM_1024"
)

// Signing algorithms (SigningAlgorithmSpec).
const (
	AlgPSSSHA256   = "RSASSA_PSS_SHA_256"
	AlgPSSSHA384   = "RSASSA_PSS_SHA_384"
	AlgPSSSHA512   = "RSASSA_PSS_SHA_512"
	AlgPKCS1SHA256 = "RSASSA_PKCS1_V1_5_SHA_256"
	AlgPKCS1SHA384 = "RSASSA_PKCS1_V1_5_SHA_384"
	AlgPKCS1SHA512 = "RSASSA_PKCS1_V1_5_SHA_512"
	AlgECDSASHA256 = "ECDSA_SHA_256"
	AlgECDSASHA384 = "ECDSA_SHA_384"
	AlgECDSASHA512 = "ECDSA_SHA_512"
	AlgEd25519     = "ED25519_SHA_512"
	AlgEd25519ph   = "ED25519_PH_SHA_512"
	AlgMLDSA       = "ML_DSA_SHAKE_256"
)

// Encryption (EncryptionAlgorithmSpec), MAC (MacAlgorithmSpec) and key
// agreement (KeyAgreementAlgorithmSpec) algorithms.
const (
	AlgOAEPSHA1   = "RSAES_OAEP_SHA_1"
	AlgOAEPSHA256 = "RSAES_OAEP_SHA_256"
	AlgHMACSHA224 = "HMAC_SHA_224"
	AlgHMACSHA256 = "HMAC_SHA_256"
	AlgHMACSHA384 = "HMAC_SHA_384"
	AlgHMACSHA512 = "HMAC_SHA_512"
	AlgECDH       = "ECDH"
)

// MessageType says what the message handed to Signer.Sign and Signer.Verify
// is (Sign API reference, MessageType).
type MessageType string

const (
	// MessageRaw is the message itself. The algorithm hashes it, except
	// ED25519_SHA_512 (PureEdDSA signs the message) and ML_DSA_SHAKE_256
	// (ML-DSA signs the message, with an empty context).
	MessageRaw MessageType = "RAW"
	// MessageDigest is the digest of the message under the algorithm's
	// hash; it is used as is, never hashed again, and must have the hash's
	// length. ED25519_PH_SHA_512 takes only this type (Ed25519ph, RFC 8032
	// 5.1, with PH(M) the given 64-byte SHA-512 digest); ED25519_SHA_512 and
	// ML_DSA_SHAKE_256 refuse it.
	MessageDigest MessageType = "DIGEST"
	// MessageExternalMu is the 64-byte message representative μ of FIPS 204
	// section 6.2 (μ = SHAKE256(SHAKE256(pk, 64) || 0 || 0 || M, 64) for the
	// empty context). Only ML_DSA_SHAKE_256 takes it.
	MessageExternalMu MessageType = "EXTERNAL_MU"
)

// Errors. The root package maps each to an AWS error code. None of them,
// and no error returned in this package's key-spec code, carries key
// material, plaintext or any other secret byte.
var (
	// ErrUnsupportedSpec: a key spec this package does not implement.
	ErrUnsupportedSpec = errors.New("crypto: unsupported key spec")
	// ErrInvalidKeyMaterial: stored key material that is malformed or not of
	// the key spec (a corrupt store, or the wrong spec passed).
	ErrInvalidKeyMaterial = errors.New("crypto: invalid key material")
	// ErrUnsupportedAlgorithm: an algorithm the key spec does not support.
	ErrUnsupportedAlgorithm = errors.New("crypto: algorithm not supported by the key spec")
	// ErrUnsupportedMessageType: a message type the algorithm does not take.
	ErrUnsupportedMessageType = errors.New("crypto: message type not supported by the signing algorithm")
	// ErrInvalidDigestLength: a DIGEST or EXTERNAL_MU message whose length
	// is not the algorithm's digest length (64 for EXTERNAL_MU).
	ErrInvalidDigestLength = errors.New("crypto: message digest length does not match the signing algorithm")
	// ErrInvalidSignature: a signature that does not verify, including one
	// that is malformed or of the wrong length.
	ErrInvalidSignature = errors.New("crypto: invalid signature")
	// ErrInvalidMAC: a MAC that does not verify.
	ErrInvalidMAC = errors.New("crypto: invalid MAC")
	// ErrPlaintextTooLarge: more plaintext than the RSA OAEP or SM2PKE
	// algorithm can encrypt with the key (MaxPlaintext).
	ErrPlaintextTooLarge = errors.New("crypto: plaintext too large for the encryption algorithm and key")
	// ErrNotApproved: an algorithm the process may not use because it
	// runs in FIPS 140-3 only mode (GODEBUG=fips140=only), e.g.
	// RSAES_OAEP_SHA_1, whose SHA-1 Go refuses there.
	ErrNotApproved = errors.New("crypto: algorithm not allowed in FIPS 140-3 only mode")
	// ErrInvalidCiphertext: an RSA, SM2PKE or ML-KEM ciphertext that is malformed
	// or fails to decrypt. It never says why.
	ErrInvalidCiphertext = errors.New("crypto: invalid ciphertext")
	// ErrInvalidPublicKey: a public key (SPKI DER) that is malformed, of an
	// unknown algorithm, of the wrong curve for the operation, or whose
	// point is not on its curve.
	ErrInvalidPublicKey = errors.New("crypto: invalid public key")
)

// KeyPrimitive is what NewKeyPrimitive returns: the key of one spec, built
// once from its material. A KeyPrimitive implements exactly the interfaces
// below that its spec supports (AWS Developer Guide, "Key spec reference"):
//
//	spec                      Signer  Decrypter  Agreement  MAC  KEM
//	RSA_2048/3072/4096          x        x
//	ECC_NIST_P256/P384/P521     x                   x
//	ECC_SECG_P256K1             x
//	SM2                         x        x          x
//	ECC_NIST_EDWARDS25519       x
//	ML_DSA_44/65/87             x
//	HMAC_224/256/384/512                                        x
//	ML_KEM_512/768/1024                                              x
//
// Every asymmetric one also implements PublicKeyer. Which of its
// interfaces a key may be used through (its KeyUsage) is for the caller to
// enforce. Every KeyPrimitive is immutable and safe for concurrent use.
type KeyPrimitive interface {
	// Spec returns the key spec the primitive was built for.
	Spec() string
}

// PublicKeyer is implemented by asymmetric keys.
type PublicKeyer interface {
	// PublicKey returns the public key as DER SubjectPublicKeyInfo (RFC
	// 5280), the form GetPublicKey returns. The caller must not modify it.
	PublicKey() []byte
}

// Signer signs and verifies with an asymmetric key.
type Signer interface {
	KeyPrimitive
	PublicKeyer
	// SigningAlgorithms lists the algorithms the key signs with, in the
	// order DescribeKey reports them.
	SigningAlgorithms() []string
	// Sign signs message, which is the message itself, its digest or μ as
	// mt says. It returns ErrUnsupportedAlgorithm, ErrUnsupportedMessageType
	// or ErrInvalidDigestLength for a request the algorithm refuses. The
	// signature has the encoding AWS returns: DER ECDSA-Sig-Value for
	// ECDSA and SM2DSA, the RFC 8017 octet string for RSA, 64 bytes for Ed25519, the
	// FIPS 204 encoding for ML-DSA.
	Sign(alg string, message []byte, mt MessageType) ([]byte, error)
	// Verify returns nil if sig is a valid signature of message under alg,
	// ErrInvalidSignature if not (whatever is wrong with sig), and the
	// errors of Sign for a request the algorithm refuses.
	Verify(alg string, message []byte, mt MessageType, sig []byte) error
}

// Decrypter encrypts with the public key and decrypts with the private key
// of an RSA key, with RSAES-OAEP (RFC 8017 7.1): the MGF1 hash is the OAEP
// hash and the label is empty; or of an SM2 key, with SM2PKE (sm2.go).
type Decrypter interface {
	KeyPrimitive
	PublicKeyer
	// EncryptionAlgorithms lists RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256
	// for RSA, SM2PKE for SM2.
	EncryptionAlgorithms() []string
	// MaxPlaintext returns the largest plaintext alg encrypts with this key:
	// k - 2·hLen - 2 bytes for a k-byte RSA modulus, SM2MaxPlaintext (1024,
	// AWS's limit) for SM2PKE.
	MaxPlaintext(alg string) (int, error)
	// Encrypt returns ErrPlaintextTooLarge past MaxPlaintext.
	Encrypt(alg string, plaintext []byte) ([]byte, error)
	// Decrypt returns ErrInvalidCiphertext for any ciphertext that does not
	// decrypt, without saying why.
	Decrypt(alg string, ciphertext []byte) ([]byte, error)
}

// Agreement derives ECDH shared secrets with a NIST-curve or SM2 key.
type Agreement interface {
	KeyPrimitive
	PublicKeyer
	// DeriveSharedSecret returns the raw ECDH shared secret (the
	// x-coordinate of the shared point, as long as a field element) with the
	// peer's public key, given as DER SubjectPublicKeyInfo. A peer key that
	// is malformed, on another curve or not on the curve gives
	// ErrInvalidPublicKey; alg must be ECDH.
	DeriveSharedSecret(alg string, peerSPKI []byte) ([]byte, error)
}

// MAC generates and verifies HMACs.
type MAC interface {
	KeyPrimitive
	// MACAlgorithm returns the one algorithm the key spec supports.
	MACAlgorithm() string
	// Generate returns HMAC(key, message).
	Generate(alg string, message []byte) ([]byte, error)
	// Verify returns nil if mac equals HMAC(key, message), compared in
	// constant time, and ErrInvalidMAC if not.
	Verify(alg string, message, mac []byte) error
}

// KEM is an ML-KEM key (FIPS 203).
type KEM interface {
	KeyPrimitive
	PublicKeyer
	// Encapsulate returns a fresh 32-byte shared secret and its ciphertext
	// under the key's encapsulation key.
	Encapsulate() (sharedSecret, ciphertext []byte, err error)
	// Decapsulate returns the shared secret of ciphertext. A ciphertext of
	// the wrong length gives ErrInvalidCiphertext; a well-formed but altered
	// one gives a different, unrelated secret (implicit rejection, FIPS 203).
	Decapsulate(ciphertext []byte) ([]byte, error)
}

// GenerateKeyMaterial returns fresh secret key material for spec: the form
// that is wrapped and stored, and that NewKeyPrimitive takes back.
//
//	RSA_*                    PKCS #8 DER PrivateKeyInfo (RFC 5208)
//	ECC_NIST_P256/P384/P521  PKCS #8 DER of the RFC 5915 ECPrivateKey
//	ECC_SECG_P256K1          the 32-byte big-endian scalar
//	SM2                      the 32-byte big-endian scalar, in [1, n-2]
//	ECC_NIST_EDWARDS25519    the 32-byte RFC 8032 private key (seed)
//	ML_DSA_44/65/87          the 32-byte FIPS 204 seed ξ
//	ML_KEM_512/768/1024      the 64-byte FIPS 203 seed d || z
//	HMAC_224/256/384/512     28, 32, 48 or 64 random bytes
//
// It holds no lock; RSA_4096 takes a while (about a second).
func GenerateKeyMaterial(spec string) ([]byte, error) {
	f, ok := families[spec]
	if !ok {
		return nil, ErrUnsupportedSpec
	}
	return f.generate(spec)
}

// NewKeyPrimitive builds the primitive of spec from material returned by
// GenerateKeyMaterial. Material that does not parse, or is not of spec,
// gives ErrInvalidKeyMaterial.
func NewKeyPrimitive(spec string, material []byte) (KeyPrimitive, error) {
	f, ok := families[spec]
	if !ok {
		return nil, ErrUnsupportedSpec
	}
	return f.build(spec, material)
}

// family is how one group of key specs generates and loads material: the
// one place each kind of primitive is built.
type family struct {
	generate func(spec string) ([]byte, error)
	build    func(spec string, material []byte) (KeyPrimitive, error)
}

var families = map[string]family{
	SpecRSA2048:   {generateRSA, newRSA},
	SpecRSA3072:   {generateRSA, newRSA},
	SpecRSA4096:   {generateRSA, newRSA},
	SpecP256:      {generateNIST, newNIST},
	SpecP384:      {generateNIST, newNIST},
	SpecP521:      {generateNIST, newNIST},
	SpecSecp256k1: {generateSecp256k1, newSecp256k1},
	SpecEd25519:   {generateEd25519, newEd25519},
	SpecSM2:       {generateSM2, newSM2},
	SpecHMAC224:   {generateHMAC, newHMAC},
	SpecHMAC256:   {generateHMAC, newHMAC},
	SpecHMAC384:   {generateHMAC, newHMAC},
	SpecHMAC512:   {generateHMAC, newHMAC},
	SpecMLDSA44:   {generateMLDSA, newMLDSA},
	SpecMLDSA65:   {generateMLDSA, newMLDSA},
	SpecMLDSA87:   {generateMLDSA, newMLDSA},
	SpecMLKEM512:  {generateMLKEM, newMLKEM},
	SpecMLKEM768:  {generateMLKEM, newMLKEM},
	SpecMLKEM1024: {generateMLKEM, newMLKEM},
}

// Specs returns every key spec this package implements.
func Specs() []string {
	return []string{
		SpecRSA2048, SpecRSA3072, SpecRSA4096, SpecP256, SpecP384, SpecP521,
		SpecSecp256k1, SpecEd25519, SpecSM2, SpecHMAC224, SpecHMAC256, SpecHMAC384,
		SpecHMAC512, SpecMLDSA44, SpecMLDSA65, SpecMLDSA87, SpecMLKEM512,
		SpecMLKEM768, SpecMLKEM1024,
	}
}

// checkDigest returns ErrInvalidDigestLength unless len(d) == n.
func checkDigest(d []byte, n int) error {
	if len(d) != n {
		return ErrInvalidDigestLength
	}
	return nil
}

// parsePKCS8 parses PKCS #8 DER with nothing after it.
func parsePKCS8(material []byte) (any, error) {
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(material, &v); err != nil || len(rest) != 0 {
		return nil, ErrInvalidKeyMaterial
	}
	k, err := x509.ParsePKCS8PrivateKey(material)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return k, nil
}
