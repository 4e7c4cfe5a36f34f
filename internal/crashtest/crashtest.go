// Package crashtest checks that a durable backend.Store keeps every
// acknowledged write of a kms handle when the process dies at a random
// moment: a harness shared by the tests of the durable stores.
//
// A store's tests use it with two functions, one store kind each:
//
//	var stores = map[string]crashtest.Opener{"mystore": openMyStore}
//
//	func TestHelperCrashChild(t *testing.T) { crashtest.Child(t, stores) }
//	func TestCrashRecovery(t *testing.T)   { crashtest.Run(t, "mystore", stores) }
//
// Run re-executes the test binary (os.Args[0], -test.run=^TestHelperCrashChild$)
// with environment variables naming the store kind, its directory and a
// journal file. In that child, Child opens a kms handle on the store with
// RootKey and loops CreateKey, Encrypt, CreateAlias and, every third key,
// ScheduleKeyDeletion, appending each result to the journal (and fsyncing
// it) only after the operation returned. The parent kills the child with
// SIGKILL after a random 5–200 ms of work, reopens the store with kms.New
// and checks that every journalled key exists in the state the journal
// implies, every journalled ciphertext decrypts, every journalled alias
// resolves and the whole store reads back. The store and journal carry
// over from round to round, so later rounds recover a store that has
// already crashed many times.
//
// RunRewrap does the same for kms.RewrapRootKey: its child moves a store
// from root key to root key in a loop until it is killed, and after each
// kill the store must open under exactly one root key with every key
// intact (see RunRewrap).
//
// The number of rounds is the -crash.rounds flag, or the
// EMBEDKMS_CRASH_ROUNDS environment variable, default 50.
package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
)

// Opener opens the durable store kept in dir.
type Opener func(dir string) (backend.Store, error)

// RootKey is the root key of every store the harness creates.
var RootKey = []byte("embedkms crash test root key 32B")

var rounds = flag.Int("crash.rounds", 50, "rounds of the crash tests (kill, reopen, check)")

// Environment variables that make the test binary the child.
const (
	envKind    = "EMBEDKMS_CRASH_KIND"
	envDir     = "EMBEDKMS_CRASH_DIR"
	envJournal = "EMBEDKMS_CRASH_JOURNAL"
	envRounds  = "EMBEDKMS_CRASH_ROUNDS"
	envMode    = "EMBEDKMS_CRASH_MODE" // "rewrap" for RunRewrap's child
	ready      = "crashtest: ready"
)

// Rounds returns the number of rounds Run runs.
func Rounds() int {
	if v := os.Getenv(envRounds); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return *rounds
}

// plaintext is what the child encrypts under key id.
func plaintext(id string) []byte { return []byte("crash test plaintext for " + id) }

// Child is the body of TestHelperCrashChild. Outside a child process
// started by Run it skips; in one, it works until it is killed.
func Child(t *testing.T, stores map[string]Opener) {
	kind := os.Getenv(envKind)
	if kind == "" {
		t.Skip("the child process of the crash tests")
	}
	open, ok := stores[kind]
	if !ok {
		t.Fatalf("no store kind %q", kind)
	}
	s, err := open(os.Getenv(envDir))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if os.Getenv(envMode) == "rewrap" {
		rewrapChild(t, s)
		return
	}
	k, err := kms.New(kms.Options{Backend: s, RootKey: RootKey})
	if err != nil {
		t.Fatalf("kms.New: %v", err)
	}
	j, err := os.OpenFile(os.Getenv(envJournal), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	journal := func(format string, args ...any) {
		if _, err := fmt.Fprintf(j, format+"\n", args...); err != nil {
			t.Fatal(err)
		}
		if err := j.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println(ready)
	ctx := context.Background()
	for i := 0; ; i++ {
		ck, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
		id := ck.KeyMetadata.KeyId
		journal("key %s", id)
		enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: plaintext(id)})
		if err != nil {
			t.Fatalf("Encrypt: %v", err)
		}
		journal("ciphertext %s %s", id, base64.StdEncoding.EncodeToString(enc.CiphertextBlob))
		alias := "alias/crash-" + id
		if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: alias, TargetKeyId: id}); err != nil {
			t.Fatalf("CreateAlias: %v", err)
		}
		journal("alias %s %s", alias, id)
		if i%3 == 2 {
			// The deletion may happen without its "deleted" line: the
			// "deleting" line before it tells the parent not to expect
			// the key enabled.
			journal("deleting %s", id)
			if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 7}); err != nil {
				t.Fatalf("ScheduleKeyDeletion: %v", err)
			}
			journal("deleted %s", id)
		}
	}
}

// Run runs Rounds rounds of the crash test on the store kind of stores
// (see the package documentation).
func Run(t *testing.T, kind string, stores map[string]Opener) {
	open, ok := stores[kind]
	if !ok {
		t.Fatalf("no store kind %q", kind)
	}
	if _, ok := os.LookupEnv(envKind); ok {
		t.Skip("in the child process")
	}
	dir := t.TempDir()
	storeDir, journal := filepath.Join(dir, "store"), filepath.Join(dir, "journal")
	n := Rounds()
	total := 0
	for r := range n {
		killAfter := time.Duration(5+rand.IntN(196)) * time.Millisecond
		if err := crash(kind, storeDir, journal, killAfter); err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		entries, err := verify(open, storeDir, journal)
		if err != nil {
			t.Fatalf("round %d, after a kill %v into the child's work: %v", r, killAfter, err)
		}
		total = entries
	}
	t.Logf("%d rounds; %d journalled results checked in the last", n, total)
}

// crash runs the child, kills it after killAfter of work and waits for it.
func crash(kind, storeDir, journal string, killAfter time.Duration, env ...string) error {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envKind+"="+kind, envDir+"="+storeDir, envJournal+"="+journal)
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	started := make(chan error, 1)
	var tail bytes.Buffer
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == ready {
				started <- nil
				break
			}
			tail.WriteString(sc.Text() + "\n")
		}
		started <- errors.New("the child ended before it was ready")
		for sc.Scan() { // drain, so the child never blocks on stdout
		}
	}()
	select {
	case err = <-started:
	case <-time.After(30 * time.Second):
		err = errors.New("the child was not ready after 30s")
	}
	if err == nil {
		time.Sleep(killAfter)
	}
	cmd.Process.Kill() // SIGKILL
	werr := cmd.Wait()
	if err != nil {
		return fmt.Errorf("%v: %v\n%s%s", err, werr, tail.String(), stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		return fmt.Errorf("the child ended by itself (%v) before it was killed:\n%s", werr, stderr.String())
	}
	return nil
}

// verify reopens the store and checks everything the journal records. It
// returns the number of journal lines checked.
func verify(open Opener, storeDir, journal string) (int, error) {
	data, err := os.ReadFile(journal)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	// A line the kill cut short was never acknowledged: drop it.
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	} else {
		data = nil
	}
	s, err := open(storeDir)
	if err != nil {
		return 0, fmt.Errorf("reopening the store: %w", err)
	}
	defer s.Close()
	k, err := kms.New(kms.Options{Backend: s, RootKey: RootKey})
	if err != nil {
		return 0, fmt.Errorf("kms.New on the reopened store: %w", err)
	}
	defer k.Close()
	ctx := context.Background()
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	deleting, deleted := map[string]bool{}, map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == "deleting" {
			deleting[f[1]] = true
		}
		if len(f) == 2 && f[0] == "deleted" {
			deleted[f[1]] = true
		}
	}
	checked := 0
	for _, l := range lines {
		if l == "" {
			continue
		}
		f := strings.Fields(l)
		var err error
		switch f[0] {
		case "key":
			err = checkKey(ctx, k, f[1], deleting[f[1]], deleted[f[1]])
		case "ciphertext":
			if deleting[f[1]] {
				continue // a key pending deletion refuses to decrypt
			}
			err = checkCiphertext(ctx, k, f[1], f[2])
		case "alias":
			var out *kms.DescribeKeyOutput
			out, err = k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: f[1]})
			if err == nil && out.KeyMetadata.KeyId != f[2] {
				err = fmt.Errorf("resolves to %s, want %s", out.KeyMetadata.KeyId, f[2])
			}
		case "deleting", "deleted":
			continue
		default:
			err = errors.New("unknown journal line")
		}
		if err != nil {
			return checked, fmt.Errorf("journal %q: %w", l, err)
		}
		checked++
	}
	// Every record reads back: nothing half-written in the store.
	err = s.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(_, _ []byte) bool { return true })
	})
	if err != nil {
		return checked, fmt.Errorf("scanning the reopened store: %w", err)
	}
	var marker string
	for {
		out, err := k.ListKeys(ctx, &kms.ListKeysInput{Marker: marker, Limit: 1000})
		if err != nil {
			return checked, fmt.Errorf("ListKeys on the reopened store: %w", err)
		}
		for _, e := range out.Keys {
			if _, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: e.KeyId}); err != nil {
				return checked, fmt.Errorf("DescribeKey(%s) of a listed key: %w", e.KeyId, err)
			}
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	return checked, nil
}

func checkKey(ctx context.Context, k *kms.KMS, id string, deleting, deleted bool) error {
	out, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	if err != nil {
		return err
	}
	state := out.KeyMetadata.KeyState
	switch {
	case deleted && state != kms.KeyStatePendingDeletion:
		return fmt.Errorf("state %s after ScheduleKeyDeletion returned", state)
	case !deleting && state != kms.KeyStateEnabled:
		return fmt.Errorf("state %s, want Enabled", state)
	}
	return nil
}

func checkCiphertext(ctx context.Context, k *kms.KMS, id, b64 string) error {
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return err
	}
	out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	if err != nil {
		return fmt.Errorf("Decrypt: %w", err)
	}
	if !bytes.Equal(out.Plaintext, plaintext(id)) || !strings.HasSuffix(out.KeyId, id) {
		return fmt.Errorf("Decrypt = %q under %s", out.Plaintext, out.KeyId)
	}
	return nil
}
