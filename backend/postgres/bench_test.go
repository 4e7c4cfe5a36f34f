package postgres_test

// Benchmarks of a kms handle on a postgres store, against the test server
// (EMBEDKMS_TEST_POSTGRES or a private cluster). Run them all with
//
//	go test -run '^$' -bench . -benchtime 2s ./backend/postgres

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/internal/pgtest"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// BenchmarkEncrypt encrypts 64 bytes under one key on a memory store and
// on a postgres store: the key is cached after the first call and the
// cache is used while the store is Fresh (an atomic load and a clock
// read), so no call goes to the database and the two should be close.
func BenchmarkEncrypt(b *testing.B) {
	for _, store := range []string{"memory", "postgres"} {
		b.Run(store, func(b *testing.B) {
			var s backend.Store = memory.New()
			if store == "postgres" {
				s = open(b, postgres.Options{DSN: pgtest.DSN(b)})
			}
			k, err := kms.New(kms.Options{Backend: s, RootKey: rootKey})
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			ck, err := k.CreateKey(b.Context(), nil)
			if err != nil {
				b.Fatal(err)
			}
			in := &kms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: make([]byte, 64)}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Encrypt(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateKey creates symmetric keys one after another (each one
// SERIALIZABLE transaction, committed).
func BenchmarkCreateKey(b *testing.B) {
	k := newHandle(b, open(b, postgres.Options{DSN: pgtest.DSN(b)}))
	start := time.Now()
	for b.Loop() {
		if _, err := k.CreateKey(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "keys/s")
}

// seedKeys writes n key records of the handle's account and Region
// through the store's own Update, 5,000 per transaction, as the handle
// writes them. Their material is not valid: the benchmarks only list them.
func seedKeys(b *testing.B, s backend.Store, k *kms.KMS, n int) {
	root, err := keystore.NewRootKey(rootKey)
	if err != nil {
		b.Fatal(err)
	}
	auth := root.Authenticated(s)
	created := time.Now()
	const perTxn = 5000
	for first := 0; first < n; first += perTxn {
		err := auth.Update(b.Context(), func(tx backend.Txn) error {
			for i := first; i < min(first+perTxn, n); i++ {
				rec := &records.Key{
					Account: k.AccountID(), Region: k.Region(),
					KeyID:        fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
					CreationDate: created, KeyUsage: "ENCRYPT_DECRYPT", KeySpec: "SYMMETRIC_DEFAULT",
					Origin: "AWS_KMS", State: "Enabled", Policy: "{}",
				}
				if err := records.PutKey(tx, rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListKeys lists the first page (Limit 100) of a store of 1,000
// and of 100,000 keys: a page costs the same whatever the store holds.
func BenchmarkListKeys(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := open(b, postgres.Options{DSN: pgtest.DSN(b)})
			k := newHandle(b, s)
			seedKeys(b, s, k, n)
			in := &kms.ListKeysInput{Limit: 100}
			for b.Loop() {
				out, err := k.ListKeys(b.Context(), in)
				if err != nil {
					b.Fatal(err)
				}
				if len(out.Keys) != 100 {
					b.Fatalf("%d keys in a page", len(out.Keys))
				}
			}
		})
	}
}
