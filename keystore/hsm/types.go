package hsm

// Sizes of the AES-GCM parameters this package uses.
const (
	KeyBytes = 32 // AES-256
	IVBytes  = 12 // the IV Encrypt generates
	TagBytes = 16 // the authentication tag
)

// DefaultMaxSessions is the session pool size when Config.MaxSessions is 0.
const DefaultMaxSessions = 8

// Config names a token and how to log in to it.
type Config struct {
	Module      string // path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so
	TokenLabel  string // CKA_LABEL of the token (trailing blanks ignored)
	PIN         string // the user (CKU_USER) PIN
	MaxSessions int    // most sessions open at once; DefaultMaxSessions when 0
}

// Key describes a secret key on the token.
type Key struct {
	ID      string // the stable id (CKA_ID)
	Label   string // CKA_LABEL
	Bits    int    // key length in bits (CKA_VALUE_LEN * 8)
	Encrypt bool   // CKA_ENCRYPT
	Decrypt bool   // CKA_DECRYPT
}

// Sealed is the output of AES-GCM encryption, parted as the XKS proxy API
// and KMS ciphertext blobs carry it.
type Sealed struct {
	IV         []byte // IVBytes long when made by Encrypt
	Ciphertext []byte // as long as the plaintext
	Tag        []byte // TagBytes long
}
