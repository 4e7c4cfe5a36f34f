package kms

import (
	"context"

	"github.com/embedkms/kms/crypto"
)

var opGenerateRandom = op("GenerateRandom", false, false)

// GenerateRandom returns NumberOfBytes (1..1024) random bytes from the
// operating system's CSPRNG.
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
	if in.CustomKeyStoreId != "" {
		return nil, newErr(ErrCustomKeyStoreNotFound, "Custom key store '%s' does not exist", in.CustomKeyStoreId)
	}
	if err := k.authorize(ctx, opGenerateRandom, authzExtra{}); err != nil {
		return nil, err
	}
	return &GenerateRandomOutput{Plaintext: crypto.Random(int(in.NumberOfBytes))}, nil
}
