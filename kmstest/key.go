package kmstest

import (
	"context"
	"testing"

	"github.com/embedkms/kms"
)

// KeyOption configures a key Key creates.
type KeyOption func(*keyConfig)

type keyConfig struct {
	spec        kms.KeySpec
	usage       kms.KeyUsageType
	description string
	policy      string
	tags        []kms.Tag
	multiRegion bool
	seed        *string // Deterministic's seed; nil: CreateKey's random id and material
}

// Spec makes the key of spec and usage, as CreateKey's KeySpec and
// KeyUsage: kmstest.Spec(kms.KeySpecHmac256,
// kms.KeyUsageTypeGenerateVerifyMac). Without it the key is
// SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT. A pair CreateKey refuses ends
// the test with its ValidationException.
func Spec(spec kms.KeySpec, usage kms.KeyUsageType) KeyOption {
	return func(c *keyConfig) { c.spec, c.usage = spec, usage }
}

// Description sets the key's description.
func Description(d string) KeyOption {
	return func(c *keyConfig) { c.description = d }
}

// Tag adds the tag key=value to the key; repeat it for more tags.
func Tag(key, value string) KeyOption {
	return func(c *keyConfig) { c.tags = append(c.tags, kms.Tag{TagKey: key, TagValue: value}) }
}

// Policy sets the key policy, a JSON document; without it the key gets
// the default key policy.
func Policy(policy string) KeyOption {
	return func(c *keyConfig) { c.policy = policy }
}

// MultiRegion makes the key a multi-Region primary key (its id starts
// with "mrk-").
func MultiRegion() KeyOption {
	return func(c *keyConfig) { c.multiRegion = true }
}

// Key creates a customer managed key in k and returns its key id. By
// default it is a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT, made by
// CreateKey with the default key policy; options set its spec and usage,
// description, tags and policy, or make its id and material follow from a
// seed (Deterministic). An error ends the test (t.Fatal), wrapping the
// error kms returned. It must be called from the test's goroutine.
func Key(t testing.TB, k *kms.KMS, opts ...KeyOption) string {
	t.Helper()
	c := keyConfig{spec: kms.KeySpecSymmetricDefault, usage: kms.KeyUsageTypeEncryptDecrypt}
	for _, opt := range opts {
		opt(&c)
	}
	if c.seed != nil {
		id, err := seedKey(k, &c)
		if err != nil {
			t.Fatalf("kmstest.Key: %v", err)
		}
		return id
	}
	out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{
		KeySpec:     c.spec,
		KeyUsage:    c.usage,
		Description: c.description,
		Policy:      c.policy,
		Tags:        c.tags,
		MultiRegion: c.multiRegion,
	})
	if err != nil {
		t.Fatalf("kmstest.Key: CreateKey: %v", err)
	}
	return out.KeyMetadata.KeyId
}

// Alias creates the alias name ("alias/...") for the key keyID (a key id
// or ARN) of k, with CreateAlias. An error ends the test (t.Fatal),
// wrapping the error kms returned. It must be called from the test's
// goroutine.
func Alias(t testing.TB, k *kms.KMS, name, keyID string) {
	t.Helper()
	if _, err := k.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: name, TargetKeyId: keyID}); err != nil {
		t.Fatalf("kmstest.Alias: CreateAlias: %v", err)
	}
}
