package kms_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// rkDurable is a memory store that does not say it is volatile, as a
// durable backend would not: embedding the interface hides Volatile.
type rkDurable struct{ backend.Store }

func rkNewDurable(t *testing.T) *rkDurable {
	t.Helper()
	m := memory.New()
	t.Cleanup(func() { m.Close() })
	return &rkDurable{m}
}

// rkRecorder is a durable-looking store that records every value written.
type rkRecorder struct {
	backend.Store
	mu     sync.Mutex
	values [][]byte
}

func (r *rkRecorder) Update(ctx context.Context, fn func(backend.Txn) error) error {
	return r.Store.Update(ctx, func(tx backend.Txn) error { return fn(rkRecTxn{tx, r}) })
}

func (r *rkRecorder) written() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.values)
}

type rkRecTxn struct {
	backend.Txn
	r *rkRecorder
}

func (t rkRecTxn) Set(key, value []byte) error {
	t.r.mu.Lock()
	t.r.values = append(t.r.values, slices.Clone(value))
	t.r.mu.Unlock()
	return t.Txn.Set(key, value)
}

func rkNew(t *testing.T, opts kms.Options) *kms.KMS {
	t.Helper()
	k, err := kms.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func rkEncrypt(t *testing.T, k *kms.KMS, keyID string, pt []byte, ec map[string]string) []byte {
	t.Helper()
	out, err := k.Encrypt(context.Background(), &kms.EncryptInput{KeyId: keyID, Plaintext: pt, EncryptionContext: ec})
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	return out.CiphertextBlob
}

func rkDecrypts(t *testing.T, k *kms.KMS, blob, want []byte, ec map[string]string) {
	t.Helper()
	out, err := k.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec})
	if err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	if !bytes.Equal(out.Plaintext, want) {
		t.Fatalf("Decrypt = %q, want %q", out.Plaintext, want)
	}
}

func rkCreateKey(t *testing.T, k *kms.KMS) *kms.KeyMetadata {
	t.Helper()
	out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return out.KeyMetadata
}

// Options.RootKey "may be nil only with a volatile (memory) backend".
func TestRootKeyRequiredForDurableBackend(t *testing.T) {
	store := rkNewDurable(t)
	if k, err := kms.New(kms.Options{Backend: store}); err == nil {
		k.Close()
		t.Fatal("New on a durable backend without RootKey succeeded")
	}
	// The refusal wrote nothing: a root key given later is the first one.
	rkNew(t, kms.Options{Backend: store, RootKey: crypto.Random(32)})
}

func TestRootKeyWrongSize(t *testing.T) {
	for _, n := range []int{0, 1, 16, 24, 31, 33, 64} {
		mem := memory.New()
		t.Cleanup(func() { mem.Close() })
		for name, store := range map[string]backend.Store{"durable": rkNewDurable(t), "memory": mem} {
			if k, err := kms.New(kms.Options{Backend: store, RootKey: make([]byte, n)}); err == nil {
				k.Close()
				t.Errorf("%s backend, %d-byte RootKey: New succeeded", name, n)
			}
		}
	}
}

func TestRootKeyMismatch(t *testing.T) {
	store := rkNewDurable(t)
	rootA, rootB := crypto.Random(32), crypto.Random(32)
	a := rkNew(t, kms.Options{Backend: store, RootKey: rootA})
	md := rkCreateKey(t, a)
	blob := rkEncrypt(t, a, md.KeyId, []byte("secret"), map[string]string{"app": "x"})

	if k, err := kms.New(kms.Options{Backend: store, RootKey: rootB}); !errors.Is(err, keystore.ErrWrongRootKey) {
		if k != nil {
			k.Close()
		}
		t.Fatalf("second New with another RootKey: err = %v, want ErrWrongRootKey", err)
	}
	// Another account or Region on the same backend is still the same
	// backend: same root key required.
	if _, err := kms.New(kms.Options{Backend: store, RootKey: rootB, AccountID: "444455556666", Region: "eu-west-1"}); !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Fatalf("New for another account with another RootKey: err = %v, want ErrWrongRootKey", err)
	}
	// The refused handles did not disturb the first one.
	rkDecrypts(t, a, blob, []byte("secret"), map[string]string{"app": "x"})

	b := rkNew(t, kms.Options{Backend: store, RootKey: slices.Clone(rootA)})
	rkDecrypts(t, b, blob, []byte("secret"), map[string]string{"app": "x"})
	md2 := rkCreateKey(t, b)
	rkDecrypts(t, a, rkEncrypt(t, b, md2.KeyId, []byte("back"), nil), []byte("back"), nil)
}

// A root key survives the handle: a new handle with the same RootKey on
// the same backend decrypts what the closed one encrypted.
func TestRootKeyReopen(t *testing.T) {
	store := rkNewDurable(t)
	root := crypto.Random(32)
	a, err := kms.New(kms.Options{Backend: store, RootKey: root})
	if err != nil {
		t.Fatal(err)
	}
	md := rkCreateKey(t, a)
	blob := rkEncrypt(t, a, md.KeyId, []byte("kept"), nil)
	a.Close()

	if _, err := kms.New(kms.Options{Backend: store, RootKey: crypto.Random(32)}); !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Fatalf("New with another RootKey after Close: err = %v, want ErrWrongRootKey", err)
	}
	b := rkNew(t, kms.Options{Backend: store, RootKey: root})
	rkDecrypts(t, b, blob, []byte("kept"), nil)
}

func TestRootKeyBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts kms.Options
	}{
		{"11-digit account", kms.Options{AccountID: "11112222333"}},
		{"13-digit account", kms.Options{AccountID: "1111222233334"}},
		{"account with a letter", kms.Options{AccountID: "11112222333a"}},
		{"account with a space", kms.Options{AccountID: " 11122223333"}},
		{"account with a newline", kms.Options{AccountID: "111122223333\n"}},
		{"Region in capitals", kms.Options{Region: "US-EAST-1"}},
		{"Region without dashes", kms.Options{Region: "useast1"}},
		{"Region without number", kms.Options{Region: "us-east"}},
		{"Region with underscores", kms.Options{Region: "us_east_1"}},
		{"Region with a trailing newline", kms.Options{Region: "us-east-1\n"}},
		{"Region with a colon", kms.Options{Region: "us-east-1:x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, root := range [][]byte{nil, crypto.Random(32)} {
				opts := tt.opts
				opts.RootKey = root
				if k, err := kms.New(opts); err == nil {
					k.Close()
					t.Errorf("New(%+v) succeeded", tt.opts)
				}
			}
		})
	}
	for _, region := range []string{"us-east-1", "eu-central-2", "us-gov-west-1", "cn-northwest-1", "ap-southeast-5"} {
		if k, err := kms.New(kms.Options{Region: region, AccountID: "000000000000"}); err != nil {
			t.Errorf("New(Region %q): %v", region, err)
		} else {
			k.Close()
		}
	}
}

// Handles sharing a memory backend without RootKey share its ephemeral
// root key.
func TestRootKeyEphemeralShared(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	a := rkNew(t, kms.Options{Backend: store})
	b := rkNew(t, kms.Options{Backend: store})
	md := rkCreateKey(t, a)
	rkDecrypts(t, b, rkEncrypt(t, a, md.KeyId, []byte("shared"), nil), []byte("shared"), nil)
	md2 := rkCreateKey(t, b)
	rkDecrypts(t, a, rkEncrypt(t, b, md2.KeyId, []byte("both ways"), nil), []byte("both ways"), nil)

	// An explicit RootKey on that backend is a different root key.
	if _, err := kms.New(kms.Options{Backend: store, RootKey: crypto.Random(32)}); !errors.Is(err, keystore.ErrWrongRootKey) {
		t.Errorf("New with a RootKey on an ephemeral-keyed backend: err = %v, want ErrWrongRootKey", err)
	}
}

// Options.RootKey: a volatile backend without one "uses a random root key
// that lives as long as the process", and the handle "does not close a
// backend it was given", so a backend outlives its handles.
func TestRootKeyEphemeralOutlivesHandles(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	a, err := kms.New(kms.Options{Backend: store})
	if err != nil {
		t.Fatal(err)
	}
	md := rkCreateKey(t, a)
	blob := rkEncrypt(t, a, md.KeyId, []byte("still here"), nil)
	a.Close()

	b := rkNew(t, kms.Options{Backend: store})
	rkDecrypts(t, b, blob, []byte("still here"), nil)
}

// Key material is stored only wrapped under the root key, and nothing the
// caller encrypts is stored at all.
func TestRootKeyMaterialNeverInClear(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	t.Cleanup(func() { m.Close() })
	store := &rkRecorder{Store: m}
	root := crypto.Random(32)
	k := rkNew(t, kms.Options{Backend: store, RootKey: root})

	md := rkCreateKey(t, k)
	pt := append([]byte("plaintext that must never be stored "), crypto.Random(32)...)
	ec := map[string]string{"tenant": "acme"}
	blob := rkEncrypt(t, k, md.KeyId, pt, ec)
	rkDecrypts(t, k, blob, pt, ec)

	rk, err := keystore.NewRootKey(root)
	if err != nil {
		t.Fatal(err)
	}
	var rec *records.Key
	if err := rk.Authenticated(m).View(ctx, func(tx backend.Txn) error {
		var err error
		rec, err = records.GetKey(tx, md.AWSAccountId, "us-east-1", md.KeyId)
		return err
	}); err != nil {
		t.Fatalf("reading the key record: %v", err)
	}
	if len(rec.Materials) != 1 || rec.CurrentMaterial != rec.Materials[0].ID {
		t.Fatalf("key record materials = %+v, current %q", rec.Materials, rec.CurrentMaterial)
	}

	// The wrapped material opens under the root key, bound to the key ARN,
	// and under nothing else.
	material, err := rk.Open(md.Arn, rec.Materials[0])
	if err != nil {
		t.Fatalf("stored material does not unwrap under the root key: %v", err)
	}
	if len(material) != crypto.AES256KeySize {
		t.Fatalf("material is %d bytes, want %d", len(material), crypto.AES256KeySize)
	}
	other, _ := keystore.NewRootKey(crypto.Random(32))
	if _, err := other.Open(md.Arn, rec.Materials[0]); err == nil {
		t.Error("stored material unwraps under another root key")
	}
	if _, err := rk.Open(strings.Replace(md.Arn, md.KeyId, "00000000-0000-4000-8000-000000000000", 1), rec.Materials[0]); err == nil {
		t.Error("stored material unwraps for another key")
	}

	// That material is the key that encrypted the blob: open the blob with
	// the standard library, as blob.go lays it out.
	mid, err := hex.DecodeString(rec.CurrentMaterial)
	if err != nil {
		t.Fatal(err)
	}
	hl := 1 + 1 + len(md.AWSAccountId) + 1 + len("us-east-1") + 1 + len(md.KeyId) + len(mid)
	if !bytes.Equal(blob[hl-len(mid):hl], mid) {
		t.Fatalf("blob header does not end with the current material id")
	}
	got, err := stdOpenBlob(t, material, blob, hl, ec)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("unwrapped material does not open the blob: %v", err)
	}

	// Nothing written to the backend holds the material, the root key or
	// the plaintext, raw or in a text encoding.
	secrets := map[string][]byte{"key material": material, "root key": root, "plaintext": pt}
	written := store.written()
	if len(written) == 0 {
		t.Fatal("recorder saw no writes")
	}
	for name, s := range secrets {
		forms := [][]byte{
			s,
			[]byte(hex.EncodeToString(s)),
			[]byte(base64.StdEncoding.EncodeToString(s)),
			[]byte(base64.RawURLEncoding.EncodeToString(s)),
		}
		for _, v := range written {
			for _, f := range forms {
				if bytes.Contains(v, f) {
					t.Errorf("the %s appears in a stored value", name)
				}
			}
		}
	}
}
