package kms

import (
	"context"
	"fmt"
)

// opUsage is the key usage each operation on a key's material needs
// (AWS KMS Developer Guide, "Key usage"; CreateKey API reference,
// KeyUsage). Operations not listed use no material.
var opUsage = map[string]KeyUsageType{
	"Encrypt":                             KeyUsageTypeEncryptDecrypt,
	"Decrypt":                             KeyUsageTypeEncryptDecrypt,
	"ReEncrypt":                           KeyUsageTypeEncryptDecrypt,
	"GenerateDataKey":                     KeyUsageTypeEncryptDecrypt,
	"GenerateDataKeyWithoutPlaintext":     KeyUsageTypeEncryptDecrypt,
	"GenerateDataKeyPair":                 KeyUsageTypeEncryptDecrypt,
	"GenerateDataKeyPairWithoutPlaintext": KeyUsageTypeEncryptDecrypt,
	"Sign":                                KeyUsageTypeSignVerify,
	"Verify":                              KeyUsageTypeSignVerify,
	"GenerateMac":                         KeyUsageTypeGenerateVerifyMac,
	"VerifyMac":                           KeyUsageTypeGenerateVerifyMac,
	"DeriveSharedSecret":                  KeyUsageTypeKeyAgreement,
	"Encapsulate":                         KeyUsageTypeEncapsulateDecapsulate,
	"Decapsulate":                         KeyUsageTypeEncapsulateDecapsulate,
}

// checkUse authorizes the caller on a loaded key and checks that its state
// allows o and that its key usage is the one o needs. It is the common
// gate of every operation that uses a key's material; what is particular
// to one operation (its algorithm, its key specs) is checked after it.
func (k *KMS) checkUse(ctx context.Context, ck *cachedKey, o keyOp, x authzExtra) error {
	if err := k.authorize(ctx, o, x, onKey(ck.rec, ck.arn)); err != nil {
		return err
	}
	if err := o.checkState(KeyState(ck.rec.State), ck.arn); err != nil {
		return err
	}
	if ck.rec.CustomKeyStoreID != "" {
		// A key whose custom key store is not connected is Unavailable.
		if _, err := k.keyStoreConn(ctx, ck); err != nil {
			return err
		}
	}
	if KeyUsageType(ck.rec.KeyUsage) != o.usage {
		// Text as AWS sends it, e.g. "arn:aws:kms:...:key/... key usage is
		// SIGN_VERIFY which is not valid for Encrypt." (recorded in
		// jonathankeebler/jwt-kms#4).
		return newErr(ErrInvalidKeyUsage, "%s key usage is %s which is not valid for %s.", ck.arn, ck.rec.KeyUsage, o.name)
	}
	return nil
}

// materialAs returns the primitive of ck's current key material as a T
// (crypto.MAC, crypto.Agreement, crypto.KEM ...). checkUse has already
// checked the key usage, which only key specs with that primitive allow,
// so a mismatch is a corrupt record: KMSInternalException.
func materialAs[T any](ck *cachedKey) (T, error) {
	p, ok := ck.current.prim.(T)
	if !ok {
		var zero T
		return zero, internal(fmt.Errorf("key %s: key spec %s with key usage %s has no %T primitive", ck.arn, ck.rec.KeySpec, ck.rec.KeyUsage, zero))
	}
	return p, nil
}

// errIncompatibleAlgorithm is AWS's InvalidKeyUsageException for an
// algorithm the key spec does not support, for every kind of algorithm:
// "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256." (as AWS
// answers GenerateMac and VerifyMac: recorded against AWS in LocalStack's
// KMS test snapshots, test_invalid_generate_mac and
// test_invalid_verify_mac), "Algorithm SYMMETRIC_DEFAULT is incompatible
// with key spec RSA_4096." (Encrypt, quoted from AWS in public reports).
func errIncompatibleAlgorithm[T ~string](alg T, ck *cachedKey) error {
	return newErr(ErrInvalidKeyUsage, "Algorithm %s is incompatible with key spec %s.", alg, ck.rec.KeySpec)
}
