package hsm

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// The kinds of failure a caller can tell apart, for errors.Is. Every error
// this package returns wraps exactly one of them in an *Error.
//
// How the handle maps them to AWS KMS (API reference of
// ConnectCustomKeyStore and CustomKeyStoresListEntry.ConnectionErrorCode,
// and of the cryptographic operations):
//
//	ErrModule, ErrTokenNotPresent   CLUSTER_NOT_FOUND; crypto: KeyUnavailableException
//	ErrPINIncorrect                 INVALID_CREDENTIALS
//	ErrPINLocked                    USER_LOCKED_OUT
//	ErrKeyNotFound                  crypto: KMSInvalidStateException (key material gone)
//	ErrDecrypt                      InvalidCiphertextException
//	ErrClosed, ErrInternal          INTERNAL_ERROR; crypto: KeyUnavailableException
//
// ConnectionErrorCode returns the first column for any error.
var (
	// ErrModule: the PKCS#11 module could not be loaded or initialised.
	ErrModule = errors.New("pkcs11 module unavailable")
	// ErrTokenNotPresent: no slot holds a token with the label, or the
	// token was removed.
	ErrTokenNotPresent = errors.New("token not present")
	// ErrPINIncorrect: the token refused the user PIN.
	ErrPINIncorrect = errors.New("user PIN incorrect")
	// ErrPINLocked: the token locked the user PIN (too many failures) or
	// the PIN expired.
	ErrPINLocked = errors.New("user PIN locked")
	// ErrKeyNotFound: no AES secret key with the id is on the token.
	ErrKeyNotFound = errors.New("key not found")
	// ErrDecrypt: AES-GCM authentication failed (wrong key, IV, AAD, tag
	// or ciphertext), or the inputs have impossible sizes.
	ErrDecrypt = errors.New("decryption failed")
	// ErrClosed: the Token was closed.
	ErrClosed = errors.New("token closed")
	// ErrInternal: any other failure of the module.
	ErrInternal = errors.New("pkcs11 failure")
)

// Error is every error this package returns: the operation, the kind (one
// of the Err variables, which errors.Is finds) and, when the module
// answered, its return value.
type Error struct {
	Op   string // the operation, e.g. "login", "encrypt"
	Kind error  // one of ErrModule ... ErrInternal
	RV   uint   // the PKCS#11 CKR_ value, 0 when none
	Err  error  // the underlying error, nil when none
}

// Error names the operation, the kind and the module's answer.
func (e *Error) Error() string {
	s := "hsm: " + e.Op + ": " + e.Kind.Error()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// ConnectionErrorCode is the AWS KMS ConnectionErrorCode a custom key store
// backed by a token reports after err (see the table on the Err variables).
func ConnectionErrorCode(err error) string {
	switch {
	case errors.Is(err, ErrModule), errors.Is(err, ErrTokenNotPresent):
		return "CLUSTER_NOT_FOUND"
	case errors.Is(err, ErrPINIncorrect):
		return "INVALID_CREDENTIALS"
	case errors.Is(err, ErrPINLocked):
		return "USER_LOCKED_OUT"
	default:
		return "INTERNAL_ERROR"
	}
}

// classify maps a PKCS#11 return value to a kind; other is the kind of any
// value not listed.
func classify(rv uint, other error) error {
	switch rv {
	case pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_LEN_RANGE:
		return ErrPINIncorrect
	case pkcs11.CKR_PIN_LOCKED, pkcs11.CKR_PIN_EXPIRED:
		return ErrPINLocked
	case pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_TOKEN_NOT_RECOGNIZED, pkcs11.CKR_DEVICE_REMOVED,
		pkcs11.CKR_SLOT_ID_INVALID:
		return ErrTokenNotPresent
	case pkcs11.CKR_KEY_HANDLE_INVALID, pkcs11.CKR_OBJECT_HANDLE_INVALID:
		return ErrKeyNotFound
	case pkcs11.CKR_ENCRYPTED_DATA_INVALID, pkcs11.CKR_ENCRYPTED_DATA_LEN_RANGE,
		ckrAEADDecryptFailed:
		return ErrDecrypt
	case pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED:
		return ErrClosed
	}
	return other
}

// ckrAEADDecryptFailed is CKR_AEAD_DECRYPT_FAILED of PKCS#11 3.0 (OASIS
// PKCS #11 Cryptographic Token Interface Base Specification Version 3.0,
// section 5.1), absent from the constants of miekg/pkcs11 v1.1.2.
const ckrAEADDecryptFailed = 0x35

func errf(op string, kind error, format string, args ...any) *Error {
	return &Error{Op: op, Kind: kind, Err: fmt.Errorf(format, args...)}
}
