package crypto

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/secretdata"
	tinkmldsa "github.com/tink-crypto/tink-go/v2/signature/mldsa"
	"github.com/tink-crypto/tink-go/v2/signprehash"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// ML-DSA (ML_DSA_44/65/87, FIPS 204): ML_DSA_SHAKE_256 only, with
// MessageType RAW (ML-DSA.Sign of the message, empty context, hedged) or
// EXTERNAL_MU (the 64-byte μ of FIPS 204 section 6.2, signed with
// ML-DSA.Sign_internal from step 7 on; AWS Developer Guide, "ML-DSA keys in
// AWS KMS"). The material is the 32-byte seed ξ of ML-DSA.KeyGen_internal.
//
// RAW uses circl's mldsa packages. No public API of circl or of the
// standard library signs from μ; Tink's signprehash does (its ML-DSA
// PrehashSigner takes 0xff || key id || μ and returns the FIPS 204
// signature of μ), so EXTERNAL_MU signs through it. None of them verifies
// from μ: EXTERNAL_MU verifies with this package's own FIPS 204
// verification (mldsa_verify.go).

const mldsaSeedSize = 32

func generateMLDSA(string) ([]byte, error) {
	seed := make([]byte, mldsaSeedSize)
	_, err := rand.Read(seed)
	return seed, err
}

// mldsaOps is one parameter set's operations on circl's keys.
type mldsaOps struct {
	instance tinkmldsa.Instance
	sigSize  int
	newKey   func(seed *[32]byte) (pub []byte, sign func(msg []byte) ([]byte, error), verify func(msg, sig []byte) bool)
}

var mldsaParams = map[string]mldsaOps{
	SpecMLDSA44: {tinkmldsa.MLDSA44, mldsa44.SignatureSize, func(seed *[32]byte) ([]byte, func([]byte) ([]byte, error), func([]byte, []byte) bool) {
		pk, sk := mldsa44.NewKeyFromSeed(seed)
		return pk.Bytes(), func(m []byte) ([]byte, error) {
				sig := make([]byte, mldsa44.SignatureSize)
				return sig, mldsa44.SignTo(sk, m, nil, true, sig)
			}, func(m, s []byte) bool {
				return mldsa44.Verify(pk, m, nil, s)
			}
	}},
	SpecMLDSA65: {tinkmldsa.MLDSA65, mldsa65.SignatureSize, func(seed *[32]byte) ([]byte, func([]byte) ([]byte, error), func([]byte, []byte) bool) {
		pk, sk := mldsa65.NewKeyFromSeed(seed)
		return pk.Bytes(), func(m []byte) ([]byte, error) {
				sig := make([]byte, mldsa65.SignatureSize)
				return sig, mldsa65.SignTo(sk, m, nil, true, sig)
			}, func(m, s []byte) bool {
				return mldsa65.Verify(pk, m, nil, s)
			}
	}},
	SpecMLDSA87: {tinkmldsa.MLDSA87, mldsa87.SignatureSize, func(seed *[32]byte) ([]byte, func([]byte) ([]byte, error), func([]byte, []byte) bool) {
		pk, sk := mldsa87.NewKeyFromSeed(seed)
		return pk.Bytes(), func(m []byte) ([]byte, error) {
				sig := make([]byte, mldsa87.SignatureSize)
				return sig, mldsa87.SignTo(sk, m, nil, true, sig)
			}, func(m, s []byte) bool {
				return mldsa87.Verify(pk, m, nil, s)
			}
	}},
}

type mldsaKey struct {
	spec    string
	sigSize int
	pub     []byte // raw FIPS 204 public key
	spki    []byte
	sign    func(msg []byte) ([]byte, error)
	verify  func(msg, sig []byte) bool
	muSign  tink.PrehashSigner
	muKeyID uint32
}

func newMLDSA(spec string, material []byte) (KeyPrimitive, error) {
	ops := mldsaParams[spec]
	if len(material) != mldsaSeedSize {
		return nil, ErrInvalidKeyMaterial
	}
	pub, sign, verify := ops.newKey((*[32]byte)(material))
	k := &mldsaKey{spec: spec, sigSize: ops.sigSize, pub: pub, spki: marshalSPKI(pqcOID(spec), nil, pub), sign: sign, verify: verify, muKeyID: 1}
	params, err := tinkmldsa.NewParameters(ops.instance, tinkmldsa.VariantTink)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	tk, err := tinkmldsa.NewPrivateKey(secretdata.NewBytesFromData(material, insecuresecretdataaccess.Token{}), k.muKeyID, params)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	m := keyset.NewManager()
	id, err := m.AddKey(tk)
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	if err := m.SetPrimary(id); err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	h, err := m.Handle()
	if err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	if k.muSign, err = signprehash.NewPrehashSigner(h); err != nil {
		return nil, ErrInvalidKeyMaterial
	}
	return k, nil
}

func (k *mldsaKey) Spec() string                { return k.spec }
func (k *mldsaKey) PublicKey() []byte           { return k.spki }
func (k *mldsaKey) SigningAlgorithms() []string { return []string{AlgMLDSA} }

func (k *mldsaKey) check(alg string, message []byte, mt MessageType) error {
	if alg != AlgMLDSA {
		return ErrUnsupportedAlgorithm
	}
	switch mt {
	case MessageRaw:
		return nil
	case MessageExternalMu:
		return checkDigest(message, 64)
	}
	return ErrUnsupportedMessageType
}

func (k *mldsaKey) Sign(alg string, message []byte, mt MessageType) ([]byte, error) {
	if err := k.check(alg, message, mt); err != nil {
		return nil, err
	}
	if mt == MessageRaw {
		return k.sign(message)
	}
	prehash := make([]byte, 5, 5+64)
	prehash[0] = 0xff
	binary.BigEndian.PutUint32(prehash[1:], k.muKeyID)
	return k.muSign.SignPrehash(append(prehash, message...))
}

func (k *mldsaKey) Verify(alg string, message []byte, mt MessageType, sig []byte) error {
	if err := k.check(alg, message, mt); err != nil {
		return err
	}
	if mt == MessageExternalMu {
		return verifyMu(k.spec, k.pub, message, sig)
	}
	if len(sig) != k.sigSize {
		return ErrInvalidSignature
	}
	if !k.verify(message, sig) {
		return ErrInvalidSignature
	}
	return nil
}
