package badger_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/badger"
	"github.com/embedkms/kms/keystore"
)

var rootKey = []byte("badger test root key, 32 bytes!!")

func newKMS(t testing.TB, s backend.Store, region string, root []byte) *kms.KMS {
	t.Helper()
	k, err := kms.New(kms.Options{Backend: s, RootKey: root, Region: region})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func listKeys(t *testing.T, k *kms.KMS) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	var marker string
	for {
		out, err := k.ListKeys(t.Context(), &kms.ListKeysInput{Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Keys {
			ids[e.KeyId] = true
		}
		if !out.Truncated {
			return ids
		}
		marker = out.NextMarker
	}
}

// TestTwoRegionsShareAStore runs handles for two Regions of one account on
// one badger store, concurrently: each lists and uses only its own keys,
// and a key of one Region is not found through the other.
func TestTwoRegionsShareAStore(t *testing.T) {
	s := open(t)
	regions := []string{"us-east-1", "eu-west-1"}
	handles := map[string]*kms.KMS{}
	for _, r := range regions {
		handles[r] = newKMS(t, s, r, rootKey)
	}
	const perRegion = 20
	created := map[string][]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, r := range regions {
		for w := range 4 {
			wg.Go(func() {
				k := handles[r]
				for i := range perRegion / 4 {
					ck, err := k.CreateKey(t.Context(), nil)
					if err != nil {
						t.Error(err)
						return
					}
					id := ck.KeyMetadata.KeyId
					alias := fmt.Sprintf("alias/w%d-%d", w, i) // the same names in both Regions
					if _, err := k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: alias, TargetKeyId: id}); err != nil {
						t.Error(err)
						return
					}
					enc, err := k.Encrypt(t.Context(), &kms.EncryptInput{KeyId: alias, Plaintext: []byte(r)})
					if err != nil {
						t.Error(err)
						return
					}
					dec, err := k.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
					if err != nil || string(dec.Plaintext) != r {
						t.Errorf("Decrypt in %s = %v, %v", r, dec, err)
						return
					}
					mu.Lock()
					created[r] = append(created[r], id)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i, r := range regions {
		other := regions[1-i]
		listed := listKeys(t, handles[r])
		if len(listed) != perRegion {
			t.Errorf("%s lists %d keys, want %d", r, len(listed), perRegion)
		}
		for _, id := range created[r] {
			if !listed[id] {
				t.Errorf("%s does not list its key %s", r, id)
			}
			_, err := handles[other].DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: id})
			if !errors.Is(err, kms.ErrNotFound) {
				t.Errorf("DescribeKey of %s's key %s in %s = %v, want NotFoundException", r, id, other, err)
			}
		}
		out, err := handles[r].DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: "alias/w0-0"})
		if err != nil || !listed[out.KeyMetadata.KeyId] {
			t.Errorf("alias/w0-0 in %s resolves to %v, %v; want a key of %s", r, out, err, r)
		}
	}
}

// dirDigest hashes the names, sizes and contents of the files under dir.
func dirDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestReopen closes a store with keys and opens it again: with the same
// root key every key, alias and ciphertext is there; with another one
// kms.New fails with keystore.ErrWrongRootKey and leaves the directory as
// it was.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := badger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := kms.New(kms.Options{Backend: s, RootKey: rootKey})
	if err != nil {
		t.Fatal(err)
	}
	type made struct {
		id, alias string
		blob      []byte
	}
	var keys []made
	for i := range 10 {
		ck, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{Description: fmt.Sprint("key ", i)})
		if err != nil {
			t.Fatal(err)
		}
		m := made{id: ck.KeyMetadata.KeyId, alias: fmt.Sprintf("alias/reopen-%d", i)}
		if _, err := k.CreateAlias(t.Context(), &kms.CreateAliasInput{AliasName: m.alias, TargetKeyId: m.id}); err != nil {
			t.Fatal(err)
		}
		enc, err := k.Encrypt(t.Context(), &kms.EncryptInput{KeyId: m.id, Plaintext: []byte(m.id)})
		if err != nil {
			t.Fatal(err)
		}
		m.blob = enc.CiphertextBlob
		keys = append(keys, m)
	}
	k.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = badger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Badger rewrites some files when it opens and closes a directory,
	// so the digest is taken with the store open, around kms.New: a
	// write would be in the directory (synced) when kms.New returns.
	before, contents := dirDigest(t, dir), dump(t, s)
	wrong := []byte("another root key of 32 bytes!!!!")
	if k, err := kms.New(kms.Options{Backend: s, RootKey: wrong}); !errors.Is(err, keystore.ErrWrongRootKey) {
		if err == nil {
			k.Close()
		}
		t.Errorf("kms.New with a wrong root key = %v, want ErrWrongRootKey", err)
	}
	if after := dirDigest(t, dir); after != before {
		t.Errorf("kms.New with a wrong root key changed the directory")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = badger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dump(t, s); got != contents {
		t.Errorf("the store's contents changed after kms.New with a wrong root key")
	}
	k = newKMS(t, s, "", rootKey)
	listed := listKeys(t, k)
	if len(listed) != len(keys) {
		t.Errorf("%d keys after reopening, want %d", len(listed), len(keys))
	}
	for i, m := range keys {
		out, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: m.alias})
		if err != nil || out.KeyMetadata.KeyId != m.id || out.KeyMetadata.Description != fmt.Sprint("key ", i) {
			t.Errorf("DescribeKey(%s) after reopening = %+v, %v", m.alias, out, err)
			continue
		}
		dec, err := k.Decrypt(t.Context(), &kms.DecryptInput{CiphertextBlob: m.blob})
		if err != nil || string(dec.Plaintext) != m.id {
			t.Errorf("Decrypt after reopening = %v, %v", dec, err)
		}
	}
}

// dump returns every key and value of s.
func dump(t *testing.T, s backend.Store) string {
	t.Helper()
	var b strings.Builder
	err := s.View(t.Context(), func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool { fmt.Fprintf(&b, "%q=%x\n", k, v); return true })
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
