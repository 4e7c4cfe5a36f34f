package kms_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

func atTags(t *testing.T, k *kms.KMS, keyID string) []kms.Tag {
	t.Helper()
	out, err := k.ListResourceTags(t.Context(), &kms.ListResourceTagsInput{KeyId: keyID})
	if err != nil {
		t.Fatalf("ListResourceTags: %v", err)
	}
	if out.Truncated {
		t.Fatalf("ListResourceTags truncated with the default limit")
	}
	return out.Tags
}

func atTag(t *testing.T, k *kms.KMS, keyID string, tags ...kms.Tag) {
	t.Helper()
	if _, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: keyID, Tags: tags}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
}

// atNumberedTags returns n tags "<prefix>NN" = "vNN".
func atNumberedTags(prefix string, from, n int) []kms.Tag {
	tags := make([]kms.Tag, n)
	for i := range tags {
		tags[i] = kms.Tag{TagKey: fmt.Sprintf("%s%02d", prefix, from+i), TagValue: fmt.Sprintf("v%02d", from+i)}
	}
	return tags
}

// TagResource: "Adds or edits tags on a customer managed key"; "To edit a
// tag, specify an existing tag key and a new tag value." ListResourceTags
// lists them; UntagResource removes them, and "if the specified tag key
// isn't found on the KMS key, it doesn't throw an exception".
func TestTagLifecycle(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	other := kmstest.Key(t, k)

	if got := atTags(t, k, key); got == nil || len(got) != 0 {
		t.Fatalf("a new key has tags %v, want an empty list", got)
	}
	steps := []struct {
		name  string
		tag   []kms.Tag
		untag []string
		want  []kms.Tag // in tag-key order
	}{
		{"add", []kms.Tag{{"Project", "alpha"}, {"CostCenter", "42"}}, nil,
			[]kms.Tag{{"CostCenter", "42"}, {"Project", "alpha"}}},
		{"overwrite one, add one", []kms.Tag{{"Project", "beta"}, {"Owner", "ops"}}, nil,
			[]kms.Tag{{"CostCenter", "42"}, {"Owner", "ops"}, {"Project", "beta"}}},
		{"empty value", []kms.Tag{{"Empty", ""}}, nil,
			[]kms.Tag{{"CostCenter", "42"}, {"Empty", ""}, {"Owner", "ops"}, {"Project", "beta"}}},
		{"keys are case-sensitive", []kms.Tag{{"project", "lower"}}, nil,
			[]kms.Tag{{"CostCenter", "42"}, {"Empty", ""}, {"Owner", "ops"}, {"Project", "beta"}, {"project", "lower"}}},
		{"empty tag list", []kms.Tag{}, nil,
			[]kms.Tag{{"CostCenter", "42"}, {"Empty", ""}, {"Owner", "ops"}, {"Project", "beta"}, {"project", "lower"}}},
		{"untag two", nil, []string{"Owner", "project"},
			[]kms.Tag{{"CostCenter", "42"}, {"Empty", ""}, {"Project", "beta"}}},
		{"untag missing keys", nil, []string{"NotThere", "Owner"},
			[]kms.Tag{{"CostCenter", "42"}, {"Empty", ""}, {"Project", "beta"}}},
		{"untag by key ARN", nil, []string{"Empty"},
			[]kms.Tag{{"CostCenter", "42"}, {"Project", "beta"}}},
		{"untag empty list", nil, []string{},
			[]kms.Tag{{"CostCenter", "42"}, {"Project", "beta"}}},
		{"untag all", nil, []string{"CostCenter", "Project"}, []kms.Tag{}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			id := key
			if strings.Contains(st.name, "ARN") {
				id = atKeyARN(key)
			}
			if st.tag != nil {
				atTag(t, k, id, st.tag...)
			}
			if st.untag != nil {
				if _, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: id, TagKeys: st.untag}); err != nil {
					t.Fatalf("UntagResource: %v", err)
				}
			}
			if got := atTags(t, k, key); !slices.Equal(got, st.want) {
				t.Errorf("tags = %v, want %v", got, st.want)
			}
			if got := atTags(t, k, atKeyARN(key)); !slices.Equal(got, st.want) {
				t.Errorf("tags by key ARN = %v, want %v", got, st.want)
			}
		})
	}
	if got := atTags(t, k, other); len(got) != 0 {
		t.Errorf("the other key has tags %v", got)
	}
}

// Tag keys and values: "Unicode letters, digits, white space, and the
// following characters: _ . : / = + - @".
func TestTagAllowedCharacters(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	tags := []kms.Tag{
		{"Ключ", "значение"},
		{"キー", "値"},
		{"with space", "also with space"},
		{"_.:/=+-@", "_.:/=+-@"},
		{"digits 0123456789", "٣"}, // Arabic-Indic digit three
		{strings.Repeat("k", 128), strings.Repeat("v", 256)},
		{"awskey", "aws:value"}, // only keys beginning with aws: are reserved
		{"x:aws:y", "v"},
	}
	atTag(t, k, key, tags...)
	got := atTags(t, k, key)
	want := slices.Clone(tags)
	slices.SortFunc(want, func(a, b kms.Tag) int { return strings.Compare(a.TagKey, b.TagKey) })
	if !slices.Equal(got, want) {
		t.Errorf("tags = %v\nwant %v", got, want)
	}
}

func TestCreateKeyTags(t *testing.T) {
	k, _ := kmstest.New(t)
	out, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{Tags: []kms.Tag{{"b", "2"}, {"a", "1"}}})
	if err != nil {
		t.Fatalf("CreateKey with tags: %v", err)
	}
	if got, want := atTags(t, k, out.KeyMetadata.KeyId), []kms.Tag{{"a", "1"}, {"b", "2"}}; !slices.Equal(got, want) {
		t.Errorf("tags = %v, want %v", got, want)
	}
	if _, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{Tags: atNumberedTags("t", 0, kms.MaxTagsPerKey)}); err != nil {
		t.Errorf("CreateKey with %d tags: %v", kms.MaxTagsPerKey, err)
	}
}

// Tag rules, checked alike by CreateKey and TagResource. Sources: API model
// (Tag: TagKey 1..128, TagValue 0..256), Developer Guide "Tagging keys"
// (aws: reserved, 50 tags, allowed characters), AWS's messages as recorded
// by LocalStack's validated snapshot tests.
func TestTagRules(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	long := strings.Repeat("k", 129)
	longValue := strings.Repeat("v", 257)
	dup := []kms.Tag{{"a", "1"}, {"b", "2"}, {"a", "3"}}

	tests := []struct {
		name    string
		tags    []kms.Tag
		want    kms.Code
		msg     string // exact message
		contain string // or: a substring, where AWS's text is not known
	}{
		{"tag key longer than 128", []kms.Tag{{"ok", "v"}, {long, "v"}}, kms.ErrValidation,
			"1 validation error detected: Value '" + long + "' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128", ""},
		{"tag value longer than 256", []kms.Tag{{"k", longValue}}, kms.ErrValidation,
			"1 validation error detected: Value '" + longValue + "' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256", ""},
		{"empty tag key", []kms.Tag{{"", "v"}}, kms.ErrValidation, "", "'tags.1.member.tagKey'"},
		{"aws: prefix", []kms.Tag{{"aws:owner", "v"}}, kms.ErrTag, "Tags beginning with aws: are reserved", ""},
		{"AWS: prefix", []kms.Tag{{"AWS:owner", "v"}}, kms.ErrTag, "Tags beginning with aws: are reserved", ""},
		{"Aws: prefix", []kms.Tag{{"ok", "v"}, {"Aws:owner", "v"}}, kms.ErrTag, "Tags beginning with aws: are reserved", ""},
		{"aWS: prefix alone", []kms.Tag{{"aWS:", "v"}}, kms.ErrTag, "Tags beginning with aws: are reserved", ""},
		{"duplicate keys", dup, kms.ErrTag, "Duplicate tag keys", ""},
		{"more than 50 in one request", atNumberedTags("t", 0, kms.MaxTagsPerKey+1), kms.ErrTag, "Too many tags", ""},
		// Real AWS: TagException "Invalid tag" for a key with "&".
		{"invalid character in key", []kms.Tag{{"a&b", "v"}}, kms.ErrTag, "", "Invalid tag"},
		{"invalid character in value", []kms.Tag{{"k", "a*b"}}, kms.ErrTag, "", "Invalid tag"},
		{"tab in key", []kms.Tag{{"a\tb", "v"}}, kms.ErrTag, "", "Invalid tag"},
	}
	check := func(t *testing.T, err error, msg, contain string, want kms.Code) {
		t.Helper()
		if msg != "" {
			atWantErr(t, err, want, msg)
		} else {
			atWantErrContains(t, err, want, contain)
		}
	}
	for _, tc := range tests {
		t.Run("TagResource/"+tc.name, func(t *testing.T) {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: key, Tags: tc.tags})
			check(t, err, tc.msg, tc.contain, tc.want)
		})
		t.Run("CreateKey/"+tc.name, func(t *testing.T) {
			out, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{Tags: tc.tags})
			if out != nil {
				t.Errorf("CreateKey created %s", out.KeyMetadata.KeyId)
			}
			check(t, err, tc.msg, tc.contain, tc.want)
		})
	}
	if got := atTags(t, k, key); len(got) != 0 {
		t.Errorf("failed TagResource calls left tags %v", got)
	}
	keys, err := k.ListKeys(t.Context(), &kms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.Keys) != 1 {
		t.Errorf("failed CreateKey calls left %d keys, want 1", len(keys.Keys))
	}
}

// "Each resource can have up to 50 user-created tags"; the model lists
// LimitExceededException for TagResource.
func TestTagLimitPerKey(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	atTag(t, k, key, atNumberedTags("t", 0, 45)...)

	_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: key, Tags: atNumberedTags("t", 45, 6)})
	atWantErrContains(t, err, kms.ErrLimitExceeded, "50")
	if n := len(atTags(t, k, key)); n != 45 {
		t.Fatalf("after a refused TagResource the key has %d tags, want 45", n)
	}
	// Overwrites do not count: 3 existing + 2 new reach exactly 50.
	atTag(t, k, key, append(atNumberedTags("t", 42, 3), atNumberedTags("t", 45, 2)...)...)
	atTag(t, k, key, atNumberedTags("t", 47, 3)...)
	if n := len(atTags(t, k, key)); n != 50 {
		t.Fatalf("key has %d tags, want 50", n)
	}
	// At 50, overwriting all of them is fine, one more is not.
	overwrite := atNumberedTags("t", 0, 50)
	for i := range overwrite {
		overwrite[i].TagValue = "new"
	}
	atTag(t, k, key, overwrite...)
	_, err = k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: key, Tags: []kms.Tag{{"one-more", "v"}}})
	atWantErrContains(t, err, kms.ErrLimitExceeded, "50")
	// Untagging makes room.
	if _, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: key, TagKeys: []string{"t00"}}); err != nil {
		t.Fatal(err)
	}
	atTag(t, k, key, kms.Tag{TagKey: "one-more", TagValue: "v"})
	tags := atTags(t, k, key)
	if len(tags) != 50 {
		t.Errorf("key has %d tags, want 50", len(tags))
	}
	for _, tg := range tags {
		if tg.TagKey != "one-more" && tg.TagValue != "new" {
			t.Errorf("tag %s = %q, want overwritten", tg.TagKey, tg.TagValue)
		}
	}
}

func TestTagErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	atTag(t, k, key, kms.Tag{TagKey: "keep", TagValue: "me"})
	pending := atPendingDeletionKey(t, k)
	kmstest.Alias(t, k, "alias/tagged", key)
	long := strings.Repeat("k", 129)
	unknownMsg := "Key '" + atKeyARN(atUnknownKeyID) + "' does not exist"
	someTags := []kms.Tag{{"a", "b"}}

	tests := []struct {
		name string
		call func() error
		want kms.Code
		msg  string
	}{
		{"TagResource nil Tags", func() error {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: key})
			return err
		}, kms.ErrValidation, "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"TagResource KeyId missing", func() error {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{Tags: someTags})
			return err
		}, kms.ErrValidation, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"TagResource nil input", func() error {
			_, err := k.TagResource(t.Context(), nil)
			return err
		}, kms.ErrValidation, "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"UntagResource nil TagKeys", func() error {
			_, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: key})
			return err
		}, kms.ErrValidation, "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"UntagResource tag key longer than 128", func() error {
			_, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: key, TagKeys: []string{"ok", long}})
			return err
		}, kms.ErrValidation, "1 validation error detected: Value '" + long + "' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"UntagResource aws: prefix", func() error {
			_, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: key, TagKeys: []string{"keep", "aws:x"}})
			return err
		}, kms.ErrTag, "Tags beginning with aws: are reserved"},
		{"UntagResource AWS: prefix", func() error {
			_, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: key, TagKeys: []string{"AWS:x"}})
			return err
		}, kms.ErrTag, "Tags beginning with aws: are reserved"},
		// Key-state table: TagResource and UntagResource on PendingDeletion -> [3].
		{"TagResource key pending deletion", func() error {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: pending, Tags: someTags})
			return err
		}, kms.ErrKMSInvalidState, atKeyARN(pending) + " is pending deletion."},
		{"UntagResource key pending deletion", func() error {
			_, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: pending, TagKeys: []string{"a"}})
			return err
		}, kms.ErrKMSInvalidState, atKeyARN(pending) + " is pending deletion."},
		// "Specify the key ID or key ARN of the KMS key."; "You cannot tag aliases".
		{"TagResource alias name", func() error {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: "alias/tagged", Tags: someTags})
			return err
		}, kms.ErrNotFound, "Invalid keyId 'alias/tagged'"},
		{"TagResource alias ARN", func() error {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: atAliasARN("alias/tagged"), Tags: someTags})
			return err
		}, kms.ErrNotFound, "Invalid keyId '" + atAliasARN("alias/tagged") + "'"},
		{"UntagResource alias name", func() error {
			_, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: "alias/tagged", TagKeys: []string{"keep"}})
			return err
		}, kms.ErrNotFound, "Invalid keyId 'alias/tagged'"},
		{"ListResourceTags alias name", func() error {
			_, err := k.ListResourceTags(t.Context(), &kms.ListResourceTagsInput{KeyId: "alias/tagged"})
			return err
		}, kms.ErrNotFound, "Invalid keyId 'alias/tagged'"},
		{"TagResource unknown key", func() error {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: atUnknownKeyID, Tags: someTags})
			return err
		}, kms.ErrNotFound, unknownMsg},
		{"UntagResource unknown key", func() error {
			_, err := k.UntagResource(t.Context(), &kms.UntagResourceInput{KeyId: atKeyARN(atUnknownKeyID), TagKeys: []string{"a"}})
			return err
		}, kms.ErrNotFound, unknownMsg},
		{"ListResourceTags unknown key", func() error {
			_, err := k.ListResourceTags(t.Context(), &kms.ListResourceTagsInput{KeyId: atUnknownKeyID})
			return err
		}, kms.ErrNotFound, unknownMsg},
		{"ListResourceTags KeyId missing", func() error {
			_, err := k.ListResourceTags(t.Context(), &kms.ListResourceTagsInput{})
			return err
		}, kms.ErrValidation, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"TagResource key in another Region", func() error {
			_, err := k.TagResource(t.Context(), &kms.TagResourceInput{KeyId: "arn:aws:kms:eu-west-1:111122223333:key/" + key, Tags: someTags})
			return err
		}, kms.ErrNotFound, "Invalid arn eu-west-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			atWantErr(t, tc.call(), tc.want, tc.msg)
		})
	}
	if got, want := atTags(t, k, key), []kms.Tag{{"keep", "me"}}; !slices.Equal(got, want) {
		t.Errorf("tags after failed calls = %v, want %v", got, want)
	}
	// ListResourceTags works in every key state.
	if got := atTags(t, k, pending); len(got) != 0 {
		t.Errorf("pending key tags = %v", got)
	}
}

// ListResourceTags Limit: "If you include a value, it must be between 1
// and 50, inclusive. If you do not include a value, it defaults to 50."
func TestListResourceTagsPagination(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	key := kmstest.Key(t, k)
	all := atNumberedTags("t", 0, kms.MaxTagsPerKey)
	// Tag in two batches, newest keys first, so storage order is not key order.
	atTag(t, k, key, all[25:]...)
	atTag(t, k, key, all[:25]...)

	for _, limit := range []int32{1, 3, 7, 49} {
		t.Run(fmt.Sprintf("Limit %d", limit), func(t *testing.T) {
			var got []kms.Tag
			marker, pages := "", 0
			for {
				out, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key, Limit: limit, Marker: marker})
				if err != nil {
					t.Fatalf("page %d: %v", pages, err)
				}
				pages++
				if out.Truncated != (out.NextMarker != "") {
					t.Fatalf("Truncated %v with NextMarker %q", out.Truncated, out.NextMarker)
				}
				if len(out.Tags) > int(limit) || out.Truncated && len(out.Tags) != int(limit) {
					t.Fatalf("page of %d tags, Truncated %v", len(out.Tags), out.Truncated)
				}
				got = append(got, out.Tags...)
				if !out.Truncated {
					break
				}
				marker = out.NextMarker
			}
			if want := (len(all) + int(limit) - 1) / int(limit); pages != want {
				t.Errorf("%d pages, want %d", pages, want)
			}
			if !slices.Equal(got, all) {
				t.Errorf("listed %v\nwant %v", got, all)
			}
		})
	}
	for _, tc := range []struct {
		name  string
		limit int32
	}{{"default", 0}, {"Limit 50", 50}, {"Limit 51 clamps to 50", 51}, {"Limit 1000 clamps to 50", 1000}} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key, Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(out.Tags, all) || out.Truncated || out.NextMarker != "" {
				t.Errorf("%d tags, Truncated %v, NextMarker %q; want all 50 on one page", len(out.Tags), out.Truncated, out.NextMarker)
			}
		})
	}
	t.Run("tag removed between pages", func(t *testing.T) {
		first, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: key, TagKeys: []string{"t10"}}); err != nil {
			t.Fatal(err)
		}
		next, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: key, Limit: 10, Marker: first.NextMarker})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(next.Tags, all[11:21]) {
			t.Errorf("second page = %v, want %v", next.Tags, all[11:21])
		}
	})

	aliasMarker := base64.RawURLEncoding.EncodeToString([]byte("alias:alias/x"))
	for _, tc := range []struct {
		name string
		in   kms.ListResourceTagsInput
		want kms.Code
		msg  string
	}{
		{"Marker not base64", kms.ListResourceTagsInput{KeyId: key, Marker: "garbage!"}, kms.ErrInvalidMarker, ""},
		{"Marker of ListAliases", kms.ListResourceTagsInput{KeyId: key, Marker: aliasMarker}, kms.ErrInvalidMarker, ""},
		{"Marker outside [\\u0020-\\u00FF]", kms.ListResourceTagsInput{KeyId: key, Marker: "\u2603"}, kms.ErrValidation, ""},
		{"Limit above 1000", kms.ListResourceTagsInput{KeyId: key, Limit: 1001}, kms.ErrValidation,
			"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"Limit negative", kms.ListResourceTagsInput{KeyId: key, Limit: -3}, kms.ErrValidation,
			"1 validation error detected: Value '-3' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.ListResourceTags(ctx, &tc.in)
			if out != nil {
				t.Errorf("output %+v with an error", out)
			}
			if tc.msg == "" {
				atWantErrContains(t, err, tc.want)
			} else {
				atWantErr(t, err, tc.want, tc.msg)
			}
		})
	}
}
