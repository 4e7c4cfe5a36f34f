package file_test

import (
	"context"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/file"
	"github.com/embedkms/kms/internal/crashtest"
)

var crashStores = map[string]crashtest.Opener{
	"file": func(dir string) (backend.Store, error) { return file.Open(context.Background(), dir, file.Options{}) },
}

// TestHelperCrashChild is the child process of TestKMSCrashRecovery.
func TestHelperCrashChild(t *testing.T) { crashtest.Child(t, crashStores) }

// TestKMSCrashRecovery kills a process running KMS operations (CreateKey,
// Encrypt, CreateAlias, ScheduleKeyDeletion) on a file store with SIGKILL
// at random moments: every acknowledged key, ciphertext and alias
// survives, and the store opens clean.
func TestKMSCrashRecovery(t *testing.T) { crashtest.Run(t, "file", crashStores) }

// TestRewrapCrashRecovery kills a process re-wrapping a file store from
// root key to root key with SIGKILL at random moments: the store always
// opens under exactly one root key, the old or the new, with every key.
func TestRewrapCrashRecovery(t *testing.T) { crashtest.RunRewrap(t, "file", crashStores) }
