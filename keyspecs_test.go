package kms_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// TestCreateKeyEverySpecAndUsage: CreateKey accepts exactly the KeySpec /
// KeyUsage pairs AWS allows (CreateKey API reference, KeyUsage: "For
// symmetric encryption KMS keys, omit the parameter or specify
// ENCRYPT_DECRYPT. For HMAC KMS keys (symmetric), specify
// GENERATE_VERIFY_MAC. For asymmetric KMS keys with RSA key pairs, specify
// ENCRYPT_DECRYPT or SIGN_VERIFY. For asymmetric KMS keys with NIST-standard
// elliptic curve key pairs, specify SIGN_VERIFY or KEY_AGREEMENT. For
// asymmetric KMS keys with ECC_SECG_P256K1 key pairs, specify SIGN_VERIFY.
// For asymmetric KMS keys with ML-DSA key pairs, specify SIGN_VERIFY. For
// asymmetric KMS keys with SM2 key pairs (China Regions only), specify
// ENCRYPT_DECRYPT, SIGN_VERIFY, or KEY_AGREEMENT."), refuses every other
// pair with ValidationException, and lists the algorithms of the Developer
// Guide's "Key spec reference" for each.
func TestCreateKeyEverySpecAndUsage(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	type algs struct {
		enc, sign, mac, agree, encap []string
	}
	rsaSign := []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"}
	rsaEnc := []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	allowed := map[kms.KeySpec]map[kms.KeyUsageType]algs{
		kms.KeySpecSymmetricDefault:    {kms.KeyUsageTypeEncryptDecrypt: {enc: []string{"SYMMETRIC_DEFAULT"}}},
		kms.KeySpecRsa2048:             {kms.KeyUsageTypeEncryptDecrypt: {enc: rsaEnc}, kms.KeyUsageTypeSignVerify: {sign: rsaSign}},
		kms.KeySpecRsa3072:             {kms.KeyUsageTypeEncryptDecrypt: {enc: rsaEnc}, kms.KeyUsageTypeSignVerify: {sign: rsaSign}},
		kms.KeySpecRsa4096:             {kms.KeyUsageTypeEncryptDecrypt: {enc: rsaEnc}, kms.KeyUsageTypeSignVerify: {sign: rsaSign}},
		kms.KeySpecEccNistP256:         {kms.KeyUsageTypeSignVerify: {sign: []string{"ECDSA_SHA_256"}}, kms.KeyUsageTypeKeyAgreement: {agree: []string{"ECDH"}}},
		kms.KeySpecEccNistP384:         {kms.KeyUsageTypeSignVerify: {sign: []string{"ECDSA_SHA_384"}}, kms.KeyUsageTypeKeyAgreement: {agree: []string{"ECDH"}}},
		kms.KeySpecEccNistP521:         {kms.KeyUsageTypeSignVerify: {sign: []string{"ECDSA_SHA_512"}}, kms.KeyUsageTypeKeyAgreement: {agree: []string{"ECDH"}}},
		kms.KeySpecEccSecgP256k1:       {kms.KeyUsageTypeSignVerify: {sign: []string{"ECDSA_SHA_256"}}},
		kms.KeySpecEccNistEdwards25519: {kms.KeyUsageTypeSignVerify: {sign: []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}}},
		kms.KeySpecMlDsa44:             {kms.KeyUsageTypeSignVerify: {sign: []string{"ML_DSA_SHAKE_256"}}},
		kms.KeySpecMlDsa65:             {kms.KeyUsageTypeSignVerify: {sign: []string{"ML_DSA_SHAKE_256"}}},
		kms.KeySpecMlDsa87:             {kms.KeyUsageTypeSignVerify: {sign: []string{"ML_DSA_SHAKE_256"}}},
		kms.KeySpecHmac224:             {kms.KeyUsageTypeGenerateVerifyMac: {mac: []string{"HMAC_SHA_224"}}},
		kms.KeySpecHmac256:             {kms.KeyUsageTypeGenerateVerifyMac: {mac: []string{"HMAC_SHA_256"}}},
		kms.KeySpecHmac384:             {kms.KeyUsageTypeGenerateVerifyMac: {mac: []string{"HMAC_SHA_384"}}},
		kms.KeySpecHmac512:             {kms.KeyUsageTypeGenerateVerifyMac: {mac: []string{"HMAC_SHA_512"}}},
		kms.KeySpecMlKem512:            {kms.KeyUsageTypeEncapsulateDecapsulate: {encap: []string{"ML_KEM"}}},
		kms.KeySpecMlKem768:            {kms.KeyUsageTypeEncapsulateDecapsulate: {encap: []string{"ML_KEM"}}},
		kms.KeySpecMlKem1024:           {kms.KeyUsageTypeEncapsulateDecapsulate: {encap: []string{"ML_KEM"}}},
	}
	strs := func(v any) []string {
		var out []string
		switch v := v.(type) {
		case []kms.EncryptionAlgorithmSpec:
			for _, x := range v {
				out = append(out, string(x))
			}
		case []kms.SigningAlgorithmSpec:
			for _, x := range v {
				out = append(out, string(x))
			}
		case []kms.MacAlgorithmSpec:
			for _, x := range v {
				out = append(out, string(x))
			}
		case []kms.KeyAgreementAlgorithmSpec:
			for _, x := range v {
				out = append(out, string(x))
			}
		case []kms.EncapsulationAlgorithmSpec:
			for _, x := range v {
				out = append(out, string(x))
			}
		}
		return out
	}
	for _, spec := range kms.KeySpec("").Values() {
		if spec == kms.KeySpecSm2 {
			continue // China Regions only: TestCreateKeyErrors
		}
		for _, usage := range kms.KeyUsageType("").Values() {
			want, ok := allowed[spec][usage]
			out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
			if !ok {
				var e *kms.Error
				if !errors.As(err, &e) || e.Code != kms.ErrValidation || e.Message != "KeyUsage "+string(usage)+" is not compatible with KeySpec "+string(spec) {
					t.Errorf("CreateKey(%s, %s) = %v, want ValidationException", spec, usage, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("CreateKey(%s, %s): %v", spec, usage, err)
				continue
			}
			md := out.KeyMetadata
			got := algs{strs(md.EncryptionAlgorithms), strs(md.SigningAlgorithms), strs(md.MacAlgorithms), strs(md.KeyAgreementAlgorithms), strs(md.EncapsulationAlgorithms)}
			for name, pair := range map[string][2][]string{
				"EncryptionAlgorithms": {got.enc, want.enc}, "SigningAlgorithms": {got.sign, want.sign},
				"MacAlgorithms": {got.mac, want.mac}, "KeyAgreementAlgorithms": {got.agree, want.agree},
				"EncapsulationAlgorithms": {got.encap, want.encap},
			} {
				if !slices.Equal(pair[0], pair[1]) {
					t.Errorf("CreateKey(%s, %s): %s = %v, want %v", spec, usage, name, pair[0], pair[1])
				}
			}
			cmk := string(spec) // the deprecated member, where its enum can name the spec
			if !slices.Contains(kms.CustomerMasterKeySpec("").Values(), kms.CustomerMasterKeySpec(spec)) {
				cmk = ""
			}
			if md.KeySpec != spec || md.KeyUsage != usage || string(md.CustomerMasterKeySpec) != cmk {
				t.Errorf("CreateKey(%s, %s): KeySpec %s, KeyUsage %s, CustomerMasterKeySpec %s", spec, usage, md.KeySpec, md.KeyUsage, md.CustomerMasterKeySpec)
			}
			d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
			if err != nil || d.KeyMetadata.KeySpec != spec {
				t.Errorf("DescribeKey of a new %s key: %v", spec, err)
			}
		}
	}
}
