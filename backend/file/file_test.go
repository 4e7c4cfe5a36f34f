package file_test

import (
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/backendtest"
	"github.com/embedkms/kms/backend/file"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Store {
		s, err := file.Open(t.Context(), t.TempDir(), file.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
