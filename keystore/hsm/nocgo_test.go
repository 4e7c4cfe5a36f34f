//go:build !cgo

package hsm

import (
	"errors"
	"strings"
	"testing"
)

// TestOpenWithoutCgo: a program built without cgo still builds and runs;
// opening a token fails with ErrModule and says why, so a custom key store
// on it fails to connect (CLUSTER_NOT_FOUND) instead of the build failing.
func TestOpenWithoutCgo(t *testing.T) {
	tok, err := Open(Config{Module: "/usr/lib/softhsm/libsofthsm2.so", TokenLabel: "t", PIN: "1234"})
	if tok != nil || !errors.Is(err, ErrModule) || !strings.Contains(err.Error(), "cgo") {
		t.Fatalf("Open = %v, %v; want ErrModule naming cgo", tok, err)
	}
	if code := ConnectionErrorCode(err); code != "CLUSTER_NOT_FOUND" {
		t.Fatalf("connection error code %q", code)
	}
}
