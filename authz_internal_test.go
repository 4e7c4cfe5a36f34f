package kms

// Internal authorization tests: they replace the handle's policy decision
// (k.decide) to deny one (action, resource) pair, which no key policy can
// express yet, and check the operation asks about that pair.

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/embedkms/kms/policy"
)

// azDenyOnly returns a decision that refuses action on resource ("" for any
// resource) and otherwise decides as policy.Evaluate does.
func azDenyOnly(action, resource string) func(policy.Input) policy.Result {
	return func(in policy.Input) policy.Result {
		if in.Action == action && (resource == "" || in.Resource == resource) {
			return policy.Result{Decision: policy.ImplicitDeny, Reason: policy.ReasonNoResourcePolicy, Action: in.Action}
		}
		return policy.Evaluate(in)
	}
}

func azInternalNew(t *testing.T) *KMS {
	t.Helper()
	k, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func azInternalKey(t *testing.T, k *KMS) (id, keyARN string) {
	t.Helper()
	out, err := k.CreateKey(context.Background(), &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata.KeyId, out.KeyMetadata.Arn
}

func azInternalAliases(t *testing.T, k *KMS) map[string]string {
	t.Helper()
	out, err := k.ListAliases(context.Background(), &ListAliasesInput{})
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

func azInternalWantDenied(t *testing.T, err error, action, resource string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrAccessDenied {
		t.Fatalf("err = %v, want AccessDeniedException", err)
	}
	want := "is not authorized to perform: " + action
	if resource != "" {
		want += " on resource: " + resource + " "
	}
	if !strings.Contains(e.Message, want) {
		t.Fatalf("message %q does not contain %q", e.Message, want)
	}
}

// TestAliasWritesAuthorizeEveryResource: "To create an alias ... you need
// kms:CreateAlias permission for the alias (IAM policy) and for the KMS
// key (key policy)"; UpdateAlias needs kms:UpdateAlias on the alias, on
// the current KMS key and on the new KMS key; DeleteAlias needs
// kms:DeleteAlias on the alias and on the KMS key (AWS KMS Developer
// Guide, "Controlling access to aliases"). Refusing any one of them
// refuses the request, names that resource, and writes nothing.
func TestAliasWritesAuthorizeEveryResource(t *testing.T) {
	const name = "alias/app"
	tests := []struct {
		name   string
		action string
		deny   func(ks azAliasKeys) string // the resource refused
		call   func(k *KMS, ks azAliasKeys) error
	}{
		{"CreateAlias: the alias", "kms:CreateAlias", func(ks azAliasKeys) string { return ks.aliasARN }, azCreateAlias},
		{"CreateAlias: the key", "kms:CreateAlias", func(ks azAliasKeys) string { return ks.newARN }, azCreateAlias},
		{"UpdateAlias: the alias", "kms:UpdateAlias", func(ks azAliasKeys) string { return ks.aliasARN }, azUpdateAlias},
		{"UpdateAlias: the current key", "kms:UpdateAlias", func(ks azAliasKeys) string { return ks.oldARN }, azUpdateAlias},
		{"UpdateAlias: the new key", "kms:UpdateAlias", func(ks azAliasKeys) string { return ks.newARN }, azUpdateAlias},
		{"DeleteAlias: the alias", "kms:DeleteAlias", func(ks azAliasKeys) string { return ks.aliasARN }, azDeleteAlias},
		{"DeleteAlias: the key", "kms:DeleteAlias", func(ks azAliasKeys) string { return ks.oldARN }, azDeleteAlias},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := azInternalNew(t)
			var ks azAliasKeys
			ks.oldID, ks.oldARN = azInternalKey(t, k)
			ks.newID, ks.newARN = azInternalKey(t, k)
			ks.aliasARN = k.aliasARN(keyRef{k.account, k.region, name})
			if tt.action != "kms:CreateAlias" {
				if _, err := k.CreateAlias(context.Background(), &CreateAliasInput{AliasName: name, TargetKeyId: ks.oldID}); err != nil {
					t.Fatal(err)
				}
			}
			before := azInternalAliases(t, k)
			denied := tt.deny(ks)
			k.decide = azDenyOnly(tt.action, denied)
			err := tt.call(k, ks)
			k.decide = policy.Evaluate
			azInternalWantDenied(t, err, tt.action, denied)
			if after := azInternalAliases(t, k); !maps.Equal(after, before) {
				t.Fatalf("refused request wrote: aliases %v, want %v", after, before)
			}
			// Allowed everything, the same request succeeds and writes.
			if err := tt.call(k, ks); err != nil {
				t.Fatal(err)
			}
			if after := azInternalAliases(t, k); maps.Equal(after, before) {
				t.Fatal("the allowed request changed nothing: the test cannot see a write")
			}
		})
	}
}

// azAliasKeys are the resources of an alias write: the key the alias
// points at (old), the key it is to point at (new), and the alias.
type azAliasKeys struct{ oldID, oldARN, newID, newARN, aliasARN string }

func azCreateAlias(k *KMS, ks azAliasKeys) error {
	_, err := k.CreateAlias(context.Background(), &CreateAliasInput{AliasName: "alias/app", TargetKeyId: ks.newID})
	return err
}

func azUpdateAlias(k *KMS, ks azAliasKeys) error {
	_, err := k.UpdateAlias(context.Background(), &UpdateAliasInput{AliasName: "alias/app", TargetKeyId: ks.newID})
	return err
}

func azDeleteAlias(k *KMS, _ azAliasKeys) error {
	_, err := k.DeleteAlias(context.Background(), &DeleteAliasInput{AliasName: "alias/app"})
	return err
}

// TestEachOperationAuthorizesItsAction: each operation asks for its own
// IAM action, on the key it uses (AWS KMS API reference, "Required
// permissions" of each operation; ReEncrypt needs kms:ReEncryptFrom on the
// source key and kms:ReEncryptTo on the destination key). Refusing only
// that action refuses the operation.
func TestEachOperationAuthorizesItsAction(t *testing.T) {
	ctx := context.Background()
	k := azInternalNew(t)
	src, srcARN := azInternalKey(t, k)
	dst, dstARN := azInternalKey(t, k)
	enc, err := k.Encrypt(ctx, &EncryptInput{KeyId: src, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &CreateAliasInput{AliasName: "alias/app", TargetKeyId: src}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action, resource string
		call             func() error
	}{
		{"kms:CreateKey", "", func() error { _, err := k.CreateKey(ctx, &CreateKeyInput{}); return err }},
		{"kms:ListKeys", "", func() error { _, err := k.ListKeys(ctx, &ListKeysInput{}); return err }},
		{"kms:ListAliases", "", func() error { _, err := k.ListAliases(ctx, &ListAliasesInput{}); return err }},
		{"kms:GenerateRandom", "", func() error { _, err := k.GenerateRandom(ctx, &GenerateRandomInput{NumberOfBytes: 8}); return err }},
		{"kms:DescribeKey", srcARN, func() error { _, err := k.DescribeKey(ctx, &DescribeKeyInput{KeyId: src}); return err }},
		{"kms:ListResourceTags", srcARN, func() error {
			_, err := k.ListResourceTags(ctx, &ListResourceTagsInput{KeyId: src})
			return err
		}},
		{"kms:UpdateKeyDescription", srcARN, func() error {
			_, err := k.UpdateKeyDescription(ctx, &UpdateKeyDescriptionInput{KeyId: src, Description: "d"})
			return err
		}},
		{"kms:TagResource", srcARN, func() error {
			_, err := k.TagResource(ctx, &TagResourceInput{KeyId: src, Tags: []Tag{{TagKey: "a", TagValue: "b"}}})
			return err
		}},
		{"kms:Encrypt", srcARN, func() error {
			_, err := k.Encrypt(ctx, &EncryptInput{KeyId: "alias/app", Plaintext: []byte("x")})
			return err
		}},
		{"kms:Decrypt", srcARN, func() error { _, err := k.Decrypt(ctx, &DecryptInput{CiphertextBlob: enc.CiphertextBlob}); return err }},
		{"kms:ReEncryptFrom", srcARN, func() error {
			_, err := k.ReEncrypt(ctx, &ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: dst})
			return err
		}},
		{"kms:ReEncryptTo", dstARN, func() error {
			_, err := k.ReEncrypt(ctx, &ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: dst})
			return err
		}},
		{"kms:GenerateDataKey", srcARN, func() error {
			_, err := k.GenerateDataKey(ctx, &GenerateDataKeyInput{KeyId: src, NumberOfBytes: 16})
			return err
		}},
		{"kms:GenerateDataKeyWithoutPlaintext", srcARN, func() error {
			_, err := k.GenerateDataKeyWithoutPlaintext(ctx, &GenerateDataKeyWithoutPlaintextInput{KeyId: src, NumberOfBytes: 16})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			k.decide = azDenyOnly(tt.action, "")
			err := tt.call()
			k.decide = policy.Evaluate
			azInternalWantDenied(t, err, tt.action, tt.resource)
			if err := tt.call(); err != nil {
				t.Fatalf("allowed: %v", err)
			}
		})
	}
}

// TestOpPanicsForOperationWithoutKeyStateRow: every operation must have a
// row in the key-state table (state.go), so a misspelt operation name
// stops the program at start-up instead of allowing every key state.
func TestOpPanicsForOperationWithoutKeyStateRow(t *testing.T) {
	tests := []struct {
		name string
		make func()
	}{
		{"op", func() { op("EncryptTypo", true, true) }},
		{"opAs", func() { opAs("ReEncryptTypo", "kms:ReEncryptFrom", true, true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, "Typo") || !strings.Contains(s, "key-state table") {
					t.Fatalf("recovered %v, want a panic naming the operation and the key-state table", r)
				}
			}()
			tt.make()
		})
	}
	// And a known name does not panic and gets its row.
	if o := op("Encrypt", true, true); o.action != "kms:Encrypt" || o.states == nil {
		t.Fatalf("op(Encrypt) = %+v", o)
	}
}
