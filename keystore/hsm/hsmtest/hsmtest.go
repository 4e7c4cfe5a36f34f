// Package hsmtest gives tests a fresh SoftHSM2 token: a token directory in
// t.TempDir(), a SoftHSM2 configuration naming it (SOFTHSM2_CONF, set for
// the test), and one token initialised there by softhsm2-util. Tests that
// use it skip, saying why, when SoftHSM2 is not installed (Debian package
// softhsm2; scripts/test.sh installs it).
package hsmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Module paths of libsofthsm2.so, Debian's first.
var modulePaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/usr/lib64/pkcs11/libsofthsm2.so",
}

// The PINs of every token Token makes.
const (
	SOPIN   = "5432109876"
	UserPIN = "1234567890"
)

// Softhsm is a SoftHSM2 installation configured for one test.
type Softhsm struct {
	Module   string // path of libsofthsm2.so
	TokenDir string // the directories.tokendir of the configuration
	Conf     string // the configuration file, also in SOFTHSM2_CONF
}

// Token is a freshly initialised token.
type Token struct {
	*Softhsm
	// Label is the token's label, as a PKCS11Cluster's TokenLabel names it.
	Label string
	PIN   string // the user PIN
}

// Module returns the path of libsofthsm2.so, or "" when SoftHSM2 is not
// installed.
func Module() string {
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		return ""
	}
	for _, p := range modulePaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// New configures SoftHSM2 for the test with an empty token directory in
// t.TempDir() and points SOFTHSM2_CONF at it (so the test cannot be
// parallel). The module reads the configuration when initialised, so a
// module still open from an earlier test keeps the earlier directory:
// close every hsm.Token a test opens. It skips the test when SoftHSM2 is
// missing.
func New(t testing.TB) *Softhsm {
	t.Helper()
	if !cgoEnabled {
		t.Skip("PKCS#11 needs cgo and this test binary was built with CGO_ENABLED=0: skipping the PKCS#11 test")
	}
	mod := Module()
	if mod == "" {
		t.Skip("SoftHSM2 is not installed (softhsm2-util and libsofthsm2.so; Debian package softhsm2): skipping the PKCS#11 test")
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	return &Softhsm{Module: mod, TokenDir: tokens, Conf: conf}
}

// InitToken initialises a new token with the label in the first free slot,
// with SOPIN and UserPIN.
func (s *Softhsm) InitToken(t testing.TB, label string) *Token {
	t.Helper()
	cmd := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SOPIN, "--pin", UserPIN)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+s.Conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	return &Token{Softhsm: s, Label: label, PIN: UserPIN}
}

// NewToken is New followed by InitToken: a fresh token in a fresh
// directory.
func NewToken(t testing.TB, label string) *Token {
	t.Helper()
	return New(t).InitToken(t, label)
}
