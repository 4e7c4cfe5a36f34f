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

// TestREADMEQuickstartIsThisProgram: the README's quickstart is this file,
// verbatim, so the program a reader pastes compiles and runs.
func TestREADMEQuickstartIsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Quickstart\n")
	if !ok {
		t.Fatal("README has no Quickstart section")
	}
	_, block, ok := strings.Cut(after, "```go\n")
	if !ok {
		t.Fatal("README's Quickstart has no Go block")
	}
	block, _, ok = strings.Cut(block, "```\n")
	if !ok || block != string(src) {
		t.Fatal("README's Quickstart is not examples/quickstart/main.go verbatim")
	}
}
