package crypto

import (
	"crypto"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"hash"
)

var rsaBits = map[string]int{SpecRSA2048: 2048, SpecRSA3072: 3072, SpecRSA4096: 4096}

// rsaScheme is how an RSASSA_* algorithm signs. KMS's PSS uses the same
// hash for MGF1 and a salt as long as the hash (Developer Guide, "Key spec
// reference", RSA key specs for signing: "SHA-256 for both the message
// digest and the MGF1 mask generation function along with a 256-bit salt").
type rsaScheme struct {
	hash crypto.Hash
	pss  bool
}

var rsaSchemes = map[string]rsaScheme{
	AlgPSSSHA256:   {crypto.SHA256, true},
	AlgPSSSHA384:   {crypto.SHA384, true},
	AlgPSSSHA512:   {crypto.SHA512, true},
	AlgPKCS1SHA256: {crypto.SHA256, false},
	AlgPKCS1SHA384: {crypto.SHA384, false},
	AlgPKCS1SHA512: {crypto.SHA512, false},
}

var pssOptions = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}

var rsaSigningAlgorithms = []string{AlgPSSSHA256, AlgPSSSHA384, AlgPSSSHA512, AlgPKCS1SHA256, AlgPKCS1SHA384, AlgPKCS1SHA512}

func generateRSA(spec string) ([]byte, error) {
	k, err := rsa.GenerateKey(rand.Reader, rsaBits[spec])
	if err != nil {
		return nil, err
	}
	return x509.MarshalPKCS8PrivateKey(k)
}

// rsaKey is an RSA_* key: a Signer and a Decrypter.
type rsaKey struct {
	spec string
	priv *rsa.PrivateKey
	spki []byte
}

func newRSA(spec string, material []byte) (KeyPrimitive, error) {
	k, err := parsePKCS8(material)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	priv, ok := k.(*rsa.PrivateKey)
	if !ok || priv.N.BitLen() != rsaBits[spec] {
		return nil, ErrInvalidKeyMaterial
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return &rsaKey{spec: spec, priv: priv, spki: spki}, nil
}

func (k *rsaKey) Spec() string                   { return k.spec }
func (k *rsaKey) PublicKey() []byte              { return k.spki }
func (k *rsaKey) SigningAlgorithms() []string    { return rsaSigningAlgorithms }
func (k *rsaKey) EncryptionAlgorithms() []string { return []string{AlgOAEPSHA1, AlgOAEPSHA256} }

// hashed returns the digest to sign for message: message itself for
// DIGEST (length-checked), its hash for RAW.
func hashed(h crypto.Hash, message []byte, mt MessageType) ([]byte, error) {
	switch mt {
	case MessageRaw:
		d := h.New()
		d.Write(message)
		return d.Sum(nil), nil
	case MessageDigest:
		return message, checkDigest(message, h.Size())
	}
	return nil, ErrUnsupportedMessageType
}

func (k *rsaKey) Sign(alg string, message []byte, mt MessageType) ([]byte, error) {
	s, ok := rsaSchemes[alg]
	if !ok {
		return nil, ErrUnsupportedAlgorithm
	}
	d, err := hashed(s.hash, message, mt)
	if err != nil {
		return nil, err
	}
	if s.pss {
		return rsa.SignPSS(rand.Reader, k.priv, s.hash, d, pssOptions)
	}
	return rsa.SignPKCS1v15(nil, k.priv, s.hash, d)
}

func (k *rsaKey) Verify(alg string, message []byte, mt MessageType, sig []byte) error {
	s, ok := rsaSchemes[alg]
	if !ok {
		return ErrUnsupportedAlgorithm
	}
	d, err := hashed(s.hash, message, mt)
	if err != nil {
		return err
	}
	if s.pss {
		err = rsa.VerifyPSS(&k.priv.PublicKey, s.hash, d, sig, pssOptions)
	} else {
		err = rsa.VerifyPKCS1v15(&k.priv.PublicKey, s.hash, d, sig)
	}
	if err != nil {
		return ErrInvalidSignature
	}
	return nil
}

// oaepHash returns the OAEP (and MGF1) hash of alg. Under
// GODEBUG=fips140=only the standard library refuses SHA-1, so
// RSAES_OAEP_SHA_1 fails there with its error.
func oaepHash(alg string) (hash.Hash, error) {
	switch alg {
	case AlgOAEPSHA1:
		if fips140.Enforced() {
			return nil, ErrNotApproved // Go refuses SHA-1 OAEP in this mode
		}
		return sha1.New(), nil
	case AlgOAEPSHA256:
		return sha256.New(), nil
	}
	return nil, ErrUnsupportedAlgorithm
}

func (k *rsaKey) MaxPlaintext(alg string) (int, error) {
	h, err := oaepHash(alg)
	if err != nil {
		return 0, err
	}
	return k.priv.Size() - 2*h.Size() - 2, nil
}

func (k *rsaKey) Encrypt(alg string, plaintext []byte) ([]byte, error) {
	h, err := oaepHash(alg)
	if err != nil {
		return nil, err
	}
	if len(plaintext) > k.priv.Size()-2*h.Size()-2 {
		return nil, ErrPlaintextTooLarge
	}
	return rsa.EncryptOAEP(h, rand.Reader, &k.priv.PublicKey, plaintext, nil)
}

func (k *rsaKey) Decrypt(alg string, ciphertext []byte) ([]byte, error) {
	h, err := oaepHash(alg)
	if err != nil {
		return nil, err
	}
	pt, err := rsa.DecryptOAEP(h, nil, k.priv, ciphertext, nil)
	if err != nil {
		return nil, ErrInvalidCiphertext
	}
	return pt, nil
}
