// Package policy decides whether a caller may perform an AWS KMS action,
// as AWS KMS does: from the key policy, the caller's IAM (identity-based)
// policies and the key's grants. It is pure: it parses policy documents
// and evaluates requests, with no access to storage.
//
// Parse (ParseKeyPolicy, ParseIdentityPolicy) turns a policy text into an
// immutable Document, meant to be parsed once and cached; Evaluate
// decides an Input and reports which statements or grants decided it.
package policy

import "strings"

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
