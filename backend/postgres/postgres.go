// Package postgres is a backend.Store and backend.Watcher on PostgreSQL
// (through github.com/jackc/pgx/v5), for a fleet of processes on many
// machines that share one set of keys.
//
// # Storage
//
// Open creates, or migrates, four tables whose names begin with
// Options.Table (default "embedkms"):
//
//   - <table>_kv (k bytea PRIMARY KEY, v bytea, rev bigint): the store's
//     keys and values. bytea compares bytewise, which is the key order of
//     package backend, so Scan is an index range scan. rev is the revision
//     of the transaction that last wrote the row.
//   - <table>_clock: one row holding the revision of the last transaction
//     that wrote.
//   - <table>_changes (rev, keys, at): the change log, one row per
//     committed transaction that wrote, listing the keys it wrote (NULL when
//     it wrote more than 1,024 of them).
//   - <table>_schema: the schema version. Migrations run at Open, under an
//     advisory lock, so processes that open the same database at once do
//     not race; opening is idempotent.
//
// Update runs in a SERIALIZABLE transaction and View in a REPEATABLE READ,
// READ ONLY one (a snapshot). An Update whose transaction fails with a
// serialization failure (SQLSTATE 40001) or a deadlock (40P01) runs again,
// up to Options.MaxRetries times; every rerun first takes an exclusive
// advisory lock that keeps other writers (of the same table prefix) from
// committing meanwhile, so it cannot lose again to them and a transaction
// is not starved. When the
// reruns are spent Update returns an error wrapping backend.ErrConflict.
// Scan reads 256 rows per query, each query starting after the last key
// it returned, so a page costs the same however many keys are stored.
// Writes are buffered in the transaction and sent in one statement before
// a Scan and at commit.
//
// # Coherence
//
// Every Update that wrote increments the clock row and inserts its change
// log row with that revision in its own transaction, and calls pg_notify
// (which PostgreSQL delivers at commit). Revisions are in commit order and
// without gaps: two transactions that both increment the clock row cannot
// both commit unless the second took its snapshot after the first
// committed (under SERIALIZABLE, and REPEATABLE READ too, updating a row
// that a transaction committed after one's snapshot fails with 40001), so
// a higher revision commits later, and a rolled back transaction's
// increment is rolled back with it. A snapshot that sees revision r
// therefore sees every revision below r.
//
// Each Store has a listener goroutine on a connection of its own. It
// LISTENs, and on every notification, or every Staleness/4 without one, it
// records the time T, then in one snapshot reads the clock row and the
// change log rows after the last revision it reported, calls every Watch
// function with their keys in revision order, and only then sets syncedAt
// to T. Fresh reports now - syncedAt < Staleness. When its connection is
// lost it reconnects (every Staleness/4 until it succeeds) and catches up
// the same way; if the change log no longer holds every revision it
// missed (rows are pruned 30 times Staleness after their commit), it
// reports nil ("anything may have changed"). A connection that stops
// answering without being closed (a firewall dropped it) counts as lost:
// a connect, catch-up or prune that takes longer than Staleness (at least
// a second) gives it up. A catch-up that fails on a new connection, or a
// prune that fails, is retried Staleness/4 or one pruning period later,
// not at once. Reports include this process's own commits.
//
// The bound. Let a transaction commit at time t0: the moment new
// snapshots begin to see it, before the writer learns that it committed.
// Times are those of the reading process's monotonic clock; no two
// machines' clocks are compared. A catch-up
// that recorded T > t0 took its snapshot after T, so after t0, and saw the
// transaction; syncedAt is set to T only after its keys were reported. So
// while syncedAt > t0 the change has been reported, and while syncedAt <=
// t0, Fresh is true only before syncedAt + Staleness <= t0 + Staleness. A
// handle that drops what Watch reports and reads the store whenever Fresh
// is false therefore never uses a cached record later than Staleness after
// another process changed it, whatever happens to the listener's
// connection. Fresh costs an atomic load and a clock read; a process
// whose listener is cut off for longer than Staleness reads the store for
// every use until it has caught up again.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/embedkms/kms/backend"
)

// DefaultStaleness is the coherence bound Options.Staleness defaults to.
const DefaultStaleness = 2 * time.Second

// DefaultTable is the table name prefix Options.Table defaults to.
const DefaultTable = "embedkms"

// DefaultMaxRetries is how many times Update reruns a transaction that
// failed with a serialization failure or deadlock unless
// Options.MaxRetries says otherwise.
const DefaultMaxRetries = 4

// scanBatch is how many rows one query of Scan reads.
var scanBatch = 256

// maxLoggedKeys is the most keys a change log row lists; a transaction
// that wrote more logs NULL (anything may have changed).
const maxLoggedKeys = 1024

// minListenTimeout is the least time the listener gives a connect, a
// catch-up or a prune (see listen); Staleness if longer.
const minListenTimeout = time.Second

// pruneAfter is how many Staleness periods a change log row is kept.
const pruneAfter = 30

// schemaVersion is the version of the schema this package writes.
const schemaVersion = 1

var tableRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,40}$`)

// Options configures Open.
type Options struct {
	// DSN is the PostgreSQL connection string, a URL
	// (postgres://user:pass@host:5432/db?sslmode=verify-full) or
	// key=value pairs, as libpq and pgx accept it.
	DSN string
	// Table is the prefix of the store's table names: lower-case letters,
	// digits and underscores, beginning with a letter or underscore, at
	// most 41 characters. Default DefaultTable. Stores with different
	// prefixes in one database are independent.
	Table string
	// Staleness is the coherence bound: a change another process commits
	// is reported to Watch, or Fresh is false, no later than Staleness
	// after its commit (see the package documentation). Default
	// DefaultStaleness; the listener polls the change log every
	// Staleness/4, so a smaller bound costs more queries.
	Staleness time.Duration
	// MaxRetries is how many times Update reruns a transaction that
	// failed with a serialization failure or a deadlock before it returns
	// an error wrapping backend.ErrConflict. 0 means DefaultMaxRetries;
	// a negative value means none.
	MaxRetries int
	// MaxConns is the most connections the store's pool opens (the
	// listener has one more of its own). 0 means pgxpool's default.
	MaxConns int32
}

// Store is a backend.Store and backend.Watcher on a PostgreSQL database.
// It is safe for concurrent use.
type Store struct {
	pool       *pgxpool.Pool
	connCfg    *pgx.ConnConfig
	t          tables
	staleness  time.Duration
	maxRetries int
	writeLock  int64 // advisory lock key of writers (see Update)

	// mu is held shared by every transaction and exclusively by Close,
	// which so waits for running transactions.
	mu     sync.RWMutex
	closed bool

	// Listener state.
	epoch    time.Time    // syncedAt is measured from it (monotonic)
	syncedAt atomic.Int64 // nanoseconds after epoch; see Fresh
	lastRev  int64        // last revision reported; listener goroutine only
	stop     context.CancelFunc
	done     chan struct{}

	watchMu sync.Mutex
	watchID int
	watches map[int]func(keys [][]byte)

	hookMu      sync.Mutex
	blockListen bool                   // tests: refuse listener connections
	listenPID   atomic.Uint32          // backend PID of the listener's connection
	catchUpHook atomic.Pointer[func()] // tests: runs inside a catch-up's snapshot
}

var (
	_ backend.Store   = (*Store)(nil)
	_ backend.Watcher = (*Store)(nil)
)

// tables holds the quoted names of the store's tables and its channel.
type tables struct {
	kv, clock, changes, schema string
	channel                    string // unquoted, a pg_notify argument
}

func newTables(prefix string) tables {
	q := func(s string) string { return pgx.Identifier{prefix + s}.Sanitize() }
	return tables{kv: q("_kv"), clock: q("_clock"), changes: q("_changes"), schema: q("_schema"), channel: prefix + "_changes"}
}

// lockKey derives a 64-bit advisory lock key from a purpose and the table
// prefix, so stores with different prefixes do not contend.
func lockKey(purpose, prefix string) int64 {
	h := fnv.New64a()
	h.Write([]byte("embedkms " + purpose + " " + prefix))
	return int64(h.Sum64())
}

// Open connects to the database opts.DSN names, creates or migrates the
// store's tables, and starts the listener. The caller must Close the Store.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	if !tableRE.MatchString(opts.Table) {
		return nil, fmt.Errorf("postgres: table prefix %q: want lower-case letters, digits and underscores, not beginning with a digit, at most 41 characters", opts.Table)
	}
	switch {
	case opts.Staleness == 0:
		opts.Staleness = DefaultStaleness
	case opts.Staleness < 10*time.Millisecond:
		return nil, fmt.Errorf("postgres: Staleness %v: want at least 10ms", opts.Staleness)
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	pcfg, err := pgxpool.ParseConfig(opts.DSN)
	if err != nil {
		return nil, fmt.Errorf("postgres: DSN: %w", withoutDSN(err))
	}
	if opts.MaxConns > 0 {
		pcfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s := &Store{
		pool:       pool,
		connCfg:    pcfg.ConnConfig.Copy(),
		t:          newTables(opts.Table),
		staleness:  opts.Staleness,
		maxRetries: opts.MaxRetries,
		writeLock:  lockKey("write", opts.Table),
		epoch:      time.Now(),
		watches:    map[int]func([][]byte){},
		done:       make(chan struct{}),
	}
	if err := s.migrate(ctx, opts.Table); err != nil {
		pool.Close()
		return nil, err
	}
	conn, err := s.connectListener(ctx)
	if err != nil {
		pool.Close()
		return nil, err
	}
	// The first catch-up only learns the current revision: nothing is
	// cached yet, so there is nothing to report.
	start := time.Since(s.epoch)
	rev, err := s.clock(ctx, conn)
	if err != nil {
		conn.Close(context.Background())
		pool.Close()
		return nil, err
	}
	s.lastRev = rev
	s.syncedAt.Store(int64(start))
	lctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	go s.listen(lctx, conn)
	return s, nil
}

// withoutDSN returns err, a failure to parse a DSN, without the DSN
// itself: pgx shows it with the password redacted only as far as it can
// recognise one ("password = x", spaces around "=" as libpq allows them,
// is shown in the clear).
func withoutDSN(err error) error {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return err
	}
	cp := *pe
	cp.ConnString = ""
	return &cp
}

// migrations[i] brings the schema from version i to version i+1.
func (s *Store) migrations() [][]string {
	t := s.t
	return [][]string{{
		`CREATE TABLE ` + t.kv + ` (k bytea PRIMARY KEY, v bytea NOT NULL, rev bigint NOT NULL)`,
		`CREATE TABLE ` + t.clock + ` (id int PRIMARY KEY CHECK (id = 1), rev bigint NOT NULL)`,
		`INSERT INTO ` + t.clock + ` (id, rev) VALUES (1, 0)`,
		`CREATE TABLE ` + t.changes + ` (rev bigint PRIMARY KEY, keys bytea[], at timestamptz NOT NULL DEFAULT now())`,
		`CREATE INDEX ON ` + t.changes + ` (at)`,
	}}
}

// migrate creates the schema or brings it to schemaVersion, in one
// transaction under an advisory lock, so concurrent Opens wait for each
// other instead of failing on each other's CREATE TABLE.
func (s *Store) migrate(ctx context.Context, prefix string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("migrate", prefix)); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.t.schema+` (version int NOT NULL)`); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		var v *int
		if err := tx.QueryRow(ctx, `SELECT max(version) FROM `+s.t.schema).Scan(&v); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		have := 0
		if v != nil {
			have = *v
		}
		if have > schemaVersion {
			return fmt.Errorf("postgres: tables %s* are at schema version %d, newer than this version of embedkms knows (%d)", prefix, have, schemaVersion)
		}
		if have == schemaVersion {
			return nil
		}
		for _, m := range s.migrations()[have:] {
			for _, stmt := range m {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("postgres: migrate to version %d: %w", have+1, err)
				}
			}
			have++
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t.schema); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t.schema+` (version) VALUES ($1)`, have); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
		return nil
	})
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

// View implements backend.Store: fn reads one snapshot (REPEATABLE READ,
// READ ONLY).
func (s *Store) View(ctx context.Context, fn func(backend.Txn) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return wrapErr(ctx, "begin", err)
	}
	t := &txn{s: s, ctx: ctx, tx: tx}
	defer func() {
		t.done = true
		tx.Rollback(context.Background())
	}()
	if err := fn(t); err != nil {
		return err
	}
	return t.failed
}

// Update implements backend.Store. fn runs in a SERIALIZABLE transaction;
// it runs again, up to Options.MaxRetries times, after a serialization
// failure or a deadlock (see the package documentation).
func (s *Store) Update(ctx context.Context, fn func(backend.Txn) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	for attempt := 0; ; attempt++ {
		err := s.attempt(ctx, fn, attempt > 0)
		if !retryable(err) {
			return err
		}
		if attempt >= s.maxRetries {
			return fmt.Errorf("postgres: %d attempts failed, the last with %v: %w", attempt+1, err, backend.ErrConflict)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// errWriterWaiting ends a first attempt of Update that found a rerun
// holding the writers' lock (see attempt); the attempt is rerun.
var errWriterWaiting = errors.New("postgres: a rerun transaction holds the writers' lock")

// retryable reports whether err ends an attempt that Update reruns.
func retryable(err error) bool {
	if errors.Is(err, errWriterWaiting) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// attempt runs fn once in a SERIALIZABLE transaction and commits it.
//
// Writers take the advisory lock s.writeLock: a first attempt takes it
// shared, without waiting, just before it commits (and is rerun if it
// cannot); a rerun takes it exclusively, on its connection, before its
// transaction begins, and holds it until it ended. No other writer commits
// while a rerun runs, so a rerun does not fail again for their sake.
func (s *Store) attempt(ctx context.Context, fn func(backend.Txn) error, exclusive bool) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return wrapErr(ctx, "connect", err)
	}
	defer conn.Release()
	if exclusive {
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, s.writeLock); err != nil {
			return wrapErr(ctx, "lock", err)
		}
		defer func() {
			uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, uerr := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, s.writeLock); uerr != nil {
				// A connection that may still hold the lock must
				// not go back to the pool.
				conn.Conn().Close(uctx)
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return wrapErr(ctx, "begin", err)
	}
	t := &txn{s: s, ctx: ctx, tx: tx, writable: true, exclusive: exclusive}
	defer func() {
		t.done = true
		if err != nil {
			tx.Rollback(context.Background())
		}
	}()
	if err := fn(t); err != nil {
		if t.failed != nil && retryable(t.failed) {
			return t.failed
		}
		return err
	}
	if t.failed != nil {
		// fn went on after a statement failed, and PostgreSQL has
		// aborted the transaction.
		return t.failed
	}
	if len(t.written) > 0 {
		if err := t.commitWrites(); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return wrapErr(ctx, "commit", err)
	}
	return nil
}

// wrapErr wraps an error of PostgreSQL or of the connection; a context
// error stays recognisable with errors.Is.
func wrapErr(ctx context.Context, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("postgres: %s: %w (%v)", what, cerr, err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// Close implements backend.Store. It waits for running transactions, stops
// the listener and closes the connections.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return backend.ErrClosed
	}
	s.closed = true
	s.mu.Unlock()
	s.stop()
	<-s.done
	s.pool.Close()
	return nil
}

// Staleness returns the store's coherence bound (Options.Staleness).
func (s *Store) Staleness() time.Duration { return s.staleness }

// Watch implements backend.Watcher.
func (s *Store) Watch(fn func(keys [][]byte)) (stop func()) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	s.watchID++
	id := s.watchID
	s.watches[id] = fn
	return func() {
		s.watchMu.Lock()
		defer s.watchMu.Unlock()
		delete(s.watches, id)
	}
}

// Fresh implements backend.Watcher: every transaction that committed more
// than Staleness ago has been reported to every Watch function.
func (s *Store) Fresh() bool {
	return time.Since(s.epoch)-time.Duration(s.syncedAt.Load()) < s.staleness
}

// report calls every Watch function with keys.
func (s *Store) report(keys [][]byte) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for _, fn := range s.watches {
		fn(keys)
	}
}

// connectListener opens the listener's connection and LISTENs on it.
func (s *Store) connectListener(ctx context.Context) (*pgx.Conn, error) {
	s.hookMu.Lock()
	blocked := s.blockListen
	s.hookMu.Unlock()
	if blocked {
		return nil, errors.New("postgres: listener connections blocked by a test")
	}
	conn, err := pgx.ConnectConfig(ctx, s.connCfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: listener: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{s.t.channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("postgres: listener: %w", err)
	}
	s.listenPID.Store(conn.PgConn().PID())
	return conn, nil
}

// clock reads the current revision.
func (s *Store) clock(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var rev int64
	if err := conn.QueryRow(ctx, `SELECT rev FROM `+s.t.clock+` WHERE id = 1`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("postgres: read the clock: %w", err)
	}
	return rev, nil
}

// listen is the listener goroutine: it catches up on every notification
// and every Staleness/4, reconnecting when its connection is lost, until
// ctx is canceled.
func (s *Store) listen(ctx context.Context, conn *pgx.Conn) {
	defer close(s.done)
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	poll := s.staleness / 4
	// Each connect, catch-up and prune must finish within timeout: a
	// connection that stopped answering without being closed (a
	// firewall dropped it) is given up on then, not when TCP does.
	timeout := max(s.staleness, minListenTimeout)
	nextPrune := time.Now()
	for ctx.Err() == nil {
		fresh := false // conn was opened in this iteration
		if conn == nil {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			c, err := s.connectListener(cctx)
			cancel()
			if err != nil {
				sleep(ctx, poll)
				continue
			}
			conn, fresh = c, true
		}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		err := s.catchUp(cctx, conn)
		cancel()
		if err != nil {
			conn.Close(context.Background())
			conn = nil
			if fresh {
				// Not a connection lost meanwhile: the catch-up
				// fails on the server (a table gone, a permission
				// revoked). Retry at the pace of a failed connect,
				// not in a loop of connections.
				sleep(ctx, poll)
			}
			continue
		}
		if time.Now().After(nextPrune) {
			// Rows older than pruneAfter bounds are kept for
			// listeners that were cut off; one that missed more
			// learns it from the gap and reports nil. A prune that
			// fails (on the server: the connection is still open)
			// waits for the next pruning time.
			nextPrune = time.Now().Add(pruneAfter * s.staleness / 2)
			cctx, cancel := context.WithTimeout(ctx, timeout)
			_, err := conn.Exec(cctx, `DELETE FROM `+s.t.changes+` WHERE at < now() - make_interval(secs => $1)`,
				(pruneAfter * s.staleness).Seconds())
			cancel()
			if err != nil && conn.IsClosed() {
				conn.Close(context.Background())
				conn = nil
				continue
			}
		}
		// pgx.Conn's WaitForNotification returns at once for a
		// notification that arrived during the catch-up's queries
		// (pgx keeps those); PgConn's would wait for the next one.
		wctx, cancel := context.WithTimeout(ctx, poll)
		_, err = conn.WaitForNotification(wctx)
		cancel()
		if err != nil && !pgconn.Timeout(err) && !errors.Is(err, context.DeadlineExceeded) || conn.IsClosed() {
			conn.Close(context.Background())
			conn = nil
		}
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// catchUp reports every change committed since the last one reported and
// then advances syncedAt to the time it began.
func (s *Store) catchUp(ctx context.Context, conn *pgx.Conn) error {
	start := time.Since(s.epoch) // before the snapshot is taken
	type change struct {
		rev  int64
		keys [][]byte
		all  bool
	}
	var (
		cur     int64
		changes []change
	)
	err := pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT rev FROM `+s.t.clock+` WHERE id = 1`).Scan(&cur); err != nil {
			return err
		}
		if h := s.catchUpHook.Load(); h != nil {
			(*h)()
		}
		if cur == s.lastRev {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT rev, keys, keys IS NULL FROM `+s.t.changes+` WHERE rev > $1 AND rev <= $2 ORDER BY rev`, s.lastRev, cur)
		if err != nil {
			return err
		}
		var c change
		_, err = pgx.ForEachRow(rows, []any{&c.rev, &c.keys, &c.all}, func() error {
			changes = append(changes, c)
			c = change{}
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: listener: catch up: %w", err)
	}
	if cur != s.lastRev {
		// Revisions have no gaps, so rows lastRev+1..cur must all be
		// there; a missing one was pruned while this listener was cut
		// off.
		complete := int64(len(changes)) == cur-s.lastRev && changes[0].rev == s.lastRev+1
		if !complete || cur < s.lastRev {
			s.report(nil)
		} else {
			for _, c := range changes {
				if c.all {
					s.report(nil)
				} else {
					s.report(c.keys)
				}
			}
		}
		s.lastRev = cur
	}
	s.syncedAt.Store(int64(start))
	return nil
}

// txn is a backend.Txn over a PostgreSQL transaction. Writes are kept in
// pending and sent before a Scan (flush) and at commit.
type txn struct {
	s         *Store
	ctx       context.Context
	tx        pgx.Tx
	writable  bool
	exclusive bool // a rerun, holding the writers' lock exclusively
	done      bool
	failed    error // the first statement that failed; the transaction is aborted

	pending map[string]pendingWrite // not yet sent
	written map[string]bool         // every key written, for the change log
	sent    map[string]bool         // keys set by an earlier flush, whose rev is set at commit
}

type pendingWrite struct {
	val     []byte
	deleted bool
}

func (t *txn) check(write bool) error {
	switch {
	case t.done:
		return backend.ErrClosed
	case write && !t.writable:
		return backend.ErrReadOnly
	case t.failed != nil:
		return t.failed
	}
	return nil
}

// fail records the first failed statement.
func (t *txn) fail(what string, err error) error {
	err = wrapErr(t.ctx, what, err)
	if t.failed == nil {
		t.failed = err
	}
	return err
}

// Get implements backend.Txn.
func (t *txn) Get(key []byte) ([]byte, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if w, ok := t.pending[string(key)]; ok {
		if w.deleted {
			return nil, backend.ErrNotFound
		}
		return append([]byte{}, w.val...), nil
	}
	var v []byte
	err := t.tx.QueryRow(t.ctx, `SELECT v FROM `+t.s.t.kv+` WHERE k = $1`, nonNil(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, backend.ErrNotFound
	}
	if err != nil {
		return nil, t.fail("get", err)
	}
	return nonNil(v), nil
}

// Set implements backend.Txn.
func (t *txn) Set(key, value []byte) error {
	return t.write(key, pendingWrite{val: append([]byte{}, value...)})
}

// Delete implements backend.Txn.
func (t *txn) Delete(key []byte) error {
	return t.write(key, pendingWrite{deleted: true})
}

func (t *txn) write(key []byte, w pendingWrite) error {
	if err := t.check(true); err != nil {
		return err
	}
	if t.pending == nil {
		t.pending, t.written = map[string]pendingWrite{}, map[string]bool{}
	}
	t.pending[string(key)] = w
	t.written[string(key)] = true
	if w.deleted {
		delete(t.sent, string(key))
	}
	return nil
}

// flush sends the pending writes, with revision rev (0 before commit; the
// rows get the transaction's revision at commit).
func (t *txn) flush(rev int64) error {
	if len(t.pending) == 0 {
		return nil
	}
	var setK, setV, delK [][]byte
	for k, w := range t.pending {
		if w.deleted {
			delK = append(delK, []byte(k))
		} else {
			setK, setV = append(setK, []byte(k)), append(setV, w.val)
		}
	}
	b := &pgx.Batch{}
	if len(setK) > 0 {
		b.Queue(`INSERT INTO `+t.s.t.kv+` (k, v, rev) SELECT k, v, $3 FROM unnest($1::bytea[], $2::bytea[]) AS u(k, v)
			ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, rev = EXCLUDED.rev`, setK, setV, rev)
	}
	if len(delK) > 0 {
		b.Queue(`DELETE FROM `+t.s.t.kv+` WHERE k = ANY($1::bytea[])`, delK)
	}
	if err := t.tx.SendBatch(t.ctx, b).Close(); err != nil {
		return t.fail("write", err)
	}
	if rev == 0 {
		if t.sent == nil {
			t.sent = map[string]bool{}
		}
		for _, k := range setK {
			t.sent[string(k)] = true
		}
	}
	t.pending = map[string]pendingWrite{}
	return nil
}

// commitWrites, the end of an Update that wrote, gives the transaction the
// next revision (see the package documentation for why revisions are in
// commit order), sends its writes, logs the keys it wrote and notifies the
// listeners (PostgreSQL delivers the notification at commit).
func (t *txn) commitWrites() error {
	ctx, tt := t.ctx, t.s.t
	var rev int64
	// A first attempt tries the shared writers' lock in the WHERE
	// clause, before the row lock is waited for: a rerun holding it
	// exclusively, or waiting for it, makes this attempt give up at once
	// rather than wait (which could deadlock with the rerun waiting for
	// rows this transaction wrote). A rerun holds it already.
	bump := `UPDATE ` + tt.clock + ` SET rev = rev + 1 WHERE id = 1 AND pg_try_advisory_xact_lock_shared($1) RETURNING rev`
	args := []any{t.s.writeLock}
	if t.exclusive {
		bump, args = `UPDATE `+tt.clock+` SET rev = rev + 1 WHERE id = 1 RETURNING rev`, nil
	}
	err := t.tx.QueryRow(ctx, bump, args...).Scan(&rev)
	if errors.Is(err, pgx.ErrNoRows) {
		return errWriterWaiting
	}
	if err != nil {
		return t.fail("commit", err)
	}
	if err := t.flush(rev); err != nil {
		return err
	}
	b := &pgx.Batch{}
	if len(t.sent) > 0 {
		b.Queue(`UPDATE `+tt.kv+` SET rev = $1 WHERE k = ANY($2::bytea[])`, rev, keysOf(t.sent))
	}
	var logged [][]byte // NULL: too many to list
	if len(t.written) <= maxLoggedKeys {
		logged = keysOf(t.written)
	}
	b.Queue(`INSERT INTO `+tt.changes+` (rev, keys) VALUES ($1, $2)`, rev, logged)
	b.Queue(`SELECT pg_notify($1, '')`, tt.channel)
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return t.fail("commit", err)
	}
	return nil
}

// keysOf returns the keys of m, sorted.
func keysOf(m map[string]bool) [][]byte {
	out := make([][]byte, 0, len(m))
	for k := range m {
		out = append(out, []byte(k))
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i]) < string(out[j]) })
	return out
}

// nonNil returns b, or an empty slice for nil (pgx sends nil as NULL).
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Scan implements backend.Txn. It reads scanBatch rows per query, each
// starting after the last key the previous one returned.
func (t *txn) Scan(prefix, start []byte, fn func(key, value []byte) bool) error {
	if err := t.check(false); err != nil {
		return err
	}
	if err := t.flush(0); err != nil {
		return err
	}
	from := prefix
	if string(start) > string(prefix) {
		from = start
	}
	end, bounded := prefixEnd(prefix)
	q := `SELECT k, v FROM ` + t.s.t.kv + ` WHERE k >= $1`
	if bounded {
		q += ` AND k < $3`
	}
	q += ` ORDER BY k LIMIT $2`
	from = nonNil(from)
	for {
		args := []any{from, scanBatch}
		if bounded {
			args = append(args, end)
		}
		rows, err := t.tx.Query(t.ctx, q, args...)
		if err != nil {
			return t.fail("scan", err)
		}
		type kv struct{ k, v []byte }
		var batch []kv
		var k, v []byte
		if _, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error {
			batch = append(batch, kv{nonNil(k), nonNil(v)})
			return nil
		}); err != nil {
			return t.fail("scan", err)
		}
		for _, e := range batch {
			if !fn(e.k, e.v) {
				return nil
			}
		}
		if len(batch) < scanBatch {
			return nil
		}
		// The next batch starts just after the last key: its
		// successor in bytewise order is the key with a zero byte
		// appended.
		last := batch[len(batch)-1].k
		from = append(append(make([]byte, 0, len(last)+1), last...), 0)
	}
}

// prefixEnd returns the least key greater than every key beginning with
// prefix, or false when there is none (prefix is empty or all 0xff bytes).
func prefixEnd(prefix []byte) ([]byte, bool) {
	end := append([]byte{}, prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1], true
		}
	}
	return nil, false
}
