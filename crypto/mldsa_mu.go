package crypto

import "errors"

// ErrNotImplemented: a documented gap. Today only ML-DSA Verify with
// MessageType EXTERNAL_MU: neither circl, Tink nor the standard library
// has a public API that verifies from μ (FIPS 204 Algorithm 8 from step 7
// on), and its own implementation is still to be written. Signing from μ
// works.
var ErrNotImplemented = errors.New("crypto: not implemented")

// verifyMu verifies an ML-DSA signature of the message representative μ.
func verifyMu(string, []byte, []byte, []byte) error { return ErrNotImplemented }
