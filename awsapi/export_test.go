package awsapi

import (
	"testing"

	kms "github.com/embedkms/kms"
)

// DecodeInput decodes a request body into an operation's input as the
// handler does, for the tests of package awsapi_test.
var DecodeInput = decode

// newHandle returns an in-memory handle closed when the test ends, for the
// tests of package awsapi (package kmstest imports this package, so they
// cannot use kmstest.New).
func newHandle(t testing.TB) *kms.KMS {
	t.Helper()
	k, err := kms.New(kms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}
