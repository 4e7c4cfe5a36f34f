package kms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// stFixture is a key in the state under test with everything the
// operations need: another (enabled) key, an alias on each, and a
// ciphertext under each made while both were enabled.
type stFixture struct {
	t                  *testing.T
	k                  *kms.KMS
	key, other         *kms.KeyMetadata
	blob, otherBlob    []byte
	alias, otherAlias  string
	keyEC, otherBlobEC map[string]string
}

func stSetup(t *testing.T, state kms.KeyState) *stFixture {
	t.Helper()
	ctx := context.Background()
	k, _ := kmstest.New(t)
	f := &stFixture{
		t:           t,
		k:           k,
		key:         lcCreate(t, k, &kms.CreateKeyInput{Description: "under test"}),
		other:       lcCreate(t, k, &kms.CreateKeyInput{Description: "other"}),
		alias:       "alias/state/key",
		otherAlias:  "alias/state/other",
		keyEC:       map[string]string{"purpose": "state-test"},
		otherBlobEC: map[string]string{"purpose": "other"},
	}
	lcAlias(t, k, f.alias, f.key.KeyId)
	lcAlias(t, k, f.otherAlias, f.other.KeyId)
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: f.key.KeyId, Plaintext: []byte("under the key"), EncryptionContext: f.keyEC})
	lcNoErr(t, err)
	f.blob = enc.CiphertextBlob
	enc, err = k.Encrypt(ctx, &kms.EncryptInput{KeyId: f.other.KeyId, Plaintext: []byte("under the other key"), EncryptionContext: f.otherBlobEC})
	lcNoErr(t, err)
	f.otherBlob = enc.CiphertextBlob
	_, err = k.TagResource(ctx, &kms.TagResourceInput{KeyId: f.key.KeyId, Tags: []kms.Tag{{TagKey: "t", TagValue: "v"}}})
	lcNoErr(t, err)
	switch state {
	case kms.KeyStateEnabled:
	case kms.KeyStateDisabled:
		_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f.key.KeyId})
	case kms.KeyStatePendingDeletion:
		_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.key.KeyId})
	default:
		t.Fatalf("no setup for state %s", state)
	}
	lcNoErr(t, err)
	if got := lcDescribe(t, k, f.key.KeyId).KeyState; got != state {
		t.Fatalf("setup: key is %s, want %s", got, state)
	}
	return f
}

// Outcomes in the key-state table.
type stOutcome int

const (
	stOK            stOutcome = iota // ✓
	stDisabled                       // [1] DisabledException: <key ARN> is disabled.
	stPendingDel                     // [3] KMSInvalidStateException: <key ARN> is pending deletion.
	stNotPendingDel                  // [4] KMSInvalidStateException: <key ARN> is not pending deletion.
)

func (o stOutcome) check(t *testing.T, err error, keyARN string) {
	t.Helper()
	switch o {
	case stOK:
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
	case stDisabled:
		lcWantErr(t, err, kms.ErrDisabled, keyARN+" is disabled.")
	case stPendingDel:
		lcWantErr(t, err, kms.ErrKMSInvalidState, keyARN+" is pending deletion.")
	case stNotPendingDel:
		lcWantErr(t, err, kms.ErrKMSInvalidState, keyARN+" is not pending deletion.")
	}
}

// TestKeyStateTable checks each implemented operation against the key-state
// table of the AWS KMS Developer Guide, "Key states of AWS KMS keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html),
// for the states Enabled, Disabled and PendingDeletion. Footnote numbers
// are the guide's. Where the guide allows DisabledException [2] or
// KMSInvalidStateException [3] for a key pending deletion in a
// cryptographic operation, AWS returns KMSInvalidStateException today.
func TestKeyStateTable(t *testing.T) {
	ctx := context.Background()
	states := []kms.KeyState{kms.KeyStateEnabled, kms.KeyStateDisabled, kms.KeyStatePendingDeletion}
	tests := []struct {
		op   string
		want [3]stOutcome // Enabled, Disabled, PendingDeletion
		call func(f *stFixture) error
	}{
		{"CreateAlias", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/new", TargetKeyId: f.key.KeyId})
			return err
		}},
		// [10]: the new target must not be pending deletion ...
		{"UpdateAlias (new target)", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: f.otherAlias, TargetKeyId: f.key.KeyId})
			return err
		}},
		// ... "If the source CMK is pending deletion, the command succeeds."
		{"UpdateAlias (current target)", [3]stOutcome{stOK, stOK, stOK}, func(f *stFixture) error {
			_, err := f.k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: f.alias, TargetKeyId: f.other.KeyId})
			return err
		}},
		{"DeleteAlias", [3]stOutcome{stOK, stOK, stOK}, func(f *stFixture) error {
			_, err := f.k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: f.alias})
			return err
		}},
		{"ListAliases", [3]stOutcome{stOK, stOK, stOK}, func(f *stFixture) error {
			out, err := f.k.ListAliases(ctx, &kms.ListAliasesInput{KeyId: f.key.KeyId})
			if err == nil && (len(out.Aliases) != 1 || out.Aliases[0].AliasName != f.alias) {
				return fmt.Errorf("ListAliases = %+v, want %s", out.Aliases, f.alias)
			}
			return err
		}},
		{"CancelKeyDeletion", [3]stOutcome{stNotPendingDel, stNotPendingDel, stOK}, func(f *stFixture) error {
			_, err := f.k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: f.key.KeyId})
			return err
		}},
		{"ScheduleKeyDeletion", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.key.KeyId, PendingWindowInDays: 7})
			return err
		}},
		// Rotation: [1] on a disabled key, as AWS sent it for
		// RotateKeyOnDemand (LocalStack's test_kms.snapshot.json,
		// test_rotate_key_on_demand_raises_error_given_key_is_disabled).
		{"EnableKeyRotation", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: f.key.KeyId})
			return stRotationUnchanged(f, err, false)
		}},
		{"DisableKeyRotation", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: f.key.KeyId})
			return err
		}},
		{"RotateKeyOnDemand", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			before := lcDescribe(f.t, f.k, f.key.KeyId).CurrentKeyMaterialId
			_, err := f.k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: f.key.KeyId})
			if after := lcDescribe(f.t, f.k, f.key.KeyId).CurrentKeyMaterialId; (after != before) != (err == nil) {
				return fmt.Errorf("RotateKeyOnDemand returned %v and the current material went from %s to %s", err, before, after)
			}
			return err
		}},
		{"GetKeyRotationStatus", [3]stOutcome{stOK, stOK, stOK}, func(f *stFixture) error {
			_, err := f.k.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: f.key.KeyId})
			return err
		}},
		{"ListKeyRotations", [3]stOutcome{stOK, stOK, stOK}, func(f *stFixture) error {
			_, err := f.k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: f.key.KeyId})
			return err
		}},
		{"DescribeKey", [3]stOutcome{stOK, stOK, stOK}, func(f *stFixture) error {
			_, err := f.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: f.key.KeyId})
			return err
		}},
		{"DisableKey", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f.key.KeyId})
			return err
		}},
		{"EnableKey", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: f.key.KeyId})
			return err
		}},
		{"Encrypt", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: f.key.KeyId, Plaintext: []byte("x")})
			return err
		}},
		{"Encrypt (by alias)", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: f.alias, Plaintext: []byte("x")})
			return err
		}},
		{"Decrypt", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			out, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.blob, EncryptionContext: f.keyEC})
			if err == nil && string(out.Plaintext) != "under the key" {
				return fmt.Errorf("Decrypt = %q", out.Plaintext)
			}
			return err
		}},
		{"Decrypt (with KeyId)", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.blob, EncryptionContext: f.keyEC, KeyId: f.key.Arn})
			return err
		}},
		// ReEncrypt has one row; it applies to the source key and to the
		// destination key alike.
		{"ReEncrypt (source key)", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: f.blob, SourceEncryptionContext: f.keyEC, DestinationKeyId: f.other.KeyId})
			return err
		}},
		{"ReEncrypt (destination key)", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: f.otherBlob, SourceEncryptionContext: f.otherBlobEC, DestinationKeyId: f.key.KeyId})
			return err
		}},
		{"GenerateDataKey", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: f.key.KeyId, KeySpec: kms.DataKeySpecAes256})
			return err
		}},
		{"GenerateDataKeyWithoutPlaintext", [3]stOutcome{stOK, stDisabled, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: f.key.KeyId, NumberOfBytes: 64})
			return err
		}},
		{"ListResourceTags", [3]stOutcome{stOK, stOK, stOK}, func(f *stFixture) error {
			out, err := f.k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: f.key.KeyId})
			if err == nil && len(out.Tags) != 1 {
				return fmt.Errorf("ListResourceTags = %+v", out.Tags)
			}
			return err
		}},
		{"TagResource", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.TagResource(ctx, &kms.TagResourceInput{KeyId: f.key.KeyId, Tags: []kms.Tag{{TagKey: "new", TagValue: "v"}}})
			return err
		}},
		{"UntagResource", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: f.key.KeyId, TagKeys: []string{"t"}})
			return err
		}},
		{"UpdateKeyDescription", [3]stOutcome{stOK, stOK, stPendingDel}, func(f *stFixture) error {
			_, err := f.k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: f.key.KeyId, Description: "changed"})
			return err
		}},
	}
	for _, tc := range tests {
		for i, state := range states {
			t.Run(tc.op+"/"+string(state), func(t *testing.T) {
				f := stSetup(t, state)
				want := tc.want[i]
				want.check(t, tc.call(f), f.key.Arn)
				if want == stOK {
					return
				}
				// A refused call changes nothing.
				got := lcDescribe(t, f.k, f.key.KeyId)
				if got.KeyState != state || got.Description != "under test" {
					t.Fatalf("refused %s changed the key: %s %q", tc.op, got.KeyState, got.Description)
				}
				if got := lcDescribe(t, f.k, f.otherAlias).KeyId; got != f.other.KeyId {
					t.Fatalf("refused %s moved %s to %s", tc.op, f.otherAlias, got)
				}
				out, err := f.k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: f.key.KeyId})
				lcNoErr(t, err)
				if len(out.Tags) != 1 || out.Tags[0] != (kms.Tag{TagKey: "t", TagValue: "v"}) {
					t.Fatalf("refused %s changed the tags: %+v", tc.op, out.Tags)
				}
			})
		}
	}
}

// The successful state transitions the table implies.
func TestKeyStateTransitions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		from kms.KeyState
		op   string
		call func(f *stFixture) error
		to   kms.KeyState
	}{
		{kms.KeyStateEnabled, "DisableKey", func(f *stFixture) error {
			_, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f.key.KeyId})
			return err
		}, kms.KeyStateDisabled},
		{kms.KeyStateDisabled, "DisableKey", func(f *stFixture) error {
			_, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f.key.KeyId})
			return err
		}, kms.KeyStateDisabled},
		{kms.KeyStateEnabled, "EnableKey", func(f *stFixture) error {
			_, err := f.k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: f.key.KeyId})
			return err
		}, kms.KeyStateEnabled},
		{kms.KeyStateDisabled, "EnableKey", func(f *stFixture) error {
			_, err := f.k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: f.key.KeyId})
			return err
		}, kms.KeyStateEnabled},
		{kms.KeyStateEnabled, "ScheduleKeyDeletion", func(f *stFixture) error {
			_, err := f.k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.key.KeyId})
			return err
		}, kms.KeyStatePendingDeletion},
		{kms.KeyStateDisabled, "ScheduleKeyDeletion", func(f *stFixture) error {
			_, err := f.k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.key.KeyId})
			return err
		}, kms.KeyStatePendingDeletion},
		// "After you cancel the pending deletion of a KMS key, the key state
		// of the KMS key is Disabled."
		{kms.KeyStatePendingDeletion, "CancelKeyDeletion", func(f *stFixture) error {
			_, err := f.k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: f.key.KeyId})
			return err
		}, kms.KeyStateDisabled},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.op, tc.from), func(t *testing.T) {
			f := stSetup(t, tc.from)
			lcNoErr(t, tc.call(f))
			got := lcDescribe(t, f.k, f.key.KeyId)
			if got.KeyState != tc.to || got.Enabled != (tc.to == kms.KeyStateEnabled) || got.DeletionDate.IsZero() != (tc.to != kms.KeyStatePendingDeletion) {
				t.Fatalf("%s from %s: KeyState %s Enabled %v DeletionDate %v, want %s", tc.op, tc.from, got.KeyState, got.Enabled, got.DeletionDate, tc.to)
			}
		})
	}
}

// Errors are *kms.Error values carrying the AWS code and message, matched
// by code with errors.Is against the sentinels, also when wrapped.
func TestErrorMatching(t *testing.T) {
	f := stSetup(t, kms.KeyStateDisabled)
	ctx := context.Background()
	_, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: f.key.KeyId, Plaintext: []byte("x")})
	if err == nil {
		t.Fatal("Encrypt under a disabled key succeeded")
	}
	wrapped := fmt.Errorf("encrypting the report: %w", err)
	for _, e := range []error{err, wrapped} {
		if !errors.Is(e, kms.ErrDisabled) {
			t.Fatalf("errors.Is(%v, ErrDisabled) = false", e)
		}
		for _, other := range []kms.Code{kms.ErrKMSInvalidState, kms.ErrNotFound, kms.ErrAccessDenied, kms.ErrKMSInternal} {
			if errors.Is(e, other) {
				t.Fatalf("errors.Is(%v, %s) = true", e, string(other))
			}
		}
		var ke *kms.Error
		if !errors.As(e, &ke) {
			t.Fatalf("errors.As(%v, *kms.Error) = false", e)
		}
		if ke.ErrorCode() != "DisabledException" || ke.Code != "DisabledException" {
			t.Fatalf("ErrorCode() = %q, Code = %q", ke.ErrorCode(), ke.Code)
		}
		if want := f.key.Arn + " is disabled."; ke.ErrorMessage() != want || ke.Message != want {
			t.Fatalf("ErrorMessage() = %q, want %q", ke.ErrorMessage(), want)
		}
		if ke.Unwrap() != nil {
			t.Fatalf("DisabledException unwraps to %v", ke.Unwrap())
		}
	}
	if want := "DisabledException: " + f.key.Arn + " is disabled."; err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}

	// Errors with an empty message print only their code.
	_, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext")})
	lcWantErr(t, err, kms.ErrInvalidCiphertext, "")
	if err.Error() != "InvalidCiphertextException" {
		t.Fatalf("Error() = %q", err.Error())
	}

	// Each code matches only its own sentinel, and a sentinel matches itself.
	_, err = f.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/missing"})
	if !errors.Is(err, kms.ErrNotFound) || errors.Is(err, kms.ErrDisabled) {
		t.Fatalf("NotFoundException matching: %v", err)
	}
	if !errors.Is(kms.ErrNotFound, kms.ErrNotFound) || errors.Is(kms.ErrNotFound, kms.ErrInvalidArn) {
		t.Fatal("sentinels do not match by code")
	}
	// A plain error with the same text is not a *kms.Error.
	if errors.Is(errors.New("NotFoundException"), kms.ErrNotFound) {
		t.Fatal("errors.Is matched a plain error by its text")
	}
	// The code is the AWS error shape name.
	for _, tc := range []struct {
		sentinel kms.Code
		code     string
	}{
		{kms.ErrNotFound, "NotFoundException"},
		{kms.ErrDisabled, "DisabledException"},
		{kms.ErrKMSInvalidState, "KMSInvalidStateException"},
		{kms.ErrValidation, "ValidationException"},
		{kms.ErrAccessDenied, "AccessDeniedException"},
		{kms.ErrInvalidArn, "InvalidArnException"},
		{kms.ErrInvalidMarker, "InvalidMarkerException"},
		{kms.ErrInvalidCiphertext, "InvalidCiphertextException"},
		{kms.ErrTag, "TagException"},
		{kms.ErrMalformedPolicyDocument, "MalformedPolicyDocumentException"},
		{kms.ErrUnsupportedOperation, "UnsupportedOperationException"},
		{kms.ErrCustomKeyStoreNotFound, "CustomKeyStoreNotFoundException"},
	} {
		if tc.sentinel.ErrorCode() != tc.code || tc.sentinel.ErrorMessage() != "" || tc.sentinel.Error() != tc.code {
			t.Fatalf("sentinel %+v, want code %s and no message", tc.sentinel, tc.code)
		}
	}
}

// stRotationUnchanged returns err, or an error if the key's rotation
// status is not what a refused (err != nil) or successful
// EnableKeyRotation leaves. wasEnabled is the status before.
func stRotationUnchanged(f *stFixture, err error, wasEnabled bool) error {
	st, serr := f.k.GetKeyRotationStatus(context.Background(), &kms.GetKeyRotationStatusInput{KeyId: f.key.KeyId})
	if serr != nil {
		return serr
	}
	want := wasEnabled
	if err == nil {
		want = true
	}
	if st.KeyRotationEnabled != want {
		return fmt.Errorf("after %v rotation enabled is %t, want %t", err, st.KeyRotationEnabled, want)
	}
	return err
}
