package kms_test

// Explain against the real call: for each case, the operation is called as
// the principal and Explain is asked the same question; the decision must
// be the call's (AccessDeniedException or not), the message the
// exception's, and the statements those the policies name.

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
	"github.com/embedkms/kms/policy"
)

const exDave = "arn:aws:iam::111122223333:user/Dave"

// exEnv is a handle with IAM modelled: Alice may Encrypt and DescribeKey
// but an explicit deny in her second policy refuses Decrypt; the role may
// do everything; Bob and Dave have no IAM permission.
type exEnv struct {
	k                    *kms.KMS
	def, ec, sign, mac   *kms.KeyMetadata
	ciphertext           []byte // under def, no encryption context
	grantID, grantName   string // Bob's grant on def
	grantEC              map[string]string
	root, alice, bob     context.Context
	dave, session, carol context.Context
	ecPolicy, signPolicy string
}

func exSetup(t *testing.T) *exEnv {
	t.Helper()
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: kms.IdentityPolicies{
		plAlice: {
			plIAM(`{"Sid":"UseKeys","Effect":"Allow","Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"}`),
			plIAM(`{"Sid":"AllowAll","Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
				`{"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}`),
		},
		plBob:  nil,
		exDave: nil,
		plRole: {plIAM(`{"Sid":"RoleAll","Effect":"Allow","Action":"kms:*","Resource":"*"}`)},
	}})
	ctx := t.Context()
	e := &exEnv{k: k, root: ctx, alice: kms.WithCaller(ctx, plAlice), bob: kms.WithCaller(ctx, plBob),
		dave: kms.WithCaller(ctx, exDave), session: kms.WithCaller(ctx, plSession), carol: kms.WithCaller(ctx, plCarol)}
	e.def = plKey(t, k, "")
	e.ecPolicy = plPolicy(
		`{"Sid":"EncryptOnlyForBilling","Effect":"Allow","Principal":{"AWS":"`+exDave+`"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:app":"billing"}}}`,
		`{"Sid":"DenyBob","Effect":"Deny","Principal":{"AWS":"`+plBob+`"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"ReEncryptInPlace","Effect":"Allow","Principal":{"AWS":"`+exDave+`"},"Action":["kms:ReEncryptFrom","kms:ReEncryptTo"],"Resource":"*","Condition":{"Bool":{"kms:ReEncryptOnSameKey":"true"}}}`,
		`{"Sid":"NotThroughBlocked","Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:RequestAlias":"alias/blocked"}}}`,
	)
	e.ec = plKey(t, k, e.ecPolicy)
	for _, a := range []string{"alias/billing", "alias/blocked"} {
		if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: a, TargetKeyId: e.ec.KeyId}); err != nil {
			t.Fatal(err)
		}
	}
	e.signPolicy = plPolicy(`{"Sid":"SignPSSRaw","Effect":"Allow","Principal":{"AWS":"` + exDave + `"},"Action":"kms:Sign","Resource":"*","Condition":{"StringEquals":{"kms:SigningAlgorithm":"RSASSA_PSS_SHA_256","kms:MessageType":"RAW"}}}`)
	out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeSignVerify, Policy: e.signPolicy})
	if err != nil {
		t.Fatal(err)
	}
	e.sign = out.KeyMetadata
	out, err = k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac,
		Policy: plPolicy(`{"Sid":"MacSHA256","Effect":"Allow","Principal":{"AWS":"` + exDave + `"},"Action":"kms:GenerateMac","Resource":"*","Condition":{"StringEquals":{"kms:MacAlgorithm":"HMAC_SHA_256"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	e.mac = out.KeyMetadata
	e.grantEC = map[string]string{"tenant": "acme"}
	g := grCreate(t, k, &kms.CreateGrantInput{KeyId: e.def.KeyId, Name: "bob-acme", GranteePrincipal: plBob,
		Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}, Constraints: &kms.GrantConstraints{EncryptionContextSubset: e.grantEC}})
	e.grantID, e.grantName = g.GrantId, "bob-acme"
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: e.def.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	e.ciphertext = enc.CiphertextBlob
	return e
}

// TestExplainAgreesWithTheCall: Explain says what the call gets, with the
// statements that decided it.
func TestExplainAgreesWithTheCall(t *testing.T) {
	e := exSetup(t)
	k := e.k
	keyPolicy := func(i int, sid, effect string) kms.ExplainedStatement {
		return kms.ExplainedStatement{Source: policy.SourceKeyPolicy, Statement: i, Sid: sid, Effect: effect}
	}
	identity := func(principal string, p, i int, sid, effect string) kms.ExplainedStatement {
		return kms.ExplainedStatement{Source: policy.SourceIdentityPolicy, Principal: principal, Policy: p, Statement: i, Sid: sid, Effect: effect}
	}
	encrypt := func(keyID string, ec map[string]string) func(context.Context) error {
		return func(ctx context.Context) error { return plEncrypt(ctx, k, keyID, ec) }
	}
	sign := func(alg kms.SigningAlgorithmSpec, mt kms.MessageType) func(context.Context) error {
		return func(ctx context.Context) error {
			msg := []byte("message")
			if mt == kms.MessageTypeDigest {
				msg = make([]byte, 32)
			}
			_, err := k.Sign(ctx, &kms.SignInput{KeyId: e.sign.KeyId, Message: msg, MessageType: mt, SigningAlgorithm: alg})
			return err
		}
	}
	mac := func(alg kms.MacAlgorithmSpec) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: e.mac.KeyId, Message: []byte("m"), MacAlgorithm: alg})
			return err
		}
	}
	decrypt := func(ctx context.Context) error {
		_, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: e.ciphertext})
		return err
	}
	reEncrypt := func(to string) func(context.Context) error {
		return func(ctx context.Context) error {
			enc, err := k.Encrypt(e.root, &kms.EncryptInput{KeyId: e.ec.KeyId, Plaintext: []byte("x")})
			if err != nil {
				return err
			}
			_, err = k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: to})
			return err
		}
	}
	createKey := func(ctx context.Context) error {
		_, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		return err
	}
	createAlias := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: name, TargetKeyId: e.def.KeyId})
			return err
		}
	}
	delegation := keyPolicy(0, "Enable IAM User Permissions", "Allow")
	root := keyPolicy(0, "Root", "Allow")
	tests := []struct {
		name     string
		caller   string // "": the account root
		call     func(context.Context) error
		in       kms.ExplainInput // without Caller
		decision policy.Decision
		resource string
		reason   string // part of the message, for a denial
		want     []kms.ExplainedStatement
	}{
		{
			name: "account root, default key policy", call: encrypt(e.def.KeyId, nil),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.def.KeyId}, decision: policy.Allow, resource: e.def.Arn,
			want: []kms.ExplainedStatement{delegation},
		},
		{
			name: "IAM user through the default policy's delegation", caller: plAlice, call: encrypt(e.def.KeyId, nil),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.def.KeyId}, decision: policy.Allow, resource: e.def.Arn,
			want: []kms.ExplainedStatement{delegation, identity(plAlice, 0, 0, "UseKeys", "Allow")},
		},
		{
			name: "explicit deny in the second identity policy", caller: plAlice, call: decrypt,
			in: kms.ExplainInput{Action: "kms:Decrypt", KeyId: e.def.KeyId}, decision: policy.ExplicitDeny, resource: e.def.Arn,
			reason: "with an explicit deny in an identity-based policy",
			want:   []kms.ExplainedStatement{identity(plAlice, 1, 1, "NoDecrypt", "Deny")},
		},
		{
			name: "no identity policy allows", caller: plAlice, call: createKey,
			in: kms.ExplainInput{Action: "kms:CreateKey"}, decision: policy.ImplicitDeny, resource: "*",
			reason: "because no identity-based policy allows the kms:CreateKey action",
		},
		{
			name: "action on no key, allowed by IAM", caller: plRole, call: createKey,
			in: kms.ExplainInput{Action: "kms:CreateKey"}, decision: policy.Allow, resource: "*",
			want: []kms.ExplainedStatement{identity(plRole, 0, 0, "RoleAll", "Allow")},
		},
		{
			name: "assumed-role session: its role's identity policy", caller: plSession, call: encrypt(e.def.Arn, nil),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.def.Arn}, decision: policy.Allow, resource: e.def.Arn,
			want: []kms.ExplainedStatement{delegation, identity(plRole, 0, 0, "RoleAll", "Allow")},
		},
		{
			name: "key policy allows under its encryption-context condition", caller: exDave, call: encrypt(e.ec.KeyId, map[string]string{"app": "billing"}),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.ec.KeyId, EncryptionContext: map[string]string{"app": "billing"}}, decision: policy.Allow, resource: e.ec.Arn,
			want: []kms.ExplainedStatement{keyPolicy(1, "EncryptOnlyForBilling", "Allow")},
		},
		{
			name: "encryption-context condition not met", caller: exDave, call: encrypt(e.ec.KeyId, map[string]string{"app": "payroll"}),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.ec.KeyId, EncryptionContext: map[string]string{"app": "payroll"}}, decision: policy.ImplicitDeny, resource: e.ec.Arn,
			reason: "because no identity-based policy allows the kms:Encrypt action",
		},
		{
			name: "by alias name: the key is the resource", caller: exDave, call: encrypt("alias/billing", map[string]string{"app": "billing"}),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: "alias/billing", EncryptionContext: map[string]string{"app": "billing"}}, decision: policy.Allow, resource: e.ec.Arn,
			want: []kms.ExplainedStatement{keyPolicy(1, "EncryptOnlyForBilling", "Allow")},
		},
		{
			name: "kms:RequestAlias: the alias the request names", caller: exDave, call: encrypt("alias/blocked", map[string]string{"app": "billing"}),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: "alias/blocked", EncryptionContext: map[string]string{"app": "billing"}}, decision: policy.ExplicitDeny, resource: e.ec.Arn,
			reason: "with an explicit deny in a resource-based policy",
			want:   []kms.ExplainedStatement{keyPolicy(4, "NotThroughBlocked", "Deny")},
		},
		{
			name: "kms:ReEncryptOnSameKey true", caller: exDave, call: reEncrypt(e.ec.KeyId),
			in: kms.ExplainInput{Action: "kms:ReEncryptFrom", KeyId: e.ec.KeyId, OtherKeyId: e.ec.Arn}, decision: policy.Allow, resource: e.ec.Arn,
			want: []kms.ExplainedStatement{keyPolicy(3, "ReEncryptInPlace", "Allow")},
		},
		{
			name: "kms:ReEncryptOnSameKey false", caller: exDave, call: reEncrypt(e.def.KeyId),
			in: kms.ExplainInput{Action: "kms:ReEncryptFrom", KeyId: e.ec.KeyId, OtherKeyId: e.def.KeyId}, decision: policy.ImplicitDeny, resource: e.ec.Arn,
			reason: "kms:ReEncryptFrom",
		},
		{
			name: "explicit deny in the key policy", caller: plBob, call: encrypt(e.ec.KeyId, nil),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.ec.KeyId}, decision: policy.ExplicitDeny, resource: e.ec.Arn,
			reason: "with an explicit deny in a resource-based policy",
			want:   []kms.ExplainedStatement{keyPolicy(2, "DenyBob", "Deny")},
		},
		{
			name: "grant with its constraint met", caller: plBob, call: encrypt(e.def.KeyId, e.grantEC),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.def.KeyId, EncryptionContext: e.grantEC}, decision: policy.Allow, resource: e.def.Arn,
			want: []kms.ExplainedStatement{{Source: policy.SourceGrant, Statement: -1, Effect: "Allow", GrantId: e.grantID, GrantName: e.grantName}},
		},
		{
			name: "grant constraint not met", caller: plBob, call: encrypt(e.def.KeyId, map[string]string{"tenant": "other"}),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.def.KeyId, EncryptionContext: map[string]string{"tenant": "other"}}, decision: policy.ImplicitDeny, resource: e.def.Arn,
			reason: "because no identity-based policy allows the kms:Encrypt action",
		},
		{
			name: "another account's principal", caller: plCarol, call: encrypt(e.def.Arn, nil),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.def.Arn}, decision: policy.ImplicitDeny, resource: e.def.Arn,
			reason: "because no resource-based policy allows the kms:Encrypt action",
		},
		{
			name: "kms:SigningAlgorithm and kms:MessageType met", caller: exDave, call: sign(kms.SigningAlgorithmSpecRsassaPssSha256, kms.MessageTypeRaw),
			in: kms.ExplainInput{Action: "kms:Sign", KeyId: e.sign.KeyId, SigningAlgorithm: kms.SigningAlgorithmSpecRsassaPssSha256, MessageType: kms.MessageTypeRaw}, decision: policy.Allow, resource: e.sign.Arn,
			want: []kms.ExplainedStatement{keyPolicy(1, "SignPSSRaw", "Allow")},
		},
		{
			name: "kms:SigningAlgorithm not met", caller: exDave, call: sign(kms.SigningAlgorithmSpecRsassaPkcs1V15Sha256, kms.MessageTypeRaw),
			in: kms.ExplainInput{Action: "kms:Sign", KeyId: e.sign.KeyId, SigningAlgorithm: kms.SigningAlgorithmSpecRsassaPkcs1V15Sha256, MessageType: kms.MessageTypeRaw}, decision: policy.ImplicitDeny, resource: e.sign.Arn,
			reason: "kms:Sign",
		},
		{
			name: "kms:MessageType not met", caller: exDave, call: sign(kms.SigningAlgorithmSpecRsassaPssSha256, kms.MessageTypeDigest),
			in: kms.ExplainInput{Action: "kms:Sign", KeyId: e.sign.KeyId, SigningAlgorithm: kms.SigningAlgorithmSpecRsassaPssSha256, MessageType: kms.MessageTypeDigest}, decision: policy.ImplicitDeny, resource: e.sign.Arn,
			reason: "kms:Sign",
		},
		{
			name: "kms:MacAlgorithm met", caller: exDave, call: mac(kms.MacAlgorithmSpecHmacSha256),
			in: kms.ExplainInput{Action: "kms:GenerateMac", KeyId: e.mac.KeyId, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256}, decision: policy.Allow, resource: e.mac.Arn,
			want: []kms.ExplainedStatement{keyPolicy(1, "MacSHA256", "Allow")},
		},
		{
			name: "kms:MacAlgorithm not met", caller: exDave, call: mac(kms.MacAlgorithmSpecHmacSha512),
			in: kms.ExplainInput{Action: "kms:GenerateMac", KeyId: e.mac.KeyId, MacAlgorithm: kms.MacAlgorithmSpecHmacSha512}, decision: policy.ImplicitDeny, resource: e.mac.Arn,
			reason: "kms:GenerateMac",
		},
		{
			name: "the account root by a key policy naming the account", call: encrypt(e.ec.KeyId, nil),
			in: kms.ExplainInput{Action: "kms:Encrypt", KeyId: e.ec.KeyId}, decision: policy.Allow, resource: e.ec.Arn,
			want: []kms.ExplainedStatement{root},
		},
		{
			name: "CreateAlias: the alias is a resource, IAM alone decides", caller: plBob, call: createAlias("alias/bob"),
			in: kms.ExplainInput{Action: "kms:CreateAlias", KeyId: "alias/bob"}, decision: policy.ImplicitDeny,
			resource: "arn:aws:kms:us-east-1:111122223333:alias/bob",
			reason:   "because no identity-based policy allows the kms:CreateAlias action",
		},
		{
			name: "CreateAlias allowed on the alias and the key", caller: plRole, call: createAlias("alias/role"),
			in: kms.ExplainInput{Action: "kms:CreateAlias", KeyId: "alias/role"}, decision: policy.Allow,
			resource: "arn:aws:kms:us-east-1:111122223333:alias/role",
			want:     []kms.ExplainedStatement{identity(plRole, 0, 0, "RoleAll", "Allow")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := e.root
			if tt.caller != "" {
				ctx = kms.WithCaller(ctx, tt.caller)
			}
			// Asked through the context, as the call is made.
			got, err := k.Explain(ctx, &tt.in)
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			// Asked with Caller, from a context of another caller.
			in := tt.in
			in.Caller = kms.CallerInfo{Principal: tt.caller}
			if tt.caller == "" {
				in.Caller.Principal = plRoot
			}
			got2, err := k.Explain(kms.WithCaller(e.root, azMallory), &in)
			if err != nil {
				t.Fatalf("Explain with Caller: %v", err)
			}
			if !reflect.DeepEqual(got, got2) {
				t.Errorf("Explain with Caller = %+v, through the context = %+v", got2, got)
			}
			callErr := tt.call(ctx)

			if got.Decision != tt.decision {
				t.Errorf("Decision = %v, want %v", got.Decision, tt.decision)
			}
			var ke *kms.Error
			denied := errors.As(callErr, &ke) && ke.Code == kms.ErrAccessDenied
			if denied != (got.Decision != policy.Allow) {
				t.Fatalf("Explain says %v (%q); the call returned %v", got.Decision, got.Message, callErr)
			}
			if denied && got.Message != ke.Message {
				t.Errorf("Message = %q\nthe call's  %q", got.Message, ke.Message)
			}
			if !denied && got.Message != "" {
				t.Errorf("Message of an allowed call = %q", got.Message)
			}
			if !denied && callErr != nil {
				t.Logf("allowed; the call failed past authorization: %v", callErr)
			}
			if tt.reason != "" && !strings.Contains(got.Message, tt.reason) {
				t.Errorf("Message %q lacks %q", got.Message, tt.reason)
			}
			wantPrincipal := tt.caller
			if wantPrincipal == "" {
				wantPrincipal = plRoot
			}
			if got.Principal != wantPrincipal || got.Resource != tt.resource || got.Action != tt.in.Action {
				t.Errorf("Principal, Resource, Action = %q, %q, %q; want %q, %q, %q", got.Principal, got.Resource, got.Action, wantPrincipal, tt.resource, tt.in.Action)
			}
			if !reflect.DeepEqual(got.Statements, tt.want) {
				t.Errorf("Statements = %+v\nwant         %+v", got.Statements, tt.want)
			}
		})
	}
}

// TestExplainWithoutIAM: with IAM not modelled, the built-in identity
// policy is named as such, and the action is not case-sensitive.
func TestExplainWithoutIAM(t *testing.T) {
	k, _ := kmstest.New(t)
	md := plKey(t, k, "")
	got, err := k.Explain(t.Context(), &kms.ExplainInput{Caller: kms.CallerInfo{Principal: plAlice}, Action: "KMS:encrypt", KeyId: md.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	want := []kms.ExplainedStatement{
		{Source: policy.SourceKeyPolicy, Statement: 0, Sid: "Enable IAM User Permissions", Effect: "Allow"},
		{Source: policy.SourceIdentityPolicy, Principal: plAlice, Statement: 0, Sid: "IAMNotModelled", Effect: "Allow"},
	}
	if got.Decision != policy.Allow || got.Action != "kms:Encrypt" || !reflect.DeepEqual(got.Statements, want) {
		t.Errorf("Explain = %+v, want Allow of kms:Encrypt by %+v", got, want)
	}
}

// TestExplainErrors: questions Explain cannot answer fail as the call
// would, or as a ValidationException.
func TestExplainErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	md := plKey(t, k, "")
	missing := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	_, callErr := k.Encrypt(t.Context(), &kms.EncryptInput{KeyId: missing, Plaintext: []byte("x")})
	var ce *kms.Error
	if !errors.As(callErr, &ce) || ce.Code != kms.ErrNotFound {
		t.Fatalf("Encrypt with a missing key: %v", callErr)
	}
	tests := []struct {
		name string
		in   *kms.ExplainInput
		code kms.Code
		msg  string
	}{
		{"unknown action", &kms.ExplainInput{Action: "kms:Fly", KeyId: md.KeyId}, kms.ErrValidation, `unknown action "kms:Fly"`},
		{"action of another service", &kms.ExplainInput{Action: "s3:GetObject", KeyId: md.KeyId}, kms.ErrValidation, "unknown action"},
		{"no KeyId for a key action", &kms.ExplainInput{Action: "kms:Encrypt"}, kms.ErrValidation, "kms:Encrypt needs a KeyId"},
		{"KeyId for an action on no key", &kms.ExplainInput{Action: "kms:ListKeys", KeyId: md.KeyId}, kms.ErrValidation, "kms:ListKeys acts on no key"},
		{"missing key, as the call says", &kms.ExplainInput{Action: "kms:Encrypt", KeyId: missing}, kms.ErrNotFound, ce.Message},
		{"missing alias", &kms.ExplainInput{Action: "kms:Encrypt", KeyId: "alias/none"}, kms.ErrNotFound, "alias/none is not found"},
		{"alias where the operation takes none", &kms.ExplainInput{Action: "kms:EnableKey", KeyId: "alias/none"}, kms.ErrNotFound, "Invalid keyId"},
		{"OtherKeyId for another action", &kms.ExplainInput{Action: "kms:Encrypt", KeyId: md.KeyId, OtherKeyId: md.KeyId}, kms.ErrValidation, "OtherKeyId is for kms:ReEncryptFrom and kms:ReEncryptTo, not kms:Encrypt"},
		{"missing other key", &kms.ExplainInput{Action: "kms:ReEncryptTo", KeyId: md.KeyId, OtherKeyId: missing}, kms.ErrNotFound, ce.Message},
		{"invalid principal", &kms.ExplainInput{Caller: kms.CallerInfo{Principal: "nobody"}, Action: "kms:Encrypt", KeyId: md.KeyId}, kms.ErrAccessDenied, "is not a valid principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := k.Explain(t.Context(), tt.in)
			if out != nil {
				t.Errorf("output %+v with an error", out)
			}
			azWantCode(t, err, tt.code, tt.msg)
		})
	}
	k.Close()
	if _, err := k.Explain(t.Context(), &kms.ExplainInput{Action: "kms:ListKeys"}); !errors.Is(err, kms.ErrClosed) {
		t.Errorf("Explain on a closed handle: %v", err)
	}
}
