package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"sync"

	"github.com/embedkms/kms/internal/encctx"
)

// Ciphertext blob format (symmetric SYMMETRIC_DEFAULT keys). SealBlob
// writes version 2; OpenBlob reads versions 1 and 2. Keys in a custom key
// store write and read version 3 (CustomBlob, below), whose header also
// names the store and the key in it.
//
// A blob names the key and the key-material version that encrypted it, so
// Decrypt needs no KeyId and rotated keys still decrypt old blobs. Both
// versions start with the same header, in which only the version byte
// differs:
//
//	offset  size  field
//	0       1     version: 0x01 or 0x02
//	1       1     A = length of the account id
//	2       A     account id (ASCII, 12 digits for AWS accounts)
//	        1     R = length of the Region name (A, R and K are 1..255)
//	        R     Region name (ASCII, e.g. "us-east-1")
//	        1     K = length of the key id
//	        K     key id (ASCII, e.g. a UUID or "mrk-" + 32 hex digits)
//	        32    key material id (raw bytes; KeyMaterialId is their lowercase hex)
//
// The header ends with the key material id. In both versions the
// associated data is AAD = header || encctx(EncryptionContext), where
// encctx is the canonical, length-prefixed encoding of package
// internal/encctx; the header includes the version byte, so a blob cannot
// be reinterpreted as the other version. Tampering with any byte, or
// decrypting with a different encryption context, fails authentication.
// There is no length field: the ciphertext runs to the end of the blob. A
// reader rejects any other version byte, a zero-length field, and a blob
// too short for its version's fields below.
//
// # Version 2
//
// After the header:
//
//	size  field
//	12    N1, key-derivation nonce (from a CSPRNG, fresh per blob)
//	12    IV, AES-GCM IV (from a CSPRNG, fresh per blob)
//	n     AES-256-GCM ciphertext, n = plaintext length
//	16    AES-GCM tag
//
// Each blob is sealed under its own key Kx, derived from the 32-byte key
// material K and N1 with the NIST SP 800-108r1 counter-mode KDF on
// AES-256-CMAC (label 0x58 "X", context N1, 16-bit big-endian counter, no
// length field), which for these sizes reduces to:
//
//	L  = AES-256-Encrypt(K, 0x00 * 16)
//	K1 = L << 1 (as a 128-bit big-endian number, top bit dropped);
//	     if the top bit of L was 1, K1[15] ^= 0x87
//	Kx = AES-256-Encrypt(K, (0x00 0x01 0x58 0x00 || N1) xor K1) ||
//	     AES-256-Encrypt(K, (0x00 0x02 0x58 0x00 || N1) xor K1)
//
// and ciphertext || tag = AES-256-GCM-Seal(key Kx, nonce IV, plaintext,
// AAD) with a 16-byte tag. So N1 || IV || ciphertext || tag is exactly
// XAES-256-GCM (c2sp.org/XAES-256-GCM) of the plaintext under K with the
// 24-byte nonce N1 || IV and associated data AAD; see XAES256GCM.
//
// Why a key per blob: under one key, AES-GCM with random 96-bit IVs is
// limited to 2^32 messages (NIST SP 800-38D, 8.3), and version 1 had no
// such limit enforced. With a random 96-bit N1, each Kx seals one blob and
// the bound becomes about 2^80 blobs per key material for a 2^-32 collision
// risk. AWS KMS also derives a key per ciphertext (with HKDF); this format
// uses the CMAC-based KDF instead because it needs only the AES block
// function, is a NIST SP 800-108r1 KDF, is a published construction with
// test vectors, and measured faster than HKDF-SHA256 per blob
// (BENCHMARKS.md). Like AES-GCM it is not key-committing; the key and
// material id are authenticated through the header in AAD.
//
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
//
// # Version 1 (read only)
//
// After the header:
//
//	size  field
//	12    IV, AES-GCM IV (random)
//	n     AES-256-GCM ciphertext, n = plaintext length
//	16    AES-GCM tag
//
// sealed directly under the key material: ciphertext || tag =
// AES-256-GCM-Seal(key K, nonce IV, plaintext, AAD). Blobs in this format
// still decrypt; none are written any more.
const (
	BlobVersion1   = 0x01
	BlobVersion2   = 0x02
	MaterialIDSize = 32
	// BlobOverhead is the size of a version 2 blob (the version SealBlob
	// writes) minus its header and plaintext.
	BlobOverhead = XNonceSize + tagSize
	// BlobOverheadV1 is the same for a version 1 blob.
	BlobOverheadV1 = ivSize + tagSize
)

// ErrInvalidBlob is returned for a blob that is malformed or fails
// authentication. It never says which.
var ErrInvalidBlob = errors.New("crypto: invalid ciphertext blob")

// BlobKey is one version of a key's material, ready to seal and open
// ciphertext blobs: the XAES-256-GCM key derivation with its precomputed
// CMAC subkey for version 2, and AES-256-GCM directly under the material
// for opening version 1. It is immutable and safe for concurrent use.
type BlobKey struct {
	x  *XAES256GCM
	v1 cipher.AEAD // AES-256-GCM under the material, for version 1 only
}

// NewBlobKey returns the blob key for 32 bytes of key material. The caller
// may zero material afterwards.
func NewBlobKey(material []byte) (*BlobKey, error) {
	if len(material) != AES256KeySize {
		return nil, fmt.Errorf("crypto: key material must be %d bytes, got %d", AES256KeySize, len(material))
	}
	b, err := aes.NewCipher(material)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCMWithRandomNonce(b)
	if err != nil {
		return nil, err
	}
	return &BlobKey{x: newXAES(b), v1: g}, nil
}

// BlobHeader is the cleartext part of a ciphertext blob.
type BlobHeader struct {
	// Account is the account id of the key's owner, 1 to 255 bytes.
	Account string
	// Region is the key's Region, 1 to 255 bytes.
	Region string
	// KeyID is the key id (not an ARN), 1 to 255 bytes.
	KeyID string
	// MaterialID is the raw id of the key material that seals the blob;
	// KeyMaterialId is its lowercase hex.
	MaterialID [MaterialIDSize]byte
}

// Len returns the encoded size of h.
func (h *BlobHeader) Len() int {
	return 1 + 3 + len(h.Account) + len(h.Region) + len(h.KeyID) + MaterialIDSize
}

func (h *BlobHeader) appendTo(dst []byte, version byte) []byte {
	dst = append(dst, version, byte(len(h.Account)))
	dst = append(dst, h.Account...)
	dst = append(dst, byte(len(h.Region)))
	dst = append(dst, h.Region...)
	dst = append(dst, byte(len(h.KeyID)))
	dst = append(dst, h.KeyID...)
	return append(dst, h.MaterialID[:]...)
}

// SealBlob encrypts plaintext under k in blob format version 2, with the
// header h and encryption context ec bound as associated data, and returns
// the blob. Every call draws a fresh random derivation nonce and IV, so
// every blob is sealed under its own key (two blobs share one with
// probability about 2^-96 per pair). The blob itself is one allocation;
// deriving the per-blob key and its AES-GCM state takes three more.
func SealBlob(k *BlobKey, h *BlobHeader, ec map[string]string, plaintext []byte) ([]byte, error) {
	for _, f := range []string{h.Account, h.Region, h.KeyID} {
		if len(f) == 0 || len(f) > 255 {
			return nil, errors.New("crypto: blob header fields must be 1..255 bytes")
		}
	}
	hl := h.Len()
	scratch := aadPool.Get().(*[]byte)
	aad := encctx.Append(h.appendTo((*scratch)[:0], BlobVersion2), ec)
	blob := k.x.Seal(append(make([]byte, 0, hl+BlobOverhead+len(plaintext)), aad[:hl]...), plaintext, aad)
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
// blob's buffer). They hold only headers and encryption contexts, which
// are not secret.
var aadPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledAAD = 64 << 10

// ParsedHeader is a decoded blob header. Its byte slices alias the blob.
type ParsedHeader struct {
	Version byte // BlobVersion1 or BlobVersion2
	// Account, Region and KeyID are the header's fields, as in BlobHeader.
	Account, Region, KeyID []byte
	// MaterialID is the raw id of the key material that sealed the blob.
	MaterialID [MaterialIDSize]byte
	Len        int // length of the header in bytes
}

// blobOverhead returns the size of a blob of version v minus its header and
// plaintext, or 0 for an unknown version.
func blobOverhead(v byte) int {
	switch v {
	case BlobVersion1:
		return BlobOverheadV1
	case BlobVersion2:
		return BlobOverhead
	}
	return 0
}

// ParseBlobHeader decodes the header of blob, of either version, and
// checks that the blob is long enough for that version's nonces and tag.
// It checks only the structure; OpenBlob authenticates.
func ParseBlobHeader(blob []byte) (ParsedHeader, error) {
	var h ParsedHeader
	if len(blob) < 4 || blobOverhead(blob[0]) == 0 {
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
	if h.Account == nil || h.Region == nil || h.KeyID == nil || p+MaterialIDSize+blobOverhead(blob[0]) > len(blob) {
		return ParsedHeader{}, ErrInvalidBlob
	}
	h.Version = blob[0]
	copy(h.MaterialID[:], blob[p:])
	h.Len = p + MaterialIDSize
	return h, nil
}

// OpenBlob authenticates and decrypts blob, whose header is headerLen bytes
// long (from ParseBlobHeader), under k with encryption context ec. It reads
// both versions, as the blob's first byte says.
func OpenBlob(k *BlobKey, blob []byte, headerLen int, ec map[string]string) ([]byte, error) {
	if len(blob) == 0 {
		return nil, ErrInvalidBlob
	}
	overhead := blobOverhead(blob[0])
	if overhead == 0 || headerLen <= 0 || headerLen+overhead > len(blob) {
		return nil, ErrInvalidBlob
	}
	scratch := aadPool.Get().(*[]byte)
	aad := encctx.Append(append((*scratch)[:0], blob[:headerLen]...), ec)
	dst := make([]byte, 0, len(blob)-headerLen-overhead)
	var pt []byte
	var err error
	if blob[0] == BlobVersion2 {
		pt, err = k.x.Open(dst, blob[headerLen:], aad)
	} else {
		pt, err = k.v1.Open(dst, nil, blob[headerLen:], aad)
	}
	putAAD(scratch, aad)
	if err != nil {
		return nil, ErrInvalidBlob
	}
	return pt, nil
}
