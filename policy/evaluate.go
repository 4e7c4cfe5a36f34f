package policy

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request describes one authorization question.
//
// Evaluate fills the global condition keys aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:PrincipalServiceName,
// aws:username, aws:CurrentTime, aws:EpochTime and kms:CallerAccount from
// Principal and Time; every other key comes from Conditions.
type Request struct {
	Action          string    // e.g. "kms:Encrypt"
	Principal       Principal // the caller
	Resource        string    // key ARN, alias ARN, or "*" for an action on no resource
	ResourceAccount string    // account owning the resource
	Time            time.Time // aws:CurrentTime; zero: the key is absent
	// Conditions gives every other condition key's values; nil: none.
	Conditions Conditions
}

// Grant is one grant on the key. Evaluate considers the grants whose
// grantee is the caller: exactly its ARN, or, for an assumed-role session,
// its role.
type Grant struct {
	// ID is the grant's id, reported in Match.GrantID.
	ID string
	// Name is the grant's name, reported in Match.Sid.
	Name string
	// GranteePrincipal is the principal ARN the grant is to.
	GranteePrincipal string
	Operations       []string // KMS operation names: "Encrypt", "Decrypt", "CreateGrant", ...
	// Grant constraints (AWS KMS API reference, GrantConstraints). Keys
	// match case-insensitively, values case-sensitively.
	EncryptionContextEquals, EncryptionContextSubset map[string]string
}

// Input is everything Evaluate decides on.
type Input struct {
	Request
	// KeyPolicy is the key's policy; nil for an action on no key
	// (CreateKey, ListKeys, ...) or on an alias, which IAM policies alone
	// govern.
	KeyPolicy *Document
	// IdentityPolicies are the caller's IAM policies. An account root needs
	// none in its own account.
	IdentityPolicies []*Document
	// Grants are the key's grants (those whose grantee may be the caller).
	Grants []Grant
	// EncryptionContext is the request's, for grant constraints.
	EncryptionContext map[string]string
	// NewGrantEquals and NewGrantSubset are, for kms:CreateGrant, the
	// constraints of the grant being created: a grant with constraints
	// that allows CreateGrant allows it only for a grant at least as
	// constrained (AWS KMS Developer Guide, "Grant constraints").
	NewGrantEquals, NewGrantSubset map[string]string
}

// Decision is the outcome of an evaluation.
type Decision int

// Decisions.
const (
	ImplicitDeny Decision = iota // nothing allows it
	Allow
	ExplicitDeny // a statement denies it
)

// String returns the decision's name.
func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Reason says why a request is denied.
type Reason int

// Reasons.
const (
	ReasonNone                 Reason = iota // allowed
	ReasonNoResourcePolicy                   // the key policy allows neither the caller nor its account
	ReasonNoIdentityPolicy                   // IAM policies are needed and none allows
	ReasonExplicitDenyResource               // a key policy Deny statement matched
	ReasonExplicitDenyIdentity               // an IAM policy Deny statement matched
)

// Source says where a Match comes from.
type Source int

// Sources.
const (
	SourceKeyPolicy Source = iota
	SourceIdentityPolicy
	SourceGrant
)

// String returns the source's name.
func (s Source) String() string {
	switch s {
	case SourceIdentityPolicy:
		return "IdentityPolicy"
	case SourceGrant:
		return "Grant"
	}
	return "KeyPolicy"
}

// Match names a statement or grant that decided a request.
type Match struct {
	// Source is where the statement or grant is: key policy, identity policy
	// or grant.
	Source    Source
	Policy    int    // SourceIdentityPolicy: index in Input.IdentityPolicies
	Statement int    // index of the statement in its policy
	Sid       string // the statement's Sid; for a grant, its Name
	Effect    string // "Allow" or "Deny"
	GrantID   string // SourceGrant: the grant's ID
}

// Result is the outcome of Evaluate.
type Result struct {
	// Decision is Allow, ImplicitDeny or ExplicitDeny.
	Decision Decision
	// Reason says why a denied request is denied; ReasonNone when allowed.
	Reason Reason
	// Action is the request's action (Request.Action).
	Action string
	// Matches are the statements and grants that decided it: the Deny
	// statement of an ExplicitDeny; for Allow, the key-policy statement
	// and, when the key policy delegates to IAM, the IAM statement (or
	// the grant). The slice may be shared: do not modify it.
	Matches []Match
}

// DenyReason is the end of AWS's AccessDeniedException message for a
// denied request: "because no resource-based policy allows the kms:X
// action", "because no identity-based policy allows the kms:X action",
// "with an explicit deny in a resource-based policy" or "with an explicit
// deny in an identity-based policy" (IAM User Guide, "Troubleshoot access
// denied error messages"). It is "" for an allowed request.
func (r Result) DenyReason() string {
	switch r.Reason {
	case ReasonNoResourcePolicy:
		return "because no resource-based policy allows the " + r.Action + " action"
	case ReasonNoIdentityPolicy:
		return "because no identity-based policy allows the " + r.Action + " action"
	case ReasonExplicitDenyResource:
		return "with an explicit deny in a resource-based policy"
	case ReasonExplicitDenyIdentity:
		return "with an explicit deny in an identity-based policy"
	}
	return ""
}

// Message is AWS's AccessDeniedException message: "User: <caller> is not
// authorized to perform: <action> on resource: <resource> <DenyReason>",
// without the "on resource" part for resource "*" or "".
func (r Result) Message(callerARN, resource string) string {
	s := "User: " + callerARN + " is not authorized to perform: " + r.Action
	if resource != "" && resource != "*" {
		s += " on resource: " + resource
	}
	return s + " " + r.DenyReason()
}

// Evaluate decides in as AWS KMS does (AWS KMS Developer Guide,
// "Determining access to AWS KMS keys"; IAM User Guide, "Policy
// evaluation logic"):
//
//  1. A Deny statement that applies, in the key policy or an IAM policy,
//     denies (ExplicitDeny); nothing overrides it.
//  2. With a key policy: a statement allowing the caller directly (its
//     ARN, its role for an assumed-role session, a service principal, or
//     "*") allows a caller of the key's account; a statement allowing the
//     key's account (arn:P:iam::A:root or "A") allows its root, and any
//     other principal of the account whose IAM policies allow. A caller of
//     another account needs both: the key policy allowing it or its
//     account, and its IAM policies allowing (its account root needs no
//     IAM policy).
//  3. Otherwise a grant whose grantee is the caller, listing the
//     operation, with its constraints met, allows.
//  4. Without a key policy (an action on no key, or on an alias), the
//     IAM policies decide; the root of the resource's account is allowed.
//
// Everything else is an ImplicitDeny.
func Evaluate(in Input) Result {
	e := evaluator{action: in.Action, resource: in.Resource, t: in.Time, conds: in.Conditions}
	r := Result{Action: in.Action}
	validCaller := e.c.parse(in.Principal)
	sameAccount := validCaller && e.c.typ != TypeService && (in.ResourceAccount == "" || e.c.account == in.ResourceAccount)

	keyDirect, keyAccount := -1, -1
	if kp := in.KeyPolicy; kp != nil && validCaller {
		vars := e.varsFor(kp)
		for i := range kp.stmts {
			st := &kp.stmts[i]
			m := e.principalMatch(st, true)
			if m == matchNone || !e.applies(st, vars) {
				continue
			}
			if st.deny {
				r.Decision, r.Reason, r.Matches = ExplicitDeny, ReasonExplicitDenyResource, kp.single[i]
				return r
			}
			if m == matchDirect && keyDirect < 0 {
				keyDirect = i
			} else if m == matchAccount && keyAccount < 0 {
				keyAccount = i
			}
		}
	}

	idPolicy, idStmt := -1, -1
	if validCaller && e.c.typ != TypeService {
		for p, d := range in.IdentityPolicies {
			if d == nil {
				continue
			}
			vars := e.varsFor(d)
			for i := range d.stmts {
				st := &d.stmts[i]
				if !e.applies(st, vars) {
					continue
				}
				if st.deny {
					r.Decision, r.Reason = ExplicitDeny, ReasonExplicitDenyIdentity
					r.Matches = []Match{{Source: SourceIdentityPolicy, Policy: p, Statement: i, Sid: st.sid, Effect: "Deny"}}
					return r
				}
				if idPolicy < 0 {
					idPolicy, idStmt = p, i
				}
			}
		}
	}

	isRoot := validCaller && e.c.typ == TypeAccount
	idAllows := isRoot || idPolicy >= 0
	idMatch := func() Match {
		return Match{Source: SourceIdentityPolicy, Policy: idPolicy, Statement: idStmt, Sid: in.IdentityPolicies[idPolicy].stmts[idStmt].sid, Effect: "Allow"}
	}
	allow := func(ms []Match) Result {
		r.Decision, r.Reason, r.Matches = Allow, ReasonNone, ms
		return r
	}

	if kp := in.KeyPolicy; kp != nil {
		switch {
		case !validCaller:
		case e.c.typ == TypeService || sameAccount:
			if keyDirect >= 0 {
				return allow(kp.single[keyDirect])
			}
			if keyAccount >= 0 && idAllows {
				if isRoot {
					return allow(kp.single[keyAccount])
				}
				return allow([]Match{kp.single[keyAccount][0], idMatch()})
			}
		default: // another account: both sides must allow
			k := keyDirect
			if k < 0 {
				k = keyAccount
			}
			if k >= 0 && idAllows {
				if isRoot {
					return allow(kp.single[k])
				}
				return allow([]Match{kp.single[k][0], idMatch()})
			}
		}
		if validCaller {
			for i := range in.Grants {
				if g := &in.Grants[i]; e.grantAllows(g, in.EncryptionContext, in.NewGrantEquals, in.NewGrantSubset) {
					return allow([]Match{{Source: SourceGrant, Statement: i, Sid: g.Name, Effect: "Allow", GrantID: g.ID}})
				}
			}
		}
		r.Reason = ReasonNoResourcePolicy
		if keyDirect >= 0 || keyAccount >= 0 {
			r.Reason = ReasonNoIdentityPolicy
		}
		return r
	}

	if sameAccount && idAllows {
		if isRoot {
			return allow(nil)
		}
		return allow([]Match{idMatch()})
	}
	r.Reason = ReasonNoIdentityPolicy
	return r
}

// evaluator holds one evaluation's state. It copies what it needs of the
// Input rather than pointing at it, so that Evaluate's argument stays on
// the stack.
type evaluator struct {
	action, resource string
	t                time.Time
	conds            Conditions
	c                caller
}

// principalMatch reports how st's Principal or NotPrincipal matches the
// caller. A key-policy statement without one matches nobody; an IAM
// statement (no principal) always applies to its caller.
func (e *evaluator) principalMatch(st *statement, keyPolicy bool) principalMatch {
	if !st.hasPrincipal {
		if keyPolicy {
			return matchNone
		}
		return matchDirect
	}
	best := matchNone
	for i := range st.principals {
		if m := st.principals[i].match(&e.c); m == matchDirect {
			best = m
			break
		} else if m == matchAccount {
			best = m
		}
	}
	if st.notPrincipal {
		// NotPrincipal applies to every principal it does not name. An
		// account listed there names the account (its root) only, not its
		// users and roles: IAM's NotPrincipal examples list the user's ARN
		// and its account's ARN (IAM User Guide, "AWS JSON policy
		// elements: NotPrincipal").
		if best == matchDirect || (best == matchAccount && e.c.typ == TypeAccount) {
			return matchNone
		}
		return matchDirect
	}
	return best
}

// applies reports whether st's Action, Resource and Condition match the
// request (its principal is checked separately).
func (e *evaluator) applies(st *statement, vars varContext) bool {
	hit := false
	for _, a := range st.actions {
		if glob(a, e.action, true) {
			hit = true
			break
		}
	}
	if hit == st.notAction {
		return false
	}
	hit = false
	for _, p := range st.resources {
		if vars.e != nil && strings.Contains(p, "${") {
			var ok bool
			if p, ok = vars.expand(p); !ok {
				continue
			}
		}
		if glob(p, e.resource, false) {
			hit = true
			break
		}
	}
	if hit == st.notResource {
		return false
	}
	for i := range st.conds {
		c := &st.conds[i]
		vals, ok := e.lookup(c.lkey)
		if !c.eval(vals, ok, vars) {
			return false
		}
	}
	return true
}

// varsFor returns the policy-variable context for d: policy variables are
// only substituted in Version 2012-10-17 policies (IAM User Guide, "IAM
// policy elements: Variables and tags").
func (e *evaluator) varsFor(d *Document) varContext {
	if d.version != "2012-10-17" {
		return varContext{}
	}
	return varContext{e: e}
}

// lookup returns the request's values of condition key (lower-cased).
func (e *evaluator) lookup(key string) ([]string, bool) {
	c := &e.c
	switch key {
	case "aws:principalarn":
		switch c.typ {
		case TypeService:
			return nil, false
		case TypeAssumedRole:
			// For a role session, aws:PrincipalArn is the role's ARN (IAM
			// User Guide, "AWS global condition context keys").
			if c.roleARN != "" {
				return []string{c.roleARN}, true
			}
			return []string{"arn:" + c.partition + ":iam::" + c.account + ":role/" + c.name}, true
		}
		return []string{c.arn}, true
	case "aws:principalaccount", "kms:calleraccount":
		if c.typ == TypeService {
			return nil, false
		}
		return []string{c.account}, true
	case "aws:principaltype":
		switch c.typ {
		case TypeAccount, TypeUser, TypeAssumedRole, TypeFederatedUser:
			return []string{c.typ}, true
		}
		return nil, false
	case "aws:principalservicename":
		if c.typ == TypeService {
			return []string{c.name}, true
		}
		return nil, false
	case "aws:username":
		if c.typ == TypeUser {
			return []string{c.name}, true
		}
		return nil, false
	case "aws:currenttime":
		if e.t.IsZero() {
			return nil, false
		}
		return []string{e.t.UTC().Format(time.RFC3339)}, true
	case "aws:epochtime":
		if e.t.IsZero() {
			return nil, false
		}
		return []string{strconv.FormatInt(e.t.Unix(), 10)}, true
	}
	if e.conds == nil {
		return nil, false
	}
	return e.conds.Lookup(key)
}

// varContext substitutes policy variables (${aws:username},
// ${kms:CallerAccount}, ${key, 'default'}, ${*}, ${?}, ${$}); the zero
// value substitutes nothing (policies older than Version 2012-10-17).
type varContext struct{ e *evaluator }

// expand substitutes the variables of s; ok is false when one names a key
// the request lacks (or has several values of) and gives no default, so
// the value matches nothing (IAM User Guide, "IAM policy elements:
// Variables and tags").
func (v varContext) expand(s string) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		switch name {
		case "*", "?", "$":
			b.WriteString(name)
			continue
		}
		def, hasDef := "", false
		if k := strings.IndexByte(name, ','); k >= 0 {
			d := strings.TrimSpace(name[k+1:])
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
			name = name[:k]
		}
		vals, ok := v.e.lookup(strings.ToLower(strings.TrimSpace(name)))
		switch {
		case ok && len(vals) == 1:
			b.WriteString(vals[0])
		case hasDef:
			b.WriteString(def)
		default:
			return "", false
		}
	}
}

// ecOperations are the grant operations that take an encryption context:
// grant constraints apply to them and to no other operation (AWS KMS API
// reference, GrantConstraints: "Grant constraints are not applied to
// operations that do not support an encryption context, such as ...
// DescribeKey or RetireGrant").
var ecOperations = []string{
	"Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo",
	"GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
	"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
}

// grantAllows reports whether g allows the request, whose encryption
// context is ec (and, for CreateGrant, whose new grant's constraints are
// newEq and newSub).
func (e *evaluator) grantAllows(g *Grant, ec, newEq, newSub map[string]string) bool {
	if !e.granteeIsCaller(g.GranteePrincipal) {
		return false
	}
	op, ok := strings.CutPrefix(e.action, "kms:")
	if !ok || !slices.Contains(g.Operations, op) {
		return false
	}
	switch {
	case op == "CreateGrant":
		return atLeastAsStrict(g, newEq, newSub)
	case slices.Contains(ecOperations, op):
		if len(g.EncryptionContextEquals) > 0 && !ecEquals(g.EncryptionContextEquals, ec) {
			return false
		}
		if len(g.EncryptionContextSubset) > 0 && !ecSubset(g.EncryptionContextSubset, ec) {
			return false
		}
	}
	return true
}

// granteeIsCaller reports whether a grant to grantee is the caller's: the
// same ARN, or the role of an assumed-role caller (a grant to an IAM role
// is used by the role's sessions; AWS KMS API reference, CreateGrant,
// GranteePrincipal: "Valid principals include ... IAM roles ... and
// assumed role users").
func (e *evaluator) granteeIsCaller(grantee string) bool {
	if grantee == e.c.arn {
		return true
	}
	if e.c.typ != TypeAssumedRole {
		return false
	}
	var g caller
	if !g.parse(Principal{ARN: grantee}) || g.typ != TypeRole || g.account != e.c.account || g.partition != e.c.partition {
		return false
	}
	if e.c.roleARN != "" {
		return grantee == e.c.roleARN
	}
	return g.name == e.c.name
}

// ecEquals: the request's context has exactly the constraint's pairs,
// keys compared case-insensitively, values case-sensitively (AWS KMS API
// reference, GrantConstraints).
func ecEquals(want, got map[string]string) bool {
	return len(want) == len(got) && ecSubset(want, got)
}

// ecSubset: every pair of want is in got (keys case-insensitive).
func ecSubset(want, got map[string]string) bool {
	for k, v := range want {
		if !ecHas(got, k, v) {
			return false
		}
	}
	return true
}

func ecHas(m map[string]string, k, v string) bool {
	if mv, ok := m[k]; ok && mv == v {
		return true
	}
	for mk, mv := range m {
		if mv == v && strings.EqualFold(mk, k) {
			return true
		}
	}
	return false
}

// atLeastAsStrict reports whether a grant with constraints (eq, sub) may
// be created under parent g: the new grant must be at least as
// constrained (AWS KMS API reference, GrantConstraints: "If a grant with
// a grant constraint includes the CreateGrant operation, the constraint
// requires that any grants created with the CreateGrant permission have an
// equally strict or stricter encryption context constraint").
func atLeastAsStrict(g *Grant, eq, sub map[string]string) bool {
	if len(g.EncryptionContextEquals) > 0 && (len(eq) == 0 || !ecEquals(g.EncryptionContextEquals, eq)) {
		return false
	}
	if len(g.EncryptionContextSubset) > 0 {
		switch {
		case len(eq) > 0:
			if !ecSubset(g.EncryptionContextSubset, eq) {
				return false
			}
		case len(sub) > 0:
			if !ecSubset(g.EncryptionContextSubset, sub) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
