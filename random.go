package kms

import (
	"context"

	"github.com/embedkms/kms/crypto"
)

var opGenerateRandom = op("GenerateRandom", false, false)

// GenerateRandom returns NumberOfBytes (1..1024) random bytes from the
// operating system's CSPRNG, or, with CustomKeyStoreId, from the token of
// that AWS_CLOUDHSM store, which must be CONNECTED
// (CustomKeyStoreInvalidStateException); an external key store is
// UnsupportedOperationException ("External key store IDs are not valid
// for this parameter", GenerateRandom in the API reference).
func (k *KMS) GenerateRandom(ctx context.Context, in *GenerateRandomInput) (result *GenerateRandomOutput, opErr error) {
	defer finish(k.audit(&ctx, "GenerateRandom", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GenerateRandomInput{}
	}
	var v validator
	v.intRange("numberOfBytes", in.NumberOfBytes, 1, MaxDataKeyBytes)
	if in.CustomKeyStoreId != "" {
		v.length("customKeyStoreId", in.CustomKeyStoreId, 1, 64)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.NumberOfBytes == 0 {
		return nil, invalid("NumberOfBytes is required.")
	}
	if in.Recipient != nil {
		return nil, invalid(recipientUnsupported)
	}
	if err := k.authorize(ctx, opGenerateRandom, authzExtra{}); err != nil {
		return nil, err
	}
	if in.CustomKeyStoreId != "" {
		b, err := k.tokenRandom(ctx, in.CustomKeyStoreId, int(in.NumberOfBytes))
		if err != nil {
			return nil, err
		}
		return &GenerateRandomOutput{Plaintext: b}, nil
	}
	return &GenerateRandomOutput{Plaintext: crypto.Random(int(in.NumberOfBytes))}, nil
}
