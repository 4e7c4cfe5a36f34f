package kms

import (
	"bytes"
	"context"
	"errors"
	"slices"

	"github.com/embedkms/kms/crypto"
)

// Sign, Verify and GetPublicKey, over the asymmetric primitives of package
// crypto (crypto.Signer, crypto.PublicKeyer). Sources: the API reference
// (Sign, Verify, GetPublicKey, in the model kms-2014-11-01.json), and AWS
// responses quoted in public reports where the reference gives no text:
//
//   - a signing algorithm the key spec does not support:
//     InvalidKeyUsageException "Algorithm <alg> is incompatible with key
//     spec <spec>." (the text AWS gives for the encryption algorithm, e.g.
//     "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.");
//   - a DIGEST of the wrong length: ValidationException "Digest is invalid
//     length for algorithm <alg>." (probed against AWS for
//     RSASSA_PKCS1_V1_5_SHA_256: 20, 31, 33, 48 and 64 bytes refused, 32
//     accepted);
//   - an empty or 4097-byte Message: ValidationException (PlaintextType,
//     1..4096 bytes; the reference's prose says "0-4096", the constraint
//     and AWS say 1).
//
// Verify reports a signature that does not verify as
// KMSInvalidSignatureException, never as SignatureValid false.

var (
	opSign         = op("Sign", true, true)
	opVerify       = op("Verify", true, true)
	opGetPublicKey = op("GetPublicKey", true, true)
)

// sigRule is what MessageType an algorithm takes, and how long its DIGEST
// (or EXTERNAL_MU) message must be.
type sigRule struct {
	raw, digest, mu bool
	size            int // bytes of a DIGEST or EXTERNAL_MU message
}

// sigRules follow the MessageType member of Sign and Verify: DIGEST is the
// hash of the algorithm's name (SHA_256, SHA_384, SHA_512; SM2DSA uses
// SM3); "ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW,
// ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST";
// EXTERNAL_MU is ML-DSA's 64-byte μ. ML-DSA takes no DIGEST: the reference
// defines none for it (crypto refuses it too).
var sigRules = map[SigningAlgorithmSpec]sigRule{
	SigningAlgorithmSpecRsassaPssSha256:      {raw: true, digest: true, size: 32},
	SigningAlgorithmSpecRsassaPssSha384:      {raw: true, digest: true, size: 48},
	SigningAlgorithmSpecRsassaPssSha512:      {raw: true, digest: true, size: 64},
	SigningAlgorithmSpecRsassaPkcs1V15Sha256: {raw: true, digest: true, size: 32},
	SigningAlgorithmSpecRsassaPkcs1V15Sha384: {raw: true, digest: true, size: 48},
	SigningAlgorithmSpecRsassaPkcs1V15Sha512: {raw: true, digest: true, size: 64},
	SigningAlgorithmSpecEcdsaSha256:          {raw: true, digest: true, size: 32},
	SigningAlgorithmSpecEcdsaSha384:          {raw: true, digest: true, size: 48},
	SigningAlgorithmSpecEcdsaSha512:          {raw: true, digest: true, size: 64},
	SigningAlgorithmSpecSm2dsa:               {raw: true, digest: true, size: 32},
	SigningAlgorithmSpecEd25519Sha512:        {raw: true},
	SigningAlgorithmSpecEd25519PhSha512:      {digest: true, size: 64},
	SigningAlgorithmSpecMlDsaShake256:        {raw: true, mu: true, size: 64},
}

// signRequest is what Sign and Verify share.
type signRequest struct {
	keyID       string
	message     []byte
	mt          MessageType
	alg         SigningAlgorithmSpec
	grantTokens []string
}

// validate checks the members Sign and Verify share, in the model's
// order, into v; sig is Verify's Signature (nil for Sign).
func (r *signRequest) validate(v *validator, sig []byte, isVerify bool) {
	v.keyID("keyId", r.keyID)
	v.blob("message", r.message, 1, MaxPlaintextSize, true, true)
	enum(v, "messageType", r.mt, MessageType("").Values())
	if isVerify {
		v.blob("signature", sig, 1, MaxCiphertextSize, true, false)
	}
	if r.alg == "" {
		v.add("signingAlgorithm", "null", "Member must not be null")
	} else {
		enum(v, "signingAlgorithm", r.alg, SigningAlgorithmSpec("").Values())
	}
	v.grantTokens(r.grantTokens)
}

// signer loads the key, checks the caller, the key state and usage, that
// the key signs with the algorithm and that the message fits the algorithm
// and message type. It returns the primitive and the message to hand it.
func (k *KMS) signer(ctx context.Context, o keyOp, r *signRequest) (*cachedKey, crypto.Signer, []byte, error) {
	ck, err := k.entry(ctx, r.keyID, o)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := k.checkUse(ctx, ck, o, authzExtra{grantTokens: r.grantTokens, requestKeyID: r.keyID, signingAlgorithm: r.alg, messageType: r.mt}); err != nil {
		return nil, nil, nil, err
	}
	if !slices.Contains(ck.algs.signing, r.alg) {
		return nil, nil, nil, errIncompatibleAlgorithm(r.alg, ck)
	}
	s, err := materialAs[crypto.Signer](ck)
	if err != nil {
		return nil, nil, nil, err
	}
	msg, err := messageFor(r.alg, r.mt, r.message)
	if err != nil {
		return nil, nil, nil, err
	}
	return ck, s, msg, nil
}

// messageFor checks the message type and length against the algorithm's
// rule and returns the message to hand the crypto primitive.
//
// A DIGEST is handed over as is; package crypto never hashes it again,
// except where AWS documents that KMS does: ED25519_PH_SHA_512 signs a
// DIGEST M as HashEdDSA of M, with PH(M) = SHA-512(M) (Sign and Verify,
// MessageType: "the input is hashed twice: once by you and once by KMS").
func messageFor(alg SigningAlgorithmSpec, mt MessageType, m []byte) ([]byte, error) {
	rule := sigRules[alg]
	if mt == "" {
		mt = MessageTypeRaw
	}
	switch {
	case mt == MessageTypeRaw && rule.raw:
		return m, nil
	case mt == MessageTypeDigest && rule.digest, mt == MessageTypeExternalMu && rule.mu:
		if len(m) != rule.size {
			return nil, errDigestLength(alg)
		}
		return m, nil
	}
	return nil, errMessageType(alg, mt)
}

func errDigestLength(alg SigningAlgorithmSpec) error {
	return newErr(ErrValidation, "Digest is invalid length for algorithm %s.", alg)
}

// errMessageType: a message type the algorithm does not take. AWS's code
// and text for this are not documented; ValidationException is what it
// gives for the other MessageType rule it enforces (digest length).
func errMessageType(alg SigningAlgorithmSpec, mt MessageType) error {
	return newErr(ErrValidation, "MessageType %s is not valid for signing algorithm %s.", mt, alg)
}

// cryptoMessageType maps the member (empty: RAW) to package crypto's type.
func cryptoMessageType(mt MessageType) crypto.MessageType {
	switch mt {
	case MessageTypeDigest:
		return crypto.MessageDigest
	case MessageTypeExternalMu:
		return crypto.MessageExternalMu
	}
	return crypto.MessageRaw
}

// signError maps an error of crypto.Signer to the AWS error. The checks
// before the call (messageFor, the key's algorithm list) make the first
// three unreachable; they are mapped for safety, not relied upon.
func signError(err error, ck *cachedKey, alg SigningAlgorithmSpec, mt MessageType) error {
	switch {
	case errors.Is(err, crypto.ErrInvalidSignature):
		return &Error{Code: ErrKMSInvalidSignature}
	case errors.Is(err, crypto.ErrUnsupportedAlgorithm):
		return errIncompatibleAlgorithm(alg, ck)
	case errors.Is(err, crypto.ErrUnsupportedMessageType):
		return errMessageType(alg, mt)
	case errors.Is(err, crypto.ErrInvalidDigestLength):
		return errDigestLength(alg)
	}
	return internal(err)
}

// Sign signs a message (RAW, up to 4096 bytes), its digest (DIGEST) or an
// ML-DSA μ (EXTERNAL_MU) with the private key of an asymmetric SIGN_VERIFY
// key. MessageType defaults to RAW; SigningAlgorithm is required and must
// be one the key's spec supports. The signature has AWS's encoding: DER
// ECDSA-Sig-Value for ECDSA, the PKCS #1 octet string for RSA (PSS with
// MGF1 of the same hash and a salt as long as the hash), 64 bytes for
// Ed25519, the FIPS 204 encoding for ML-DSA.
func (k *KMS) Sign(ctx context.Context, in *SignInput) (result *SignOutput, opErr error) {
	defer finish(k.audit(&ctx, "Sign", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &SignInput{}
	}
	r := signRequest{keyID: in.KeyId, message: in.Message, mt: in.MessageType, alg: in.SigningAlgorithm, grantTokens: in.GrantTokens}
	var v validator
	r.validate(&v, nil, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, s, msg, err := k.signer(ctx, opSign, &r)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	sig, err := s.Sign(string(r.alg), msg, cryptoMessageType(r.mt))
	if err != nil {
		return nil, signError(err, ck, r.alg, r.mt)
	}
	k.used(ctx, KeyLastUsageTrackingOperationSign, ck)
	return &SignOutput{KeyId: ck.arn, Signature: sig, SigningAlgorithm: r.alg}, nil
}

// Verify verifies a signature made by Sign (or by the key's private key
// anywhere), with the same message types as Sign: the message type need
// not be the one used to sign, as long as it says whether Message is to be
// hashed. A signature that does not verify gives
// KMSInvalidSignatureException: Verify never returns SignatureValid false.
// ML_DSA_SHAKE_256 with MessageType EXTERNAL_MU verifies from the 64-byte
// μ (FIPS 204 Algorithm 8 from step 7 on) any signature of the message
// that μ represents, whether it was signed as RAW or as EXTERNAL_MU.
func (k *KMS) Verify(ctx context.Context, in *VerifyInput) (result *VerifyOutput, opErr error) {
	defer finish(k.audit(&ctx, "Verify", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &VerifyInput{}
	}
	r := signRequest{keyID: in.KeyId, message: in.Message, mt: in.MessageType, alg: in.SigningAlgorithm, grantTokens: in.GrantTokens}
	var v validator
	r.validate(&v, in.Signature, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, s, msg, err := k.signer(ctx, opVerify, &r)
	if err != nil {
		return nil, err
	}
	// The signature is checked before DryRun answers, as VerifyMac checks
	// the MAC: DryRunOperationException means the call would have
	// succeeded (Developer Guide, "Testing your permissions").
	if err := s.Verify(string(r.alg), msg, cryptoMessageType(r.mt), in.Signature); err != nil {
		return nil, signError(err, ck, r.alg, r.mt)
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	k.used(ctx, KeyLastUsageTrackingOperationVerify, ck)
	return &VerifyOutput{KeyId: ck.arn, SignatureValid: true, SigningAlgorithm: r.alg}, nil
}

// GetPublicKey returns the public key of an asymmetric key as DER
// SubjectPublicKeyInfo, with its key spec, key usage and the algorithms of
// that usage. Another account's key may be named by key or alias ARN. A
// symmetric encryption or HMAC key has no public key:
// UnsupportedOperationException.
func (k *KMS) GetPublicKey(ctx context.Context, in *GetPublicKeyInput) (result *GetPublicKeyOutput, opErr error) {
	defer finish(k.audit(&ctx, "GetPublicKey", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GetPublicKeyInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opGetPublicKey)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opGetPublicKey, authzExtra{grantTokens: in.GrantTokens, requestKeyID: in.KeyId}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	if err := opGetPublicKey.checkState(KeyState(ck.rec.State), ck.arn); err != nil {
		return nil, err
	}
	spec, usage := KeySpec(ck.rec.KeySpec), KeyUsageType(ck.rec.KeyUsage)
	pk, ok := ck.current.prim.(crypto.PublicKeyer)
	if !ok {
		// AWS names the error (GetPublicKey's error list; symmetric and
		// HMAC keys have no public key) but not its text.
		return nil, newErr(ErrUnsupportedOperation, "%s key spec %s has no public key: GetPublicKey supports only asymmetric KMS keys.", ck.arn, spec)
	}
	algs := algorithmsOf(spec, usage)
	return &GetPublicKeyOutput{
		KeyId:                   ck.arn,
		PublicKey:               bytes.Clone(pk.PublicKey()), // the cached key's own slice must not be handed out
		CustomerMasterKeySpec:   customerMasterKeySpec(spec),
		KeySpec:                 spec,
		KeyUsage:                usage,
		EncryptionAlgorithms:    slices.Clone(algs.encryption),
		SigningAlgorithms:       slices.Clone(algs.signing),
		KeyAgreementAlgorithms:  slices.Clone(algs.agreement),
		EncapsulationAlgorithms: slices.Clone(algs.encapsulation),
	}, nil
}
