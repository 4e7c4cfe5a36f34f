package kms

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore/xks"
)

// watchStore is a backend.Watcher over a memory store, standing for a
// store other processes write to: every committed Update's written keys
// are reported to the watchers, unless the test holds the reports back;
// Fresh is what the test sets.
type watchStore struct {
	*memory.Store
	fresh atomic.Bool

	mu       sync.Mutex // serialises reports, in commit order
	watchers map[int]func([][]byte)
	next     int
	hold     bool
	held     [][][]byte

	// afterKeyRead, when set, is called once (then cleared) after a
	// View that read a key record, before the View returns.
	afterKeyRead atomic.Pointer[func()]
}

func newWatchStore() *watchStore {
	s := &watchStore{Store: memory.New(), watchers: map[int]func([][]byte){}}
	s.fresh.Store(true)
	return s
}

func (s *watchStore) Watch(fn func(keys [][]byte)) (stop func()) {
	s.mu.Lock()
	id := s.next
	s.next++
	s.watchers[id] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.watchers, id)
		s.mu.Unlock()
	}
}

func (s *watchStore) Fresh() bool { return s.fresh.Load() }

// watching returns the number of Watch functions subscribed.
func (s *watchStore) watching() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.watchers)
}

// report delivers keys to every watcher, or holds it back.
func (s *watchStore) report(keys [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold {
		s.held = append(s.held, keys)
		return
	}
	for _, fn := range s.watchers {
		fn(keys)
	}
}

// holdReports makes reports wait until releaseReports.
func (s *watchStore) holdReports() {
	s.mu.Lock()
	s.hold = true
	s.mu.Unlock()
}

// releaseReports delivers the reports held, in order, and stops holding.
func (s *watchStore) releaseReports() {
	s.mu.Lock()
	held := s.held
	s.hold, s.held = false, nil
	s.mu.Unlock()
	for _, keys := range held {
		s.report(keys)
	}
}

// dropReports forgets the reports held (a lost notification) and stops
// holding.
func (s *watchStore) dropReports() {
	s.mu.Lock()
	s.hold, s.held = false, nil
	s.mu.Unlock()
}

func (s *watchStore) Update(ctx context.Context, fn func(backend.Txn) error) error {
	var written [][]byte
	err := s.Store.Update(ctx, func(tx backend.Txn) error {
		written = written[:0]
		return fn(&recordingTxn{Txn: tx, written: &written})
	})
	if err == nil && len(written) > 0 {
		s.report(written)
	}
	return err
}

func (s *watchStore) View(ctx context.Context, fn func(backend.Txn) error) error {
	read := false
	err := s.Store.View(ctx, func(tx backend.Txn) error {
		return fn(&recordingTxn{Txn: tx, readKey: &read})
	})
	if read {
		if hook := s.afterKeyRead.Swap(nil); hook != nil {
			(*hook)()
		}
	}
	return err
}

// recordingTxn notes the keys a transaction writes, and whether it read a
// key record.
type recordingTxn struct {
	backend.Txn
	written *[][]byte
	readKey *bool
}

func (t *recordingTxn) Get(key []byte) ([]byte, error) {
	if t.readKey != nil && bytes.HasPrefix(key, []byte(keyRecordPrefix)) {
		*t.readKey = true
	}
	return t.Txn.Get(key)
}

func (t *recordingTxn) Set(key, value []byte) error {
	*t.written = append(*t.written, bytes.Clone(key))
	return t.Txn.Set(key, value)
}

func (t *recordingTxn) Delete(key []byte) error {
	*t.written = append(*t.written, bytes.Clone(key))
	return t.Txn.Delete(key)
}

var isolated atomic.Int64

// isolate gives k a shared state of its own, as a handle in another
// process has: the next handle opened on k's store gets a new one, with
// its own cache and its own subscription to the store's reports. k must
// be the only handle on its shared state.
func isolate(t *testing.T, k *KMS) {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	sh := sharedFor[k.storeID]
	if sh != k.shared || sh.refs != 1 {
		t.Fatal("isolate: the handle's shared state is not its own")
	}
	delete(sharedFor, k.storeID)
	k.storeID += "/isolated-" + strconv.FormatInt(isolated.Add(1), 10)
	sharedFor[k.storeID] = sh
}

// twoProcesses opens two handles on one watchStore that share nothing in
// memory, as two processes on one database: a and b.
func twoProcesses(t *testing.T, opts Options) (s *watchStore, a, b *KMS) {
	t.Helper()
	s = newWatchStore()
	opts.Backend = s
	opts.RootKey = bytes.Repeat([]byte{7}, 32)
	opts.Clock = fixedClock{}
	var err error
	if a, err = New(opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	isolate(t, a)
	if b, err = New(opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if a.shared == b.shared {
		t.Fatal("the two handles share one cache")
	}
	return s, a, b
}

func cohCreateKey(t *testing.T, k *KMS) string {
	t.Helper()
	out, err := k.CreateKey(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata.KeyId
}

func cohEncrypt(k *KMS, keyID string) (*EncryptOutput, error) {
	return k.Encrypt(context.Background(), &EncryptInput{KeyId: keyID, Plaintext: []byte("coherent")})
}

// mustEncrypt encrypts with keyID through k, which also puts the key (and
// the alias) in k's cache.
func mustEncrypt(t *testing.T, k *KMS, keyID string) *EncryptOutput {
	t.Helper()
	out, err := cohEncrypt(k, keyID)
	if err != nil {
		t.Fatalf("Encrypt with %s: %v", keyID, err)
	}
	return out
}

func (k *KMS) cachedKeyCount() (n int) {
	k.shared.keys.Range(func(_, _ any) bool { n++; return true })
	return n
}

func (k *KMS) cachedAliasCount() (n int) {
	k.shared.aliases.Range(func(_, _ any) bool { n++; return true })
	return n
}

// A key disabled in one process is refused in the other once the report
// of the change arrives; before it, the other process used its cache
// (the test store reports at once, so the report is there).
func TestCoherenceDisableKeyReported(t *testing.T) {
	ctx := context.Background()
	_, a, b := twoProcesses(t, Options{})
	id := cohCreateKey(t, a)
	mustEncrypt(t, b, id)
	if b.cachedKeyCount() != 1 {
		t.Fatal("b did not cache the key it used")
	}
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := cohEncrypt(b, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("b's Encrypt with a key a disabled: %v, want DisabledException", err)
	}
}

// The window the bound allows: while the report of a's DisableKey is held
// and the store says Fresh, b uses what it cached; once the store is no
// longer Fresh (the report is overdue), b reads the store and refuses,
// though the report is still held; once the report arrives, b refuses
// when the store is Fresh again.
func TestCoherenceHeldReportAndFresh(t *testing.T) {
	ctx := context.Background()
	s, a, b := twoProcesses(t, Options{})
	id := cohCreateKey(t, a)
	mustEncrypt(t, b, id)

	s.holdReports()
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := cohEncrypt(b, id); err != nil {
		t.Fatalf("b refused its cached key while the store is Fresh and no report came: %v (the window the bound documents)", err)
	}

	s.fresh.Store(false)
	if _, err := cohEncrypt(b, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("b's Encrypt while the store is not Fresh: %v, want DisabledException read from the store", err)
	}
	if b.cachedKeyCount() != 1 {
		t.Fatal("the report is held, yet b's cache lost the key: b filled or dropped it while stale")
	}
	// While stale, nothing read is kept: the cache still holds the
	// Enabled key b read before.
	if ck, _ := b.shared.keys.Load(keyRef{b.account, b.region, id}); KeyState(ck.(*cachedKey).rec.State) != KeyStateEnabled {
		t.Fatal("b filled its cache while the store was not Fresh")
	}

	s.releaseReports()
	s.fresh.Store(true)
	if _, err := cohEncrypt(b, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("b's Encrypt after the report: %v, want DisabledException", err)
	}
}

// Every change another process makes to what a handle caches reaches it
// through the store's report: the key record (state, deletion, policy,
// material) and the alias record (deleted, re-pointed). Grants are not
// cached: a revoked grant is refused at once.
func TestCoherenceChangesInOtherProcess(t *testing.T) {
	const grantee = "arn:aws:iam::111122223333:user/grantee"
	denyEncrypt := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}]}`
	cases := []struct {
		name   string
		setup  func(t *testing.T, e *cohEnv) // in a, before b uses the key
		use    string                        // what b encrypts with: "key" or "alias"
		change func(e *cohEnv) error         // in a
		check  func(t *testing.T, e *cohEnv, out *EncryptOutput, err error)
	}{
		{
			name: "ScheduleKeyDeletion", use: "key",
			change: func(e *cohEnv) error {
				_, err := e.a.ScheduleKeyDeletion(context.Background(), &ScheduleKeyDeletionInput{KeyId: e.id, PendingWindowInDays: 7})
				return err
			},
			check: wantCode(ErrKMSInvalidState),
		},
		{
			name: "DeleteAlias", use: "alias",
			change: func(e *cohEnv) error {
				_, err := e.a.DeleteAlias(context.Background(), &DeleteAliasInput{AliasName: e.alias})
				return err
			},
			check: wantCode(ErrNotFound),
		},
		{
			name: "UpdateAlias", use: "alias",
			change: func(e *cohEnv) error {
				_, err := e.a.UpdateAlias(context.Background(), &UpdateAliasInput{AliasName: e.alias, TargetKeyId: e.id2})
				return err
			},
			check: func(t *testing.T, e *cohEnv, out *EncryptOutput, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if want := e.b.keyARN(keyRef{e.b.account, e.b.region, e.id2}); out.KeyId != want {
					t.Fatalf("b encrypted under %s through the re-pointed alias, want %s", out.KeyId, want)
				}
			},
		},
		{
			name: "PutKeyPolicy", use: "key",
			change: func(e *cohEnv) error {
				_, err := e.a.PutKeyPolicy(context.Background(), &PutKeyPolicyInput{KeyId: e.id, Policy: denyEncrypt})
				return err
			},
			check: wantCode(ErrAccessDenied),
		},
		{
			name: "RevokeGrant", use: "key",
			setup: func(t *testing.T, e *cohEnv) {
				out, err := e.a.CreateGrant(context.Background(), &CreateGrantInput{KeyId: e.id, GranteePrincipal: grantee, Operations: []GrantOperation{GrantOperationEncrypt}})
				if err != nil {
					t.Fatal(err)
				}
				e.grantID, e.asCaller = out.GrantId, WithCaller(context.Background(), grantee)
			},
			change: func(e *cohEnv) error {
				_, err := e.a.RevokeGrant(context.Background(), &RevokeGrantInput{KeyId: e.id, GrantId: e.grantID})
				return err
			},
			check: wantCode(ErrAccessDenied),
		},
		{
			name: "RotateKeyOnDemand", use: "key",
			change: func(e *cohEnv) error {
				_, err := e.a.RotateKeyOnDemand(context.Background(), &RotateKeyOnDemandInput{KeyId: e.id})
				return err
			},
			check: func(t *testing.T, e *cohEnv, out *EncryptOutput, err error) {
				if err != nil {
					t.Fatal(err)
				}
				d, err := e.a.DescribeKey(context.Background(), &DescribeKeyInput{KeyId: e.id})
				if err != nil {
					t.Fatal(err)
				}
				h, err := crypto.ParseBlobHeader(out.CiphertextBlob)
				if err != nil {
					t.Fatal(err)
				}
				if got := hex.EncodeToString(h.MaterialID[:]); got != d.KeyMetadata.CurrentKeyMaterialId {
					t.Fatalf("b encrypted under material %s after a rotated the key, want the new current %s", got, d.KeyMetadata.CurrentKeyMaterialId)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			// IAM modelled with no policies: only the key policy, which
			// delegates to IAM, or a grant lets the grantee in.
			_, a, b := twoProcesses(t, Options{IdentityPolicies: IdentityPolicies{}})
			e := &cohEnv{a: a, b: b, alias: "alias/coherence", asCaller: ctx}
			e.id, e.id2 = cohCreateKey(t, a), cohCreateKey(t, a)
			if _, err := a.CreateAlias(ctx, &CreateAliasInput{AliasName: e.alias, TargetKeyId: e.id}); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(t, e)
			}
			target := e.id
			if tc.use == "alias" {
				target = e.alias
			}
			in := &EncryptInput{KeyId: target, Plaintext: []byte("coherent")}
			if _, err := b.Encrypt(e.asCaller, in); err != nil {
				t.Fatalf("b's first Encrypt: %v", err)
			}
			if err := tc.change(e); err != nil {
				t.Fatal(err)
			}
			out, err := b.Encrypt(e.asCaller, in)
			tc.check(t, e, out, err)
		})
	}
}

// cohEnv is what a case of TestCoherenceChangesInOtherProcess works on.
type cohEnv struct {
	a, b     *KMS
	id, id2  string // two keys; the alias points at id
	alias    string
	asCaller context.Context // the context b's Encrypt runs under
	grantID  string
}

// wantCode checks that b's Encrypt failed with code c.
func wantCode(c Code) func(t *testing.T, e *cohEnv, out *EncryptOutput, err error) {
	return func(t *testing.T, _ *cohEnv, _ *EncryptOutput, err error) {
		t.Helper()
		if !errors.Is(err, c) {
			t.Fatalf("b's Encrypt after a's change: %v, want %s", err, c)
		}
	}
}

// A report of nil (the store lost track of what changed: a dropped
// connection) drops everything cached: a change whose own report was lost
// is then seen.
func TestCoherenceNilReportFlushesAll(t *testing.T) {
	ctx := context.Background()
	s, a, b := twoProcesses(t, Options{})
	id, other := cohCreateKey(t, a), cohCreateKey(t, a)
	if _, err := a.CreateAlias(ctx, &CreateAliasInput{AliasName: "alias/flushed", TargetKeyId: other}); err != nil {
		t.Fatal(err)
	}
	mustEncrypt(t, b, id)
	mustEncrypt(t, b, "alias/flushed")
	if b.cachedKeyCount() != 2 || b.cachedAliasCount() != 1 {
		t.Fatalf("b cached %d keys and %d aliases, want 2 and 1", b.cachedKeyCount(), b.cachedAliasCount())
	}
	s.holdReports()
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	s.dropReports() // the report of the DisableKey is lost
	if _, err := cohEncrypt(b, id); err != nil {
		t.Fatalf("before the nil report: %v (b still uses its cache)", err)
	}
	gen := b.shared.gen.Load()
	s.report(nil)
	if b.cachedKeyCount() != 0 || b.cachedAliasCount() != 0 {
		t.Fatalf("after a nil report b still caches %d keys and %d aliases", b.cachedKeyCount(), b.cachedAliasCount())
	}
	if b.shared.gen.Load() == gen {
		t.Fatal("a nil report did not advance gen: a fill under way could store what it read before")
	}
	if _, err := cohEncrypt(b, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("after a nil report: %v, want DisabledException", err)
	}
}

// Reports of records nothing cached depends on (the last-use records,
// written often, grants, the date indexes, the key count, the by-key alias
// index, custom key stores) drop nothing and do not advance gen, so they
// cannot keep fills from being stored.
func TestCoherenceUncachedReportsFlushNothing(t *testing.T) {
	ctx := context.Background()
	s, a, b := twoProcesses(t, Options{})
	id := cohCreateKey(t, a)
	if _, err := a.CreateAlias(ctx, &CreateAliasInput{AliasName: "alias/kept", TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	mustEncrypt(t, b, "alias/kept")
	acct, region := b.account, b.region
	p := acct + "/" + region + "/"
	keys := [][]byte{
		[]byte("lastused/" + p + id),
		[]byte("grant/" + p + id + "/0123"),
		[]byte("deletion/" + p + "00000000000000000001/" + id),
		[]byte("rotation/" + p + "00000000000000000001/" + id),
		[]byte("importexpiry/" + p + "00000000000000000001/" + id),
		[]byte("keycount/" + acct + "/" + region),
		[]byte("aliasbykey/" + p + id + "/alias/kept"),
		[]byte("customkeystore/" + p + "cks-0123456789abcdef0"),
		[]byte("meta/store-id"),
		[]byte("key/"), // a prefix alone names no record
		[]byte("alias/" + acct),
	}
	gen := b.shared.gen.Load()
	s.report(keys)
	if b.cachedKeyCount() != 1 || b.cachedAliasCount() != 1 {
		t.Fatalf("reports of uncached records left %d keys and %d aliases cached, want 1 and 1", b.cachedKeyCount(), b.cachedAliasCount())
	}
	if b.shared.gen.Load() != gen {
		t.Fatal("reports of uncached records advanced gen")
	}
	// A's own last-use writes (Close writes the uses noted) change
	// nothing in b either.
	mustEncrypt(t, a, id)
	if _, _, err := a.flushUsage(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if b.cachedKeyCount() != 1 || b.shared.gen.Load() != gen {
		t.Fatal("a's last-use write dropped b's cache")
	}
}

// A report names exactly the records it drops: another key's report
// leaves this one cached, and an alias whose name holds "/" is found.
func TestCoherenceReportDropsWhatItNames(t *testing.T) {
	ctx := context.Background()
	s, a, b := twoProcesses(t, Options{})
	id, other := cohCreateKey(t, a), cohCreateKey(t, a)
	if _, err := a.CreateAlias(ctx, &CreateAliasInput{AliasName: "alias/team/app", TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	mustEncrypt(t, b, "alias/team/app")
	mustEncrypt(t, b, other)
	p := b.account + "/" + b.region + "/"
	s.report([][]byte{[]byte("key/" + p + other)})
	if _, ok := b.shared.keys.Load(keyRef{b.account, b.region, other}); ok {
		t.Fatal("the reported key is still cached")
	}
	if _, ok := b.shared.keys.Load(keyRef{b.account, b.region, id}); !ok {
		t.Fatal("a report of another key dropped this one")
	}
	s.report([][]byte{[]byte("alias/" + p + "alias/team/app")})
	if _, ok := b.shared.aliases.Load(keyRef{b.account, b.region, "alias/team/app"}); ok {
		t.Fatal("the reported alias is still cached")
	}
	if _, ok := b.shared.keys.Load(keyRef{b.account, b.region, id}); !ok {
		t.Fatal("an alias report dropped a key")
	}
}

// A fill that read the store before another process's commit, and would
// store after that commit's report, is not stored: b's next use reads the
// store and sees the change.
func TestCoherenceFillRacingReportNotStored(t *testing.T) {
	ctx := context.Background()
	s, a, b := twoProcesses(t, Options{})
	id := cohCreateKey(t, a)
	read, disabled := make(chan struct{}), make(chan struct{})
	hook := func() {
		close(read)
		<-disabled
	}
	s.afterKeyRead.Store(&hook)
	done := make(chan error, 1)
	go func() {
		_, err := cohEncrypt(b, id) // reads Enabled, then waits
		done <- err
	}()
	<-read
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	close(disabled)
	if err := <-done; err != nil {
		t.Fatalf("b's Encrypt that read the key before the change: %v", err)
	}
	if b.cachedKeyCount() != 0 {
		t.Fatal("b stored a fill that read the key before a change reported during the fill")
	}
	if _, err := cohEncrypt(b, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("b's next Encrypt: %v, want DisabledException", err)
	}
}

// One subscription per shared state, whatever the number of handles on
// it; it ends when the last handle closes. A memory store gets none.
func TestCoherenceWatchLifetime(t *testing.T) {
	s := newWatchStore()
	opts := Options{Backend: s, RootKey: bytes.Repeat([]byte{9}, 32), Clock: fixedClock{}}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if a.shared != b.shared || s.watching() != 1 {
		t.Fatalf("two handles in one process: %d subscriptions, want 1 on one shared state", s.watching())
	}
	a.Close()
	if s.watching() != 1 {
		t.Fatal("the subscription ended while a handle remained")
	}
	b.Close()
	if s.watching() != 0 {
		t.Fatal("the subscription outlived the last handle")
	}
	m, err := New(Options{Clock: fixedClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.shared.watch.Load() != nil {
		t.Fatal("a memory store's shared state has a subscription")
	}
}

func TestCachedRef(t *testing.T) {
	cases := []struct {
		key, prefix string
		want        keyRef
		ok          bool
	}{
		{"key/111122223333/us-east-1/1234abcd-12ab-34cd-56ef-1234567890ab", keyRecordPrefix, keyRef{"111122223333", "us-east-1", "1234abcd-12ab-34cd-56ef-1234567890ab"}, true},
		{"alias/111122223333/eu-west-1/alias/a/b", aliasRecordPrefix, keyRef{"111122223333", "eu-west-1", "alias/a/b"}, true},
		{"keycount/111122223333/us-east-1", keyRecordPrefix, keyRef{}, false},
		{"aliasbykey/111122223333/us-east-1/k/alias/x", aliasRecordPrefix, keyRef{}, false},
		{"key/111122223333/us-east-1/", keyRecordPrefix, keyRef{}, false},
		{"key/111122223333", keyRecordPrefix, keyRef{}, false},
		{"key//us-east-1/k", keyRecordPrefix, keyRef{}, false},
		{"key/", keyRecordPrefix, keyRef{}, false},
	}
	for _, tc := range cases {
		got, ok := cachedRef([]byte(tc.key), tc.prefix)
		if got != tc.want || ok != tc.ok {
			t.Errorf("cachedRef(%q, %q) = %v, %v; want %v, %v", tc.key, tc.prefix, got, ok, tc.want, tc.ok)
		}
	}
}

// An alias re-pointed in another process: while the report is held and
// the store is not Fresh, b resolves the alias from the store, not from
// its cache.
func TestCoherenceStaleAliasReadFromStore(t *testing.T) {
	ctx := context.Background()
	s, a, b := twoProcesses(t, Options{})
	id, id2 := cohCreateKey(t, a), cohCreateKey(t, a)
	if _, err := a.CreateAlias(ctx, &CreateAliasInput{AliasName: "alias/moved", TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	mustEncrypt(t, b, "alias/moved")
	mustEncrypt(t, b, id2)
	s.holdReports()
	if _, err := a.UpdateAlias(ctx, &UpdateAliasInput{AliasName: "alias/moved", TargetKeyId: id2}); err != nil {
		t.Fatal(err)
	}
	want := b.keyARN(keyRef{b.account, b.region, id2})
	if out := mustEncrypt(t, b, "alias/moved"); out.KeyId == want {
		t.Fatal("b followed the re-pointed alias with no report and a Fresh store: the test store leaks reports")
	}
	s.fresh.Store(false)
	if out := mustEncrypt(t, b, "alias/moved"); out.KeyId != want {
		t.Fatalf("b encrypted under %s through an alias re-pointed to %s while the store is not Fresh", out.KeyId, want)
	}
	s.releaseReports()
	s.fresh.Store(true)
	if out := mustEncrypt(t, b, "alias/moved"); out.KeyId != want {
		t.Fatalf("b encrypted under %s after the report of the alias re-pointed to %s", out.KeyId, want)
	}
}

// A blob made in another process under material its rotation made
// current, before the report of the rotation arrives: the material is not
// in b's cached key, so b reads the key from the store and decrypts (the
// ciphertext proves the cache stale). What b read is checked as any key
// is: disabled since, it is refused.
func TestCoherenceBlobUnderUnreportedRotation(t *testing.T) {
	ctx := context.Background()
	s, a, b := twoProcesses(t, Options{})
	id := cohCreateKey(t, a)
	mustEncrypt(t, b, id)
	s.holdReports()
	if _, err := a.RotateKeyOnDemand(ctx, &RotateKeyOnDemandInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	blob := mustEncrypt(t, a, id).CiphertextBlob
	out, err := b.Decrypt(ctx, &DecryptInput{CiphertextBlob: blob})
	if err != nil {
		t.Fatalf("b's Decrypt of a blob under material a's rotation made current: %v", err)
	}
	if string(out.Plaintext) != "coherent" {
		t.Fatalf("b decrypted %q", out.Plaintext)
	}
	if _, ok := b.shared.keys.Load(keyRef{b.account, b.region, id}); ok {
		t.Fatal("b kept the cached key its Decrypt proved stale")
	}

	mustEncrypt(t, b, id) // b caches the key again, Enabled
	// A bad blob (material no record has) is still invalid.
	bad := bytes.Clone(blob)
	h, _ := crypto.ParseBlobHeader(bad)
	i := bytes.Index(bad, h.MaterialID[:])
	bad[i] ^= 1
	if _, err := b.Decrypt(ctx, &DecryptInput{CiphertextBlob: bad}); !errors.Is(err, ErrInvalidCiphertext) {
		t.Fatalf("b's Decrypt of a blob naming unknown material: %v, want InvalidCiphertextException", err)
	}
	if _, err := a.RotateKeyOnDemand(ctx, &RotateKeyOnDemandInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	blob = mustEncrypt(t, a, id).CiphertextBlob
	if _, err := a.DisableKey(ctx, &DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	mustEncrypt(t, b, id) // no report: b uses its cache
	if _, err := b.Decrypt(ctx, &DecryptInput{CiphertextBlob: blob}); !errors.Is(err, ErrDisabled) {
		t.Fatalf("b's Decrypt of a blob under new material of a key a disabled since: %v, want DisabledException", err)
	}
}

// healthProxy is an XKS proxy answering signed health checks for the
// credentials creds (access key id -> secret), reached as
// https://xks.example.com through the returned client; calls counts the
// requests it got.
func healthProxy(t *testing.T, creds map[string]string) (*http.Client, *atomic.Int32) {
	t.Helper()
	calls := new(atomic.Int32)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		v := xks.Verifier{Secrets: creds}
		if v.Verify(r, body) != nil || !strings.HasSuffix(r.URL.Path, "/kms/xks/v1/health") {
			w.WriteHeader(401)
			io.WriteString(w, `{"errorName":"AuthenticationFailedException"}`)
			return
		}
		json.NewEncoder(w).Encode(xks.HealthStatus{XksProxyFleetSize: 1, XksProxyVendor: "test", XksProxyModel: "test", EkmVendor: "test",
			EkmFleetDetails: []xks.EkmDetails{{ID: "1", Model: "m", HealthStatus: "ACTIVE"}}})
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.RootCAs = pool
	tr.TLSClientConfig.ServerName = "example.com" // the name httptest's certificate holds
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr}, calls
}

// A handle's connection to an external key store proxy follows the
// store's record: after another process changed the proxy credential
// (UpdateCustomKeyStore, allowed while CONNECTED), the next use connects
// anew with the new one; while the record is unchanged the connection is
// reused.
func TestCoherenceProxySettingsFollowed(t *testing.T) {
	ctx := context.Background()
	const id1, id2 = "AKIAI2SFODNN7EXAMPLE", "AKIAI2SFODNN7EXAMPLF"
	creds := map[string]string{id1: "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE", id2: "GYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"}
	client, calls := healthProxy(t, creds)
	_, a, b := twoProcesses(t, Options{XksHTTPClient: client})
	out, err := a.CreateCustomKeyStore(ctx, &CreateCustomKeyStoreInput{CustomKeyStoreName: "xks", CustomKeyStoreType: CustomKeyStoreTypeExternalKeyStore,
		XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: "/tenant/kms/xks/v1",
		XksProxyAuthenticationCredential: &XksProxyAuthenticationCredentialType{AccessKeyId: id1, RawSecretAccessKey: creds[id1]},
		XksProxyConnectivity:             XksProxyConnectivityTypePublicEndpoint})
	if err != nil {
		t.Fatal(err)
	}
	storeID := out.CustomKeyStoreId
	if _, err := a.ConnectCustomKeyStore(ctx, &ConnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	record := func() *records.CustomKeyStore {
		var s *records.CustomKeyStore
		if err := b.store.View(ctx, func(tx backend.Txn) (err error) {
			s, err = records.GetCustomKeyStore(tx, b.account, b.region, storeID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if s.ConnectionState != string(ConnectionStateTypeConnected) {
			t.Fatalf("store %s is %s", storeID, s.ConnectionState)
		}
		return s
	}
	c1, err := b.storeConnection(ctx, record())
	if err != nil {
		t.Fatal(err)
	}
	if c1.proxy.Credential.AccessKeyID != id1 {
		t.Fatalf("b's connection signs as %s, want %s", c1.proxy.Credential.AccessKeyID, id1)
	}
	n := calls.Load()
	if c, err := b.storeConnection(ctx, record()); err != nil || c != c1 || calls.Load() != n {
		t.Fatalf("b connected again (%v) with the store's record unchanged", err)
	}
	if _, err := a.UpdateCustomKeyStore(ctx, &UpdateCustomKeyStoreInput{CustomKeyStoreId: storeID,
		XksProxyAuthenticationCredential: &XksProxyAuthenticationCredentialType{AccessKeyId: id2, RawSecretAccessKey: creds[id2]}}); err != nil {
		t.Fatal(err)
	}
	if got := a.cks.live(storeID).proxy.Credential.AccessKeyID; got != id2 {
		t.Fatalf("a's own connection signs as %s after its update, want %s", got, id2)
	}
	c2, err := b.storeConnection(ctx, record())
	if err != nil {
		t.Fatal(err)
	}
	if c2 == c1 || c2.proxy.Credential.AccessKeyID != id2 {
		t.Fatalf("b's connection signs as %s after a changed the credential, want %s", c2.proxy.Credential.AccessKeyID, id2)
	}
	if b.cks.live(storeID) != c2 {
		t.Fatal("b did not keep its new connection")
	}
}
