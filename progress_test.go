package kms_test

import (
	"bytes"
	"context"
	"testing"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// TestRewrapRootKeyProgress: RewrapRootKeyWithOptions reports 0 of the
// record count first, then every record in order, ending at the total,
// and the rewrap is the one RewrapRootKey does (the new source reads
// every key).
func TestRewrapRootKeyProgress(t *testing.T) {
	all := rsSources(t)
	oldSrc, newSrc := all["raw"][0], all["file"][1]
	store := rkNewDurable(t)
	w := rsPopulate(t, store, oldSrc)
	records := len(rsSnapshot(t, store))
	var calls [][2]int
	err := kms.RewrapRootKeyWithOptions(context.Background(), store, oldSrc, newSrc, kms.RewrapOptions{
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) },
	})
	if err != nil {
		t.Fatalf("RewrapRootKeyWithOptions: %v", err)
	}
	if len(calls) != records+1 {
		t.Fatalf("%d progress calls for %d records, want %d: %v", len(calls), records, records+1, calls)
	}
	for i, c := range calls {
		if c != [2]int{i, records} {
			t.Fatalf("progress call %d = %v, want [%d %d]", i, c, i, records)
		}
	}
	rsCheck(t, store, newSrc, w)
}

// TestApplySeedProgress: ApplySeedWithOptions reports 0 of the keys the
// store lacks, each key made, and the total once written; seeding again
// (nothing lacking) reports 0 of 0.
func TestApplySeedProgress(t *testing.T) {
	k, _ := kmstest.New(t)
	f, err := kms.ParseSeed(bytes.NewReader(seedFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	opts := kms.SeedOptions{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }}
	if err := k.ApplySeedWithOptions(ctx, f, opts); err != nil {
		t.Fatal(err)
	}
	n := len(f.Keys)
	if len(calls) != n+1 || calls[0] != [2]int{0, n} || calls[n] != [2]int{n, n} {
		t.Fatalf("progress calls %v, want 0..%d of %d", calls, n, n)
	}
	for i, c := range calls {
		if c != [2]int{i, n} {
			t.Fatalf("progress call %d = %v, want [%d %d]", i, c, i, n)
		}
	}
	decryptGolden(t, k)
	calls = nil
	if err := k.ApplySeedWithOptions(ctx, f, opts); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0] != [2]int{0, 0} || calls[1] != [2]int{0, 0} {
		t.Errorf("seeding again: progress calls %v, want [[0 0] [0 0]]", calls)
	}
}
