package kms

import "context"

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
	if KeyUsageType(ck.rec.KeyUsage) != o.usage {
		// Text as AWS sends it, e.g. "arn:aws:kms:...:key/... key usage is
		// SIGN_VERIFY which is not valid for Encrypt." (recorded in
		// jonathankeebler/jwt-kms#4).
		return newErr(ErrInvalidKeyUsage, "%s key usage is %s which is not valid for %s.", ck.arn, ck.rec.KeyUsage, o.name)
	}
	return nil
}
