package kms

import (
	"context"
	"errors"

	"github.com/embedkms/kms/crypto"
)

// MaxMacSize is the longest Mac VerifyMac takes: the model's CiphertextType
// (1 to 6144 bytes). The message of GenerateMac and VerifyMac is a
// PlaintextType, 1 to MaxPlaintextSize bytes.
const MaxMacSize = 6144

var (
	opGenerateMac = op("GenerateMac", true, true)
	opVerifyMac   = op("VerifyMac", true, true)
)

// macKey is the part GenerateMac and VerifyMac share once the request's
// members are valid: the key, the caller's right to use it, its state and
// usage, and the MAC algorithm, which must be the one of the key's spec.
func (k *KMS) macKey(ctx context.Context, o keyOp, keyID string, alg MacAlgorithmSpec, grantTokens []string) (*cachedKey, crypto.MAC, error) {
	ck, err := k.entry(ctx, keyID, o)
	if err != nil {
		return nil, nil, err
	}
	if err := k.checkUse(ctx, ck, o, authzExtra{grantTokens: grantTokens, requestKeyID: keyID, macAlgorithm: alg}); err != nil {
		return nil, nil, err
	}
	m, err := materialAs[crypto.MAC](ck)
	if err != nil {
		return nil, nil, err
	}
	if string(alg) != m.MACAlgorithm() {
		return nil, nil, errIncompatibleAlgorithm(alg, ck)
	}
	return ck, m, nil
}

// validateMac checks the members GenerateMac and VerifyMac share, in the
// order of the model's request shapes (Message, KeyId, MacAlgorithm, ...).
func validateMac(v *validator, message []byte, keyID string, alg MacAlgorithmSpec) {
	v.blob("message", message, 1, MaxPlaintextSize, true, true)
	v.keyID("keyId", keyID)
	if v.required("macAlgorithm", string(alg)) {
		enum(v, "macAlgorithm", alg, macAlgorithmsAsAWSLists)
	}
}

// macAlgorithmsAsAWSLists are the MacAlgorithmSpec values in the order AWS
// prints them in a ValidationException (not the model's): "Member must
// satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224,
// HMAC_SHA_512]", as recorded against AWS in LocalStack's
// tests/aws/services/kms/test_kms.snapshot.json (test_invalid_generate_mac,
// test_invalid_verify_mac).
var macAlgorithmsAsAWSLists = []MacAlgorithmSpec{MacAlgorithmSpecHmacSha384, MacAlgorithmSpecHmacSha256, MacAlgorithmSpecHmacSha224, MacAlgorithmSpecHmacSha512}

// GenerateMac returns the HMAC (RFC 2104) of a message of up to 4096 bytes
// under an HMAC key (KeySpec HMAC_224, HMAC_256, HMAC_384 or HMAC_512, key
// usage GENERATE_VERIFY_MAC). MacAlgorithm is required and must be the
// key spec's one algorithm (HMAC_SHA_256 for HMAC_256, ...); any other
// gives InvalidKeyUsageException. The message is MACed as given: a digest
// is not treated specially.
func (k *KMS) GenerateMac(ctx context.Context, in *GenerateMacInput) (result *GenerateMacOutput, opErr error) {
	defer finish(k.audit(&ctx, "GenerateMac", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GenerateMacInput{}
	}
	var v validator
	validateMac(&v, in.Message, in.KeyId, in.MacAlgorithm)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, m, err := k.macKey(ctx, opGenerateMac, in.KeyId, in.MacAlgorithm, in.GrantTokens)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	mac, err := m.Generate(string(in.MacAlgorithm), in.Message)
	if err != nil {
		return nil, internal(err)
	}
	k.used(ctx, KeyLastUsageTrackingOperationGenerateMac, ck)
	return &GenerateMacOutput{Mac: mac, MacAlgorithm: in.MacAlgorithm, KeyId: ck.arn}, nil
}

// VerifyMac checks that Mac is the HMAC of Message under the key and
// MacAlgorithm, comparing in constant time. As in AWS, a MAC that does not
// verify (wrong message, key, algorithm output or length) is not a
// MacValid false but a KMSInvalidMacException with no message; MacValid is
// true in every output. With DryRun the MAC is still checked, so that a
// DryRunOperationException means the call would have succeeded.
func (k *KMS) VerifyMac(ctx context.Context, in *VerifyMacInput) (result *VerifyMacOutput, opErr error) {
	defer finish(k.audit(&ctx, "VerifyMac", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &VerifyMacInput{}
	}
	var v validator
	validateMac(&v, in.Message, in.KeyId, in.MacAlgorithm)
	v.blob("mac", in.Mac, 1, MaxMacSize, true, false)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, m, err := k.macKey(ctx, opVerifyMac, in.KeyId, in.MacAlgorithm, in.GrantTokens)
	if err != nil {
		return nil, err
	}
	if err := m.Verify(string(in.MacAlgorithm), in.Message, in.Mac); err != nil {
		if errors.Is(err, crypto.ErrInvalidMAC) {
			return nil, &Error{Code: ErrKMSInvalidMac}
		}
		return nil, internal(err)
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	k.used(ctx, KeyLastUsageTrackingOperationVerifyMac, ck)
	return &VerifyMacOutput{KeyId: ck.arn, MacValid: true, MacAlgorithm: in.MacAlgorithm}, nil
}
