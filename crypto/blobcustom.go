package crypto

import (
	"crypto/sha256"

	"github.com/embedkms/kms/internal/encctx"
)

// # Version 3 (keys in a custom key store)
//
// A key in a custom key store seals with key material held outside the
// handle: a PKCS#11 token's key (AWS_CLOUDHSM) or an external key behind an
// XKS proxy (EXTERNAL_KEY_STORE). Its blobs name the store and that key,
// so a blob says where it can be opened:
//
//	offset  size  field
//	0       1     version: 0x03
//	1       1     A = length of the account id, then A bytes
//	        1     R = length of the Region name, then R bytes
//	        1     K = length of the key id, then K bytes
//	        1     T = store type: 0x01 AWS_CLOUDHSM, 0x02 EXTERNAL_KEY_STORE
//	        1     S = length of the custom key store id, then S bytes
//	        1     E = length of the external key id (the token key's
//	              CKA_ID, or the XksKeyId), then E bytes
//	        32    key material id of the KMS-held material (T = 0x02 only)
//
// The header ends there (A, R, K, S and E are 1..255). After it:
//
//	size  field
//	1     M = length of the ciphertext metadata (0..20; 0 for T = 0x01)
//	M     ciphertext metadata (the XKS proxy's ciphertextMetadata)
//	1     L = length of the IV (12 or 16)
//	L     IV, of the token's or the proxy's AES-GCM
//	16    AES-GCM tag
//	n     AES-GCM ciphertext, to the end of the blob
//
// AWS_CLOUDHSM: ciphertext || tag = AES-256-GCM-Seal(the token key, IV,
// plaintext, AAD), computed on the token, with AAD = header ||
// encctx(EncryptionContext) as in versions 1 and 2; n is the plaintext
// length.
//
// EXTERNAL_KEY_STORE, double encryption as AWS KMS does it (AWS KMS
// Developer Guide, "External key stores", "Double encryption"): the
// plaintext is first sealed under the key's KMS-held material exactly as a
// version 2 body, inner = N1 || IV' || ciphertext' || tag' =
// XAES-256-GCM(material, N1 || IV', plaintext, AAD) with the same AAD =
// header || encctx(EncryptionContext); then the proxy encrypts inner under
// the external key (XKS proxy API, Encrypt, AES_GCM) with
// additionalAuthenticatedData = header || SHA-256(encctx(
// EncryptionContext)), which the proxy binds with the metadata it returns
// (the spec's key manager AAD). n = 24 + plaintext length + 16: at most
// 4136 bytes for 4096 bytes of plaintext, within the spec's 4300.
//
// The header includes the version byte, the store and both keys, so a blob
// cannot be opened as another version, by another key, store or external
// key; changing any byte, or the encryption context, fails authentication
// on the token, at the proxy, or in the inner layer.
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
	Account, Region, KeyID string
	StoreType              byte // StoreCloudHSM or StoreExternal
	StoreID                string
	ExternalKeyID          string
	MaterialID             [MaterialIDSize]byte // StoreExternal only

	Metadata   []byte // ciphertext metadata, StoreExternal only
	IV         []byte
	Tag        []byte
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
