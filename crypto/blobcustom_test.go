package crypto_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/embedkms/kms/crypto"
)

func testCustomBlob(typ byte) *crypto.CustomBlob {
	b := &crypto.CustomBlob{Account: "111122223333", Region: "us-east-1", KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab",
		StoreType: typ, StoreID: "cks-1234567890abcdef0", ExternalKeyID: "external-key-1",
		IV: bytes.Repeat([]byte{1}, 12), Tag: bytes.Repeat([]byte{2}, 16), Ciphertext: []byte("ciphertext")}
	if typ == crypto.StoreExternal {
		b.MaterialID[0] = 9
		b.Metadata = []byte("meta")
		b.Ciphertext = bytes.Repeat([]byte{3}, crypto.InnerOverhead+5)
	}
	return b
}

// TestCustomBlobLayout pins the version 3 layout byte by byte (the format
// comment in blobcustom.go) and its round trip.
func TestCustomBlobLayout(t *testing.T) {
	b := testCustomBlob(crypto.StoreCloudHSM)
	enc, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x03, 12}
	want = append(want, "111122223333"...)
	want = append(append(want, 9), "us-east-1"...)
	want = append(append(want, 36), "1234abcd-12ab-34cd-56ef-1234567890ab"...)
	want = append(want, 0x01)
	want = append(append(want, 21), "cks-1234567890abcdef0"...)
	want = append(append(want, 14), "external-key-1"...)
	header := len(want)
	want = append(want, 0)  // no metadata
	want = append(want, 12) // IV length
	want = append(want, b.IV...)
	want = append(want, b.Tag...)
	want = append(want, "ciphertext"...)
	if !bytes.Equal(enc, want) {
		t.Fatalf("encoding\n%x\nwant\n%x", enc, want)
	}
	p, err := crypto.ParseCustomBlob(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Header(), want[:header]) || p.StoreID != b.StoreID || p.ExternalKeyID != b.ExternalKeyID ||
		!bytes.Equal(p.IV, b.IV) || !bytes.Equal(p.Tag, b.Tag) || !bytes.Equal(p.Ciphertext, b.Ciphertext) || p.Metadata != nil {
		t.Fatalf("parsed %+v", p)
	}
	x := testCustomBlob(crypto.StoreExternal)
	enc, err = x.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p, err = crypto.ParseCustomBlob(enc)
	if err != nil || p.MaterialID != x.MaterialID || string(p.Metadata) != "meta" || p.StoreType != crypto.StoreExternal {
		t.Fatalf("parsed %+v, %v", p, err)
	}
	if h := p.Header(); h[len(h)-32] != 9 || len(h) != header+32 {
		t.Fatalf("external header %x does not end with the material id", h)
	}
	// The AADs start with the header and differ by context.
	ec := map[string]string{"a": "b"}
	if !bytes.HasPrefix(p.AAD(ec), p.Header()) || bytes.Equal(p.AAD(ec), p.AAD(nil)) ||
		!bytes.HasPrefix(p.ProxyAAD(ec), p.Header()) || len(p.ProxyAAD(ec)) != len(p.Header())+32 || bytes.Equal(p.ProxyAAD(ec), p.ProxyAAD(nil)) {
		t.Fatal("AAD or ProxyAAD")
	}
}

func TestCustomBlobRejects(t *testing.T) {
	good, _ := testCustomBlob(crypto.StoreCloudHSM).Marshal()
	for name, blob := range map[string][]byte{
		"empty":         {},
		"version 2":     append([]byte{0x02}, good[1:]...),
		"truncated tag": good[:len(good)-len("ciphertext")-1],
		"no store type": good[:1+13+10+37],
		"store type 3":  func() []byte { b := bytes.Clone(good); b[1+13+10+37] = 3; return b }(),
		"IV length 11":  func() []byte { b := bytes.Clone(good); b[len(good)-len("ciphertext")-16-12-1] = 11; return b }(),
		"meta for HSM": func() []byte {
			h := len(good) - len("ciphertext") - 16 - 12 - 2 // the metadata length byte
			return append(append(bytes.Clone(good[:h]), 1, 'm'), good[h+1:]...)
		}(),
		"zero store len": func() []byte { b := bytes.Clone(good); b[1+13+10+37+1] = 0; return b }(),
	} {
		if _, err := crypto.ParseCustomBlob(blob); !errors.Is(err, crypto.ErrInvalidBlob) {
			t.Errorf("%s: %v", name, err)
		}
	}
	x := testCustomBlob(crypto.StoreExternal)
	x.Ciphertext = x.Ciphertext[:crypto.InnerOverhead-1]
	enc, _ := x.Marshal()
	if _, err := crypto.ParseCustomBlob(enc); !errors.Is(err, crypto.ErrInvalidBlob) {
		t.Errorf("an outer ciphertext too short for the inner layer: %v", err)
	}
	bad := testCustomBlob(crypto.StoreCloudHSM)
	bad.Metadata = []byte("m")
	if _, err := bad.Marshal(); err == nil {
		t.Error("metadata in an AWS_CLOUDHSM blob")
	}
}

func TestInnerLayer(t *testing.T) {
	k := testBlobKey(t, bytes.Repeat([]byte{4}, 32))
	inner := crypto.SealInner(k, []byte("pt"), []byte("aad"))
	if len(inner) != 2+crypto.InnerOverhead {
		t.Fatalf("%d bytes", len(inner))
	}
	if pt, err := crypto.OpenInner(k, inner, []byte("aad")); err != nil || string(pt) != "pt" {
		t.Fatalf("%q, %v", pt, err)
	}
	if _, err := crypto.OpenInner(k, inner, []byte("other")); !errors.Is(err, crypto.ErrInvalidBlob) {
		t.Fatalf("other AAD: %v", err)
	}
	if _, err := crypto.OpenInner(k, inner[:crypto.InnerOverhead-1], []byte("aad")); !errors.Is(err, crypto.ErrInvalidBlob) {
		t.Fatalf("short: %v", err)
	}
}

// FuzzParseCustomBlob: whatever parses as version 3 re-encodes to the same
// bytes; nothing panics.
func FuzzParseCustomBlob(f *testing.F) {
	for _, typ := range []byte{crypto.StoreCloudHSM, crypto.StoreExternal} {
		b, _ := testCustomBlob(typ).Marshal()
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{3})
	f.Add([]byte{3, 1, 'a', 1, 'r', 1, 'k', 1, 1, 's', 1, 'e', 0, 12})
	f.Fuzz(func(t *testing.T, blob []byte) {
		p, err := crypto.ParseCustomBlob(blob)
		if err != nil {
			if !errors.Is(err, crypto.ErrInvalidBlob) || p != nil {
				t.Fatalf("failed parse returned (%+v, %v)", p, err)
			}
			return
		}
		q := &crypto.CustomBlob{Account: p.Account, Region: p.Region, KeyID: p.KeyID, StoreType: p.StoreType, StoreID: p.StoreID,
			ExternalKeyID: p.ExternalKeyID, MaterialID: p.MaterialID, Metadata: p.Metadata, IV: p.IV, Tag: p.Tag, Ciphertext: p.Ciphertext}
		enc, err := q.Marshal()
		if err != nil {
			t.Fatalf("a parsed blob does not encode: %v", err)
		}
		if !bytes.Equal(enc, blob) {
			t.Fatalf("re-encoded %x\nparsed     %x", enc, blob)
		}
		if !bytes.Equal(q.Header(), p.Header()) {
			t.Fatal("headers differ")
		}
	})
}
