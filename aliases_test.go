package kms_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// Helpers shared by aliases_test.go, tags_test.go and random_test.go. The
// "at" prefix keeps them apart from other test files of package kms_test.

const atOtherAccount = "444455556666"

func atKeyARN(keyID string) string { return "arn:aws:kms:us-east-1:111122223333:key/" + keyID }

func atAliasARN(name string) string { return "arn:aws:kms:us-east-1:111122223333:" + name }

// atUnknownKeyID is a well-formed key id no test creates.
const atUnknownKeyID = "0b0b0b0b-1111-4222-8333-444444444444"

// atPendingDeletionKey creates a key and schedules its deletion.
func atPendingDeletionKey(t *testing.T, k *kms.KMS) string {
	t.Helper()
	id := kmstest.Key(t, k)
	if _, err := k.ScheduleKeyDeletion(t.Context(), &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 7}); err != nil {
		t.Fatalf("ScheduleKeyDeletion: %v", err)
	}
	return id
}

// atAliases returns every alias of the handle (following NextMarker) but
// the predefined aliases of AWS managed keys not created yet (no
// TargetKeyId), which TestManagedAliasesListed covers.
func atAliases(t *testing.T, k *kms.KMS, keyID string) []kms.AliasListEntry {
	t.Helper()
	var all []kms.AliasListEntry
	marker := ""
	for {
		out, err := k.ListAliases(t.Context(), &kms.ListAliasesInput{KeyId: keyID, Marker: marker, Limit: 100})
		if err != nil {
			t.Fatalf("ListAliases: %v", err)
		}
		for _, a := range out.Aliases {
			if a.TargetKeyId != "" {
				all = append(all, a)
			}
		}
		if !out.Truncated {
			return all
		}
		marker = out.NextMarker
	}
}

func atAlias(t *testing.T, k *kms.KMS, name string) (kms.AliasListEntry, bool) {
	t.Helper()
	for _, a := range atAliases(t, k, "") {
		if a.AliasName == name {
			return a, true
		}
	}
	return kms.AliasListEntry{}, false
}

// atPredefinedAliases returns the names of the predefined aliases of AWS
// managed keys, in name order.
func atPredefinedAliases() []string {
	var names []string
	for _, svc := range kms.ManagedKeyServices() {
		names = append(names, "alias/aws/"+svc)
	}
	return names
}

func atAliasNames(as []kms.AliasListEntry) []string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.AliasName
	}
	return names
}

// atWantErr fails unless err carries want's code and exactly msg.
func atWantErr(t *testing.T, err error, want kms.Code, msg string) {
	t.Helper()
	var e *kms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %s: %q", err, string(want), msg)
	}
	if !errors.Is(err, want) || e.Message != msg {
		t.Fatalf("error = %s: %q\nwant    %s: %q", e.Code, e.Message, string(want), msg)
	}
}

// atWantErrContains fails unless err carries want's code and a message
// containing every part (for messages AWS does not document verbatim).
func atWantErrContains(t *testing.T, err error, want kms.Code, parts ...string) {
	t.Helper()
	var e *kms.Error
	if !errors.As(err, &e) || !errors.Is(err, want) {
		t.Fatalf("error = %v, want %s", err, string(want))
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Fatalf("%s message %q does not contain %q", e.Code, e.Message, p)
		}
	}
}

func atEncrypt(t *testing.T, k *kms.KMS, keyID string) *kms.EncryptOutput {
	t.Helper()
	out, err := k.Encrypt(t.Context(), &kms.EncryptInput{KeyId: keyID, Plaintext: []byte("alias test")})
	if err != nil {
		t.Fatalf("Encrypt(%s): %v", keyID, err)
	}
	return out
}

// CreateAlias, API reference: "The alias must be string of 1-256
// characters. It can contain only alphanumeric characters, forward slashes
// (/), underscores (_), and dashes (-)"; it begins with alias/; TargetKeyId
// is a key id or key ARN. ListAliases shows the new alias.
func TestCreateAlias(t *testing.T) {
	k, clock := kmstest.New(t)
	key := kmstest.Key(t, k)
	tests := []struct {
		name, alias, target string
	}{
		{"target as key id", "alias/by-id", key},
		{"target as key ARN", "alias/by-arn", atKeyARN(key)},
		{"name of 256 characters", "alias/" + strings.Repeat("n", 250), key},
		{"every allowed character", "alias/AZaz09:/_-", key},
		{"name with slashes", "alias/team/app/prod", key},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock.Advance(time.Minute)
			now := clock.Now()
			out, err := k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: tc.alias, TargetKeyId: tc.target})
			if err != nil {
				t.Fatalf("CreateAlias: %v", err)
			}
			if out == nil {
				t.Fatal("CreateAlias returned a nil output")
			}
			a, ok := atAlias(t, k, tc.alias)
			if !ok {
				t.Fatalf("ListAliases does not show %s", tc.alias)
			}
			if a.AliasArn != atAliasARN(tc.alias) {
				t.Errorf("AliasArn = %q, want %q", a.AliasArn, atAliasARN(tc.alias))
			}
			if a.TargetKeyId != key {
				t.Errorf("TargetKeyId = %q, want the key id %q", a.TargetKeyId, key)
			}
			if !a.CreationDate.Equal(now) || !a.LastUpdatedDate.Equal(now) {
				t.Errorf("CreationDate, LastUpdatedDate = %v, %v, want both %v", a.CreationDate, a.LastUpdatedDate, now)
			}
			md, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: tc.alias})
			if err != nil {
				t.Fatalf("DescribeKey(%s): %v", tc.alias, err)
			}
			if md.KeyMetadata.KeyId != key {
				t.Errorf("DescribeKey(%s).KeyId = %q, want %q", tc.alias, md.KeyMetadata.KeyId, key)
			}
		})
	}
}

func TestCreateAliasExample(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/x", key)
	a, ok := atAlias(t, k, "alias/x")
	if !ok {
		t.Fatal("alias/x not listed")
	}
	want := kms.AliasListEntry{
		AliasName:       "alias/x",
		AliasArn:        "arn:aws:kms:us-east-1:111122223333:alias/x",
		TargetKeyId:     key,
		CreationDate:    kmstest.Start,
		LastUpdatedDate: kmstest.Start,
	}
	if a.AliasName != want.AliasName || a.AliasArn != want.AliasArn || a.TargetKeyId != want.TargetKeyId ||
		!a.CreationDate.Equal(want.CreationDate) || !a.LastUpdatedDate.Equal(want.LastUpdatedDate) {
		t.Errorf("ListAliases entry = %+v\nwant %+v", a, want)
	}
}

func TestCreateAliasErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	pending := atPendingDeletionKey(t, k)
	kmstest.Alias(t, k, "alias/taken", key)
	long := "alias/" + strings.Repeat("a", 251)

	tests := []struct {
		name  string
		alias string
		tgt   string
		want  kms.Code
		msg   string
	}{
		// AliasNameType: required, length 1..256, pattern ^[a-zA-Z0-9:/_-]+$.
		{"alias name missing", "", key, kms.ErrValidation,
			"1 validation error detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null"},
		{"alias name longer than 256", long, key, kms.ErrValidation,
			"1 validation error detected: Value '" + long + "' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"alias name with a space", "alias/has space", key, kms.ErrValidation,
			"1 validation error detected: Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"},
		{"alias name with a dot", "alias/a.b", key, kms.ErrValidation,
			"1 validation error detected: Value 'alias/a.b' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"},
		// Real AWS (LocalStack snapshot test_create_alias).
		{"no alias/ prefix", "my-alias", key, kms.ErrValidation,
			`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"prefix in the wrong case", "Alias/x", key, kms.ErrValidation,
			`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		// "The alias name cannot begin with alias/aws/."
		// AWS's texts for these two are not known: the code is checked, and
		// that the message names the rule.
		{"reserved alias/aws/ prefix", "alias/aws/s3", key, kms.ErrInvalidAliasName, "alias/aws/"},
		{"only the prefix", "alias/", key, kms.ErrInvalidAliasName, `"alias/"`},
		{"alias already exists", "alias/taken", key, kms.ErrAlreadyExists,
			"An alias with the name arn:aws:kms:us-east-1:111122223333:alias/taken already exists"},
		// TargetKeyId: "Specify the key ID or key ARN of the KMS key."
		{"target missing", "alias/new", "", kms.ErrValidation,
			"1 validation error detected: Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null"},
		{"target is an alias name", "alias/new", "alias/taken", kms.ErrNotFound,
			"Invalid keyId 'alias/taken'"},
		{"target is an alias ARN", "alias/new", atAliasARN("alias/taken"), kms.ErrNotFound,
			"Invalid keyId '" + atAliasARN("alias/taken") + "'"},
		{"target is a malformed key id", "alias/new", "not-a-key", kms.ErrNotFound,
			"Invalid keyId 'not-a-key'"},
		{"target key id unknown", "alias/new", atUnknownKeyID, kms.ErrNotFound,
			"Key '" + atKeyARN(atUnknownKeyID) + "' does not exist"},
		{"target key ARN unknown", "alias/new", atKeyARN(atUnknownKeyID), kms.ErrNotFound,
			"Key '" + atKeyARN(atUnknownKeyID) + "' does not exist"},
		{"target key ARN in another Region", "alias/new", "arn:aws:kms:eu-west-1:111122223333:key/" + key, kms.ErrNotFound,
			"Invalid arn eu-west-1"},
		// Key-state table: CreateAlias on PendingDeletion -> [3].
		{"target pending deletion", "alias/new", pending, kms.ErrKMSInvalidState,
			atKeyARN(pending) + " is pending deletion."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: tc.alias, TargetKeyId: tc.tgt})
			if tc.want == kms.ErrInvalidAliasName {
				atWantErrContains(t, err, tc.want, tc.msg)
				return
			}
			atWantErr(t, err, tc.want, tc.msg)
		})
	}
	if got := atAliasNames(atAliases(t, k, "")); !slices.Equal(got, []string{"alias/taken"}) {
		t.Errorf("after failed CreateAlias calls, aliases = %v, want only alias/taken", got)
	}
	if a, _ := atAlias(t, k, "alias/taken"); a.TargetKeyId != key {
		t.Errorf("alias/taken points at %s after a failed re-create, want %s", a.TargetKeyId, key)
	}
}

func TestCreateAliasNilInput(t *testing.T) {
	k, _ := kmstest.New(t)
	_, err := k.CreateAlias(t.Context(), nil)
	atWantErrContains(t, err, kms.ErrValidation, "Member must not be null")
}

// Quotas: "Aliases per KMS key: 50"; over a quota -> LimitExceededException.
func TestCreateAliasLimitPerKey(t *testing.T) {
	k, _ := kmstest.New(t)
	key, other := kmstest.Key(t, k), kmstest.Key(t, k)
	for i := range kms.MaxAliasesPerKey {
		kmstest.Alias(t, k, fmt.Sprintf("alias/limit-%02d", i), key)
	}
	_, err := k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: "alias/limit-50", TargetKeyId: key})
	atWantErrContains(t, err, kms.ErrLimitExceeded, atKeyARN(key))
	if _, ok := atAlias(t, k, "alias/limit-50"); ok {
		t.Error("the 51st alias was created")
	}
	// The quota is per key: another key still takes aliases.
	kmstest.Alias(t, k, "alias/limit-50", other)
	// Moving an alias onto the full key is refused too.
	_, err = k.UpdateAlias(t.Context(), &kms.UpdateAliasInput{AliasName: "alias/limit-50", TargetKeyId: key})
	atWantErrContains(t, err, kms.ErrLimitExceeded, atKeyARN(key))
	// Deleting one frees a slot.
	if _, err := k.DeleteAlias(t.Context(), &kms.DeleteAliasInput{AliasName: "alias/limit-00"}); err != nil {
		t.Fatalf("DeleteAlias: %v", err)
	}
	kmstest.Alias(t, k, "alias/limit-51", key)
	if n := len(atAliases(t, k, key)); n != kms.MaxAliasesPerKey {
		t.Errorf("key has %d aliases, want %d", n, kms.MaxAliasesPerKey)
	}
}

// KeyId of Encrypt, DescribeKey, GenerateDataKey: "To specify a KMS key,
// use its key ID, key ARN, alias name, or alias ARN."
func TestAliasAsKeyId(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	kmstest.Key(t, k) // a second key the alias must not resolve to
	kmstest.Alias(t, k, "alias/app", key)
	ids := []struct{ name, keyID string }{
		{"alias name", "alias/app"},
		{"alias ARN", atAliasARN("alias/app")},
	}
	for _, id := range ids {
		t.Run("Encrypt/"+id.name, func(t *testing.T) {
			out := atEncrypt(t, k, id.keyID)
			if out.KeyId != atKeyARN(key) {
				t.Errorf("Encrypt KeyId = %q, want %q", out.KeyId, atKeyARN(key))
			}
			dec, err := k.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, KeyId: id.keyID})
			if err != nil {
				t.Fatalf("Decrypt with KeyId %s: %v", id.keyID, err)
			}
			if dec.KeyId != atKeyARN(key) || string(dec.Plaintext) != "alias test" {
				t.Errorf("Decrypt = %q, %q", dec.KeyId, dec.Plaintext)
			}
		})
		t.Run("DescribeKey/"+id.name, func(t *testing.T) {
			out, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: id.keyID})
			if err != nil {
				t.Fatalf("DescribeKey: %v", err)
			}
			if out.KeyMetadata.KeyId != key || out.KeyMetadata.Arn != atKeyARN(key) {
				t.Errorf("DescribeKey = %s, %s; want %s", out.KeyMetadata.KeyId, out.KeyMetadata.Arn, key)
			}
		})
		t.Run("GenerateDataKey/"+id.name, func(t *testing.T) {
			out, err := k.GenerateDataKey(t.Context(), &kms.GenerateDataKeyInput{KeyId: id.keyID, KeySpec: kms.DataKeySpecAes256})
			if err != nil {
				t.Fatalf("GenerateDataKey: %v", err)
			}
			if out.KeyId != atKeyARN(key) || len(out.Plaintext) != 32 {
				t.Errorf("GenerateDataKey KeyId = %q, %d plaintext bytes", out.KeyId, len(out.Plaintext))
			}
			dec, err := k.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob})
			if err != nil {
				t.Fatalf("Decrypt data key: %v", err)
			}
			if !bytes.Equal(dec.Plaintext, out.Plaintext) || dec.KeyId != atKeyARN(key) {
				t.Errorf("Decrypt of the data key = %x under %s", dec.Plaintext, dec.KeyId)
			}
		})
	}
	// An alias that does not exist, by name or ARN.
	for _, id := range []string{"alias/nope", atAliasARN("alias/nope")} {
		msg := "Alias " + atAliasARN("alias/nope") + " is not found."
		_, err := k.Encrypt(t.Context(), &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
		atWantErr(t, err, kms.ErrNotFound, msg)
		_, err = k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: id})
		atWantErr(t, err, kms.ErrNotFound, msg)
		_, err = k.GenerateDataKey(t.Context(), &kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: 16})
		atWantErr(t, err, kms.ErrNotFound, msg)
	}
}

// "To specify a KMS key in a different Amazon Web Services account, you
// must use the key ARN or alias ARN." Two handles share one backend.
func TestAliasOtherAccountNeedsAliasARN(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	owner, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store})
	other, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, AccountID: atOtherAccount})
	key := kmstest.Key(t, owner)
	kmstest.Alias(t, owner, "alias/shared", key)

	// By name the alias is looked up in the caller's own account.
	_, err := other.Encrypt(t.Context(), &kms.EncryptInput{KeyId: "alias/shared", Plaintext: []byte("x")})
	atWantErr(t, err, kms.ErrNotFound, "Alias arn:aws:kms:us-east-1:"+atOtherAccount+":alias/shared is not found.")
	_, err = other.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: "alias/shared"})
	atWantErr(t, err, kms.ErrNotFound, "Alias arn:aws:kms:us-east-1:"+atOtherAccount+":alias/shared is not found.")

	// By ARN it reaches the owner's key; the default key policy does not
	// let the other account use it.
	_, err = other.Encrypt(t.Context(), &kms.EncryptInput{KeyId: atAliasARN("alias/shared"), Plaintext: []byte("x")})
	atWantErrContains(t, err, kms.ErrAccessDenied, "arn:aws:iam::"+atOtherAccount+":root", atKeyARN(key))

	// A principal of the owning account may use it through the ARN.
	ctx := kms.WithCaller(t.Context(), "arn:aws:iam::111122223333:user/Alice")
	enc, err := other.Encrypt(ctx, &kms.EncryptInput{KeyId: atAliasARN("alias/shared"), Plaintext: []byte("x")})
	if err != nil {
		t.Fatalf("Encrypt by alias ARN from the other handle: %v", err)
	}
	if enc.KeyId != atKeyARN(key) {
		t.Errorf("Encrypt KeyId = %q, want %q", enc.KeyId, atKeyARN(key))
	}
	md, err := other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: atAliasARN("alias/shared")})
	if err != nil {
		t.Fatalf("DescribeKey by alias ARN from the other handle: %v", err)
	}
	if md.KeyMetadata.Arn != atKeyARN(key) || md.KeyMetadata.AWSAccountId != "111122223333" {
		t.Errorf("DescribeKey = %s in %s", md.KeyMetadata.Arn, md.KeyMetadata.AWSAccountId)
	}

	// The same alias name in the other account is a different alias.
	otherKey := kmstest.Key(t, other)
	kmstest.Alias(t, other, "alias/shared", otherKey)
	if got := atEncrypt(t, other, "alias/shared").KeyId; got != "arn:aws:kms:us-east-1:"+atOtherAccount+":key/"+otherKey {
		t.Errorf("other account's alias/shared resolves to %s", got)
	}
	if got := atEncrypt(t, owner, "alias/shared").KeyId; got != atKeyARN(key) {
		t.Errorf("owner's alias/shared resolves to %s", got)
	}
	// CreateAlias targets only keys of the handle's account.
	_, err = other.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: "alias/cross", TargetKeyId: atKeyARN(key)})
	atWantErr(t, err, kms.ErrNotFound, "Invalid arn '"+atKeyARN(key)+"'")
}

// UpdateAlias "Associates an existing KMS alias with a different KMS key."
func TestUpdateAlias(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := t.Context()
	first, second := kmstest.Key(t, k), kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/moving", first)

	before := atEncrypt(t, k, "alias/moving") // warms the alias cache
	if before.KeyId != atKeyARN(first) {
		t.Fatalf("before UpdateAlias, Encrypt used %s, want %s", before.KeyId, atKeyARN(first))
	}

	clock.Advance(time.Hour)
	if _, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/moving", TargetKeyId: second}); err != nil {
		t.Fatalf("UpdateAlias: %v", err)
	}
	a, _ := atAlias(t, k, "alias/moving")
	if a.TargetKeyId != second {
		t.Errorf("TargetKeyId = %s, want %s", a.TargetKeyId, second)
	}
	if !a.CreationDate.Equal(kmstest.Start) {
		t.Errorf("CreationDate = %v, want it unchanged at %v", a.CreationDate, kmstest.Start)
	}
	if !a.LastUpdatedDate.Equal(kmstest.Start.Add(time.Hour)) {
		t.Errorf("LastUpdatedDate = %v, want %v", a.LastUpdatedDate, kmstest.Start.Add(time.Hour))
	}

	// The cache must not serve the old target.
	after := atEncrypt(t, k, "alias/moving")
	if after.KeyId != atKeyARN(second) {
		t.Fatalf("after UpdateAlias, Encrypt used %s, want %s", after.KeyId, atKeyARN(second))
	}
	for _, c := range []struct {
		blob []byte
		key  string
	}{{before.CiphertextBlob, first}, {after.CiphertextBlob, second}} {
		dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: c.blob})
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if dec.KeyId != atKeyARN(c.key) {
			t.Errorf("Decrypt KeyId = %s, want %s", dec.KeyId, atKeyARN(c.key))
		}
	}
	md, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: atAliasARN("alias/moving")})
	if err != nil || md.KeyMetadata.KeyId != second {
		t.Errorf("DescribeKey(alias ARN) = %v, %v; want %s", md, err, second)
	}
	gdk, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: "alias/moving", NumberOfBytes: 16})
	if err != nil || gdk.KeyId != atKeyARN(second) {
		t.Errorf("GenerateDataKey(alias) = %v, %v; want key %s", gdk, err, second)
	}

	// Moving back by key ARN; the clock moves LastUpdatedDate again.
	clock.Advance(time.Hour)
	if _, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/moving", TargetKeyId: atKeyARN(first)}); err != nil {
		t.Fatalf("UpdateAlias by key ARN: %v", err)
	}
	a, _ = atAlias(t, k, "alias/moving")
	if a.TargetKeyId != first || !a.CreationDate.Equal(kmstest.Start) || !a.LastUpdatedDate.Equal(kmstest.Start.Add(2*time.Hour)) {
		t.Errorf("after the second UpdateAlias: %+v", a)
	}
	if got := atEncrypt(t, k, "alias/moving").KeyId; got != atKeyARN(first) {
		t.Errorf("after moving back, Encrypt used %s, want %s", got, atKeyARN(first))
	}
}

// Handles over one backend share the cache: an UpdateAlias through one
// handle is seen at once by the other.
func TestUpdateAliasSeenByOtherHandle(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	h1, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store})
	h2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store})
	first, second := kmstest.Key(t, h1), kmstest.Key(t, h1)
	kmstest.Alias(t, h1, "alias/shared", first)
	if got := atEncrypt(t, h1, "alias/shared").KeyId; got != atKeyARN(first) {
		t.Fatalf("Encrypt used %s, want %s", got, atKeyARN(first))
	}
	if _, err := h2.UpdateAlias(t.Context(), &kms.UpdateAliasInput{AliasName: "alias/shared", TargetKeyId: second}); err != nil {
		t.Fatalf("UpdateAlias: %v", err)
	}
	out := atEncrypt(t, h1, "alias/shared")
	if out.KeyId != atKeyARN(second) {
		t.Fatalf("after UpdateAlias through another handle, Encrypt used %s, want %s", out.KeyId, atKeyARN(second))
	}
	dec, err := h1.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob})
	if err != nil || dec.KeyId != atKeyARN(second) {
		t.Errorf("Decrypt = %v, %v; want key %s", dec, err, atKeyARN(second))
	}
}

func TestUpdateAliasErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	key, other := kmstest.Key(t, k), kmstest.Key(t, k)
	pending := atPendingDeletionKey(t, k)
	kmstest.Alias(t, k, "alias/a", key)
	kmstest.Alias(t, k, "alias/b", other)

	tests := []struct {
		name, alias, tgt string
		want             kms.Code
		msg              string
	}{
		{"alias unknown", "alias/nope", other, kms.ErrNotFound,
			"Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."},
		{"alias/aws/ name of no AWS service is only looked up", "alias/aws/nosuchservice", other, kms.ErrNotFound,
			"Alias arn:aws:kms:us-east-1:111122223333:alias/aws/nosuchservice is not found."},
		// Key-state table footnote [10]: "If the destination CMK is pending
		// deletion, the command fails".
		{"new target pending deletion", "alias/a", pending, kms.ErrKMSInvalidState,
			atKeyARN(pending) + " is pending deletion."},
		{"new target unknown", "alias/a", atUnknownKeyID, kms.ErrNotFound,
			"Key '" + atKeyARN(atUnknownKeyID) + "' does not exist"},
		{"new target is an alias", "alias/a", "alias/b", kms.ErrNotFound,
			"Invalid keyId 'alias/b'"},
		{"alias name missing", "", other, kms.ErrValidation,
			"1 validation error detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null"},
		{"target missing", "alias/a", "", kms.ErrValidation,
			"1 validation error detected: Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null"},
		{"no alias/ prefix", "a", other, kms.ErrValidation,
			`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.UpdateAlias(t.Context(), &kms.UpdateAliasInput{AliasName: tc.alias, TargetKeyId: tc.tgt})
			atWantErr(t, err, tc.want, tc.msg)
		})
	}
	if a, _ := atAlias(t, k, "alias/a"); a.TargetKeyId != key {
		t.Errorf("alias/a points at %s after failed updates, want %s", a.TargetKeyId, key)
	}
	if _, ok := atAlias(t, k, "alias/nope"); ok {
		t.Error("UpdateAlias created alias/nope")
	}
}

// Key-state table footnote [10]: "If the source CMK is pending deletion,
// the command succeeds."
func TestUpdateAliasFromKeyPendingDeletion(t *testing.T) {
	k, _ := kmstest.New(t)
	source, dest := kmstest.Key(t, k), kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/rescue", source)
	if _, err := k.ScheduleKeyDeletion(t.Context(), &kms.ScheduleKeyDeletionInput{KeyId: source, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.UpdateAlias(t.Context(), &kms.UpdateAliasInput{AliasName: "alias/rescue", TargetKeyId: dest}); err != nil {
		t.Fatalf("UpdateAlias away from a key pending deletion: %v", err)
	}
	if got := atEncrypt(t, k, "alias/rescue").KeyId; got != atKeyARN(dest) {
		t.Errorf("Encrypt used %s, want %s", got, atKeyARN(dest))
	}
}

// Pointing an alias at the key it already names changes no alias count,
// so it succeeds even when that key is at its alias quota.
func TestUpdateAliasSameTargetAtQuota(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	for i := range kms.MaxAliasesPerKey {
		kmstest.Alias(t, k, fmt.Sprintf("alias/q-%02d", i), key)
	}
	if _, err := k.UpdateAlias(t.Context(), &kms.UpdateAliasInput{AliasName: "alias/q-00", TargetKeyId: key}); err != nil {
		t.Fatalf("UpdateAlias to the same key at quota: %v", err)
	}
}

// DeleteAlias "Deletes the specified alias"; it succeeds in every key state
// (key-state table).
func TestDeleteAlias(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	key, other := kmstest.Key(t, k), kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/gone", key)
	kmstest.Alias(t, k, "alias/stays", key)
	atEncrypt(t, k, "alias/gone") // warms the alias cache

	if _, err := k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: "alias/gone"}); err != nil {
		t.Fatalf("DeleteAlias: %v", err)
	}
	if got := atAliasNames(atAliases(t, k, "")); !slices.Equal(got, []string{"alias/stays"}) {
		t.Errorf("aliases after DeleteAlias = %v", got)
	}
	notFound := "Alias " + atAliasARN("alias/gone") + " is not found."
	_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/gone", Plaintext: []byte("x")})
	atWantErr(t, err, kms.ErrNotFound, notFound)
	_, err = k.Encrypt(ctx, &kms.EncryptInput{KeyId: atAliasARN("alias/gone"), Plaintext: []byte("x")})
	atWantErr(t, err, kms.ErrNotFound, notFound)
	// The key is not affected.
	if got := atEncrypt(t, k, key).KeyId; got != atKeyARN(key) {
		t.Errorf("Encrypt by key id used %s", got)
	}
	// Deleting it again: NotFoundException.
	_, err = k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: "alias/gone"})
	atWantErr(t, err, kms.ErrNotFound, notFound)
	// The name is free again, for another key.
	kmstest.Alias(t, k, "alias/gone", other)
	if got := atEncrypt(t, k, "alias/gone").KeyId; got != atKeyARN(other) {
		t.Errorf("re-created alias resolves to %s, want %s", got, atKeyARN(other))
	}
}

func TestDeleteAliasTargetPendingDeletion(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/doomed", key)
	if _, err := k.ScheduleKeyDeletion(t.Context(), &kms.ScheduleKeyDeletionInput{KeyId: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DeleteAlias(t.Context(), &kms.DeleteAliasInput{AliasName: "alias/doomed"}); err != nil {
		t.Fatalf("DeleteAlias of a key pending deletion: %v", err)
	}
	if _, ok := atAlias(t, k, "alias/doomed"); ok {
		t.Error("alias still listed")
	}
	_, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: "alias/doomed"})
	atWantErr(t, err, kms.ErrNotFound, "Alias "+atAliasARN("alias/doomed")+" is not found.")
}

func TestDeleteAliasErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	tests := []struct {
		name, alias string
		want        kms.Code
		msg         string
	}{
		{"unknown alias", "alias/nope", kms.ErrNotFound, "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."},
		{"alias name missing", "", kms.ErrValidation,
			"1 validation error detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null"},
		{"no alias/ prefix", "nope", kms.ErrValidation,
			`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"pattern violation", "alias/a b", kms.ErrValidation,
			"1 validation error detected: Value 'alias/a b' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.DeleteAlias(t.Context(), &kms.DeleteAliasInput{AliasName: tc.alias})
			atWantErr(t, err, tc.want, tc.msg)
		})
	}
}

// ScheduleKeyDeletion: "After the waiting period ends, KMS deletes the KMS
// key ... including all aliases that refer to it."
func TestAliasesDeletedWithKey(t *testing.T) {
	k, clock := kmstest.New(t)
	doomed, kept := kmstest.Key(t, k), kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/doomed-1", doomed)
	kmstest.Alias(t, k, "alias/doomed-2", doomed)
	kmstest.Alias(t, k, "alias/kept", kept)
	if _, err := k.ScheduleKeyDeletion(t.Context(), &kms.ScheduleKeyDeletionInput{KeyId: doomed, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	// Pending deletion: the aliases remain.
	if got := atAliasNames(atAliases(t, k, "")); len(got) != 3 {
		t.Fatalf("aliases while pending deletion = %v", got)
	}
	clock.Advance(7 * 24 * time.Hour)
	if got := atAliasNames(atAliases(t, k, "")); !slices.Equal(got, []string{"alias/kept"}) {
		t.Errorf("aliases after the deletion date = %v, want [alias/kept]", got)
	}
	_, err := k.Encrypt(t.Context(), &kms.EncryptInput{KeyId: "alias/doomed-1", Plaintext: []byte("x")})
	atWantErr(t, err, kms.ErrNotFound, "Alias "+atAliasARN("alias/doomed-1")+" is not found.")
	// The names can be reused.
	kmstest.Alias(t, k, "alias/doomed-1", kept)
	// The deleted key cannot be an alias target.
	_, err = k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: "alias/late", TargetKeyId: doomed})
	atWantErr(t, err, kms.ErrNotFound, "Key '"+atKeyARN(doomed)+"' does not exist")
	_, err = k.UpdateAlias(t.Context(), &kms.UpdateAliasInput{AliasName: "alias/kept", TargetKeyId: doomed})
	atWantErr(t, err, kms.ErrNotFound, "Key '"+atKeyARN(doomed)+"' does not exist")
}

// A key whose deletion date passed is deleted when an alias write reaches
// it, even before any listing: CreateAlias then reports it not found.
func TestCreateAliasTargetDeletionDue(t *testing.T) {
	k, clock := kmstest.New(t)
	key := atPendingDeletionKey(t, k)
	clock.Advance(7 * 24 * time.Hour)
	_, err := k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: "alias/late", TargetKeyId: key})
	atWantErr(t, err, kms.ErrNotFound, "Key '"+atKeyARN(key)+"' does not exist")
	_, err = k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: key})
	atWantErr(t, err, kms.ErrNotFound, "Key '"+atKeyARN(key)+"' does not exist")
}

// ListAliases: AliasListEntry per alias; KeyId "Specify the key ID or key
// ARN" limits the list to that key's aliases.
func TestListAliases(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	k1, k2, bare := kmstest.Key(t, k), kmstest.Key(t, k), kmstest.Key(t, k)

	// With no alias of its own, an account lists the predefined aliases
	// of AWS managed keys (TestManagedAliasesListed has the details).
	pre := atPredefinedAliases()
	empty, err := k.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatalf("ListAliases: %v", err)
	}
	if got := atAliasNames(empty.Aliases); !slices.Equal(got, pre) || empty.Truncated || empty.NextMarker != "" {
		t.Errorf("ListAliases with no aliases = %v, Truncated %v, NextMarker %q; want %v, untruncated", got, empty.Truncated, empty.NextMarker, pre)
	}

	kmstest.Alias(t, k, "alias/c", k1)
	kmstest.Alias(t, k, "alias/a", k1)
	kmstest.Alias(t, k, "alias/b", k2)

	tests := []struct {
		name  string
		keyID string
		want  []string
	}{
		{"all", "", append([]string{"alias/a"}, append(pre, "alias/b", "alias/c")...)},
		{"by key id", k1, []string{"alias/a", "alias/c"}},
		{"by key ARN", atKeyARN(k1), []string{"alias/a", "alias/c"}},
		{"other key", k2, []string{"alias/b"}},
		{"key without aliases", bare, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.ListAliases(ctx, &kms.ListAliasesInput{KeyId: tc.keyID})
			if err != nil {
				t.Fatalf("ListAliases: %v", err)
			}
			if got := atAliasNames(out.Aliases); !slices.Equal(got, tc.want) {
				t.Errorf("aliases = %v, want %v", got, tc.want)
			}
			if out.Truncated || out.NextMarker != "" {
				t.Errorf("Truncated, NextMarker = %v, %q", out.Truncated, out.NextMarker)
			}
			for _, a := range out.Aliases {
				if a.AliasArn != atAliasARN(a.AliasName) {
					t.Errorf("AliasArn = %s for %s", a.AliasArn, a.AliasName)
				}
				if tc.keyID != "" && a.TargetKeyId != strings.TrimPrefix(tc.keyID, "arn:aws:kms:us-east-1:111122223333:key/") {
					t.Errorf("%s targets %s", a.AliasName, a.TargetKeyId)
				}
			}
		})
	}
}

func TestListAliasesErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k)
	kmstest.Alias(t, k, "alias/a", key)
	tagMarker := base64.RawURLEncoding.EncodeToString([]byte("tag:x"))
	tests := []struct {
		name string
		in   kms.ListAliasesInput
		want kms.Code
		msg  string // exact; "" checks the code only
	}{
		{"KeyId is an alias name", kms.ListAliasesInput{KeyId: "alias/a"}, kms.ErrNotFound, "Invalid keyId 'alias/a'"},
		{"KeyId is an alias ARN", kms.ListAliasesInput{KeyId: atAliasARN("alias/a")}, kms.ErrNotFound, "Invalid keyId '" + atAliasARN("alias/a") + "'"},
		{"KeyId unknown", kms.ListAliasesInput{KeyId: atUnknownKeyID}, kms.ErrNotFound, "Key '" + atKeyARN(atUnknownKeyID) + "' does not exist"},
		{"KeyId unknown ARN", kms.ListAliasesInput{KeyId: atKeyARN(atUnknownKeyID)}, kms.ErrNotFound, "Key '" + atKeyARN(atUnknownKeyID) + "' does not exist"},
		{"KeyId malformed", kms.ListAliasesInput{KeyId: "nope"}, kms.ErrNotFound, "Invalid keyId 'nope'"},
		{"Limit above the model's 1000", kms.ListAliasesInput{Limit: 1001}, kms.ErrValidation,
			"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"negative Limit", kms.ListAliasesInput{Limit: -1}, kms.ErrValidation,
			"1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"Marker not base64", kms.ListAliasesInput{Marker: "not a marker!"}, kms.ErrInvalidMarker, ""},
		{"Marker of another list", kms.ListAliasesInput{Marker: tagMarker}, kms.ErrInvalidMarker, ""},
		{"Marker with no position", kms.ListAliasesInput{Marker: base64.RawURLEncoding.EncodeToString([]byte("alias:"))}, kms.ErrInvalidMarker, ""},
		{"Marker outside [\\u0020-\\u00FF]", kms.ListAliasesInput{Marker: "a\u0100"}, kms.ErrValidation, ""},
		{"Marker longer than 1024", kms.ListAliasesInput{Marker: strings.Repeat("A", 1025)}, kms.ErrValidation, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.ListAliases(t.Context(), &tc.in)
			if out != nil {
				t.Errorf("output %+v with an error", out)
			}
			if tc.msg == "" {
				atWantErrContains(t, err, tc.want)
				return
			}
			atWantErr(t, err, tc.want, tc.msg)
		})
	}
}

// ListAliases Limit: "This value is optional. If you include a value, it
// must be between 1 and 100, inclusive. If you do not include a value, it
// defaults to 50." Pages follow NextMarker while Truncated.
func TestListAliasesPagination(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	const n = 120
	keys := []string{kmstest.Key(t, k), kmstest.Key(t, k), kmstest.Key(t, k)}
	names := make([]string, n)
	target := map[string]string{}
	// Create in an order unrelated to name order.
	for i := range n {
		j := (i * 37) % n
		names[j] = fmt.Sprintf("alias/page-%03d", j)
		target[names[j]] = keys[i/kms.MaxAliasesPerKey]
		kmstest.Alias(t, k, names[j], target[names[j]])
	}
	// The listing begins with the predefined aliases of AWS managed keys
	// (alias/aws/... sorts before alias/page-...).
	pre := atPredefinedAliases()
	names = append(pre, names...)

	t.Run("Limit 9", func(t *testing.T) {
		var got []string
		marker, pages := "", 0
		for {
			out, err := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: 9, Marker: marker})
			if err != nil {
				t.Fatalf("page %d: %v", pages, err)
			}
			pages++
			if out.Truncated != (out.NextMarker != "") {
				t.Fatalf("page %d: Truncated %v with NextMarker %q", pages, out.Truncated, out.NextMarker)
			}
			if out.Truncated && len(out.Aliases) != 9 || len(out.Aliases) > 9 {
				t.Fatalf("page %d has %d aliases (Truncated %v)", pages, len(out.Aliases), out.Truncated)
			}
			for _, a := range out.Aliases {
				if a.TargetKeyId != target[a.AliasName] {
					t.Errorf("%s targets %s, want %s", a.AliasName, a.TargetKeyId, target[a.AliasName])
				}
			}
			got = append(got, atAliasNames(out.Aliases)...)
			if !out.Truncated {
				break
			}
			marker = out.NextMarker
		}
		if pages != (len(names)+8)/9 {
			t.Errorf("%d pages, want %d", pages, (len(names)+8)/9)
		}
		if !slices.Equal(got, names) {
			t.Errorf("listed %d aliases, want each of %d exactly once in name order:\n%v", len(got), len(names), got)
		}
	})

	t.Run("KeyId filter with Limit 7", func(t *testing.T) {
		var got []string
		marker := ""
		for {
			out, err := k.ListAliases(ctx, &kms.ListAliasesInput{KeyId: keys[1], Limit: 7, Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Aliases) > 7 || out.Truncated && len(out.Aliases) != 7 {
				t.Fatalf("page of %d aliases, Truncated %v", len(out.Aliases), out.Truncated)
			}
			got = append(got, atAliasNames(out.Aliases)...)
			if !out.Truncated {
				break
			}
			marker = out.NextMarker
		}
		var want []string
		for _, name := range names {
			if target[name] == keys[1] {
				want = append(want, name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("filtered listing = %v\nwant %v", got, want)
		}
	})

	limits := []struct {
		name  string
		limit int32
		want  int
	}{
		{"default 50", 0, 50},
		{"Limit 1", 1, 1},
		{"Limit 100", 100, 100},
		{"Limit 101 clamps to 100", 101, 100},
		{"Limit 1000 clamps to 100", 1000, 100},
	}
	for _, tc := range limits {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Aliases) != tc.want || !out.Truncated || out.NextMarker == "" {
				t.Fatalf("%d aliases, Truncated %v, NextMarker %q; want %d, truncated", len(out.Aliases), out.Truncated, out.NextMarker, tc.want)
			}
			if got := atAliasNames(out.Aliases); !slices.Equal(got, names[:tc.want]) {
				t.Errorf("first page = %v", got)
			}
			// The next page starts right after this one.
			next, err := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: tc.limit, Marker: out.NextMarker})
			if err != nil {
				t.Fatal(err)
			}
			if len(next.Aliases) == 0 || next.Aliases[0].AliasName != names[tc.want] {
				t.Errorf("second page starts at %v, want %s", atAliasNames(next.Aliases), names[tc.want])
			}
		})
	}

	t.Run("nil input", func(t *testing.T) {
		out, err := k.ListAliases(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Aliases) != 50 || !out.Truncated {
			t.Errorf("%d aliases, Truncated %v; want 50, true", len(out.Aliases), out.Truncated)
		}
	})

	t.Run("alias deleted between pages", func(t *testing.T) {
		d := len(pre) + 10 // past the predefined aliases, which cannot be deleted
		first, err := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: int32(d)})
		if err != nil {
			t.Fatal(err)
		}
		// Delete the alias the next page would start at.
		if _, err := k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: names[d]}); err != nil {
			t.Fatal(err)
		}
		next, err := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: 10, Marker: first.NextMarker})
		if err != nil {
			t.Fatalf("ListAliases after the marker's alias was deleted: %v", err)
		}
		if got := atAliasNames(next.Aliases); !slices.Equal(got, names[d+1:d+11]) {
			t.Errorf("second page = %v, want %v", got, names[d+1:d+11])
		}
	})
}
