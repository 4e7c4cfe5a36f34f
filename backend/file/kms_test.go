package file_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/file"
	"github.com/embedkms/kms/internal/leaktest"
	"github.com/embedkms/kms/keystore"
)

func rootKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func newHandle(t testing.TB, s backend.Store, root []byte) *kms.KMS {
	t.Helper()
	k, err := kms.New(kms.Options{Backend: s, RootKey: root})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKeysSurviveReopenThroughTheHandle: keys, aliases and ciphertexts
// made through kms.New over a file store are all there after Close and
// reopen; a wrong root key is refused and changes no byte of the store.
func TestKeysSurviveReopenThroughTheHandle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, file.Options{})
	k := newHandle(t, s, rootKey(1))
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: "survives"})
	if err != nil {
		t.Fatal(err)
	}
	id := key.KeyMetadata.KeyId
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/kept", TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	k.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	before := leaktest.DirBytes(t, dir)
	s = mustOpen(t, dir, file.Options{})
	_, err = kms.New(kms.Options{Backend: s, RootKey: rootKey(2)})
	if !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Fatalf("kms.New with another root key = %v, want ErrWrongRootKey", err)
	}
	s.Close()
	after := leaktest.DirBytes(t, dir)
	if len(after) != len(before) {
		t.Fatalf("a refused root key changed the files: %d before, %d after", len(before), len(after))
	}
	for path, b := range before {
		if !bytes.Equal(after[path], b) {
			t.Fatalf("a refused root key changed %s", path)
		}
	}

	s = mustOpen(t, dir, file.Options{})
	defer s.Close()
	k = newHandle(t, s, rootKey(1))
	defer k.Close()
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/kept"})
	if err != nil || d.KeyMetadata.KeyId != id || d.KeyMetadata.Description != "survives" {
		t.Fatalf("DescribeKey(alias/kept) after reopen = %+v, %v", d, err)
	}
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "secret" {
		t.Fatalf("Decrypt after reopen = %v, want the plaintext", err)
	}
}

// TestNoKeyMaterialInTheFiles creates keys of several kinds, closes the
// store and searches every byte of every file in its directory for their
// material, raw, hex or base64: none may appear. A store holding the
// material as a plain value shows that the search finds it when it is
// there.
func TestNoKeyMaterialInTheFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	root := rootKey(3)
	s := mustOpen(t, dir, file.Options{})
	k := newHandle(t, s, root)
	var secrets [][]byte
	for _, in := range []kms.CreateKeyInput{
		{},
		{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac},
		{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify},
	} {
		out, err := k.CreateKey(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, leaktest.Material(t, s, root, kms.DefaultRegion, out.KeyMetadata))
	}
	if err := s.Compact(ctx); err != nil { // material also passes through compaction
		t.Fatal(err)
	}
	k.Close()
	s.Close()
	files := leaktest.DirBytes(t, dir)
	for i, m := range secrets {
		if len(m) < 16 {
			t.Fatalf("material %d is %d bytes, too short to search for", i, len(m))
		}
		if where, found := leaktest.Find(files, m); found {
			t.Errorf("material of key %d found: %s", i, where)
		}
	}

	control := t.TempDir()
	cs := mustOpen(t, control, file.Options{})
	set(t, cs, "plain", string(secrets[0]), "b64", base64.StdEncoding.EncodeToString(append([]byte{1}, secrets[1]...)))
	cs.Close()
	cfiles := leaktest.DirBytes(t, control)
	for i, m := range secrets[:2] {
		if _, found := leaktest.Find(cfiles, m); !found {
			t.Fatalf("the search misses material %d stored in the clear", i)
		}
	}
}
