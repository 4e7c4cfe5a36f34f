package main

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestPolicy runs the program and checks it did what it prints: the
// billing call allowed by the key policy's statement, the other denied,
// and Explain's message the call's.
func TestPolicy(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	w.Close()
	var buf bytes.Buffer
	io.Copy(&buf, r)
	out := buf.String()
	keyARN := regexp.MustCompile(`created key (arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36})\n`).FindStringSubmatch(out)
	if keyARN == nil {
		t.Fatalf("no key created:\n%s", out)
	}
	denied := "User: " + session + " is not authorized to perform: kms:Encrypt on resource: " + keyARN[1] + " because no identity-based policy allows the kms:Encrypt action"
	for _, want := range []string{
		"Encrypt with department=billing: allowed\n",
		"Encrypt with department=hr: AccessDeniedException: " + denied + " (AccessDenied: true)\n",
		"Explain kms:Encrypt with department=billing\n  decision:  Allow\n  decided by: KeyPolicy statement 1 (Sid \"BillingAppEncryptsBillingData\", Allow)\n",
		"Explain kms:Encrypt with department=hr\n  decision:  ImplicitDeny\n  message:   " + denied + "\n  decided by: no statement or grant allows it\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
