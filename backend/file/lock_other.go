//go:build !unix

package file

import (
	"errors"
	"io"
)

// lockFile is not available without flock(2): the store refuses to open
// rather than risk two writers on one log.
func lockFile(name string) (io.Closer, error) {
	return nil, errors.New("file: exclusive file locks are not supported on this platform")
}
