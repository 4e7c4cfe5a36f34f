package crypto

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// nistCurve is what a NIST key spec signs with: one ECDSA algorithm each
// (Developer Guide, "Key spec reference", ECC key specs).
type nistCurve struct {
	curve elliptic.Curve
	ecdh  ecdh.Curve
	alg   string
	hash  crypto.Hash
}

var nistCurves = map[string]nistCurve{
	SpecP256: {elliptic.P256(), ecdh.P256(), AlgECDSASHA256, crypto.SHA256},
	SpecP384: {elliptic.P384(), ecdh.P384(), AlgECDSASHA384, crypto.SHA384},
	SpecP521: {elliptic.P521(), ecdh.P521(), AlgECDSASHA512, crypto.SHA512},
}

func generateNIST(spec string) ([]byte, error) {
	k, err := ecdsa.GenerateKey(nistCurves[spec].curve, rand.Reader)
	if err != nil {
		return nil, err
	}
	return x509.MarshalPKCS8PrivateKey(k)
}

// nistKey is an ECC_NIST_* key: a Signer (ECDSA) and an Agreement (ECDH).
type nistKey struct {
	spec  string
	c     nistCurve
	priv  *ecdsa.PrivateKey
	dh    *ecdh.PrivateKey
	spki  []byte
	algs  []string
	pubEC *ecdsa.PublicKey
}

func newNIST(spec string, material []byte) (KeyPrimitive, error) {
	c := nistCurves[spec]
	k, err := parsePKCS8(material)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	priv, ok := k.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != c.curve {
		return nil, ErrInvalidKeyMaterial
	}
	dh, err := priv.ECDH()
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return &nistKey{spec: spec, c: c, priv: priv, dh: dh, spki: spki, algs: []string{c.alg}, pubEC: &priv.PublicKey}, nil
}

func (k *nistKey) Spec() string                { return k.spec }
func (k *nistKey) PublicKey() []byte           { return k.spki }
func (k *nistKey) SigningAlgorithms() []string { return k.algs }

func (k *nistKey) digest(alg string, message []byte, mt MessageType) ([]byte, error) {
	if alg != k.c.alg {
		return nil, ErrUnsupportedAlgorithm
	}
	return hashed(k.c.hash, message, mt)
}

func (k *nistKey) Sign(alg string, message []byte, mt MessageType) ([]byte, error) {
	d, err := k.digest(alg, message, mt)
	if err != nil {
		return nil, err
	}
	return ecdsa.SignASN1(rand.Reader, k.priv, d)
}

func (k *nistKey) Verify(alg string, message []byte, mt MessageType, sig []byte) error {
	d, err := k.digest(alg, message, mt)
	if err != nil {
		return err
	}
	if !ecdsa.VerifyASN1(k.pubEC, d, sig) {
		return ErrInvalidSignature
	}
	return nil
}

func (k *nistKey) DeriveSharedSecret(alg string, peerSPKI []byte) ([]byte, error) {
	if alg != AlgECDH {
		return nil, ErrUnsupportedAlgorithm
	}
	pk, err := ParsePublicKey(peerSPKI)
	if err != nil {
		return nil, err
	}
	if pk.Spec != k.spec {
		return nil, ErrInvalidPublicKey
	}
	peer, err := pk.Key.(*ecdsa.PublicKey).ECDH()
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	secret, err := k.dh.ECDH(peer)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	return secret, nil
}

// secp256k1 (ECC_SECG_P256K1): ECDSA_SHA_256 only, no key agreement in
// AWS KMS. crypto/x509 does not know the curve, so its SPKI and PKCS #8 are
// encoded in spki.go.

func generateSecp256k1(string) ([]byte, error) {
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		return nil, err
	}
	return k.Serialize(), nil
}

type secpKey struct {
	priv *secp256k1.PrivateKey
	pub  *secp256k1.PublicKey
	spki []byte
}

// parseSecpScalar accepts exactly 32 bytes holding a scalar in [1, n-1].
func parseSecpScalar(b []byte) (*secp256k1.PrivateKey, bool) {
	var s secp256k1.ModNScalar
	if len(b) != 32 || s.SetByteSlice(b) || s.IsZero() {
		return nil, false
	}
	return secp256k1.NewPrivateKey(&s), true
}

func newSecp256k1(_ string, material []byte) (KeyPrimitive, error) {
	priv, ok := parseSecpScalar(material)
	if !ok {
		return nil, ErrInvalidKeyMaterial
	}
	pub := priv.PubKey()
	return &secpKey{priv: priv, pub: pub, spki: marshalSPKI(oidECPublicKey, oidSecp256k1, pub.SerializeUncompressed())}, nil
}

func (k *secpKey) Spec() string                { return SpecSecp256k1 }
func (k *secpKey) PublicKey() []byte           { return k.spki }
func (k *secpKey) SigningAlgorithms() []string { return []string{AlgECDSASHA256} }

func (k *secpKey) digest(alg string, message []byte, mt MessageType) ([]byte, error) {
	if alg != AlgECDSASHA256 {
		return nil, ErrUnsupportedAlgorithm
	}
	return hashed(crypto.SHA256, message, mt)
}

// Sign signs deterministically (RFC 6979) and always returns the low-S
// form; any ECDSA verifier accepts it.
func (k *secpKey) Sign(alg string, message []byte, mt MessageType) ([]byte, error) {
	d, err := k.digest(alg, message, mt)
	if err != nil {
		return nil, err
	}
	return secpecdsa.Sign(k.priv, d).Serialize(), nil
}

// Verify accepts both the low-S and the high-S form of a signature: AWS
// KMS signs secp256k1 with plain ECDSA (SEC 1), which does not normalize S,
// so its verifier cannot require low S either.
func (k *secpKey) Verify(alg string, message []byte, mt MessageType, sig []byte) error {
	d, err := k.digest(alg, message, mt)
	if err != nil {
		return err
	}
	return verifySecp256k1(k.pub, d, sig)
}

func verifySecp256k1(pub *secp256k1.PublicKey, digest, sig []byte) error {
	s, err := secpecdsa.ParseDERSignature(sig)
	if err != nil || !s.Verify(digest, pub) {
		return ErrInvalidSignature
	}
	return nil
}

// Ed25519 (ECC_NIST_EDWARDS25519): ED25519_SHA_512 signs the RAW message
// with PureEdDSA; ED25519_PH_SHA_512 signs a 64-byte DIGEST d with
// HashEdDSA (Ed25519ph, RFC 8032 5.1, empty context) of the message d, so
// its prehash is SHA-512(d): "When you specify the ED25519_PH_SHA_512
// signing algorithm with MessageType:DIGEST, KMS still performs the
// SHA-512 prehash described in Step 1 of Section 7.8.1 in FIPS 186-5. This
// means the input is hashed twice: once by you and once by KMS" (Sign API
// reference, MessageType). ED25519_SHA_512 requires MessageType RAW and
// ED25519_PH_SHA_512 requires DIGEST; they are not interchangeable.

func generateEd25519(string) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return priv.Seed(), nil
}

type edKey struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	spki []byte
}

func newEd25519(_ string, material []byte) (KeyPrimitive, error) {
	if len(material) != ed25519.SeedSize {
		return nil, ErrInvalidKeyMaterial
	}
	priv := ed25519.NewKeyFromSeed(material)
	pub := priv.Public().(ed25519.PublicKey)
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return &edKey{priv: priv, pub: pub, spki: spki}, nil
}

func (k *edKey) Spec() string                { return SpecEd25519 }
func (k *edKey) PublicKey() []byte           { return k.spki }
func (k *edKey) SigningAlgorithms() []string { return []string{AlgEd25519, AlgEd25519ph} }

var ed25519ph = &ed25519.Options{Hash: crypto.SHA512}

// edOptions checks alg and mt and returns the options to sign with: nil
// for PureEdDSA.
func edOptions(alg string, message []byte, mt MessageType) (*ed25519.Options, error) {
	switch alg {
	case AlgEd25519:
		if mt != MessageRaw {
			return nil, ErrUnsupportedMessageType
		}
		return nil, nil
	case AlgEd25519ph:
		if mt != MessageDigest {
			return nil, ErrUnsupportedMessageType
		}
		return ed25519ph, checkDigest(message, 64)
	}
	return nil, ErrUnsupportedAlgorithm
}

func (k *edKey) Sign(alg string, message []byte, mt MessageType) ([]byte, error) {
	opts, err := edOptions(alg, message, mt)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		return ed25519.Sign(k.priv, message), nil
	}
	ph := sha512.Sum512(message)
	return k.priv.Sign(nil, ph[:], opts)
}

func (k *edKey) Verify(alg string, message []byte, mt MessageType, sig []byte) error {
	opts, err := edOptions(alg, message, mt)
	if err != nil {
		return err
	}
	if opts == nil {
		opts = &ed25519.Options{}
	} else {
		ph := sha512.Sum512(message)
		message = ph[:]
	}
	if ed25519.VerifyWithOptions(k.pub, message, sig, opts) != nil {
		return ErrInvalidSignature
	}
	return nil
}
