package kms

import "slices"

// Key specs: which key usages each allows and which algorithms a key of
// each spec and usage lists. Sources: AWS KMS API reference, CreateKey
// (KeySpec, KeyUsage), and the Developer Guide, "Key spec reference"
// (symm-asymm-choose-key-spec.html). Lists are in the order of the
// model's enums.

// specUsages lists the key usages CreateKey accepts for each key spec.
// SM2 is allowed only in China Regions (partition aws-cn).
var specUsages = map[KeySpec][]KeyUsageType{
	KeySpecSymmetricDefault:    {KeyUsageTypeEncryptDecrypt},
	KeySpecRsa2048:             {KeyUsageTypeEncryptDecrypt, KeyUsageTypeSignVerify},
	KeySpecRsa3072:             {KeyUsageTypeEncryptDecrypt, KeyUsageTypeSignVerify},
	KeySpecRsa4096:             {KeyUsageTypeEncryptDecrypt, KeyUsageTypeSignVerify},
	KeySpecEccNistP256:         {KeyUsageTypeSignVerify, KeyUsageTypeKeyAgreement},
	KeySpecEccNistP384:         {KeyUsageTypeSignVerify, KeyUsageTypeKeyAgreement},
	KeySpecEccNistP521:         {KeyUsageTypeSignVerify, KeyUsageTypeKeyAgreement},
	KeySpecEccSecgP256k1:       {KeyUsageTypeSignVerify},
	KeySpecEccNistEdwards25519: {KeyUsageTypeSignVerify},
	KeySpecMlDsa44:             {KeyUsageTypeSignVerify},
	KeySpecMlDsa65:             {KeyUsageTypeSignVerify},
	KeySpecMlDsa87:             {KeyUsageTypeSignVerify},
	KeySpecHmac224:             {KeyUsageTypeGenerateVerifyMac},
	KeySpecHmac256:             {KeyUsageTypeGenerateVerifyMac},
	KeySpecHmac384:             {KeyUsageTypeGenerateVerifyMac},
	KeySpecHmac512:             {KeyUsageTypeGenerateVerifyMac},
	KeySpecMlKem512:            {KeyUsageTypeEncapsulateDecapsulate},
	KeySpecMlKem768:            {KeyUsageTypeEncapsulateDecapsulate},
	KeySpecMlKem1024:           {KeyUsageTypeEncapsulateDecapsulate},
	KeySpecSm2:                 {KeyUsageTypeEncryptDecrypt, KeyUsageTypeSignVerify, KeyUsageTypeKeyAgreement},
}

// algorithms are the algorithm lists KeyMetadata and GetPublicKey report
// for a key.
type algorithms struct {
	encryption    []EncryptionAlgorithmSpec
	signing       []SigningAlgorithmSpec
	mac           []MacAlgorithmSpec
	agreement     []KeyAgreementAlgorithmSpec
	encapsulation []EncapsulationAlgorithmSpec
}

var (
	rsaSigning = []SigningAlgorithmSpec{
		SigningAlgorithmSpecRsassaPssSha256, SigningAlgorithmSpecRsassaPssSha384, SigningAlgorithmSpecRsassaPssSha512,
		SigningAlgorithmSpecRsassaPkcs1V15Sha256, SigningAlgorithmSpecRsassaPkcs1V15Sha384, SigningAlgorithmSpecRsassaPkcs1V15Sha512,
	}
	rsaEncryption = []EncryptionAlgorithmSpec{EncryptionAlgorithmSpecRsaesOaepSha1, EncryptionAlgorithmSpecRsaesOaepSha256}
	ecdh          = []KeyAgreementAlgorithmSpec{KeyAgreementAlgorithmSpecEcdh}
)

// algorithmsOf returns the algorithms of a key of spec used for usage.
func algorithmsOf(spec KeySpec, usage KeyUsageType) algorithms {
	switch usage {
	case KeyUsageTypeEncryptDecrypt:
		switch spec {
		case KeySpecSymmetricDefault:
			return algorithms{encryption: []EncryptionAlgorithmSpec{EncryptionAlgorithmSpecSymmetricDefault}}
		case KeySpecSm2:
			return algorithms{encryption: []EncryptionAlgorithmSpec{EncryptionAlgorithmSpecSm2pke}}
		}
		return algorithms{encryption: rsaEncryption}
	case KeyUsageTypeSignVerify:
		switch spec {
		case KeySpecEccNistP256, KeySpecEccSecgP256k1:
			return algorithms{signing: []SigningAlgorithmSpec{SigningAlgorithmSpecEcdsaSha256}}
		case KeySpecEccNistP384:
			return algorithms{signing: []SigningAlgorithmSpec{SigningAlgorithmSpecEcdsaSha384}}
		case KeySpecEccNistP521:
			return algorithms{signing: []SigningAlgorithmSpec{SigningAlgorithmSpecEcdsaSha512}}
		case KeySpecEccNistEdwards25519:
			return algorithms{signing: []SigningAlgorithmSpec{SigningAlgorithmSpecEd25519Sha512, SigningAlgorithmSpecEd25519PhSha512}}
		case KeySpecMlDsa44, KeySpecMlDsa65, KeySpecMlDsa87:
			return algorithms{signing: []SigningAlgorithmSpec{SigningAlgorithmSpecMlDsaShake256}}
		case KeySpecSm2:
			return algorithms{signing: []SigningAlgorithmSpec{SigningAlgorithmSpecSm2dsa}}
		}
		return algorithms{signing: rsaSigning}
	case KeyUsageTypeGenerateVerifyMac:
		return algorithms{mac: []MacAlgorithmSpec{MacAlgorithmSpec("HMAC_SHA_" + string(spec[len("HMAC_"):]))}}
	case KeyUsageTypeKeyAgreement:
		return algorithms{agreement: ecdh}
	case KeyUsageTypeEncapsulateDecapsulate:
		return algorithms{encapsulation: []EncapsulationAlgorithmSpec{EncapsulationAlgorithmSpecMlKem}}
	}
	return algorithms{}
}

// customerMasterKeySpec is the deprecated CustomerMasterKeySpec member for
// spec: the same value where that enum has it, and absent for the specs
// added after its deprecation (ML-DSA, ML-KEM, Ed25519), which it cannot
// name.
func customerMasterKeySpec(spec KeySpec) CustomerMasterKeySpec {
	if slices.Contains(CustomerMasterKeySpec("").Values(), CustomerMasterKeySpec(spec)) {
		return CustomerMasterKeySpec(spec)
	}
	return ""
}

// isChinaPartition reports whether the handle is in a China Region, the
// only Regions where AWS offers SM2 keys.
func (k *KMS) isChinaPartition() bool { return k.partition == "aws-cn" }
