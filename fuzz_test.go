package kms_test

import (
	"errors"
	"testing"

	"github.com/embedkms/kms"
)

// FuzzListMarkers feeds arbitrary pagination markers (untrusted strings a
// client echoes back) to every List operation: they must never panic, and
// must either page or fail with InvalidMarkerException or
// ValidationException.
func FuzzListMarkers(f *testing.F) {
	k, err := kms.New(kms.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer k.Close()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "a", TagValue: "1"}, {TagKey: "b", TagValue: "2"}}})
	for _, n := range []string{"alias/a", "alias/b"} {
		k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: n, TargetKeyId: key.KeyMetadata.KeyId})
	}
	for range 2 {
		k.CreateKey(ctx, &kms.CreateKeyInput{})
	}
	keys, _ := k.ListKeys(ctx, &kms.ListKeysInput{Limit: 1})
	aliases, _ := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: 1})
	tags, _ := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key.KeyMetadata.KeyId, Limit: 1})
	for _, m := range []string{keys.NextMarker, aliases.NextMarker, tags.NextMarker, "", "a2V5Og", "\xff", "key:"} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, marker string) {
		ok := func(err error) {
			if err != nil && !errors.Is(err, kms.ErrInvalidMarker) && !errors.Is(err, kms.ErrValidation) {
				t.Fatalf("marker %q: %v", marker, err)
			}
		}
		_, err := k.ListKeys(ctx, &kms.ListKeysInput{Marker: marker, Limit: 2})
		ok(err)
		_, err = k.ListAliases(ctx, &kms.ListAliasesInput{Marker: marker, Limit: 2})
		ok(err)
		_, err = k.ListAliases(ctx, &kms.ListAliasesInput{Marker: marker, KeyId: key.KeyMetadata.KeyId, Limit: 1})
		ok(err)
		_, err = k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key.KeyMetadata.KeyId, Marker: marker, Limit: 1})
		ok(err)
	})
}
