package file_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/file"
	"github.com/embedkms/kms/internal/leaktest"
)

// TestSeedMaterialNotInTheFiles: known key material given in a seed is
// stored wrapped under the root key like any other: after seeding (and
// compaction) no file of the store holds it in any form, though the seed
// text itself does (so the search would find it), and the store unwraps
// it with the root key. Seeding the reopened store again changes nothing
// and the key still decrypts what it encrypted.
func TestSeedMaterialNotInTheFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	root := rootKey(4)
	sym := make([]byte, 32)
	mac := make([]byte, 64)
	rand.Read(sym)
	rand.Read(mac)
	priv, err := ecdh.P384().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"10000000-0000-4000-8000-000000000001", "10000000-0000-4000-8000-000000000002", "10000000-0000-4000-8000-000000000003"}
	seed := fmt.Sprintf(`keys:
  - id: %s
    keyMaterial: %s
  - id: %s
    keySpec: HMAC_512
    keyUsage: GENERATE_VERIFY_MAC
    keyMaterial: %s
  - id: %s
    keySpec: ECC_NIST_P384
    keyUsage: KEY_AGREEMENT
    keyMaterial: %s
`, ids[0], base64.StdEncoding.EncodeToString(sym), ids[1], base64.StdEncoding.EncodeToString(mac), ids[2], base64.StdEncoding.EncodeToString(der))
	secrets := [][]byte{sym, mac, der}
	for i, m := range secrets {
		if _, found := leaktest.Find(map[string][]byte{"seed": []byte(seed)}, m); !found {
			t.Fatalf("the search does not find material %d in the seed text", i)
		}
	}

	s := mustOpen(t, dir, file.Options{})
	k := newHandle(t, s, root)
	if err := k.Seed(ctx, strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		md, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
		if err != nil {
			t.Fatal(err)
		}
		if got := leaktest.Material(t, s, root, kms.DefaultRegion, md.KeyMetadata); string(got) != string(secrets[i]) {
			t.Fatalf("key %s does not hold the seeded material", id)
		}
	}
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: ids[0], Plaintext: []byte("seeded")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	k.Close()
	s.Close()
	files := leaktest.DirBytes(t, dir)
	for i, m := range secrets {
		if where, found := leaktest.Find(files, m); found {
			t.Errorf("seeded material %d found in the store: %s", i, where)
		}
	}

	s = mustOpen(t, dir, file.Options{})
	defer s.Close()
	k = newHandle(t, s, root)
	defer k.Close()
	if err := k.Seed(ctx, strings.NewReader(seed)); err != nil {
		t.Fatalf("seeding the reopened store again: %v", err)
	}
	keys, err := k.ListKeys(ctx, nil)
	if err != nil || len(keys.Keys) != len(ids) {
		t.Fatalf("ListKeys after seeding again = %+v, %v", keys, err)
	}
	if dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil || string(dec.Plaintext) != "seeded" {
		t.Fatalf("Decrypt after reopening and seeding again: %v", err)
	}
}
