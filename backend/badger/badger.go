// Package badger is a durable backend.Store on Badger
// (github.com/dgraph-io/badger/v4), an embedded LSM key-value store with a
// separate value log.
//
// Guarantees, beyond those every backend.Store gives:
//
//   - Durability: writes are synced to disk before Update returns (Badger's
//     SyncWrites), so an acknowledged Update survives a crash or power loss,
//     and an Update that did not return is kept whole or not at all.
//   - Exclusive use: one Store per directory. A second Open of the same
//     directory, from this process or another, fails at once with an error
//     that wraps ErrLocked and names the directory.
//   - Serializable transactions: Badger detects conflicts on the keys a
//     transaction read, and an Update that scanned conflicts with any
//     Update that committed since it began (so no insert can appear
//     unseen in a range it scanned). Update reruns a conflicting
//     transaction, alone, a bounded number of times before it returns
//     backend.ErrConflict.
//   - Bounded space: a background goroutine runs Badger's value-log garbage
//     collection every GC interval, so overwritten and deleted values do not
//     make the directory grow without bound.
//   - Quiet: Badger's log goes nowhere unless WithLogger routes it.
//
// Keys are stored behind a one-byte namespace so that every byte string,
// including the empty one and those beginning with Badger's reserved
// "!badger!", is a valid key.
package badger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/embedkms/kms/backend"
)

// ErrLocked is wrapped by the error Open returns when another Store, in
// this process or another, has the directory open.
var ErrLocked = errors.New("badger: directory is in use by another store")

// DefaultGCInterval is how often value-log garbage collection runs unless
// WithGCInterval says otherwise.
const DefaultGCInterval = 10 * time.Minute

// DefaultMaxRetries is how many times Update reruns a transaction that
// conflicted with a concurrent one before it returns backend.ErrConflict.
const DefaultMaxRetries = 4

// gcDiscardRatio is the share of a value-log file that must be garbage for
// the collector to rewrite it (Badger's recommended value).
const gcDiscardRatio = 0.5

// namespace prefixes every key written to Badger.
const namespace = 'u'

// Option configures Open.
type Option func(*config)

type config struct {
	gcInterval time.Duration
	maxRetries int
	logger     *slog.Logger
	tune       func(bdg.Options) bdg.Options
}

// WithGCInterval sets how often value-log garbage collection runs; zero or
// a negative d turns the background collection off.
func WithGCInterval(d time.Duration) Option { return func(c *config) { c.gcInterval = d } }

// WithMaxRetries sets how many times Update reruns a conflicting
// transaction before it returns backend.ErrConflict (at least 0).
func WithMaxRetries(n int) Option { return func(c *config) { c.maxRetries = max(n, 0) } }

// WithLogger routes Badger's log messages to l, at the matching levels.
// Without it they are discarded.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithBadgerOptions lets fn adjust the Badger options Open uses (sizes of
// memtables, caches and value-log files, for example). Open still sets the
// directory, SyncWrites and the logger after fn, so the guarantees above
// hold whatever fn does.
func WithBadgerOptions(fn func(bdg.Options) bdg.Options) Option {
	return func(c *config) { c.tune = fn }
}

// Store is a backend.Store on a Badger database. It is safe for concurrent
// use.
type Store struct {
	db   *bdg.DB
	dir  string
	lock *dirLock
	cfg  config

	// mu is held shared by every transaction and exclusively by Close,
	// which so waits for running transactions.
	mu     sync.RWMutex
	closed bool
	// writers is held shared by an attempt of Update and exclusively by
	// one that reruns after a conflict (see Update).
	writers sync.RWMutex
	// commitMu is held exclusively while an Update commits and shared
	// while one takes its snapshot; gen counts the commits that wrote.
	commitMu sync.RWMutex
	gen      uint64

	gcStop chan struct{}
	gcDone chan struct{}
}

var _ backend.Store = (*Store)(nil)

// Open opens the store in dir, creating the directory and the database if
// they do not exist. The caller must Close the Store.
func Open(dir string, opts ...Option) (*Store, error) {
	cfg := config{gcInterval: DefaultGCInterval, maxRetries: DefaultMaxRetries}
	for _, o := range opts {
		o(&cfg)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("badger: open %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	bo := bdg.DefaultOptions(dir).
		// Smaller than Badger's defaults (64 MiB memtables, a 256 MiB
		// block cache, 1 GiB value-log files), which suit a database
		// server more than a key store embedded in an application.
		WithMemTableSize(16 << 20).
		WithBlockCacheSize(32 << 20).
		WithValueLogFileSize(64 << 20)
	if cfg.tune != nil {
		bo = cfg.tune(bo)
	}
	bo = bo.WithDir(dir).WithValueDir(dir).WithSyncWrites(true).WithLogger(nil)
	if cfg.logger != nil {
		bo = bo.WithLogger(slogLogger{cfg.logger})
	}
	db, err := bdg.Open(bo)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("badger: open %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir, lock: lock, cfg: cfg}
	if cfg.gcInterval > 0 {
		s.gcStop, s.gcDone = make(chan struct{}), make(chan struct{})
		go s.gcEvery(cfg.gcInterval)
	}
	return s, nil
}

// Dir returns the directory the store was opened in.
func (s *Store) Dir() string { return s.dir }

// gcEvery runs value-log garbage collection every d until Close.
func (s *Store) gcEvery(d time.Duration) {
	defer close(s.gcDone)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-s.gcStop:
			return
		case <-t.C:
			s.runGC()
		}
	}
}

// runGC rewrites value-log files while at least half of one is garbage. It
// returns the number of files rewritten.
func (s *Store) runGC() int {
	n := 0
	for n < 1000 { // each round rewrites one file; the bound is a safety net
		select {
		case <-s.gcStop:
			return n
		default:
		}
		if err := s.db.RunValueLogGC(gcDiscardRatio); err != nil {
			// ErrNoRewrite (nothing worth rewriting) ends a pass;
			// other errors are retried at the next interval.
			return n
		}
		n++
	}
	return n
}

// begin takes the shared lock unless the store is closed.
func (s *Store) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return backend.ErrClosed
	}
	return nil
}

// View implements backend.Store. fn reads one consistent snapshot.
func (s *Store) View(ctx context.Context, fn func(backend.Txn) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	bt := s.db.NewTransaction(false)
	t := &txn{bt: bt}
	defer t.end()
	return fn(t)
}

// errPhantom ends an attempt of Update that scanned and, before it could
// commit, saw another Update commit. Badger detects conflicts on the keys a
// transaction read, not on keys inserted into a range it scanned, so such
// an attempt is treated as conflicting, conservatively.
var errPhantom = errors.New("badger: another transaction committed after this one scanned")

// Update implements backend.Store. It commits fn's writes durably (synced
// to disk) before it returns nil.
//
// Updates run concurrently; fn runs again, in a new transaction, when its
// attempt conflicted with a concurrent Update: another one committed a
// write of a key fn read, or committed anything after fn scanned. Update
// reruns fn up to WithMaxRetries times; the last rerun runs while no other
// Update runs, so it cannot conflict and a transaction that keeps losing to
// others is not starved. With WithMaxRetries(0) a conflict makes Update
// return an error wrapping backend.ErrConflict at once. Without concurrent
// Updates fn runs once.
func (s *Store) Update(ctx context.Context, fn func(backend.Txn) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	for conflicts := 0; ; {
		err := s.attempt(fn, conflicts > 0 && conflicts == s.cfg.maxRetries)
		if !errors.Is(err, bdg.ErrConflict) && !errors.Is(err, errPhantom) {
			return err
		}
		conflicts++
		if conflicts > s.cfg.maxRetries {
			return fmt.Errorf("badger: %d attempts conflicted: %w", conflicts, backend.ErrConflict)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// attempt runs fn once in a new read-write transaction and commits it;
// alone, if exclusive, with no other Update running.
func (s *Store) attempt(fn func(backend.Txn) error, exclusive bool) error {
	if exclusive {
		s.writers.Lock()
		defer s.writers.Unlock()
	} else {
		s.writers.RLock()
		defer s.writers.RUnlock()
	}
	// Commits hold commitMu, so the snapshot includes exactly the
	// commits counted in gen.
	s.commitMu.RLock()
	gen := s.gen
	bt := s.db.NewTransaction(true)
	s.commitMu.RUnlock()
	t := &txn{bt: bt, writable: true}
	defer t.end()
	err := fn(t)
	switch {
	case err != nil:
		return err
	case t.failed != nil:
		// fn went on after a write failed; committing the rest would
		// break atomicity.
		return t.failed
	}
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if t.scanned && s.gen != gen {
		return errPhantom
	}
	if err := bt.Commit(); err != nil {
		if errors.Is(err, bdg.ErrConflict) {
			return err
		}
		return fmt.Errorf("badger: commit: %w", err)
	}
	if t.wrote {
		s.gen++
	}
	return nil
}

// Close implements backend.Store. It waits for running transactions, stops
// garbage collection and closes the database, which syncs it.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return backend.ErrClosed
	}
	s.closed = true
	s.mu.Unlock()
	if s.gcStop != nil {
		close(s.gcStop)
		<-s.gcDone
	}
	err := s.db.Close()
	s.lock.release()
	if err != nil {
		return fmt.Errorf("badger: close %s: %w", s.dir, err)
	}
	return nil
}

// txn is a backend.Txn over a Badger transaction.
type txn struct {
	bt       *bdg.Txn
	writable bool
	scanned  bool  // Scan was called (in an Update: see errPhantom)
	wrote    bool  // Set or Delete was called
	done     bool  // the transaction ended: every method fails
	failed   error // the first write that failed
}

func (t *txn) end() {
	t.done = true
	t.bt.Discard()
}

func (t *txn) check() error {
	if t.done {
		return backend.ErrClosed
	}
	return nil
}

func internalKey(key []byte) []byte {
	k := make([]byte, 1+len(key))
	k[0] = namespace
	copy(k[1:], key)
	return k
}

func (t *txn) Get(key []byte) ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	item, err := t.bt.Get(internalKey(key))
	if errors.Is(err, bdg.ErrKeyNotFound) {
		return nil, backend.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("badger: get %q: %w", key, err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("badger: get %q: %w", key, err)
	}
	return v, nil
}

// write runs op, a Set or Delete of key, and remembers its failure so that
// the transaction cannot commit without it.
func (t *txn) write(what string, key []byte, op func() error) error {
	if err := t.check(); err != nil {
		return err
	}
	if !t.writable {
		return backend.ErrReadOnly
	}
	t.wrote = true
	if err := op(); err != nil {
		err = fmt.Errorf("badger: %s %q: %w", what, key, err)
		if t.failed == nil {
			t.failed = err
		}
		return err
	}
	return nil
}

func (t *txn) Set(key, value []byte) error {
	// Badger keeps the slices until the transaction ends: both are copies.
	return t.write("set", key, func() error { return t.bt.Set(internalKey(key), bytes.Clone(value)) })
}

func (t *txn) Delete(key []byte) error {
	return t.write("delete", key, func() error { return t.bt.Delete(internalKey(key)) })
}

func (t *txn) Scan(prefix, start []byte, fn func(key, value []byte) bool) error {
	if err := t.check(); err != nil {
		return err
	}
	t.scanned = true
	from := prefix
	if bytes.Compare(start, prefix) > 0 {
		from = start
	}
	opts := bdg.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = internalKey(prefix)
	it := t.bt.NewIterator(opts)
	defer it.Close()
	for it.Seek(internalKey(from)); it.Valid(); it.Next() {
		item := it.Item()
		v, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("badger: scan %q: %w", item.Key()[1:], err)
		}
		if !fn(item.KeyCopy(nil)[1:], v) {
			return nil
		}
	}
	return nil
}

// slogLogger routes Badger's log to a slog.Logger.
type slogLogger struct{ l *slog.Logger }

func (l slogLogger) log(level slog.Level, format string, args ...any) {
	l.l.Log(context.Background(), level, fmt.Sprintf(format, args...), "store", "badger")
}

func (l slogLogger) Errorf(f string, a ...any)   { l.log(slog.LevelError, f, a...) }
func (l slogLogger) Warningf(f string, a ...any) { l.log(slog.LevelWarn, f, a...) }
func (l slogLogger) Infof(f string, a ...any)    { l.log(slog.LevelInfo, f, a...) }
func (l slogLogger) Debugf(f string, a ...any)   { l.log(slog.LevelDebug, f, a...) }
