// Command policy shows key policies really evaluated, and Explain saying
// why a call is denied. A role may use the key to Encrypt only with the
// encryption context department=billing (a key-policy condition on
// kms:EncryptionContext:department): one call is allowed, another is
// denied with AccessDeniedException, and Explain names what decided each.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/embedkms/kms"
)

const (
	role    = "arn:aws:iam::111122223333:role/BillingApp"
	session = "arn:aws:sts::111122223333:assumed-role/BillingApp/worker-1"
)

// keyPolicy lets the account administer the key (delegating to IAM, as the
// default key policy does) and the role Encrypt only with the billing
// encryption context.
const keyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "BillingAppEncryptsBillingData",
      "Effect": "Allow",
      "Principal": {"AWS": "` + role + `"},
      "Action": "kms:Encrypt",
      "Resource": "*",
      "Condition": {"StringEquals": {"kms:EncryptionContext:department": "billing"}}
    }
  ]
}`

func main() {
	ctx := context.Background()
	// IAM modelled: the role exists and has no identity policy, so only
	// what the key policy grants it directly is allowed.
	k, err := kms.New(kms.Options{IdentityPolicies: kms.IdentityPolicies{role: nil}})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()

	// The account root (no caller on the context) creates the key.
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: "billing data", Policy: keyPolicy})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created key %s\n", key.KeyMetadata.Arn)

	// The application runs as a session of the role.
	app := kms.WithCaller(ctx, session)
	billing := map[string]string{"department": "billing"}
	if _, err := k.Encrypt(app, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("invoice 42"), EncryptionContext: billing}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Encrypt with department=billing: allowed")

	hr := map[string]string{"department": "hr"}
	_, err = k.Encrypt(app, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("salary"), EncryptionContext: hr})
	fmt.Printf("Encrypt with department=hr: %v (AccessDenied: %v)\n", err, errors.Is(err, kms.ErrAccessDenied))

	// Explain answers the same question for the same context and says
	// what decided it.
	for _, ec := range []map[string]string{billing, hr} {
		ex, err := k.Explain(app, &kms.ExplainInput{Action: "kms:Encrypt", KeyId: key.KeyMetadata.KeyId, EncryptionContext: ec})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("\nExplain kms:Encrypt with department=%s\n  decision:  %v\n", ec["department"], ex.Decision)
		if ex.Message != "" {
			fmt.Printf("  message:   %s\n", ex.Message)
		}
		if len(ex.Statements) == 0 {
			fmt.Println("  decided by: no statement or grant allows it")
		}
		for _, s := range ex.Statements {
			fmt.Printf("  decided by: %v statement %d (Sid %q, %s)\n", s.Source, s.Statement, s.Sid, s.Effect)
		}
	}
}
