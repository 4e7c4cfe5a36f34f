package kms_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// operation is one method of the handle of the form
// func(context.Context, *XInput) (*XOutput, error).
type operation struct {
	name string
	in   reflect.Type // the input structure type (not the pointer)
	call func(ctx context.Context, in reflect.Value) error
}

// operations lists every such method of k, found by reflection, so an
// operation added later is covered without editing the tests below.
func operations(t *testing.T, k *kms.KMS) []operation {
	t.Helper()
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	v := reflect.ValueOf(k)
	var ops []operation
	for i := range v.NumMethod() {
		m, mt := v.Method(i), v.Type().Method(i)
		ft := m.Type()
		if ft.NumIn() != 2 || ft.In(0) != ctxType || ft.In(1).Kind() != reflect.Pointer ||
			ft.NumOut() != 2 || ft.Out(1) != errType || !strings.HasSuffix(ft.In(1).Elem().Name(), "Input") {
			continue
		}
		ops = append(ops, operation{
			name: mt.Name,
			in:   ft.In(1).Elem(),
			call: func(ctx context.Context, in reflect.Value) error {
				out := m.Call([]reflect.Value{reflect.ValueOf(&ctx).Elem(), in})
				err, _ := out[1].Interface().(error)
				return err
			},
		})
	}
	if len(ops) < 31 {
		t.Fatalf("found %d operations by reflection, want at least 31", len(ops))
	}
	return ops
}

// TestClosedHandleOneError: after Close, every operation (and Backup and
// Maintain) fails with the same error, whatever its input: a
// KMSInternalException matching kms.ErrClosed.
func TestClosedHandleOneError(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ops := operations(t, k)
	k.Close()
	check := func(t *testing.T, err error) {
		t.Helper()
		var e *kms.Error
		if !errors.Is(err, kms.ErrClosed) || !errors.Is(err, kms.ErrKMSInternal) || !errors.As(err, &e) {
			t.Fatalf("got %v, want the closed-handle error", err)
		}
		if e.Message != "the handle is closed" {
			t.Errorf("message %q", e.Message)
		}
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			// An empty input (invalid for most operations) and one naming a
			// real key: the closed handle answers both the same way.
			check(t, op.call(ctx, reflect.New(op.in)))
			in := reflect.New(op.in)
			if f := in.Elem().FieldByName("KeyId"); f.IsValid() {
				f.SetString(key.KeyMetadata.KeyId)
			}
			check(t, op.call(ctx, in))
		})
	}
	t.Run("Backup", func(t *testing.T) { check(t, k.Backup(ctx, io.Discard)) })
	t.Run("Maintain", func(t *testing.T) { check(t, k.Maintain(ctx)) })
}

// TestContextErrorsFromEveryOperation: a cancelled context or one past its
// deadline comes back as the context's own error from every operation,
// before anything else is checked, never as KMSInternalException.
func TestContextErrorsFromEveryOperation(t *testing.T) {
	k, _ := kmstest.New(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	for _, op := range operations(t, k) {
		t.Run(op.name, func(t *testing.T) {
			for _, c := range []struct {
				ctx  context.Context
				want error
			}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
				err := op.call(c.ctx, reflect.New(op.in))
				if !errors.Is(err, c.want) || errors.Is(err, kms.ErrKMSInternal) {
					t.Errorf("got %v, want %v", err, c.want)
				}
			}
		})
	}
}

// ctxStore is a backend that honours its context as a network or disk
// store does: once armed, every transaction cancels the context it was
// given (as if the caller gave up while it ran) and returns ctx.Err().
type ctxStore struct {
	backend.Store
	armed  bool
	cancel context.CancelFunc
}

func (s *ctxStore) View(ctx context.Context, fn func(backend.Txn) error) error {
	if s.armed {
		s.cancel()
		return ctx.Err()
	}
	return s.Store.View(ctx, fn)
}

func (s *ctxStore) Update(ctx context.Context, fn func(backend.Txn) error) error {
	if s.armed {
		s.cancel()
		return ctx.Err()
	}
	return s.Store.Update(ctx, fn)
}

// TestBackendContextErrorsPreserved: a context error a backend returns in
// the middle of an operation (after the operation's own checks passed)
// comes back as the context's error, not as KMSInternalException.
func TestBackendContextErrorsPreserved(t *testing.T) {
	store := &ctxStore{Store: memory.New()}
	defer store.Store.Close()
	k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: make([]byte, 32)})
	bg := context.Background()
	key, err := k.CreateKey(bg, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := key.KeyMetadata.KeyId
	calls := map[string]func(ctx context.Context) error{
		// A key not in the cache: read in a View.
		"DescribeKey of an uncached key": func(ctx context.Context) error {
			_, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "11111111-2222-3333-4444-555555555555"})
			return err
		},
		"UpdateKeyDescription": func(ctx context.Context) error {
			_, err := k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: "d"})
			return err
		},
		"CreateKey": func(ctx context.Context) error {
			_, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
			return err
		},
		"CreateAlias": func(ctx context.Context) error {
			_, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/x", TargetKeyId: id})
			return err
		},
		"ListKeys": func(ctx context.Context) error {
			_, err := k.ListKeys(ctx, &kms.ListKeysInput{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			store.armed, store.cancel = true, cancel
			err := call(ctx)
			store.armed = false
			if !errors.Is(err, context.Canceled) || errors.Is(err, kms.ErrKMSInternal) {
				t.Fatalf("got %v, want context.Canceled", err)
			}
		})
	}
}

// utf8Leaf is one place in an input shape where a string can go, with a
// function that puts s there in a fresh input.
type utf8Leaf struct {
	path string // as AWS names it: "encryptionContext", "tags.1.member.tagKey"
	set  func(in reflect.Value, s string)
}

// stringLeaves lists every string a value of type t can hold: members,
// list items, nested structures, and map keys and values.
func stringLeaves(t reflect.Type, path string) []utf8Leaf {
	join := func(a, b string) string {
		if a == "" {
			return b
		}
		return a + "." + b
	}
	switch t.Kind() {
	case reflect.String:
		return []utf8Leaf{{path, func(v reflect.Value, s string) { v.SetString(s) }}}
	case reflect.Pointer:
		var out []utf8Leaf
		for _, l := range stringLeaves(t.Elem(), path) {
			out = append(out, utf8Leaf{l.path, func(v reflect.Value, s string) {
				v.Set(reflect.New(t.Elem()))
				l.set(v.Elem(), s)
			}})
		}
		return out
	case reflect.Slice:
		var out []utf8Leaf
		for _, l := range stringLeaves(t.Elem(), join(path, "1.member")) {
			out = append(out, utf8Leaf{l.path, func(v reflect.Value, s string) {
				v.Set(reflect.MakeSlice(t, 1, 1))
				l.set(v.Index(0), s)
			}})
		}
		return out
	case reflect.Map:
		if t.Key().Kind() != reflect.String || t.Elem().Kind() != reflect.String {
			panic("unexpected map type " + t.String())
		}
		return []utf8Leaf{
			{path + " (key)", func(v reflect.Value, s string) {
				m := reflect.MakeMap(t)
				m.SetMapIndex(reflect.ValueOf(s).Convert(t.Key()), reflect.ValueOf("v").Convert(t.Elem()))
				v.Set(m)
			}},
			{path + " (value)", func(v reflect.Value, s string) {
				m := reflect.MakeMap(t)
				m.SetMapIndex(reflect.ValueOf("k").Convert(t.Key()), reflect.ValueOf(s).Convert(t.Elem()))
				v.Set(m)
			}},
		}
	case reflect.Struct:
		var out []utf8Leaf
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.ToLower(f.Name[:1]) + f.Name[1:]
			for _, l := range stringLeaves(f.Type, join(path, name)) {
				out = append(out, utf8Leaf{l.path, func(v reflect.Value, s string) { l.set(v.Field(i), s) }})
			}
		}
		return out
	}
	return nil
}

// TestInvalidUTF8InputRefused: a string that is not valid UTF-8 anywhere in
// any operation's input (every string member, list item, nested member,
// encryption-context key and value, found by reflection) is a
// ValidationException naming the member, before anything else: not stored,
// compared or bound into a ciphertext as raw bytes, which AWS's wire
// (JSON, UTF-8 only) could never carry.
func TestInvalidUTF8InputRefused(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	bad := map[string]string{
		"raw 0xFF":           "a\xffb",
		"overlong '/'":       "\xc0\xaf",
		"encoded surrogate":  "\xed\xa0\x80",
		"truncated sequence": "\xe2\x82",
		"beyond U+10FFFF":    "\xf4\x90\x80\x80",
		"lone continuation":  "\x80",
		"valid then invalid": "é\xff",
		"invalid then valid": "\xffé",
	}
	leaves := 0
	for _, op := range operations(t, k) {
		for _, leaf := range stringLeaves(op.in, "") {
			leaves++
			t.Run(op.name+"/"+leaf.path, func(t *testing.T) {
				for name, s := range bad {
					in := reflect.New(op.in)
					leaf.set(in.Elem(), s)
					err := op.call(ctx, in)
					var e *kms.Error
					if !errors.As(err, &e) || e.Code != kms.ErrValidation {
						t.Fatalf("%s: got %v, want ValidationException", name, err)
					}
					field := strings.TrimSuffix(strings.TrimSuffix(leaf.path, " (key)"), " (value)")
					want := "1 validation error detected: Value at '" + field + "' failed to satisfy constraint: Member must contain only valid UTF-8 characters"
					if e.Message != want {
						t.Fatalf("%s: message %q\nwant %q", name, e.Message, want)
					}
				}
			})
		}
	}
	if leaves < 60 {
		t.Fatalf("only %d string members found", leaves)
	}
}

// TestValidUTF8InputAccepted: multi-byte UTF-8 (2, 3 and 4 bytes) and
// U+FFFD itself pass the check and keep their bytes.
func TestValidUTF8InputAccepted(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	desc := "é € 𝄞 \ufffd"
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: desc})
	if err != nil {
		t.Fatal(err)
	}
	if key.KeyMetadata.Description != desc {
		t.Fatalf("description %q", key.KeyMetadata.Description)
	}
	ec := map[string]string{"ü": "𝄞", "\ufffd": "€"}
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}); err != nil {
		t.Fatal(err)
	}
}

// closingStore closes the handle from inside the first transaction after
// it is armed: the handle is closed while an operation runs.
type closingStore struct {
	backend.Store
	k     *kms.KMS
	armed bool
}

func (s *closingStore) View(ctx context.Context, fn func(backend.Txn) error) error {
	if s.armed {
		s.armed = false
		s.k.Close()
	}
	return s.Store.View(ctx, fn)
}

func (s *closingStore) Update(ctx context.Context, fn func(backend.Txn) error) error {
	if s.armed {
		s.armed = false
		s.k.Close()
	}
	return s.Store.Update(ctx, fn)
}

// TestClosedWhileRunning: an operation that began before Close and reaches
// authorization after it fails there with the closed-handle error, instead
// of acting on a closed handle.
func TestClosedWhileRunning(t *testing.T) {
	bg := context.Background()
	calls := map[string]func(k *kms.KMS, id string) error{
		"DescribeKey of an uncached key": func(k *kms.KMS, id string) error {
			_, err := k.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: id})
			return err
		},
		"UpdateKeyDescription": func(k *kms.KMS, id string) error {
			_, err := k.UpdateKeyDescription(bg, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: "d"})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			store := &closingStore{Store: memory.New()}
			defer store.Store.Close()
			// The key is created through another handle, so that this
			// handle's first use of it reads the store.
			other, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: make([]byte, 32)})
			key, err := other.CreateKey(bg, &kms.CreateKeyInput{})
			if err != nil {
				t.Fatal(err)
			}
			other.Close()
			k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: make([]byte, 32)})
			store.k, store.armed = k, true
			err = call(k, key.KeyMetadata.KeyId)
			if store.armed {
				t.Fatal("the operation read nothing from the store")
			}
			if !errors.Is(err, kms.ErrClosed) {
				t.Fatalf("got %v, want the closed-handle error", err)
			}
		})
	}
}

// TestRetireGrantClosedWhileRunning: RetireGrant, which decides access
// itself rather than through authorization, stops with the same
// closed-handle error when the handle closes while it runs.
func TestRetireGrantClosedWhileRunning(t *testing.T) {
	bg := context.Background()
	store := &closingStore{Store: memory.New()}
	defer store.Store.Close()
	other, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: make([]byte, 32)})
	key, err := other.CreateKey(bg, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := other.CreateGrant(bg, &kms.CreateGrantInput{KeyId: key.KeyMetadata.KeyId, GranteePrincipal: "arn:aws:iam::111122223333:user/Alice", Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: make([]byte, 32)})
	store.k, store.armed = k, true
	_, err = k.RetireGrant(bg, &kms.RetireGrantInput{KeyId: key.KeyMetadata.Arn, GrantId: g.GrantId})
	if store.armed {
		t.Fatal("the operation read nothing from the store")
	}
	if !errors.Is(err, kms.ErrClosed) {
		t.Fatalf("got %v, want the closed-handle error", err)
	}
}
