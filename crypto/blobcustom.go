package crypto

import (
	"crypto/sha256"

	"github.com/embedkms/kms/internal/encctx"
)

// Version 3 of the blob format (keys in a custom key store) is
// documented with versions 1 and 2 in blob.go.
const (
	BlobVersion3 = 0x03
	// StoreCloudHSM and StoreExternal are the store type byte T.
	StoreCloudHSM byte = 0x01
	StoreExternal byte = 0x02
	// MaxCiphertextMetadata is the most ciphertext metadata a version 3
	// blob holds (the XKS proxy API's limit).
	MaxCiphertextMetadata = 20
	// InnerOverhead is the size of the inner layer of an
	// EXTERNAL_KEY_STORE blob minus its plaintext.
	InnerOverhead = XNonceSize + tagSize
)

// CustomBlob is a version 3 blob, decoded or to be encoded. Decoded, its
// byte slices alias the blob.
type CustomBlob struct {
	// Account, Region and KeyID name the KMS key, as in BlobHeader.
	Account, Region, KeyID string
	StoreType              byte // StoreCloudHSM or StoreExternal
	// StoreID is the custom key store's id.
	StoreID string
	// ExternalKeyID is the key in the store that sealed the blob: the token
	// key's id or the XKS external key id.
	ExternalKeyID string
	MaterialID    [MaterialIDSize]byte // StoreExternal only

	Metadata []byte // ciphertext metadata, StoreExternal only
	// IV is the AES-GCM IV (the proxy's initializationVector for
	// StoreExternal).
	IV []byte
	// Tag is the AES-GCM authentication tag.
	Tag []byte
	// Ciphertext is the encrypted payload, without IV or tag.
	Ciphertext []byte

	// Header is the encoded header, set by ParseCustomBlob and by
	// AppendHeader's caller through Header().
	header []byte
}

// Header returns the encoded header of b (version byte to the end of the
// material id), encoding it on first use. It is what the AAD of every
// layer starts with.
func (b *CustomBlob) Header() []byte {
	if b.header == nil {
		h := []byte{BlobVersion3}
		for _, f := range []string{b.Account, b.Region, b.KeyID} {
			h = append(append(h, byte(len(f))), f...)
		}
		h = append(h, b.StoreType)
		for _, f := range []string{b.StoreID, b.ExternalKeyID} {
			h = append(append(h, byte(len(f))), f...)
		}
		if b.StoreType == StoreExternal {
			h = append(h, b.MaterialID[:]...)
		}
		b.header = h
	}
	return b.header
}

// Marshal encodes b. It fails on a field of an impossible size.
func (b *CustomBlob) Marshal() ([]byte, error) {
	for _, f := range []string{b.Account, b.Region, b.KeyID, b.StoreID, b.ExternalKeyID} {
		if len(f) == 0 || len(f) > 255 {
			return nil, ErrInvalidBlob
		}
	}
	if (b.StoreType != StoreCloudHSM && b.StoreType != StoreExternal) || len(b.Metadata) > MaxCiphertextMetadata ||
		(b.StoreType == StoreCloudHSM && len(b.Metadata) != 0) || (len(b.IV) != 12 && len(b.IV) != 16) || len(b.Tag) != tagSize {
		return nil, ErrInvalidBlob
	}
	h := b.Header()
	out := make([]byte, 0, len(h)+2+len(b.Metadata)+len(b.IV)+len(b.Tag)+len(b.Ciphertext))
	out = append(out, h...)
	out = append(append(out, byte(len(b.Metadata))), b.Metadata...)
	out = append(append(out, byte(len(b.IV))), b.IV...)
	out = append(out, b.Tag...)
	return append(out, b.Ciphertext...), nil
}

// ParseCustomBlob decodes a version 3 blob and checks its structure (not
// its authenticity: the token, the proxy and the inner layer do that).
func ParseCustomBlob(blob []byte) (*CustomBlob, error) {
	if len(blob) < 1 || blob[0] != BlobVersion3 {
		return nil, ErrInvalidBlob
	}
	p := 1
	bad := false
	field := func(minLen int) []byte {
		if bad || p >= len(blob) {
			bad = true
			return nil
		}
		l := int(blob[p])
		p++
		if l < minLen || p+l > len(blob) {
			bad = true
			return nil
		}
		f := blob[p : p+l : p+l]
		p += l
		return f
	}
	b := &CustomBlob{}
	acct, region, key := field(1), field(1), field(1)
	if bad || p >= len(blob) {
		return nil, ErrInvalidBlob
	}
	b.StoreType = blob[p]
	p++
	if b.StoreType != StoreCloudHSM && b.StoreType != StoreExternal {
		return nil, ErrInvalidBlob
	}
	store, ext := field(1), field(1)
	if bad {
		return nil, ErrInvalidBlob
	}
	if b.StoreType == StoreExternal {
		if p+MaterialIDSize > len(blob) {
			return nil, ErrInvalidBlob
		}
		copy(b.MaterialID[:], blob[p:])
		p += MaterialIDSize
	}
	b.header = blob[:p:p]
	b.Account, b.Region, b.KeyID, b.StoreID, b.ExternalKeyID = string(acct), string(region), string(key), string(store), string(ext)
	meta := field(0)
	iv := field(12)
	if bad || len(meta) > MaxCiphertextMetadata || (b.StoreType == StoreCloudHSM && len(meta) != 0) ||
		(len(iv) != 12 && len(iv) != 16) || p+tagSize > len(blob) {
		return nil, ErrInvalidBlob
	}
	if len(meta) > 0 {
		b.Metadata = meta
	}
	b.IV = iv
	b.Tag = blob[p : p+tagSize : p+tagSize]
	b.Ciphertext = blob[p+tagSize:]
	if b.StoreType == StoreExternal && len(b.Ciphertext) < InnerOverhead {
		return nil, ErrInvalidBlob
	}
	return b, nil
}

// AAD returns header || encctx(ec): the associated data of a token's
// AES-GCM and of the inner layer of an EXTERNAL_KEY_STORE blob.
func (b *CustomBlob) AAD(ec map[string]string) []byte {
	h := b.Header()
	return encctx.Append(append(make([]byte, 0, len(h)+64), h...), ec)
}

// ProxyAAD returns header || SHA-256(encctx(ec)): the
// additionalAuthenticatedData sent to the XKS proxy (bounded in size
// whatever the encryption context).
func (b *CustomBlob) ProxyAAD(ec map[string]string) []byte {
	sum := sha256.Sum256(encctx.Append(nil, ec))
	h := b.Header()
	return append(append(make([]byte, 0, len(h)+len(sum)), h...), sum[:]...)
}

// SealInner seals plaintext under k as the inner layer of an
// EXTERNAL_KEY_STORE blob: XAES-256-GCM with a fresh nonce, N1 || IV ||
// ciphertext || tag.
func SealInner(k *BlobKey, plaintext, aad []byte) []byte {
	return k.x.Seal(make([]byte, 0, InnerOverhead+len(plaintext)), plaintext, aad)
}

// OpenInner opens what SealInner sealed, or returns ErrInvalidBlob.
func OpenInner(k *BlobKey, inner, aad []byte) ([]byte, error) {
	if len(inner) < InnerOverhead {
		return nil, ErrInvalidBlob
	}
	pt, err := k.x.Open(make([]byte, 0, len(inner)-InnerOverhead), inner, aad)
	if err != nil {
		return nil, ErrInvalidBlob
	}
	return pt, nil
}
