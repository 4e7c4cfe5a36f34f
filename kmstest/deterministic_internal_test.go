package kmstest

import (
	"bytes"
	"testing"

	"github.com/embedkms/kms"
)

// The RSA cache hands out copies: a caller that wipes the material it got
// (as one should wipe key material) leaves the next caller's intact.
func TestDeterministicRSACacheCopies(t *testing.T) {
	var want []byte
	for i := range 3 { // made, then twice from the cache
		m, err := deterministicMaterial("cache copies", kms.KeySpecRsa2048)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			want = bytes.Clone(m)
		}
		if !bytes.Equal(m, want) {
			t.Fatalf("call %d: the material changed when an earlier call's was wiped", i+1)
		}
		clear(m)
	}
}
