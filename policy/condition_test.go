package policy_test

import (
	"testing"
	"time"

	"github.com/embedkms/kms/policy"
)

const (
	acct  = "111122223333"
	other = "444455556666"
	alice = "arn:aws:iam::111122223333:user/Alice"
	keyA  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// condHolds reports whether condition cond (the JSON of a Condition
// element) holds for Alice's request with values vals: it evaluates an IAM
// policy allowing everything under that condition, with no key policy, so
// the request is allowed exactly when the condition holds.
func condHolds(t *testing.T, cond string, vals policy.Values, at time.Time) bool {
	t.Helper()
	d, err := policy.ParseIdentityPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":` + cond + `}]}`)
	if err != nil {
		t.Fatalf("parse %s: %v", cond, err)
	}
	var c policy.Conditions
	if vals != nil {
		c = vals
	}
	res := policy.Evaluate(policy.Input{
		Request:          policy.Request{Action: "kms:CreateKey", Principal: policy.Principal{ARN: alice}, Resource: "*", ResourceAccount: acct, Time: at, Conditions: c},
		IdentityPolicies: []*policy.Document{d},
	})
	return res.Decision == policy.Allow
}

func vals(kv ...any) policy.Values {
	v := policy.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i].(string), kv[i+1].([]string)...)
	}
	return v
}

type condCase struct {
	name string
	cond string
	vals policy.Values
	want bool
}

func runCond(t *testing.T, tests []condCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condHolds(t, tt.cond, tt.vals, time.Time{}); got != tt.want {
				t.Fatalf("%s with %v: holds = %v, want %v", tt.cond, tt.vals, got, tt.want)
			}
		})
	}
}

// TestConditionStringOperators: IAM User Guide, "IAM JSON policy elements:
// Condition operators", String condition operators: StringEquals is exact
// and case-sensitive, ...IgnoreCase folds case, StringLike takes * and ?;
// several values are ORed; a key absent from the request makes a positive
// operator false and a negated one true.
func TestConditionStringOperators(t *testing.T) {
	via := func(s ...string) policy.Values { return vals("kms:ViaService", s) }
	runCond(t, []condCase{
		{"StringEquals match", `{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), true},
		{"StringEquals case-sensitive", `{"StringEquals":{"kms:ViaService":"EC2.us-east-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), false},
		{"StringEquals values ORed", `{"StringEquals":{"kms:ViaService":["rds.us-east-1.amazonaws.com","ec2.us-east-1.amazonaws.com"]}}`, via("ec2.us-east-1.amazonaws.com"), true},
		{"StringEquals absent key", `{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`, nil, false},
		{"StringNotEquals other value", `{"StringNotEquals":{"kms:ViaService":"rds.us-east-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), true},
		{"StringNotEquals same value", `{"StringNotEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), false},
		{"StringNotEquals absent key is true", `{"StringNotEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`, nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"kms:ViaService":"EC2.US-EAST-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), true},
		{"StringNotEqualsIgnoreCase same value other case", `{"StringNotEqualsIgnoreCase":{"kms:ViaService":"EC2.US-EAST-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), false},
		{"StringLike star", `{"StringLike":{"kms:ViaService":"ec2.*.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), true},
		{"StringLike question mark", `{"StringLike":{"kms:ViaService":"ec?.us-east-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), true},
		{"StringLike no match", `{"StringLike":{"kms:ViaService":"rds.*"}}`, via("ec2.us-east-1.amazonaws.com"), false},
		{"StringLike case-sensitive", `{"StringLike":{"kms:ViaService":"EC2.*"}}`, via("ec2.us-east-1.amazonaws.com"), false},
		{"StringNotLike", `{"StringNotLike":{"kms:ViaService":"rds.*"}}`, via("ec2.us-east-1.amazonaws.com"), true},
		{"StringNotLike matching", `{"StringNotLike":{"kms:ViaService":"ec2.*"}}`, via("ec2.us-east-1.amazonaws.com"), false},
		{"condition key name case-insensitive", `{"StringEquals":{"KMS:VIASERVICE":"ec2.us-east-1.amazonaws.com"}}`, via("ec2.us-east-1.amazonaws.com"), true},
	})
}

// TestConditionEncryptionContextKeyCase: AWS KMS Developer Guide,
// "Condition keys for AWS KMS", kms:EncryptionContext:context-key: the
// context key in the condition key is not case-sensitive, the value is
// (with StringEquals); kms:EncryptionContextKeys compares the keys with
// their case.
func TestConditionEncryptionContextKeyCase(t *testing.T) {
	ec := func(m map[string]string) policy.Values { return policy.Values{}.SetEncryptionContext(m) }
	runCond(t, []condCase{
		{"key case ignored", `{"StringEquals":{"kms:EncryptionContext:Department":"IT"}}`, ec(map[string]string{"department": "IT"}), true},
		{"value case kept", `{"StringEquals":{"kms:EncryptionContext:Department":"IT"}}`, ec(map[string]string{"Department": "it"}), false},
		{"EncryptionContextKeys case-sensitive", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"Department"}}`, ec(map[string]string{"department": "IT"}), false},
		{"EncryptionContextKeys match", `{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"Department"}}`, ec(map[string]string{"Department": "IT", "x": "y"}), true},
		{"no context: key absent", `{"StringEquals":{"kms:EncryptionContext:Department":"IT"}}`, ec(nil), false},
	})
}

// TestConditionNumericOperators: IAM User Guide, "Condition operators",
// Numeric condition operators; values may be written as JSON numbers.
func TestConditionNumericOperators(t *testing.T) {
	n := func(s string) policy.Values { return vals("kms:KeyCount", []string{s}) }
	runCond(t, []condCase{
		{"NumericEquals", `{"NumericEquals":{"kms:KeyCount":10}}`, n("10"), true},
		{"NumericEquals decimal forms", `{"NumericEquals":{"kms:KeyCount":"10.0"}}`, n("10"), true},
		{"NumericEquals other", `{"NumericEquals":{"kms:KeyCount":10}}`, n("11"), false},
		{"NumericNotEquals", `{"NumericNotEquals":{"kms:KeyCount":10}}`, n("11"), true},
		{"NumericNotEquals equal", `{"NumericNotEquals":{"kms:KeyCount":10}}`, n("10"), false},
		{"NumericLessThan", `{"NumericLessThan":{"kms:KeyCount":10}}`, n("9"), true},
		{"NumericLessThan equal", `{"NumericLessThan":{"kms:KeyCount":10}}`, n("10"), false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"kms:KeyCount":10}}`, n("10"), true},
		{"NumericLessThanEquals above", `{"NumericLessThanEquals":{"kms:KeyCount":10}}`, n("11"), false},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"kms:KeyCount":10}}`, n("11"), true},
		{"NumericGreaterThan equal", `{"NumericGreaterThan":{"kms:KeyCount":10}}`, n("10"), false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"kms:KeyCount":10}}`, n("10"), true},
		{"NumericGreaterThanEquals below", `{"NumericGreaterThanEquals":{"kms:KeyCount":10}}`, n("9"), false},
		{"request value not a number", `{"NumericLessThan":{"kms:KeyCount":10}}`, n("ten"), false},
		{"absent", `{"NumericLessThan":{"kms:KeyCount":10}}`, nil, false},
	})
}

// TestConditionDateOperators: IAM User Guide, "Condition operators", Date
// condition operators: ISO 8601 dates and date-times, or epoch seconds,
// against aws:CurrentTime and aws:EpochTime, which Evaluate fills from
// Request.Time.
func TestConditionDateOperators(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		cond string
		want bool
	}{
		{`{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, true},
		{`{"DateGreaterThan":{"aws:CurrentTime":"2027-01-01"}}`, false},
		{`{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00+02:00"}}`, true},
		{`{"DateLessThan":{"aws:CurrentTime":"2026-06-01T12:00:00Z"}}`, false},
		{`{"DateLessThanEquals":{"aws:CurrentTime":"2026-06-01T12:00:00Z"}}`, true},
		{`{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-06-01T12:00:01Z"}}`, false},
		{`{"DateEquals":{"aws:CurrentTime":"2026-06-01T14:00:00+02:00"}}`, true},
		{`{"DateNotEquals":{"aws:CurrentTime":"2026-06-01T12:00:00Z"}}`, false},
		{`{"DateGreaterThan":{"aws:EpochTime":1767225600}}`, true},      // 2026-01-01 as epoch seconds
		{`{"DateGreaterThan":{"aws:CurrentTime":"1796083200"}}`, false}, // 2026-12-01 as epoch seconds
		{`{"DateLessThan":{"aws:CurrentTime":"not a date"}}`, false},    // unparsable policy value matches nothing
		{`{"DateNotEquals":{"aws:CurrentTime":"not a date"}}`, true},    // ... so its negation holds
	}
	for _, tt := range tests {
		if got := condHolds(t, tt.cond, nil, now); got != tt.want {
			t.Errorf("%s at %v: holds = %v, want %v", tt.cond, now, got, tt.want)
		}
	}
	// No time in the request: aws:CurrentTime is absent.
	if condHolds(t, `{"DateGreaterThan":{"aws:CurrentTime":"2000-01-01"}}`, nil, time.Time{}) {
		t.Error("date condition held without aws:CurrentTime")
	}
}

// TestConditionBoolBinaryIPArnNull: IAM User Guide, "Condition operators":
// Bool, BinaryEquals (base64), IpAddress/NotIpAddress (CIDR), ArnEquals /
// ArnLike (per-component wildcards), Null (key presence).
func TestConditionBoolBinaryIPArnNull(t *testing.T) {
	runCond(t, []condCase{
		{"Bool true (JSON boolean)", `{"Bool":{"aws:SecureTransport":true}}`, vals("aws:SecureTransport", []string{"true"}), true},
		{"Bool false", `{"Bool":{"aws:SecureTransport":"true"}}`, vals("aws:SecureTransport", []string{"false"}), false},
		{"Bool case-insensitive", `{"Bool":{"aws:SecureTransport":"True"}}`, vals("aws:SecureTransport", []string{"true"}), true},
		{"BinaryEquals", `{"BinaryEquals":{"kms:RecipientAttestation:PCR0":"QmluYXJ5VmFsdWU="}}`, vals("kms:RecipientAttestation:PCR0", []string{"QmluYXJ5VmFsdWU="}), true},
		{"BinaryEquals other bytes", `{"BinaryEquals":{"kms:RecipientAttestation:PCR0":"QmluYXJ5VmFsdWU="}}`, vals("kms:RecipientAttestation:PCR0", []string{"T3RoZXI="}), false},
		{"IpAddress in CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, vals("aws:SourceIp", []string{"203.0.113.7"}), true},
		{"IpAddress outside CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, vals("aws:SourceIp", []string{"198.51.100.7"}), false},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"198.51.100.7"}}`, vals("aws:SourceIp", []string{"198.51.100.7"}), true},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, vals("aws:SourceIp", []string{"2001:db8:1234::1"}), true},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, vals("aws:SourceIp", []string{"198.51.100.7"}), true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, vals("aws:SourceIp", []string{"203.0.113.9"}), false},
		{"ArnLike principal wildcard", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/*"}}`, nil, true},
		{"ArnLike wildcard does not cross components", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}`, nil, false},
		{"ArnEquals exact", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/Alice"}}`, nil, true},
		{"ArnNotEquals same", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/Alice"}}`, nil, false},
		{"ArnNotLike other", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::444455556666:*"}}`, nil, true},
		{"Null true: key absent", `{"Null":{"kms:ViaService":"true"}}`, nil, true},
		{"Null true: key present", `{"Null":{"kms:ViaService":"true"}}`, vals("kms:ViaService", []string{"ec2.us-east-1.amazonaws.com"}), false},
		{"Null false: key present", `{"Null":{"kms:ViaService":false}}`, vals("kms:ViaService", []string{"ec2.us-east-1.amazonaws.com"}), true},
		{"Null false: key absent", `{"Null":{"kms:ViaService":"false"}}`, nil, false},
	})
}

// TestConditionIfExists: IAM User Guide, "Condition operators", ...IfExists
// condition operators: "If the policy key is present in the context of the
// request, process the key as specified in the policy. If the key is not
// present, evaluate the condition element as true."
func TestConditionIfExists(t *testing.T) {
	runCond(t, []condCase{
		{"absent key holds", `{"StringEqualsIfExists":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`, nil, true},
		{"present mismatch fails", `{"StringEqualsIfExists":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`, vals("kms:ViaService", []string{"rds.us-east-1.amazonaws.com"}), false},
		{"present match holds", `{"StringEqualsIfExists":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`, vals("kms:ViaService", []string{"ec2.us-east-1.amazonaws.com"}), true},
		{"NumericLessThanIfExists absent", `{"NumericLessThanIfExists":{"kms:KeyCount":1}}`, nil, true},
		{"ForAnyValue IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, nil, true},
	})
}

// TestConditionSetOperators: IAM User Guide, "Single-valued vs.
// multivalued context keys": ForAllValues holds when every request value
// matches a policy value, and also when the key is absent or an empty set;
// ForAnyValue holds when at least one does, and is false for an absent key
// or empty set.
func TestConditionSetOperators(t *testing.T) {
	tags := func(s ...string) policy.Values { return vals("aws:TagKeys", s) }
	runCond(t, []condCase{
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, tags("a"), true},
		{"ForAllValues extra value", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, tags("a", "c"), false},
		{"ForAllValues empty set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, tags(), true},
		{"ForAllValues absent key", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, nil, true},
		{"ForAnyValue one match", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, tags("x", "b"), true},
		{"ForAnyValue no match", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, tags("x", "y"), false},
		{"ForAnyValue empty set", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, tags(), false},
		{"ForAnyValue absent key", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, nil, false},
		{"ForAllValues:StringNotEquals none listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}}`, tags("x", "y"), true},
		{"ForAllValues:StringNotEquals one listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}}`, tags("x", "a"), false},
		{"ForAnyValue:StringNotEquals one unlisted", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, tags("a", "x"), true},
		{"ForAnyValue:StringNotEquals all listed", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, tags("a"), false},
		{"ForAllValues:StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":["team-*"]}}`, tags("team-a", "team-b"), true},
		{"no qualifier, multivalued: any value matches", `{"StringEquals":{"aws:TagKeys":"a"}}`, tags("x", "a"), true},
		{"no qualifier, negated, multivalued: no value may match", `{"StringNotEquals":{"aws:TagKeys":"a"}}`, tags("x", "a"), false},
	})
}

// TestConditionLogic: IAM User Guide, "IAM JSON policy elements:
// Condition", "The condition block": several keys under one operator are
// ANDed, several operators are ANDed, several values of one key are ORed.
func TestConditionLogic(t *testing.T) {
	v := vals("kms:ViaService", []string{"ec2.us-east-1.amazonaws.com"}, "kms:CallerAccount", []string{acct}, "aws:SourceIp", []string{"203.0.113.7"})
	runCond(t, []condCase{
		{"keys ANDed: both hold", `{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com","kms:CallerAccount":"111122223333"}}`, v, true},
		{"keys ANDed: one fails", `{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com","kms:CallerAccount":"444455556666"}}`, v, false},
		{"operators ANDed: both hold", `{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, v, true},
		{"operators ANDed: one fails", `{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"},"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}`, v, false},
		{"values ORed", `{"StringEquals":{"kms:CallerAccount":["444455556666","111122223333"]}}`, v, true},
	})
}

// TestConditionGlobalPrincipalKeys: the principal keys Evaluate fills (IAM
// User Guide, "AWS global condition context keys"): aws:PrincipalArn (a
// role session's is its role's ARN), aws:PrincipalAccount,
// aws:PrincipalType, and kms:CallerAccount (AWS KMS Developer Guide,
// "Condition keys for AWS KMS").
func TestConditionGlobalPrincipalKeys(t *testing.T) {
	session := policy.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/Ops/s1", RoleARN: "arn:aws:iam::111122223333:role/team/Ops"}
	tests := []struct {
		name   string
		caller policy.Principal
		cond   string
		want   bool
	}{
		{"PrincipalArn of a user", policy.Principal{ARN: alice}, `{"ArnEquals":{"aws:PrincipalArn":"` + alice + `"}}`, true},
		{"PrincipalArn of a session is its role", session, `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/team/Ops"}}`, true},
		{"PrincipalArn of a session without RoleARN", policy.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/Ops/s1"}, `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Ops"}}`, true},
		{"PrincipalAccount", policy.Principal{ARN: alice}, `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`, true},
		{"PrincipalType User", policy.Principal{ARN: alice}, `{"StringEquals":{"aws:PrincipalType":"User"}}`, true},
		{"PrincipalType AssumedRole", session, `{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`, true},
		{"PrincipalType of a user is not Account", policy.Principal{ARN: alice}, `{"StringEquals":{"aws:PrincipalType":"Account"}}`, false},
		{"kms:CallerAccount", session, `{"StringEquals":{"kms:CallerAccount":"111122223333"}}`, true},
		{"policy variable aws:username", policy.Principal{ARN: alice}, `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/${aws:username}"}}`, true},
		{"policy variable unresolved matches nothing", session, `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/${aws:username}"}}`, false},
		{"policy variable default", session, `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/team/${aws:username, 'Ops'}"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := policy.ParseIdentityPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":` + tt.cond + `}]}`)
			if err != nil {
				t.Fatal(err)
			}
			res := policy.Evaluate(policy.Input{
				Request:          policy.Request{Action: "kms:ListKeys", Principal: tt.caller, Resource: "*", ResourceAccount: acct},
				IdentityPolicies: []*policy.Document{d},
			})
			if got := res.Decision == policy.Allow; got != tt.want {
				t.Fatalf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}
