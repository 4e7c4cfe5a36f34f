// Package file is a durable backend.Store kept in one directory, with no
// database dependency: for offline tools and small deployments.
//
// The directory holds an append-only log of committed transactions
// (data.log) and a lock file (LOCK). Each Update that writes anything
// appends one checksummed record holding all its sets and deletes and
// fsyncs the log before it returns, so an acknowledged Update survives a
// crash or power loss, and a crash leaves every transaction wholly present
// or wholly absent. FORMAT.md describes the format byte by byte.
//
// Memory: the store keeps every key, in order, with the file offset,
// length and checksum of its latest value; values stay on disk and are read
// with ReadAt when a transaction asks for them, and checked against their
// checksum each time. Opening replays the log record by record without
// holding it in memory.
//
// Guarantees, beyond those of package backend:
//
//   - Durability: Update returns nil only after its record is fsync'd.
//   - Crash recovery: opening a log whose tail is a partial record or
//     fails its checksum (a write cut short by a crash) truncates the tail
//     away; such a record was never acknowledged. A damaged record
//     followed by an intact one is not a crash but corruption: Open
//     refuses the log with an error wrapping backend.ErrCorrupt and never
//     drops acknowledged data.
//   - Compaction rewrites the live data to a new file, fsyncs it, renames
//     it over the log and fsyncs the directory, so a crash at any point
//     leaves either the old log or the new one. It runs after an Update
//     when dead bytes exceed Options.CompactRatio of the log, and on
//     demand with Compact.
//   - Exclusion: one Store at a time per directory. A second Open, in this
//     process or another, fails at once with an error naming the directory
//     and wrapping ErrLocked (flock(2) on LOCK, released by the kernel if
//     the process dies).
//   - Isolation: Update runs under an exclusive lock and View under a
//     shared one, so transactions are serializable.
//   - Failure: if writing or syncing the log fails, the outcome of that
//     Update is unknown (it returns the error; after a restart it is either
//     wholly present or absent) and every later Update fails: the store
//     must be closed and reopened.
package file

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/internal/overlay"
)

// File names inside the directory.
const (
	logName  = "data.log"
	tmpName  = "data.log.tmp" // a new log being written (creation, compaction)
	lockName = "LOCK"
)

// ErrLocked is wrapped by the error Open returns when another Store holds
// the directory.
var ErrLocked = errors.New("file: directory is locked by another store")

var errCorrupt = backend.ErrCorrupt

// Options configure a Store. The zero value is a working configuration.
type Options struct {
	// CompactRatio is the fraction of the log that dead bytes (overwritten
	// or deleted values) must exceed for an Update to compact it.
	// Default 0.5; a negative value turns automatic compaction off.
	CompactRatio float64
	// CompactMinSize is the log size below which Updates never compact.
	// Default 1 MiB.
	CompactMinSize int64
}

// Store is a durable backend.Store in one directory. It is safe for
// concurrent use.
type Store struct {
	dir  string
	fs   fsys
	opts Options

	mu     sync.RWMutex
	closed bool
	failed error // set when a write to the log failed; Updates then refuse
	lock   io.Closer
	f      fileHandle
	size   int64    // bytes of the log, all of them acknowledged records
	live   int64    // encoded bytes of the live entries
	keys   []string // sorted
	index  map[string]loc
}

// loc is where the latest value of a key lies in the log.
type loc struct {
	off int64
	n   uint32
	crc uint32
}

var _ backend.Store = (*Store)(nil)

// Open opens the store in dir, creating dir and an empty store if needed.
// It replays the log, truncating a torn tail; ctx bounds the replay.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	return open(ctx, osFS{}, dir, opts)
}

func open(ctx context.Context, fs fsys, dir string, opts Options) (*Store, error) {
	if opts.CompactRatio == 0 {
		opts.CompactRatio = 0.5
	}
	if opts.CompactMinSize == 0 {
		opts.CompactMinSize = 1 << 20
	}
	s := &Store{dir: dir, fs: fs, opts: opts, index: make(map[string]loc)}
	lock, err := fs.Lock(filepath.Join(dir, lockName))
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("file: %s is in use by another store (flock on %s): %w", dir, lockName, err)
		}
		return nil, fmt.Errorf("file: locking %s: %w", dir, err)
	}
	s.lock = lock
	if err := s.load(ctx); err != nil {
		if s.f != nil {
			s.f.Close()
		}
		lock.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) path(name string) string { return filepath.Join(s.dir, name) }

// load opens or creates the log and replays it into the index.
func (s *Store) load(ctx context.Context) error {
	// A leftover temporary file is an unfinished creation or compaction;
	// the log beside it (or its absence) is authoritative.
	if err := s.fs.Remove(s.path(tmpName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("file: %w", err)
	}
	f, err := s.fs.OpenFile(s.path(logName), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		if f, err = s.writeNewLog(fileHeader()); err != nil {
			return err
		}
		s.f, s.size = f, headerSize
		return nil
	}
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	s.f = f
	size, err := f.Size()
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	h := make([]byte, headerSize)
	if _, err := f.ReadAt(h, 0); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("file: %w", err)
	}
	if err := checkHeader(s.path(logName), h); err != nil {
		return err
	}
	end, err := s.replay(ctx, size)
	if err != nil {
		return err
	}
	if end < size {
		// A torn tail: a record whose write a crash cut short.
		if err := f.Truncate(end); err != nil {
			return fmt.Errorf("file: truncating the torn tail of %s: %w", s.path(logName), err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("file: %w", err)
		}
	}
	s.size = end
	s.keys = make([]string, 0, len(s.index))
	for k := range s.index {
		s.keys = append(s.keys, k)
	}
	sort.Strings(s.keys)
	return nil
}

// replay applies the records of the log to the index and returns where
// the intact records end.
func (s *Store) replay(ctx context.Context, size int64) (int64, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, headerSize, size-headerSize), 1<<20)
	off := int64(headerSize)
	hdr := make([]byte, recHeaderSize)
	var body []byte
	for n := 0; off < size; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		ok := false
		var l int
		if _, err := io.ReadFull(r, hdr); err == nil {
			var sum uint32
			if l, sum, ok = parseRecHeader(hdr); ok && int64(l) <= size-off-recHeaderSize {
				body = slices.Grow(body[:0], l)[:l]
				if _, err := io.ReadFull(r, body); err != nil {
					return 0, fmt.Errorf("file: reading %s: %w", s.path(logName), err)
				}
				ok = crc(body) == sum
			} else {
				ok = false
			}
		} else if !errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, fmt.Errorf("file: reading %s: %w", s.path(logName), err)
		}
		if !ok {
			intact, err := s.intactRecordAfter(off+1, size)
			if err != nil {
				return 0, err
			}
			if intact >= 0 {
				return 0, fmt.Errorf("file: %s: the record at offset %d is damaged but an intact record follows at offset %d: %w", s.path(logName), off, intact, errCorrupt)
			}
			return off, nil
		}
		bodyOff := off + recHeaderSize
		err := decodeBody(body, func(o op) {
			k := string(o.key)
			if old, ok := s.index[k]; ok {
				s.live -= liveCost(k, old.n)
				delete(s.index, k)
			}
			if !o.del {
				s.index[k] = loc{off: bodyOff + int64(o.valOff), n: uint32(len(o.val)), crc: crc(o.val)}
				s.live += liveCost(k, uint32(len(o.val)))
			}
		})
		if err != nil {
			return 0, fmt.Errorf("file: %s: the record at offset %d: %w: %w", s.path(logName), off, err, errCorrupt)
		}
		off = bodyOff + int64(l)
	}
	return off, nil
}

// intactRecordAfter returns the offset of the first intact record (header
// and body checksums correct) starting at or after from, or -1.
func (s *Store) intactRecordAfter(from, size int64) (int64, error) {
	const window = 1 << 20
	buf := make([]byte, window+recHeaderSize)
	for base := from; base+recHeaderSize <= size; base += window {
		n, err := s.f.ReadAt(buf[:min(int64(len(buf)), size-base)], base)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("file: reading %s: %w", s.path(logName), err)
		}
		for i := 0; i+recHeaderSize <= n && i < window; i++ {
			l, sum, ok := parseRecHeader(buf[i:])
			at := base + int64(i)
			if !ok || int64(l) > size-at-recHeaderSize {
				continue
			}
			body := make([]byte, l)
			if _, err := s.f.ReadAt(body, at+recHeaderSize); err != nil && !errors.Is(err, io.EOF) {
				return 0, fmt.Errorf("file: reading %s: %w", s.path(logName), err)
			}
			if crc(body) == sum {
				return at, nil
			}
		}
	}
	return -1, nil
}

// writeNewLog writes data as a complete new log: to a temporary file,
// fsync'd, renamed over the log, and the directory fsync'd. It returns the
// new log open for reading and appending. An error before the rename
// leaves the old log in place; an error after it is returned wrapped in
// errAfterRename, since the old log or the new one may then be on disk.
func (s *Store) writeNewLog(data ...[]byte) (fileHandle, error) {
	tmp := s.path(tmpName)
	f, err := s.fs.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	fail := func(err error) (fileHandle, error) {
		f.Close()
		s.fs.Remove(tmp)
		return nil, fmt.Errorf("file: writing %s: %w", tmp, err)
	}
	var off int64
	for _, d := range data {
		if _, err := f.WriteAt(d, off); err != nil {
			return fail(err)
		}
		off += int64(len(d))
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := s.fs.Rename(tmp, s.path(logName)); err != nil {
		return fail(err)
	}
	if err := s.fs.SyncDir(s.dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("file: syncing %s: %w: %w", s.dir, errAfterRename, err)
	}
	return f, nil
}

// errAfterRename marks a failure after a new log was renamed into place.
var errAfterRename = errors.New("the new log is in place but may not be durable")

// View implements backend.Store.
func (s *Store) View(ctx context.Context, fn func(backend.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return backend.ErrClosed
	}
	t := overlay.NewView(committed{s})
	defer t.End()
	return fn(t)
}

// Update implements backend.Store. It returns nil only once the
// transaction's record is fsync'd.
func (s *Store) Update(ctx context.Context, fn func(backend.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	if s.failed != nil {
		return s.failedErr()
	}
	t := overlay.NewUpdate(committed{s})
	defer t.End()
	if err := fn(t); err != nil {
		return err
	}
	if len(t.Writes) == 0 {
		return nil
	}
	if err := s.commit(t.Writes); err != nil {
		return err
	}
	if s.opts.CompactRatio >= 0 && s.size >= s.opts.CompactMinSize &&
		float64(s.size-headerSize-s.live) > s.opts.CompactRatio*float64(s.size) {
		// The Update is durable whatever happens here: a failure before
		// the rename leaves the old log, which is retried next time; one
		// after it has set s.failed.
		_ = s.compact()
	}
	return nil
}

func (s *Store) failedErr() error {
	return fmt.Errorf("file: %s: an earlier write to the log failed; close and reopen the store: %w", s.dir, s.failed)
}

// commit appends one record holding writes, fsyncs it and applies it to
// the index.
func (s *Store) commit(writes map[string]overlay.Write) error {
	keys := make([]string, 0, len(writes))
	for k := range writes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf, start := beginRecord(nil)
	offs := make([]int, len(keys))
	for i, k := range keys {
		w := writes[k]
		buf, offs[i] = appendOp(buf, []byte(k), w.Val, w.Deleted)
	}
	if len(buf)-recHeaderSize > maxBody {
		return fmt.Errorf("file: a transaction of %d bytes exceeds the limit of %d", len(buf)-recHeaderSize, maxBody)
	}
	endRecord(buf, start)
	if _, err := s.f.WriteAt(buf, s.size); err != nil {
		s.failed = err
		return fmt.Errorf("file: appending to %s: %w", s.path(logName), err)
	}
	if err := s.f.Sync(); err != nil {
		s.failed = err
		return fmt.Errorf("file: syncing %s: %w", s.path(logName), err)
	}
	for i, k := range keys {
		w := writes[k]
		old, exists := s.index[k]
		if exists {
			s.live -= liveCost(k, old.n)
		}
		switch {
		case w.Deleted && exists:
			delete(s.index, k)
			j := sort.SearchStrings(s.keys, k)
			s.keys = slices.Delete(s.keys, j, j+1)
		case !w.Deleted:
			if !exists {
				j := sort.SearchStrings(s.keys, k)
				s.keys = slices.Insert(s.keys, j, k)
			}
			s.index[k] = loc{off: s.size + int64(offs[i]), n: uint32(len(w.Val)), crc: crc(w.Val)}
			s.live += liveCost(k, uint32(len(w.Val)))
		}
	}
	s.size += int64(len(buf))
	return nil
}

// liveCost is the encoded size of the set that holds key's n-byte value.
func liveCost(key string, n uint32) int64 {
	return int64(1 + uvarintLen(uint64(len(key))) + len(key) + uvarintLen(uint64(n)) + int(n))
}

// Compact rewrites the log to hold only the live data, atomically: a crash
// at any point leaves either the old log or the new one. It waits for
// running transactions and blocks new ones while it runs.
func (s *Store) Compact(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	if s.failed != nil {
		return s.failedErr()
	}
	return s.compact()
}

// compact writes the live entries as records of about chunk bytes each.
func (s *Store) compact() error {
	const chunk = 1 << 20
	newLocs := make([]loc, len(s.keys))
	var records [][]byte
	buf, start := beginRecord(fileHeader())
	base := int64(0) // file offset of buf[0]
	for i, k := range s.keys {
		old := s.index[k]
		val, err := s.read(k, old)
		if err != nil {
			return err
		}
		if len(buf)-start-recHeaderSize > 0 && len(buf)-start+opSize([]byte(k), val, false) > chunk {
			endRecord(buf, start)
			records = append(records, buf)
			base += int64(len(buf))
			buf, start = beginRecord(nil)
		}
		var voff int
		buf, voff = appendOp(buf, []byte(k), val, false)
		newLocs[i] = loc{off: base + int64(voff), n: old.n, crc: old.crc}
	}
	if len(buf)-start > recHeaderSize {
		endRecord(buf, start)
	} else {
		buf = buf[:start]
	}
	records = append(records, buf)
	f, err := s.writeNewLog(records...)
	if err != nil {
		if errors.Is(err, errAfterRename) {
			s.failed = err
		}
		return err
	}
	s.f.Close()
	s.f = f
	s.size = base + int64(len(buf))
	for i, k := range s.keys {
		s.index[k] = newLocs[i]
	}
	return nil
}

// read returns the value at l, checked against its checksum.
func (s *Store) read(key string, l loc) ([]byte, error) {
	v := make([]byte, l.n)
	if _, err := s.f.ReadAt(v, l.off); err != nil && !(errors.Is(err, io.EOF) && len(v) == 0) {
		return nil, fmt.Errorf("file: reading the value of %q: %w", key, err)
	}
	if crc(v) != l.crc {
		return nil, fmt.Errorf("file: %s: the value of %q at offset %d fails its checksum: %w", s.path(logName), key, l.off, errCorrupt)
	}
	return v, nil
}

// Close implements backend.Store. It waits for running transactions.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.ErrClosed
	}
	s.closed = true
	err := s.f.Close()
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	s.keys, s.index = nil, nil
	return err
}

// committed is the store's committed state, as a transaction reads it
// (under the store's lock): keys from the index, values from the log.
type committed struct{ s *Store }

func (c committed) SortedKeys() []string { return c.s.keys }

func (c committed) Value(k string) ([]byte, bool, error) {
	l, ok := c.s.index[k]
	if !ok {
		return nil, false, nil
	}
	v, err := c.s.read(k, l)
	return v, err == nil, err
}
