package kms_test

// Grants through the handle: CreateGrant, ListGrants, ListRetirableGrants,
// RetireGrant and RevokeGrant with their errors, grants that really allow
// (and only under their constraints), grant tokens, and who may retire and
// revoke (AWS KMS Developer Guide, "Grants in AWS KMS", "Grant
// constraints", "Retiring and revoking grants").

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// grHandle is a handle with IAM modelled in which Alice, Bob and the role
// have no IAM permission at all: whatever they do on a key, a grant
// allows.
func grHandle(t *testing.T) *kms.KMS {
	t.Helper()
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: kms.IdentityPolicies{plAlice: nil, plBob: nil, plRole: nil}})
	return k
}

func grCreate(t *testing.T, k *kms.KMS, in *kms.CreateGrantInput) *kms.CreateGrantOutput {
	t.Helper()
	out, err := k.CreateGrant(t.Context(), in)
	if err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	if len(out.GrantId) != 64 || out.GrantToken == "" {
		t.Fatalf("CreateGrant = %+v", out)
	}
	return out
}

// TestGrantAllowsExactlyItsOperations: a principal no policy allows may use
// the key for the grant's operations, and only those.
func TestGrantAllowsExactlyItsOperations(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	alice := kms.WithCaller(ctx, plAlice)
	azWantCode(t, plEncrypt(alice, k, md.KeyId, nil), kms.ErrAccessDenied, "no identity-based policy")
	grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt, kms.GrantOperationDescribeKey}})
	// At once: embedkms is strongly consistent, no token needed.
	if err := plEncrypt(alice, k, md.KeyId, nil); err != nil {
		t.Fatalf("Encrypt through the grant: %v", err)
	}
	if _, err := k.DescribeKey(alice, &kms.DescribeKeyInput{KeyId: md.Arn}); err != nil {
		t.Fatalf("DescribeKey through the grant: %v", err)
	}
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Decrypt(alice, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	azWantCode(t, err, kms.ErrAccessDenied, "kms:Decrypt")
	// Bob, not the grantee, gets nothing.
	azWantCode(t, plEncrypt(kms.WithCaller(ctx, plBob), k, md.KeyId, nil), kms.ErrAccessDenied, "kms:Encrypt")
	// A grant to a role covers its sessions.
	grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plRole, Operations: []kms.GrantOperation{kms.GrantOperationDecrypt}})
	if _, err := k.Decrypt(kms.WithCaller(ctx, plSession), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("Decrypt by a session of the grantee role: %v", err)
	}
	// A key policy Deny beats a grant.
	if _, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: plPolicy(`{"Effect":"Deny","Principal":{"AWS":"` + plAlice + `"},"Action":"kms:Encrypt","Resource":"*"}`)}); err != nil {
		t.Fatal(err)
	}
	azWantCode(t, plEncrypt(alice, k, md.KeyId, nil), kms.ErrAccessDenied, "explicit deny")
}

// TestGrantConstraints: EncryptionContextEquals and EncryptionContextSubset
// as the API reference (GrantConstraints) defines them.
func TestGrantConstraints(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	alice, bob := kms.WithCaller(ctx, plAlice), kms.WithCaller(ctx, plBob)
	md := plKey(t, k, "")
	enc := []kms.GrantOperation{kms.GrantOperationEncrypt}
	grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: enc,
		Constraints: &kms.GrantConstraints{EncryptionContextEquals: map[string]string{"Department": "IT"}}})
	grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plBob, Operations: enc,
		Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"Department": "IT"}}})
	tests := []struct {
		name    string
		ctx     context.Context
		ec      map[string]string
		allowed bool
	}{
		{"equals: exact", alice, map[string]string{"Department": "IT"}, true},
		{"equals: key case differs", alice, map[string]string{"department": "IT"}, true},
		{"equals: extra pair", alice, map[string]string{"Department": "IT", "Project": "x"}, false},
		{"equals: other value", alice, map[string]string{"Department": "HR"}, false},
		{"equals: value case differs", alice, map[string]string{"Department": "it"}, false},
		{"equals: none", alice, nil, false},
		{"subset: exact", bob, map[string]string{"Department": "IT"}, true},
		{"subset: extra pair", bob, map[string]string{"Department": "IT", "Project": "x"}, true},
		{"subset: missing pair", bob, map[string]string{"Project": "x"}, false},
		{"subset: none", bob, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := plEncrypt(tt.ctx, k, md.KeyId, tt.ec)
			if tt.allowed && err != nil {
				t.Fatalf("want allowed: %v", err)
			}
			if !tt.allowed {
				azWantCode(t, err, kms.ErrAccessDenied, "kms:Encrypt")
			}
		})
	}
}

// TestGrantCreateGrantNeedsAtLeastAsStrict: a grant allowing CreateGrant
// under a constraint lets its grantee create only grants at least as
// constrained ("Grant constraints").
func TestGrantCreateGrantNeedsAtLeastAsStrict(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	eq := map[string]string{"Department": "IT"}
	grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice,
		Operations:  []kms.GrantOperation{kms.GrantOperationCreateGrant, kms.GrantOperationEncrypt},
		Constraints: &kms.GrantConstraints{EncryptionContextEquals: eq}})
	alice := kms.WithCaller(ctx, plAlice)
	_, err := k.CreateGrant(alice, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plBob, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	azWantCode(t, err, kms.ErrAccessDenied, "kms:CreateGrant")
	if _, err := k.CreateGrant(alice, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plBob, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt},
		Constraints: &kms.GrantConstraints{EncryptionContextEquals: eq}}); err != nil {
		t.Fatalf("an equally strict grant: %v", err)
	}
}

func TestCreateGrantErrors(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	signing, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatal(err)
	}
	disabled := plKey(t, k, "")
	if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyId}); err != nil {
		t.Fatal(err)
	}
	enc := []kms.GrantOperation{kms.GrantOperationEncrypt}
	tests := []struct {
		name string
		in   kms.CreateGrantInput
		code kms.Code
		msg  string
	}{
		{"no grantee", kms.CreateGrantInput{KeyId: md.KeyId, Operations: enc}, kms.ErrValidation, "GranteePrincipal or GranteeServicePrincipal"},
		{"both grantees", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, GranteeServicePrincipal: "s3.amazonaws.com", Operations: enc}, kms.ErrValidation, "not both"},
		{"no operations", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice}, kms.ErrValidation, "operations"},
		{"only CreateGrant", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationCreateGrant}}, kms.ErrValidation, "Grants must not contain only the CreateGrant operation."},
		{"unknown operation", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{"Fly"}}, kms.ErrValidation, "operations.1.member"},
		{"bad principal", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: "arn:aws:iam::1:user/x", Operations: enc}, kms.ErrInvalidArn, "Invalid principal"},
		{"bad name", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: enc, Name: "a b"}, kms.ErrValidation, "name"},
		{"sign on a symmetric key", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationSign}}, kms.ErrValidation, "Sign is not valid"},
		{"encrypt on a signing key", kms.CreateGrantInput{KeyId: signing.KeyMetadata.KeyId, GranteePrincipal: plAlice, Operations: enc}, kms.ErrValidation, "Encrypt is not valid"},
		{"constraint on a signing key", kms.CreateGrantInput{KeyId: signing.KeyMetadata.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationSign},
			Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"a": "b"}}}, kms.ErrValidation, "not supported"},
		{"too many constraint pairs", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: enc,
			Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"1": "", "2": "", "3": "", "4": "", "5": "", "6": "", "7": "", "8": "", "9": ""}}}, kms.ErrValidation, "up to 8"},
		{"service grantee without SourceArn", kms.CreateGrantInput{KeyId: md.KeyId, GranteeServicePrincipal: "s3.amazonaws.com", RetiringPrincipal: plRoot, Operations: enc}, kms.ErrValidation, "SourceArn"},
		{"alias", kms.CreateGrantInput{KeyId: "alias/x", GranteePrincipal: plAlice, Operations: enc}, kms.ErrNotFound, "Invalid keyId"},
		{"disabled key", kms.CreateGrantInput{KeyId: disabled.KeyId, GranteePrincipal: plAlice, Operations: enc}, kms.ErrDisabled, disabled.Arn + " is disabled."},
		{"bad grant token", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: enc, GrantTokens: []string{"forged"}}, kms.ErrInvalidGrantToken, ""},
		{"dry run", kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: enc, DryRun: true}, kms.ErrDryRunOperation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := k.CreateGrant(ctx, &tt.in)
			azWantCode(t, err, tt.code, tt.msg)
		})
	}
	// Nothing refused created a grant.
	for _, id := range []string{md.KeyId, signing.KeyMetadata.KeyId, disabled.KeyId} {
		out, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id})
		if err != nil || len(out.Grants) != 0 {
			t.Fatalf("grants of %s after refusals: %+v, %v", id, out, err)
		}
	}
}

// TestCreateGrantNameIsIdempotent: with a Name, a retry returns the same
// grant id and a new token (API reference, CreateGrant, Name); other
// parameters make a new grant.
func TestCreateGrantNameIsIdempotent(t *testing.T) {
	k := grHandle(t)
	md := plKey(t, k, "")
	in := &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Name: "retry-safe", Operations: []kms.GrantOperation{kms.GrantOperationDecrypt, kms.GrantOperationEncrypt}}
	a := grCreate(t, k, in)
	in.Operations = []kms.GrantOperation{kms.GrantOperationEncrypt, kms.GrantOperationDecrypt}
	b := grCreate(t, k, in)
	if a.GrantId != b.GrantId || a.GrantToken == b.GrantToken {
		t.Fatalf("retry: %+v then %+v, want the same id and a new token", a, b)
	}
	in.GranteePrincipal = plBob
	if c := grCreate(t, k, in); c.GrantId == a.GrantId {
		t.Fatal("another grantee reused the grant")
	}
	noName := &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}
	if grCreate(t, k, noName).GrantId == grCreate(t, k, noName).GrantId {
		t.Fatal("without a Name, two CreateGrant calls returned one grant")
	}
	out, err := k.ListGrants(t.Context(), &kms.ListGrantsInput{KeyId: md.KeyId})
	if err != nil || len(out.Grants) != 4 {
		t.Fatalf("ListGrants: %d grants, %v; want 4", len(out.Grants), err)
	}
}

// TestListGrants: entries, filters and pagination.
func TestListGrants(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	var ids []string
	for i := range 5 {
		p := plAlice
		if i%2 == 1 {
			p = plBob
		}
		ids = append(ids, grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: p, RetiringPrincipal: plRole,
			Operations:  []kms.GrantOperation{kms.GrantOperationEncrypt},
			Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"n": "v"}}}).GrantId)
	}
	slices.Sort(ids)
	var got []string
	marker := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the listing never ends")
		}
		out, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.Arn, Limit: 2, Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range out.Grants {
			got = append(got, g.GrantId)
			if g.KeyId != md.Arn || g.IssuingAccount != plRoot || g.RetiringPrincipal != plRole || !slices.Equal(g.Operations, []kms.GrantOperation{kms.GrantOperationEncrypt}) ||
				g.Constraints == nil || g.Constraints.EncryptionContextSubset["n"] != "v" || g.CreationDate.IsZero() {
				t.Fatalf("entry %+v", g)
			}
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("paged grants %v, want %v", got, ids)
	}
	out, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, GranteePrincipal: plBob})
	if err != nil || len(out.Grants) != 2 {
		t.Fatalf("Bob's grants: %+v, %v", out, err)
	}
	out, err = k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, GrantId: ids[3]})
	if err != nil || len(out.Grants) != 1 || out.Grants[0].GrantId != ids[3] {
		t.Fatalf("one grant: %+v, %v", out, err)
	}
	_, err = k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, GrantId: "nope"})
	azWantCode(t, err, kms.ErrInvalidGrantId, "")
	_, err = k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, Marker: "bad"})
	azWantCode(t, err, kms.ErrInvalidMarker, "")
	// Retirable by the role: all five, across keys of the account.
	other := plKey(t, k, "")
	grCreate(t, k, &kms.CreateGrantInput{KeyId: other.KeyId, GranteePrincipal: plAlice, RetiringPrincipal: plRole, Operations: []kms.GrantOperation{kms.GrantOperationDecrypt}})
	var n int
	marker = ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the listing never ends")
		}
		r, err := k.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: plRole, Limit: 4, Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		n += len(r.Grants)
		if !r.Truncated {
			break
		}
		marker = r.NextMarker
	}
	if n != 6 {
		t.Fatalf("ListRetirableGrants: %d grants, want 6", n)
	}
	_, err = k.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: "arn:aws:iam::1:user/x"})
	azWantCode(t, err, kms.ErrInvalidArn, "")
}

// TestRetireGrantWhoMay: "Retiring and revoking grants": the retiring
// principal; the grantee only with the RetireGrant operation; the key's
// account; nobody else.
func TestRetireGrantWhoMay(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	mk := func(ops ...kms.GrantOperation) *kms.CreateGrantOutput {
		return grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, RetiringPrincipal: plBob, Operations: ops})
	}
	enc := kms.GrantOperationEncrypt
	tests := []struct {
		name    string
		caller  string
		ops     []kms.GrantOperation
		byToken bool
		allowed bool
	}{
		{"retiring principal by id", plBob, []kms.GrantOperation{enc}, false, true},
		{"retiring principal by token", plBob, []kms.GrantOperation{enc}, true, true},
		{"grantee without RetireGrant", plAlice, []kms.GrantOperation{enc}, false, false},
		{"grantee with RetireGrant", plAlice, []kms.GrantOperation{enc, kms.GrantOperationRetireGrant}, true, true},
		{"the key's account root", plRoot, []kms.GrantOperation{enc}, false, true},
		{"another principal", plSession, []kms.GrantOperation{enc}, false, false},
		{"another account", plOther, []kms.GrantOperation{enc}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := mk(tt.ops...)
			in := &kms.RetireGrantInput{KeyId: md.Arn, GrantId: g.GrantId}
			if tt.byToken {
				in = &kms.RetireGrantInput{GrantToken: g.GrantToken}
			}
			_, err := k.RetireGrant(kms.WithCaller(ctx, tt.caller), in)
			out, lerr := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId, GrantId: g.GrantId})
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tt.allowed {
				if err != nil || len(out.Grants) != 0 {
					t.Fatalf("RetireGrant: %v; grant still listed: %t", err, len(out.Grants) != 0)
				}
				return
			}
			azWantCode(t, err, kms.ErrAccessDenied, "kms:RetireGrant")
			if len(out.Grants) != 1 {
				t.Fatal("a refused RetireGrant removed the grant")
			}
		})
	}
}

func TestRetireAndRevokeErrors(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	g := grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	missing := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		call func() error
		code kms.Code
		msg  string
	}{
		{"retire: nothing named", func() error { _, err := k.RetireGrant(ctx, &kms.RetireGrantInput{}); return err }, kms.ErrValidation, "GrantToken"},
		{"retire: forged token", func() error {
			_, err := k.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken[:len(g.GrantToken)-2] + "AA"})
			return err
		}, kms.ErrInvalidGrantToken, ""},
		{"retire: bad grant id", func() error {
			_, err := k.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: md.KeyId, GrantId: "x"})
			return err
		}, kms.ErrInvalidGrantId, ""},
		{"retire: unknown grant", func() error {
			_, err := k.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: md.KeyId, GrantId: missing})
			return err
		}, kms.ErrNotFound, "not found"},
		{"retire: dry run", func() error {
			_, err := k.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken, DryRun: true})
			return err
		}, kms.ErrDryRunOperation, ""},
		{"revoke: unknown grant", func() error {
			_, err := k.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: missing})
			return err
		}, kms.ErrNotFound, "not found"},
		{"revoke: no grant id", func() error {
			_, err := k.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId})
			return err
		}, kms.ErrValidation, "grantId"},
		{"revoke: by the grantee", func() error {
			_, err := k.RevokeGrant(kms.WithCaller(ctx, plAlice), &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g.GrantId})
			return err
		}, kms.ErrAccessDenied, "kms:RevokeGrant"},
		{"revoke: dry run", func() error {
			_, err := k.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g.GrantId, DryRun: true})
			return err
		}, kms.ErrDryRunOperation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { azWantCode(t, tt.call(), tt.code, tt.msg) })
	}
	if err := plEncrypt(kms.WithCaller(ctx, plAlice), k, md.KeyId, nil); err != nil {
		t.Fatalf("the grant after refused retire and revoke calls: %v", err)
	}
	if _, err := k.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.Arn, GrantId: g.GrantId}); err != nil {
		t.Fatal(err)
	}
	azWantCode(t, plEncrypt(kms.WithCaller(ctx, plAlice), k, md.KeyId, nil), kms.ErrAccessDenied, "kms:Encrypt")
}

// TestGrantTokens: tokens are checked on every operation that takes them;
// a token of this store is accepted, one of another store, or edited, is
// InvalidGrantTokenException.
func TestGrantTokens(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	g := grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	alice := kms.WithCaller(ctx, plAlice)
	if _, err := k.Encrypt(alice, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), GrantTokens: []string{g.GrantToken}}); err != nil {
		t.Fatalf("Encrypt with the grant's token: %v", err)
	}
	other, _ := kmstest.New(t)
	md2 := plKey(t, other, "")
	g2, err := other.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md2.KeyId, GranteePrincipal: plAlice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{g2.GrantToken, "EKGT1" + strings.Repeat("A", 120), strings.Replace(g.GrantToken, "A", "B", 1)} {
		_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), GrantTokens: []string{tok}})
		azWantCode(t, err, kms.ErrInvalidGrantToken, "")
	}
}

// TestGrantsAcrossAccountsAndDeletion: a grant to another account's
// principal works through that account's handle on the shared backend,
// and deleting the key deletes its grants.
func TestGrantsAcrossAccountsAndDeletion(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	iam := kms.IdentityPolicies{plCarol: nil}
	a, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store, IdentityPolicies: iam})
	b, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, AccountID: "444455556666", IdentityPolicies: iam, Clock: clock})
	ctx := t.Context()
	md := plKey(t, a, "")
	grCreate(t, a, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plCarol, RetiringPrincipal: plCarol, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	carol := kms.WithCaller(ctx, plCarol)
	if err := plEncrypt(carol, b, md.Arn, nil); err != nil {
		t.Fatalf("Carol through her grant: %v", err)
	}
	out, err := a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})
	if err != nil || len(out.Grants) != 1 {
		t.Fatal(out, err)
	}
	if _, err := a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(8 * 24 * 3600e9)
	if err := a.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	// The purge deleted the grant records with the key.
	n := 0
	if err := store.View(ctx, func(tx backend.Txn) error {
		return tx.Scan([]byte("grant/"), []byte("grant0"), func(_, _ []byte) bool { n++; return true })
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d grant records left after the key was deleted", n)
	}
	_, err = a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})
	azWantCode(t, err, kms.ErrNotFound, "")
}

// TestGrantToServicePrincipalNeedsItsSourceArn: a grant to an AWS service
// principal with a SourceArn constraint allows that service only on behalf
// of that resource (API reference, CreateGrant, GranteeServicePrincipal and
// Constraints.SourceArn).
func TestGrantToServicePrincipalNeedsItsSourceArn(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	bucket := "arn:aws:s3:us-east-1:111122223333:bucket/reports"
	grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteeServicePrincipal: "s3.amazonaws.com", RetiringServicePrincipal: "s3.amazonaws.com",
		Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}, Constraints: &kms.GrantConstraints{SourceArn: bucket}})
	s3 := func(source string) context.Context {
		return kms.WithCallerInfo(ctx, kms.CallerInfo{Principal: "s3.amazonaws.com", SourceArn: source})
	}
	if err := plEncrypt(s3(bucket), k, md.KeyId, nil); err != nil {
		t.Fatalf("S3 on behalf of the bucket: %v", err)
	}
	azWantCode(t, plEncrypt(s3("arn:aws:s3:us-east-1:111122223333:bucket/other"), k, md.KeyId, nil), kms.ErrAccessDenied, "kms:Encrypt")
	azWantCode(t, plEncrypt(s3(""), k, md.KeyId, nil), kms.ErrAccessDenied, "kms:Encrypt")
	out, err := k.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringServicePrincipal: "s3.amazonaws.com"})
	if err != nil || len(out.Grants) != 1 || out.Grants[0].GranteeServicePrincipal != "s3.amazonaws.com" || out.Grants[0].Constraints.SourceArn != bucket {
		t.Fatalf("ListRetirableGrants = %+v, %v", out, err)
	}
}

// TestListRetirableGrantsAcrossAccounts: ListRetirableGrants returns the
// grants the principal may retire on keys of other accounts too (API
// reference, ListRetirableGrants: "The grants that are returned include
// grants for KMS keys in your AWS account and other AWS accounts"), of the
// handle's Region only, paged.
func TestListRetirableGrantsAcrossAccounts(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	a, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store})
	b, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, AccountID: "444455556666", Clock: clock})
	west, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, Region: "eu-west-1", Clock: clock})
	ctx := t.Context()
	mk := func(k *kms.KMS, retiring string) string {
		md := plKey(t, k, "")
		return grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: retiring, RetiringPrincipal: retiring, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}}).GrantId
	}
	want := []string{mk(a, plCarol), mk(a, plCarol), mk(b, plCarol)}
	mk(a, plAlice)
	mk(west, plCarol)
	var got []string
	marker := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the listing never ends")
		}
		out, err := b.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: plCarol, Limit: 1, Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range out.Grants {
			got = append(got, g.GrantId)
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("grants retirable by Carol: %v, want %v", got, want)
	}
	// Carol retires one on account A's key through her own account's handle.
	if _, err := b.RetireGrant(kms.WithCaller(ctx, plCarol), &kms.RetireGrantInput{KeyId: arnOfGrantKey(t, b, plCarol, want[0]), GrantId: want[0]}); err != nil {
		t.Fatalf("Carol retiring a listed grant: %v", err)
	}
}

// arnOfGrantKey returns the key ARN ListRetirableGrants gives for grantID.
func arnOfGrantKey(t *testing.T, k *kms.KMS, retiring, grantID string) string {
	t.Helper()
	out, err := k.ListRetirableGrants(t.Context(), &kms.ListRetirableGrantsInput{RetiringPrincipal: retiring})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.Grants {
		if g.GrantId == grantID {
			return g.KeyId
		}
	}
	t.Fatalf("grant %s not listed", grantID)
	return ""
}

// TestGrantToServicePrincipal: a grant to a service principal allows that
// service only for the resource of its SourceArn constraint (API
// reference, CreateGrant, GranteeServicePrincipal; GrantConstraints,
// SourceArn), and its retiring service principal may retire it.
func TestGrantToServicePrincipal(t *testing.T) {
	k := grHandle(t)
	ctx := t.Context()
	md := plKey(t, k, "")
	const (
		s3     = "s3.amazonaws.com"
		bucket = "arn:aws:s3:us-east-1:111122223333:bucket/b"
	)
	g := grCreate(t, k, &kms.CreateGrantInput{KeyId: md.KeyId, GranteeServicePrincipal: s3, RetiringServicePrincipal: s3,
		Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}, Constraints: &kms.GrantConstraints{SourceArn: bucket}})
	tests := []struct {
		name    string
		caller  kms.CallerInfo
		allowed bool
	}{
		{"S3 for the bucket", kms.CallerInfo{Principal: s3, SourceArn: bucket}, true},
		{"S3 for another bucket", kms.CallerInfo{Principal: s3, SourceArn: bucket + "2"}, false},
		{"S3 for no resource", kms.CallerInfo{Principal: s3}, false},
		{"another service for the bucket", kms.CallerInfo{Principal: "dynamodb.amazonaws.com", SourceArn: bucket}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := plEncrypt(kms.WithCallerInfo(ctx, tt.caller), k, md.KeyId, nil)
			if tt.allowed && err != nil {
				t.Fatalf("want allowed: %v", err)
			}
			if !tt.allowed {
				azWantCode(t, err, kms.ErrAccessDenied, "kms:Encrypt")
			}
		})
	}
	_, err := k.RetireGrant(kms.WithCaller(ctx, "dynamodb.amazonaws.com"), &kms.RetireGrantInput{GrantToken: g.GrantToken})
	azWantCode(t, err, kms.ErrAccessDenied, "kms:RetireGrant")
	if _, err := k.RetireGrant(kms.WithCaller(ctx, s3), &kms.RetireGrantInput{GrantToken: g.GrantToken}); err != nil {
		t.Fatalf("RetireGrant by its retiring service principal: %v", err)
	}
	azWantCode(t, plEncrypt(kms.WithCallerInfo(ctx, kms.CallerInfo{Principal: s3, SourceArn: bucket}), k, md.KeyId, nil), kms.ErrAccessDenied, "kms:Encrypt")
}

// TestRetireGrantAndIAMPolicies: "Retiring and revoking grants": a Deny of
// kms:RetireGrant in an IAM policy refuses even the retiring principal; a
// principal of the key's account, or of a retiring account, may retire
// when its IAM policy allows kms:RetireGrant, and not without.
func TestRetireGrantAndIAMPolicies(t *testing.T) {
	const dave = "arn:aws:iam::444455556666:user/Dave"
	allowRetire := plIAM(`{"Effect":"Allow","Action":"kms:RetireGrant","Resource":"*"}`)
	iam := kms.IdentityPolicies{
		plAlice: {allowRetire},
		plBob:   {plIAM(`{"Effect":"Deny","Action":"kms:RetireGrant","Resource":"*"}`)},
		plRole:  nil,
		plCarol: {allowRetire},
		dave:    nil,
	}
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	a, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store, IdentityPolicies: iam})
	b, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, AccountID: "444455556666", IdentityPolicies: iam, Clock: clock})
	ctx := t.Context()
	md := plKey(t, a, "")
	enc := []kms.GrantOperation{kms.GrantOperationEncrypt}
	tests := []struct {
		name     string
		k        *kms.KMS
		caller   string
		retiring string
		allowed  bool
		msg      string
	}{
		{"retiring principal denied by IAM", a, plBob, plBob, false, "with an explicit deny in an identity-based policy"},
		{"key's account principal allowed by IAM", a, plAlice, plSession, true, ""},
		{"key's account principal without IAM", a, plSession, plBob, false, "the grant does not allow it"},
		{"retiring account principal allowed by IAM", b, plCarol, plOther, true, ""},
		{"retiring account principal without IAM", b, dave, plOther, false, "the grant does not allow it"},
		{"another account's principal allowed by IAM", b, plCarol, plBob, false, "the grant does not allow it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := grCreate(t, a, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: plAlice, RetiringPrincipal: tt.retiring, Operations: enc})
			_, err := tt.k.RetireGrant(kms.WithCaller(ctx, tt.caller), &kms.RetireGrantInput{KeyId: md.Arn, GrantId: g.GrantId})
			if tt.allowed {
				if err != nil {
					t.Fatalf("want allowed: %v", err)
				}
				return
			}
			azWantCode(t, err, kms.ErrAccessDenied, "kms:RetireGrant", tt.msg)
		})
	}
}
