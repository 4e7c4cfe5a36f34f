//go:build !unix

package badger

// dirLock is empty where flock(2) is missing: Badger's own directory lock
// still refuses a second opener, with Badger's error.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() {}
