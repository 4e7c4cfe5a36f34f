package postgres_test

import (
	"strings"
	"testing"

	"github.com/embedkms/kms/backend/postgres"
)

// TestOpenErrorHidesPassword: a DSN that cannot be parsed is refused with
// an error that does not contain its password, whichever way the password
// is written (libpq allows spaces around "=" in key=value strings, which
// pgx's best-effort redaction misses), and says what is wrong.
func TestOpenErrorHidesPassword(t *testing.T) {
	const pw = "s3cretpw"
	for _, c := range []struct{ dsn, want string }{
		{"host=127.0.0.1 password = " + pw + " port=notaport", "invalid port"},
		{"host=127.0.0.1 password= " + pw + " port=notaport", "invalid port"},
		{"host=127.0.0.1 password=" + pw + " port=notaport", "invalid port"},
		{"host=127.0.0.1 password='" + pw + " x' port=notaport", "invalid port"},
		{"postgres://u:" + pw + "@127.0.0.1:notaport/db", "invalid port"},
		{"postgres://u:" + pw + "@127.0.0.1:1/db?sslmode=bogus", "sslmode is invalid"},
		{"postgres://u:" + pw + " x@127.0.0.1:1/db", "spaces found in password"},
	} {
		_, err := postgres.Open(t.Context(), postgres.Options{DSN: c.dsn})
		if err == nil {
			t.Fatalf("Open(%q): no error", c.dsn)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("Open(%q): error shows the password: %v", c.dsn, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q): error %q does not say %q", c.dsn, err, c.want)
		}
	}
}
