package kms

import (
	"context"
	"errors"
	"slices"

	"github.com/embedkms/kms/crypto"
)

var (
	opEncapsulate = op("Encapsulate", true, true)
	opDecapsulate = op("Decapsulate", true, true)
)

// mlkemCiphertextSize is the length of the SharedSecretCiphertextBlob of
// each ML-KEM key spec: "768 bytes for ML_KEM_512, 1088 bytes for
// ML_KEM_768, and 1568 bytes for ML_KEM_1024" (Encapsulate API reference,
// SharedSecretCiphertextBlob; FIPS 203 table 3).
var mlkemCiphertextSize = map[KeySpec]int{
	KeySpecMlKem512:  768,
	KeySpecMlKem768:  1088,
	KeySpecMlKem1024: 1568,
}

// kemKey is the part Encapsulate and Decapsulate share once the request's
// members are valid: the key, the caller's right to use it, its state and
// usage, and the algorithm (ML_KEM, the only one, for every ML-KEM spec).
func (k *KMS) kemKey(ctx context.Context, o keyOp, keyID string, alg EncapsulationAlgorithmSpec, grantTokens []string) (*cachedKey, crypto.KEM, error) {
	// "The Encapsulate operation is not available in China Regions" (and
	// likewise Decapsulate: API reference of each).
	if k.isChinaPartition() {
		return nil, nil, newErr(ErrUnsupportedOperation, "%s is not available in China Regions.", o.name)
	}
	ck, err := k.entry(ctx, keyID, o)
	if err != nil {
		return nil, nil, err
	}
	if err := k.checkUse(ctx, ck, o, authzExtra{grantTokens: grantTokens, requestKeyID: keyID}); err != nil {
		return nil, nil, err
	}
	kem, err := materialAs[crypto.KEM](ck)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(ck.algs.encapsulation, alg) {
		return nil, nil, errIncompatibleAlgorithm(alg, ck)
	}
	return ck, kem, nil
}

func validateEncapsulationAlgorithm(v *validator, alg EncapsulationAlgorithmSpec) {
	if v.required("encapsulationAlgorithm", string(alg)) {
		enum(v, "encapsulationAlgorithm", alg, EncapsulationAlgorithmSpec("").Values())
	}
}

// Encapsulate returns a fresh 32-byte shared secret and its encapsulation
// under the public key of an ML-KEM key (ML_KEM_512, ML_KEM_768 or
// ML_KEM_1024, key usage ENCAPSULATE_DECAPSULATE), ML-KEM.Encaps of FIPS
// 203. Whoever holds the public key can do the same without KMS;
// Decapsulate recovers the secret. EncapsulationAlgorithm is required and
// must be ML_KEM.
func (k *KMS) Encapsulate(ctx context.Context, in *EncapsulateInput) (result *EncapsulateOutput, opErr error) {
	defer finish(k.audit(&ctx, "Encapsulate", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &EncapsulateInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	validateEncapsulationAlgorithm(&v, in.EncapsulationAlgorithm)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, kem, err := k.kemKey(ctx, opEncapsulate, in.KeyId, in.EncapsulationAlgorithm, in.GrantTokens)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	ss, ct, err := kem.Encapsulate()
	if err != nil {
		return nil, internal(err)
	}
	k.used(ctx, KeyLastUsageTrackingOperationEncapsulate, ck)
	return &EncapsulateOutput{
		KeyId:                      ck.arn,
		SharedSecret:               ss,
		SharedSecretCiphertextBlob: ct,
		EncapsulationAlgorithm:     in.EncapsulationAlgorithm,
	}, nil
}

// Decapsulate recovers the 32-byte shared secret of a
// SharedSecretCiphertextBlob with the private key of an ML-KEM key
// (ML-KEM.Decaps of FIPS 203). As in AWS, only a ciphertext whose length
// is not the key spec's gives InvalidCiphertextException; any other
// ciphertext, altered or made under another key, gives a pseudo-random
// secret unrelated to the encapsulated one (implicit rejection), so the
// parties must confirm they derived the same secret before using it.
// EncapsulationAlgorithm is required and must be ML_KEM. With DryRun the
// ciphertext's length is still checked.
func (k *KMS) Decapsulate(ctx context.Context, in *DecapsulateInput) (result *DecapsulateOutput, opErr error) {
	defer finish(k.audit(&ctx, "Decapsulate", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DecapsulateInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.blob("sharedSecretCiphertextBlob", in.SharedSecretCiphertextBlob, 1, MaxCiphertextSize, true, false)
	validateEncapsulationAlgorithm(&v, in.EncapsulationAlgorithm)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, kem, err := k.kemKey(ctx, opDecapsulate, in.KeyId, in.EncapsulationAlgorithm, in.GrantTokens)
	if err != nil {
		return nil, err
	}
	if len(in.SharedSecretCiphertextBlob) != mlkemCiphertextSize[KeySpec(ck.rec.KeySpec)] {
		return nil, errInvalidCiphertext()
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	ss, err := kem.Decapsulate(in.SharedSecretCiphertextBlob)
	if err != nil {
		if errors.Is(err, crypto.ErrInvalidCiphertext) {
			return nil, errInvalidCiphertext()
		}
		return nil, internal(err)
	}
	k.used(ctx, KeyLastUsageTrackingOperationDecapsulate, ck)
	return &DecapsulateOutput{KeyId: ck.arn, SharedSecret: ss, EncapsulationAlgorithm: in.EncapsulationAlgorithm}, nil
}
