package crypto

import (
	"errors"
	"sync"

	"github.com/embedkms/kms/internal/encctx"
)

// Ciphertext blob format, version 1 (symmetric SYMMETRIC_DEFAULT keys).
//
// A blob names the key and the key-material version that encrypted it, so
// Decrypt needs no KeyId and rotated keys still decrypt old blobs:
//
//	offset  size  field
//	0       1     version, 0x01
//	1       1     A = length of the account id
//	2       A     account id (ASCII, 12 digits for AWS accounts)
//	        1     R = length of the Region name (A, R and K are 1..255)
//	        R     Region name (ASCII, e.g. "us-east-1")
//	        1     K = length of the key id
//	        K     key id (ASCII, e.g. a UUID or "mrk-" + 32 hex digits)
//	        32    key material id (raw bytes; KeyMaterialId is their lowercase hex)
//	        12    AES-GCM IV
//	        n     AES-256-GCM ciphertext, n = plaintext length
//	        16    AES-GCM tag
//
// Everything before the IV is the header. The AEAD's associated data is
// header || encctx(EncryptionContext), where encctx is the canonical,
// length-prefixed encoding of package internal/encctx. Tampering with any
// byte, or decrypting with a different encryption context, fails
// authentication.
const (
	BlobVersion1   = 0x01
	MaterialIDSize = 32
	// BlobOverhead is the size of a blob minus its header and plaintext.
	BlobOverhead = ivSize + tagSize
)

// ErrInvalidBlob is returned for a blob that is malformed or fails
// authentication. It never says which.
var ErrInvalidBlob = errors.New("crypto: invalid ciphertext blob")

// BlobHeader is the cleartext part of a ciphertext blob.
type BlobHeader struct {
	Account    string
	Region     string
	KeyID      string
	MaterialID [MaterialIDSize]byte
}

// Len returns the encoded size of h.
func (h *BlobHeader) Len() int {
	return 1 + 3 + len(h.Account) + len(h.Region) + len(h.KeyID) + MaterialIDSize
}

func (h *BlobHeader) appendTo(dst []byte) []byte {
	dst = append(dst, BlobVersion1, byte(len(h.Account)))
	dst = append(dst, h.Account...)
	dst = append(dst, byte(len(h.Region)))
	dst = append(dst, h.Region...)
	dst = append(dst, byte(len(h.KeyID)))
	dst = append(dst, h.KeyID...)
	return append(dst, h.MaterialID[:]...)
}

// SealBlob encrypts plaintext under a with the header h and encryption
// context ec bound as associated data, and returns the blob. The blob is
// built in one allocation.
func SealBlob(a *AESGCM, h *BlobHeader, ec map[string]string, plaintext []byte) ([]byte, error) {
	for _, f := range []string{h.Account, h.Region, h.KeyID} {
		if len(f) == 0 || len(f) > 255 {
			return nil, errors.New("crypto: blob header fields must be 1..255 bytes")
		}
	}
	hl := h.Len()
	scratch := aadPool.Get().(*[]byte)
	aad := encctx.Append(h.appendTo((*scratch)[:0]), ec)
	blob := a.Seal(append(make([]byte, 0, hl+BlobOverhead+len(plaintext)), aad[:hl]...), plaintext, aad)
	putAAD(scratch, aad)
	return blob, nil
}

// putAAD returns an associated-data buffer (grown to aad) to the pool,
// unless an unusually large context made it too big to keep.
func putAAD(scratch *[]byte, aad []byte) {
	if cap(aad) <= maxPooledAAD {
		*scratch = aad[:0]
		aadPool.Put(scratch)
	}
}

// aadPool recycles associated-data buffers between calls (the AEAD's
// output may not overlap its associated data, so they cannot share the
// blob's buffer).
var aadPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledAAD = 64 << 10

// ParsedHeader is a decoded blob header. Its byte slices alias the blob.
type ParsedHeader struct {
	Account, Region, KeyID []byte
	MaterialID             [MaterialIDSize]byte
	Len                    int // length of the header in bytes
}

// ParseBlobHeader decodes the header of blob. It checks only the
// structure; OpenBlob authenticates.
func ParseBlobHeader(blob []byte) (ParsedHeader, error) {
	var h ParsedHeader
	if len(blob) < 4 || blob[0] != BlobVersion1 {
		return h, ErrInvalidBlob
	}
	p := 1
	field := func() []byte {
		if p >= len(blob) {
			return nil
		}
		l := int(blob[p])
		p++
		if l == 0 || p+l > len(blob) {
			return nil
		}
		f := blob[p : p+l : p+l]
		p += l
		return f
	}
	h.Account, h.Region, h.KeyID = field(), field(), field()
	if h.Account == nil || h.Region == nil || h.KeyID == nil || p+MaterialIDSize+BlobOverhead > len(blob) {
		return ParsedHeader{}, ErrInvalidBlob
	}
	copy(h.MaterialID[:], blob[p:])
	h.Len = p + MaterialIDSize
	return h, nil
}

// OpenBlob authenticates and decrypts blob, whose header is headerLen bytes
// long (from ParseBlobHeader), under a with encryption context ec.
func OpenBlob(a *AESGCM, blob []byte, headerLen int, ec map[string]string) ([]byte, error) {
	if headerLen <= 0 || headerLen+BlobOverhead > len(blob) {
		return nil, ErrInvalidBlob
	}
	scratch := aadPool.Get().(*[]byte)
	aad := encctx.Append(append((*scratch)[:0], blob[:headerLen]...), ec)
	pt, err := a.Open(make([]byte, 0, len(blob)-headerLen-BlobOverhead), blob[headerLen:], aad)
	putAAD(scratch, aad)
	if err != nil {
		return nil, ErrInvalidBlob
	}
	return pt, nil
}
