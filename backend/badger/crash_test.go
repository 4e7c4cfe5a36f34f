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

// TestRewrapCrashRecovery kills a process re-wrapping a badger store from
// root key to root key with SIGKILL at random moments: the store always
// opens under exactly one root key, the old or the new, with every key.
func TestRewrapCrashRecovery(t *testing.T) { crashtest.RunRewrap(t, "badger", crashStores) }
