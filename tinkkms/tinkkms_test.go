package tinkkms_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
	"github.com/embedkms/kms/tinkkms"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// newKey returns a handle with one symmetric key, its ARN and alias name.
func newKey(t *testing.T) (k *kms.KMS, arn, alias string) {
	t.Helper()
	k, _ = kmstest.New(t)
	ctx := context.Background()
	out, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: "tink kek"})
	if err != nil {
		t.Fatal(err)
	}
	alias = "alias/tink-kek"
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: alias, TargetKeyId: out.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	return k, out.KeyMetadata.Arn, alias
}

func getAEAD(t *testing.T, c *tinkkms.Client, uri string) tink.AEAD {
	t.Helper()
	a, err := c.GetAEAD(uri)
	if err != nil {
		t.Fatalf("GetAEAD(%q): %v", uri, err)
	}
	return a
}

func TestRoundTrip(t *testing.T) {
	k, arn, alias := newKey(t)
	c := tinkkms.New(k)
	keyID := arn[len(arn)-36:]
	for _, name := range []string{keyID, arn, alias} {
		for _, ad := range [][]byte{nil, {}, []byte("header"), {0, 0xff}} {
			a := getAEAD(t, c, tinkkms.Prefix+name)
			ct, err := a.Encrypt([]byte("secret"), ad)
			if err != nil {
				t.Fatalf("%s: Encrypt: %v", name, err)
			}
			pt, err := a.Decrypt(ct, ad)
			if err != nil || string(pt) != "secret" {
				t.Fatalf("%s ad %q: Decrypt = %q, %v", name, ad, pt, err)
			}
		}
	}
}

// The associated data is the encryption context {"associatedData":
// hex(ad)}, and no context for empty ad: the handle decrypts the AEAD's
// ciphertexts given exactly that.
func TestAssociatedDataIsEncryptionContext(t *testing.T) {
	k, arn, _ := newKey(t)
	a := getAEAD(t, tinkkms.New(k), tinkkms.Prefix+arn)
	ctx := context.Background()
	for _, tc := range []struct {
		ad []byte
		ec map[string]string
	}{
		{nil, nil},
		{[]byte{}, nil},
		{[]byte("ad\x00"), map[string]string{"associatedData": "616400"}},
	} {
		ct, err := a.Encrypt([]byte("x"), tc.ad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: tc.ec}); err != nil {
			t.Errorf("ad %q: kms.Decrypt with context %v: %v", tc.ad, tc.ec, err)
		}
	}
}

func TestWrongAssociatedDataFails(t *testing.T) {
	k, arn, _ := newKey(t)
	a := getAEAD(t, tinkkms.New(k), tinkkms.Prefix+arn)
	ct, err := a.Encrypt([]byte("secret"), []byte("right"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ad := range [][]byte{[]byte("wrong"), nil, []byte("right\x00")} {
		if _, err := a.Decrypt(ct, ad); !errors.Is(err, kms.ErrInvalidCiphertext) {
			t.Errorf("Decrypt with ad %q: err = %v, want InvalidCiphertextException", ad, err)
		}
	}
	ct[len(ct)-1] ^= 1
	if _, err := a.Decrypt(ct, []byte("right")); !errors.Is(err, kms.ErrInvalidCiphertext) {
		t.Errorf("Decrypt of a modified ciphertext: err = %v, want InvalidCiphertextException", err)
	}
}

// An AEAD decrypts only its own key's ciphertexts, as an AEAD must.
func TestOtherKeysCiphertextFails(t *testing.T) {
	k, arn, _ := newKey(t)
	other, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := tinkkms.New(k)
	ct, err := getAEAD(t, c, tinkkms.Prefix+other.KeyMetadata.Arn).Encrypt([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := getAEAD(t, c, tinkkms.Prefix+arn).Decrypt(ct, nil); !errors.Is(err, kms.ErrIncorrectKey) {
		t.Errorf("err = %v, want IncorrectKeyException", err)
	}
}

func TestUnknownKeyFails(t *testing.T) {
	k, _, _ := newKey(t)
	c := tinkkms.New(k)
	for _, uri := range []string{
		"embedkms://alias/missing",
		"embedkms://1234abcd-12ab-34cd-56ef-1234567890ab",
		"embedkms://arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	} {
		if _, err := c.GetAEAD(uri); !errors.Is(err, kms.ErrNotFound) {
			t.Errorf("GetAEAD(%q): err = %v, want NotFoundException", uri, err)
		}
	}
	for _, uri := range []string{"embedkms://", "aws-kms://alias/tink-kek", ""} {
		if _, err := c.GetAEAD(uri); err == nil {
			t.Errorf("GetAEAD(%q) succeeded", uri)
		}
	}
}

// A key disabled after GetAEAD fails at use with the handle's error.
func TestDisabledKeyFails(t *testing.T) {
	k, arn, _ := newKey(t)
	a := getAEAD(t, tinkkms.New(k), tinkkms.Prefix+arn)
	if _, err := k.DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Encrypt([]byte("x"), nil); !errors.Is(err, kms.ErrDisabled) {
		t.Errorf("err = %v, want DisabledException", err)
	}
}

func TestSupported(t *testing.T) {
	k, _ := kmstest.New(t)
	c := tinkkms.New(k)
	for uri, want := range map[string]bool{
		"embedkms://alias/a": true,
		"embedkms://":        true,
		"aws-kms://arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab": false,
		"gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k":                              false,
		"hcvault://key":       false,
		"EMBEDKMS://alias/a":  false,
		"xembedkms://alias/a": false,
		"":                    false,
	} {
		if got := c.Supported(uri); got != want {
			t.Errorf("Supported(%q) = %v, want %v", uri, got, want)
		}
	}
}

// The AEAD implements tink.AEADWithContext, and the context reaches the
// handle: a caller the key policy does not name is denied.
func TestWithContext(t *testing.T) {
	k, arn, _ := newKey(t)
	a, ok := getAEAD(t, tinkkms.New(k), tinkkms.Prefix+arn).(tink.AEADWithContext)
	if !ok {
		t.Fatal("the AEAD does not implement tink.AEADWithContext")
	}
	ctx := context.Background()
	ct, err := a.EncryptWithContext(ctx, []byte("x"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := a.DecryptWithContext(ctx, ct, []byte("ad")); err != nil || string(pt) != "x" {
		t.Fatalf("DecryptWithContext = %q, %v", pt, err)
	}
	stranger := kms.WithCaller(ctx, "arn:aws:iam::444455556666:user/Mallory")
	if _, err := a.EncryptWithContext(stranger, []byte("x"), nil); !errors.Is(err, kms.ErrAccessDenied) {
		t.Errorf("EncryptWithContext as a stranger: err = %v, want AccessDeniedException", err)
	}
	envelope, err := aead.NewKMSEnvelopeAEADWithContext(aead.AES256GCMKeyTemplate(), a)
	if err != nil {
		t.Fatal(err)
	}
	ct, err = envelope.EncryptWithContext(ctx, bytes.Repeat([]byte("y"), 10000), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := envelope.DecryptWithContext(ctx, ct, []byte("ad")); err != nil {
		t.Fatal(err)
	}
}

func TestEnvelopeAEAD(t *testing.T) {
	k, _, alias := newKey(t)
	kek := getAEAD(t, tinkkms.New(k), tinkkms.Prefix+alias)
	for _, tmpl := range []struct {
		name string
		dek  func() *tinkpb.KeyTemplate
	}{
		{"AES256GCM", aead.AES256GCMKeyTemplate},
		{"AES128CTRHMACSHA256", aead.AES128CTRHMACSHA256KeyTemplate},
		{"XChaCha20Poly1305", aead.XChaCha20Poly1305KeyTemplate},
	} {
		t.Run(tmpl.name, func(t *testing.T) {
			a := aead.NewKMSEnvelopeAEAD2(tmpl.dek(), kek)
			pt := bytes.Repeat([]byte("large plaintext, past KMS's 4096-byte limit "), 1000)
			ct, err := a.Encrypt(pt, []byte("ad"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Decrypt(ct, []byte("ad"))
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("Decrypt: %v", err)
			}
			if _, err := a.Decrypt(ct, []byte("other")); err == nil {
				t.Error("Decrypt with other associated data succeeded")
			}
		})
	}
}

// The keyset route: Tink's KmsEnvelopeAead key manager finds the KEK
// through the global KMS client registry.
func TestKeysetFromEnvelopeTemplate(t *testing.T) {
	k, arn, _ := newKey(t)
	registry.RegisterKMSClient(tinkkms.New(k))
	t.Cleanup(registry.ClearKMSClients) // the registry is global
	uri := tinkkms.Prefix + arn

	a := envelopeKeysetAEAD(t, uri)
	ct, err := a.Encrypt([]byte("hello"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := a.Decrypt(ct, []byte("ad")); err != nil || string(pt) != "hello" {
		t.Fatalf("Decrypt = %q, %v", pt, err)
	}
	// The template's output prefix is RAW, so the keyset's ciphertext is
	// exactly what NewKMSEnvelopeAEAD2 over GetAEAD(uri) reads.
	direct := aead.NewKMSEnvelopeAEAD2(aead.AES256GCMKeyTemplate(), getAEAD(t, tinkkms.New(k), uri))
	if pt, err := direct.Decrypt(ct, []byte("ad")); err != nil || string(pt) != "hello" {
		t.Fatalf("direct Decrypt = %q, %v", pt, err)
	}
}

// envelopeKeysetAEAD builds Tink's KMS envelope AEAD the keyset way: a
// template naming the KEK's URI, a keyset handle, then aead.New, which asks
// the global registry for the KMS client.
func envelopeKeysetAEAD(t *testing.T, uri string) tink.AEAD {
	t.Helper()
	tmpl, err := aead.CreateKMSEnvelopeAEADKeyTemplate(uri, aead.AES256GCMKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	h, err := keyset.NewHandle(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	a, err := aead.New(h)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
