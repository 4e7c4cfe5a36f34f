package kms_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// GenerateRandom: "Returns a random byte string that is cryptographically
// secure." NumberOfBytes is 1..1024 (NumberOfBytesType).
func TestGenerateRandom(t *testing.T) {
	k, _ := kmstest.New(t)
	for _, n := range []int32{1, 32, 1024} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			a, err := k.GenerateRandom(t.Context(), &kms.GenerateRandomInput{NumberOfBytes: n})
			if err != nil {
				t.Fatalf("GenerateRandom(%d): %v", n, err)
			}
			if len(a.Plaintext) != int(n) {
				t.Fatalf("got %d bytes, want %d", len(a.Plaintext), n)
			}
			if a.CiphertextForRecipient != nil {
				t.Errorf("CiphertextForRecipient = %x without a Recipient", a.CiphertextForRecipient)
			}
			if n == 1 {
				return // two single bytes collide with probability 1/256
			}
			b, err := k.GenerateRandom(t.Context(), &kms.GenerateRandomInput{NumberOfBytes: n})
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(a.Plaintext, b.Plaintext) {
				t.Errorf("two calls returned the same %d bytes", n)
			}
			if bytes.Equal(a.Plaintext, make([]byte, n)) {
				t.Errorf("%d zero bytes", n)
			}
		})
	}
	// One byte: among 64 calls, not all alike (false failure 2^-504).
	seen := map[byte]bool{}
	for range 64 {
		out, err := k.GenerateRandom(t.Context(), &kms.GenerateRandomInput{NumberOfBytes: 1})
		if err != nil {
			t.Fatal(err)
		}
		seen[out.Plaintext[0]] = true
	}
	if len(seen) < 2 {
		t.Errorf("64 one-byte calls all returned %v", seen)
	}
}

func TestGenerateRandomErrors(t *testing.T) {
	k, _ := kmstest.New(t)
	recipient := &kms.RecipientInfo{
		KeyEncryptionAlgorithm: kms.KeyEncryptionMechanismRsaesOaepSha256,
		AttestationDocument:    []byte("attestation"),
	}
	tests := []struct {
		name    string
		in      *kms.GenerateRandomInput
		want    kms.Code
		msg     string // exact message
		contain string // or: a substring, where AWS's text is not known
	}{
		// Real AWS (LocalStack snapshot): absent NumberOfBytes.
		{"NumberOfBytes absent", &kms.GenerateRandomInput{}, kms.ErrValidation, "NumberOfBytes is required.", ""},
		{"nil input", nil, kms.ErrValidation, "NumberOfBytes is required.", ""},
		{"NumberOfBytes 1025", &kms.GenerateRandomInput{NumberOfBytes: 1025}, kms.ErrValidation,
			"1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024", ""},
		{"NumberOfBytes negative", &kms.GenerateRandomInput{NumberOfBytes: -1}, kms.ErrValidation,
			"1 validation error detected: Value '-1' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1", ""},
		{"NumberOfBytes very large", &kms.GenerateRandomInput{NumberOfBytes: 1 << 30}, kms.ErrValidation,
			"1 validation error detected: Value '1073741824' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024", ""},
		{"CustomKeyStoreId", &kms.GenerateRandomInput{NumberOfBytes: 16, CustomKeyStoreId: "cks-1234567890abcdef0"}, kms.ErrCustomKeyStoreNotFound,
			"", "cks-1234567890abcdef0"},
		{"CustomKeyStoreId longer than 64", &kms.GenerateRandomInput{NumberOfBytes: 16, CustomKeyStoreId: "cks-" + strings.Repeat("0", 61)}, kms.ErrValidation,
			"", "at 'customKeyStoreId' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"Recipient", &kms.GenerateRandomInput{NumberOfBytes: 16, Recipient: recipient}, kms.ErrValidation,
			"", "Recipient"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.GenerateRandom(t.Context(), tc.in)
			if out != nil {
				t.Errorf("output %+v with an error", out)
			}
			if tc.msg != "" {
				atWantErr(t, err, tc.want, tc.msg)
			} else {
				atWantErrContains(t, err, tc.want, tc.contain)
			}
		})
	}
}
