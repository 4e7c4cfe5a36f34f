package kms

import (
	"context"
	"errors"
	"slices"

	"github.com/embedkms/kms/crypto"
)

// MaxPublicKeySize is the longest PublicKey DeriveSharedSecret takes: the
// model's PublicKeyType (1 to 8192 bytes).
const MaxPublicKeySize = 8192

var opDeriveSharedSecret = op("DeriveSharedSecret", true, true)

// errInvalidPeerKey is what AWS answers for a PublicKey that is not a
// usable public key: ValidationException with no message (recorded against
// AWS for a malformed key in LocalStack's KMS test snapshots,
// test_derive_shared_secret "response-invalid-public-key"). A well-formed
// key on another curve, or whose point is not on its curve, cannot give a
// shared secret either and gets the same answer (AWS's answer for those is
// not recorded). A point in compressed form is refused too: the crypto
// layer parses SPKI with crypto/x509, which takes uncompressed points only,
// the form GetPublicKey returns.
func errInvalidPeerKey() error { return &Error{Code: ErrValidation} }

// DeriveSharedSecret returns the raw ECDH shared secret (NIST SP 800-56A
// Rev. 3 5.7.1.2, the x-coordinate of the shared point as a field element:
// 32, 48 or 66 bytes) of a KEY_AGREEMENT key (ECC_NIST_P256, ECC_NIST_P384
// or ECC_NIST_P521) and a peer's public key. PublicKey is the peer's DER
// SubjectPublicKeyInfo (RFC 5280), as GetPublicKey returns it; it must be
// on the key's curve. KeyAgreementAlgorithm is required and must be ECDH.
// Recipient (Nitro Enclaves attestation) is refused, as Decrypt refuses it.
// With DryRun the peer key is still checked, but nothing is derived.
func (k *KMS) DeriveSharedSecret(ctx context.Context, in *DeriveSharedSecretInput) (result *DeriveSharedSecretOutput, opErr error) {
	defer finish(k.audit(&ctx, "DeriveSharedSecret", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DeriveSharedSecretInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if v.required("keyAgreementAlgorithm", string(in.KeyAgreementAlgorithm)) {
		enum(&v, "keyAgreementAlgorithm", in.KeyAgreementAlgorithm, KeyAgreementAlgorithmSpec("").Values())
	}
	v.blob("publicKey", in.PublicKey, 1, MaxPublicKeySize, true, false)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, invalid(recipientUnsupported)
	}
	ck, err := k.entry(ctx, in.KeyId, opDeriveSharedSecret)
	if err != nil {
		return nil, err
	}
	if err := k.checkUse(ctx, ck, opDeriveSharedSecret, authzExtra{grantTokens: in.GrantTokens, requestKeyID: in.KeyId, keyAgreement: in.KeyAgreementAlgorithm}); err != nil {
		return nil, err
	}
	ag, err := materialAs[crypto.Agreement](ck)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ck.algs.agreement, in.KeyAgreementAlgorithm) {
		return nil, errIncompatibleAlgorithm(in.KeyAgreementAlgorithm, ck)
	}
	if in.DryRun {
		if pk, err := crypto.ParsePublicKey(in.PublicKey); err != nil || pk.Spec != ck.rec.KeySpec {
			return nil, errInvalidPeerKey()
		}
		return nil, errDryRun()
	}
	secret, err := ag.DeriveSharedSecret(string(in.KeyAgreementAlgorithm), in.PublicKey)
	if err != nil {
		if errors.Is(err, crypto.ErrInvalidPublicKey) {
			return nil, errInvalidPeerKey()
		}
		return nil, internal(err)
	}
	k.used(ctx, KeyLastUsageTrackingOperationDeriveSharedSecret, ck)
	return &DeriveSharedSecretOutput{
		KeyId:                 ck.arn,
		SharedSecret:          secret,
		KeyAgreementAlgorithm: in.KeyAgreementAlgorithm,
		KeyOrigin:             OriginType(ck.rec.Origin),
	}, nil
}
