// Package tinkkms plugs an embedkms handle into Tink: a
// [registry.KMSClient] for key URIs of the form
//
//	embedkms://<key id, key ARN or alias name>
//
// whose AEADs encrypt and decrypt with the handle's symmetric Encrypt and
// Decrypt. A key encryption key (KEK) held by the handle can then wrap Tink
// keysets or serve Tink's KMS envelope AEAD
// ([aead.NewKMSEnvelopeAEAD2], or keysets made from
// [aead.CreateKMSEnvelopeAEADKeyTemplate]).
//
// Associated data is bound as the encryption context
// {"associatedData": hex(ad)}, and no encryption context at all when ad is
// empty. This is tink-go-awskms's convention (its default,
// awskms.AssociatedData), so a ciphertext made here decrypts through
// tink-go-awskms pointed at the same handle via awsapi.NewClient, and the
// other way round. Hex because encryption context values are strings while
// associated data is arbitrary bytes; nothing for empty ad because Tink
// treats nil and empty associated data alike (its envelope AEAD wraps every
// DEK with empty ad).
package tinkkms

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	kms "github.com/embedkms/kms"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Prefix starts every key URI the Client handles.
const Prefix = "embedkms://"

// AssociatedDataKey is the encryption context key that carries the
// hex-encoded associated data.
const AssociatedDataKey = "associatedData"

// Client is a [registry.KMSClient] for one handle. It is safe for
// concurrent use.
type Client struct {
	k *kms.KMS
}

var _ registry.KMSClient = (*Client)(nil)

// New returns a Client whose AEADs use keys of k.
//
// [registry.RegisterKMSClient] is global and [registry.GetKMSClient] picks
// the first registered client that supports a URI: register at most one
// Client per process, or pass the AEAD from GetAEAD to Tink directly.
func New(k *kms.KMS) *Client { return &Client{k: k} }

// Supported reports whether keyURI starts with "embedkms://".
func (c *Client) Supported(keyURI string) bool {
	return strings.HasPrefix(keyURI, Prefix)
}

// GetAEAD returns an AEAD for the key keyURI names after the prefix: a key
// id, a key ARN or an alias name ("alias/..."). It checks, as the handle's
// account root, that the key exists and is a symmetric encryption key, so
// an unknown key fails here and not at first use; the error matches the
// handle's sentinels (errors.Is(err, kms.ErrNotFound)).
//
// The AEAD also implements [tink.AEADWithContext]; a context made with
// kms.WithCaller makes its calls act as that principal. With an alias URI,
// Encrypt uses the key the alias names at the time of each call, and
// Decrypt refuses (IncorrectKeyException) a ciphertext of any other key,
// so retargeting the alias strands the ciphertexts made before: prefer a
// key id or key ARN for long-lived data.
func (c *Client) GetAEAD(keyURI string) (tink.AEAD, error) {
	keyID, ok := strings.CutPrefix(keyURI, Prefix)
	if !ok {
		return nil, fmt.Errorf("tinkkms: key URI %q does not start with %q", keyURI, Prefix)
	}
	if keyID == "" {
		return nil, fmt.Errorf("tinkkms: key URI %q names no key", keyURI)
	}
	out, err := c.k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		return nil, fmt.Errorf("tinkkms: %w", err)
	}
	md := out.KeyMetadata
	if md.KeyUsage != kms.KeyUsageTypeEncryptDecrypt || md.KeySpec != kms.KeySpecSymmetricDefault {
		return nil, fmt.Errorf("tinkkms: key %s is %s/%s, not a symmetric encryption key", md.Arn, md.KeySpec, md.KeyUsage)
	}
	return &kmsAEAD{k: c.k, keyID: keyID}, nil
}

// kmsAEAD is the tink.AEAD and tink.AEADWithContext of one key.
type kmsAEAD struct {
	k     *kms.KMS
	keyID string // as given in the URI
}

var _ tink.AEADWithContext = (*kmsAEAD)(nil)

// encryptionContext binds ad; see the package doc.
func encryptionContext(ad []byte) map[string]string {
	if len(ad) == 0 {
		return nil
	}
	return map[string]string{AssociatedDataKey: hex.EncodeToString(ad)}
}

// Encrypt encrypts plaintext (at most kms.MaxPlaintextSize bytes) bound to
// associatedData.
func (a *kmsAEAD) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	return a.EncryptWithContext(context.Background(), plaintext, associatedData)
}

// Decrypt decrypts a ciphertext of Encrypt made with the same key and
// associatedData.
func (a *kmsAEAD) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	return a.DecryptWithContext(context.Background(), ciphertext, associatedData)
}

// EncryptWithContext is Encrypt with a context for the handle.
func (a *kmsAEAD) EncryptWithContext(ctx context.Context, plaintext, associatedData []byte) ([]byte, error) {
	out, err := a.k.Encrypt(ctx, &kms.EncryptInput{
		KeyId:             a.keyID,
		Plaintext:         plaintext,
		EncryptionContext: encryptionContext(associatedData),
	})
	if err != nil {
		return nil, fmt.Errorf("tinkkms: %w", err)
	}
	return out.CiphertextBlob, nil
}

// DecryptWithContext is Decrypt with a context for the handle.
func (a *kmsAEAD) DecryptWithContext(ctx context.Context, ciphertext, associatedData []byte) ([]byte, error) {
	out, err := a.k.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             a.keyID,
		CiphertextBlob:    ciphertext,
		EncryptionContext: encryptionContext(associatedData),
	})
	if err != nil {
		return nil, fmt.Errorf("tinkkms: %w", err)
	}
	return out.Plaintext, nil
}
