package policy_test

import (
	"slices"
	"testing"

	"github.com/embedkms/kms/policy"
)

const (
	bob        = "arn:aws:iam::444455556666:user/Bob" // another account
	root       = "arn:aws:iam::111122223333:root"
	otherRoot  = "arn:aws:iam::444455556666:root"
	opsSession = "arn:aws:sts::111122223333:assumed-role/Ops/s1"
	opsRole    = "arn:aws:iam::111122223333:role/team/Ops"
)

func mustKey(t testing.TB, text string) *policy.Document {
	t.Helper()
	d, err := policy.ParseKeyPolicy(text)
	if err != nil {
		t.Fatalf("ParseKeyPolicy: %v\n%s", err, text)
	}
	return d
}

func mustIAM(t testing.TB, text string) *policy.Document {
	t.Helper()
	d, err := policy.ParseIdentityPolicy(text)
	if err != nil {
		t.Fatalf("ParseIdentityPolicy: %v\n%s", err, text)
	}
	return d
}

// allowAllIAM is an IAM policy allowing every KMS action on every key.
const allowAllIAM = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`

func keyReq(action string, caller policy.Principal) policy.Request {
	return policy.Request{Action: action, Principal: caller, Resource: keyA, ResourceAccount: acct}
}

type evalCase struct {
	name   string
	in     policy.Input
	want   policy.Decision
	reason policy.Reason
}

func runEval(t *testing.T, tests []evalCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := policy.Evaluate(tt.in)
			if res.Decision != tt.want || res.Reason != tt.reason {
				t.Fatalf("Evaluate = %v (reason %d, matches %+v), want %v (reason %d)", res.Decision, res.Reason, res.Matches, tt.want, tt.reason)
			}
		})
	}
}

// TestEvaluateDefaultKeyPolicy: AWS KMS Developer Guide, "Default key
// policy": the statement "Enable IAM User Permissions" allows the account
// root and lets IAM policies allow the account's other principals; a user
// with no IAM policy is denied; another account is not allowed at all.
func TestEvaluateDefaultKeyPolicy(t *testing.T) {
	kp := mustKey(t, policy.DefaultKeyPolicy("aws", acct))
	iam := []*policy.Document{mustIAM(t, allowAllIAM)}
	runEval(t, []evalCase{
		{"account root", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: root}), KeyPolicy: kp}, policy.Allow, policy.ReasonNone},
		{"user with IAM allow", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: alice}), KeyPolicy: kp, IdentityPolicies: iam}, policy.Allow, policy.ReasonNone},
		{"user without IAM policy", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: alice}), KeyPolicy: kp}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"role session with IAM allow", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: opsSession}), KeyPolicy: kp, IdentityPolicies: iam}, policy.Allow, policy.ReasonNone},
		{"other account root", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: otherRoot}), KeyPolicy: kp}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"other account user with IAM allow", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: bob}), KeyPolicy: kp, IdentityPolicies: iam}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"invalid caller", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: "nobody"}), KeyPolicy: kp, IdentityPolicies: iam}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
	})
}

// TestEvaluateIAMPolicyScope: IAM policies allow only the actions and
// resources they name (IAM User Guide, "IAM JSON policy elements: Action",
// "Resource", "NotAction"); action names are case-insensitive.
func TestEvaluateIAMPolicyScope(t *testing.T) {
	kp := mustKey(t, policy.DefaultKeyPolicy("aws", acct))
	iam := func(s string) []*policy.Document { return []*policy.Document{mustIAM(t, s)} }
	onlyDecrypt := iam(`{"Statement":{"Effect":"Allow","Action":"KMS:decrypt","Resource":"` + keyA + `"}}`)
	otherKey := iam(`{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/other"}}`)
	wildKey := iam(`{"Statement":{"Effect":"Allow","Action":"kms:Get*","Resource":"arn:aws:kms:*:111122223333:key/*"}}`)
	notAction := iam(`{"Statement":{"Effect":"Allow","NotAction":"kms:ScheduleKeyDeletion","Resource":"*"}}`)
	notResource := iam(`{"Statement":{"Effect":"Allow","Action":"kms:*","NotResource":"` + keyA + `"}}`)
	a := policy.Principal{ARN: alice}
	runEval(t, []evalCase{
		{"action listed (any case)", policy.Input{Request: keyReq("kms:Decrypt", a), KeyPolicy: kp, IdentityPolicies: onlyDecrypt}, policy.Allow, policy.ReasonNone},
		{"action not listed", policy.Input{Request: keyReq("kms:Encrypt", a), KeyPolicy: kp, IdentityPolicies: onlyDecrypt}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"other resource", policy.Input{Request: keyReq("kms:Encrypt", a), KeyPolicy: kp, IdentityPolicies: otherKey}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"wildcard action and resource", policy.Input{Request: keyReq("kms:GetKeyPolicy", a), KeyPolicy: kp, IdentityPolicies: wildKey}, policy.Allow, policy.ReasonNone},
		{"wildcard action not matching", policy.Input{Request: keyReq("kms:PutKeyPolicy", a), KeyPolicy: kp, IdentityPolicies: wildKey}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"NotAction allows others", policy.Input{Request: keyReq("kms:Encrypt", a), KeyPolicy: kp, IdentityPolicies: notAction}, policy.Allow, policy.ReasonNone},
		{"NotAction excludes its action", policy.Input{Request: keyReq("kms:ScheduleKeyDeletion", a), KeyPolicy: kp, IdentityPolicies: notAction}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"NotResource excludes its key", policy.Input{Request: keyReq("kms:Encrypt", a), KeyPolicy: kp, IdentityPolicies: notResource}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
	})
}

// TestEvaluateKeyPolicyNamesPrincipal: AWS KMS Developer Guide,
// "Determining access to AWS KMS keys" and "Key policies in AWS KMS": a key
// policy statement naming a principal of the key's account gives it access
// without any IAM policy; a statement naming an IAM role applies to the
// role's sessions (IAM User Guide, "AWS JSON policy elements: Principal",
// role principals); a service principal is matched by "Service".
func TestEvaluateKeyPolicyNamesPrincipal(t *testing.T) {
	kp := mustKey(t, `{"Version":"2012-10-17","Statement":[
	 {"Sid":"KeyUsers","Effect":"Allow","Principal":{"AWS":["`+alice+`","`+opsRole+`"]},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"},
	 {"Sid":"Service","Effect":"Allow","Principal":{"Service":"dynamodb.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}]}`)
	runEval(t, []evalCase{
		{"named user", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: alice}), KeyPolicy: kp}, policy.Allow, policy.ReasonNone},
		{"named user, action not listed", policy.Input{Request: keyReq("kms:DescribeKey", policy.Principal{ARN: alice}), KeyPolicy: kp}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"session of the named role (RoleARN with path)", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: opsSession, RoleARN: opsRole}), KeyPolicy: kp}, policy.Allow, policy.ReasonNone},
		{"session of the named role (RoleARN derived)", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: opsSession}), KeyPolicy: kp}, policy.Allow, policy.ReasonNone},
		{"session of another role", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/Dev/s1"}), KeyPolicy: kp}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"session whose RoleARN is another path", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: opsSession, RoleARN: "arn:aws:iam::111122223333:role/Ops"}), KeyPolicy: kp}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"other user of the account", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: "arn:aws:iam::111122223333:user/Carol"}), KeyPolicy: kp, IdentityPolicies: []*policy.Document{mustIAM(t, allowAllIAM)}}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"account root not named", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: root}), KeyPolicy: kp}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"named service", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: "dynamodb.amazonaws.com"}), KeyPolicy: kp}, policy.Allow, policy.ReasonNone},
		{"other service", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: "rds.amazonaws.com"}), KeyPolicy: kp}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
	})
}

// TestEvaluateExplicitDeny: IAM User Guide, "Policy evaluation logic": an
// explicit deny in any policy overrides every allow, including the account
// root's and a grant's.
func TestEvaluateExplicitDeny(t *testing.T) {
	kp := mustKey(t, `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"`+root+`"},"Action":"kms:*","Resource":"*"},
	 {"Sid":"NoDisable","Effect":"Deny","Principal":"*","Action":"kms:DisableKey","Resource":"*"},
	 {"Sid":"AliceNoDecrypt","Effect":"Deny","Principal":{"AWS":"`+alice+`"},"Action":"kms:Decrypt","Resource":"*"},
	 {"Sid":"OnlyOps","Effect":"Deny","NotPrincipal":{"AWS":["`+opsRole+`","`+root+`"]},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`)
	iam := []*policy.Document{mustIAM(t, allowAllIAM)}
	iamDeny := []*policy.Document{mustIAM(t, allowAllIAM), mustIAM(t, `{"Statement":{"Sid":"NoEncrypt","Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}}`)}
	grant := []policy.Grant{{ID: "g1", GranteePrincipal: alice, Operations: []string{"Decrypt"}}}
	runEval(t, []evalCase{
		{"key policy deny beats root", policy.Input{Request: keyReq("kms:DisableKey", policy.Principal{ARN: root}), KeyPolicy: kp}, policy.ExplicitDeny, policy.ReasonExplicitDenyResource},
		{"key policy deny beats IAM allow", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: alice}), KeyPolicy: kp, IdentityPolicies: iam}, policy.ExplicitDeny, policy.ReasonExplicitDenyResource},
		{"key policy deny beats grant", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: alice}), KeyPolicy: kp, Grants: grant}, policy.ExplicitDeny, policy.ReasonExplicitDenyResource},
		{"deny names someone else", policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: opsSession}), KeyPolicy: kp, IdentityPolicies: iam}, policy.Allow, policy.ReasonNone},
		{"IAM deny beats IAM allow", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: alice}), KeyPolicy: kp, IdentityPolicies: iamDeny}, policy.ExplicitDeny, policy.ReasonExplicitDenyIdentity},
		{"NotPrincipal deny: excluded role session", policy.Input{Request: keyReq("kms:ScheduleKeyDeletion", policy.Principal{ARN: opsSession}), KeyPolicy: kp, IdentityPolicies: iam}, policy.Allow, policy.ReasonNone},
		{"NotPrincipal deny: everyone else", policy.Input{Request: keyReq("kms:ScheduleKeyDeletion", policy.Principal{ARN: alice}), KeyPolicy: kp, IdentityPolicies: iam}, policy.ExplicitDeny, policy.ReasonExplicitDenyResource},
	})
}

// TestEvaluateCrossAccount: AWS KMS Developer Guide, "Allowing users in
// other accounts to use a KMS key": the key policy must allow the external
// account (or its principal) AND the external account's IAM policies must
// allow its users and roles; the external account's root needs no IAM
// policy.
func TestEvaluateCrossAccount(t *testing.T) {
	kpAccount := mustKey(t, `{"Statement":[
	 {"Effect":"Allow","Principal":{"AWS":"`+root+`"},"Action":"kms:*","Resource":"*"},
	 {"Effect":"Allow","Principal":{"AWS":"`+other+`"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`)
	kpUser := mustKey(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"`+bob+`"},"Action":"kms:Encrypt","Resource":"*"}]}`)
	kpStar := mustKey(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}]}`)
	bobIAM := []*policy.Document{mustIAM(t, `{"Statement":{"Effect":"Allow","Action":"kms:Encrypt","Resource":"`+keyA+`"}}`)}
	b := policy.Principal{ARN: bob}
	runEval(t, []evalCase{
		{"external root, account allowed", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: otherRoot}), KeyPolicy: kpAccount}, policy.Allow, policy.ReasonNone},
		{"external root, action not allowed", policy.Input{Request: keyReq("kms:DescribeKey", policy.Principal{ARN: otherRoot}), KeyPolicy: kpAccount}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"external user, account allowed, IAM allows", policy.Input{Request: keyReq("kms:Encrypt", b), KeyPolicy: kpAccount, IdentityPolicies: bobIAM}, policy.Allow, policy.ReasonNone},
		{"external user, account allowed, no IAM", policy.Input{Request: keyReq("kms:Encrypt", b), KeyPolicy: kpAccount}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"external user, account allowed, IAM allows other action", policy.Input{Request: keyReq("kms:Decrypt", b), KeyPolicy: kpAccount, IdentityPolicies: bobIAM}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"external user named, no IAM", policy.Input{Request: keyReq("kms:Encrypt", b), KeyPolicy: kpUser}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"external user named, IAM allows", policy.Input{Request: keyReq("kms:Encrypt", b), KeyPolicy: kpUser, IdentityPolicies: bobIAM}, policy.Allow, policy.ReasonNone},
		{"external user, key policy silent, IAM allows", policy.Input{Request: keyReq("kms:Encrypt", b), KeyPolicy: mustKey(t, policy.DefaultKeyPolicy("aws", acct)), IdentityPolicies: bobIAM}, policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"Principal * still needs IAM across accounts", policy.Input{Request: keyReq("kms:Encrypt", b), KeyPolicy: kpStar}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Principal * in the same account", policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: alice}), KeyPolicy: kpStar}, policy.Allow, policy.ReasonNone},
	})
}

// TestEvaluateWithoutKeyPolicy: actions on no key (CreateKey, ListKeys)
// and on aliases are governed by IAM policies alone (AWS KMS Developer
// Guide, "Controlling access to aliases"; "IAM policies"): the account
// root is allowed in its account, another principal needs an IAM allow,
// and no IAM policy reaches another account's resources.
func TestEvaluateWithoutKeyPolicy(t *testing.T) {
	iam := []*policy.Document{mustIAM(t, allowAllIAM)}
	aliasARN := "arn:aws:kms:us-east-1:111122223333:alias/app"
	req := func(caller string) policy.Request {
		return policy.Request{Action: "kms:CreateAlias", Principal: policy.Principal{ARN: caller}, Resource: aliasARN, ResourceAccount: acct}
	}
	runEval(t, []evalCase{
		{"root", policy.Input{Request: req(root)}, policy.Allow, policy.ReasonNone},
		{"user with IAM allow", policy.Input{Request: req(alice), IdentityPolicies: iam}, policy.Allow, policy.ReasonNone},
		{"user without IAM", policy.Input{Request: req(alice)}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"other account root", policy.Input{Request: req(otherRoot)}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"other account user with IAM", policy.Input{Request: req(bob), IdentityPolicies: iam}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"service principal", policy.Input{Request: req("dynamodb.amazonaws.com"), IdentityPolicies: iam}, policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"root, explicit IAM deny", policy.Input{Request: req(root), IdentityPolicies: []*policy.Document{mustIAM(t, `{"Statement":{"Effect":"Deny","Action":"kms:*Alias","Resource":"*"}}`)}}, policy.ExplicitDeny, policy.ReasonExplicitDenyIdentity},
	})
}

// TestEvaluateGrants: AWS KMS Developer Guide, "Grants in AWS KMS" and
// AWS KMS API reference, GrantConstraints: a grant lets its grantee call
// the listed operations; EncryptionContextEquals needs the request's
// context to be exactly the constraint's, EncryptionContextSubset to
// include its pairs; constraint keys are case-insensitive, values
// case-sensitive; constraints do not apply to operations without an
// encryption context (DescribeKey, RetireGrant). A grant to an IAM role is
// used by the role's sessions (CreateGrant, GranteePrincipal).
func TestEvaluateGrants(t *testing.T) {
	kp := mustKey(t, policy.DefaultKeyPolicy("aws", acct)) // Alice has no IAM policy
	ec := map[string]string{"Department": "IT", "Project": "x"}
	grant := func(g policy.Grant) []policy.Grant {
		if g.ID == "" {
			g.ID = "g1"
		}
		return []policy.Grant{g}
	}
	in := func(action string, caller policy.Principal, g []policy.Grant, reqEC map[string]string) policy.Input {
		return policy.Input{Request: keyReq(action, caller), KeyPolicy: kp, Grants: g, EncryptionContext: reqEC}
	}
	a := policy.Principal{ARN: alice}
	plain := grant(policy.Grant{GranteePrincipal: alice, Operations: []string{"Encrypt", "Decrypt", "DescribeKey", "RetireGrant"}})
	eq := grant(policy.Grant{GranteePrincipal: alice, Operations: []string{"Decrypt", "DescribeKey", "RetireGrant"}, EncryptionContextEquals: map[string]string{"department": "IT", "Project": "x"}})
	sub := grant(policy.Grant{GranteePrincipal: alice, Operations: []string{"Decrypt", "GenerateDataKeyPair"}, EncryptionContextSubset: map[string]string{"DEPARTMENT": "IT"}})
	role := grant(policy.Grant{GranteePrincipal: opsRole, Operations: []string{"Decrypt"}})
	runEval(t, []evalCase{
		{"grant allows listed operation", in("kms:Encrypt", a, plain, nil), policy.Allow, policy.ReasonNone},
		{"grant does not allow other operation", in("kms:ReEncryptFrom", a, plain, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"grant to another principal", in("kms:Encrypt", policy.Principal{ARN: "arn:aws:iam::111122223333:user/Carol"}, plain, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"grant to the root covers only the root", in("kms:Encrypt", a, grant(policy.Grant{GranteePrincipal: root, Operations: []string{"Encrypt"}}), nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Equals: same context (key case differs)", in("kms:Decrypt", a, eq, ec), policy.Allow, policy.ReasonNone},
		{"Equals: value case differs", in("kms:Decrypt", a, eq, map[string]string{"Department": "it", "Project": "x"}), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Equals: extra pair", in("kms:Decrypt", a, eq, map[string]string{"Department": "IT", "Project": "x", "y": "z"}), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Equals: missing pair", in("kms:Decrypt", a, eq, map[string]string{"Department": "IT"}), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Equals: no context", in("kms:Decrypt", a, eq, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Equals not applied to DescribeKey", in("kms:DescribeKey", a, eq, nil), policy.Allow, policy.ReasonNone},
		{"Equals not applied to RetireGrant", in("kms:RetireGrant", a, eq, nil), policy.Allow, policy.ReasonNone},
		{"Subset: context includes the pair", in("kms:Decrypt", a, sub, ec), policy.Allow, policy.ReasonNone},
		{"Subset: applies to GenerateDataKeyPair", in("kms:GenerateDataKeyPair", a, sub, map[string]string{"Project": "x"}), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Subset: value differs", in("kms:Decrypt", a, sub, map[string]string{"Department": "HR"}), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"grant to a role: its session", in("kms:Decrypt", policy.Principal{ARN: opsSession, RoleARN: opsRole}, role, nil), policy.Allow, policy.ReasonNone},
		{"grant to a role: session of the role without RoleARN", in("kms:Decrypt", policy.Principal{ARN: opsSession}, role, nil), policy.Allow, policy.ReasonNone},
		{"grant to a role: other role's session", in("kms:Decrypt", policy.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/Dev/s"}, role, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"grant to another account's user", in("kms:Encrypt", policy.Principal{ARN: bob}, grant(policy.Grant{GranteePrincipal: bob, Operations: []string{"Encrypt"}}), nil), policy.Allow, policy.ReasonNone},
	})
}

// TestEvaluateGrantCreateGrantConstraints: AWS KMS API reference,
// GrantConstraints: "If a grant with a grant constraint includes the
// CreateGrant operation, the constraint requires that any grants created
// with the CreateGrant permission have an equally strict or stricter
// encryption context constraint."
func TestEvaluateGrantCreateGrantConstraints(t *testing.T) {
	kp := mustKey(t, policy.DefaultKeyPolicy("aws", acct))
	parentEq := []policy.Grant{{ID: "p", GranteePrincipal: alice, Operations: []string{"CreateGrant", "Decrypt"}, EncryptionContextEquals: map[string]string{"a": "1"}}}
	parentSub := []policy.Grant{{ID: "p", GranteePrincipal: alice, Operations: []string{"CreateGrant"}, EncryptionContextSubset: map[string]string{"a": "1"}}}
	in := func(g []policy.Grant, eq, sub map[string]string) policy.Input {
		return policy.Input{Request: keyReq("kms:CreateGrant", policy.Principal{ARN: alice}), KeyPolicy: kp, Grants: g, NewGrantEquals: eq, NewGrantSubset: sub}
	}
	runEval(t, []evalCase{
		{"Equals parent, same Equals", in(parentEq, map[string]string{"A": "1"}, nil), policy.Allow, policy.ReasonNone},
		{"Equals parent, unconstrained child", in(parentEq, nil, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Equals parent, wider Equals child", in(parentEq, map[string]string{"a": "1", "b": "2"}, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Equals parent, Subset child", in(parentEq, nil, map[string]string{"a": "1"}), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Subset parent, stricter Subset child", in(parentSub, nil, map[string]string{"a": "1", "b": "2"}), policy.Allow, policy.ReasonNone},
		{"Subset parent, Equals child including it", in(parentSub, map[string]string{"a": "1"}, nil), policy.Allow, policy.ReasonNone},
		{"Subset parent, looser child", in(parentSub, nil, map[string]string{"b": "2"}), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Subset parent, Equals child without it", in(parentSub, map[string]string{"b": "2"}, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Subset parent, Equals child with another value", in(parentSub, map[string]string{"a": "2"}, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
		{"Subset parent, unconstrained child", in(parentSub, nil, nil), policy.ImplicitDeny, policy.ReasonNoIdentityPolicy},
	})
}

// TestEvaluateMatchesAndMessages: Result names the statement or grant that
// decided, and words the AccessDeniedException as AWS does ("User: <arn> is
// not authorized to perform: <action> on resource: <arn> because no
// resource-based policy allows the <action> action", IAM User Guide,
// "Troubleshoot access denied error messages").
func TestEvaluateMatchesAndMessages(t *testing.T) {
	kp := mustKey(t, `{"Statement":[
	 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"kms:*","Resource":"*"},
	 {"Sid":"NoDelete","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`)
	iam := []*policy.Document{mustIAM(t, `{"Statement":{"Sid":"Nothing","Effect":"Allow","Action":"s3:*","Resource":"*"}}`), mustIAM(t, `{"Statement":[{"Sid":"Use","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}`)}

	res := policy.Evaluate(policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: alice}), KeyPolicy: kp, IdentityPolicies: iam})
	want := []policy.Match{
		{Source: policy.SourceKeyPolicy, Statement: 0, Sid: "Root", Effect: "Allow"},
		{Source: policy.SourceIdentityPolicy, Policy: 1, Statement: 0, Sid: "Use", Effect: "Allow"},
	}
	if res.Decision != policy.Allow || !slices.Equal(res.Matches, want) {
		t.Fatalf("delegated allow: %v %+v, want Allow %+v", res.Decision, res.Matches, want)
	}

	res = policy.Evaluate(policy.Input{Request: keyReq("kms:ScheduleKeyDeletion", policy.Principal{ARN: root}), KeyPolicy: kp})
	if want := []policy.Match{{Source: policy.SourceKeyPolicy, Statement: 1, Sid: "NoDelete", Effect: "Deny"}}; !slices.Equal(res.Matches, want) {
		t.Fatalf("deny matches %+v, want %+v", res.Matches, want)
	}
	if got, want := res.Message(root, keyA), "User: "+root+" is not authorized to perform: kms:ScheduleKeyDeletion on resource: "+keyA+" with an explicit deny in a resource-based policy"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}

	res = policy.Evaluate(policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: bob}), KeyPolicy: kp})
	if got, want := res.Message(bob, keyA), "User: "+bob+" is not authorized to perform: kms:Encrypt on resource: "+keyA+" because no resource-based policy allows the kms:Encrypt action"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	res = policy.Evaluate(policy.Input{Request: keyReq("kms:Decrypt", policy.Principal{ARN: alice}), KeyPolicy: kp, IdentityPolicies: iam})
	if got, want := res.DenyReason(), "because no identity-based policy allows the kms:Decrypt action"; got != want {
		t.Fatalf("reason %q, want %q", got, want)
	}
	res = policy.Evaluate(policy.Input{Request: policy.Request{Action: "kms:CreateKey", Principal: policy.Principal{ARN: alice}, Resource: "*", ResourceAccount: acct}, IdentityPolicies: []*policy.Document{mustIAM(t, `{"Statement":{"Effect":"Deny","Action":"kms:Create*","Resource":"*"}}`)}})
	if got, want := res.Message(alice, "*"), "User: "+alice+" is not authorized to perform: kms:CreateKey with an explicit deny in an identity-based policy"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}

	g := []policy.Grant{{ID: "gid", Name: "n", GranteePrincipal: bob, Operations: []string{"Encrypt"}}}
	res = policy.Evaluate(policy.Input{Request: keyReq("kms:Encrypt", policy.Principal{ARN: bob}), KeyPolicy: kp, Grants: g})
	if want := []policy.Match{{Source: policy.SourceGrant, Sid: "n", Effect: "Allow", GrantID: "gid"}}; res.Decision != policy.Allow || !slices.Equal(res.Matches, want) {
		t.Fatalf("grant: %v %+v, want Allow %+v", res.Decision, res.Matches, want)
	}
}

// TestEvaluateKeyPolicyConditions: a key policy statement applies only
// when its conditions hold (AWS KMS Developer Guide, "Condition keys for
// AWS KMS", kms:EncryptionContext: and kms:CallerAccount examples).
func TestEvaluateKeyPolicyConditions(t *testing.T) {
	kp := mustKey(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*",
	  "Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:EncryptionContext:AppName":"ExampleApp"}}}]}`)
	in := func(ec map[string]string) policy.Input {
		r := keyReq("kms:Decrypt", policy.Principal{ARN: alice})
		r.Conditions = policy.Values{}.SetEncryptionContext(ec)
		return policy.Input{Request: r, KeyPolicy: kp}
	}
	runEval(t, []evalCase{
		{"conditions hold", in(map[string]string{"AppName": "ExampleApp"}), policy.Allow, policy.ReasonNone},
		{"context differs", in(map[string]string{"AppName": "Other"}), policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
		{"no context", in(nil), policy.ImplicitDeny, policy.ReasonNoResourcePolicy},
	})
}
