// Package hsm keeps AES-256 keys inside a PKCS#11 token and encrypts and
// decrypts with them (CKM_AES_GCM) on the token: the layer under a custom
// key store of type AWS_CLOUDHSM, which embedkms maps to any PKCS#11 token
// (CloudHSM's client library is one; SoftHSM2 is the one tests use).
//
// A Token is opened from a module path, a token label and the user PIN.
// It logs in once and keeps a pool of sessions, so it is safe for
// concurrent use. Keys it generates are token objects that are sensitive
// and not extractable: the key material never leaves the token, and no
// function of this package reads it. Keys are named by a stable id (their
// CKA_ID, a random UUID) that is also a valid XKS external key id.
//
// Errors are *Error values wrapping one of the Err variables, which the
// handle maps to AWS KMS errors and connection error codes.
package hsm
