// Package pgtest gives tests a PostgreSQL server: the one named by the
// EMBEDKMS_TEST_POSTGRES environment variable (a connection string whose
// user may create databases), or else a private cluster it starts with
// initdb and pg_ctl from /usr/lib/postgresql/*/bin (the Debian
// postgresql package), as user postgres when the tests run as root, with
// its data and socket in a temporary directory and listening on a random
// port of 127.0.0.1. A package whose tests use it calls Main from its
// TestMain, which stops that cluster when the tests end. Tests skip, saying
// why, only when neither is possible.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the environment variable naming an existing server.
const EnvDSN = "EMBEDKMS_TEST_POSTGRES"

var shared struct {
	once    sync.Once
	dsn     string
	cluster *Cluster
	err     error
}

// Main runs the tests of m and then stops the private cluster they
// started, if any. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops and removes the private cluster the tests of this process
// started, if any: for a TestMain that does more than Main.
func Stop() {
	if shared.cluster != nil {
		shared.cluster.Stop()
		shared.cluster.remove()
	}
}

// server returns the DSN of the server every test of this process uses.
func server() (string, error) {
	shared.once.Do(func() {
		if dsn := os.Getenv(EnvDSN); dsn != "" {
			shared.dsn = dsn
			return
		}
		c, err := startCluster()
		if err != nil {
			shared.err = err
			return
		}
		shared.cluster, shared.dsn = c, c.DSN("postgres")
	})
	return shared.dsn, shared.err
}

// Server returns the connection string of the test server (its
// maintenance database), skipping t when there is none.
func Server(t testing.TB) string {
	t.Helper()
	dsn, err := server()
	if err != nil {
		t.Skipf("no PostgreSQL server: %s is not set and a private cluster could not be started: %v", EnvDSN, err)
	}
	return dsn
}

// External reports whether the test server is the one EMBEDKMS_TEST_POSTGRES names.
func External() bool { return os.Getenv(EnvDSN) != "" }

// DSN creates a new, empty database on the test server and returns a
// connection string for it; the database is dropped when t ends. t skips
// when there is no server.
func DSN(t testing.TB) string {
	t.Helper()
	base := Server(t)
	name := "embedkms_test_" + randHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exec1(ctx, base, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec1(ctx, base, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return WithDatabase(base, name)
}

// WithDatabase returns dsn with its database replaced by name.
func WithDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path = "/" + name
			return u.String()
		}
	}
	return dsn + " dbname=" + name
}

// Exec runs one statement on the database dsn names.
func Exec(ctx context.Context, dsn, stmt string, args ...any) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, stmt, args...)
	return err
}

func exec1(ctx context.Context, dsn, stmt string) error { return Exec(ctx, dsn, stmt) }

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Cluster is a private PostgreSQL cluster in a temporary directory.
type Cluster struct {
	dir, data, bin string
	port           int
	runAs          *user.User // nil: as this process's user
}

// StartCluster starts a private cluster for t alone, removed when t ends;
// t skips when none can be started. Tests that stop or kill the server
// use it even when EMBEDKMS_TEST_POSTGRES names one.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	c, err := startCluster()
	if err != nil {
		t.Skipf("cannot start a private PostgreSQL cluster (needs initdb and pg_ctl of the Debian postgresql package): %v", err)
	}
	t.Cleanup(func() {
		c.Stop()
		c.remove()
	})
	return c
}

// binDir finds the newest /usr/lib/postgresql/*/bin holding pg_ctl, or
// the directory of pg_ctl on PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no pg_ctl in /usr/lib/postgresql/*/bin or on PATH")
}

func startCluster() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user: %w", err)
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			return nil, errors.New("running as root and there is no runuser")
		}
		c.runAs = u
	}
	c.dir, err = os.MkdirTemp("", "embedkms-pg-")
	if err != nil {
		return nil, err
	}
	c.data = filepath.Join(c.dir, "data")
	if c.runAs != nil {
		uid, _ := strconv.Atoi(c.runAs.Uid)
		gid, _ := strconv.Atoi(c.runAs.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			c.remove()
			return nil, err
		}
	}
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		c.remove()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	for range 5 { // a port picked free may be taken before the server binds it
		if c.port, err = freePort(); err != nil {
			break
		}
		if err = c.Start(); err == nil {
			c.watchdog()
			return c, nil
		}
	}
	c.remove()
	return nil, err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// run runs a PostgreSQL program as the cluster's user.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if c.runAs != nil {
		cmd = exec.Command("runuser", append([]string{"-u", c.runAs.Username, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// DSN returns a connection string for database db of the cluster.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Start starts the server (again, after Stop or Kill) and waits until it
// accepts connections.
func (c *Cluster) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c full_page_writes=off", c.port, c.dir)
	out, err := c.run("pg_ctl", "-D", c.data, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "-o", opts, "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, tail(log, 2000))
	}
	return nil
}

// watchdog starts a shell that stops the server and removes its directory
// once this process is gone, so a test binary that dies (a panic, a
// -timeout) leaves no server behind.
func (c *Cluster) watchdog() {
	stop := fmt.Sprintf("%q -D %q -m immediate -w stop", filepath.Join(c.bin, "pg_ctl"), c.data)
	if c.runAs != nil {
		stop = "runuser -u " + c.runAs.Username + " -- " + stop
	}
	script := fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; %s >/dev/null 2>&1; rm -rf %q", os.Getpid(), stop, c.dir)
	cmd := exec.Command("sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}

// Stop stops the server (fast shutdown).
func (c *Cluster) Stop() error {
	out, err := c.run("pg_ctl", "-D", c.data, "-m", "fast", "-w", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// Kill sends SIGKILL to the server's postmaster and to every process it
// started, as a crash of the machine's database server would end them,
// and waits until they are gone.
func (c *Cluster) Kill() error {
	raw, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.SplitN(string(raw), "\n", 2)[0])
	if err != nil {
		return fmt.Errorf("postmaster.pid: %w", err)
	}
	pids := append(children(pid), pid)
	for _, p := range pids {
		syscall.Kill(p, syscall.SIGKILL)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range pids {
		for alive(p) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	// A dead postmaster that its parent (init, here) has not reaped yet
	// still answers kill(pid, 0), and PostgreSQL would then refuse to
	// start on its postmaster.pid: wait a little for the reaping, then
	// remove the stale file.
	reaped := time.Now().Add(2 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(reaped) {
		time.Sleep(10 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		if err := os.Remove(filepath.Join(c.data, "postmaster.pid")); err != nil {
			return err
		}
	}
	return nil
}

// alive reports whether process pid exists and is not a zombie (one whose
// parent has not reaped it is gone as far as the server is concerned).
func alive(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || !strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

// children returns the processes whose parent is pid.
func children(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses
		// and may hold spaces: state, ppid, ...
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}

func (c *Cluster) remove() { os.RemoveAll(c.dir) }

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
