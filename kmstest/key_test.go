package kmstest_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// describe returns the metadata of keyID, failing the test on an error.
func describe(t *testing.T, k *kms.KMS, keyID string) *kms.KeyMetadata {
	t.Helper()
	out, err := k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// tagsOf returns the tags of keyID as a map.
func tagsOf(t *testing.T, k *kms.KMS, keyID string) map[string]string {
	t.Helper()
	out, err := k.ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: keyID})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tag := range out.Tags {
		m[tag.TagKey] = tag.TagValue
	}
	return m
}

const testPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

// Key's default is a customer managed SYMMETRIC_DEFAULT key for
// ENCRYPT_DECRYPT with the default key policy; its options set the rest.
// The same table runs with Deterministic, which loads the key through a
// seed instead of CreateKey and must honour the same options.
func TestKey(t *testing.T) {
	for _, tc := range []struct {
		name        string
		opts        []kmstest.KeyOption
		spec        kms.KeySpec
		usage       kms.KeyUsageType
		description string
		tags        map[string]string
		policy      string // "": the default key policy
		multiRegion bool
	}{
		{name: "default", spec: kms.KeySpecSymmetricDefault, usage: kms.KeyUsageTypeEncryptDecrypt},
		{name: "HMAC", opts: []kmstest.KeyOption{kmstest.Spec(kms.KeySpecHmac384, kms.KeyUsageTypeGenerateVerifyMac)},
			spec: kms.KeySpecHmac384, usage: kms.KeyUsageTypeGenerateVerifyMac},
		{name: "RSA signing", opts: []kmstest.KeyOption{kmstest.Spec(kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify)},
			spec: kms.KeySpecRsa2048, usage: kms.KeyUsageTypeSignVerify},
		{name: "description, tags and policy", opts: []kmstest.KeyOption{
			kmstest.Description("orders"), kmstest.Tag("team", "payments"), kmstest.Tag("env", "test"), kmstest.Policy(testPolicy)},
			spec: kms.KeySpecSymmetricDefault, usage: kms.KeyUsageTypeEncryptDecrypt,
			description: "orders", tags: map[string]string{"team": "payments", "env": "test"}, policy: testPolicy},
		{name: "multi-Region", opts: []kmstest.KeyOption{kmstest.MultiRegion(), kmstest.Spec(kms.KeySpecEccNistP256, kms.KeyUsageTypeKeyAgreement)},
			spec: kms.KeySpecEccNistP256, usage: kms.KeyUsageTypeKeyAgreement, multiRegion: true},
	} {
		for _, seeded := range []bool{false, true} {
			name := tc.name
			opts := tc.opts
			if seeded {
				name += "/Deterministic"
				opts = append([]kmstest.KeyOption{kmstest.Deterministic("TestKey " + tc.name)}, opts...)
			}
			t.Run(name, func(t *testing.T) {
				k, _ := kmstest.New(t)
				id := kmstest.Key(t, k, opts...)
				md := describe(t, k, id)
				if md.KeyId != id || md.KeySpec != tc.spec || md.KeyUsage != tc.usage || md.KeyState != kms.KeyStateEnabled ||
					md.KeyManager != kms.KeyManagerTypeCustomer || md.Description != tc.description || md.MultiRegion != tc.multiRegion {
					t.Fatalf("key %s: %+v", id, md)
				}
				if got := strings.HasPrefix(id, "mrk-"); got != tc.multiRegion {
					t.Fatalf("key id %s for multiRegion %v", id, tc.multiRegion)
				}
				if got := tagsOf(t, k, id); !maps.Equal(got, tc.tags) && len(got)+len(tc.tags) > 0 {
					t.Fatalf("tags %v, want %v", got, tc.tags)
				}
				pol, err := k.GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: id})
				if err != nil {
					t.Fatal(err)
				}
				if tc.policy != "" && pol.Policy != tc.policy {
					t.Fatalf("policy %s, want %s", pol.Policy, tc.policy)
				}
				if tc.policy == "" && !strings.Contains(pol.Policy, `"Sid":"Enable IAM User Permissions"`) &&
					!strings.Contains(pol.Policy, `"Sid" : "Enable IAM User Permissions"`) {
					t.Fatalf("policy %s, want the default key policy", pol.Policy)
				}
				if !json.Valid([]byte(pol.Policy)) {
					t.Fatalf("policy %q is not JSON", pol.Policy)
				}
			})
		}
	}
}

// Each Key call makes a new key (without Deterministic).
func TestKeyMakesNewKeys(t *testing.T) {
	k, _ := kmstest.New(t)
	a, b := kmstest.Key(t, k), kmstest.Key(t, k)
	if a == b {
		t.Fatalf("two Key calls gave the same key %s", a)
	}
	out, err := k.ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil || len(out.Keys) != 2 {
		t.Fatalf("ListKeys: %v, %v; want the two keys", out, err)
	}
}

// Key and Alias end the test with the error kms returned, worded as AWS
// words it.
func TestKeyAndAliasFailTheTest(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	for _, tc := range []struct {
		name string
		call func(tb testing.TB)
		want string
	}{
		{"Key, a spec and usage CreateKey refuses", func(tb testing.TB) {
			kmstest.Key(tb, k, kmstest.Spec(kms.KeySpecHmac256, kms.KeyUsageTypeEncryptDecrypt))
		}, "kmstest.Key: CreateKey: ValidationException: "},
		{"Key, a tag key too long", func(tb testing.TB) {
			kmstest.Key(tb, k, kmstest.Tag(strings.Repeat("k", 129), "v"))
		}, "kmstest.Key: CreateKey: ValidationException: "},
		{"Key, Deterministic with an unknown spec", func(tb testing.TB) {
			kmstest.Key(tb, k, kmstest.Deterministic("x"), kmstest.Spec("RSA_1024", kms.KeyUsageTypeSignVerify))
		}, "kmstest.Key: seed: "},
		{"Alias, no alias/ prefix", func(tb testing.TB) { kmstest.Alias(tb, k, "app", key) },
			"kmstest.Alias: CreateAlias: ValidationException: "},
		{"Alias, no such key", func(tb testing.TB) {
			kmstest.Alias(tb, k, "alias/app", "1234abcd-12ab-34cd-56ef-1234567890ab")
		}, "kmstest.Alias: CreateAlias: NotFoundException: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if msg := fatalOf(t, tc.call); !strings.HasPrefix(msg, tc.want) {
				t.Fatalf("Fatal message %q, want it to start %q", msg, tc.want)
			}
		})
	}
	// Nothing was made by the failed calls.
	out, err := k.ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil || len(out.Keys) != 1 {
		t.Fatalf("ListKeys: %v, %v; want only the first key", out, err)
	}
}

func TestAlias(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/orders", key)
	if md := describe(t, k, "alias/orders"); md.KeyId != key {
		t.Fatalf("alias/orders names %s, want %s", md.KeyId, key)
	}
	// A key ARN names the key too, as in CreateAlias.
	other := kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/other", describe(t, k, other).Arn)
	if md := describe(t, k, "alias/other"); md.KeyId != other {
		t.Fatalf("alias/other names %s, want %s", md.KeyId, other)
	}
	// The alias exists once: a second one of the name is refused.
	msg := fatalOf(t, func(tb testing.TB) { kmstest.Alias(tb, k, "alias/orders", other) })
	if !strings.Contains(msg, "AlreadyExistsException") {
		t.Fatalf("second alias/orders: %q", msg)
	}
}
