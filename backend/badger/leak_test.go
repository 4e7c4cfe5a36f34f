package badger_test

import (
	"testing"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/badger"
	"github.com/embedkms/kms/internal/leaktest"
)

// TestNoKeyMaterialInTheFiles creates keys of several kinds, closes the
// store and searches every byte of every file in its directory for their
// material, raw, hex or base64: none may appear (the material is only
// ever stored wrapped under the root key). A store holding the material as
// plain values shows that the search finds it when it is there.
func TestNoKeyMaterialInTheFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := badger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	k := newKMS(t, s, kms.DefaultRegion, rootKey)
	var secrets [][]byte
	for _, in := range []kms.CreateKeyInput{
		{},
		{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac},
		{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify},
	} {
		out, err := k.CreateKey(t.Context(), &in)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, leaktest.Material(t, s, rootKey, kms.DefaultRegion, out.KeyMetadata))
	}
	k.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	files := leaktest.DirBytes(t, dir)
	for i, m := range secrets {
		if where, found := leaktest.Find(files, m); found {
			t.Errorf("material of key %d found: %s", i, where)
		}
	}

	control := t.TempDir()
	cs, err := badger.Open(control)
	if err != nil {
		t.Fatal(err)
	}
	err = cs.Update(t.Context(), func(tx backend.Txn) error { return tx.Set([]byte("plain"), secrets[0]) })
	if err != nil {
		t.Fatal(err)
	}
	cs.Close()
	if _, found := leaktest.Find(leaktest.DirBytes(t, control), secrets[0]); !found {
		t.Fatal("the search misses material stored in the clear")
	}
}
