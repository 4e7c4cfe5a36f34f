// Package crypto holds the cryptographic primitives behind embedkms and the
// ciphertext-blob format. It knows nothing about keys' metadata, storage or
// policy: callers hand it raw key material and get primitives back.
package crypto

import (
	"crypto/rand"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/aead/aesgcm"
	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/secretdata"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// AES256KeySize is the size of a SYMMETRIC_DEFAULT key: AES-256.
const AES256KeySize = 32

// gcmParams are AES-256-GCM with a 12-byte random IV, a 16-byte tag and no
// Tink output prefix: output is iv || ciphertext || tag, the layout
// crypto/cipher's GCM uses.
var gcmParams = func() *aesgcm.Parameters {
	p, err := aesgcm.NewParameters(aesgcm.ParametersOpts{
		KeySizeInBytes: AES256KeySize,
		IVSizeInBytes:  12,
		TagSizeInBytes: 16,
		Variant:        aesgcm.VariantNoPrefix,
	})
	if err != nil {
		panic(err) // constant parameters; cannot fail
	}
	return p
}()

// NewAESGCM returns the AES-256-GCM AEAD (through Tink) for a 32-byte key.
// Each Encrypt picks a fresh random IV; the output is iv(12) || ct || tag(16).
func NewAESGCM(key []byte) (tink.AEAD, error) {
	if len(key) != AES256KeySize {
		return nil, fmt.Errorf("crypto: AES-256-GCM key must be %d bytes, got %d", AES256KeySize, len(key))
	}
	k, err := aesgcm.NewKey(secretdata.NewBytesFromData(key, insecuresecretdataaccess.Token{}), 0, gcmParams)
	if err != nil {
		return nil, err
	}
	return aesgcm.NewAEAD(k)
}

// Random returns n bytes from the operating system's CSPRNG.
func Random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails on supported platforms (Go 1.24+ crashes instead)
	return b
}
