package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// TestQuickstart runs the program and checks it did what it prints.
func TestQuickstart(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	w.Close()
	var out bytes.Buffer
	io.Copy(&out, r)
	for _, want := range []string{
		"created key   arn:aws:kms:us-east-1:111122223333:key/",
		"created alias alias/quickstart",
		"round trip ok: true",
		"wrong context InvalidCiphertextException (InvalidCiphertextException: true)",
		"data key      32-byte plaintext key",
		"data key back from its encrypted copy: true",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
