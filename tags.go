package kms

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/embedkms/kms/internal/records"
)

// MaxTagsPerKey is how many tags a key may carry (AWS KMS Developer Guide,
// "Tagging keys": "Each resource can have up to 50 user-created tags").
const MaxTagsPerKey = 50

var (
	opTagResource      = op("TagResource", false, false)
	opUntagResource    = op("UntagResource", false, false)
	opListResourceTags = op("ListResourceTags", false, false)
)

// tagCharsRE is the character set AWS allows in tag keys and values:
// Unicode letters, digits, white space, and _ . : / = + - @.
var tagCharsRE = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// tags checks the model constraints of a TagList.
func (v *validator) tags(tags []Tag) {
	for i, t := range tags {
		field := "tags." + strconv.Itoa(i+1) + ".member."
		if v.required(field+"tagKey", t.TagKey) {
			v.length(field+"tagKey", t.TagKey, 1, 128)
		}
		v.length(field+"tagValue", t.TagValue, 0, 256)
	}
}

// tagRules applies the rules the model states only in prose: reserved
// "aws:" prefix, allowed characters, no duplicate keys in one request, and
// at most MaxTagsPerKey tags. existing is the key's current tags (nil for a
// new key).
func tagRules(tags []Tag, existing []records.Tag) error {
	if len(tags) > MaxTagsPerKey {
		return newErr(ErrTag, "Too many tags")
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if isReservedTagKey(t.TagKey) {
			return newErr(ErrTag, "Tags beginning with aws: are reserved")
		}
		if !tagCharsRE.MatchString(t.TagKey) || !tagCharsRE.MatchString(t.TagValue) {
			return newErr(ErrTag, "Invalid tag: tag keys and values may contain only Unicode letters, digits, white space, and _ . : / = + - @")
		}
		if seen[t.TagKey] {
			return newErr(ErrTag, "Duplicate tag keys")
		}
		seen[t.TagKey] = true
	}
	total := len(tags)
	for _, e := range existing {
		if !seen[e.Key] {
			total++
		}
	}
	if total > MaxTagsPerKey {
		return newErr(ErrLimitExceeded, "A key can have at most %d tags; this request would give it %d", MaxTagsPerKey, total)
	}
	return nil
}

func isReservedTagKey(k string) bool {
	return len(k) >= 4 && strings.EqualFold(k[:4], "aws:")
}

// TagResource adds or overwrites tags on a key. KeyId is a key id or key ARN.
func (k *KMS) TagResource(ctx context.Context, in *TagResourceInput) (result *TagResourceOutput, opErr error) {
	defer finish(k.audit(&ctx, "TagResource", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &TagResourceInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if in.Tags == nil {
		v.add("tags", "null", "Member must not be null")
	}
	v.tags(in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	x := authzExtra{requestTags: in.Tags, tagKeys: tagKeysOf(in.Tags)}
	_, err := k.updateKeyX(ctx, in.KeyId, opTagResource, x, func(rec *records.Key, _ time.Time) error {
		if err := tagRules(in.Tags, rec.Tags); err != nil {
			return err
		}
		for _, t := range in.Tags {
			i := slices.IndexFunc(rec.Tags, func(e records.Tag) bool { return e.Key == t.TagKey })
			if i >= 0 {
				rec.Tags[i].Value = t.TagValue
			} else {
				rec.Tags = append(rec.Tags, records.Tag{Key: t.TagKey, Value: t.TagValue})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags from a key; keys it does not carry are ignored.
func (k *KMS) UntagResource(ctx context.Context, in *UntagResourceInput) (result *UntagResourceOutput, opErr error) {
	defer finish(k.audit(&ctx, "UntagResource", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &UntagResourceInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if in.TagKeys == nil {
		v.add("tagKeys", "null", "Member must not be null")
	}
	for i, tk := range in.TagKeys {
		field := "tagKeys." + strconv.Itoa(i+1) + ".member"
		if v.required(field, tk) {
			v.length(field, tk, 1, 128)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	for _, tk := range in.TagKeys {
		if isReservedTagKey(tk) {
			return nil, newErr(ErrTag, "Tags beginning with aws: are reserved")
		}
	}
	x := authzExtra{tagKeys: in.TagKeys}
	_, err := k.updateKeyX(ctx, in.KeyId, opUntagResource, x, func(rec *records.Key, _ time.Time) error {
		rec.Tags = slices.DeleteFunc(rec.Tags, func(e records.Tag) bool { return slices.Contains(in.TagKeys, e.Key) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListResourceTags lists a key's tags in tag-key order. Limit is 1..50
// (default 50; the model allows up to 1000, larger values are clamped to 50).
func (k *KMS) ListResourceTags(ctx context.Context, in *ListResourceTagsInput) (result *ListResourceTagsOutput, opErr error) {
	defer finish(k.audit(&ctx, "ListResourceTags", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ListResourceTagsInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	start, err := decodeMarker("tag", in.Marker)
	if err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opListResourceTags)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opListResourceTags, authzExtra{}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	tags := slices.Clone(ck.rec.Tags)
	slices.SortFunc(tags, func(a, b records.Tag) int { return strings.Compare(a.Key, b.Key) })
	limit := pageLimit(in.Limit, 50, 50)
	out := &ListResourceTagsOutput{Tags: []Tag{}}
	for _, t := range tags {
		if t.Key < start {
			continue
		}
		if len(out.Tags) == limit {
			out.NextMarker, out.Truncated = encodeMarker("tag", t.Key), true
			break
		}
		out.Tags = append(out.Tags, Tag{TagKey: t.Key, TagValue: t.Value})
	}
	return out, nil
}

// tagKeysOf is aws:TagKeys for tags.
func tagKeysOf(tags []Tag) []string {
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = t.TagKey
	}
	return keys
}
