package kms_test

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/kmstest"
)

// bkPlaces are the accounts and Regions the tests put keys in: a backup
// holds all of them.
var bkPlaces = []struct{ account, region string }{
	{"111122223333", "us-east-1"},
	{"444455556666", "eu-west-1"},
}

// bkOpen opens one handle per place on store.
func bkOpen(t *testing.T, store backend.Store, root []byte) []*kms.KMS {
	t.Helper()
	clock := kmstest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	var hs []*kms.KMS
	for _, p := range bkPlaces {
		hs = append(hs, rkNew(t, kms.Options{Backend: store, RootKey: root, AccountID: p.account, Region: p.region, Clock: clock}))
	}
	return hs
}

// bkEntries returns every entry of s as stored, but the store's identity.
func bkEntries(t *testing.T, s backend.Store) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := s.View(context.Background(), func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(k, v []byte) bool {
			if string(k) != "meta/store-id" {
				m[string(k)] = string(v)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// bkProof is something made before a backup that must work after a
// restore: a ciphertext decrypts, a MAC or signature verifies, a key is
// still disabled.
type bkProof func(t *testing.T, hs []*kms.KMS)

// bkPopulate puts in every place a key of each kind, in each state, with
// tags, a description, a policy and an alias, and returns the proofs.
func bkPopulate(t *testing.T, hs []*kms.KMS) []bkProof {
	t.Helper()
	var proofs []bkProof
	for i, k := range hs {
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"backup-%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"kms:*","Resource":"*"}]}`, i, k.AccountID())
		sym, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: "symmetric", Policy: policy, Tags: []kms.Tag{{TagKey: "team", TagValue: fmt.Sprint(i)}, {TagKey: "env", TagValue: "test"}}})
		lcNoErr(t, err)
		lcAlias(t, k, "alias/app", sym.KeyMetadata.KeyId)
		lcAlias(t, k, "alias/app-2", sym.KeyMetadata.KeyId)
		ec := map[string]string{"place": fmt.Sprint(i)}
		pt := []byte(fmt.Sprintf("secret %d", i))
		blob := rkEncrypt(t, k, "alias/app", pt, ec)
		proofs = append(proofs, func(t *testing.T, hs []*kms.KMS) { rkDecrypts(t, hs[i], blob, pt, ec) })

		mac, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
		lcNoErr(t, err)
		msg := []byte("message")
		tag, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: mac.KeyMetadata.KeyId, Message: msg, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
		lcNoErr(t, err)
		proofs = append(proofs, func(t *testing.T, hs []*kms.KMS) {
			out, err := hs[i].VerifyMac(ctx, &kms.VerifyMacInput{KeyId: mac.KeyMetadata.KeyId, Message: msg, Mac: tag.Mac, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
			if err != nil || !out.MacValid {
				t.Fatalf("VerifyMac of a MAC made before the backup: %v", err)
			}
		})

		sig, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
		lcNoErr(t, err)
		signed, err := k.Sign(ctx, &kms.SignInput{KeyId: sig.KeyMetadata.KeyId, Message: msg, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
		lcNoErr(t, err)
		proofs = append(proofs, func(t *testing.T, hs []*kms.KMS) {
			out, err := hs[i].Verify(ctx, &kms.VerifyInput{KeyId: sig.KeyMetadata.KeyId, Message: msg, Signature: signed.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
			if err != nil || !out.SignatureValid {
				t.Fatalf("Verify of a signature made before the backup: %v", err)
			}
		})

		disabled := rkCreateKey(t, k)
		dblob := rkEncrypt(t, k, disabled.KeyId, pt, nil)
		_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyId})
		lcNoErr(t, err)
		proofs = append(proofs, func(t *testing.T, hs []*kms.KMS) {
			if _, err := hs[i].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dblob}); !errors.Is(err, kms.ErrDisabled) {
				t.Fatalf("Decrypt under a key disabled before the backup: %v, want DisabledException", err)
			}
			_, err := hs[i].EnableKey(ctx, &kms.EnableKeyInput{KeyId: disabled.KeyId})
			lcNoErr(t, err)
			rkDecrypts(t, hs[i], dblob, pt, nil)
		})

		pending := rkCreateKey(t, k)
		lcAlias(t, k, "alias/pending", pending.KeyId)
		_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: pending.KeyId, PendingWindowInDays: 7})
		lcNoErr(t, err)
	}
	return proofs
}

// bkState is everything the handles show of their keys and aliases.
type bkState struct {
	Keys    []kms.KeyListEntry
	Meta    map[string]kms.KeyMetadata
	Tags    map[string][]kms.Tag
	Aliases []kms.AliasListEntry
	ByKey   map[string][]kms.AliasListEntry
}

func bkRead(t *testing.T, hs []*kms.KMS) []bkState {
	t.Helper()
	var out []bkState
	for _, k := range hs {
		s := bkState{Meta: map[string]kms.KeyMetadata{}, Tags: map[string][]kms.Tag{}, ByKey: map[string][]kms.AliasListEntry{}}
		for marker := ""; ; {
			out, err := k.ListKeys(ctx, &kms.ListKeysInput{Limit: 1000, Marker: marker})
			lcNoErr(t, err)
			s.Keys = append(s.Keys, out.Keys...)
			if marker = out.NextMarker; marker == "" {
				break
			}
		}
		for _, e := range s.Keys {
			md := lcDescribe(t, k, e.KeyId)
			s.Meta[e.KeyId] = *md
			tags, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: e.KeyId, Limit: 50})
			lcNoErr(t, err)
			s.Tags[e.KeyId] = tags.Tags
			al, err := k.ListAliases(ctx, &kms.ListAliasesInput{KeyId: e.KeyId, Limit: 100})
			lcNoErr(t, err)
			s.ByKey[e.KeyId] = al.Aliases
		}
		for marker := ""; ; {
			out, err := k.ListAliases(ctx, &kms.ListAliasesInput{Limit: 100, Marker: marker})
			lcNoErr(t, err)
			for _, a := range out.Aliases {
				if a.TargetKeyId != "" { // not a predefined alias/aws/ one
					s.Aliases = append(s.Aliases, a)
				}
			}
			if marker = out.NextMarker; marker == "" {
				break
			}
		}
		out = append(out, s)
	}
	return out
}

func bkBackup(t *testing.T, k *kms.KMS) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := k.Backup(ctx, &buf); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	return buf.Bytes()
}

func bkRestore(t *testing.T, b []byte, root []byte) *memory.Store {
	t.Helper()
	m := memory.New()
	t.Cleanup(func() { m.Close() })
	if err := kms.Restore(ctx, bytes.NewReader(b), kms.Options{Backend: m, RootKey: root}); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	return m
}

// A restored store is the backed-up store as it was when Backup ran, in
// every account and Region: the same entries byte for byte, so every
// key's metadata, tags, policy, material and aliases; what was made
// before decrypts, verifies and stays disabled; what was made after is
// absent; and the root key is nowhere in the backup.
func TestRestoreGivesBackTheStateAtBackup(t *testing.T) {
	m1, root := memory.New(), crypto.Random(32)
	defer m1.Close()
	hs := bkOpen(t, m1, root)
	proofs := bkPopulate(t, hs)
	want, wantRaw := bkRead(t, hs), bkEntries(t, m1)
	b := bkBackup(t, hs[1]) // any handle backs up every place

	late := rkCreateKey(t, hs[0])
	lcAlias(t, hs[1], "alias/late", rkCreateKey(t, hs[1]).KeyId)

	for _, secret := range []struct {
		name string
		b    []byte
	}{{"the root key", root}, {"the store identity", stRaw(t, m1, []byte("meta/store-id"))}, {"its name", []byte("meta/store-id")}} {
		if bytes.Contains(b, secret.b) {
			t.Errorf("the backup holds %s", secret.name)
		}
	}

	m2 := bkRestore(t, b, root)
	if got := bkEntries(t, m2); !reflect.DeepEqual(got, wantRaw) {
		t.Fatalf("restored entries differ from the store's at backup time:\n got %d entries\nwant %d", len(got), len(wantRaw))
	}
	hs2 := bkOpen(t, m2, root)
	if got := bkRead(t, hs2); !reflect.DeepEqual(got, want) {
		t.Fatalf("restored handles show\n%+v\nwant\n%+v", got, want)
	}
	if len(want[0].Keys) != 5 || len(want[1].Aliases) != 3 {
		t.Fatalf("populate made %d keys and %d aliases, want 5 and 3", len(want[0].Keys), len(want[1].Aliases))
	}
	for _, p := range proofs {
		p(t, hs2)
	}
	if _, err := hs2[0].DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: late.KeyId}); !errors.Is(err, kms.ErrNotFound) {
		t.Errorf("a key created after the backup: DescribeKey %v, want NotFoundException", err)
	}
	if _, err := hs2[1].DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/late"}); !errors.Is(err, kms.ErrNotFound) {
		t.Errorf("an alias created after the backup: %v, want NotFoundException", err)
	}
	if bytes.Equal(stRaw(t, m1, []byte("meta/store-id")), stRaw(t, m2, []byte("meta/store-id"))) {
		t.Error("the restored store has the original's identity")
	}
}

// bkSlowWriter makes Backup take a while, so that writers get in line.
type bkSlowWriter struct{ bytes.Buffer }

func (w *bkSlowWriter) Write(p []byte) (int, error) {
	time.Sleep(2 * time.Millisecond)
	return w.Buffer.Write(p)
}

// Backup is one consistent snapshot while other handles write: each
// writer creates key n, then alias n on it, then moves its "latest" alias
// to it, so in any state the store passes through its keys are 0..m, its
// numbered aliases 0..m or 0..m-1, and "latest" is on the newest aliased
// key; and every alias has its index entry and its key. Each restored
// backup must be such a state.
func TestBackupIsConsistentWhileOthersWrite(t *testing.T) {
	const writers = 4
	m1, root := memory.New(), crypto.Random(32)
	defer m1.Close()
	place := func(i int) kms.Options {
		return kms.Options{Backend: m1, RootKey: root, AccountID: fmt.Sprintf("%012d", 200000000000+i), Region: []string{"us-east-1", "eu-west-1"}[i%2], Clock: kmstest.NewClock(time.Now())}
	}
	backer := rkNew(t, kms.Options{Backend: m1, RootKey: root, Clock: kmstest.NewClock(time.Now())})
	var stop atomic.Bool
	var wg sync.WaitGroup
	started := make(chan struct{}, writers)
	errs := make(chan error, writers)
	for i := range writers {
		k := rkNew(t, place(i))
		wg.Go(func() {
			for n := 0; ; n++ {
				if n == 3 {
					started <- struct{}{}
				}
				if n >= 3 && stop.Load() {
					return
				}
				out, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: fmt.Sprint(n)})
				if err == nil {
					_, err = k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: fmt.Sprintf("alias/n-%d", n), TargetKeyId: out.KeyMetadata.KeyId})
				}
				if err == nil && n == 0 {
					_, err = k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/latest", TargetKeyId: out.KeyMetadata.KeyId})
				} else if err == nil {
					_, err = k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/latest", TargetKeyId: out.KeyMetadata.KeyId})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range writers {
		<-started
	}
	var backups [][]byte
	for range 6 {
		var w bkSlowWriter
		if err := backer.Backup(ctx, &w); err != nil {
			t.Fatalf("Backup while others write: %v", err)
		}
		backups = append(backups, w.Bytes())
		time.Sleep(5 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("writer: %v", err)
	}

	for bi, b := range backups {
		m2 := bkRestore(t, b, root)
		bkCheckIndexes(t, m2)
		for i := range writers {
			opts := place(i)
			opts.Backend = m2
			k := rkNew(t, opts)
			st := bkRead(t, []*kms.KMS{k})[0]
			keyN := map[string]int{} // key id -> n
			var ns []int
			for id, md := range st.Meta {
				var n int
				fmt.Sscan(md.Description, &n)
				keyN[id] = n
				ns = append(ns, n)
			}
			slices.Sort(ns)
			for j, n := range ns {
				if n != j {
					t.Fatalf("backup %d, writer %d: keys %v, want 0..m", bi, i, ns)
				}
			}
			m := len(ns) - 1
			if m < 2 {
				t.Fatalf("backup %d, writer %d: %d keys, want at least the 3 made before backing up", bi, i, len(ns))
			}
			var numbered []int
			latest := -1
			for _, a := range st.Aliases {
				n, ok := keyN[a.TargetKeyId]
				if !ok {
					t.Fatalf("backup %d, writer %d: alias %s names a key not in the backup", bi, i, a.AliasName)
				}
				if a.AliasName == "alias/latest" {
					latest = n
					continue
				}
				if a.AliasName != fmt.Sprintf("alias/n-%d", n) {
					t.Fatalf("backup %d, writer %d: alias %s is on key %d", bi, i, a.AliasName, n)
				}
				numbered = append(numbered, n)
				if !slices.ContainsFunc(st.ByKey[a.TargetKeyId], func(e kms.AliasListEntry) bool { return e.AliasName == a.AliasName }) {
					t.Fatalf("backup %d, writer %d: ListAliases of key %d lacks %s", bi, i, n, a.AliasName)
				}
			}
			slices.Sort(numbered)
			top := len(numbered) - 1
			if top != m && top != m-1 || (top >= 0 && numbered[top] != top) {
				t.Fatalf("backup %d, writer %d: numbered aliases %v with keys 0..%d", bi, i, numbered, m)
			}
			if latest != top && latest != top-1 {
				t.Fatalf("backup %d, writer %d: alias/latest on key %d, newest aliased key %d", bi, i, latest, top)
			}
		}
	}
}

// bkCheckIndexes checks the raw layout of a restored store: every alias
// record has its aliasbykey entry and its key record, and every index
// entry its alias.
func bkCheckIndexes(t *testing.T, s backend.Store) {
	t.Helper()
	e := bkEntries(t, s)
	for k, v := range e {
		switch {
		case strings.HasPrefix(k, "alias/"):
			parts := strings.SplitN(k, "/", 4) // alias, account, region, name
			var a records.Alias
			if err := json.Unmarshal([]byte(v[1:len(v)-32]), &a); err != nil { // version byte, JSON, tag
				t.Fatalf("%s: %v", k, err)
			}
			if _, ok := e[fmt.Sprintf("key/%s/%s/%s", parts[1], parts[2], a.TargetKeyID)]; !ok {
				t.Fatalf("alias %s names key %s, not in the store", k, a.TargetKeyID)
			}
			if _, ok := e[fmt.Sprintf("aliasbykey/%s/%s/%s/%s", parts[1], parts[2], a.TargetKeyID, parts[3])]; !ok {
				t.Fatalf("alias %s has no index entry", k)
			}
		case strings.HasPrefix(k, "aliasbykey/"):
			parts := strings.SplitN(k, "/", 5) // aliasbykey, account, region, key id, name
			if _, ok := e[fmt.Sprintf("alias/%s/%s/%s", parts[1], parts[2], parts[4])]; !ok {
				t.Fatalf("index entry %s has no alias", k)
			}
		}
	}
}

// bkStream is a backup split into the fields of the documented format,
// by a reader written from the doc comment of backup.go alone.
type bkStream struct {
	magic    string
	version  byte
	id       []byte
	entries  [][2][]byte
	count    uint64
	sum, tag []byte
}

func bkParse(t *testing.T, b []byte) bkStream {
	t.Helper()
	var s bkStream
	take := func(n int) []byte {
		if len(b) < n {
			t.Fatalf("backup ends %d bytes early", n-len(b))
		}
		p := b[:n]
		b = b[n:]
		return p
	}
	s.magic, s.version, s.id = string(take(15)), take(1)[0], take(16)
	for take(1)[0] == 0x01 {
		k := take(int(binary.BigEndian.Uint32(take(4))))
		v := take(int(binary.BigEndian.Uint32(take(4))))
		s.entries = append(s.entries, [2][]byte{k, v})
	}
	s.count = binary.BigEndian.Uint64(take(8))
	s.sum, s.tag = take(32), take(32)
	if len(b) != 0 {
		t.Fatalf("%d bytes after the trailer", len(b))
	}
	return s
}

// encode writes s back; with fixSum the checksum is recomputed (as
// anyone could), the tag is kept as it is.
func (s bkStream) encode(fixSum bool) []byte {
	var b []byte
	b = append(b, s.magic...)
	b = append(b, s.version)
	b = append(b, s.id...)
	for _, e := range s.entries {
		b = append(b, 0x01)
		b = binary.BigEndian.AppendUint32(b, uint32(len(e[0])))
		b = append(b, e[0]...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(e[1])))
		b = append(b, e[1]...)
	}
	b = append(b, 0x00)
	b = binary.BigEndian.AppendUint64(b, s.count)
	sum := s.sum
	if fixSum {
		h := sha256.Sum256(b)
		sum = h[:]
	}
	b = append(b, sum...)
	return append(b, s.tag...)
}

// The stream is exactly as documented: magic, version 1, the root key's
// identity, every entry of the store but its identity in ascending order
// with its stored bytes, the count, SHA-256 of what precedes it, and
// HMAC-SHA256 under HKDF(root key, "embedkms/backup-authentication/v1")
// of all that precedes the tag.
func TestBackupFormatIsAsDocumented(t *testing.T) {
	m, root := memory.New(), crypto.Random(32)
	defer m.Close()
	hs := bkOpen(t, m, root)
	bkPopulate(t, hs)
	b := bkBackup(t, hs[0])
	s := bkParse(t, b)
	rk, err := keystore.NewRootKey(root)
	lcNoErr(t, err)
	if s.magic != "EMBEDKMS-BACKUP" || s.version != 1 || hex.EncodeToString(s.id) != rk.ID() {
		t.Fatalf("header %q %d %x, want EMBEDKMS-BACKUP 1 %s", s.magic, s.version, s.id, rk.ID())
	}
	want := bkEntries(t, m)
	got := map[string]string{}
	for i, e := range s.entries {
		if i > 0 && bytes.Compare(s.entries[i-1][0], e[0]) >= 0 {
			t.Fatalf("entry %q is not after %q", e[0], s.entries[i-1][0])
		}
		got[string(e[0])] = string(e[1])
	}
	if !reflect.DeepEqual(got, want) || s.count != uint64(len(want)) {
		t.Fatalf("backup holds %d entries (count %d), the store %d", len(got), s.count, len(want))
	}
	if _, ok := got["meta/rootkey-check"]; !ok {
		t.Fatal("the backup lacks the root-key check value")
	}
	body := b[:len(b)-64]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], s.sum) {
		t.Fatal("checksum is not SHA-256 of what precedes it")
	}
	kb, err := hkdf.Key(sha256.New, root, nil, "embedkms/backup-authentication/v1", 32)
	lcNoErr(t, err)
	mac := hmac.New(sha256.New, kb)
	mac.Write(b[:len(b)-32])
	if !bytes.Equal(mac.Sum(nil), s.tag) {
		t.Fatal("tag is not HMAC-SHA256 under K_backup of what precedes it")
	}
	if !bytes.Equal(s.encode(false), b) {
		t.Fatal("re-encoding the parsed stream does not give it back")
	}
	if b2 := bkBackup(t, hs[1]); !bytes.Equal(b2, b) {
		t.Fatal("two backups of an unchanged store differ")
	}
}

// bkWantRefused restores b into a fresh store and wants err to match
// want, with nothing written; the same store then takes a good backup.
func bkWantRefused(t *testing.T, name string, b, good, root []byte, want error) {
	t.Helper()
	m := memory.New()
	defer m.Close()
	err := kms.Restore(ctx, bytes.NewReader(b), kms.Options{Backend: m, RootKey: root})
	if !errors.Is(err, want) {
		t.Fatalf("%s: Restore = %v, want %v", name, err, want)
	}
	if e := bkEntries(t, m); len(e) != 0 {
		t.Fatalf("%s: the refused restore wrote %d entries", name, len(e))
	}
	if err := kms.Restore(ctx, bytes.NewReader(good), kms.Options{Backend: m, RootKey: root}); err != nil {
		t.Fatalf("%s: a good backup into the store after the refusal: %v", name, err)
	}
}

// A backup truncated, bit-flipped, extended, edited, reordered or cut
// short (even with its checksum and count made right again), of another
// version, or made under another root key, is refused as a whole, and
// nothing is written.
func TestRestoreRefusesDamagedBackup(t *testing.T) {
	m, root := memory.New(), crypto.Random(32)
	defer m.Close()
	k := rkNew(t, kms.Options{Backend: m, RootKey: root})
	md := rkCreateKey(t, k)
	lcAlias(t, k, "alias/x", md.KeyId)
	good := bkBackup(t, k)

	for n := range len(good) {
		bkWantRefused(t, fmt.Sprintf("truncated to %d bytes", n), good[:n], good, root, kms.ErrInvalidBackup)
	}
	for i := range len(good) {
		for _, bit := range []byte{0x01, 0x80} {
			b := bytes.Clone(good)
			b[i] ^= bit
			want := kms.ErrInvalidBackup
			if i >= 16 && i < 32 {
				want = keystore.ErrWrongRootKey // the root key identity
			}
			bkWantRefused(t, fmt.Sprintf("bit %#x of byte %d flipped", bit, i), b, good, root, want)
		}
	}

	edit := func(f func(s *bkStream)) []byte {
		s := bkParse(t, good)
		s.entries = slices.Clone(s.entries)
		f(&s)
		return s.encode(true)
	}
	other := crypto.Random(32)
	mo := memory.New()
	defer mo.Close()
	ko := rkNew(t, kms.Options{Backend: mo, RootKey: other})
	rkCreateKey(t, ko)
	otherBackup := bkBackup(t, ko)
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, kms.ErrInvalidBackup},
		{"a byte after the trailer", append(bytes.Clone(good), 0), kms.ErrInvalidBackup},
		{"another backup after the trailer", append(bytes.Clone(good), good...), kms.ErrInvalidBackup},
		{"a value edited, checksum fixed", edit(func(s *bkStream) {
			v := bytes.Clone(s.entries[0][1])
			v[len(v)/2] ^= 1
			s.entries[0][1] = v
		}), kms.ErrInvalidBackup},
		{"an entry dropped, count and checksum fixed", edit(func(s *bkStream) { s.entries = s.entries[1:]; s.count-- }), kms.ErrInvalidBackup},
		{"two entries swapped, checksum fixed", edit(func(s *bkStream) { s.entries[0], s.entries[1] = s.entries[1], s.entries[0] }), kms.ErrInvalidBackup},
		{"an entry duplicated, count and checksum fixed", edit(func(s *bkStream) { s.entries = append(s.entries[:1], s.entries...); s.count++ }), kms.ErrInvalidBackup},
		{"a wrong count, checksum fixed", edit(func(s *bkStream) { s.count++ }), kms.ErrInvalidBackup},
		{"version 2, checksum fixed", edit(func(s *bkStream) { s.version = 2 }), kms.ErrInvalidBackup},
		{"not a backup", []byte("EMBEDKMS-BACKUQ\x01 and more bytes than a header holds"), kms.ErrInvalidBackup},
		{"made under another root key", otherBackup, keystore.ErrWrongRootKey},
		{"made under another root key, identity replaced, checksum fixed", func() []byte {
			s := bkParse(t, otherBackup)
			s.id = bkParse(t, good).id
			return s.encode(true)
		}(), kms.ErrInvalidBackup},
	} {
		bkWantRefused(t, c.name, c.b, good, root, c.want)
	}
	// The right backup under the wrong root key.
	bkWantRefused(t, "restored under another root key", good, otherBackup, other, keystore.ErrWrongRootKey)
}

// bkRacyStore is a store that some other writer fills between the first
// View and the first Update, as a concurrent writer could.
type bkRacyStore struct {
	*memory.Store
	once sync.Once
}

func (s *bkRacyStore) Update(ctx context.Context, fn func(backend.Txn) error) error {
	s.once.Do(func() {
		s.Store.Update(ctx, func(tx backend.Txn) error { return tx.Set([]byte("zz/other"), []byte("v")) })
	})
	return s.Store.Update(ctx, fn)
}

// Restore writes only into an empty store: a store with anything in it
// (an opened store, one foreign entry, one filled while the backup was
// being read) is refused, and left as it was.
func TestRestoreRefusesNonEmptyStore(t *testing.T) {
	m, root := memory.New(), crypto.Random(32)
	defer m.Close()
	k := rkNew(t, kms.Options{Backend: m, RootKey: root})
	rkCreateKey(t, k)
	good := bkBackup(t, k)

	opened := memory.New()
	rkNew(t, kms.Options{Backend: opened, RootKey: root}).Close()
	foreign := memory.New()
	foreign.Update(ctx, func(tx backend.Txn) error { return tx.Set([]byte("a"), nil) })
	for _, c := range []struct {
		name  string
		store backend.Store
	}{
		{"opened by a handle", opened},
		{"one foreign entry", foreign},
		{"the backed-up store itself", m},
		{"filled during the restore", &bkRacyStore{Store: memory.New()}},
	} {
		before := bkEntries(t, c.store)
		err := kms.Restore(ctx, bytes.NewReader(good), kms.Options{Backend: c.store, RootKey: root})
		if !errors.Is(err, kms.ErrRestoreTargetNotEmpty) {
			t.Fatalf("%s: Restore = %v, want ErrRestoreTargetNotEmpty", c.name, err)
		}
		after := bkEntries(t, c.store)
		if r, ok := c.store.(*bkRacyStore); ok {
			before = map[string]string{"zz/other": "v"}
			r.Close()
		}
		if !reflect.DeepEqual(after, before) {
			t.Fatalf("%s: the refused restore changed the store", c.name)
		}
	}
}

// Restore needs a store and a root key.
func TestRestoreNeedsBackendAndRootKey(t *testing.T) {
	for _, c := range []struct {
		name string
		opts kms.Options
	}{
		{"no backend", kms.Options{RootKey: crypto.Random(32)}},
		{"no root key", kms.Options{Backend: memory.New()}},
		{"a short root key", kms.Options{Backend: memory.New(), RootKey: crypto.Random(16)}},
	} {
		if err := kms.Restore(ctx, strings.NewReader(""), c.opts); err == nil {
			t.Errorf("%s: Restore succeeded", c.name)
		}
	}
}

// A volatile store (memory, no Options.RootKey) keeps its random root key
// in the store, in the clear: Backup refuses it and writes nothing. The
// same store type with a root key backs up.
func TestBackupRefusesVolatileRootKey(t *testing.T) {
	k := rkNew(t, kms.Options{})
	rkCreateKey(t, k)
	var buf bytes.Buffer
	if err := k.Backup(ctx, &buf); !errors.Is(err, kms.ErrVolatileBackup) {
		t.Fatalf("Backup of a volatile store: %v, want ErrVolatileBackup", err)
	}
	if buf.Len() != 0 {
		t.Fatalf("the refused Backup wrote %d bytes", buf.Len())
	}
	m := memory.New()
	defer m.Close()
	bkBackup(t, rkNew(t, kms.Options{Backend: m, RootKey: crypto.Random(32)}))
}

// Backup checks every entry under the root key: a store with an edited
// record is not backed up (it would not restore), and a closed handle
// backs up nothing.
func TestBackupRefusesCorruptStoreAndClosedHandle(t *testing.T) {
	m, root := memory.New(), crypto.Random(32)
	defer m.Close()
	k := rkNew(t, kms.Options{Backend: m, RootKey: root})
	md := rkCreateKey(t, k)
	stEdit(t, m, records.KeyKey(md.AWSAccountId, "us-east-1", md.KeyId), func(v []byte) []byte {
		v = bytes.Clone(v)
		v[5] ^= 1
		return v
	})
	if err := k.Backup(ctx, io.Discard); !errors.Is(err, backend.ErrCorrupt) {
		t.Fatalf("Backup of an edited store: %v, want backend.ErrCorrupt", err)
	}
	k.Close()
	if err := k.Backup(ctx, io.Discard); !errors.Is(err, kms.ErrKMSInternal) {
		t.Fatalf("Backup on a closed handle: %v, want KMSInternalException", err)
	}
}

// A restored copy opened in the same process beside the original has its
// own identity and so its own cache: a key disabled in one is still
// enabled in the other, in both directions, even with both caches warm.
func TestRestoredCopyDoesNotShareCache(t *testing.T) {
	m1, root := memory.New(), crypto.Random(32)
	defer m1.Close()
	a := rkNew(t, kms.Options{Backend: m1, RootKey: root})
	md := rkCreateKey(t, a)
	other := rkCreateKey(t, a)
	m2 := bkRestore(t, bkBackup(t, a), root)
	b := rkNew(t, kms.Options{Backend: m2, RootKey: root})
	for _, c := range []struct {
		name          string
		off, on       *kms.KMS
		keyID         string
		offName, onNm string
	}{
		{"disabled in the copy", b, a, md.KeyId, "copy", "original"},
		{"disabled in the original", a, b, other.KeyId, "original", "copy"},
	} {
		rkEncrypt(t, c.on, c.keyID, []byte("x"), nil) // warm both caches
		rkEncrypt(t, c.off, c.keyID, []byte("x"), nil)
		_, err := c.off.DisableKey(ctx, &kms.DisableKeyInput{KeyId: c.keyID})
		lcNoErr(t, err)
		rkEncrypt(t, c.on, c.keyID, []byte("x"), nil)
		if _, err := c.off.Encrypt(ctx, &kms.EncryptInput{KeyId: c.keyID, Plaintext: []byte("x")}); !errors.Is(err, kms.ErrDisabled) {
			t.Fatalf("%s: Encrypt in the %s: %v, want DisabledException", c.name, c.offName, err)
		}
		if _, err := c.on.Encrypt(ctx, &kms.EncryptInput{KeyId: c.keyID, Plaintext: []byte("x")}); err != nil {
			t.Fatalf("%s: Encrypt in the %s: %v", c.name, c.onNm, err)
		}
	}
}

// FuzzRestore feeds arbitrary bytes to Restore: it never panics, writes
// nothing unless it succeeds, and succeeds only on a stream Backup wrote
// under that root key (here: one of the seeds).
func FuzzRestore(f *testing.F) {
	root := crypto.Random(32)
	var valid [][]byte
	for n := range 3 {
		m := memory.New()
		k, err := kms.New(kms.Options{Backend: m, RootKey: root, Clock: kmstest.NewClock(time.Now())})
		if err != nil {
			f.Fatal(err)
		}
		for range n {
			out, err := k.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "a", TagValue: "b"}}})
			if err != nil {
				f.Fatal(err)
			}
			k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: fmt.Sprintf("alias/%d", n), TargetKeyId: out.KeyMetadata.KeyId})
		}
		var buf bytes.Buffer
		if err := k.Backup(ctx, &buf); err != nil {
			f.Fatal(err)
		}
		k.Close()
		m.Close()
		valid = append(valid, buf.Bytes())
		f.Add(buf.Bytes())
		f.Add(buf.Bytes()[:buf.Len()/2])
	}
	f.Add([]byte("EMBEDKMS-BACKUP\x01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m := memory.New()
		defer m.Close()
		err := kms.Restore(ctx, bytes.NewReader(b), kms.Options{Backend: m, RootKey: root})
		if err != nil {
			if e := bkEntries(t, m); len(e) != 0 {
				t.Fatalf("Restore failed (%v) but wrote %d entries", err, len(e))
			}
			return
		}
		if !slices.ContainsFunc(valid, func(v []byte) bool { return bytes.Equal(v, b) }) {
			t.Fatalf("Restore accepted a stream Backup did not write: %x", b)
		}
	})
}

// bkOpenSource opens one handle per place on store, with source.
func bkOpenSource(t *testing.T, store backend.Store, source keystore.RootKeySource) []*kms.KMS {
	t.Helper()
	clock := kmstest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	var hs []*kms.KMS
	for _, p := range bkPlaces {
		hs = append(hs, rkNew(t, kms.Options{Backend: store, RootKeySource: source, AccountID: p.account, Region: p.region, Clock: clock}))
	}
	return hs
}

// A store opened with a root-key source restores with that source alone
// (a passphrase, an AEAD: the raw root key is never known), from the
// salt and parameters or the envelope the backup carries; the restored
// store opens with the same source and everything made before decrypts.
// A wrong passphrase or AEAD, or a source of another kind, is refused
// with ErrWrongRootKey and nothing written.
func TestRestoreWithRootKeySource(t *testing.T) {
	rawKey := crypto.Random(32)
	a := rsAEAD(t)
	for _, c := range []struct {
		name          string
		open, restore keystore.RootKeySource
		wrong         []keystore.RootKeySource
	}{
		{"passphrase",
			keystore.PassphraseRootKey([]byte("correct horse"), rsFastArgon2),
			// No parameters given: the backup's are used.
			keystore.PassphraseRootKey([]byte("correct horse")),
			[]keystore.RootKeySource{
				keystore.PassphraseRootKey([]byte("correct horsf"), rsFastArgon2),
				keystore.AEADRootKey(a),
				keystore.RawRootKey(crypto.Random(32)),
			}},
		{"aead",
			keystore.AEADRootKey(a), keystore.AEADRootKey(a),
			[]keystore.RootKeySource{
				keystore.AEADRootKey(rsAEAD(t)),
				keystore.PassphraseRootKey([]byte("correct horse"), rsFastArgon2),
				keystore.RawRootKey(crypto.Random(32)),
			}},
		{"raw", keystore.RawRootKey(rawKey), keystore.RawRootKey(rawKey),
			[]keystore.RootKeySource{keystore.RawRootKey(crypto.Random(32))}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m1 := memory.New()
			defer m1.Close()
			hs := bkOpenSource(t, m1, c.open)
			proofs := bkPopulate(t, hs)
			want, wantRaw := bkRead(t, hs), bkEntries(t, m1)
			b := bkBackup(t, hs[0])

			m2 := memory.New()
			defer m2.Close()
			for i, wrong := range c.wrong {
				err := kms.Restore(ctx, bytes.NewReader(b), kms.Options{Backend: m2, RootKeySource: wrong})
				if !errors.Is(err, keystore.ErrWrongRootKey) {
					t.Fatalf("wrong source %d: Restore = %v, want ErrWrongRootKey", i, err)
				}
				if e := bkEntries(t, m2); len(e) != 0 {
					t.Fatalf("wrong source %d: the refused restore wrote %d entries", i, len(e))
				}
			}
			if err := kms.Restore(ctx, bytes.NewReader(b), kms.Options{Backend: m2, RootKeySource: c.restore}); err != nil {
				t.Fatalf("Restore with the source: %v", err)
			}
			if got := bkEntries(t, m2); !reflect.DeepEqual(got, wantRaw) {
				t.Fatalf("restored entries differ from the store's at backup time: got %d, want %d", len(got), len(wantRaw))
			}
			hs2 := bkOpenSource(t, m2, c.restore)
			if got := bkRead(t, hs2); !reflect.DeepEqual(got, want) {
				t.Fatalf("restored handles show\n%+v\nwant\n%+v", got, want)
			}
			for _, p := range proofs {
				p(t, hs2)
			}
			// And the restored material works for new ciphertexts too.
			n := 0
			for i, k := range hs2 {
				for _, e := range want[i].Keys {
					if md := want[i].Meta[e.KeyId]; md.KeyUsage == "ENCRYPT_DECRYPT" && md.KeySpec == "SYMMETRIC_DEFAULT" && md.KeyState == "Enabled" {
						rkDecrypts(t, k, rkEncrypt(t, k, e.KeyId, []byte("pt"), nil), []byte("pt"), nil)
						n++
					}
				}
			}
			if n == 0 {
				t.Fatal("no enabled symmetric key to encrypt with")
			}
		})
	}
}

// Restore, like New, takes one of RootKey and RootKeySource, not both,
// and refuses before reading the stream or touching the store.
func TestRestoreRefusesRootKeyAndSource(t *testing.T) {
	m, root := memory.New(), crypto.Random(32)
	defer m.Close()
	b := bkBackup(t, rkNew(t, kms.Options{Backend: m, RootKey: root}))
	m2 := memory.New()
	defer m2.Close()
	err := kms.Restore(ctx, bytes.NewReader(b), kms.Options{Backend: m2, RootKey: root, RootKeySource: keystore.RawRootKey(root)})
	if err == nil || !strings.Contains(err.Error(), "both set") {
		t.Fatalf("Restore with RootKey and RootKeySource = %v, want an error saying both are set", err)
	}
	if e := bkEntries(t, m2); len(e) != 0 {
		t.Fatalf("the refused restore wrote %d entries", len(e))
	}
	if err := kms.Restore(ctx, bytes.NewReader(b), kms.Options{Backend: m2}); err == nil {
		t.Fatal("Restore with neither RootKey nor RootKeySource succeeded")
	}
}
