package kms_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/embedkms/kms"
)

// TestErrorCodeIsCode: Error.Code is the Code type, so a code compares with
// == as well as matching with errors.Is and errors.As through wrapping.
func TestErrorCodeIsCode(t *testing.T) {
	k, err := kms.New(kms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	_, err = k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: "11111111-2222-3333-4444-555555555555"})
	var e *kms.Error
	if !errors.As(fmt.Errorf("wrapped: %w", err), &e) {
		t.Fatalf("error %v is not a *kms.Error", err)
	}
	if e.Code != kms.ErrNotFound || e.ErrorCode() != "NotFoundException" {
		t.Fatalf("Code = %q, want %q", e.Code, kms.ErrNotFound)
	}
	if !errors.Is(err, kms.ErrNotFound) || errors.Is(err, kms.ErrDisabled) {
		t.Fatalf("errors.Is does not follow the code of %v", err)
	}
}
