package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Conditions supplies a request's condition-key values, lazily: Evaluate
// asks only for the keys some statement's Condition names.
//
// Lookup is called with the condition key as the policy writes it,
// lower-cased in full (Unicode lower case): "kms:encryptioncontext:department",
// "aws:resourcetag/project", "kms:encryptionalgorithm". IAM condition key
// names are not case-sensitive (IAM User Guide, "IAM JSON policy elements:
// Condition": "Condition key names are not case-sensitive"), and that
// includes the context-key part of kms:EncryptionContext:context-key (AWS
// KMS Developer Guide, "Condition keys for AWS KMS": the key in the
// condition key is not case-sensitive, its value is; kms:EncryptionContextKeys
// is the way to compare the context keys' case); the tag-key part of
// aws:RequestTag/, aws:ResourceTag/ and aws:PrincipalTag/ is looked up the
// same way. So an implementation must index its values by the lower-cased
// key, and when two request keys differ only by case return both values.
// Values themselves are returned as they are (case-sensitive).
//
// ok=false means the key is absent from the request; ok=true with no
// values is an empty set (a multivalued key such as
// kms:EncryptionContextKeys on a request with no encryption context).
type Conditions interface {
	// Lookup returns the values of the condition key key, given lower-cased,
	// and whether the request has it.
	Lookup(key string) (values []string, ok bool)
}

// Values is a map-backed Conditions. Its keys must be lower-cased; use Set
// to add values.
type Values map[string][]string

// Lookup implements Conditions.
func (v Values) Lookup(key string) ([]string, bool) {
	vals, ok := v[key]
	return vals, ok
}

// Set sets key (any case) to values; with no values it sets an empty set.
func (v Values) Set(key string, values ...string) Values {
	if values == nil {
		values = []string{}
	}
	v[strings.ToLower(key)] = values
	return v
}

// SetEncryptionContext sets kms:EncryptionContext:<key> for every pair of
// ec (keys lower-cased, values as given) and kms:EncryptionContextKeys to
// ec's keys as given, sorted (AWS KMS Developer Guide, "Condition keys for
// AWS KMS"). A nil or empty ec sets kms:EncryptionContextKeys to the
// empty set.
func (v Values) SetEncryptionContext(ec map[string]string) Values {
	keys := make([]string, 0, len(ec))
	for k, val := range ec {
		keys = append(keys, k)
		lk := "kms:encryptioncontext:" + strings.ToLower(k)
		v[lk] = append(v[lk], val)
	}
	sort.Strings(keys)
	v["kms:encryptioncontextkeys"] = keys
	return v
}

// opKind is the comparison an operator makes.
type opKind int

const (
	opString opKind = iota
	opStringIgnoreCase
	opStringLike
	opNumericEq
	opNumericLt
	opNumericLe
	opNumericGt
	opNumericGe
	opDateEq
	opDateLt
	opDateLe
	opDateGt
	opDateGe
	opBool
	opBinary
	opIP
	opArn
	opNull
)

// operators maps a condition operator (without IfExists and without a
// set qualifier) to its comparison and whether it is negated (IAM User
// Guide, "IAM JSON policy elements: Condition operators").
var operators = map[string]struct {
	kind   opKind
	negate bool
}{
	"StringEquals":              {opString, false},
	"StringNotEquals":           {opString, true},
	"StringEqualsIgnoreCase":    {opStringIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEq, false},
	"NumericNotEquals":          {opNumericEq, true},
	"NumericLessThan":           {opNumericLt, false},
	"NumericLessThanEquals":     {opNumericLe, false},
	"NumericGreaterThan":        {opNumericGt, false},
	"NumericGreaterThanEquals":  {opNumericGe, false},
	"DateEquals":                {opDateEq, false},
	"DateNotEquals":             {opDateEq, true},
	"DateLessThan":              {opDateLt, false},
	"DateLessThanEquals":        {opDateLe, false},
	"DateGreaterThan":           {opDateGt, false},
	"DateGreaterThanEquals":     {opDateGe, false},
	"Bool":                      {opBool, false},
	"BinaryEquals":              {opBinary, false},
	"IpAddress":                 {opIP, false},
	"NotIpAddress":              {opIP, true},
	"ArnEquals":                 {opArn, false},
	"ArnLike":                   {opArn, false},
	"ArnNotEquals":              {opArn, true},
	"ArnNotLike":                {opArn, true},
	"Null":                      {opNull, false},
}

// qualifier is a set operator prefix.
type qualifier int

const (
	qualNone qualifier = iota
	qualForAny
	qualForAll
)

// condition is one (operator, key, values) test.
type condition struct {
	op       string // as written, for explain
	kind     opKind
	negate   bool
	ifExists bool
	qual     qualifier
	key      string // as written
	lkey     string // lower-cased: what Lookup gets
	values   []string
	nums     []float64   // numeric operators: parsed values (NaN: unparsable)
	times    []time.Time // date operators (zero: unparsable)
	nets     []netip.Prefix
	bins     [][]byte
}

func parseConditions(v any) ([]condition, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, malformed("The Condition element must be an object.")
	}
	var out []condition
	for _, opName := range sortedKeys(obj) {
		name, qual := opName, qualNone
		switch {
		case strings.HasPrefix(name, "ForAnyValue:"):
			name, qual = name[len("ForAnyValue:"):], qualForAny
		case strings.HasPrefix(name, "ForAllValues:"):
			name, qual = name[len("ForAllValues:"):], qualForAll
		}
		ifExists := false
		if base, ok := strings.CutSuffix(name, "IfExists"); ok && base != "Null" {
			name, ifExists = base, true
		}
		op, ok := operators[name]
		if !ok {
			return nil, malformed("Policy contains an invalid condition operator: %s", opName)
		}
		keys, ok := obj[opName].(map[string]any)
		if !ok || len(keys) == 0 {
			return nil, malformed("The value of condition operator %s must be an object of condition keys.", opName)
		}
		for _, key := range sortedKeys(keys) {
			if strings.IndexByte(key, ':') <= 0 {
				return nil, malformed(msgVendor)
			}
			vals, ok := conditionValues(keys[key])
			if !ok {
				return nil, malformed("Condition %s of %s must be a string, number or boolean, or an array of them.", key, opName)
			}
			c := condition{op: opName, kind: op.kind, negate: op.negate, ifExists: ifExists, qual: qual,
				key: key, lkey: strings.ToLower(key), values: vals}
			if err := c.compile(); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// conditionValues reads a condition value: a string, number or boolean, or
// an array of them (IAM User Guide, "IAM JSON policy elements: Condition":
// values may be written as JSON strings, numbers or booleans). Numbers
// keep their text as written.
func conditionValues(v any) ([]string, bool) {
	one := func(e any) (string, bool) {
		switch x := e.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			return strconv.FormatBool(x), true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := one(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	s, ok := one(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

// compile pre-parses the policy values of typed operators. A value of the
// wrong form is refused for Null and Bool (they take only true or false);
// for the others it is kept and matches nothing, as IAM does not reject
// such policies.
func (c *condition) compile() error {
	switch c.kind {
	case opNumericEq, opNumericLt, opNumericLe, opNumericGt, opNumericGe:
		c.nums = make([]float64, len(c.values))
		for i, v := range c.values {
			c.nums[i] = parseNumber(v)
		}
	case opDateEq, opDateLt, opDateLe, opDateGt, opDateGe:
		c.times = make([]time.Time, len(c.values))
		for i, v := range c.values {
			c.times[i], _ = parseDate(v)
		}
	case opIP:
		c.nets = make([]netip.Prefix, len(c.values))
		for i, v := range c.values {
			c.nets[i] = parseNet(v)
		}
	case opBinary:
		c.bins = make([][]byte, len(c.values))
		for i, v := range c.values {
			c.bins[i], _ = base64.StdEncoding.DecodeString(v)
		}
	case opNull, opBool:
		for _, v := range c.values {
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return malformed("The value of condition %s on %s must be true or false.", c.op, c.key)
			}
		}
	}
	return nil
}

func parseNumber(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return nan
	}
	return f
}

var nan = func() float64 { var z float64; return z / z }()

// parseDate reads a date as IAM's date operators do: an ISO 8601 date or
// date-time (W3C profile: 2020-04-01, 2020-04-01T00:00:00Z,
// 2020-04-01T00:00:00+01:00, with optional fraction) or epoch seconds
// (IAM User Guide, "IAM JSON policy elements: Condition operators", Date
// condition operators).
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseNet(s string) netip.Prefix {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen())
	}
	return netip.Prefix{}
}

// eval applies the condition to the request values vals (ok=false: key
// absent), following IAM's rules (IAM User Guide, "IAM JSON policy
// elements: Condition operators" and "Single-valued vs. multivalued
// context keys"):
//
//   - a key absent from the request (or an empty set) makes a condition
//     false, except a negated operator (true), an ...IfExists operator
//     (true), ForAllValues (true) and ForAnyValue (false);
//   - Null tests presence: "true" holds when the key is absent;
//   - otherwise each request value is tested against the policy values
//     (ORed); without a qualifier or with ForAnyValue one request value
//     passing is enough, with ForAllValues every one must. A negated
//     operator passes a request value that matches no policy value; a
//     negated operator without qualifier requires every request value to
//     pass (no request value matches).
func (c *condition) eval(vals []string, ok bool, vars varContext) bool {
	if c.kind == opNull {
		absent := !ok || len(vals) == 0
		for _, v := range c.values {
			if strings.EqualFold(v, "true") == absent {
				return true
			}
		}
		return false
	}
	if !ok || len(vals) == 0 {
		switch {
		case c.ifExists:
			return true
		case c.qual == qualForAll:
			return true
		case c.qual == qualForAny:
			return false
		}
		return c.negate
	}
	all := c.qual == qualForAll || (c.qual == qualNone && c.negate)
	for _, v := range vals {
		pass := c.matchAny(v, vars) != c.negate
		if all && !pass {
			return false
		}
		if !all && pass {
			return true
		}
	}
	return all
}

// matchAny reports whether request value v matches one of the policy
// values under the operator's (positive) comparison.
func (c *condition) matchAny(v string, vars varContext) bool {
	switch c.kind {
	case opString, opStringIgnoreCase, opStringLike, opArn:
		for _, p := range c.values {
			if vars.e != nil && strings.Contains(p, "${") {
				var ok bool
				if p, ok = vars.expand(p); !ok {
					continue
				}
			}
			switch c.kind {
			case opString:
				if v == p {
					return true
				}
			case opStringIgnoreCase:
				if strings.EqualFold(v, p) {
					return true
				}
			case opStringLike:
				if glob(p, v, false) {
					return true
				}
			case opArn:
				if arnLike(p, v) {
					return true
				}
			}
		}
	case opNumericEq, opNumericLt, opNumericLe, opNumericGt, opNumericGe:
		x := parseNumber(v)
		for _, p := range c.nums {
			if cmpOK(c.kind-opNumericEq, compareFloat(x, p)) {
				return true
			}
		}
	case opDateEq, opDateLt, opDateLe, opDateGt, opDateGe:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, p := range c.times {
			if !p.IsZero() && cmpOK(c.kind-opDateEq, t.Compare(p)) {
				return true
			}
		}
	case opBool:
		for _, p := range c.values {
			if strings.EqualFold(v, p) {
				return true
			}
		}
	case opBinary:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false
		}
		for _, p := range c.bins {
			if p != nil && bytes.Equal(b, p) {
				return true
			}
		}
	case opIP:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.nets {
			if p.IsValid() && p.Contains(a) {
				return true
			}
		}
	}
	return false
}

// compareFloat is -1, 0, 1, or 2 when either is NaN (no comparison holds).
func compareFloat(a, b float64) int {
	switch {
	case a != a || b != b:
		return 2
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpOK applies comparison k (0 eq, 1 lt, 2 le, 3 gt, 4 ge) to a
// three-way result r.
func cmpOK(k opKind, r int) bool {
	switch k {
	case 0:
		return r == 0
	case 1:
		return r == -1
	case 2:
		return r == -1 || r == 0
	case 3:
		return r == 1
	case 4:
		return r == 1 || r == 0
	}
	return false
}
