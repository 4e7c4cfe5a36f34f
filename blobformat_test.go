package kms_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/fips140"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/encctx"
)

// The helpers below read and write ciphertext blobs as crypto/blob.go's
// doc comment lays them out, on the standard library alone.

// stdGCM is AES-256-GCM with caller-chosen IVs (exempt from FIPS 140-3
// only mode's refusal, as test code).
func stdGCM(t *testing.T, key []byte) cipher.AEAD {
	t.Helper()
	c, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	var g cipher.AEAD
	fips140.WithoutEnforcement(func() { g, err = cipher.NewGCM(c) })
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// stdDeriveV2 is a version 2 blob's per-blob key Kx for material K and
// derivation nonce n1.
func stdDeriveV2(t *testing.T, material, n1 []byte) []byte {
	t.Helper()
	b, err := aes.NewCipher(material)
	if err != nil {
		t.Fatal(err)
	}
	l := make([]byte, 16)
	b.Encrypt(l, l)
	k1 := make([]byte, 16)
	for i := range 15 {
		k1[i] = l[i]<<1 | l[i+1]>>7
	}
	k1[15] = l[15] << 1
	if l[0]&0x80 != 0 {
		k1[15] ^= 0x87
	}
	kx := make([]byte, 32)
	for i, counter := range []byte{1, 2} {
		m := append([]byte{0, counter, 'X', 0}, n1...)
		for j := range m {
			m[j] ^= k1[j]
		}
		b.Encrypt(kx[16*i:], m)
	}
	return kx
}

// stdOpenBlob opens a version 1 or 2 blob whose header is hl bytes long.
func stdOpenBlob(t *testing.T, material, blob []byte, hl int, ec map[string]string) ([]byte, error) {
	t.Helper()
	aad := encctx.Append(slices.Clone(blob[:hl]), ec)
	var out []byte
	var err error
	fips140.WithoutEnforcement(func() {
		switch blob[0] {
		case 1:
			out, err = stdGCM(t, material).Open(nil, blob[hl:hl+12], blob[hl+12:], aad)
		case 2:
			kx := stdDeriveV2(t, material, blob[hl:hl+12])
			out, err = stdGCM(t, kx).Open(nil, blob[hl+12:hl+24], blob[hl+24:], aad)
		default:
			t.Fatalf("blob version %d", blob[0])
		}
	})
	return out, err
}

// stdSealV1 seals a version 1 blob (the format written before version 2)
// with header hdr (version byte included) under material.
func stdSealV1(t *testing.T, material, hdr []byte, ec map[string]string, pt []byte) []byte {
	t.Helper()
	iv := crypto.Random(12)
	var out []byte
	fips140.WithoutEnforcement(func() {
		out = stdGCM(t, material).Seal(append(slices.Clone(hdr), iv...), iv, pt, encctx.Append(slices.Clone(hdr), ec))
	})
	return out
}

// TestDecryptReadsV1Blobs: Encrypt writes version 2 blobs, and Decrypt
// and ReEncrypt still read version 1 blobs, as written before version 2,
// under the same key material. The material is reached as an application
// could: unwrapped from the backend with the root key.
func TestDecryptReadsV1Blobs(t *testing.T) {
	ctx := context.Background()
	m := memory.New()
	t.Cleanup(func() { m.Close() })
	root := crypto.Random(32)
	k := rkNew(t, kms.Options{Backend: &rkDurable{m}, RootKey: root})
	md := rkCreateKey(t, k)
	rec, _ := storedKey(t, m, root, md)
	material := unwrapped(t, m, root, md)
	mid, err := hex.DecodeString(rec.CurrentMaterial)
	if err != nil {
		t.Fatal(err)
	}

	ec := map[string]string{"tenant": "acme", "purpose": "v1"}
	pt := []byte("sealed in blob format version 1")
	v2 := rkEncrypt(t, k, md.KeyId, pt, ec)
	hdr := append([]byte{1, byte(len(md.AWSAccountId))}, md.AWSAccountId...)
	hdr = append(append(hdr, byte(len("us-east-1"))), "us-east-1"...)
	hdr = append(append(hdr, byte(len(md.KeyId))), md.KeyId...)
	hdr = append(hdr, mid...)
	if v2[0] != 2 || !bytes.Equal(v2[1:len(hdr)], hdr[1:]) || len(v2) != len(hdr)+40+len(pt) {
		t.Fatalf("Encrypt wrote %x, want a version 2 blob with header %x", v2, hdr[1:])
	}
	if got, err := stdOpenBlob(t, material, v2, len(hdr), ec); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Encrypt's blob does not open from the doc comment: %v", err)
	}

	v1 := stdSealV1(t, material, hdr, ec, pt)
	rkDecrypts(t, k, v1, pt, ec)
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: v1, EncryptionContext: map[string]string{"tenant": "acme"}}); err == nil {
		t.Error("version 1 blob decrypted under another encryption context")
	}
	// Relabelled as version 2 it is not a valid blob.
	relabelled := slices.Clone(v1)
	relabelled[0] = 2
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: relabelled, EncryptionContext: ec}); err == nil {
		t.Error("version 1 blob relabelled as version 2 decrypted")
	}
	// ReEncrypt reads version 1 and writes version 2.
	re, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: v1, SourceEncryptionContext: ec, DestinationKeyId: md.KeyId})
	if err != nil {
		t.Fatalf("ReEncrypt of a version 1 blob: %v", err)
	}
	if re.CiphertextBlob[0] != 2 {
		t.Errorf("ReEncrypt wrote version %d", re.CiphertextBlob[0])
	}
	rkDecrypts(t, k, re.CiphertextBlob, pt, nil)
}
