package kms_test

// Authorization, through the public API: a caller whom the key policy does
// not allow is refused with AccessDeniedException by every operation, and
// the refused call changes nothing. The evaluator (package policy) applies
// the AWS default key policy: every principal of the key's own account is
// allowed, every other account is refused (AWS KMS Developer Guide,
// "Default key policy"; "Allowing users in other accounts to use a KMS
// key": another account needs the key policy to allow it).

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

const (
	azMallory = "arn:aws:iam::444455556666:user/Mallory" // another account
	azAlice   = "arn:aws:iam::111122223333:user/Alice"   // the handle's account
)

// azEnv is a handle of account 111122223333 and the contexts of its
// callers.
type azEnv struct {
	k       *kms.KMS
	clock   *kmstest.Clock
	owner   context.Context // the account root (no caller set)
	alice   context.Context
	mallory context.Context
}

func azNew(t *testing.T) *azEnv {
	t.Helper()
	k, clock := kmstest.New(t)
	ctx := t.Context()
	return &azEnv{k: k, clock: clock, owner: ctx, alice: kms.WithCaller(ctx, azAlice), mallory: kms.WithCaller(ctx, azMallory)}
}

func (e *azEnv) key(t *testing.T) *kms.KeyMetadata {
	t.Helper()
	out, err := e.k.CreateKey(e.owner, &kms.CreateKeyInput{
		Description: "before",
		Tags:        []kms.Tag{{TagKey: "team", TagValue: "a"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// azKeyState is what an owner sees of a key: its metadata and its tags.
type azKeyState struct {
	md   kms.KeyMetadata
	tags []kms.Tag
}

func (e *azEnv) state(t *testing.T, keyID string) azKeyState {
	t.Helper()
	d, err := e.k.DescribeKey(e.owner, &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := e.k.ListResourceTags(e.owner, &kms.ListResourceTagsInput{KeyId: keyID})
	if err != nil {
		t.Fatal(err)
	}
	return azKeyState{md: *d.KeyMetadata, tags: tags.Tags}
}

// aliases returns the account's aliases, name -> target key id.
func (e *azEnv) aliases(t *testing.T) map[string]string {
	t.Helper()
	out, err := e.k.ListAliases(e.owner, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, a := range out.Aliases {
		if a.TargetKeyId != "" { // not a predefined alias/aws/ one
			m[a.AliasName] = a.TargetKeyId
		}
	}
	return m
}

func (e *azEnv) alias(t *testing.T, name, keyID string) {
	t.Helper()
	if _, err := e.k.CreateAlias(e.owner, &kms.CreateAliasInput{AliasName: name, TargetKeyId: keyID}); err != nil {
		t.Fatal(err)
	}
}

func (e *azEnv) encrypt(t *testing.T, keyID string) []byte {
	t.Helper()
	out, err := e.k.Encrypt(e.owner, &kms.EncryptInput{KeyId: keyID, Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	return out.CiphertextBlob
}

func (e *azEnv) keyCount(t *testing.T) int {
	t.Helper()
	out, err := e.k.ListKeys(e.owner, &kms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Keys)
}

// azWantCode checks err is a *kms.Error of code whose message contains
// every part.
func azWantCode(t *testing.T, err error, code kms.Code, parts ...string) {
	t.Helper()
	var e *kms.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Fatalf("message %q does not contain %q", e.Message, p)
		}
	}
}

// TestAuthzKeyManagementRefusesOtherAccount: UpdateKeyDescription,
// EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
// TagResource and UntagResource need the caller to be allowed the action
// on the key (AWS KMS API reference, each operation's "Required
// permissions": kms:<Operation> (key policy)); a refused request changes
// nothing. A principal of the key's account may do each one: that is
// what shows the refusal is about the caller, and that each request
// would have changed the key.
func TestAuthzKeyManagementRefusesOtherAccount(t *testing.T) {
	disable := func(e *azEnv, id string) error {
		_, err := e.k.DisableKey(e.owner, &kms.DisableKeyInput{KeyId: id})
		return err
	}
	schedule := func(e *azEnv, id string) error {
		_, err := e.k.ScheduleKeyDeletion(e.owner, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 7})
		return err
	}
	tests := []struct {
		action string
		setup  func(e *azEnv, id string) error // puts the key where the operation changes it
		call   func(ctx context.Context, k *kms.KMS, id string) error
	}{
		{"kms:UpdateKeyDescription", nil, func(ctx context.Context, k *kms.KMS, id string) error {
			_, err := k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: "after"})
			return err
		}},
		{"kms:EnableKey", disable, func(ctx context.Context, k *kms.KMS, id string) error {
			_, err := k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
			return err
		}},
		{"kms:DisableKey", nil, func(ctx context.Context, k *kms.KMS, id string) error {
			_, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})
			return err
		}},
		{"kms:ScheduleKeyDeletion", nil, func(ctx context.Context, k *kms.KMS, id string) error {
			_, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 7})
			return err
		}},
		{"kms:CancelKeyDeletion", schedule, func(ctx context.Context, k *kms.KMS, id string) error {
			_, err := k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
			return err
		}},
		{"kms:TagResource", nil, func(ctx context.Context, k *kms.KMS, id string) error {
			_, err := k.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []kms.Tag{{TagKey: "team", TagValue: "b"}, {TagKey: "new", TagValue: "x"}}})
			return err
		}},
		{"kms:UntagResource", nil, func(ctx context.Context, k *kms.KMS, id string) error {
			_, err := k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"team"}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			e := azNew(t)
			md := e.key(t)
			if tt.setup != nil {
				if err := tt.setup(e, md.KeyId); err != nil {
					t.Fatal(err)
				}
			}
			before := e.state(t, md.KeyId)
			for _, id := range []string{md.KeyId, md.Arn} {
				err := tt.call(e.mallory, e.k, id)
				azWantCode(t, err, kms.ErrAccessDenied, azMallory, tt.action, "on resource: "+md.Arn)
				if after := e.state(t, md.KeyId); !reflect.DeepEqual(after, before) {
					t.Fatalf("refused %s changed the key:\nbefore %+v\nafter  %+v", tt.action, before, after)
				}
			}
			if err := tt.call(e.alice, e.k, md.KeyId); err != nil {
				t.Fatalf("%s by a user of the key's account: %v", tt.action, err)
			}
			if after := e.state(t, md.KeyId); reflect.DeepEqual(after, before) {
				t.Fatalf("%s by the key's account changed nothing: the test cannot see a change", tt.action)
			}
		})
	}
}

// TestAuthzAliasWritesRefuseOtherAccount: CreateAlias, UpdateAlias and
// DeleteAlias need the action on the alias and on every key involved (AWS
// KMS Developer Guide, "Controlling access to aliases"); another account
// has it on none, and the refused request leaves the aliases as they were.
func TestAuthzAliasWritesRefuseOtherAccount(t *testing.T) {
	tests := []struct {
		action string
		call   func(ctx context.Context, k *kms.KMS, oldKey, newKey string) error
	}{
		{"kms:CreateAlias", func(ctx context.Context, k *kms.KMS, _, newKey string) error {
			_, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/new", TargetKeyId: newKey})
			return err
		}},
		{"kms:UpdateAlias", func(ctx context.Context, k *kms.KMS, _, newKey string) error {
			_, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/app", TargetKeyId: newKey})
			return err
		}},
		{"kms:DeleteAlias", func(ctx context.Context, k *kms.KMS, _, _ string) error {
			_, err := k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: "alias/app"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			e := azNew(t)
			oldKey, newKey := e.key(t), e.key(t)
			e.alias(t, "alias/app", oldKey.KeyId)
			before := e.aliases(t)
			err := tt.call(e.mallory, e.k, oldKey.KeyId, newKey.KeyId)
			azWantCode(t, err, kms.ErrAccessDenied, azMallory, tt.action)
			if after := e.aliases(t); !reflect.DeepEqual(after, before) {
				t.Fatalf("refused %s changed the aliases: %v, want %v", tt.action, after, before)
			}
			if err := tt.call(e.alice, e.k, oldKey.KeyId, newKey.KeyId); err != nil {
				t.Fatalf("%s by a user of the account: %v", tt.action, err)
			}
			if after := e.aliases(t); reflect.DeepEqual(after, before) {
				t.Fatalf("%s by the account changed nothing: the test cannot see a change", tt.action)
			}
		})
	}
}

// TestAuthzEveryOtherOperationRefusesOtherAccount: the operations that
// read, list, create keys or use them need the caller to be allowed the
// action (AWS KMS API reference, "Required permissions" of each:
// kms:CreateKey, kms:ListKeys, kms:ListAliases, kms:GenerateRandom are IAM
// policy permissions on no key; kms:DescribeKey, kms:ListResourceTags and
// the cryptographic actions are on the key). A user of the account is
// allowed each one.
func TestAuthzEveryOtherOperationRefusesOtherAccount(t *testing.T) {
	e := azNew(t)
	md := e.key(t)
	e.alias(t, "alias/app", md.KeyId)
	blob := e.encrypt(t, md.KeyId)
	tests := []struct {
		action   string
		resource string // the key ARN the message names; "" for an operation on no key
		call     func(ctx context.Context) error
	}{
		{"kms:CreateKey", "", func(ctx context.Context) error {
			_, err := e.k.CreateKey(ctx, &kms.CreateKeyInput{})
			return err
		}},
		{"kms:ListKeys", "", func(ctx context.Context) error {
			_, err := e.k.ListKeys(ctx, &kms.ListKeysInput{})
			return err
		}},
		{"kms:ListAliases", "", func(ctx context.Context) error {
			_, err := e.k.ListAliases(ctx, &kms.ListAliasesInput{})
			return err
		}},
		{"kms:ListAliases", "", func(ctx context.Context) error {
			_, err := e.k.ListAliases(ctx, &kms.ListAliasesInput{KeyId: md.KeyId})
			return err
		}},
		{"kms:GenerateRandom", "", func(ctx context.Context) error {
			_, err := e.k.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: 16})
			return err
		}},
		{"kms:DescribeKey", md.Arn, func(ctx context.Context) error {
			_, err := e.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
			return err
		}},
		{"kms:ListResourceTags", md.Arn, func(ctx context.Context) error {
			_, err := e.k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})
			return err
		}},
		{"kms:Encrypt", md.Arn, func(ctx context.Context) error {
			_, err := e.k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/app", Plaintext: []byte("x")})
			return err
		}},
		{"kms:Decrypt", md.Arn, func(ctx context.Context) error {
			_, err := e.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
			return err
		}},
		{"kms:ReEncryptFrom", md.Arn, func(ctx context.Context) error {
			_, err := e.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: md.KeyId})
			return err
		}},
		{"kms:GenerateDataKey", md.Arn, func(ctx context.Context) error {
			_, err := e.k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: kms.DataKeySpecAes256})
			return err
		}},
		{"kms:GenerateDataKeyWithoutPlaintext", md.Arn, func(ctx context.Context) error {
			_, err := e.k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: md.KeyId, NumberOfBytes: 32})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			keys, aliases := e.keyCount(t), e.aliases(t)
			parts := []string{azMallory, tt.action}
			if tt.resource != "" {
				parts = append(parts, "on resource: "+tt.resource)
			}
			azWantCode(t, tt.call(e.mallory), kms.ErrAccessDenied, parts...)
			if n := e.keyCount(t); n != keys {
				t.Fatalf("refused %s: %d keys, want %d", tt.action, n, keys)
			}
			if a := e.aliases(t); !reflect.DeepEqual(a, aliases) {
				t.Fatalf("refused %s: aliases %v, want %v", tt.action, a, aliases)
			}
			if err := tt.call(e.alice); err != nil {
				t.Fatalf("%s by a user of the account: %v", tt.action, err)
			}
		})
	}
}

// TestAuthzReEncryptChecksSourceAndDestination: ReEncrypt needs
// kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
// destination key, each from that key's policy (AWS KMS API reference,
// ReEncrypt, "Required permissions"). Another account's handle may use its
// own keys but neither read from nor write to the owner's key.
func TestAuthzReEncryptChecksSourceAndDestination(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	owner, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store})
	other, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, AccountID: "444455556666"})
	ctx := t.Context()
	newKey := func(k *kms.KMS) (arn string, blob []byte) {
		t.Helper()
		md, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyMetadata.KeyId, Plaintext: []byte("secret")})
		if err != nil {
			t.Fatal(err)
		}
		return md.KeyMetadata.Arn, enc.CiphertextBlob
	}
	ownerARN, ownerBlob := newKey(owner)
	otherARN, otherBlob := newKey(other)
	const otherRoot = "arn:aws:iam::444455556666:root"

	tests := []struct {
		name      string
		blob      []byte
		dest      string
		wantCode  kms.Code
		wantParts []string
	}{
		{"own source, own destination", otherBlob, otherARN, "", nil},
		{"source in another account", ownerBlob, otherARN, kms.ErrAccessDenied, []string{otherRoot, "kms:ReEncryptFrom on resource: " + ownerARN}},
		{"destination in another account", otherBlob, ownerARN, kms.ErrAccessDenied, []string{otherRoot, "kms:ReEncryptTo on resource: " + ownerARN}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, dryRun := range []bool{false, true} {
				out, err := other.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: tt.blob, DestinationKeyId: tt.dest, DryRun: dryRun})
				switch {
				case tt.wantCode != "":
					azWantCode(t, err, tt.wantCode, tt.wantParts...)
					if out != nil {
						t.Fatalf("refused ReEncrypt returned %+v", out)
					}
				case dryRun:
					azWantCode(t, err, kms.ErrDryRunOperation)
				case err != nil:
					t.Fatal(err)
				}
			}
		})
	}
}

// TestDryRunIgnoreCiphertextChecksKey: with DryRun and the DryRunModifier
// IGNORE_CIPHERTEXT, Decrypt and ReEncrypt do not look at the ciphertext
// but still check everything else about the named key: permissions and key
// state (AWS KMS API reference, Decrypt and ReEncrypt, DryRunModifiers;
// AWS KMS Developer Guide, "Testing your AWS KMS API calls": a dry run
// returns DryRunOperationException only if the request would succeed). A
// disabled key gives DisabledException, a key pending deletion
// KMSInvalidStateException (Developer Guide, "Key states of AWS KMS
// keys"), another account AccessDeniedException.
func TestDryRunIgnoreCiphertextChecksKey(t *testing.T) {
	e := azNew(t)
	enabled := e.key(t)
	disabled := e.key(t)
	if _, err := e.k.DisableKey(e.owner, &kms.DisableKeyInput{KeyId: disabled.KeyId}); err != nil {
		t.Fatal(err)
	}
	pending := e.key(t)
	if _, err := e.k.ScheduleKeyDeletion(e.owner, &kms.ScheduleKeyDeletionInput{KeyId: pending.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	garbage := []byte("not a ciphertext: IGNORE_CIPHERTEXT must not look at it")
	ignore := []kms.DryRunModifierType{kms.DryRunModifierTypeIgnoreCiphertext}
	tests := []struct {
		name   string
		ctx    context.Context
		key    *kms.KeyMetadata
		code   kms.Code
		detail string
	}{
		{"enabled key", e.owner, enabled, kms.ErrDryRunOperation, ""},
		{"disabled key", e.owner, disabled, kms.ErrDisabled, disabled.Arn + " is disabled."},
		{"key pending deletion", e.owner, pending, kms.ErrKMSInvalidState, pending.Arn + " is pending deletion."},
		{"caller of another account", e.mallory, enabled, kms.ErrAccessDenied, "on resource: " + enabled.Arn},
	}
	for _, tt := range tests {
		t.Run("Decrypt/"+tt.name, func(t *testing.T) {
			before := e.state(t, tt.key.KeyId)
			out, err := e.k.Decrypt(tt.ctx, &kms.DecryptInput{CiphertextBlob: garbage, KeyId: tt.key.KeyId, DryRun: true, DryRunModifiers: ignore})
			azWantCode(t, err, tt.code, tt.detail)
			if out != nil {
				t.Fatalf("dry run returned %+v", out)
			}
			if after := e.state(t, tt.key.KeyId); !reflect.DeepEqual(after, before) {
				t.Fatalf("dry run changed the key")
			}
		})
		t.Run("ReEncrypt/"+tt.name, func(t *testing.T) {
			out, err := e.k.ReEncrypt(tt.ctx, &kms.ReEncryptInput{CiphertextBlob: garbage, SourceKeyId: tt.key.KeyId, DestinationKeyId: enabled.KeyId, DryRun: true, DryRunModifiers: ignore})
			azWantCode(t, err, tt.code, tt.detail)
			if out != nil {
				t.Fatalf("dry run returned %+v", out)
			}
		})
	}
}

// TestAliasOfDeletedKeyIsGoneForAliasWrites: when a key's deletion date
// comes, AWS KMS deletes the key and every alias that refers to it (AWS KMS
// API reference, ScheduleKeyDeletion: "deletes the KMS key and all AWS KMS
// data associated with it, including all aliases that refer to it"). So
// after the date, with no other call in between, the alias name is free
// for CreateAlias, and UpdateAlias and DeleteAlias do not find it.
func TestAliasOfDeletedKeyIsGoneForAliasWrites(t *testing.T) {
	tests := []struct {
		name string
		call func(e *azEnv, other string) error
		code kms.Code // "" for success
		want map[string]string
	}{
		{"CreateAlias reuses the name", func(e *azEnv, other string) error {
			_, err := e.k.CreateAlias(e.owner, &kms.CreateAliasInput{AliasName: "alias/app", TargetKeyId: other})
			return err
		}, "", map[string]string{"alias/app": "OTHER"}},
		{"UpdateAlias does not find it", func(e *azEnv, other string) error {
			_, err := e.k.UpdateAlias(e.owner, &kms.UpdateAliasInput{AliasName: "alias/app", TargetKeyId: other})
			return err
		}, kms.ErrNotFound, map[string]string{}},
		{"DeleteAlias does not find it", func(e *azEnv, _ string) error {
			_, err := e.k.DeleteAlias(e.owner, &kms.DeleteAliasInput{AliasName: "alias/app"})
			return err
		}, kms.ErrNotFound, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := azNew(t)
			doomed, other := e.key(t), e.key(t)
			e.alias(t, "alias/app", doomed.KeyId)
			if _, err := e.k.ScheduleKeyDeletion(e.owner, &kms.ScheduleKeyDeletionInput{KeyId: doomed.KeyId, PendingWindowInDays: 7}); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(7 * 24 * time.Hour)
			err := tt.call(e, other.KeyId)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				azWantCode(t, err, tt.code, "alias/app")
			}
			want := map[string]string{}
			for n, k := range tt.want {
				if k == "OTHER" {
					k = other.KeyId
				}
				want[n] = k
			}
			if got := e.aliases(t); !reflect.DeepEqual(got, want) {
				t.Fatalf("aliases = %v, want %v", got, want)
			}
		})
	}
}

// TestGenerateDataKeyChecksMembersBeforeRecipient: a request whose members
// break the model's constraints is a ValidationException naming them,
// whatever else it asks for; only a request with valid members reaches the
// Recipient rule (AWS KMS API reference, "Common Errors":
// ValidationException "The input fails to satisfy the constraints
// specified by an AWS service"; the members' constraints are in the API
// model, GenerateDataKeyRequest). Decrypt and GenerateRandom check in the
// same order.
func TestGenerateDataKeyChecksMembersBeforeRecipient(t *testing.T) {
	e := azNew(t)
	md := e.key(t)
	recipient := &kms.RecipientInfo{}
	tests := []struct {
		name string
		in   kms.GenerateDataKeyInput
		want string
	}{
		{"KeyId too long", kms.GenerateDataKeyInput{KeyId: strings.Repeat("k", 2049), KeySpec: kms.DataKeySpecAes256}, "at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"KeyId missing", kms.GenerateDataKeyInput{KeySpec: kms.DataKeySpecAes256}, "at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"NumberOfBytes too large", kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: 1025}, "at 'numberOfBytes' failed to satisfy constraint"},
		{"NumberOfBytes negative", kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: -1}, "at 'numberOfBytes' failed to satisfy constraint"},
		{"KeySpec not in the enum", kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: "AES_512"}, "at 'keySpec' failed to satisfy constraint"},
		{"too many grant tokens", kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: kms.DataKeySpecAes256, GrantTokens: slices.Repeat([]string{"t"}, 11)}, "at 'grantTokens' failed to satisfy constraint"},
		{"valid members", kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: kms.DataKeySpecAes256}, "Recipient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Recipient = recipient
			out, err := e.k.GenerateDataKey(e.owner, &tt.in)
			azWantCode(t, err, kms.ErrValidation, tt.want)
			if out != nil {
				t.Fatalf("GenerateDataKey returned %+v", out)
			}
		})
	}
}

// TestKeyIsDeletedAtItsDeletionDate: a key scheduled for deletion is
// PendingDeletion until its DeletionDate and gone from that instant on (AWS
// KMS API reference, ScheduleKeyDeletion: "the date and time ... after
// which AWS KMS deletes the KMS key"), also when a handle holds it in its
// cache, and whether it is named by key id or by ARN.
func TestKeyIsDeletedAtItsDeletionDate(t *testing.T) {
	e := azNew(t)
	md := e.key(t)
	sched, err := e.k.ScheduleKeyDeletion(e.owner, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	if want := kmstest.Start.Add(7 * 24 * time.Hour); !sched.DeletionDate.Equal(want) {
		t.Fatalf("DeletionDate = %v, want %v", sched.DeletionDate, want)
	}
	e.clock.Set(sched.DeletionDate.Add(-time.Nanosecond))
	for _, id := range []string{md.KeyId, md.Arn} { // also loads the key into the cache
		d, err := e.k.DescribeKey(e.owner, &kms.DescribeKeyInput{KeyId: id})
		if err != nil {
			t.Fatalf("just before the deletion date: %v", err)
		}
		if d.KeyMetadata.KeyState != kms.KeyStatePendingDeletion {
			t.Fatalf("KeyState = %s, want PendingDeletion", d.KeyMetadata.KeyState)
		}
	}
	e.clock.Set(sched.DeletionDate)
	for _, id := range []string{md.KeyId, md.Arn} {
		_, err := e.k.DescribeKey(e.owner, &kms.DescribeKeyInput{KeyId: id})
		azWantCode(t, err, kms.ErrNotFound, md.Arn)
	}
	if n := e.keyCount(t); n != 0 {
		t.Fatalf("ListKeys after the deletion date: %d keys", n)
	}
}
