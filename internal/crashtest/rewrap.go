package crashtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/keystore"
)

// rewrapRoots are the root keys RunRewrap's child moves the store between,
// in a cycle: from rewrapRoots[n] to rewrapRoots[(n+1)%3].
var rewrapRoots = [3][]byte{
	RootKey,
	[]byte("embedkms crash test root key #2."),
	[]byte("embedkms crash test root key #3."),
}

// rewrapKeys is how many keys RunRewrap puts in the store it re-wraps.
const rewrapKeys = 12

// RunRewrap is Run for kms.RewrapRootKey: it fills a store with keys,
// ciphertexts, aliases and a key pending deletion under one root key, then
// runs Rounds rounds of a child that re-wraps the store from root key to
// root key in a loop (journalling each re-wrap after it returned) and is
// killed with SIGKILL at a random moment. After each kill the store must
// open under exactly one root key, the one the journal last acknowledged
// or the next (a re-wrap that committed but was not journalled yet),
// every other root key must be refused with keystore.ErrWrongRootKey, and
// every key, ciphertext and alias must read back as before. A store
// readable under neither would fail the round.
func RunRewrap(t *testing.T, kind string, stores map[string]Opener) {
	open, ok := stores[kind]
	if !ok {
		t.Fatalf("no store kind %q", kind)
	}
	if _, ok := os.LookupEnv(envKind); ok {
		t.Skip("in the child process")
	}
	dir := t.TempDir()
	storeDir, journal := filepath.Join(dir, "store"), filepath.Join(dir, "journal")
	want, err := fillRewrapStore(open, storeDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journal, []byte("at 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := Rounds()
	rewraps := 0
	for r := range n {
		killAfter := time.Duration(5+rand.IntN(196)) * time.Millisecond
		if err := crash(kind, storeDir, journal, killAfter, envMode+"=rewrap"); err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		acked, done, err := lastRoot(journal)
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		rewraps += done
		at, err := verifyRewrap(open, storeDir, acked, want)
		if err != nil {
			t.Fatalf("round %d, after a kill %v into the child's work (journal: root key %d): %v", r, killAfter, acked, err)
		}
		// The next child starts from the root key the store is really
		// under.
		if err := appendLine(journal, fmt.Sprintf("at %d", at)); err != nil {
			t.Fatal(err)
		}
	}
	if rewraps == 0 {
		t.Fatalf("no re-wrap completed in %d rounds: the test exercised nothing", n)
	}
	t.Logf("%d rounds, %d acknowledged re-wraps of %d keys", n, rewraps, rewrapKeys)
}

// rewrapWant is what the store must hold after any number of re-wraps.
type rewrapWant struct {
	ciphertexts map[string][]byte // key id -> a ciphertext of plaintext(id)
	aliases     map[string]string // alias -> key id
	pending     string            // a key pending deletion
}

func fillRewrapStore(open Opener, storeDir string) (*rewrapWant, error) {
	s, err := open(storeDir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	k, err := kms.New(kms.Options{Backend: s, RootKey: rewrapRoots[0]})
	if err != nil {
		return nil, err
	}
	defer k.Close()
	ctx := context.Background()
	w := &rewrapWant{ciphertexts: map[string][]byte{}, aliases: map[string]string{}}
	for i := range rewrapKeys {
		ck, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			return nil, err
		}
		id := ck.KeyMetadata.KeyId
		if i == rewrapKeys-1 {
			if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 30}); err != nil {
				return nil, err
			}
			w.pending = id
			continue
		}
		enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: plaintext(id)})
		if err != nil {
			return nil, err
		}
		w.ciphertexts[id] = enc.CiphertextBlob
		alias := "alias/rewrap-" + strconv.Itoa(i)
		if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: alias, TargetKeyId: id}); err != nil {
			return nil, err
		}
		w.aliases[alias] = id
	}
	return w, nil
}

// rewrapChild is the child of RunRewrap: it re-wraps s from root key to
// root key until it is killed, journalling "at N" after each re-wrap to
// rewrapRoots[N] returned.
func rewrapChild(t *testing.T, s backend.Store) {
	at, _, err := lastRoot(os.Getenv(envJournal))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(ready)
	ctx := context.Background()
	for {
		next := (at + 1) % len(rewrapRoots)
		if err := kms.RewrapRootKey(ctx, s, keystore.RawRootKey(rewrapRoots[at]), keystore.RawRootKey(rewrapRoots[next])); err != nil {
			t.Fatalf("RewrapRootKey %d -> %d: %v", at, next, err)
		}
		if err := appendLine(os.Getenv(envJournal), fmt.Sprintf("rewrapped %d", next)); err != nil {
			t.Fatal(err)
		}
		at = next
	}
}

// lastRoot returns the root key the journal last says the store is under,
// and how many re-wraps its last child acknowledged. A line the kill cut
// short was never acknowledged.
func lastRoot(journal string) (at, rewraps int, err error) {
	data, err := os.ReadFile(journal)
	if err != nil {
		return 0, 0, err
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	}
	at = -1
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 || (f[0] != "at" && f[0] != "rewrapped") {
			return 0, 0, fmt.Errorf("bad journal line %q", l)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 0 || n >= len(rewrapRoots) {
			return 0, 0, fmt.Errorf("bad journal line %q", l)
		}
		if f[0] == "at" {
			rewraps = 0
		} else {
			rewraps++
		}
		at = n
	}
	if at < 0 {
		return 0, 0, errors.New("empty journal")
	}
	return at, rewraps, nil
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// verifyRewrap reopens the store and returns the root key it is under,
// which must be acked or the one after it; every other root key must be
// refused, and the store must hold everything in want.
func verifyRewrap(open Opener, storeDir string, acked int, want *rewrapWant) (int, error) {
	s, err := open(storeDir)
	if err != nil {
		return 0, fmt.Errorf("reopening the store: %w", err)
	}
	defer s.Close()
	at := -1
	for i, root := range rewrapRoots {
		k, err := kms.New(kms.Options{Backend: s, RootKey: root})
		if errors.Is(err, keystore.ErrWrongRootKey) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("kms.New with root key %d: %w", i, err)
		}
		if at >= 0 {
			k.Close()
			return 0, fmt.Errorf("the store opens under root keys %d and %d", at, i)
		}
		at = i
		err = checkRewrapped(k, s, want)
		k.Close()
		if err != nil {
			return 0, fmt.Errorf("under root key %d: %w", i, err)
		}
	}
	switch {
	case at < 0:
		return 0, errors.New("the store opens under no root key")
	case at != acked && at != (acked+1)%len(rewrapRoots):
		return 0, fmt.Errorf("the store is under root key %d; the journal acknowledged %d", at, acked)
	}
	return at, nil
}

func checkRewrapped(k *kms.KMS, s backend.Store, want *rewrapWant) error {
	ctx := context.Background()
	for id, blob := range want.ciphertexts {
		if err := checkKey(ctx, k, id, false, false); err != nil {
			return fmt.Errorf("key %s: %w", id, err)
		}
		out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		if err != nil {
			return fmt.Errorf("Decrypt under %s: %w", id, err)
		}
		if !bytes.Equal(out.Plaintext, plaintext(id)) {
			return fmt.Errorf("Decrypt under %s = %q", id, out.Plaintext)
		}
	}
	for alias, id := range want.aliases {
		out, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: alias})
		if err != nil {
			return fmt.Errorf("%s: %w", alias, err)
		}
		if out.KeyMetadata.KeyId != id {
			return fmt.Errorf("%s resolves to %s, want %s", alias, out.KeyMetadata.KeyId, id)
		}
	}
	if err := checkKey(ctx, k, want.pending, true, true); err != nil {
		return fmt.Errorf("key %s: %w", want.pending, err)
	}
	return s.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(_, _ []byte) bool { return true })
	})
}
