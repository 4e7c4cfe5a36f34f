//go:build unix

package file

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) lock on name without waiting. The
// lock belongs to the open file description, so a second Open in the same
// process is refused just as another process is; the kernel releases it
// when the process dies.
func lockFile(name string) (io.Closer, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, err
	}
	return f, nil // closing the file releases the lock
}
