// Package policy decides whether a caller may perform a KMS action on a key.
// It is pure: it takes a Request describing the call and returns a Decision,
// with no access to storage.
//
// Today it implements what the AWS default key policy allows: the key's own
// account (its root, and through IAM every principal of the account) may do
// everything; no other account may do anything. Evaluation of custom key
// policies and grants plugs in behind Evaluate.
package policy

import "strings"

// Request describes one authorization question.
type Request struct {
	Action        string // e.g. "kms:Encrypt"
	Caller        string // principal ARN, e.g. arn:aws:iam::111122223333:root
	CallerAccount string // account of Caller
	Resource      string // key ARN, or "*" for actions on no key
	KeyAccount    string // account that owns the key (or the handle's account)
	KeyPolicy     string // the key's policy document ("" for actions on no key)
	// Condition values of the request (kms:EncryptionContext:*,
	// kms:EncryptionAlgorithm).
	EncryptionContext   map[string]string
	EncryptionAlgorithm string
}

// Decision is the outcome of an evaluation.
type Decision int

// Decisions.
const (
	ImplicitDeny Decision = iota // nothing allows it
	Allow
	ExplicitDeny // a statement denies it
)

// Evaluate decides r.
func Evaluate(r Request) Decision {
	if r.CallerAccount != "" && r.CallerAccount == r.KeyAccount {
		return Allow
	}
	return ImplicitDeny
}

// DefaultKeyPolicy returns the key policy AWS KMS gives a key created
// without one: it delegates all access to the account's IAM policies.
// Text as in the AWS KMS Developer Guide, "Default key policy".
func DefaultKeyPolicy(partition, account string) string {
	return strings.NewReplacer("PARTITION", partition, "ACCOUNT", account).Replace(defaultPolicy)
}

const defaultPolicy = `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:PARTITION:iam::ACCOUNT:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
