package crypto

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"math/big"

	"github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
)

// SM2 (China Regions only): the elliptic curve of the GM/T series of
// OSCCA, China's Office of State Commercial Cryptography Administration
// (GB/T 32918.1-5, the recommended curve of part 5). AWS KMS offers it for
// SIGN_VERIFY (SM2DSA), ENCRYPT_DECRYPT (SM2PKE) and KEY_AGREEMENT (ECDH)
// (Developer Guide, "Key spec reference", SM2 key spec). The curve
// arithmetic, SM3 and the SM2 schemes are github.com/emmansun/gmsm's: the
// standard library, x/crypto and circl have no SM2 or SM3.
//
// SM2DSA (GB/T 32918.2): with MessageType RAW the signed value is
// e = SM3(Z_A || M), where Z_A = SM3(ENTL_A || ID_A || a || b || x_G ||
// y_G || x_A || y_A) binds the signer's public key and the distinguishing
// ID. AWS uses one fixed ID: "When you pass a raw message, MessageType:RAW,
// to the Sign API, AWS KMS uses the default distinguishing ID,
// 1234567812345678, defined by OSCCA in GM/T 0009-2012. You cannot specify
// your own distinguishing ID within AWS KMS." With MessageType DIGEST the
// 32-byte message is e itself, signed as is: "if you are generating a
// message digest outside of AWS, you can specify your own distinguishing
// ID, then pass the message digest, MessageType:DIGEST, to AWS KMS to sign
// ... After AWS KMS signs the message digest, you need either the message
// digest or the message and the distinguishing ID used to compute the
// digest to verify it offline." (Developer Guide, "Offline verification
// with SM2 key pairs"; the digest there is its helper's calculateSM2Digest,
// SM3(Z_A || M)), and "When the value is DIGEST, KMS skips the hashing step
// in the signing algorithm" (Sign API reference, MessageType). Signatures
// are DER SEQUENCE { r INTEGER, s INTEGER }, as ECDSA's.
//
// SM2PKE (GB/T 32918.4): the ciphertext is the ASN.1 DER encoding of GM/T
// 0009 (GB/T 35276): SEQUENCE { XCoordinate INTEGER, YCoordinate INTEGER,
// HASH OCTET STRING (C3, 32 bytes), CipherText OCTET STRING (C2) }, the
// C1C3C2 order. AWS documents this form: its SM2OfflineOperationHelper
// "encrypts the plaintext, and then converts the raw ciphertext produced by
// SM2PKE to the ASN.1 format", building exactly that sequence, and
// "ensures the ciphertext is in a format AWS KMS can decrypt" (Developer
// Guide, "SM2OfflineOperationHelper class"). The plaintext limit is AWS's:
// "SM2PKE: 1024 bytes (China Regions only)" (Encrypt API reference).
//
// ECDH: the plain elliptic curve Diffie-Hellman primitive on the SM2 curve,
// as for the NIST curves: the x-coordinate of d·Q, 32 bytes. It is not the
// SM2 key exchange protocol of GB/T 32918.3.
//
// SM2 does not run under GODEBUG=fips140=only: gmsm's SM3-based HMAC
// (the hedged signing nonce) is not a FIPS 140-3 module.

// SpecSM2 is the SM2 key spec; AlgSM2DSA and AlgSM2PKE its signing and
// encryption algorithms.
const (
	SpecSM2   = "SM2"
	AlgSM2DSA = "SM2DSA"
	AlgSM2PKE = "SM2PKE"
)

// SM2MaxPlaintext is the most plaintext SM2PKE encrypts: AWS KMS's limit,
// not the algorithm's.
const SM2MaxPlaintext = 1024

// SM2DefaultID is the distinguishing ID AWS KMS uses in Z_A for every
// SM2DSA signature it computes from a RAW message (GM/T 0009-2012's
// default).
const SM2DefaultID = "1234567812345678"

// ErrEmptyPlaintext: SM2PKE of an empty plaintext, which GB/T 32918.4 does
// not define (AWS KMS's Encrypt requires at least one byte).
var ErrEmptyPlaintext = errors.New("crypto: empty plaintext")

// oidSM2 is the SM2 recommended curve, sm2p256v1 (GM/T 0006-2012:
// 1.2.156.10197.1.301), the named-curve parameter of an id-ecPublicKey SPKI
// or PKCS #8 key, as openssl writes them.
var oidSM2 = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}

var errSM2Scalar = errors.New("crypto: SM2 scalar out of range")

// generateSM2 returns a fresh private scalar d in [1, n-2] (GB/T 32918.1
// 6.1), 32 bytes big-endian: the stored material.
func generateSM2(string) ([]byte, error) {
	k, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	d := k.D.FillBytes(make([]byte, 32))
	if _, err := sm2.NewPrivateKey(d); err != nil {
		return nil, errSM2Scalar // never: GenerateKey's own range
	}
	return d, nil
}

// sm2Key is an SM2 key: a Signer (SM2DSA), a Decrypter (SM2PKE) and an
// Agreement (ECDH).
type sm2Key struct {
	priv *sm2.PrivateKey
	pub  *ecdsa.PublicKey
	dh   *ecdh.PrivateKey
	za   []byte // Z_A with SM2DefaultID, computed once
	spki []byte
}

func newSM2(_ string, material []byte) (KeyPrimitive, error) {
	if len(material) != 32 {
		return nil, ErrInvalidKeyMaterial
	}
	priv, err := sm2.NewPrivateKey(material) // refuses d outside [1, n-2]
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	dh, err := ecdh.P256().NewPrivateKey(material)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	za, err := sm2.CalculateZA(&priv.PublicKey, []byte(SM2DefaultID))
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return &sm2Key{priv: priv, pub: &priv.PublicKey, dh: dh, za: za, spki: marshalSM2SPKI(&priv.PublicKey)}, nil
}

// sm3Concat returns SM3(a || b).
func sm3Concat(a, b []byte) []byte {
	h := sm3.New()
	h.Write(a)
	h.Write(b)
	return h.Sum(nil)
}

// sm2Point is the uncompressed point (SEC 1 2.3.3) of pub.
func sm2Point(pub *ecdsa.PublicKey) []byte {
	b := make([]byte, 65)
	b[0] = 4
	pub.X.FillBytes(b[1:33])
	pub.Y.FillBytes(b[33:])
	return b
}

func marshalSM2SPKI(pub *ecdsa.PublicKey) []byte {
	return marshalSPKI(oidECPublicKey, oidSM2, sm2Point(pub))
}

// marshalSM2PKCS8 encodes k as PKCS #8 holding an RFC 5915 ECPrivateKey
// with its public key, the curve named in the AlgorithmIdentifier: the
// form openssl writes for an SM2 key.
func marshalSM2PKCS8(k *sm2Key) []byte {
	pub := sm2Point(k.pub)
	ec, err := asn1.Marshal(ecPrivateKey{1, k.priv.D.FillBytes(make([]byte, 32)), asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
	if err != nil {
		panic(err) // fixed types always encode
	}
	return marshalPKCS8(oidECPublicKey, oidSM2, ec)
}

// parseSM2Point parses an uncompressed SM2 point, refusing one not on the
// curve and the point at infinity.
func parseSM2Point(key []byte) (*ecdsa.PublicKey, error) {
	if len(key) != 65 || key[0] != 4 {
		return nil, ErrInvalidPublicKey
	}
	pub, err := sm2.NewPublicKey(key)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	return pub, nil
}

func (k *sm2Key) Spec() string                   { return SpecSM2 }
func (k *sm2Key) PublicKey() []byte              { return k.spki }
func (k *sm2Key) SigningAlgorithms() []string    { return []string{AlgSM2DSA} }
func (k *sm2Key) EncryptionAlgorithms() []string { return []string{AlgSM2PKE} }

// e returns the value SM2DSA signs: SM3(Z_A || message) for RAW, with Z_A
// of SM2DefaultID; the 32-byte message itself for DIGEST.
func (k *sm2Key) e(alg string, message []byte, mt MessageType) ([]byte, error) {
	if alg != AlgSM2DSA {
		return nil, ErrUnsupportedAlgorithm
	}
	switch mt {
	case MessageRaw:
		return sm3Concat(k.za, message), nil
	case MessageDigest:
		return message, checkDigest(message, 32)
	}
	return nil, ErrUnsupportedMessageType
}

// Sign signs with SM2DSA (GB/T 32918.2 6.1), with gmsm's hedged nonce
// (random bytes mixed with the key and e), so two signatures of one
// message differ; the signature is DER SEQUENCE { r, s }.
func (k *sm2Key) Sign(alg string, message []byte, mt MessageType) ([]byte, error) {
	e, err := k.e(alg, message, mt)
	if err != nil {
		return nil, err
	}
	return sm2.SignASN1(rand.Reader, k.priv, e, nil)
}

// Verify checks an SM2DSA signature (GB/T 32918.2 7.1) in DER form; any
// other encoding, or r or s out of [1, n-1], is ErrInvalidSignature.
func (k *sm2Key) Verify(alg string, message []byte, mt MessageType, sig []byte) error {
	e, err := k.e(alg, message, mt)
	if err != nil {
		return err
	}
	if !sm2.VerifyASN1(k.pub, e, sig) {
		return ErrInvalidSignature
	}
	return nil
}

// MaxPlaintext returns SM2MaxPlaintext for SM2PKE.
func (k *sm2Key) MaxPlaintext(alg string) (int, error) {
	if alg != AlgSM2PKE {
		return 0, ErrUnsupportedAlgorithm
	}
	return SM2MaxPlaintext, nil
}

// Encrypt encrypts with SM2PKE (GB/T 32918.4 6.1) under the public key and
// returns the ASN.1 C1C3C2 ciphertext: 97 bytes plus the plaintext's length
// plus a few of DER framing. An empty plaintext gives ErrEmptyPlaintext.
func (k *sm2Key) Encrypt(alg string, plaintext []byte) ([]byte, error) {
	if alg != AlgSM2PKE {
		return nil, ErrUnsupportedAlgorithm
	}
	if len(plaintext) > SM2MaxPlaintext {
		return nil, ErrPlaintextTooLarge
	}
	if len(plaintext) == 0 {
		return nil, ErrEmptyPlaintext
	}
	if len(plaintext) >= sm2SelfCheckBelow {
		return sm2.EncryptASN1(rand.Reader, k.pub, plaintext)
	}
	// gmsm v0.44.0's EncryptASN1 returns, about once in 256 calls for a
	// 1-byte plaintext (when the KDF output t is all zero and it must pick
	// a new k), a ciphertext that does not decrypt (measured: 13 of 3000).
	// The chance is 2^-8n for n bytes, so short plaintexts are checked
	// with the private key, which this primitive holds, and encrypted
	// again if needed.
	for range 64 {
		ct, err := sm2.EncryptASN1(rand.Reader, k.pub, plaintext)
		if err != nil {
			return nil, err
		}
		if _, err := k.priv.Decrypt(nil, ct, sm2.ASN1DecrypterOpts); err == nil {
			return ct, nil
		}
	}
	return nil, errors.New("crypto: SM2PKE produced no decryptable ciphertext")
}

// sm2SelfCheckBelow is the plaintext length from which Encrypt no longer
// checks its ciphertext: a bad one is then a 2^-64 event.
const sm2SelfCheckBelow = 8

// sm2Ciphertext is the ASN.1 SM2PKE ciphertext of GM/T 0009 (C1C3C2).
type sm2Ciphertext struct {
	X, Y       *big.Int
	Hash       []byte
	CipherText []byte
}

// Decrypt decrypts an ASN.1 C1C3C2 SM2PKE ciphertext (GB/T 32918.4 7.1).
// Anything else, a C1 not on the curve, or a C3 that does not match, is
// ErrInvalidCiphertext, whatever the cause.
func (k *sm2Key) Decrypt(alg string, ciphertext []byte) ([]byte, error) {
	if alg != AlgSM2PKE {
		return nil, ErrUnsupportedAlgorithm
	}
	// gmsm takes the raw C1C3C2 and C1C2C3 forms too, by their first byte;
	// only the ASN.1 form is AWS's, so the structure is checked first.
	var c sm2Ciphertext
	if rest, err := asn1.Unmarshal(ciphertext, &c); err != nil || len(rest) != 0 ||
		c.X.Sign() < 0 || c.Y.Sign() < 0 || len(c.Hash) != 32 || len(c.CipherText) == 0 {
		return nil, ErrInvalidCiphertext
	}
	pt, err := k.priv.Decrypt(nil, ciphertext, sm2.ASN1DecrypterOpts)
	if err != nil {
		return nil, ErrInvalidCiphertext
	}
	return pt, nil
}

// DeriveSharedSecret returns the 32-byte x-coordinate of d·Q for the
// peer's SM2 public key Q (an id-ecPublicKey SPKI on the SM2 curve).
func (k *sm2Key) DeriveSharedSecret(alg string, peerSPKI []byte) ([]byte, error) {
	if alg != AlgECDH {
		return nil, ErrUnsupportedAlgorithm
	}
	pk, err := ParsePublicKey(peerSPKI)
	if err != nil {
		return nil, err
	}
	if pk.Spec != SpecSM2 {
		return nil, ErrInvalidPublicKey
	}
	peer, err := ecdh.P256().NewPublicKey(sm2Point(pk.Key.(*ecdsa.PublicKey)))
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	secret, err := k.dh.ECDH(peer)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	return secret, nil
}
