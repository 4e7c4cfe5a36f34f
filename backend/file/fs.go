package file

import (
	"io"
	"os"
	"path/filepath"
)

// fsys is the small set of file-system operations the store uses. The
// store only ever reaches the disk through it, so tests can substitute a
// file system that loses unsynced writes or tears the last one, as a crash
// would (crash_test.go).
type fsys interface {
	// OpenFile opens name as os.OpenFile does.
	OpenFile(name string, flag int, perm os.FileMode) (fileHandle, error)
	// Rename renames oldname to newname, replacing newname.
	Rename(oldname, newname string) error
	// Remove removes name.
	Remove(name string) error
	// SyncDir makes the directory entries of dir durable.
	SyncDir(dir string) error
	// Lock takes an exclusive, non-blocking lock on the file name,
	// creating it if needed. It fails at once if the lock is held.
	Lock(name string) (io.Closer, error)
}

// fileHandle is an open file.
type fileHandle interface {
	io.ReaderAt
	io.WriterAt
	io.Closer
	Sync() error
	Truncate(size int64) error
	Size() (int64, error)
}

// osFS is the operating system's file system.
type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm os.FileMode) (fileHandle, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }
func (osFS) Remove(name string) error             { return os.Remove(name) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func (osFS) Lock(name string) (io.Closer, error) { return lockFile(name) }

type osFile struct{ *os.File }

func (f osFile) Size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
