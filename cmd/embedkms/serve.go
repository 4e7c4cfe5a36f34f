package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/badger"
	"github.com/embedkms/kms/backend/file"
	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/keystore"
)

// rootKeyEnv is the environment variable that may hold the root key, the
// standard base64 encoding of 32 bytes.
const rootKeyEnv = "EMBEDKMS_ROOT_KEY"

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// config is what the flags of serve say.
type config struct {
	addr, account, region    string
	store, engine            string
	rootKeyFile              string
	principals               string
	seed                     string
	audit                    string
	log                      bool
	maxConns                 int
	headerTimeout            time.Duration
	readTimeout, idleTimeout time.Duration
	writeTimeout             time.Duration
	shutdownTimeout          time.Duration
	staleness                time.Duration
}

const serveUsage = `Usage: embedkms serve [flags]

Serves the AWS KMS JSON protocol on -addr for every Region of every AWS
partition: the Region of a request is the one its signature is scoped to
(-region for requests that are not signed), and each Region has its own
key space. Without -principals, signatures are not verified and every
request acts as the root of -account: keep -addr on a loopback or private
address. With -principals FILE, every request must be signed with an
access key FILE lists, acts as its principal, in its account, and IAM
policies, key policies and grants decide as in AWS. FILE is JSON:

	{"principals": [{"accessKeyId": "AKIA...", "secretAccessKey": "...",
	  "arn": "arn:aws:iam::111122223333:user/alice",
	  "policies": [{"Version": "2012-10-17", "Statement": [...]}]}]}

(an assumed-role session may add "roleArn", its role's ARN with its path).

-seed FILE loads the keys, aliases and grants of a YAML seed file into
-account and -region at start, before serving: fixed key ids, specs,
policies, tags, states and, for tests only, known key material. Seeding
again (every start on a durable store) adds what is missing and changes
nothing else; a seed that contradicts the store (a key's spec or
material) stops the server before it serves, having written nothing.

-store memory (the default) keeps keys until the process exits. -store DIR
keeps them in DIR, durably (a request answered is on disk), with key
material encrypted under a root key, given by -root-key-file or by the
%s environment variable (the standard base64 of 32 random bytes):

	head -c 32 /dev/urandom | base64                 # for %s
	(umask 077; head -c 32 /dev/urandom > root.key)  # for -root-key-file

The same root key must be given every time DIR is served.

-store postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=... (or
postgresql://) keeps keys in that PostgreSQL database, in tables whose
names begin with embedkms_ (created on first use), with key material
encrypted under the root key as for a directory. Many servers, on many
machines, may serve one database with the same root key: each sees
another's changes (a key disabled, deleted, its policy changed, a grant
revoked) within -staleness, and until then may still use what it cached.

-audit FILE appends to FILE (created with mode 0600; "-" is stderr) one
JSON line per operation call, success or failure, shaped as the
CloudTrail record AWS KMS writes: eventName, eventTime, userIdentity,
sourceIPAddress, requestParameters (without plaintext, key material or
any other binary member), responseElements, errorCode, errorMessage,
resources, requestID (the response's x-amzn-RequestId) and eventID.

GET /healthz answers 200 while the store answers. SIGINT or SIGTERM stops
the server: requests under way finish (for up to -shutdown-timeout), then
the store is closed.

Flags:
`

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("embedkms serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, serveUsage, rootKeyEnv, rootKeyEnv)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:4599", "`address` to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&c.account, "account", kms.DefaultAccountID, "12-digit AWS `account` id every request acts in")
	fs.StringVar(&c.region, "region", kms.DefaultRegion, "`Region` of requests that are not signed (any Region is served)")
	fs.StringVar(&c.store, "store", "memory", "where keys are kept: memory, a `directory` for a durable store, or a postgres:// URL of a database shared with other servers")
	fs.StringVar(&c.engine, "engine", "badger", "durable store `engine` of -store DIR: badger, or file (one append-only log file, no database)")
	fs.StringVar(&c.rootKeyFile, "root-key-file", "", "`file` holding the 32 raw bytes of the root key, mode 0600 or 0400 (or set "+rootKeyEnv+")")
	fs.StringVar(&c.principals, "principals", "", "JSON `file` of access keys, their principals and IAM policies; requests must be signed with one")
	fs.StringVar(&c.seed, "seed", "", "YAML `file` of keys, aliases and grants to load into -account and -region at start")
	fs.StringVar(&c.audit, "audit", "", "append one CloudTrail-shaped JSON line per operation call to `file` (created mode 0600; - for stderr): caller, operation, parameters, outcome (never plaintext, key material or ciphertext)")
	fs.BoolVar(&c.log, "log", false, "log one JSON line per request to stderr: operation, key, caller, outcome, duration (never request or response bodies)")
	fs.IntVar(&c.maxConns, "max-conns", 1024, "most connections served at once; more wait to be accepted")
	fs.DurationVar(&c.headerTimeout, "header-timeout", 10*time.Second, "time a client has to send a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 30*time.Second, "time a client has to send a whole request")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 60*time.Second, "time from the end of a request's headers to the end of its response")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, "time an idle keep-alive connection stays open")
	fs.DurationVar(&c.staleness, "staleness", postgres.DefaultStaleness, "with -store postgres://: the most time after another server's change during which this one may still use what it cached")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "time requests under way have to finish after SIGINT or SIGTERM")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case c.maxConns < 1:
		return c, errors.New("-max-conns must be at least 1")
	case c.headerTimeout <= 0 || c.readTimeout <= 0 || c.writeTimeout <= 0 || c.idleTimeout <= 0 || c.shutdownTimeout <= 0:
		return c, errors.New("timeouts must be positive")
	case c.engine != "badger" && c.engine != "file":
		return c, fmt.Errorf("-engine %q: want badger or file", c.engine)
	case c.store == "":
		return c, errors.New("-store is empty: want memory, a directory or a postgres:// URL")
	case c.staleness < 10*time.Millisecond:
		return c, errors.New("-staleness must be at least 10ms")
	}
	if !accountRE.MatchString(c.account) {
		return c, fmt.Errorf("-account %q is not a 12-digit AWS account id", c.account)
	}
	if _, ok := awsapi.Partition(c.region); !ok {
		return c, fmt.Errorf("-region %q is not an AWS Region name", c.region)
	}
	return c, nil
}

// serve runs `embedkms serve args`.
func serve(ctx context.Context, stopSignals func(), args []string, stderr io.Writer, getenv func(string) string) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "embedkms serve:", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if err := runServer(ctx, stopSignals, c, log, getenv); err != nil {
		fmt.Fprintln(stderr, "embedkms serve:", err)
		return 1
	}
	log.Info("stopped") // the store is closed
	return 0
}

// rootKey returns the root-key source the flags and the environment name,
// or nil for none.
func rootKey(c config, getenv func(string) string) (keystore.RootKeySource, error) {
	env := getenv(rootKeyEnv)
	switch {
	case c.rootKeyFile != "" && env != "":
		return nil, fmt.Errorf("both -root-key-file and %s are set: give the root key once", rootKeyEnv)
	case c.rootKeyFile != "":
		return keystore.RootKeyFile(c.rootKeyFile), nil
	case env != "":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil {
			return nil, fmt.Errorf("%s is not standard base64: %v", rootKeyEnv, err)
		}
		if len(raw) != keystore.RootKeySize {
			return nil, fmt.Errorf("%s holds %d bytes, want %d (head -c 32 /dev/urandom | base64)", rootKeyEnv, len(raw), keystore.RootKeySize)
		}
		return keystore.RawRootKey(raw), nil
	}
	return nil, nil
}

// isPostgres reports whether -store names a PostgreSQL database.
func isPostgres(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// storeName is -store as logs and errors show it: a URL's password is
// replaced by xxxxx.
func storeName(store string) string {
	if !isPostgres(store) {
		return store
	}
	u, err := url.Parse(store)
	if err != nil {
		return "(a postgres URL that does not parse)"
	}
	return u.Redacted()
}

// openStore opens the durable store of -store: a PostgreSQL database, or a
// directory with -engine, refusing a directory that holds the other
// engine's store.
func openStore(ctx context.Context, c config) (backend.Store, error) {
	if isPostgres(c.store) {
		s, err := postgres.Open(ctx, postgres.Options{DSN: c.store, Staleness: c.staleness})
		if err != nil {
			// pgx's errors do not hold the password, but name the
			// database as the URL does.
			return nil, fmt.Errorf("-store %s: %w", storeName(c.store), err)
		}
		return s, nil
	}
	dir := c.store
	exists := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }
	switch c.engine {
	case "badger":
		if exists("data.log") {
			return nil, fmt.Errorf("%s holds a store of the file engine: serve it with -engine file", dir)
		}
		s, err := badger.Open(dir)
		if errors.Is(err, badger.ErrLocked) {
			return nil, fmt.Errorf("store %s is in use by another process (another embedkms serve?): %w", dir, err)
		}
		return s, err
	default:
		if exists("MANIFEST") {
			return nil, fmt.Errorf("%s holds a store of the badger engine: serve it with -engine badger", dir)
		}
		s, err := file.Open(ctx, dir, file.Options{})
		if errors.Is(err, file.ErrLocked) {
			return nil, fmt.Errorf("store %s is in use by another process (another embedkms serve?): %w", dir, err)
		}
		return s, err
	}
}

// runServer serves until ctx is cancelled, then shuts down gracefully.
func runServer(ctx context.Context, stopSignals func(), c config, log *slog.Logger, getenv func(string) string) (err error) {
	source, err := rootKey(c, getenv)
	if err != nil {
		return err
	}
	opts := kms.Options{RootKeySource: source}
	var principals *awsapi.Principals
	if c.principals != "" {
		f, err := os.Open(c.principals)
		if err != nil {
			return fmt.Errorf("-principals: %w", err)
		}
		principals, err = awsapi.ParsePrincipals(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("-principals %s: %w", c.principals, err)
		}
		opts.IdentityPolicies = principals.IdentityPolicies()
	}
	if c.audit != "" {
		w := io.Writer(os.Stderr)
		if c.audit != "-" {
			f, err := os.OpenFile(c.audit, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err != nil {
				return fmt.Errorf("-audit: %w", err)
			}
			defer f.Close() // after the handles (deferred below) are closed
			w = f
		}
		// A health probe's ListKeys is no client call: it is not audited.
		j := kms.NewJSONAudit(w)
		opts.Audit = kms.AuditFunc(func(ctx context.Context, e *kms.AuditEvent) {
			if ctx.Value(healthProbe{}) == nil {
				j.Record(ctx, e)
			}
		})
	}
	shown := "memory"
	if c.store != "memory" {
		if source == nil {
			return fmt.Errorf("-store %s needs a root key, which encrypts the key material kept there: give -root-key-file FILE or set %s (see embedkms serve -h)", storeName(c.store), rootKeyEnv)
		}
		store, err := openStore(ctx, c)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := store.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("closing store %s: %w", storeName(c.store), cerr)
			}
		}()
		opts.Backend = store
		shown = storeName(c.store) + " (" + c.engine + ")"
		if isPostgres(c.store) {
			shown = storeName(c.store) + " (staleness " + c.staleness.String() + ")"
		}
	}
	handles := awsapi.NewHandles(opts)
	defer handles.Close()
	def, err := handles.Handle(c.account, c.region)
	if err != nil {
		if errors.Is(err, keystore.ErrWrongRootKey) {
			return fmt.Errorf("the root key is not the one store %s was created with: %w", storeName(c.store), err)
		}
		return err
	}
	if c.seed != "" {
		if err := seed(ctx, def, c.seed); err != nil {
			return err
		}
		log.Info("seeded", "file", c.seed, "account", c.account, "region", c.region)
	}

	hopts := []awsapi.Option{awsapi.WithHandles(handles)}
	if principals != nil {
		hopts = append(hopts, awsapi.WithPrincipals(principals))
	}
	if c.log {
		hopts = append(hopts, awsapi.WithRequestLog(requestLogger(log)))
	}
	mux := http.NewServeMux()
	mux.Handle("/", awsapi.NewHandler(def, hopts...))
	mux.HandleFunc("GET /healthz", healthz(def))

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: c.headerTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("serving", "endpoint", "http://"+ln.Addr().String(), "account", c.account, "region", c.region, "store", shown)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(newLimitListener(ln, c.maxConns)) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stopSignals() // a second signal stops the process at once
	log.Info("shutting down: finishing requests under way", "timeout", c.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		log.Warn("requests still under way at the shutdown timeout were cut off", "error", err.Error())
	}
	<-served
	return nil
}

// seed loads the seed file path into k.
func seed(ctx context.Context, k *kms.KMS, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("-seed: %w", err)
	}
	defer f.Close()
	if err := k.Seed(ctx, f); err != nil {
		return fmt.Errorf("-seed %s: %w", path, err)
	}
	return nil
}

// healthProbe marks the context of a health probe's call, which -audit
// leaves out.
type healthProbe struct{}

// healthz answers 200 while the store answers a read (ListKeys of the
// default account and Region), 503 otherwise.
func healthz(k *kms.KMS) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		ctx := context.WithValue(r.Context(), healthProbe{}, true)
		if _, err := k.ListKeys(ctx, &kms.ListKeysInput{Limit: 1}); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "unavailable")
			return
		}
		fmt.Fprintln(w, "ok")
	}
}

// requestLogger logs one line per request from what the handler reports:
// never a body.
func requestLogger(log *slog.Logger) func(context.Context, awsapi.RequestRecord) {
	return func(ctx context.Context, r awsapi.RequestRecord) {
		attrs := []slog.Attr{
			slog.String("operation", r.Operation),
			slog.String("account", r.Account),
			slog.String("region", r.Region),
			slog.String("caller", r.Caller),
			slog.Int("status", r.Status),
			slog.Float64("duration_ms", float64(r.Duration.Microseconds())/1000),
		}
		if r.Key != "" {
			attrs = append(attrs, slog.String("key", r.Key))
		}
		outcome := "ok"
		if r.ErrorCode != "" {
			outcome = "error"
			attrs = append(attrs, slog.String("error", r.ErrorCode))
		}
		attrs = append(attrs, slog.String("outcome", outcome))
		log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
	}
}
