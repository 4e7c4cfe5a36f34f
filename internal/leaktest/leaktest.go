// Package leaktest helps tests prove that a store keeps no secret in the
// clear: it reads every file under a directory and searches it for a
// secret in every form a careless encoder could write it in.
package leaktest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// Material returns the secret material of key md (of Region region) as an
// application holding the root key could unwrap it from store s.
func Material(t testing.TB, s backend.Store, root []byte, region string, md *kms.KeyMetadata) []byte {
	t.Helper()
	rk, err := keystore.NewRootKey(root)
	if err != nil {
		t.Fatal(err)
	}
	var rec *records.Key
	if err := rk.Authenticated(s).View(context.Background(), func(tx backend.Txn) error {
		var err error
		rec, err = records.GetKey(tx, md.AWSAccountId, region, md.KeyId)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(rec.Materials) != 1 {
		t.Fatalf("key has %d materials, want 1", len(rec.Materials))
	}
	m, err := rk.Open(md.Arn, rec.Materials[0])
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// DirBytes returns the contents of every file under dir.
func DirBytes(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Forms are the forms in which secret could appear in a file: raw, hex,
// and base64 (standard and URL alphabets) at each of the three alignments
// a longer base64 text could give it, without the last group, which
// depends on the bytes after it.
func Forms(secret []byte) map[string][]byte {
	n := map[string][]byte{"raw": secret, "hex": []byte(hex.EncodeToString(secret))}
	for shift := range 3 {
		for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "base64url": base64.URLEncoding} {
			s := enc.EncodeToString(secret[shift:])
			n[name+string(rune('0'+shift))] = []byte(s[:len(s)-4])
		}
	}
	return n
}

// Find reports where, in files, secret appears in one of its Forms.
func Find(files map[string][]byte, secret []byte) (string, bool) {
	for path, b := range files {
		for form, n := range Forms(secret) {
			if bytes.Contains(b, n) {
				return form + " in " + path, true
			}
		}
	}
	return "", false
}
