package kms_test

// Condition keys through the handle: for each key the handle fills, a key
// policy in the form the AWS KMS Developer Guide's examples use ("Condition
// keys for AWS KMS", one section per key) decides one allowed and one
// denied call of an operation AWS fills the key for.

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// ckDeny is a key policy: the account root may do everything except, under
// the condition, the action.
func ckDeny(action, condition string) string {
	return plPolicy(`{"Sid":"DenyUnderCondition","Effect":"Deny","Principal":{"AWS":"*"},"Action":"` + action + `","Resource":"*","Condition":` + condition + `}`)
}

type ckCall struct {
	name    string
	call    func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error
	allowed bool
}

func ckEnableRotation(days int32) func(context.Context, *kms.KMS, *kms.KeyMetadata) error {
	return func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
		_, err := k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: days})
		return err
	}
}

func ckEncrypt(ec map[string]string) func(context.Context, *kms.KMS, *kms.KeyMetadata) error {
	return func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
		return plEncrypt(ctx, k, md.KeyId, ec)
	}
}

func ckSign(alg kms.SigningAlgorithmSpec, mt kms.MessageType) func(context.Context, *kms.KMS, *kms.KeyMetadata) error {
	return func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
		msg := []byte("message")
		if mt == kms.MessageTypeDigest {
			msg = make([]byte, 32)
		}
		_, err := k.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, MessageType: mt, SigningAlgorithm: alg})
		return err
	}
}

func ckAs(c kms.CallerInfo, f func(context.Context, *kms.KMS, *kms.KeyMetadata) error) func(context.Context, *kms.KMS, *kms.KeyMetadata) error {
	return func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
		return f(kms.WithCallerInfo(ctx, c), k, md)
	}
}

func TestConditionKeysInKeyPolicies(t *testing.T) {
	tests := []struct {
		name   string
		create kms.CreateKeyInput // without Policy
		policy string
		alias  string // created for the key when set
		calls  []ckCall
	}{
		{
			// "kms:EncryptionContext:context-key": the key is not
			// case-sensitive, the value is.
			name:   "kms:EncryptionContext:context-key",
			policy: ckDeny("kms:Encrypt", `{"StringNotEquals":{"kms:EncryptionContext:Department":"IT"}}`),
			calls: []ckCall{
				{"matching pair", ckEncrypt(map[string]string{"Department": "IT"}), true},
				{"key in another case", ckEncrypt(map[string]string{"department": "IT"}), true},
				{"other value", ckEncrypt(map[string]string{"Department": "HR"}), false},
				{"value in another case", ckEncrypt(map[string]string{"Department": "it"}), false},
				{"no encryption context", ckEncrypt(nil), false},
			},
		},
		{
			// "kms:EncryptionContextKeys": require an encryption context
			// with a Null condition.
			name:   "kms:EncryptionContextKeys Null",
			policy: ckDeny("kms:Encrypt", `{"Null":{"kms:EncryptionContextKeys":"true"}}`),
			calls: []ckCall{
				{"with a context", ckEncrypt(map[string]string{"a": "b"}), true},
				{"without", ckEncrypt(nil), false},
			},
		},
		{
			name:   "kms:EncryptionContextKeys ForAllValues",
			policy: ckDeny("kms:Encrypt", `{"ForAnyValue:StringNotEquals":{"kms:EncryptionContextKeys":["Purpose","Project"]}}`),
			calls: []ckCall{
				{"only allowed keys", ckEncrypt(map[string]string{"Purpose": "x", "Project": "y"}), true},
				{"another key", ckEncrypt(map[string]string{"Purpose": "x", "Other": "y"}), false},
			},
		},
		{
			// "kms:EncryptionAlgorithm": a request without the member is
			// SYMMETRIC_DEFAULT.
			name:   "kms:EncryptionAlgorithm",
			policy: ckDeny("kms:Encrypt", `{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}`),
			calls: []ckCall{
				{"default algorithm", ckEncrypt(nil), false},
				{"GenerateDataKey (not denied)", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: 32})
					return err
				}, true},
			},
		},
		{
			name:   "kms:EncryptionAlgorithm on GenerateDataKey",
			policy: ckDeny("kms:GenerateDataKey", `{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}`),
			calls: []ckCall{
				{"GenerateDataKey", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: 32})
					return err
				}, false},
				{"Encrypt", ckEncrypt(nil), true},
			},
		},
		{
			name:   "kms:SigningAlgorithm",
			create: kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeSignVerify},
			policy: ckDeny("kms:Sign", `{"StringNotEquals":{"kms:SigningAlgorithm":"RSASSA_PSS_SHA_256"}}`),
			calls: []ckCall{
				{"PSS", ckSign(kms.SigningAlgorithmSpecRsassaPssSha256, ""), true},
				{"PKCS1", ckSign(kms.SigningAlgorithmSpecRsassaPkcs1V15Sha256, ""), false},
			},
		},
		{
			name:   "kms:MessageType",
			create: kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify},
			policy: ckDeny("kms:Sign", `{"StringEquals":{"kms:MessageType":"DIGEST"}}`),
			calls: []ckCall{
				{"RAW", ckSign(kms.SigningAlgorithmSpecEcdsaSha256, kms.MessageTypeRaw), true},
				{"DIGEST", ckSign(kms.SigningAlgorithmSpecEcdsaSha256, kms.MessageTypeDigest), false},
			},
		},
		{
			name:   "kms:MacAlgorithm",
			create: kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac},
			policy: ckDeny("kms:GenerateMac", `{"StringEquals":{"kms:MacAlgorithm":"HMAC_SHA_256"}}`),
			calls: []ckCall{
				{"HMAC_SHA_256", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: []byte("m"), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
					return err
				}, false},
			},
		},
		{
			name:   "kms:KeyAgreementAlgorithm",
			create: kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeKeyAgreement},
			policy: ckDeny("kms:DeriveSharedSecret", `{"StringEquals":{"kms:KeyAgreementAlgorithm":"ECDH"}}`),
			calls: []ckCall{
				{"ECDH", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					peer, err := ecdh.P256().GenerateKey(rand.Reader)
					if err != nil {
						return err
					}
					der, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
					if err != nil {
						return err
					}
					_, err = k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: der})
					return err
				}, false},
			},
		},
		{
			name:   "kms:DataKeyPairSpec",
			policy: ckDeny("kms:GenerateDataKeyPair", `{"StringNotEquals":{"kms:DataKeyPairSpec":"ECC_NIST_P256"}}`),
			calls: []ckCall{
				{"ECC_NIST_P256", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
					return err
				}, true},
				{"RSA_2048", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: kms.DataKeyPairSpecRsa2048})
					return err
				}, false},
			},
		},
		{
			name:   "kms:KeySpec kms:KeyUsage kms:KeyOrigin kms:MultiRegion of the key",
			create: kms.CreateKeyInput{MultiRegion: true},
			policy: ckDeny("kms:Encrypt", `{"StringEquals":{"kms:KeySpec":"SYMMETRIC_DEFAULT","kms:KeyUsage":"ENCRYPT_DECRYPT","kms:KeyOrigin":"AWS_KMS","kms:MultiRegionKeyType":"PRIMARY"},"Bool":{"kms:MultiRegion":"true"}}`),
			calls: []ckCall{
				{"every value matches", ckEncrypt(nil), false},
			},
		},
		{
			name:   "kms:RequestAlias",
			alias:  "alias/allowed",
			policy: ckDeny("kms:Encrypt", `{"StringNotEquals":{"kms:RequestAlias":"alias/allowed"}}`),
			calls: []ckCall{
				{"by alias name", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					return plEncrypt(ctx, k, "alias/allowed", nil)
				}, true},
				{"by alias ARN", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					return plEncrypt(ctx, k, "arn:aws:kms:us-east-1:111122223333:alias/allowed", nil)
				}, true},
				{"by key id", ckEncrypt(nil), false},
			},
		},
		{
			name:   "kms:ResourceAliases",
			alias:  "alias/finance-key",
			policy: ckDeny("kms:Encrypt", `{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}`),
			calls: []ckCall{
				{"key with the alias", ckEncrypt(nil), false},
			},
		},
		{
			name:   "aws:ResourceTag",
			create: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "Project", TagValue: "Alpha"}}},
			policy: ckDeny("kms:Encrypt", `{"StringEquals":{"aws:ResourceTag/project":"Alpha"}}`),
			calls: []ckCall{
				{"tagged key", ckEncrypt(nil), false},
				{"after untagging", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					if _, err := k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: md.KeyId, TagKeys: []string{"Project"}}); err != nil {
						return err
					}
					return plEncrypt(ctx, k, md.KeyId, nil)
				}, true},
			},
		},
		{
			name:   "aws:RequestTag and aws:TagKeys",
			policy: ckDeny("kms:TagResource", `{"StringEquals":{"aws:RequestTag/Env":"prod"}}`),
			calls: []ckCall{
				{"Env=dev", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []kms.Tag{{TagKey: "Env", TagValue: "dev"}}})
					return err
				}, true},
				{"Env=prod", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []kms.Tag{{TagKey: "Env", TagValue: "prod"}}})
					return err
				}, false},
			},
		},
		{
			name:   "aws:TagKeys on UntagResource",
			create: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "Owner", TagValue: "a"}, {TagKey: "Team", TagValue: "b"}}},
			policy: ckDeny("kms:UntagResource", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"Owner"}}`),
			calls: []ckCall{
				{"Team", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: md.KeyId, TagKeys: []string{"Team"}})
					return err
				}, true},
				{"Owner", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: md.KeyId, TagKeys: []string{"Owner"}})
					return err
				}, false},
			},
		},
		{
			// "kms:ReEncryptOnSameKey": allowed only to the same key.
			name:   "kms:ReEncryptOnSameKey",
			policy: ckDeny("kms:ReEncrypt*", `{"Bool":{"kms:ReEncryptOnSameKey":"false"}}`),
			calls: []ckCall{
				{"same key", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					return ckReEncrypt(ctx, k, md.KeyId, md.KeyId)
				}, true},
				{"to a new key", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					other, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
					if err != nil {
						return err
					}
					return ckReEncrypt(ctx, k, md.KeyId, other.KeyMetadata.KeyId)
				}, false},
			},
		},
		{
			name:   "kms:ScheduleKeyDeletionPendingWindowInDays",
			policy: ckDeny("kms:ScheduleKeyDeletion", `{"NumericLessThan":{"kms:ScheduleKeyDeletionPendingWindowInDays":"21"}}`),
			calls: []ckCall{
				{"7 days", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7})
					return err
				}, false},
				{"default 30 days", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId})
					return err
				}, true},
			},
		},
		{
			// kms:RotationPeriodInDays is the request's RotationPeriodInDays;
			// a request without one has no value (the Numeric operator
			// then does not match).
			name:   "kms:RotationPeriodInDays",
			policy: ckDeny("kms:EnableKeyRotation", `{"NumericGreaterThan":{"kms:RotationPeriodInDays":"180"}}`),
			calls: []ckCall{
				{"90 days", ckEnableRotation(90), true},
				{"180 days", ckEnableRotation(180), true},
				{"181 days", ckEnableRotation(181), false},
				{"no period", ckEnableRotation(0), true},
			},
		},
		{
			name:   "kms:BypassPolicyLockoutSafetyCheck",
			policy: ckDeny("kms:PutKeyPolicy", `{"Bool":{"kms:BypassPolicyLockoutSafetyCheck":"true"}}`),
			calls: []ckCall{
				{"with the check", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					out, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
					if err != nil {
						return err
					}
					_, err = k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: out.Policy})
					return err
				}, true},
				{"bypassing it", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: plPolicy(), BypassPolicyLockoutSafetyCheck: true})
					return err
				}, false},
			},
		},
		{
			name:   "aws:SecureTransport",
			policy: ckDeny("kms:*", `{"Bool":{"aws:SecureTransport":"false"}}`),
			calls: []ckCall{
				{"in-process (secure)", ckEncrypt(nil), true},
				{"plain HTTP", ckAs(kms.CallerInfo{Principal: plRoot, Insecure: true}, ckEncrypt(nil)), false},
			},
		},
		{
			name:   "aws:SourceIp",
			policy: ckDeny("kms:Encrypt", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			calls: []ckCall{
				{"inside", ckAs(kms.CallerInfo{Principal: plRoot, SourceIP: "10.1.2.3"}, ckEncrypt(nil)), true},
				{"outside", ckAs(kms.CallerInfo{Principal: plRoot, SourceIP: "192.168.1.1"}, ckEncrypt(nil)), false},
			},
		},
		{
			// "kms:ViaService": only through Amazon S3.
			name:   "kms:ViaService",
			policy: ckDeny("kms:Encrypt", `{"StringNotEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`),
			calls: []ckCall{
				{"via S3", ckAs(kms.CallerInfo{Principal: plRoot, ViaService: "s3.us-east-1.amazonaws.com"}, ckEncrypt(nil)), true},
				{"directly", ckEncrypt(nil), false},
			},
		},
		{
			// "kms:CustomerMasterKeySpec (deprecated)", "kms:CustomerMasterKeyUsage
			// (deprecated)": they work as kms:KeySpec and kms:KeyUsage.
			name:   "kms:CustomerMasterKeySpec",
			create: kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify},
			policy: ckDeny("kms:Sign", `{"StringEquals":{"kms:CustomerMasterKeySpec":"ECC_NIST_P256"}}`),
			calls:  []ckCall{{"Sign", ckSign(kms.SigningAlgorithmSpecEcdsaSha256, ""), false}},
		},
		{
			name:   "kms:CustomerMasterKeyUsage",
			create: kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify},
			policy: ckDeny("kms:Sign", `{"StringEquals":{"kms:CustomerMasterKeyUsage":"SIGN_VERIFY"}}`),
			calls:  []ckCall{{"Sign", ckSign(kms.SigningAlgorithmSpecEcdsaSha256, ""), false}},
		},
		{
			// "kms:MultiRegionKeyType": PRIMARY or REPLICA, for multi-Region
			// keys; a single-Region key has none.
			name:   "kms:MultiRegionKeyType of a single-Region key",
			policy: ckDeny("kms:Encrypt", `{"Null":{"kms:MultiRegionKeyType":"false"}}`),
			calls:  []ckCall{{"single-Region key", ckEncrypt(nil), true}},
		},
		{
			// "kms:EncryptionAlgorithm" is for the encryption operations
			// only: a Sign request has none.
			name:   "kms:EncryptionAlgorithm only on encryption operations",
			create: kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify},
			policy: ckDeny("kms:*", `{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}`),
			calls:  []ckCall{{"Sign", ckSign(kms.SigningAlgorithmSpecEcdsaSha256, ""), true}},
		},
		{
			// "kms:BypassPolicyLockoutSafetyCheck" is for CreateKey and
			// PutKeyPolicy only.
			name:   "kms:BypassPolicyLockoutSafetyCheck on other operations",
			policy: ckDeny("kms:Encrypt", `{"Bool":{"kms:BypassPolicyLockoutSafetyCheck":"false"}}`),
			calls:  []ckCall{{"Encrypt", ckEncrypt(nil), true}},
		},
		{
			// "kms:GrantOperations": the operations of the grant to be.
			name:   "kms:GrantOperations",
			policy: ckDeny("kms:CreateGrant", `{"ForAnyValue:StringEquals":{"kms:GrantOperations":"Decrypt"}}`),
			calls: []ckCall{
				{"Encrypt", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}), true},
				{"Encrypt and Decrypt", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt, kms.GrantOperationDecrypt}}), false},
			},
		},
		{
			// "kms:GranteePrincipal": only grants to Alice.
			name:   "kms:GranteePrincipal",
			policy: ckDeny("kms:CreateGrant", `{"StringNotEquals":{"kms:GranteePrincipal":"`+plAlice+`"}}`),
			calls: []ckCall{
				{"to Alice", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}), true},
				{"to Bob", ckGrant(kms.CreateGrantInput{GranteePrincipal: plBob, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}), false},
			},
		},
		{
			// "kms:RetiringPrincipal": no grant Bob may retire.
			name:   "kms:RetiringPrincipal",
			policy: ckDeny("kms:CreateGrant", `{"StringEquals":{"kms:RetiringPrincipal":"`+plBob+`"}}`),
			calls: []ckCall{
				{"no retiring principal", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}), true},
				{"retired by Bob", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, RetiringPrincipal: plBob, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}), false},
			},
		},
		{
			// "kms:GrantConstraintType": grants must have an
			// EncryptionContextSubset constraint.
			name:   "kms:GrantConstraintType",
			policy: ckDeny("kms:CreateGrant", `{"StringNotEquals":{"kms:GrantConstraintType":"EncryptionContextSubset"}}`),
			calls: []ckCall{
				{"subset", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt},
					Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"Dept": "IT"}}}), true},
				{"equals", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt},
					Constraints: &kms.GrantConstraints{EncryptionContextEquals: map[string]string{"Dept": "IT"}}}), false},
				{"no constraint", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}), false},
			},
		},
		{
			// "kms:EncryptionContext:context-key" on CreateGrant: the
			// encryption context of the grant's constraint.
			name:   "kms:EncryptionContext:context-key on CreateGrant",
			policy: ckDeny("kms:CreateGrant", `{"StringNotEquals":{"kms:EncryptionContext:Dept":"IT"}}`),
			calls: []ckCall{
				{"equals Dept=IT", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt},
					Constraints: &kms.GrantConstraints{EncryptionContextEquals: map[string]string{"Dept": "IT"}}}), true},
				{"subset Dept=IT", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt},
					Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"Dept": "IT"}}}), true},
				{"subset Dept=HR", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt},
					Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"Dept": "HR"}}}), false},
			},
		},
		{
			// "kms:GrantIsForAWSResource": grant operations only through an
			// integrated AWS service; the key is for CreateGrant, ListGrants
			// and RevokeGrant only.
			name:   "kms:GrantIsForAWSResource",
			policy: ckDeny("kms:*", `{"Bool":{"kms:GrantIsForAWSResource":"false"}}`),
			calls: []ckCall{
				{"CreateGrant via EBS", ckAs(kms.CallerInfo{Principal: plRoot, ViaService: "ec2.us-east-1.amazonaws.com"},
					ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})), true},
				{"CreateGrant directly", ckGrant(kms.CreateGrantInput{GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}), false},
				{"ListGrants directly", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})
					return err
				}, false},
				{"RevokeGrant directly", func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
					_, err := k.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: strings.Repeat("ab", 32)})
					return err
				}, false},
				{"Encrypt (no such key)", ckEncrypt(nil), true},
			},
		},
		{
			// "aws:SourceArn" (IAM User Guide, "AWS global condition
			// context keys"): the resource a service acts for.
			name:   "aws:SourceArn",
			policy: ckDeny("kms:Encrypt", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::finance-*"}}`),
			calls: []ckCall{
				{"for a finance bucket", ckAs(kms.CallerInfo{Principal: plRoot, SourceArn: "arn:aws:s3:::finance-2026"}, ckEncrypt(nil)), true},
				{"for another bucket", ckAs(kms.CallerInfo{Principal: plRoot, SourceArn: "arn:aws:s3:::other"}, ckEncrypt(nil)), false},
			},
		},
		{
			// "aws:RequestedRegion": the handle's Region.
			name:   "aws:RequestedRegion",
			policy: ckDeny("kms:Encrypt", `{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`),
			calls:  []ckCall{{"in us-east-1", ckEncrypt(nil), false}},
		},
		{
			// A key no request here has (aws:SourceVpc: no VPC endpoint)
			// is absent: "Null": "false" does not match. (kms:ExpirationModel,
			// ImportKeyMaterial's, is absent from Encrypt by its own case.)
			name:   "a key the request lacks",
			policy: ckDeny("kms:Encrypt", `{"Null":{"aws:SourceVpc":"false"}}`),
			calls:  []ckCall{{"Encrypt", ckEncrypt(nil), true}},
		},
		{
			// kms:WrappingAlgorithm and kms:WrappingKeySpec are
			// GetParametersForImport's members.
			name:   "kms:WrappingAlgorithm",
			create: kms.CreateKeyInput{Origin: kms.OriginTypeExternal},
			policy: ckDeny("kms:GetParametersForImport", `{"StringNotEquals":{"kms:WrappingAlgorithm":"RSA_AES_KEY_WRAP_SHA_256"}}`),
			calls: []ckCall{
				{"RSA_AES_KEY_WRAP_SHA_256", ckParams(kms.AlgorithmSpecRsaAesKeyWrapSha256, kms.WrappingKeySpecRsa2048), true},
				{"RSAES_OAEP_SHA_256", ckParams(kms.AlgorithmSpecRsaesOaepSha256, kms.WrappingKeySpecRsa2048), false},
			},
		},
		{
			name:   "kms:WrappingKeySpec",
			create: kms.CreateKeyInput{Origin: kms.OriginTypeExternal},
			policy: ckDeny("kms:GetParametersForImport", `{"StringEquals":{"kms:WrappingKeySpec":"RSA_2048"}}`),
			calls: []ckCall{
				{"RSA_3072", ckParams(kms.AlgorithmSpecRsaesOaepSha256, kms.WrappingKeySpecRsa3072), true},
				{"RSA_2048", ckParams(kms.AlgorithmSpecRsaesOaepSha256, kms.WrappingKeySpecRsa2048), false},
			},
		},
		{
			// kms:ExpirationModel is ImportKeyMaterial's, the default
			// KEY_MATERIAL_EXPIRES when the request has none.
			name:   "kms:ExpirationModel",
			create: kms.CreateKeyInput{Origin: kms.OriginTypeExternal},
			policy: ckDeny("kms:ImportKeyMaterial", `{"StringEquals":{"kms:ExpirationModel":"KEY_MATERIAL_EXPIRES"}}`),
			calls: []ckCall{
				{"KEY_MATERIAL_DOES_NOT_EXPIRE", ckImport(kms.ExpirationModelTypeKeyMaterialDoesNotExpire, time.Time{}), true},
				{"KEY_MATERIAL_EXPIRES", ckImport(kms.ExpirationModelTypeKeyMaterialExpires, kmstest.Start.Add(time.Hour)), false},
				{"no ExpirationModel", ckImport("", kmstest.Start.Add(time.Hour)), false},
			},
		},
		{
			// kms:ValidTo is ImportKeyMaterial's ValidTo in seconds since
			// the epoch, for the Numeric operators; absent without one.
			name:   "kms:ValidTo",
			create: kms.CreateKeyInput{Origin: kms.OriginTypeExternal},
			policy: ckDeny("kms:ImportKeyMaterial", `{"NumericGreaterThan":{"kms:ValidTo":"`+strconv.FormatInt(kmstest.Start.Add(30*24*time.Hour).Unix(), 10)+`"}}`),
			calls: []ckCall{
				{"in 30 days", ckImport("", kmstest.Start.Add(30*24*time.Hour)), true},
				{"in 30 days and a second", ckImport("", kmstest.Start.Add(30*24*time.Hour+time.Second)), false},
				{"no ValidTo", ckImport(kms.ExpirationModelTypeKeyMaterialDoesNotExpire, time.Time{}), true},
			},
		},
		{
			name:   "aws:PrincipalArn",
			policy: ckDeny("kms:Encrypt", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/B*"}}`),
			calls: []ckCall{
				{"Alice", ckAs(kms.CallerInfo{Principal: plAlice}, ckEncrypt(nil)), true},
				{"Bob", ckAs(kms.CallerInfo{Principal: plBob}, ckEncrypt(nil)), false},
			},
		},
	}
	for _, tt := range tests {
		for _, c := range tt.calls {
			t.Run(tt.name+"/"+c.name, func(t *testing.T) {
				k, _ := kmstest.New(t)
				in := tt.create
				in.Policy = tt.policy
				out, err := k.CreateKey(t.Context(), &in)
				if err != nil {
					t.Fatal(err)
				}
				if tt.alias != "" {
					if _, err := k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: tt.alias, TargetKeyId: out.KeyMetadata.KeyId}); err != nil {
						t.Fatal(err)
					}
				}
				err = c.call(t.Context(), k, out.KeyMetadata)
				if c.allowed && err != nil {
					t.Fatalf("want allowed, got %v", err)
				}
				if !c.allowed {
					azWantCode(t, err, kms.ErrAccessDenied, "with an explicit deny in a resource-based policy")
				}
			})
		}
	}
}

// ckParams calls GetParametersForImport on the key.
func ckParams(alg kms.AlgorithmSpec, spec kms.WrappingKeySpec) func(context.Context, *kms.KMS, *kms.KeyMetadata) error {
	return func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
		_, err := k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: alg, WrappingKeySpec: spec})
		return err
	}
}

// ckImport imports 32 random bytes into the key, with model and validTo.
func ckImport(model kms.ExpirationModelType, validTo time.Time) func(context.Context, *kms.KMS, *kms.KeyMetadata) error {
	return func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
		p, err := k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId, WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048})
		if err != nil {
			return err
		}
		pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
		if err != nil {
			return err
		}
		wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), imRandom(32), nil)
		if err != nil {
			return err
		}
		_, err = k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: model, ValidTo: validTo})
		return err
	}
}

// ckGrant calls CreateGrant on the key with in.
func ckGrant(in kms.CreateGrantInput) func(context.Context, *kms.KMS, *kms.KeyMetadata) error {
	return func(ctx context.Context, k *kms.KMS, md *kms.KeyMetadata) error {
		in.KeyId = md.KeyId
		_, err := k.CreateGrant(ctx, &in)
		return err
	}
}

func ckReEncrypt(ctx context.Context, k *kms.KMS, from, to string) error {
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: from, Plaintext: []byte("x")})
	if err != nil {
		return err
	}
	_, err = k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: to})
	return err
}

// TestConditionKeysOnCreateKey: kms:KeySpec, kms:KeyUsage, kms:KeyOrigin,
// kms:MultiRegion, aws:RequestTag and aws:TagKeys describe the key to be
// created, in IAM policies ("Condition keys for AWS KMS": CreateKey).
func TestConditionKeysOnCreateKey(t *testing.T) {
	iam := kms.IdentityPolicies{
		plAlice: {plIAM(
			`{"Effect":"Allow","Action":"kms:CreateKey","Resource":"*","Condition":{"StringEquals":{"kms:KeySpec":"SYMMETRIC_DEFAULT","kms:KeyUsage":"ENCRYPT_DECRYPT","kms:KeyOrigin":"AWS_KMS","aws:RequestTag/Team":"blue"},"Bool":{"kms:MultiRegion":"false"},"ForAllValues:StringEquals":{"aws:TagKeys":["Team","Cost"]}}}`,
			`{"Effect":"Allow","Action":"kms:PutKeyPolicy","Resource":"*"}`,
		)},
	}
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: iam})
	alice := kms.WithCaller(t.Context(), plAlice)
	blue := []kms.Tag{{TagKey: "Team", TagValue: "blue"}}
	tests := []struct {
		name    string
		in      kms.CreateKeyInput
		allowed bool
	}{
		{"matching", kms.CreateKeyInput{Tags: blue}, true},
		{"two allowed tag keys", kms.CreateKeyInput{Tags: append(blue, kms.Tag{TagKey: "Cost", TagValue: "1"})}, true},
		{"another tag key", kms.CreateKeyInput{Tags: append(blue, kms.Tag{TagKey: "Other", TagValue: "1"})}, false},
		{"no tag", kms.CreateKeyInput{}, false},
		{"RSA", kms.CreateKeyInput{Tags: blue, KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt}, false},
		{"HMAC", kms.CreateKeyInput{Tags: blue, KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}, false},
		{"multi-Region", kms.CreateKeyInput{Tags: blue, MultiRegion: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := k.CreateKey(alice, &tt.in)
			if tt.allowed && err != nil {
				t.Fatalf("want allowed: %v", err)
			}
			if !tt.allowed {
				azWantCode(t, err, kms.ErrAccessDenied, "kms:CreateKey because no identity-based policy allows")
			}
		})
	}
}

// TestResourceAliasesInIAMPolicy: "kms:ResourceAliases" is for IAM
// policies: allow a role every key whose alias matches (ABAC for AWS KMS).
func TestResourceAliasesInIAMPolicy(t *testing.T) {
	iam := kms.IdentityPolicies{plAlice: {plIAM(`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}}`)}}
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: iam})
	ctx := t.Context()
	finance, other := plKey(t, k, ""), plKey(t, k, "")
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/finance-2026", TargetKeyId: finance.KeyId}); err != nil {
		t.Fatal(err)
	}
	alice := kms.WithCaller(ctx, plAlice)
	if err := plEncrypt(alice, k, finance.KeyId, nil); err != nil {
		t.Fatalf("key with a finance alias: %v", err)
	}
	azWantCode(t, plEncrypt(alice, k, other.KeyId, nil), kms.ErrAccessDenied, "no identity-based policy")
}

// ckWithin runs call and fails the test if it does not return within ten
// seconds: an authorization that reads the store outside the transaction
// its operation holds waits for that transaction forever.
func ckWithin(t *testing.T, name string, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return within 10 s: its authorization waits for its own transaction", name)
		return nil
	}
}

// TestAuthorizationInsideWriteTransactions: operations that authorize
// inside their write transaction (key updates, PutKeyPolicy's lockout
// check, alias writes, CreateGrant, RevokeGrant) evaluate conditions that
// read the store (kms:ResourceAliases) and the key's grants in that
// transaction, and decide as outside one.
func TestAuthorizationInsideWriteTransactions(t *testing.T) {
	iam := kms.IdentityPolicies{
		plAlice: {plIAM(
			`{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}}`,
			`{"Effect":"Allow","Action":"kms:*Alias","Resource":"arn:aws:kms:*:*:alias/*"}`,
		)},
		plBob: nil,
	}
	// Not kmstest's handle: after a deadlock (the failure this test looks
	// for) the stuck call holds the store, and closing the handle in the
	// test's cleanup would wait for it until the test binary's timeout.
	k, err := kms.New(kms.Options{IdentityPolicies: iam, Clock: kmstest.NewClock(kmstest.Start)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			k.Close()
		}
	})
	ctx := t.Context()
	md := plKey(t, k, "")
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/finance-1", TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	other := plKey(t, k, "")
	g := grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plBob,
		Operations: []kms.GrantOperation{kms.GrantOperationCreateGrant, kms.GrantOperationEncrypt}})
	alice, bob := kms.WithCaller(ctx, plAlice), kms.WithCaller(ctx, plBob)
	pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	allowed := []struct {
		name string
		call func() error
	}{
		{"UpdateKeyDescription", func() error {
			_, err := k.UpdateKeyDescription(alice, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: "d"})
			return err
		}},
		{"PutKeyPolicy", func() error {
			_, err := k.PutKeyPolicy(alice, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: pol.Policy})
			return err
		}},
		{"CreateGrant by Alice", func() error {
			_, err := k.CreateGrant(alice, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plBob, Operations: []kms.GrantOperation{kms.GrantOperationDecrypt}})
			return err
		}},
		{"CreateGrant by Bob through his grant", func() error {
			_, err := k.CreateGrant(bob, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
			return err
		}},
		{"CreateAlias", func() error {
			_, err := k.CreateAlias(alice, &kms.CreateAliasInput{AliasName: "alias/finance-2", TargetKeyId: md.KeyId})
			return err
		}},
		{"RevokeGrant", func() error {
			_, err := k.RevokeGrant(alice, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g.GrantId})
			return err
		}},
	}
	for _, tt := range allowed {
		if err := ckWithin(t, tt.name, tt.call); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
	}
	// The key without a finance alias: Alice's policy does not apply, and
	// Bob has no grant for it.
	err = ckWithin(t, "UpdateKeyDescription of another key", func() error {
		_, err := k.UpdateKeyDescription(alice, &kms.UpdateKeyDescriptionInput{KeyId: other.KeyId, Description: "d"})
		return err
	})
	azWantCode(t, err, kms.ErrAccessDenied, "kms:UpdateKeyDescription")
	err = ckWithin(t, "RevokeGrant by Bob", func() error {
		_, err := k.RevokeGrant(bob, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g.GrantId})
		return err
	})
	azWantCode(t, err, kms.ErrAccessDenied, "kms:RevokeGrant")
}
