package postgres_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/internal/pgtest"
)

// The tests in this file run two processes on one database: the test
// process and a child, the test binary re-executed to run
// TestHelperKMSChild, each with its own Store and kms handle (so nothing
// is shared but the database). The child reads one command a line on its
// stdin and answers one "REPLY ..." line on its stdout.

// procStaleness is the coherence bound of both processes.
const procStaleness = 500 * time.Millisecond

var rootKey = []byte("postgres test root key 32 bytes!")

const alice = "arn:aws:iam::111122223333:user/Alice"

// newHandle opens a kms handle on s as every process of these tests does.
func newHandle(t testing.TB, s *postgres.Store) *kms.KMS {
	t.Helper()
	k, err := kms.New(kms.Options{Backend: s, RootKey: rootKey, IdentityPolicies: kms.IdentityPolicies{alice: nil}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// code is the AWS error code of err, "ok" for nil.
func code(err error) string {
	if err == nil {
		return "ok"
	}
	var e *kms.Error
	if errors.As(err, &e) {
		return e.ErrorCode()
	}
	return "error: " + strings.ReplaceAll(err.Error(), "\n", " ")
}

func TestHelperKMSChild(t *testing.T) {
	dsn := os.Getenv("EMBEDKMS_PG_CHILD_DSN")
	if dsn == "" {
		t.Skip("the child process of the two-process tests, run by them")
	}
	ctx := context.Background()
	s := open(t, postgres.Options{DSN: dsn, Staleness: procStaleness})
	k := newHandle(t, s)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		var reply string
		switch f[0] {
		case "encrypt": // encrypt KEY [PRINCIPAL]
			c := ctx
			if len(f) > 2 {
				c = kms.WithCaller(ctx, f[2])
			}
			_, err := k.Encrypt(c, &kms.EncryptInput{KeyId: f[1], Plaintext: []byte("x")})
			reply = code(err)
		case "disable":
			_, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f[1]})
			reply = code(err)
		case "aliases": // aliases PREFIX N KEY: CreateAlias PREFIX-0..N-1, concurrently
			reply = strings.Join(createAliases(k, f[1], atoi(f[2]), f[3]), ",")
		case "createkeys": // createkeys N
			ids, err := createKeys(k, atoi(f[1]))
			reply = code(err) + " " + strings.Join(ids, ",")
		case "listkeys":
			ids, err := listKeys(k)
			reply = code(err) + " " + strconv.Itoa(len(ids))
		case "cut": // end the listener's connection and keep it from reconnecting
			s.BlockListener(true)
			reply = code(pgtest.Exec(ctx, dsn, `SELECT pg_terminate_backend($1)`, int64(s.ListenerPID())))
		case "reconnect":
			s.BlockListener(false)
			reply = "ok"
		case "fresh":
			reply = strconv.FormatBool(s.Fresh())
		default:
			reply = "unknown command " + f[0]
		}
		fmt.Printf("REPLY %s\n", reply)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// createAliases creates aliases prefix-0..n-1 to key, concurrently, and
// returns each call's outcome.
func createAliases(k *kms.KMS, prefix string, n int, key string) []string {
	out := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := k.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: fmt.Sprintf("%s-%d", prefix, i), TargetKeyId: key})
			out[i] = code(err)
		})
	}
	wg.Wait()
	return out
}

// createKeys creates n keys from 4 goroutines.
func createKeys(k *kms.KMS, n int) ([]string, error) {
	var mu sync.Mutex
	var ids []string
	var first error
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{})
				mu.Lock()
				if err != nil && first == nil {
					first = err
				} else if err == nil {
					ids = append(ids, out.KeyMetadata.KeyId)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return ids, first
}

func listKeys(k *kms.KMS) ([]string, error) {
	var ids []string
	marker := ""
	for {
		out, err := k.ListKeys(context.Background(), &kms.ListKeysInput{Marker: marker})
		if err != nil {
			return nil, err
		}
		for _, e := range out.Keys {
			ids = append(ids, e.KeyId)
		}
		if !out.Truncated {
			return ids, nil
		}
		marker = out.NextMarker
	}
}

// child is the other process.
type child struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
	mu  sync.Mutex
}

func startChild(t *testing.T, dsn string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKMSChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EMBEDKMS_PG_CHILD_DSN="+dsn)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	c := &child{t: t, in: in, out: bufio.NewScanner(out)}
	c.out.Buffer(nil, 16<<20)
	return c
}

// do sends one command and returns the child's reply.
func (c *child) do(cmd string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintln(c.in, cmd); err != nil {
		c.t.Errorf("child: %s: %v", cmd, err)
		return "child gone"
	}
	for c.out.Scan() {
		if r, ok := strings.CutPrefix(c.out.Text(), "REPLY "); ok {
			return r
		}
	}
	c.t.Errorf("child: %s: no reply (%v)", cmd, c.out.Err())
	return "child gone"
}

// twoProcesses opens this process's handle and starts the child on a new
// database.
func twoProcesses(t *testing.T) (*kms.KMS, *postgres.Store, *child, string) {
	dsn := pgtest.DSN(t)
	s := open(t, postgres.Options{DSN: dsn, Staleness: procStaleness})
	k := newHandle(t, s)
	return k, s, startChild(t, dsn), dsn
}

// refusedWithin calls try until it returns want, failing t if it still
// succeeds when it was called more than the bound after changed (the
// time the change was acknowledged, so after it committed) or if it
// fails otherwise.
func refusedWithin(t *testing.T, what string, changed time.Time, want string, try func() string) {
	t.Helper()
	for {
		called := time.Now()
		got := try()
		switch {
		case got == want:
			return
		case got != "ok":
			t.Fatalf("%s: %s, want ok or %s", what, got, want)
		case called.Sub(changed) > procStaleness:
			t.Fatalf("%s still succeeds %v after the change (bound %v)", what, called.Sub(changed), procStaleness)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func createKey(t *testing.T, k *kms.KMS) string {
	t.Helper()
	out, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata.KeyId
}

func encrypt(k *kms.KMS, key string) string {
	_, err := k.Encrypt(context.Background(), &kms.EncryptInput{KeyId: key, Plaintext: []byte("x")})
	return code(err)
}

// TestProcessesDisable: a key one process disables is refused by the
// other, which had used (and cached) it, within the bound; both ways.
func TestProcessesDisable(t *testing.T) {
	k, _, c, _ := twoProcesses(t)
	one, two := createKey(t, k), createKey(t, k)
	for _, key := range []string{one, two} {
		if got := c.do("encrypt " + key); got != "ok" {
			t.Fatalf("child Encrypt: %s", got)
		}
		if got := encrypt(k, key); got != "ok" {
			t.Fatalf("Encrypt: %s", got)
		}
	}
	if _, err := k.DisableKey(t.Context(), &kms.DisableKeyInput{KeyId: one}); err != nil {
		t.Fatal(err)
	}
	refusedWithin(t, "the child's Encrypt with a key this process disabled", time.Now(), "DisabledException", func() string { return c.do("encrypt " + one) })
	if got := c.do("disable " + two); got != "ok" {
		t.Fatalf("child DisableKey: %s", got)
	}
	refusedWithin(t, "Encrypt with a key the child disabled", time.Now(), "DisabledException", func() string { return encrypt(k, two) })
}

// TestProcessesRevokeGrant: a grant one process revokes no longer allows
// the grantee in the other within the bound.
func TestProcessesRevokeGrant(t *testing.T) {
	k, _, c, _ := twoProcesses(t)
	key := createKey(t, k)
	if got := c.do("encrypt " + key + " " + alice); got != "AccessDeniedException" {
		t.Fatalf("Alice's Encrypt before the grant: %s, want AccessDeniedException", got)
	}
	g, err := k.CreateGrant(t.Context(), &kms.CreateGrantInput{KeyId: key, GranteePrincipal: alice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	for {
		got := c.do("encrypt " + key + " " + alice)
		if got == "ok" {
			break
		}
		if time.Since(created) > procStaleness+time.Second {
			t.Fatalf("Alice's Encrypt through a new grant in the child: %s", got)
		}
	}
	if _, err := k.RevokeGrant(t.Context(), &kms.RevokeGrantInput{KeyId: key, GrantId: g.GrantId}); err != nil {
		t.Fatal(err)
	}
	refusedWithin(t, "Alice's Encrypt in the child after the grant was revoked", time.Now(), "AccessDeniedException", func() string { return c.do("encrypt " + key + " " + alice) })
}

// TestProcessesCreateAliasRace: both processes create the same alias names
// at once, each to its own key: for each name exactly one succeeds and the
// other gets AlreadyExistsException (as AWS answers CreateAlias of an
// existing alias), and the alias names the winner's key in both.
func TestProcessesCreateAliasRace(t *testing.T) {
	k, _, c, _ := twoProcesses(t)
	mine := createKey(t, k)
	theirs := createKey(t, k)
	const n = 30
	var childOut []string
	var wg sync.WaitGroup
	wg.Go(func() { childOut = strings.Split(c.do(fmt.Sprintf("aliases alias/race %d %s", n, theirs)), ",") })
	myOut := createAliases(k, "alias/race", n, mine)
	wg.Wait()
	if len(childOut) != n {
		t.Fatalf("child: %q", childOut)
	}
	for i := range n {
		name := fmt.Sprintf("alias/race-%d", i)
		outcomes := []string{myOut[i], childOut[i]}
		slices.Sort(outcomes)
		if !slices.Equal(outcomes, []string{"AlreadyExistsException", "ok"}) {
			t.Errorf("%s: this process %s, the child %s; want one ok and one AlreadyExistsException", name, myOut[i], childOut[i])
			continue
		}
		winner := mine
		if childOut[i] == "ok" {
			winner = theirs
		}
		d, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: name})
		if err != nil || d.KeyMetadata.KeyId != winner {
			t.Errorf("%s names %v (%v), want the winner's key %s", name, d, err, winner)
		}
	}
}

// TestProcessesCreateKeyRace: both processes create keys at once; every
// call succeeds and both list every key.
func TestProcessesCreateKeyRace(t *testing.T) {
	k, _, c, _ := twoProcesses(t)
	const n = 40
	var childOut string
	var wg sync.WaitGroup
	wg.Go(func() { childOut = c.do(fmt.Sprintf("createkeys %d", n)) })
	mine, err := createKeys(k, n)
	wg.Wait()
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	status, theirs, _ := strings.Cut(childOut, " ")
	if status != "ok" {
		t.Fatalf("the child's CreateKey: %s", childOut)
	}
	want := append(mine, strings.Split(theirs, ",")...)
	slices.Sort(want)
	if len(want) != 2*n {
		t.Fatalf("%d keys created, want %d", len(want), 2*n)
	}
	got, err := listKeys(k)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("ListKeys lists %d keys, want the %d created", len(got), len(want))
	}
	if out := c.do("listkeys"); out != fmt.Sprintf("ok %d", 2*n) {
		t.Errorf("the child's ListKeys: %s, want ok %d", out, 2*n)
	}
}

// TestProcessesMissedChanges: the child's listener connection is ended
// and cannot come back; a key disabled meanwhile is still refused by the
// child within the bound (it reads the store while it is not fresh).
// When the listener reconnects, it catches up on what it did not hear and
// is fresh again within the bound, and the key stays refused.
func TestProcessesMissedChanges(t *testing.T) {
	k, _, c, _ := twoProcesses(t)
	key := createKey(t, k)
	if got := c.do("encrypt " + key); got != "ok" {
		t.Fatalf("child Encrypt: %s", got)
	}
	if got := c.do("cut"); got != "ok" {
		t.Fatalf("cut: %s", got)
	}
	if _, err := k.DisableKey(t.Context(), &kms.DisableKeyInput{KeyId: key}); err != nil {
		t.Fatal(err)
	}
	refusedWithin(t, "the child's Encrypt while its listener is cut off", time.Now(), "DisabledException", func() string { return c.do("encrypt " + key) })
	time.Sleep(procStaleness)
	if got := c.do("fresh"); got != "false" {
		t.Fatalf("child Fresh while cut off: %s", got)
	}
	c.do("reconnect")
	back := time.Now()
	for c.do("fresh") != "true" {
		if time.Since(back) > procStaleness+time.Second {
			t.Fatal("the child is not fresh again after its listener could reconnect")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := c.do("encrypt " + key); got != "DisabledException" {
		t.Errorf("the child's Encrypt after catching up: %s, want DisabledException", got)
	}
}
