package file

import (
	"errors"
	"io"
	"maps"
	"os"
	"slices"
	"sync"
)

// errCrash is returned by every operation of a crashFS from its crash on.
var errCrash = errors.New("crashfs: crashed")

// crashFS is an in-memory fsys that can crash at its k-th mutating
// operation (a write, sync, truncate, create, rename or remove). What
// survives the crash is decided by reboot: in drop mode only what was
// fsync'd (file contents at their last Sync, directory entries at the
// last SyncDir); in tear mode everything written so far, with the
// crashing write cut at a byte boundary.
type crashFS struct {
	mu      sync.Mutex
	names   map[string]*inode // the directory as processes see it
	durable map[string]*inode // the directory as of the last SyncDir
	locks   map[string]bool
	ops     int // mutating operations so far
	crashAt int // the operation that crashes; -1: never
	tearAt  func(n int) int
	crashed bool
}

type inode struct{ data, synced []byte }

func newCrashFS() *crashFS {
	return &crashFS{names: map[string]*inode{}, durable: map[string]*inode{}, locks: map[string]bool{}, crashAt: -1}
}

// step counts a mutating operation and reports whether it must crash.
func (c *crashFS) step() (crash bool, err error) {
	if c.crashed {
		return false, errCrash
	}
	c.ops++
	if c.ops-1 == c.crashAt {
		c.crashed = true
		return true, errCrash
	}
	return false, nil
}

// reboot returns the file system a restart after the crash would find.
func (c *crashFS) reboot(tear bool) *crashFS {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := newCrashFS()
	from := c.durable
	if tear {
		from = c.names
	}
	copied := map[*inode]*inode{}
	for name, ino := range from {
		cp, ok := copied[ino]
		if !ok {
			d := ino.synced
			if tear {
				d = ino.data
			}
			cp = &inode{data: slices.Clone(d), synced: slices.Clone(d)}
			copied[ino] = cp
		}
		n.names[name], n.durable[name] = cp, cp
	}
	return n
}

// bytes returns the current contents of name, or nil.
func (c *crashFS) bytes(name string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ino := c.names[name]; ino != nil {
		return slices.Clone(ino.data)
	}
	return nil
}

func (c *crashFS) OpenFile(name string, flag int, perm os.FileMode) (fileHandle, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ino := c.names[name]
	if ino == nil && flag&os.O_CREATE == 0 {
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	if ino == nil || flag&os.O_TRUNC != 0 {
		if _, err := c.step(); err != nil {
			return nil, err
		}
		if ino == nil {
			ino = &inode{}
			c.names[name] = ino
		}
		ino.data = nil
	}
	return &memFile{fs: c, ino: ino}, nil
}

func (c *crashFS) Rename(oldname, newname string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.step(); err != nil {
		return err
	}
	ino := c.names[oldname]
	if ino == nil {
		return &os.PathError{Op: "rename", Path: oldname, Err: os.ErrNotExist}
	}
	delete(c.names, oldname)
	c.names[newname] = ino
	return nil
}

func (c *crashFS) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names[name] == nil {
		return &os.PathError{Op: "remove", Path: name, Err: os.ErrNotExist}
	}
	if _, err := c.step(); err != nil {
		return err
	}
	delete(c.names, name)
	return nil
}

func (c *crashFS) SyncDir(string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.step(); err != nil {
		return err
	}
	c.durable = maps.Clone(c.names)
	return nil
}

func (c *crashFS) Lock(name string) (io.Closer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.locks[name] {
		return nil, ErrLocked
	}
	c.locks[name] = true
	return closerFunc(func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.locks, name)
		return nil
	}), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

type memFile struct {
	fs  *crashFS
	ino *inode
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.fs.crashed {
		return 0, errCrash
	}
	if off >= int64(len(f.ino.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.ino.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	crash, err := f.fs.step()
	if err != nil && !crash {
		return 0, err
	}
	if crash {
		if f.fs.tearAt == nil {
			return 0, err
		}
		p = p[:f.fs.tearAt(len(p))]
	}
	if end := off + int64(len(p)); end > int64(len(f.ino.data)) {
		f.ino.data = append(f.ino.data, make([]byte, end-int64(len(f.ino.data)))...)
	}
	copy(f.ino.data[off:], p)
	return len(p), err
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if _, err := f.fs.step(); err != nil {
		return err
	}
	f.ino.synced = slices.Clone(f.ino.data)
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if _, err := f.fs.step(); err != nil {
		return err
	}
	if size < int64(len(f.ino.data)) {
		f.ino.data = f.ino.data[:size]
	}
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return int64(len(f.ino.data)), nil
}

func (f *memFile) Close() error { return nil }
