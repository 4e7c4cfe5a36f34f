package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxKeyPolicySize is the largest key policy AWS KMS accepts, in bytes
// (AWS KMS API reference, PutKeyPolicy, Policy: "The key policy size quota
// is 32 kilobytes (32768 bytes)").
const MaxKeyPolicySize = 32768

// Errors of Parse. Every error Parse returns wraps one of them; its
// message (err.Error()) is the text for the AWS exception.
var (
	// ErrMalformed -> MalformedPolicyDocumentException.
	ErrMalformed = errors.New("MalformedPolicyDocument")
	// ErrTooLarge -> LimitExceededException.
	ErrTooLarge = errors.New("LimitExceeded")
)

// policyError is a Parse error: msg is the AWS message, kind the sentinel.
type policyError struct {
	kind error
	msg  string
}

func (e *policyError) Error() string { return e.msg }
func (e *policyError) Unwrap() error { return e.kind }

func malformed(format string, a ...any) error {
	return &policyError{ErrMalformed, fmt.Sprintf(format, a...)}
}

// Messages of MalformedPolicyDocumentException. msgInvalidPrincipals is
// AWS KMS's text (recorded in CreateKey/PutKeyPolicy error reports, e.g.
// "MalformedPolicyDocumentException: Policy contains a statement with one
// or more invalid principals."); msgNoPrincipalInIAM and the Action and
// Resource texts are IAM's MalformedPolicyDocument texts.
const (
	msgInvalidPrincipals = "Policy contains a statement with one or more invalid principals."
	msgNoPrincipalInIAM  = "Policy document should not specify a principal."
	msgVendor            = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgDuplicateSid      = "Statement IDs (SID) in a single policy must be unique."
)

// Kind says which rules a document follows.
type Kind int

// Document kinds.
const (
	// AnyPolicy: the rules common to key policies and IAM policies;
	// statements may or may not name a principal.
	AnyPolicy Kind = iota
	// KeyPolicy: a resource-based policy; every statement must have a
	// Principal or NotPrincipal (AWS KMS Developer Guide, "Key policies in
	// AWS KMS": Principal is required).
	KeyPolicy
	// IdentityPolicy: an IAM policy; no statement may name a principal and
	// statement ids must be unique (IAM User Guide, "IAM JSON policy
	// elements: Principal" and "Sid").
	IdentityPolicy
)

// Document is a parsed, validated policy. It is immutable and safe for
// concurrent use.
type Document struct {
	kind    Kind
	version string
	id      string
	stmts   []statement
	aws     []string
	// single[i] is a one-element slice naming statement i as the key
	// policy's, so an evaluation decided by one key-policy statement
	// reports it without allocating.
	single [][]Match
}

// ID returns the policy's Id element ("" if none).
func (d *Document) ID() string { return d.id }

// Version returns the policy's Version element ("" if none).
func (d *Document) Version() string { return d.version }

// Kind returns the rules the document was parsed under.
func (d *Document) Kind() Kind { return d.kind }

// Len returns the number of statements.
func (d *Document) Len() int { return len(d.stmts) }

// AWSPrincipals returns every value named under "AWS" in a Principal or
// NotPrincipal (ARNs and bare account ids as written, "*" excluded),
// without duplicates, in order of appearance. The caller must not modify
// the slice.
func (d *Document) AWSPrincipals() []string { return d.aws }

// statement is one compiled statement.
type statement struct {
	sid          string
	deny         bool
	hasPrincipal bool // Principal or NotPrincipal present
	notPrincipal bool
	principals   []principalEntry
	notAction    bool
	actions      []string
	notResource  bool
	resources    []string
	conds        []condition
}

// Parse parses and validates a policy document under the rules common to
// key policies and IAM policies (kind AnyPolicy). Use ParseKeyPolicy for
// PutKeyPolicy/CreateKey and ParseIdentityPolicy for IAM policies to also
// apply the rules of that kind.
func Parse(text string) (*Document, error) { return ParseKind(text, AnyPolicy) }

// ParseKeyPolicy parses a key policy: Parse plus "every statement names a
// principal".
func ParseKeyPolicy(text string) (*Document, error) { return ParseKind(text, KeyPolicy) }

// ParseIdentityPolicy parses an IAM identity-based policy: Parse plus "no
// statement names a principal" and unique Sids.
func ParseIdentityPolicy(text string) (*Document, error) { return ParseKind(text, IdentityPolicy) }

// ParseKind parses text under the rules of kind.
func ParseKind(text string, kind Kind) (*Document, error) {
	if len(text) > MaxKeyPolicySize {
		return nil, &policyError{ErrTooLarge, fmt.Sprintf("Policy exceeds the maximum size of %d bytes.", MaxKeyPolicySize)}
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, malformed("Policy document is not valid JSON: %s", jsonErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed("Policy document is not valid JSON: unexpected data after the top-level object")
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, malformed("Policy document must be a JSON object.")
	}
	if err := checkDuplicateKeys(text); err != nil {
		var pe *policyError
		if !errors.As(err, &pe) {
			err = malformed("Policy document is not valid JSON: %s", jsonErrText(err))
		}
		return nil, err
	}
	d := &Document{kind: kind}
	for k, v := range obj {
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok || (s != "2012-10-17" && s != "2008-10-17") {
				return nil, malformed("The policy document has an invalid Version: the Version must be 2012-10-17 or 2008-10-17.")
			}
			d.version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, malformed("The policy Id must be a string.")
			}
			d.id = s
		case "Statement":
		default:
			return nil, malformed("Policy contains an unknown element: %s", k)
		}
	}
	raw, ok := obj["Statement"]
	if !ok {
		return nil, malformed("Policy document is missing the required element Statement.")
	}
	var list []any
	switch s := raw.(type) {
	case map[string]any:
		list = []any{s}
	case []any:
		list = s
	default:
		return nil, malformed("The Statement element must be an object or an array of objects.")
	}
	if len(list) == 0 {
		return nil, malformed("Policy document must contain at least one statement.")
	}
	sids := map[string]bool{}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, malformed("The Statement element must be an object or an array of objects.")
		}
		st, err := parseStatement(m, kind, d)
		if err != nil {
			return nil, err
		}
		if kind == IdentityPolicy && st.sid != "" {
			if sids[st.sid] {
				return nil, malformed(msgDuplicateSid)
			}
			sids[st.sid] = true
		}
		d.stmts = append(d.stmts, st)
	}
	d.single = make([][]Match, len(d.stmts))
	all := make([]Match, len(d.stmts))
	for i := range d.stmts {
		all[i] = Match{Source: SourceKeyPolicy, Statement: i, Sid: d.stmts[i].sid, Effect: effectName(d.stmts[i].deny)}
		d.single[i] = all[i : i+1 : i+1]
	}
	return d, nil
}

func effectName(deny bool) string {
	if deny {
		return "Deny"
	}
	return "Allow"
}

func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at offset %d)", se.Error(), se.Offset)
	}
	return err.Error()
}

// checkDuplicateKeys refuses an object with the same member twice
// (encoding/json would keep the last silently, so "Effect":"Deny" could be
// overridden by a later "Effect":"Allow" no reader of the text expects).
func checkDuplicateKeys(text string) error {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var walk func() error
	walk = func() error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if seen[k] {
					return malformed("Policy contains a duplicate element: %s", k)
				}
				seen[k] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return walk()
}

func parseStatement(m map[string]any, kind Kind, d *Document) (statement, error) {
	var st statement
	for k := range m {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return st, malformed("Policy statement contains an unknown element: %s", k)
		}
	}
	if v, ok := m["Sid"]; ok {
		s, ok := v.(string)
		if !ok {
			return st, malformed("The Sid element must be a string.")
		}
		st.sid = s
	}
	switch m["Effect"] {
	case "Allow":
	case "Deny":
		st.deny = true
	case nil:
		return st, malformed("Policy statement is missing the required element Effect.")
	default:
		return st, malformed("The Effect element must be Allow or Deny.")
	}

	// Principal / NotPrincipal.
	p, hasP := m["Principal"]
	np, hasNP := m["NotPrincipal"]
	switch {
	case hasP && hasNP:
		return st, malformed("Policy statement cannot contain both Principal and NotPrincipal.")
	case kind == IdentityPolicy && (hasP || hasNP):
		return st, malformed(msgNoPrincipalInIAM)
	case hasP || hasNP:
		if hasNP {
			p, st.notPrincipal = np, true
		}
		entries, err := parsePrincipals(p, d)
		if err != nil {
			return st, err
		}
		st.hasPrincipal, st.principals = true, entries
	case kind == KeyPolicy:
		return st, malformed(msgInvalidPrincipals)
	}

	// Action / NotAction.
	var err error
	st.actions, st.notAction, err = pickList(m, "Action", "NotAction")
	if err != nil {
		return st, err
	}
	for _, a := range st.actions {
		if a != "*" && (strings.IndexByte(a, ':') <= 0) {
			return st, malformed(msgVendor)
		}
	}

	// Resource / NotResource.
	st.resources, st.notResource, err = pickList(m, "Resource", "NotResource")
	if err != nil {
		return st, err
	}
	for _, r := range st.resources {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return st, malformed("Resource %s must be in ARN format or \"*\".", r)
		}
	}

	if c, ok := m["Condition"]; ok {
		st.conds, err = parseConditions(c)
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// pickList reads exactly one of the elements pos and neg, each a string or
// a non-empty array of strings.
func pickList(m map[string]any, pos, neg string) ([]string, bool, error) {
	pv, hasPos := m[pos]
	nv, hasNeg := m[neg]
	switch {
	case hasPos && hasNeg:
		return nil, false, malformed("Policy statement cannot contain both %s and %s.", pos, neg)
	case !hasPos && !hasNeg:
		return nil, false, malformed("Policy statement must contain %s or %s.", pos, neg)
	}
	name, v := pos, pv
	if hasNeg {
		name, v = neg, nv
	}
	list, ok := stringList(v)
	if !ok || len(list) == 0 {
		return nil, false, malformed("The %s element must be a string or a non-empty array of strings.", name)
	}
	for _, s := range list {
		if s == "" {
			return nil, false, malformed("The %s element must not contain an empty string.", name)
		}
	}
	return list, hasNeg, nil
}

// stringList reads a string or an array of strings.
func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// parsePrincipals reads a Principal or NotPrincipal value: "*", or an
// object whose members AWS, Service and Federated are a string or an array
// of strings (IAM User Guide, "AWS JSON policy elements: Principal").
// Anything else, or a value of the wrong form, is refused with AWS KMS's
// "invalid principals" message.
func parsePrincipals(v any, d *Document) ([]principalEntry, error) {
	if s, ok := v.(string); ok {
		if s != "*" {
			return nil, malformed(msgInvalidPrincipals)
		}
		return []principalEntry{{any: true}}, nil
	}
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil, malformed(msgInvalidPrincipals)
	}
	var out []principalEntry
	// Deterministic order: AWS, Service, Federated.
	for _, typ := range []string{"AWS", "Service", "Federated"} {
		raw, ok := obj[typ]
		if !ok {
			continue
		}
		list, ok := stringList(raw)
		if !ok || len(list) == 0 {
			return nil, malformed(msgInvalidPrincipals)
		}
		for _, s := range list {
			e, ok := parsePrincipalValue(typ, s)
			if !ok {
				return nil, malformed(msgInvalidPrincipals)
			}
			if typ == "AWS" && s != "*" && !slices.Contains(d.aws, s) {
				d.aws = append(d.aws, s)
			}
			out = append(out, e)
		}
	}
	for k := range obj {
		if k != "AWS" && k != "Service" && k != "Federated" {
			return nil, malformed(msgInvalidPrincipals)
		}
	}
	return out, nil
}

func parsePrincipalValue(typ, s string) (principalEntry, bool) {
	switch typ {
	case "Service":
		if !isServiceName(s) {
			return principalEntry{}, false
		}
		return principalEntry{service: s}, true
	case "Federated":
		if s == "" || strings.ContainsAny(s, "*? \t\n") {
			return principalEntry{}, false
		}
		return principalEntry{other: s}, true
	}
	// AWS.
	if s == "*" {
		return principalEntry{any: true}, true
	}
	if isAccount(s) {
		return principalEntry{typ: TypeAccount, account: s}, true
	}
	var c caller
	if !c.parse(Principal{ARN: s}) || c.typ == TypeService {
		return principalEntry{}, false
	}
	return principalEntry{typ: c.typ, arn: s, partition: c.partition, account: c.account, name: c.name}, true
}
