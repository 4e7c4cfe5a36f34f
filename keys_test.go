package kms_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/kmstest"
	"github.com/embedkms/kms/policy"
)

// Tests of the key lifecycle: CreateKey, DescribeKey, ListKeys,
// UpdateKeyDescription, EnableKey, DisableKey, ScheduleKeyDeletion,
// CancelKeyDeletion, and deletion when the clock says it is due.
// Sources: the AWS KMS API Reference
// (https://docs.aws.amazon.com/kms/latest/APIReference/), the model in
// aws/aws-sdk-go-v2 codegen/sdk-codegen/aws-models/kms.json, and AWS
// responses recorded in LocalStack's tests/aws/services/kms/
// test_kms.snapshot.json (commit 8b9a79f; cited below as "LocalStack
// <test>", with the snapshot key where useful) or quoted in public issues.

const (
	lcAccount      = kms.DefaultAccountID
	lcOtherAccount = "444455556666"
	lcRegion       = kms.DefaultRegion
	lcDay          = 24 * time.Hour
	// A well-formed key id that no test creates.
	lcUnknownID = "1234abcd-12ab-34cd-56ef-1234567890ab"
)

var (
	lcKeyARNRE = regexp.MustCompile(`^arn:aws:kms:us-east-1:111122223333:key/([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$`)
	lcMRKIDRE  = regexp.MustCompile(`^mrk-[0-9a-f]{32}$`)
	lcHex64RE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func lcKeyARN(account, region, keyID string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + keyID
}

func lcAliasARN(account, region, name string) string {
	return "arn:aws:kms:" + region + ":" + account + ":" + name
}

// lcWantErr checks that err is a *kms.Error with exactly code and message.
func lcWantErr(t *testing.T, err error, code kms.Code, msg string) {
	t.Helper()
	var e *kms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %s: %q", err, string(code), msg)
	}
	if !errors.Is(err, code) || e.ErrorCode() != string(code) || e.ErrorMessage() != msg {
		t.Fatalf("error = %s: %q\nwant    %s: %q", e.ErrorCode(), e.ErrorMessage(), string(code), msg)
	}
}

// lcWantCode checks err's code and that its message contains every part,
// for errors whose exact AWS text is not known.
func lcWantCode(t *testing.T, err error, code kms.Code, parts ...string) {
	t.Helper()
	var e *kms.Error
	if !errors.As(err, &e) || !errors.Is(err, code) {
		t.Fatalf("error = %v, want %s", err, string(code))
	}
	for _, p := range parts {
		if !strings.Contains(e.ErrorMessage(), p) {
			t.Fatalf("error = %s: %q, want the message to contain %q", e.ErrorCode(), e.ErrorMessage(), p)
		}
	}
}

func lcNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func lcCreate(t *testing.T, k *kms.KMS, in *kms.CreateKeyInput) *kms.KeyMetadata {
	t.Helper()
	out, err := k.CreateKey(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return out.KeyMetadata
}

func lcDescribe(t *testing.T, k *kms.KMS, keyID string) *kms.KeyMetadata {
	t.Helper()
	out, err := k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		t.Fatalf("DescribeKey(%q): %v", keyID, err)
	}
	return out.KeyMetadata
}

func lcAlias(t *testing.T, k *kms.KMS, name, target string) {
	t.Helper()
	_, err := k.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: name, TargetKeyId: target})
	lcNoErr(t, err)
}

// lcListAll pages through ListKeys with limit, checking every page's
// Truncated/NextMarker, and returns the key ids in the order listed.
func lcListAll(t *testing.T, k *kms.KMS, limit int32) []string {
	t.Helper()
	var ids []string
	marker := ""
	for page := 0; ; page++ {
		if page > 10000 {
			t.Fatal("ListKeys never stops")
		}
		out, err := k.ListKeys(context.Background(), &kms.ListKeysInput{Limit: limit, Marker: marker})
		lcNoErr(t, err)
		if limit > 0 && len(out.Keys) > int(limit) {
			t.Fatalf("page %d has %d keys, Limit is %d", page, len(out.Keys), limit)
		}
		for _, e := range out.Keys {
			if e.KeyArn != lcKeyARN(k.AccountID(), k.Region(), e.KeyId) {
				t.Fatalf("KeyListEntry %+v: KeyArn does not match KeyId", e)
			}
			ids = append(ids, e.KeyId)
		}
		if out.Truncated != (out.NextMarker != "") {
			t.Fatalf("page %d: Truncated %v with NextMarker %q", page, out.Truncated, out.NextMarker)
		}
		if !out.Truncated {
			return ids
		}
		if limit > 0 && len(out.Keys) != int(limit) {
			t.Fatalf("truncated page %d has %d keys, want Limit %d", page, len(out.Keys), limit)
		}
		marker = out.NextMarker
	}
}

// lcShared returns two handles, for accounts 111122223333 and
// 444455556666 in us-east-1, and one for 111122223333 in eu-west-1, all on
// one memory backend with one fake clock, and the backend.
func lcShared(t *testing.T) (a, b, c *kms.KMS, clock *kmstest.Clock, store backend.Store) {
	t.Helper()
	s := memory.New()
	t.Cleanup(func() { s.Close() })
	clock = kmstest.NewClock(kmstest.Start)
	a, _ = kmstest.NewWithOptions(t, kms.Options{Backend: s, Clock: clock})
	b, _ = kmstest.NewWithOptions(t, kms.Options{Backend: s, Clock: clock, AccountID: lcOtherAccount})
	c, _ = kmstest.NewWithOptions(t, kms.Options{Backend: s, Clock: clock, Region: "eu-west-1"})
	return a, b, c, clock, s
}

func lcStoredKey(t *testing.T, s backend.Store, account, region, keyID string) *records.Key {
	t.Helper()
	var rec *records.Key
	err := authenticatedView(t, s).View(context.Background(), func(tx backend.Txn) error {
		var err error
		rec, err = records.GetKey(tx, account, region, keyID)
		return err
	})
	if err != nil {
		t.Fatalf("reading key record %s: %v", keyID, err)
	}
	return rec
}

// authenticatedView returns the records of s, a memory store used without
// a root key, as the handle sees them: authenticated under its root key.
func authenticatedView(t *testing.T, s backend.Store) backend.Store {
	t.Helper()
	rk, err := keystore.VolatileRootKey(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return rk.Authenticated(s)
}

// --- CreateKey -------------------------------------------------------------

// A key created with no parameters is a symmetric encryption key
// (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT, Origin AWS_KMS),
// enabled, customer managed; DescribeKey of a real AWS key of this kind
// shows exactly these members (LocalStack test_describe_with_alias_arn,
// "describe-key").
func TestCreateKeyDefaults(t *testing.T) {
	k, clock := kmstest.New(t)
	clock.Advance(90*time.Minute + 250*time.Millisecond)
	md := lcCreate(t, k, nil)

	m := lcKeyARNRE.FindStringSubmatch(md.Arn)
	if m == nil {
		t.Fatalf("Arn = %q, want arn:aws:kms:us-east-1:111122223333:key/<uuid v4>", md.Arn)
	}
	if m[1] != md.KeyId {
		t.Fatalf("Arn %q does not end in KeyId %q", md.Arn, md.KeyId)
	}
	if !lcHex64RE.MatchString(md.CurrentKeyMaterialId) {
		t.Fatalf("CurrentKeyMaterialId = %q, want 64 lowercase hex digits", md.CurrentKeyMaterialId)
	}
	want := &kms.KeyMetadata{
		AWSAccountId:          lcAccount,
		KeyId:                 md.KeyId,
		Arn:                   md.Arn,
		CreationDate:          kmstest.Start.Add(90*time.Minute + 250*time.Millisecond),
		Enabled:               true,
		Description:           "",
		KeyUsage:              kms.KeyUsageTypeEncryptDecrypt,
		KeyState:              kms.KeyStateEnabled,
		Origin:                kms.OriginTypeAwsKms,
		KeyManager:            kms.KeyManagerTypeCustomer,
		CustomerMasterKeySpec: kms.CustomerMasterKeySpecSymmetricDefault,
		KeySpec:               kms.KeySpecSymmetricDefault,
		EncryptionAlgorithms:  []kms.EncryptionAlgorithmSpec{kms.EncryptionAlgorithmSpecSymmetricDefault},
		MultiRegion:           false,
		CurrentKeyMaterialId:  md.CurrentKeyMaterialId,
	}
	if !md.CreationDate.Equal(want.CreationDate) {
		t.Fatalf("CreationDate = %v, want the fake clock's %v", md.CreationDate, want.CreationDate)
	}
	md.CreationDate = want.CreationDate // compared above; location may differ
	if !reflect.DeepEqual(md, want) {
		t.Fatalf("CreateKey metadata\n got %+v\nwant %+v", md, want)
	}

	// DescribeKey returns the same metadata.
	got := lcDescribe(t, k, md.KeyId)
	if !got.CreationDate.Equal(want.CreationDate) {
		t.Fatalf("DescribeKey CreationDate = %v, want %v", got.CreationDate, want.CreationDate)
	}
	got.CreationDate = want.CreationDate
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DescribeKey metadata\n got %+v\nwant %+v", got, want)
	}

	// Two keys never share an id or key material.
	md2 := lcCreate(t, k, &kms.CreateKeyInput{})
	if md2.KeyId == md.KeyId || md2.CurrentKeyMaterialId == md.CurrentKeyMaterialId {
		t.Fatalf("two keys share an id or material id: %q/%q, %q/%q", md.KeyId, md2.KeyId, md.CurrentKeyMaterialId, md2.CurrentKeyMaterialId)
	}
}

// Explicitly giving the defaults creates the same kind of key;
// CustomerMasterKeySpec (deprecated) is accepted in place of KeySpec.
func TestCreateKeyExplicitDefaults(t *testing.T) {
	k, _ := kmstest.New(t)
	for _, in := range []*kms.CreateKeyInput{
		{KeySpec: kms.KeySpecSymmetricDefault},
		{KeyUsage: kms.KeyUsageTypeEncryptDecrypt},
		{Origin: kms.OriginTypeAwsKms},
		{CustomerMasterKeySpec: kms.CustomerMasterKeySpecSymmetricDefault},
		{KeySpec: kms.KeySpecSymmetricDefault, KeyUsage: kms.KeyUsageTypeEncryptDecrypt, Origin: kms.OriginTypeAwsKms},
	} {
		md := lcCreate(t, k, in)
		if md.KeySpec != kms.KeySpecSymmetricDefault || md.CustomerMasterKeySpec != kms.CustomerMasterKeySpecSymmetricDefault ||
			md.KeyUsage != kms.KeyUsageTypeEncryptDecrypt || md.Origin != kms.OriginTypeAwsKms {
			t.Fatalf("CreateKey(%+v) = %+v", in, md)
		}
	}
}

func TestCreateKeyDescriptionAndTags(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	long := strings.Repeat("d", kms.MaxDescriptionLength) // the longest allowed
	for _, desc := range []string{"Key for the billing service", "Ünïcödé ✓", long} {
		md := lcCreate(t, k, &kms.CreateKeyInput{Description: desc})
		if md.Description != desc {
			t.Fatalf("CreateKey Description = %q, want %q", md.Description, desc)
		}
		if got := lcDescribe(t, k, md.KeyId).Description; got != desc {
			t.Fatalf("DescribeKey Description = %q, want %q", got, desc)
		}
	}

	// 8192 code points, not bytes: a multi-byte description at the limit is allowed.
	md := lcCreate(t, k, &kms.CreateKeyInput{Description: strings.Repeat("é", kms.MaxDescriptionLength)})
	if n := len([]rune(md.Description)); n != kms.MaxDescriptionLength {
		t.Fatalf("Description has %d code points", n)
	}

	tags := []kms.Tag{{TagKey: "Team", TagValue: "billing"}, {TagKey: "CostCenter", TagValue: ""}, {TagKey: "env:stage", TagValue: "prod/eu-1 = a+b@c"}}
	md = lcCreate(t, k, &kms.CreateKeyInput{Tags: tags})
	out, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	want := slices.Clone(tags)
	slices.SortFunc(want, func(a, b kms.Tag) int { return strings.Compare(a.TagKey, b.TagKey) })
	if !reflect.DeepEqual(out.Tags, want) {
		t.Fatalf("ListResourceTags = %+v, want %+v", out.Tags, want)
	}

	// 50 tags are allowed ("Each resource can have up to 50 user-created tags").
	var fifty []kms.Tag
	for i := range kms.MaxTagsPerKey {
		fifty = append(fifty, kms.Tag{TagKey: fmt.Sprintf("k%02d", i), TagValue: "v"})
	}
	md = lcCreate(t, k, &kms.CreateKeyInput{Tags: fifty})
	out, err = k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if len(out.Tags) != kms.MaxTagsPerKey {
		t.Fatalf("key created with 50 tags lists %d", len(out.Tags))
	}
}

// Without Policy the key gets the AWS default key policy
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
// with one it keeps the document exactly as given.
func TestCreateKeyPolicy(t *testing.T) {
	a, b, _, _, store := lcShared(t)
	md := lcCreate(t, a, nil)
	if got, want := lcStoredKey(t, store, lcAccount, lcRegion, md.KeyId).Policy, policy.DefaultKeyPolicy("aws", lcAccount); got != want {
		t.Fatalf("default policy\n got %q\nwant %q", got, want)
	}
	// The exact text AWS returns (GetKeyPolicy example, botocore examples-1.json).
	const awsDefault = "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::111122223333:root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}"
	if got := policy.DefaultKeyPolicy("aws", lcAccount); got != awsDefault {
		t.Fatalf("policy.DefaultKeyPolicy = %q, want AWS's text %q", got, awsDefault)
	}

	// The default policy names the creating handle's account.
	mdB := lcCreate(t, b, nil)
	if got, want := lcStoredKey(t, store, lcOtherAccount, lcRegion, mdB.KeyId).Policy, policy.DefaultKeyPolicy("aws", lcOtherAccount); got != want {
		t.Fatalf("default policy of account %s\n got %q\nwant %q", lcOtherAccount, got, want)
	}

	custom := `{"Version":"2012-10-17","Id":"custom","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	md = lcCreate(t, a, &kms.CreateKeyInput{Policy: custom})
	if got := lcStoredKey(t, store, lcAccount, lcRegion, md.KeyId).Policy; got != custom {
		t.Fatalf("stored policy = %q, want %q", got, custom)
	}
}

// MultiRegion creates a multi-Region primary key: its id starts with
// "mrk-" and its MultiRegionConfiguration names it the PRIMARY.
func TestCreateKeyMultiRegion(t *testing.T) {
	k, _ := kmstest.New(t)
	md := lcCreate(t, k, &kms.CreateKeyInput{MultiRegion: true, Description: "mrk"})
	if !lcMRKIDRE.MatchString(md.KeyId) {
		t.Fatalf("KeyId = %q, want mrk- and 32 hex digits", md.KeyId)
	}
	keyARN := lcKeyARN(lcAccount, lcRegion, md.KeyId)
	if md.Arn != keyARN || !md.MultiRegion {
		t.Fatalf("Arn %q MultiRegion %v, want %q true", md.Arn, md.MultiRegion, keyARN)
	}
	want := &kms.MultiRegionConfiguration{
		MultiRegionKeyType: kms.MultiRegionKeyTypePrimary,
		PrimaryKey:         &kms.MultiRegionKey{Arn: keyARN, Region: lcRegion},
	}
	for _, got := range []*kms.KeyMetadata{md, lcDescribe(t, k, md.KeyId), lcDescribe(t, k, keyARN)} {
		c := got.MultiRegionConfiguration
		if c == nil || c.MultiRegionKeyType != want.MultiRegionKeyType || !reflect.DeepEqual(c.PrimaryKey, want.PrimaryKey) || len(c.ReplicaKeys) != 0 {
			t.Fatalf("MultiRegionConfiguration = %+v, want %+v with no replicas", c, want)
		}
	}
	// A single-Region key has no MultiRegionConfiguration.
	if md := lcCreate(t, k, nil); md.MultiRegion || md.MultiRegionConfiguration != nil {
		t.Fatalf("single-Region key: MultiRegion %v, MultiRegionConfiguration %+v", md.MultiRegion, md.MultiRegionConfiguration)
	}
	// A multi-Region key encrypts like any symmetric key.
	ctx := context.Background()
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("hi")})
	lcNoErr(t, err)
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if string(dec.Plaintext) != "hi" || dec.KeyId != keyARN {
		t.Fatalf("Decrypt = %q under %q", dec.Plaintext, dec.KeyId)
	}
}

func TestCreateKeyErrors(t *testing.T) {
	tooLong := strings.Repeat("x", kms.MaxDescriptionLength+1)
	var tags51 []kms.Tag
	for i := range kms.MaxTagsPerKey + 1 {
		tags51 = append(tags51, kms.Tag{TagKey: fmt.Sprintf("k%02d", i), TagValue: "v"})
	}
	long129 := strings.Repeat("k", 129)
	long257 := strings.Repeat("v", 257)
	const (
		keyUsageSet = "[SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE]"
		keySpecSet  = "[RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519, ML_KEM_512, ML_KEM_768, ML_KEM_1024]"
		cmkSpecSet  = "[RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2]"
		originSet   = "[AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]"
	)
	tests := []struct {
		name string
		in   kms.CreateKeyInput
		code kms.Code
		msg  string   // exact message, where AWS's text is known
		has  []string // otherwise: parts the message contains
	}{
		// Model constraints: Description is 0..8192 characters.
		{name: "description too long", in: kms.CreateKeyInput{Description: tooLong}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value '" + tooLong + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192"},
		// Enums: AWS names the member in lowerCamelCase and lists the
		// enum's values (LocalStack test_hmac_create_key_invalid_operations,
		// "create-hmac-key-invalid-key-usage").
		{name: "bad KeyUsage", in: kms.CreateKeyInput{KeyUsage: "RANDOM"}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: " + keyUsageSet},
		{name: "bad KeySpec", in: kms.CreateKeyInput{KeySpec: "AES_256"}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value 'AES_256' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: " + keySpecSet},
		{name: "bad CustomerMasterKeySpec", in: kms.CreateKeyInput{CustomerMasterKeySpec: "ML_DSA_44"}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value 'ML_DSA_44' at 'customerMasterKeySpec' failed to satisfy constraint: Member must satisfy enum value set: " + cmkSpecSet},
		{name: "bad Origin", in: kms.CreateKeyInput{Origin: "aws_kms"}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value 'aws_kms' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: " + originSet},
		{name: "two violations", in: kms.CreateKeyInput{KeyUsage: "RANDOM", Origin: "NOPE"}, code: kms.ErrValidation,
			msg: "2 validation errors detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: " + keyUsageSet +
				"; Value 'NOPE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: " + originSet},
		// Policy: 1..131072 characters of [\u0009\u000A\u000D\u0020-\u00FF].
		{name: "policy outside the allowed characters", in: kms.CreateKeyInput{Policy: `{"Id":"Ā"}`}, code: kms.ErrValidation,
			has: []string{"at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern"}},
		{name: "policy too long", in: kms.CreateKeyInput{Policy: strings.Repeat(" ", 131073)}, code: kms.ErrValidation,
			has: []string{"at 'policy' failed to satisfy constraint: Member must have length less than or equal to 131072"}},
		{name: "malformed policy JSON", in: kms.CreateKeyInput{Policy: "not a real policy statement"}, code: kms.ErrMalformedPolicyDocument},
		{name: "truncated policy JSON", in: kms.CreateKeyInput{Policy: `{"Version":"2012-10-17","Statement":[`}, code: kms.ErrMalformedPolicyDocument},
		// KeySpec and the deprecated CustomerMasterKeySpec are exclusive.
		{name: "KeySpec and CustomerMasterKeySpec", in: kms.CreateKeyInput{KeySpec: kms.KeySpecSymmetricDefault, CustomerMasterKeySpec: kms.CustomerMasterKeySpecSymmetricDefault},
			code: kms.ErrValidation, has: []string{"KeySpec", "CustomerMasterKeySpec"}},
		// Real AWS text (LocalStack test_hmac_create_key_invalid_operations,
		// "create-hmac-key-without-key-usage").
		{name: "HMAC KeySpec without KeyUsage", in: kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256}, code: kms.ErrValidation,
			msg: "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{name: "RSA KeySpec without KeyUsage", in: kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048}, code: kms.ErrValidation,
			msg: "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{name: "RSA CustomerMasterKeySpec without KeyUsage", in: kms.CreateKeyInput{CustomerMasterKeySpec: kms.CustomerMasterKeySpecRsa2048}, code: kms.ErrValidation,
			msg: "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		// Not implemented in this version: UnsupportedOperationException.
		{name: "RSA key for MACs", in: kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}, code: kms.ErrValidation, has: []string{"GENERATE_VERIFY_MAC", "RSA_2048"}},
		{name: "SM2 outside China Regions", in: kms.CreateKeyInput{KeySpec: kms.KeySpecSm2, KeyUsage: kms.KeyUsageTypeSignVerify}, code: kms.ErrValidation, has: []string{"SM2", "China"}},
		{name: "EXTERNAL origin, ML-KEM", in: kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecMlKem768, KeyUsage: kms.KeyUsageTypeEncapsulateDecapsulate}, code: kms.ErrUnsupportedOperation, has: []string{"ML_KEM_768", "EXTERNAL"}},
		{name: "AWS_CLOUDHSM origin", in: kms.CreateKeyInput{Origin: kms.OriginTypeAwsCloudhsm}, code: kms.ErrUnsupportedOperation, has: []string{"AWS_CLOUDHSM"}},
		{name: "EXTERNAL_KEY_STORE origin", in: kms.CreateKeyInput{Origin: kms.OriginTypeExternalKeyStore, XksKeyId: "ext-key-1"}, code: kms.ErrUnsupportedOperation, has: []string{"EXTERNAL_KEY_STORE"}},
		{name: "symmetric key for signing", in: kms.CreateKeyInput{KeyUsage: kms.KeyUsageTypeSignVerify}, code: kms.ErrValidation, has: []string{"SIGN_VERIFY", "SYMMETRIC_DEFAULT"}},
		// Custom key stores: none exist.
		{name: "unknown custom key store", in: kms.CreateKeyInput{CustomKeyStoreId: "cks-1234567890abcdef0"}, code: kms.ErrCustomKeyStoreNotFound, has: []string{"cks-1234567890abcdef0"}},
		{name: "custom key store id too long", in: kms.CreateKeyInput{CustomKeyStoreId: strings.Repeat("c", 65)}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value '" + strings.Repeat("c", 65) + "' at 'customKeyStoreId' failed to satisfy constraint: Member must have length less than or equal to 64"},
		// XksKeyId is only for keys in an external key store.
		{name: "XksKeyId without EXTERNAL_KEY_STORE", in: kms.CreateKeyInput{XksKeyId: "ext-key-1"}, code: kms.ErrValidation, has: []string{"XksKeyId", "EXTERNAL_KEY_STORE"}},
		{name: "XksKeyId with AWS_KMS origin", in: kms.CreateKeyInput{XksKeyId: "ext-key-1", Origin: kms.OriginTypeAwsKms}, code: kms.ErrValidation, has: []string{"XksKeyId", "EXTERNAL_KEY_STORE"}},
		{name: "XksKeyId outside its pattern", in: kms.CreateKeyInput{XksKeyId: "bad key!", Origin: kms.OriginTypeExternalKeyStore}, code: kms.ErrValidation,
			has: []string{"Value 'bad key!' at 'xksKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern"}},
		// Tags: AWS texts in LocalStack test_create_key_with_invalid_tag_key,
		// test_tag_key_with_duplicate_tag_keys_raises_error (via TagResource)
		// and test_create_key_with_too_many_tags_raises_error.
		{name: "aws: tag prefix", in: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "aws:owner", TagValue: "x"}}}, code: kms.ErrTag, msg: "Tags beginning with aws: are reserved"},
		{name: "AWS: tag prefix, any case", in: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "AWS:owner", TagValue: "x"}}}, code: kms.ErrTag, msg: "Tags beginning with aws: are reserved"},
		{name: "duplicate tag keys", in: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "a", TagValue: "1"}, {TagKey: "a", TagValue: "2"}}}, code: kms.ErrTag, msg: "Duplicate tag keys"},
		{name: "51 tags", in: kms.CreateKeyInput{Tags: tags51}, code: kms.ErrTag, msg: "Too many tags"},
		{name: "tag key too long", in: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "ok", TagValue: "v"}, {TagKey: long129, TagValue: "v"}}}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value '" + long129 + "' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{name: "tag value too long", in: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "k", TagValue: long257}}}, code: kms.ErrValidation,
			msg: "1 validation error detected: Value '" + long257 + "' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{name: "empty tag key", in: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "", TagValue: "v"}}}, code: kms.ErrValidation, has: []string{"tags.1.member.tagKey"}},
		{name: "tag with a character AWS refuses", in: kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "a&b", TagValue: "v"}}}, code: kms.ErrTag, has: []string{"Invalid tag"}},
	}
	k, _ := kmstest.New(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.CreateKey(context.Background(), &tc.in)
			if out != nil {
				t.Fatalf("CreateKey returned %+v with error %v", out, err)
			}
			if tc.msg != "" {
				lcWantErr(t, err, tc.code, tc.msg)
			} else {
				lcWantCode(t, err, tc.code, tc.has...)
			}
		})
	}
	// No failed request created a key.
	if ids := lcListAll(t, k, 0); len(ids) != 0 {
		t.Fatalf("failed CreateKey calls left keys: %v", ids)
	}
}

// --- DescribeKey -----------------------------------------------------------

func TestDescribeKeyIdentifiers(t *testing.T) {
	k, _ := kmstest.New(t)
	md := lcCreate(t, k, &kms.CreateKeyInput{Description: "target"})
	lcCreate(t, k, &kms.CreateKeyInput{Description: "decoy"})
	lcAlias(t, k, "alias/billing", md.KeyId)
	lcAlias(t, k, "alias/team/billing-2", md.Arn)
	for _, id := range []string{
		md.KeyId,
		md.Arn,
		"alias/billing",
		"alias/team/billing-2",
		lcAliasARN(lcAccount, lcRegion, "alias/billing"),
		lcAliasARN(lcAccount, lcRegion, "alias/team/billing-2"),
	} {
		t.Run(id, func(t *testing.T) {
			got := lcDescribe(t, k, id)
			if got.KeyId != md.KeyId || got.Arn != md.Arn || got.Description != "target" {
				t.Fatalf("DescribeKey(%q) = %s %q, want %s", id, got.KeyId, got.Description, md.KeyId)
			}
		})
	}
}

func TestDescribeKeyErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	md := lcCreate(t, k, nil)
	const mrkUnknown = "mrk-1234abcd12ab34cd56ef1234567890ab"
	tooLong := strings.Repeat("a", 2049)
	tests := []struct {
		name, keyID string
		code        kms.Code
		msg         string
		has         []string
	}{
		// Real AWS: an unknown key id or key ARN is expanded to the full ARN
		// (LocalStack test_get_key_does_not_exist).
		{"unknown key id", lcUnknownID, kms.ErrNotFound, "Key '" + lcKeyARN(lcAccount, lcRegion, lcUnknownID) + "' does not exist", nil},
		{"unknown key ARN", lcKeyARN(lcAccount, lcRegion, lcUnknownID), kms.ErrNotFound, "Key '" + lcKeyARN(lcAccount, lcRegion, lcUnknownID) + "' does not exist", nil},
		{"unknown mrk key id", mrkUnknown, kms.ErrNotFound, "Key '" + lcKeyARN(lcAccount, lcRegion, mrkUnknown) + "' does not exist", nil},
		// Real AWS: a malformed key id (LocalStack test_get_key_invalid_uuid).
		{"malformed key id", "fake-key-id", kms.ErrNotFound, "Invalid keyId 'fake-key-id'", nil},
		{"UUID without dashes", "134f2428cec14b25a1ae9048164dba47", kms.ErrNotFound, "Invalid keyId '134f2428cec14b25a1ae9048164dba47'", nil},
		{"malformed mrk id", "mrk-fake-key-id", kms.ErrNotFound, "Invalid keyId 'mrk-fake-key-id'", nil},
		// Real AWS: a key ARN in another Region (LocalStack
		// test_get_key_in_different_region).
		{"key ARN in another Region", lcKeyARN(lcAccount, "ap-southeast-1", md.KeyId), kms.ErrNotFound, "Invalid arn ap-southeast-1", nil},
		{"alias ARN in another Region", lcAliasARN(lcAccount, "eu-west-1", "alias/x"), kms.ErrNotFound, "Invalid arn eu-west-1", nil},
		// Alias not found: AWS's text as quoted in
		// https://github.com/sigstore/cosign/issues/1474.
		{"unknown alias", "alias/missing", kms.ErrNotFound, "Alias " + lcAliasARN(lcAccount, lcRegion, "alias/missing") + " is not found.", nil},
		{"unknown alias ARN", lcAliasARN(lcAccount, lcRegion, "alias/missing"), kms.ErrNotFound, "Alias " + lcAliasARN(lcAccount, lcRegion, "alias/missing") + " is not found.", nil},
		// Malformed ARNs.
		{"ARN of another service", "arn:aws:s3:::my-bucket", kms.ErrInvalidArn, "", []string{"arn:aws:s3:::my-bucket"}},
		{"ARN with a bad account", "arn:aws:kms:us-east-1:1111:key/" + md.KeyId, kms.ErrInvalidArn, "", nil},
		{"ARN with no resource", "arn:aws:kms:us-east-1:111122223333:", kms.ErrInvalidArn, "", nil},
		{"ARN with an empty key id", "arn:aws:kms:us-east-1:111122223333:key/", kms.ErrInvalidArn, "", nil},
		{"ARN of another resource type", "arn:aws:kms:us-east-1:111122223333:grant/abc", kms.ErrInvalidArn, "", nil},
		{"ARN of another partition", "arn:aws-cn:kms:us-east-1:111122223333:key/" + md.KeyId, kms.ErrInvalidArn, "", nil},
		// Model constraints: KeyId is required, 1..2048 characters.
		{"missing KeyId", "", kms.ErrValidation, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null", nil},
		{"KeyId too long", tooLong, kms.ErrValidation, "1 validation error detected: Value '" + tooLong + "' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: tc.keyID})
			if out != nil {
				t.Fatalf("DescribeKey returned %+v with error %v", out, err)
			}
			if tc.msg != "" {
				lcWantErr(t, err, tc.code, tc.msg)
			} else {
				lcWantCode(t, err, tc.code, tc.has...)
			}
		})
	}
	// A nil input is a missing KeyId.
	_, err := k.DescribeKey(context.Background(), nil)
	lcWantErr(t, err, kms.ErrValidation, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	// DescribeKey takes GrantTokens but its model error list has no
	// InvalidGrantTokenException: an unknown token does not fail it.
	if _, err = k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: md.KeyId, GrantTokens: []string{"token"}}); err != nil {
		t.Fatalf("DescribeKey with a grant token: %v", err)
	}
}

// Another account's key is named by its ARN (key or alias ARN). The default
// key policy gives access to the key's own account only, so a caller of
// another account is denied (AccessDeniedException) and a caller of the
// key's account is allowed, whichever handle the call goes through.
func TestDescribeKeyCrossAccount(t *testing.T) {
	a, b, _, _, _ := lcShared(t)
	ctx := context.Background()
	md := lcCreate(t, a, &kms.CreateKeyInput{Description: "owned by 111122223333"})
	lcAlias(t, a, "alias/shared", md.KeyId)
	aliasARN := lcAliasARN(lcAccount, lcRegion, "alias/shared")
	denied := func(caller string) string {
		return "User: " + caller + " is not authorized to perform: kms:DescribeKey on resource: " + md.Arn +
			" because no resource-based policy allows the kms:DescribeKey action"
	}
	otherRoot := "arn:aws:iam::444455556666:root"

	t.Run("other account's handle, by key ARN", func(t *testing.T) {
		_, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.Arn})
		lcWantErr(t, err, kms.ErrAccessDenied, denied(otherRoot))
	})
	t.Run("other account's handle, by alias ARN", func(t *testing.T) {
		_, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aliasARN})
		lcWantErr(t, err, kms.ErrAccessDenied, denied(otherRoot))
	})
	t.Run("other account's handle, explicit caller of that account", func(t *testing.T) {
		_, err := b.DescribeKey(kms.WithCaller(ctx, otherRoot), &kms.DescribeKeyInput{KeyId: md.Arn})
		lcWantErr(t, err, kms.ErrAccessDenied, denied(otherRoot))
	})
	t.Run("other account's user", func(t *testing.T) {
		const alice = "arn:aws:iam::444455556666:user/Alice"
		_, err := b.DescribeKey(kms.WithCaller(ctx, alice), &kms.DescribeKeyInput{KeyId: md.Arn})
		lcWantErr(t, err, kms.ErrAccessDenied, denied(alice))
	})
	t.Run("key's handle, caller of the other account", func(t *testing.T) {
		_, err := a.DescribeKey(kms.WithCaller(ctx, otherRoot), &kms.DescribeKeyInput{KeyId: md.KeyId})
		lcWantErr(t, err, kms.ErrAccessDenied, denied(otherRoot))
	})
	for _, caller := range []string{"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/Bob", "arn:aws:sts::111122223333:assumed-role/Admin/session"} {
		t.Run("other account's handle, caller of the key's account "+caller, func(t *testing.T) {
			out, err := b.DescribeKey(kms.WithCaller(ctx, caller), &kms.DescribeKeyInput{KeyId: md.Arn})
			lcNoErr(t, err)
			if got := out.KeyMetadata; got.Arn != md.Arn || got.AWSAccountId != lcAccount || got.Description != md.Description {
				t.Fatalf("DescribeKey = %+v", got)
			}
		})
		t.Run("key's handle, caller of the key's account "+caller, func(t *testing.T) {
			_, err := a.DescribeKey(kms.WithCaller(ctx, caller), &kms.DescribeKeyInput{KeyId: md.KeyId})
			lcNoErr(t, err)
		})
	}
	t.Run("bare key id resolves in the handle's own account", func(t *testing.T) {
		_, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
		lcWantErr(t, err, kms.ErrNotFound, "Key '"+lcKeyARN(lcOtherAccount, lcRegion, md.KeyId)+"' does not exist")
	})
	t.Run("bare alias name resolves in the handle's own account", func(t *testing.T) {
		_, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/shared"})
		lcWantErr(t, err, kms.ErrNotFound, "Alias "+lcAliasARN(lcOtherAccount, lcRegion, "alias/shared")+" is not found.")
	})
	t.Run("unknown key of another account", func(t *testing.T) {
		arn := lcKeyARN(lcAccount, lcRegion, lcUnknownID)
		_, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: arn})
		lcWantErr(t, err, kms.ErrNotFound, "Key '"+arn+"' does not exist")
	})
}

// --- ListKeys --------------------------------------------------------------

func TestListKeysEmpty(t *testing.T) {
	k, _ := kmstest.New(t)
	for _, in := range []*kms.ListKeysInput{nil, {}, {Limit: 1}} {
		out, err := k.ListKeys(context.Background(), in)
		lcNoErr(t, err)
		if out.Keys == nil || len(out.Keys) != 0 || out.Truncated || out.NextMarker != "" {
			t.Fatalf("ListKeys(%+v) on no keys = %+v, want an empty, non-nil list", in, out)
		}
	}
}

func TestListKeysPagination(t *testing.T) {
	k, _ := kmstest.New(t)
	var want []string
	for range 250 {
		want = append(want, lcCreate(t, k, nil).KeyId)
	}
	slices.Sort(want) // listed in key-id order

	for _, limit := range []int32{1, 7, 100, 249, 250, 251, 1000} {
		t.Run(fmt.Sprint("Limit ", limit), func(t *testing.T) {
			if got := lcListAll(t, k, limit); !slices.Equal(got, want) {
				t.Fatalf("ListKeys with Limit %d listed %d keys, want each of %d once in key-id order", limit, len(got), len(want))
			}
		})
	}

	t.Run("Limit 7 page by page", func(t *testing.T) {
		marker, pages := "", 0
		for {
			out, err := k.ListKeys(context.Background(), &kms.ListKeysInput{Limit: 7, Marker: marker})
			lcNoErr(t, err)
			pages++
			if pages < 36 {
				if len(out.Keys) != 7 || !out.Truncated || out.NextMarker == "" {
					t.Fatalf("page %d: %d keys, Truncated %v, NextMarker %q", pages, len(out.Keys), out.Truncated, out.NextMarker)
				}
				marker = out.NextMarker
				continue
			}
			// 250 = 35*7 + 5: the 36th page is the last.
			if len(out.Keys) != 5 || out.Truncated || out.NextMarker != "" {
				t.Fatalf("last page: %d keys, Truncated %v, NextMarker %q", len(out.Keys), out.Truncated, out.NextMarker)
			}
			break
		}
	})

	// Without Limit a page holds 100 keys (ListKeys Limit: default 100).
	for _, in := range []*kms.ListKeysInput{nil, {}, {Limit: 0}} {
		out, err := k.ListKeys(context.Background(), in)
		lcNoErr(t, err)
		if len(out.Keys) != 100 || !out.Truncated || out.NextMarker == "" {
			t.Fatalf("ListKeys(%+v): %d keys, Truncated %v, want 100 and truncated", in, len(out.Keys), out.Truncated)
		}
		if !slices.Equal(lcIDs(out.Keys), want[:100]) {
			t.Fatal("default page is not the first 100 keys in key-id order")
		}
	}
}

func lcIDs(es []kms.KeyListEntry) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.KeyId
	}
	return ids
}

// A page that ends exactly at the last key is not truncated.
func TestListKeysExactPages(t *testing.T) {
	k, _ := kmstest.New(t)
	for range 14 {
		lcCreate(t, k, nil)
	}
	out, err := k.ListKeys(context.Background(), &kms.ListKeysInput{Limit: 7})
	lcNoErr(t, err)
	if len(out.Keys) != 7 || !out.Truncated {
		t.Fatalf("first page: %d keys, Truncated %v", len(out.Keys), out.Truncated)
	}
	out, err = k.ListKeys(context.Background(), &kms.ListKeysInput{Limit: 7, Marker: out.NextMarker})
	lcNoErr(t, err)
	if len(out.Keys) != 7 || out.Truncated || out.NextMarker != "" {
		t.Fatalf("second page: %d keys, Truncated %v, NextMarker %q", len(out.Keys), out.Truncated, out.NextMarker)
	}
	out, err = k.ListKeys(context.Background(), &kms.ListKeysInput{Limit: 14})
	lcNoErr(t, err)
	if len(out.Keys) != 14 || out.Truncated || out.NextMarker != "" {
		t.Fatalf("Limit 14: %d keys, Truncated %v, NextMarker %q", len(out.Keys), out.Truncated, out.NextMarker)
	}
}

func TestListKeysErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	md := lcCreate(t, k, nil)
	lcAlias(t, k, "alias/a", md.KeyId)
	lcAlias(t, k, "alias/b", md.KeyId)
	al, err := k.ListAliases(context.Background(), &kms.ListAliasesInput{Limit: 1})
	lcNoErr(t, err)
	if al.NextMarker == "" {
		t.Fatal("ListAliases Limit 1 over 2 aliases gave no NextMarker")
	}
	tests := []struct {
		name string
		in   kms.ListKeysInput
		code kms.Code
		msg  string
	}{
		// ListKeys Limit: 1..1000.
		{"Limit 1001", kms.ListKeysInput{Limit: 1001}, kms.ErrValidation,
			"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"Limit -1", kms.ListKeysInput{Limit: -1}, kms.ErrValidation,
			"1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"Marker not made by ListKeys", kms.ListKeysInput{Marker: "not-a-marker!"}, kms.ErrInvalidMarker, ""},
		{"Marker made by ListAliases", kms.ListKeysInput{Marker: al.NextMarker}, kms.ErrInvalidMarker, ""},
		{"Marker too long", kms.ListKeysInput{Marker: strings.Repeat("A", 1025)}, kms.ErrValidation, ""},
		{"Marker outside its pattern", kms.ListKeysInput{Marker: "Ā"}, kms.ErrValidation, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.ListKeys(context.Background(), &tc.in)
			if out != nil {
				t.Fatalf("ListKeys returned %+v with error %v", out, err)
			}
			if tc.msg != "" {
				lcWantErr(t, err, tc.code, tc.msg)
			} else {
				lcWantCode(t, err, tc.code)
			}
		})
	}
}

// ListKeys lists the keys of the handle's account and Region only, even
// when other accounts and Regions share the backend.
func TestListKeysScope(t *testing.T) {
	a, b, c, _, _ := lcShared(t)
	var wantA, wantB, wantC []string
	for i := range 5 {
		wantA = append(wantA, lcCreate(t, a, nil).KeyId)
		if i < 3 {
			wantB = append(wantB, lcCreate(t, b, nil).KeyId)
		}
		if i < 2 {
			wantC = append(wantC, lcCreate(t, c, nil).KeyId)
		}
	}
	for _, tc := range []struct {
		name string
		k    *kms.KMS
		want []string
	}{{"111122223333 us-east-1", a, wantA}, {"444455556666 us-east-1", b, wantB}, {"111122223333 eu-west-1", c, wantC}} {
		slices.Sort(tc.want)
		for _, limit := range []int32{0, 1, 2} {
			if got := lcListAll(t, tc.k, limit); !slices.Equal(got, tc.want) {
				t.Fatalf("%s, Limit %d: ListKeys = %v, want %v", tc.name, limit, got, tc.want)
			}
		}
	}
	// A key in another Region is named by an ARN with that Region:
	// NotFoundException "Invalid arn <region>" (LocalStack
	// test_get_key_in_different_region, "describe-key-diff-region-with-arn").
	_, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: lcKeyARN(lcAccount, lcRegion, wantA[0])})
	lcWantErr(t, err, kms.ErrNotFound, "Invalid arn us-east-1")
	_, err = c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: wantA[0]})
	lcWantErr(t, err, kms.ErrNotFound, "Key '"+lcKeyARN(lcAccount, "eu-west-1", wantA[0])+"' does not exist")
}

// --- UpdateKeyDescription, EnableKey, DisableKey ---------------------------

func TestUpdateKeyDescription(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	md := lcCreate(t, k, &kms.CreateKeyInput{Description: "old"})
	for _, tc := range []struct{ keyID, desc string }{
		{md.KeyId, "new"},
		{md.Arn, "newer, by ARN"},
		{md.KeyId, strings.Repeat("z", kms.MaxDescriptionLength)},
		{md.KeyId, ""}, // Description may be empty: it clears the description
	} {
		out, err := k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: tc.keyID, Description: tc.desc})
		lcNoErr(t, err)
		if out == nil {
			t.Fatal("UpdateKeyDescription returned nil output")
		}
		if got := lcDescribe(t, k, md.KeyId).Description; got != tc.desc {
			t.Fatalf("Description = %q, want %q", got, tc.desc)
		}
	}

	tooLong := strings.Repeat("y", kms.MaxDescriptionLength+1)
	_, err := k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: tooLong})
	lcWantErr(t, err, kms.ErrValidation, "1 validation error detected: Value '"+tooLong+"' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	if got := lcDescribe(t, k, md.KeyId).Description; got != "" {
		t.Fatalf("rejected update changed the description to %q", got)
	}

	// The other key's description is untouched.
	other := lcCreate(t, k, &kms.CreateKeyInput{Description: "other"})
	_, err = k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: "only this one"})
	lcNoErr(t, err)
	if got := lcDescribe(t, k, other.KeyId).Description; got != "other" {
		t.Fatalf("other key's Description = %q", got)
	}
}

func TestEnableDisableKey(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	md := lcCreate(t, k, nil)
	want := func(state kms.KeyState) {
		t.Helper()
		got := lcDescribe(t, k, md.KeyId)
		if got.KeyState != state || got.Enabled != (state == kms.KeyStateEnabled) {
			t.Fatalf("KeyState %s Enabled %v, want %s", got.KeyState, got.Enabled, state)
		}
	}
	disable := func(id string) {
		t.Helper()
		out, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})
		lcNoErr(t, err)
		if out == nil {
			t.Fatal("DisableKey returned nil output")
		}
	}
	enable := func(id string) {
		t.Helper()
		out, err := k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
		lcNoErr(t, err)
		if out == nil {
			t.Fatal("EnableKey returned nil output")
		}
	}

	enable(md.KeyId) // enabling an enabled key succeeds (key-state table)
	want(kms.KeyStateEnabled)
	disable(md.KeyId)
	want(kms.KeyStateDisabled)
	disable(md.Arn) // disabling a disabled key succeeds
	want(kms.KeyStateDisabled)

	// A disabled key cannot encrypt: DisabledException "<key ARN> is disabled."
	_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	lcWantErr(t, err, kms.ErrDisabled, md.Arn+" is disabled.")

	enable(md.Arn)
	want(kms.KeyStateEnabled)
	if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatalf("Encrypt after EnableKey: %v", err)
	}
}

// --- ScheduleKeyDeletion, CancelKeyDeletion --------------------------------

func TestScheduleKeyDeletionWindow(t *testing.T) {
	tests := []struct {
		days     int32
		wantDays int32  // 0: refused
		msg      string // ValidationException message when refused
	}{
		{0, 30, ""}, // absent: "If you do not include a value, it defaults to 30."
		{7, 7, ""},
		{8, 8, ""},
		{15, 15, ""},
		{29, 29, ""},
		{30, 30, ""},
		// "If you include a value, it must be between 7 and 30, inclusive."
		// Real AWS text for 1, as quoted in
		// https://github.com/Skyscanner/kms-issuer/issues/8.
		{1, 0, "PendingWindowInDays must be between 7 and 30"},
		{6, 0, "PendingWindowInDays must be between 7 and 30"},
		{31, 0, "PendingWindowInDays must be between 7 and 30"},
		{365, 0, "PendingWindowInDays must be between 7 and 30"},
		// Outside the model's 1..365: the model's ValidationException.
		{366, 0, "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365"},
		{-1, 0, "1 validation error detected: Value '-1' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.days, " days"), func(t *testing.T) {
			k, clock := kmstest.New(t)
			ctx := context.Background()
			clock.Advance(3*time.Hour + 17*time.Second)
			now := clock.Now()
			md := lcCreate(t, k, nil)
			out, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: tc.days})
			if tc.wantDays == 0 {
				if out != nil {
					t.Fatalf("ScheduleKeyDeletion returned %+v with error %v", out, err)
				}
				lcWantErr(t, err, kms.ErrValidation, tc.msg)
				if got := lcDescribe(t, k, md.KeyId); got.KeyState != kms.KeyStateEnabled || !got.DeletionDate.IsZero() {
					t.Fatalf("refused ScheduleKeyDeletion left KeyState %s DeletionDate %v", got.KeyState, got.DeletionDate)
				}
				return
			}
			lcNoErr(t, err)
			wantDate := now.Add(time.Duration(tc.wantDays) * lcDay)
			if out.KeyId != md.Arn || out.KeyState != kms.KeyStatePendingDeletion || out.PendingWindowInDays != tc.wantDays || !out.DeletionDate.Equal(wantDate) {
				t.Fatalf("ScheduleKeyDeletion = %+v, want KeyId %s, PendingDeletion, %d days, DeletionDate %v", out, md.Arn, tc.wantDays, wantDate)
			}
			got := lcDescribe(t, k, md.KeyId)
			if got.KeyState != kms.KeyStatePendingDeletion || got.Enabled || !got.DeletionDate.Equal(wantDate) {
				t.Fatalf("DescribeKey: KeyState %s Enabled %v DeletionDate %v, want PendingDeletion false %v", got.KeyState, got.Enabled, got.DeletionDate, wantDate)
			}
		})
	}
}

func TestScheduleAndCancelKeyDeletion(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	md := lcCreate(t, k, nil)
	other := lcCreate(t, k, nil)

	// By key ARN; the response names the key by its ARN.
	out, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.Arn, PendingWindowInDays: 10})
	lcNoErr(t, err)
	if out.KeyId != md.Arn {
		t.Fatalf("ScheduleKeyDeletion KeyId = %q, want the key ARN", out.KeyId)
	}
	// A key pending deletion cannot be scheduled again; AWS's text as quoted in
	// https://github.com/hashicorp/terraform-provider-aws/issues/17889.
	_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending deletion.")
	if got := lcDescribe(t, k, md.KeyId).DeletionDate; !got.Equal(kmstest.Start.Add(10 * lcDay)) {
		t.Fatalf("second ScheduleKeyDeletion moved DeletionDate to %v", got)
	}
	// Other keys are unaffected.
	if got := lcDescribe(t, k, other.KeyId); got.KeyState != kms.KeyStateEnabled || !got.DeletionDate.IsZero() {
		t.Fatalf("other key: %s %v", got.KeyState, got.DeletionDate)
	}

	clock.Advance(9 * lcDay)
	cout, err := k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if cout.KeyId != md.Arn {
		t.Fatalf("CancelKeyDeletion KeyId = %q, want the key ARN", cout.KeyId)
	}
	// "When this operation succeeds, the key state of the KMS key is Disabled."
	got := lcDescribe(t, k, md.KeyId)
	if got.KeyState != kms.KeyStateDisabled || got.Enabled || !got.DeletionDate.IsZero() {
		t.Fatalf("after CancelKeyDeletion: KeyState %s Enabled %v DeletionDate %v, want Disabled false zero", got.KeyState, got.Enabled, got.DeletionDate)
	}
	// The old deletion date passes; the key stays.
	clock.Advance(30 * lcDay)
	if got := lcDescribe(t, k, md.KeyId); got.KeyState != kms.KeyStateDisabled {
		t.Fatalf("cancelled key: KeyState %s", got.KeyState)
	}
	// Not pending deletion any more (key-state table [4]), Disabled or Enabled.
	_, err = k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is not pending deletion.")
	_, err = k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	_, err = k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.Arn})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is not pending deletion.")

	// A disabled key can be scheduled too, and cancelling by ARN works.
	_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: other.KeyId})
	lcNoErr(t, err)
	out, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: other.KeyId})
	lcNoErr(t, err)
	if want := clock.Now().Add(30 * lcDay); !out.DeletionDate.Equal(want) || out.PendingWindowInDays != 30 {
		t.Fatalf("default window: DeletionDate %v (%d days), want %v", out.DeletionDate, out.PendingWindowInDays, want)
	}
	_, err = k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: other.Arn})
	lcNoErr(t, err)
	if got := lcDescribe(t, k, other.KeyId).KeyState; got != kms.KeyStateDisabled {
		t.Fatalf("after cancel: %s", got)
	}
}

// The key-management operations take a key id or key ARN, not an alias:
// an alias name or alias ARN is NotFoundException "Invalid keyId '...'".
// The common KeyId errors are those of DescribeKey.
func TestKeyManagementKeyIdErrors(t *testing.T) {
	ops := []struct {
		name string
		call func(k *kms.KMS, keyID string) error
	}{
		{"UpdateKeyDescription", func(k *kms.KMS, id string) error {
			_, err := k.UpdateKeyDescription(context.Background(), &kms.UpdateKeyDescriptionInput{KeyId: id, Description: "d"})
			return err
		}},
		{"EnableKey", func(k *kms.KMS, id string) error {
			_, err := k.EnableKey(context.Background(), &kms.EnableKeyInput{KeyId: id})
			return err
		}},
		{"DisableKey", func(k *kms.KMS, id string) error {
			_, err := k.DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: id})
			return err
		}},
		{"ScheduleKeyDeletion", func(k *kms.KMS, id string) error {
			_, err := k.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: id})
			return err
		}},
		{"CancelKeyDeletion", func(k *kms.KMS, id string) error {
			_, err := k.CancelKeyDeletion(context.Background(), &kms.CancelKeyDeletionInput{KeyId: id})
			return err
		}},
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			k, _ := kmstest.New(t)
			md := lcCreate(t, k, nil)
			lcAlias(t, k, "alias/x", md.KeyId)
			aliasARN := lcAliasARN(lcAccount, lcRegion, "alias/x")
			tooLong := strings.Repeat("a", 2049)
			for _, tc := range []struct {
				name, keyID string
				code        kms.Code
				msg         string
			}{
				{"alias name", "alias/x", kms.ErrNotFound, "Invalid keyId 'alias/x'"},
				{"unknown alias name", "alias/none", kms.ErrNotFound, "Invalid keyId 'alias/none'"},
				{"alias ARN", aliasARN, kms.ErrNotFound, "Invalid keyId '" + aliasARN + "'"},
				{"unknown key", lcUnknownID, kms.ErrNotFound, "Key '" + lcKeyARN(lcAccount, lcRegion, lcUnknownID) + "' does not exist"},
				{"unknown key ARN", lcKeyARN(lcAccount, lcRegion, lcUnknownID), kms.ErrNotFound, "Key '" + lcKeyARN(lcAccount, lcRegion, lcUnknownID) + "' does not exist"},
				{"malformed key id", "nope", kms.ErrNotFound, "Invalid keyId 'nope'"},
				{"key ARN in another Region", lcKeyARN(lcAccount, "eu-west-1", md.KeyId), kms.ErrNotFound, "Invalid arn eu-west-1"},
				{"missing KeyId", "", kms.ErrValidation, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
				{"KeyId too long", tooLong, kms.ErrValidation, "1 validation error detected: Value '" + tooLong + "' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"},
			} {
				lcWantErr(t, o.call(k, tc.keyID), tc.code, tc.msg)
			}
			// A malformed ARN.
			lcWantCode(t, o.call(k, "arn:aws:kms:us-east-1:111122223333:nope"), kms.ErrInvalidArn)
			// None of them touched the key.
			if got := lcDescribe(t, k, md.KeyId); got.KeyState != kms.KeyStateEnabled || got.Description != "" {
				t.Fatalf("refused calls changed the key: %s %q", got.KeyState, got.Description)
			}
		})
	}
	// A nil input is a missing KeyId.
	k, _ := kmstest.New(t)
	ctx := context.Background()
	const missing = "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
	_, err := k.UpdateKeyDescription(ctx, nil)
	lcWantErr(t, err, kms.ErrValidation, missing)
	_, err = k.EnableKey(ctx, nil)
	lcWantErr(t, err, kms.ErrValidation, missing)
	_, err = k.DisableKey(ctx, nil)
	lcWantErr(t, err, kms.ErrValidation, missing)
	_, err = k.ScheduleKeyDeletion(ctx, nil)
	lcWantErr(t, err, kms.ErrValidation, missing)
	_, err = k.CancelKeyDeletion(ctx, nil)
	lcWantErr(t, err, kms.ErrValidation, missing)
}

// --- Deletion when due -----------------------------------------------------

// A key scheduled for deletion stays, PendingDeletion, until its deletion
// date by the handle's clock; after it, the key, its aliases and its
// material are gone: DescribeKey says it does not exist, ListKeys and
// ListAliases no longer show it, and ciphertexts made under it no longer
// decrypt. Whichever operation first notices the date has passed, the
// outcome is the same.
func TestScheduledDeletionHappensWhenDue(t *testing.T) {
	ctx := context.Background()
	type fixture struct {
		k     *kms.KMS
		clock *kmstest.Clock
		md    *kms.KeyMetadata
		keep  *kms.KeyMetadata
		blob  []byte
	}
	setup := func(t *testing.T) *fixture {
		k, clock := kmstest.New(t)
		f := &fixture{k: k, clock: clock, md: lcCreate(t, k, nil), keep: lcCreate(t, k, nil)}
		lcAlias(t, k, "alias/doomed", f.md.KeyId)
		lcAlias(t, k, "alias/doomed-too", f.md.KeyId)
		lcAlias(t, k, "alias/kept", f.keep.KeyId)
		enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/doomed", Plaintext: []byte("secret"), EncryptionContext: map[string]string{"a": "b"}})
		lcNoErr(t, err)
		f.blob = enc.CiphertextBlob
		// Warm the cache: the deletion must win over cached state too.
		if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.blob, EncryptionContext: map[string]string{"a": "b"}}); err != nil {
			t.Fatal(err)
		}
		lcDescribe(t, k, "alias/doomed")
		out, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.md.KeyId, PendingWindowInDays: 7})
		lcNoErr(t, err)
		if want := kmstest.Start.Add(7 * lcDay); !out.DeletionDate.Equal(want) {
			t.Fatalf("DeletionDate = %v, want %v", out.DeletionDate, want)
		}
		return f
	}
	aliasNames := func(t *testing.T, k *kms.KMS) []string {
		t.Helper()
		out, err := k.ListAliases(ctx, &kms.ListAliasesInput{})
		lcNoErr(t, err)
		var names []string
		for _, a := range out.Aliases {
			if a.TargetKeyId != "" { // not a predefined alias/aws/ one
				names = append(names, a.AliasName)
			}
		}
		return names
	}

	t.Run("one second before the deletion date", func(t *testing.T) {
		f := setup(t)
		f.clock.Advance(7*lcDay - time.Second)
		got := lcDescribe(t, f.k, f.md.KeyId)
		if got.KeyState != kms.KeyStatePendingDeletion || !got.DeletionDate.Equal(kmstest.Start.Add(7*lcDay)) {
			t.Fatalf("KeyState %s DeletionDate %v", got.KeyState, got.DeletionDate)
		}
		if ids := lcListAll(t, f.k, 0); !slices.Contains(ids, f.md.KeyId) || len(ids) != 2 {
			t.Fatalf("ListKeys = %v, want both keys", ids)
		}
		if names := aliasNames(t, f.k); !slices.Equal(names, []string{"alias/doomed", "alias/doomed-too", "alias/kept"}) {
			t.Fatalf("ListAliases = %v", names)
		}
		if got := lcDescribe(t, f.k, "alias/doomed"); got.KeyId != f.md.KeyId {
			t.Fatalf("alias/doomed -> %s", got.KeyId)
		}
		// Pending deletion: the key cannot decrypt, but it still exists.
		_, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.blob, EncryptionContext: map[string]string{"a": "b"}})
		lcWantErr(t, err, kms.ErrKMSInvalidState, f.md.Arn+" is pending deletion.")
		// And deletion can still be cancelled.
		_, err = f.k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: f.md.KeyId})
		lcNoErr(t, err)
		f.clock.Advance(lcDay)
		if got := lcDescribe(t, f.k, f.md.KeyId); got.KeyState != kms.KeyStateDisabled {
			t.Fatalf("cancelled key: %s", got.KeyState)
		}
	})

	notFound := func(f *fixture) string { return "Key '" + f.md.Arn + "' does not exist" }
	observers := []struct {
		name  string
		check func(t *testing.T, f *fixture)
	}{
		{"DescribeKey", func(t *testing.T, f *fixture) {
			_, err := f.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: f.md.KeyId})
			lcWantErr(t, err, kms.ErrNotFound, notFound(f))
		}},
		{"DescribeKey by ARN", func(t *testing.T, f *fixture) {
			_, err := f.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: f.md.Arn})
			lcWantErr(t, err, kms.ErrNotFound, notFound(f))
		}},
		{"DescribeKey by alias", func(t *testing.T, f *fixture) {
			_, err := f.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/doomed"})
			lcWantCode(t, err, kms.ErrNotFound)
		}},
		{"ListKeys", func(t *testing.T, f *fixture) {
			if ids := lcListAll(t, f.k, 0); !slices.Equal(ids, []string{f.keep.KeyId}) {
				t.Fatalf("ListKeys = %v, want only %s", ids, f.keep.KeyId)
			}
		}},
		{"ListKeys Limit 1", func(t *testing.T, f *fixture) {
			if ids := lcListAll(t, f.k, 1); !slices.Equal(ids, []string{f.keep.KeyId}) {
				t.Fatalf("ListKeys = %v, want only %s", ids, f.keep.KeyId)
			}
		}},
		{"ListAliases", func(t *testing.T, f *fixture) {
			if names := aliasNames(t, f.k); !slices.Equal(names, []string{"alias/kept"}) {
				t.Fatalf("ListAliases = %v, want only alias/kept", names)
			}
		}},
		{"Decrypt", func(t *testing.T, f *fixture) {
			// Crypto-integrity failures carry an empty message (LocalStack
			// test_encrypt_decrypt_encryption_context,
			// "decrypt_response_without_encryption_context").
			_, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.blob, EncryptionContext: map[string]string{"a": "b"}})
			lcWantErr(t, err, kms.ErrInvalidCiphertext, "")
		}},
		{"Encrypt", func(t *testing.T, f *fixture) {
			_, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: f.md.KeyId, Plaintext: []byte("x")})
			lcWantErr(t, err, kms.ErrNotFound, notFound(f))
		}},
		{"CancelKeyDeletion", func(t *testing.T, f *fixture) {
			_, err := f.k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: f.md.KeyId})
			lcWantErr(t, err, kms.ErrNotFound, notFound(f))
		}},
		{"EnableKey", func(t *testing.T, f *fixture) {
			_, err := f.k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: f.md.Arn})
			lcWantErr(t, err, kms.ErrNotFound, notFound(f))
		}},
		{"UpdateAlias to the deleted key", func(t *testing.T, f *fixture) {
			_, err := f.k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/kept", TargetKeyId: f.md.KeyId})
			lcWantErr(t, err, kms.ErrNotFound, notFound(f))
		}},
	}
	for _, first := range observers {
		t.Run("past the deletion date, first noticed by "+first.name, func(t *testing.T) {
			f := setup(t)
			f.clock.Advance(7*lcDay + time.Second)
			first.check(t, f)
			for _, o := range observers {
				o.check(t, f)
			}
			// The other key and its alias are untouched.
			if got := lcDescribe(t, f.k, "alias/kept"); got.KeyId != f.keep.KeyId || got.KeyState != kms.KeyStateEnabled {
				t.Fatalf("kept key: %+v", got)
			}
			// A new alias may take the deleted alias's name.
			lcAlias(t, f.k, "alias/doomed", f.keep.KeyId)
		})
	}
}

// Deletion is by the clock of the handle that looks, and is seen by every
// handle sharing the backend.
func TestScheduledDeletionSharedBackend(t *testing.T) {
	a, _, _, clock, store := lcShared(t)
	ctx := context.Background()
	a2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, Clock: clock})
	md := lcCreate(t, a, nil)
	lcDescribe(t, a2, md.KeyId) // cached through a2
	_, err := a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7})
	lcNoErr(t, err)
	if got := lcDescribe(t, a2, md.KeyId).KeyState; got != kms.KeyStatePendingDeletion {
		t.Fatalf("second handle sees %s", got)
	}
	clock.Advance(8 * lcDay)
	_, err = a.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	lcWantErr(t, err, kms.ErrNotFound, "Key '"+md.Arn+"' does not exist")
	_, err = a2.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	lcWantErr(t, err, kms.ErrNotFound, "Key '"+md.Arn+"' does not exist")
	err = store.View(ctx, func(tx backend.Txn) error {
		_, err := records.GetKey(tx, lcAccount, lcRegion, md.KeyId)
		return err
	})
	if !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("key record after deletion: %v, want backend.ErrNotFound", err)
	}
}
