//go:build unix

package badger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is the file in the store's directory that Open locks. Badger
// locks the directory too, but its error does not wrap the cause, so a
// lock of our own gives a second opener ErrLocked before Badger is asked.
const lockFile = "embedkms.lock"

// dirLock is an exclusive flock(2) on lockFile. The kernel releases it when
// the process dies, so a crash leaves no stale lock; flock locks belong to
// an open file, so a second Open in the same process is refused as well.
type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("badger: open %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("badger: open %s: %w", dir, ErrLocked)
		}
		return nil, fmt.Errorf("badger: lock %s: %w", dir, err)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() {
	// Closing the file releases the lock; the file itself stays.
	l.f.Close()
}
