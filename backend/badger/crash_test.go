package badger_test

import (
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/badger"
	"github.com/embedkms/kms/internal/crashtest"
)

var crashStores = map[string]crashtest.Opener{
	"badger": func(dir string) (backend.Store, error) { return badger.Open(dir) },
}

// TestHelperCrashChild is the child process of TestCrashRecovery.
func TestHelperCrashChild(t *testing.T) { crashtest.Child(t, crashStores) }

// TestCrashRecovery kills a process working on a badger store with
// SIGKILL at random moments: every acknowledged result survives.
func TestCrashRecovery(t *testing.T) { crashtest.Run(t, "badger", crashStores) }
