package kms_test

// Key policies and IAM policies, evaluated through the handle: GetKeyPolicy,
// PutKeyPolicy, ListKeyPolicies, the lockout safety check, and every
// condition key the handle fills, each from an example of the AWS KMS
// Developer Guide (named in the test).

import (
	"context"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
	"github.com/embedkms/kms/policy"
)

const (
	plRoot    = "arn:aws:iam::111122223333:root"
	plAlice   = "arn:aws:iam::111122223333:user/Alice"
	plBob     = "arn:aws:iam::111122223333:user/Bob"
	plRole    = "arn:aws:iam::111122223333:role/ExampleRole"
	plSession = "arn:aws:sts::111122223333:assumed-role/ExampleRole/session-1"
	plOther   = "arn:aws:iam::444455556666:root"
	plCarol   = "arn:aws:iam::444455556666:user/Carol"
)

// plPolicy is a key policy: the account root may do everything (so the
// lockout check passes for the root) plus the given statements.
func plPolicy(statements ...string) string {
	all := append([]string{`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"` + plRoot + `"},"Action":"kms:*","Resource":"*"}`}, statements...)
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(all, ",") + `]}`
}

// plIAM is an IAM policy of the given statements.
func plIAM(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func plKey(t *testing.T, k *kms.KMS, pol string) *kms.KeyMetadata {
	t.Helper()
	out, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

func plEncrypt(ctx context.Context, k *kms.KMS, keyID string, ec map[string]string) error {
	_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: []byte("x"), EncryptionContext: ec})
	return err
}

func TestGetKeyPolicyDefaultIsAWSText(t *testing.T) {
	k, _ := kmstest.New(t)
	md := plKey(t, k, "")
	out, err := k.GetKeyPolicy(t.Context(), &kms.GetKeyPolicyInput{KeyId: md.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	if out.Policy != policy.DefaultKeyPolicy("aws", "111122223333") || out.PolicyName != "default" {
		t.Fatalf("GetKeyPolicy = %q, %q", out.Policy, out.PolicyName)
	}
	// As AWS writes it (AWS KMS Developer Guide, "Default key policy").
	for _, part := range []string{`"Sid" : "Enable IAM User Permissions"`, `"AWS" : "arn:aws:iam::111122223333:root"`, `"Action" : "kms:*"`, `"Id" : "key-default-1"`} {
		if !strings.Contains(out.Policy, part) {
			t.Fatalf("default policy lacks %s:\n%s", part, out.Policy)
		}
	}
	names, err := k.ListKeyPolicies(t.Context(), &kms.ListKeyPoliciesInput{KeyId: md.Arn})
	if err != nil || len(names.PolicyNames) != 1 || names.PolicyNames[0] != "default" || names.Truncated {
		t.Fatalf("ListKeyPolicies = %+v, %v", names, err)
	}
}

func TestKeyPolicyOperationErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	md := plKey(t, k, "")
	ctx := t.Context()
	big := plPolicy(`{"Sid":"` + strings.Repeat("a", policy.MaxKeyPolicySize) + `","Effect":"Allow","Principal":{"AWS":"` + plRoot + `"},"Action":"kms:Encrypt","Resource":"*"}`)
	tests := []struct {
		name string
		call func() error
		code kms.Code
		msg  string
	}{
		{"get other policy name", func() error {
			_, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: "other"})
			return err
		}, kms.ErrNotFound, "No such policy exists"},
		{"get bad policy name", func() error {
			_, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: "a-b"})
			return err
		}, kms.ErrValidation, "policyName"},
		{"get by alias", func() error {
			_, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: "alias/x"})
			return err
		}, kms.ErrNotFound, "Invalid keyId"},
		{"get missing key", func() error {
			_, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab"})
			return err
		}, kms.ErrNotFound, "does not exist"},
		{"put other policy name", func() error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, PolicyName: "other", Policy: plPolicy()})
			return err
		}, kms.ErrUnsupportedOperation, "default"},
		{"put no policy", func() error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId})
			return err
		}, kms.ErrValidation, "policy"},
		{"put bad json", func() error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: `{"Statement": [`})
			return err
		}, kms.ErrMalformedPolicyDocument, ""},
		{"put statement without principal", func() error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`})
			return err
		}, kms.ErrMalformedPolicyDocument, ""},
		{"put over 32 KB", func() error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: big})
			return err
		}, kms.ErrLimitExceeded, ""},
		{"create with bad json", func() error {
			_, err := k.CreateKey(ctx, &kms.CreateKeyInput{Policy: `not json`})
			return err
		}, kms.ErrMalformedPolicyDocument, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			azWantCode(t, tt.call(), tt.code, tt.msg)
		})
	}
	// Nothing refused changed the policy.
	out, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
	if err != nil || out.Policy != policy.DefaultKeyPolicy("aws", "111122223333") {
		t.Fatalf("policy after refused changes = %q, %v", out.Policy, err)
	}
}

// TestPutKeyPolicyLockoutSafetyCheck: "The new key policy will not allow
// you to update the key policy in the future." (AWS KMS API reference,
// PutKeyPolicy, BypassPolicyLockoutSafetyCheck), and what bypassing it
// does: the caller is locked out at once.
func TestPutKeyPolicyLockoutSafetyCheck(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	onlyAlice := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + plAlice + `"},"Action":"kms:*","Resource":"*"}]}`
	_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: onlyAlice})
	azWantCode(t, err, kms.ErrMalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future.")
	// A policy denying the root PutKeyPolicy fails the check too.
	denyPut := plPolicy(`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:PutKeyPolicy","Resource":"*"}`)
	_, err = k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: denyPut})
	azWantCode(t, err, kms.ErrMalformedPolicyDocument, "will not allow you to update")
	// CreateKey runs the same check.
	_, err = k.CreateKey(ctx, &kms.CreateKeyInput{Policy: onlyAlice})
	azWantCode(t, err, kms.ErrMalformedPolicyDocument, "will not allow you to update")

	if _, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: onlyAlice, BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Fatal(err)
	}
	got, err := k.GetKeyPolicy(kms.WithCaller(ctx, plAlice), &kms.GetKeyPolicyInput{KeyId: md.KeyId})
	if err != nil || got.Policy != onlyAlice {
		t.Fatalf("GetKeyPolicy as Alice = %v, %v", got, err)
	}
	// The root is now refused everything on the key, at once.
	_, err = k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: plPolicy()})
	azWantCode(t, err, kms.ErrAccessDenied, "User: "+plRoot+" is not authorized to perform: kms:PutKeyPolicy on resource: "+md.Arn+" because no resource-based policy allows the kms:PutKeyPolicy action")
	azWantCode(t, plEncrypt(ctx, k, md.KeyId, nil), kms.ErrAccessDenied, "kms:Encrypt")
	if err := plEncrypt(kms.WithCaller(ctx, plAlice), k, md.KeyId, nil); err != nil {
		t.Fatalf("Alice, whom the policy names: %v", err)
	}
	// CreateKey with the bypass creates a key only Alice may use.
	out, err := k.CreateKey(ctx, &kms.CreateKeyInput{Policy: onlyAlice, BypassPolicyLockoutSafetyCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	azWantCode(t, plEncrypt(ctx, k, out.KeyMetadata.KeyId, nil), kms.ErrAccessDenied, "no resource-based policy")
}

// TestKeyPolicyExplicitDeny: a Deny statement beats every Allow (IAM User
// Guide, "Policy evaluation logic"), with AWS's wording.
func TestKeyPolicyExplicitDeny(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	md := plKey(t, k, plPolicy(`{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*"}`))
	azWantCode(t, plEncrypt(ctx, k, md.KeyId, nil), kms.ErrAccessDenied,
		"User: "+plRoot+" is not authorized to perform: kms:Encrypt on resource: "+md.Arn+" with an explicit deny in a resource-based policy")
	if _, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatalf("DescribeKey, not denied: %v", err)
	}
}

// plIAMHandle is a handle with IAM modelled: Alice may use every key for
// Encrypt and DescribeKey, Bob has no policy, the role may do kms:*.
func plIAMHandle(t *testing.T, extra kms.IdentityPolicies) *kms.KMS {
	t.Helper()
	iam := kms.IdentityPolicies{
		plAlice: {plIAM(`{"Effect":"Allow","Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"}`)},
		plBob:   nil,
		plRole:  {plIAM(`{"Effect":"Allow","Action":"kms:*","Resource":"*"}`)},
	}
	for p, d := range extra {
		iam[p] = d
	}
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: iam})
	return k
}

// TestIdentityPoliciesWithDefaultKeyPolicy: the default key policy
// delegates to IAM (AWS KMS Developer Guide, "Default key policy", "Allows
// access to the AWS account and enables IAM policies").
func TestIdentityPoliciesWithDefaultKeyPolicy(t *testing.T) {
	k := plIAMHandle(t, nil)
	ctx := t.Context()
	md := plKey(t, k, "")
	alice, bob := kms.WithCaller(ctx, plAlice), kms.WithCaller(ctx, plBob)
	if err := plEncrypt(alice, k, md.KeyId, nil); err != nil {
		t.Fatalf("Alice Encrypt: %v", err)
	}
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Decrypt(alice, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	azWantCode(t, err, kms.ErrAccessDenied, "User: "+plAlice+" is not authorized to perform: kms:Decrypt on resource: "+md.Arn+" because no identity-based policy allows the kms:Decrypt action")
	azWantCode(t, plEncrypt(bob, k, md.KeyId, nil), kms.ErrAccessDenied, "because no identity-based policy allows the kms:Encrypt action")
	// The role's session acts with the role's policies.
	if _, err := k.Decrypt(kms.WithCaller(ctx, plSession), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("role session Decrypt: %v", err)
	}
	// CreateKey and ListKeys are IAM-only actions.
	_, err = k.CreateKey(alice, &kms.CreateKeyInput{})
	azWantCode(t, err, kms.ErrAccessDenied, "User: "+plAlice+" is not authorized to perform: kms:CreateKey because no identity-based policy allows the kms:CreateKey action")
	if _, err := k.CreateKey(kms.WithCaller(ctx, plSession), &kms.CreateKeyInput{}); err != nil {
		t.Fatalf("role session CreateKey: %v", err)
	}
}

// TestIdentityPolicyExplicitDenyBeatsKeyPolicy: a Deny in an IAM policy
// denies what the key policy allows by name.
func TestIdentityPolicyExplicitDenyBeatsKeyPolicy(t *testing.T) {
	k := plIAMHandle(t, kms.IdentityPolicies{
		plBob: {plIAM(`{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}`)},
	})
	md := plKey(t, k, plPolicy(`{"Effect":"Allow","Principal":{"AWS":"`+plBob+`"},"Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"}`))
	bob := kms.WithCaller(t.Context(), plBob)
	azWantCode(t, plEncrypt(bob, k, md.KeyId, nil), kms.ErrAccessDenied, "with an explicit deny in an identity-based policy")
	if _, err := k.DescribeKey(bob, &kms.DescribeKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatalf("DescribeKey, allowed by the key policy alone: %v", err)
	}
}

// TestKeyPolicyNamingPrincipalNeedsNoIAM: a key policy statement naming a
// principal of the key's account allows it without any IAM policy (AWS KMS
// Developer Guide, "Determining access to AWS KMS keys"); naming the role
// allows its sessions.
func TestKeyPolicyNamingPrincipalNeedsNoIAM(t *testing.T) {
	k := plIAMHandle(t, kms.IdentityPolicies{plRole: nil})
	md := plKey(t, k, plPolicy(`{"Effect":"Allow","Principal":{"AWS":["`+plBob+`","`+plRole+`"]},"Action":"kms:Encrypt","Resource":"*"}`))
	for _, p := range []string{plBob, plSession} {
		if err := plEncrypt(kms.WithCaller(t.Context(), p), k, md.KeyId, nil); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	// A key policy without the account root: IAM cannot help.
	md2 := plKey(t, k, plPolicy())
	_, err := k.PutKeyPolicy(t.Context(), &kms.PutKeyPolicyInput{KeyId: md2.KeyId, BypassPolicyLockoutSafetyCheck: true,
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + plBob + `"},"Action":"kms:*","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	azWantCode(t, plEncrypt(kms.WithCaller(t.Context(), plAlice), k, md2.KeyId, nil), kms.ErrAccessDenied, "because no resource-based policy allows the kms:Encrypt action")
}

// TestKeyPolicyUnknownPrincipalRefused: with an IAM directory, a key
// policy naming a principal the directory's accounts do not have is
// MalformedPolicyDocumentException ("Policy contains a statement with one
// or more invalid principals.", as AWS words it); principals of accounts
// the directory does not cover are accepted.
func TestKeyPolicyUnknownPrincipalRefused(t *testing.T) {
	k := plIAMHandle(t, nil)
	stmt := func(p string) string {
		return `{"Effect":"Allow","Principal":{"AWS":"` + p + `"},"Action":"kms:Encrypt","Resource":"*"}`
	}
	_, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{Policy: plPolicy(stmt("arn:aws:iam::111122223333:user/Nobody"))})
	azWantCode(t, err, kms.ErrMalformedPolicyDocument, "Policy contains a statement with one or more invalid principals.")
	md := plKey(t, k, "")
	_, err = k.PutKeyPolicy(t.Context(), &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: plPolicy(stmt("arn:aws:iam::111122223333:role/Nobody"))})
	azWantCode(t, err, kms.ErrMalformedPolicyDocument, "invalid principals")
	for _, p := range []string{plAlice, plRole, plSession, plOther, plCarol, "111122223333"} {
		if _, err := k.PutKeyPolicy(t.Context(), &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: plPolicy(stmt(p))}); err != nil {
			t.Fatalf("policy naming %s: %v", p, err)
		}
	}
}

// TestCrossAccountNeedsBothPolicies: a principal of another account needs
// the key policy to allow it (or its account) AND its own IAM policy
// (AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS
// key"); two handles, one per account, share the backend.
func TestCrossAccountNeedsBothPolicies(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	iam := kms.IdentityPolicies{
		plCarol:                               {plIAM(`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}`)},
		"arn:aws:iam::444455556666:user/Dave": nil,
	}
	a, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, IdentityPolicies: iam})
	b, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, AccountID: "444455556666", IdentityPolicies: iam})
	ctx := t.Context()
	shared := plKey(t, a, plPolicy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Encrypt","Resource":"*"}`))
	private := plKey(t, a, "")
	carol, dave := kms.WithCaller(ctx, plCarol), kms.WithCaller(ctx, "arn:aws:iam::444455556666:user/Dave")
	if err := plEncrypt(carol, b, shared.Arn, nil); err != nil {
		t.Fatalf("Carol, allowed by both: %v", err)
	}
	azWantCode(t, plEncrypt(dave, b, shared.Arn, nil), kms.ErrAccessDenied, "no identity-based policy")
	azWantCode(t, plEncrypt(carol, b, private.Arn, nil), kms.ErrAccessDenied, "no resource-based policy")
	// A key policy naming Dave himself is not enough across accounts: his
	// own account's IAM must allow too.
	named := plKey(t, a, plPolicy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Dave"},"Action":"kms:Encrypt","Resource":"*"}`))
	azWantCode(t, plEncrypt(dave, b, named.Arn, nil), kms.ErrAccessDenied, "no identity-based policy")
	// The other account's root needs no IAM policy.
	if err := plEncrypt(kms.WithCaller(ctx, plOther), b, shared.Arn, nil); err != nil {
		t.Fatalf("account root, allowed by the key policy: %v", err)
	}
}

// TestIAMNotModelled: without IdentityPolicies every principal of the
// account has the IAM permissions it needs, and key policies still decide.
func TestIAMNotModelled(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	if err := plEncrypt(kms.WithCaller(ctx, plBob), k, md.KeyId, nil); err != nil {
		t.Fatalf("Bob under the default policy: %v", err)
	}
	azWantCode(t, plEncrypt(kms.WithCaller(ctx, plCarol), k, md.Arn, nil), kms.ErrAccessDenied, "no resource-based policy")
	only := plKey(t, k, plPolicy(`{"Effect":"Deny","Principal":{"AWS":"`+plBob+`"},"Action":"kms:*","Resource":"*"}`))
	azWantCode(t, plEncrypt(kms.WithCaller(ctx, plBob), k, only.KeyId, nil), kms.ErrAccessDenied, "explicit deny")
	if _, err := kms.New(kms.Options{IdentityPolicies: kms.IdentityPolicies{"not-an-arn": nil}}); err == nil {
		t.Fatal("New accepted a bad principal ARN in IdentityPolicies")
	}
	if _, err := kms.New(kms.Options{IdentityPolicies: kms.IdentityPolicies{plBob: {`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`}}}); err == nil {
		t.Fatal("New accepted an IAM policy with a Principal")
	}
}

// TestInvalidCallerRefused: a context naming no valid principal is denied.
func TestInvalidCallerRefused(t *testing.T) {
	k, _ := kmstest.New(t)
	md := plKey(t, k, "")
	azWantCode(t, plEncrypt(kms.WithCaller(t.Context(), "alice"), k, md.KeyId, nil), kms.ErrAccessDenied, "not a valid principal")
}

// plSource is an IdentityPolicySource of the application's own, which
// records whom it is asked about.
type plSource struct {
	policies map[string][]string
	asked    []string
}

func (s *plSource) IdentityPolicies(_ context.Context, principal string) ([]string, error) {
	s.asked = append(s.asked, principal)
	return s.policies[principal], nil
}

// TestIdentityPolicySourceAskedForTheRole: for an assumed-role session the
// handle asks an application's source for the role's policies (IAM User
// Guide, "Policy evaluation logic": a role session has its role's
// permissions), and never for the account root's.
func TestIdentityPolicySourceAskedForTheRole(t *testing.T) {
	src := &plSource{policies: map[string][]string{plRole: {plIAM(`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}`)}}}
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: src})
	md := plKey(t, k, "")
	src.asked = nil
	if err := plEncrypt(kms.WithCaller(t.Context(), plSession), k, md.KeyId, nil); err != nil {
		t.Fatalf("session of the role: %v", err)
	}
	if len(src.asked) != 1 || src.asked[0] != plRole {
		t.Fatalf("the source was asked about %v, want [%s]", src.asked, plRole)
	}
	src.asked = nil
	if err := plEncrypt(t.Context(), k, md.KeyId, nil); err != nil || len(src.asked) != 0 {
		t.Fatalf("account root: %v; source asked about %v", err, src.asked)
	}
}

// TestCreateKeyLockoutCheckSeesTheKeysTags: the lockout safety check of
// CreateKey asks whether the caller could call PutKeyPolicy on the key as
// it will be, tags included: a policy letting Bob manage only keys
// tagged Owner=Bob passes for a key created with that tag (after which
// PutKeyPolicy is indeed allowed) and fails for one created without it.
func TestCreateKeyLockoutCheckSeesTheKeysTags(t *testing.T) {
	k := plIAMHandle(t, kms.IdentityPolicies{plBob: {plIAM(`{"Effect":"Allow","Action":"kms:*","Resource":"*"}`)}})
	bob := kms.WithCaller(t.Context(), plBob)
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + plBob + `"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Owner":"Bob"}}}]}`
	out, err := k.CreateKey(bob, &kms.CreateKeyInput{Policy: pol, Tags: []kms.Tag{{TagKey: "Owner", TagValue: "Bob"}}})
	if err != nil {
		t.Fatalf("CreateKey with the tag the policy asks for: %v", err)
	}
	if _, err := k.PutKeyPolicy(bob, &kms.PutKeyPolicyInput{KeyId: out.KeyMetadata.KeyId, Policy: pol}); err != nil {
		t.Fatalf("PutKeyPolicy on the created key: %v", err)
	}
	_, err = k.CreateKey(bob, &kms.CreateKeyInput{Policy: pol})
	azWantCode(t, err, kms.ErrMalformedPolicyDocument, "will not allow you to update the key policy in the future")
}

// TestAssumedRoleSessionUsesItsRolesPolicies: an assumed-role session acts
// with the IAM policies of its role (IAM User Guide, "Policy evaluation
// logic": a role session's permissions are its role's), whether the role
// is listed with its path or not, and whether the caller names the role's
// ARN or only its session ARN.
func TestAssumedRoleSessionUsesItsRolesPolicies(t *testing.T) {
	const (
		pathRole    = "arn:aws:iam::111122223333:role/team/blue/PathRole"
		pathSession = "arn:aws:sts::111122223333:assumed-role/PathRole/s1"
	)
	allow := plIAM(`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}`)
	k := plIAMHandle(t, kms.IdentityPolicies{plRole: {allow}, pathRole: {allow}})
	ctx := t.Context()
	md := plKey(t, k, "")
	for _, c := range []kms.CallerInfo{
		{Principal: plSession},
		{Principal: pathSession},
		{Principal: pathSession, RoleARN: pathRole},
	} {
		if err := plEncrypt(kms.WithCallerInfo(ctx, c), k, md.KeyId, nil); err != nil {
			t.Errorf("Encrypt as %+v: %v", c, err)
		}
	}
	// A session of a role with no policies has none.
	azWantCode(t, plEncrypt(kms.WithCaller(ctx, "arn:aws:sts::111122223333:assumed-role/Unlisted/s1"), k, md.KeyId, nil),
		kms.ErrAccessDenied, "no identity-based policy allows the kms:Encrypt action")
}

// TestKeyPolicyOperationsAreAuthorized: GetKeyPolicy, ListKeyPolicies and
// PutKeyPolicy need kms:GetKeyPolicy, kms:ListKeyPolicies and
// kms:PutKeyPolicy (AWS KMS API reference, "Required permissions" of
// each): Alice, whose IAM policy allows only Encrypt and DescribeKey, gets
// AccessDeniedException from each; the role, allowed kms:*, does not.
func TestKeyPolicyOperationsAreAuthorized(t *testing.T) {
	k := plIAMHandle(t, nil)
	ctx := t.Context()
	md := plKey(t, k, "")
	pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(ctx context.Context) error{
		"GetKeyPolicy": func(ctx context.Context) error {
			_, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
			return err
		},
		"ListKeyPolicies": func(ctx context.Context) error {
			_, err := k.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: md.KeyId})
			return err
		},
		"PutKeyPolicy": func(ctx context.Context) error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: pol.Policy})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			azWantCode(t, call(kms.WithCaller(ctx, plAlice)), kms.ErrAccessDenied, "User: "+plAlice+" is not authorized to perform: kms:"+name+" on resource: "+md.Arn+" because no identity-based policy allows the kms:"+name+" action")
			if err := call(kms.WithCaller(ctx, plRole)); err != nil {
				t.Fatalf("as the role: %v", err)
			}
		})
	}
}

// TestCrossAccountPrincipalNamedInKeyPolicyStillNeedsIAM: a key policy
// naming a user of another account directly does not suffice: that
// account's IAM policy must allow too ("Allowing users in other accounts
// to use a KMS key": both the key policy and an IAM policy).
func TestCrossAccountPrincipalNamedInKeyPolicyStillNeedsIAM(t *testing.T) {
	const dave = "arn:aws:iam::444455556666:user/Dave"
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	iam := kms.IdentityPolicies{plCarol: {plIAM(`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}`)}, dave: nil}
	a, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, IdentityPolicies: iam})
	b, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, AccountID: "444455556666", IdentityPolicies: iam})
	ctx := t.Context()
	md := plKey(t, a, plPolicy(`{"Effect":"Allow","Principal":{"AWS":["`+dave+`","`+plCarol+`"]},"Action":"kms:Encrypt","Resource":"*"}`))
	azWantCode(t, plEncrypt(kms.WithCaller(ctx, dave), b, md.Arn, nil), kms.ErrAccessDenied, "because no identity-based policy allows the kms:Encrypt action")
	if err := plEncrypt(kms.WithCaller(ctx, plCarol), b, md.Arn, nil); err != nil {
		t.Fatalf("Carol, allowed by both: %v", err)
	}
}

// roleOnlySource is an IdentityPolicySource that knows one role's
// policies, by the role's ARN only.
type roleOnlySource struct{ role, doc string }

func (s roleOnlySource) IdentityPolicies(_ context.Context, principal string) ([]string, error) {
	if principal == s.role {
		return []string{s.doc}, nil
	}
	return nil, nil
}

// TestIdentitySourceAskedForTheSessionsRole: for an assumed-role session
// the handle asks an IdentityPolicySource for the session's role, as
// IdentityPolicySource documents.
func TestIdentitySourceAskedForTheSessionsRole(t *testing.T) {
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: roleOnlySource{plRole, plIAM(`{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}`)}})
	md := plKey(t, k, "")
	if err := plEncrypt(kms.WithCaller(t.Context(), plSession), k, md.KeyId, nil); err != nil {
		t.Fatalf("a session of the role: %v", err)
	}
}
