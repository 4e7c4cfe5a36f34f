package postgres_test

import (
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/backendtest"
	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a store on dsn, closed at the end of the test unless the test
// closed it.
func open(t testing.TB, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Store {
		s, err := postgres.Open(t.Context(), postgres.Options{DSN: pgtest.DSN(t)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
