package kms_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/keystore"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

var rsFastArgon2 = keystore.WithArgon2Params(keystore.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1})

func rsAEAD(t *testing.T) tink.AEAD {
	t.Helper()
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	a, err := aead.New(h)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func rsKeyFile(t *testing.T) keystore.RootKeySource {
	t.Helper()
	p := filepath.Join(t.TempDir(), "root.key")
	if err := os.WriteFile(p, crypto.Random(32), 0o600); err != nil {
		t.Fatal(err)
	}
	return keystore.RootKeyFile(p)
}

// rsSources returns a pair of different sources of each kind: the second
// is the "wrong" one for a store opened with the first.
func rsSources(t *testing.T) map[string][2]keystore.RootKeySource {
	return map[string][2]keystore.RootKeySource{
		"raw": {keystore.RawRootKey(crypto.Random(32)), keystore.RawRootKey(crypto.Random(32))},
		"passphrase": {keystore.PassphraseRootKey([]byte("first"), rsFastArgon2),
			keystore.PassphraseRootKey([]byte("second"), rsFastArgon2)},
		"file": {rsKeyFile(t), rsKeyFile(t)},
		"aead": {keystore.AEADRootKey(rsAEAD(t)), keystore.AEADRootKey(rsAEAD(t))},
	}
}

// rsSnapshot returns every key and value of s, as the backend holds them.
func rsSnapshot(t *testing.T, s backend.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.View(context.Background(), func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool { out[string(k)] = string(v); return true })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// rsWorld is what a populated store must still serve: ciphertexts and
// MACs made before, and aliases, per handle options.
type rsWorld struct {
	opts    []kms.Options // Backend and root key left unset
	blobs   [][]byte      // decrypt to "pt" with the handle of opts[i]
	blobOf  []int
	macs    [][]byte // of "msg" under macKeys[i], handle opts[macOf[i]]
	macKeys []string
	macOf   []int
	aliases []string // names, across all handles
}

// rsPopulate fills store through handles of several accounts, Regions and
// partitions: symmetric and HMAC keys, aliases, a key pending deletion.
// It closes the handles.
func rsPopulate(t *testing.T, store backend.Store, src keystore.RootKeySource) *rsWorld {
	t.Helper()
	ctx := context.Background()
	w := &rsWorld{opts: []kms.Options{
		{},
		{AccountID: "444455556666", Region: "eu-west-1"},
		{Partition: "aws-cn", Region: "cn-north-1"},
	}}
	for i, o := range w.opts {
		o.Backend, o.RootKeySource = store, src
		k, err := kms.New(o)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		for range 2 {
			md := rkCreateKey(t, k)
			w.blobs = append(w.blobs, rkEncrypt(t, k, md.KeyId, []byte("pt"), map[string]string{"i": "x"}))
			w.blobOf = append(w.blobOf, i)
			alias := "alias/a" + md.KeyId[:8]
			if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: alias, TargetKeyId: md.KeyId}); err != nil {
				t.Fatal(err)
			}
			w.aliases = append(w.aliases, alias)
		}
		mk, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
		if err != nil {
			t.Fatal(err)
		}
		mac, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: mk.KeyMetadata.KeyId, Message: []byte("msg"), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
		if err != nil {
			t.Fatal(err)
		}
		w.macs, w.macKeys, w.macOf = append(w.macs, mac.Mac), append(w.macKeys, mk.KeyMetadata.KeyId), append(w.macOf, i)
		doomed := rkCreateKey(t, k)
		if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: doomed.KeyId, PendingWindowInDays: 7}); err != nil {
			t.Fatal(err)
		}
		k.Close()
	}
	return w
}

// rsCheck opens a handle per world option with src and checks that every
// ciphertext, MAC and alias made before is served.
func rsCheck(t *testing.T, store backend.Store, src keystore.RootKeySource, w *rsWorld) {
	t.Helper()
	ctx := context.Background()
	var aliases []string
	for i, o := range w.opts {
		o.Backend, o.RootKeySource = store, src
		k := rkNew(t, o)
		for j, b := range w.blobs {
			if w.blobOf[j] == i {
				rkDecrypts(t, k, b, []byte("pt"), map[string]string{"i": "x"})
			}
		}
		for j, m := range w.macs {
			if w.macOf[j] != i {
				continue
			}
			out, err := k.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: w.macKeys[j], Message: []byte("msg"), Mac: m, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
			if err != nil || !out.MacValid {
				t.Errorf("VerifyMac of a MAC made before: %v", err)
			}
		}
		la, err := k.ListAliases(ctx, &kms.ListAliasesInput{})
		if err != nil {
			t.Fatalf("ListAliases: %v", err)
		}
		for _, a := range la.Aliases {
			if !strings.HasPrefix(a.AliasName, "alias/aws/") {
				aliases = append(aliases, a.AliasName)
			}
		}
		if _, err := k.ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
			t.Fatalf("ListKeys: %v", err)
		}
		if err := k.Maintain(ctx); err != nil { // reads the deletion index
			t.Fatalf("Maintain: %v", err)
		}
	}
	slices.Sort(aliases)
	want := slices.Sorted(slices.Values(w.aliases))
	if !slices.Equal(aliases, want) {
		t.Errorf("aliases = %v, want %v", aliases, want)
	}
}

func TestRootKeySourceAndRootKeyBothSetRefused(t *testing.T) {
	for _, store := range []backend.Store{nil, rkNewDurable(t)} {
		k, err := kms.New(kms.Options{Backend: store, RootKey: crypto.Random(32), RootKeySource: keystore.RawRootKey(crypto.Random(32))})
		if err == nil {
			k.Close()
			t.Fatal("New with both RootKey and RootKeySource succeeded")
		}
		if !strings.Contains(err.Error(), "RootKeySource") {
			t.Errorf("error %q does not name the options", err)
		}
	}
}

// Every source reopens its store, and the wrong source of the same kind is
// refused with ErrWrongRootKey without changing any key or value.
func TestRootKeySourceWrongOneRefusedStoreUnchanged(t *testing.T) {
	for name, pair := range rsSources(t) {
		t.Run(name, func(t *testing.T) {
			store := rkNewDurable(t)
			w := rsPopulate(t, store, pair[0])
			before := rsSnapshot(t, store)
			for _, o := range w.opts {
				o.Backend, o.RootKeySource = store, pair[1]
				if k, err := kms.New(o); !errors.Is(err, keystore.ErrWrongRootKey) {
					if k != nil {
						k.Close()
					}
					t.Fatalf("New with the wrong %s source: err = %v, want ErrWrongRootKey", name, err)
				}
			}
			if after := rsSnapshot(t, store); !maps.Equal(before, after) {
				t.Fatal("the refused New changed the store")
			}
			rsCheck(t, store, pair[0], w)
		})
	}
}

func TestRewrapRootKeyEveryKeyUnderNewSourceOldRefused(t *testing.T) {
	all := rsSources(t)
	for _, step := range [][2]string{{"raw", "passphrase"}, {"passphrase", "aead"}, {"aead", "file"}, {"file", "raw"}, {"aead", "aead"}} {
		t.Run(step[0]+" to "+step[1], func(t *testing.T) {
			oldSrc, newSrc := all[step[0]][0], all[step[1]][1]
			store := rkNewDurable(t)
			w := rsPopulate(t, store, oldSrc)
			before := rsSnapshot(t, store)
			if err := kms.RewrapRootKey(context.Background(), store, oldSrc, newSrc); err != nil {
				t.Fatalf("RewrapRootKey: %v", err)
			}
			after := rsSnapshot(t, store)
			// Every record was rewritten (re-tagged), none added but the
			// new source's metadata, none lost.
			for k, v := range before {
				if strings.HasPrefix(k, keystore.SourceMetaPrefix) {
					continue
				}
				if nv, ok := after[k]; !ok {
					t.Errorf("record %s lost", k)
				} else if nv == v {
					t.Errorf("record %s not rewritten", k)
				}
			}
			for k := range after {
				if _, ok := before[k]; !ok && !strings.HasPrefix(k, keystore.SourceMetaPrefix) {
					t.Errorf("record %s added", k)
				}
			}
			rsCheck(t, store, newSrc, w)
			if k, err := kms.New(kms.Options{Backend: store, RootKeySource: oldSrc}); !errors.Is(err, keystore.ErrWrongRootKey) {
				if k != nil {
					k.Close()
				}
				t.Errorf("New with the old source after RewrapRootKey: err = %v, want ErrWrongRootKey", err)
			}
		})
	}
}

// rsFailing is a store whose writing Updates fail, as a crash would
// interrupt them: at the (n+1)th write, or when about to commit (n < 0, or
// fewer writes than n). Updates that write nothing succeed.
type rsFailing struct {
	backend.Store
	n int
}

var errRsCrash = errors.New("simulated crash")

func (f *rsFailing) Update(ctx context.Context, fn func(backend.Txn) error) error {
	return f.Store.Update(ctx, func(tx backend.Txn) error {
		ft := &rsFailingTxn{Txn: tx, left: f.n}
		if err := fn(ft); err != nil {
			return err
		}
		if ft.writes > 0 {
			return errRsCrash // at commit
		}
		return nil
	})
}

type rsFailingTxn struct {
	backend.Txn
	left, writes int
}

func (t *rsFailingTxn) write() error {
	if t.left == 0 {
		return errRsCrash
	}
	t.left--
	t.writes++
	return nil
}

func (t *rsFailingTxn) Set(k, v []byte) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Txn.Set(k, v)
}

func (t *rsFailingTxn) Delete(k []byte) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Txn.Delete(k)
}

// A rewrap interrupted anywhere (after any number of writes, or at
// commit) leaves the store byte for byte as it was, under the old source.
func TestRewrapRootKeyInterruptedLeavesStoreUnchanged(t *testing.T) {
	oldSrc := keystore.PassphraseRootKey([]byte("old"), rsFastArgon2)
	newSrc := keystore.AEADRootKey(rsAEAD(t))
	store := rkNewDurable(t)
	w := rsPopulate(t, store, oldSrc)
	before := rsSnapshot(t, store)
	for _, n := range []int{-1, 0, 1, 2, 5, len(before) / 2, len(before) - 1, len(before) + 1} {
		err := kms.RewrapRootKey(context.Background(), &rsFailing{Store: store, n: n}, oldSrc, newSrc)
		if !errors.Is(err, errRsCrash) {
			t.Fatalf("crash after %d writes: err = %v, want the crash", n, err)
		}
		if after := rsSnapshot(t, store); !maps.Equal(before, after) {
			t.Fatalf("crash after %d writes changed the store", n)
		}
	}
	rsCheck(t, store, oldSrc, w)
	if k, err := kms.New(kms.Options{Backend: store, RootKeySource: newSrc}); err == nil {
		k.Close()
		t.Error("the new source opens the store after failed rewraps")
	}
}

func TestRewrapRootKeyWrongOldSourceRefusedUnchanged(t *testing.T) {
	all := rsSources(t)
	for name, pair := range all {
		t.Run(name, func(t *testing.T) {
			store := rkNewDurable(t)
			w := rsPopulate(t, store, pair[0])
			before := rsSnapshot(t, store)
			err := kms.RewrapRootKey(context.Background(), store, pair[1], keystore.RawRootKey(crypto.Random(32)))
			if !errors.Is(err, keystore.ErrWrongRootKey) {
				t.Fatalf("err = %v, want ErrWrongRootKey", err)
			}
			if after := rsSnapshot(t, store); !maps.Equal(before, after) {
				t.Fatal("a refused rewrap changed the store")
			}
			rsCheck(t, store, pair[0], w)
		})
	}
}

// Handles must not be open on the store: one open in this process is
// detected.
func TestRewrapRootKeyRefusesWhileHandleOpen(t *testing.T) {
	oldSrc, newSrc := keystore.RawRootKey(crypto.Random(32)), keystore.RawRootKey(crypto.Random(32))
	store := rkNewDurable(t)
	w := rsPopulate(t, store, oldSrc)
	k, err := kms.New(kms.Options{Backend: store, RootKeySource: oldSrc, AccountID: "999988887777"})
	if err != nil {
		t.Fatal(err)
	}
	before := rsSnapshot(t, store)
	if err := kms.RewrapRootKey(context.Background(), store, oldSrc, newSrc); !errors.Is(err, kms.ErrStoreInUse) {
		t.Fatalf("RewrapRootKey with a handle open: err = %v, want ErrStoreInUse", err)
	}
	if after := rsSnapshot(t, store); !maps.Equal(before, after) {
		t.Fatal("the refused rewrap changed the store")
	}
	k.Close()
	if err := kms.RewrapRootKey(context.Background(), store, oldSrc, newSrc); err != nil {
		t.Fatalf("RewrapRootKey after Close: %v", err)
	}
	rsCheck(t, store, newSrc, w)
}

// A record RewrapRootKey does not know would be left unreadable: it
// refuses instead, changing nothing. So does a store never opened.
func TestRewrapRootKeyRefusesUnknownRecordAndFreshStore(t *testing.T) {
	oldSrc, newSrc := keystore.RawRootKey(crypto.Random(32)), keystore.RawRootKey(crypto.Random(32))
	fresh := rkNewDurable(t)
	if err := kms.RewrapRootKey(context.Background(), fresh, oldSrc, newSrc); err == nil {
		t.Error("RewrapRootKey of a store never opened succeeded")
	}
	if n := len(rsSnapshot(t, fresh)); n != 0 {
		t.Errorf("RewrapRootKey of a fresh store wrote %d values", n)
	}
	store := rkNewDurable(t)
	rsPopulate(t, store, oldSrc)
	if err := store.Update(context.Background(), func(tx backend.Txn) error {
		return tx.Set([]byte("future/thing"), []byte("x"))
	}); err != nil {
		t.Fatal(err)
	}
	before := rsSnapshot(t, store)
	if err := kms.RewrapRootKey(context.Background(), store, oldSrc, newSrc); err == nil || !strings.Contains(err.Error(), "future/thing") {
		t.Fatalf("err = %v, want a refusal naming the unknown record", err)
	}
	if after := rsSnapshot(t, store); !maps.Equal(before, after) {
		t.Fatal("the refused rewrap changed the store")
	}
}
