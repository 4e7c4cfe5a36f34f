// Package awssdk is an example of ordinary application code that uses the
// aws-sdk-go-v2 KMS client, and of how to unit-test it against embedkms:
// secrets_test.go hands SealSecret and OpenSecret the *kms.Client that
// awsapi.NewClient wires to an in-memory handle, so the test needs no AWS
// account, no credentials and no network, and the code under test is the
// code that runs in production, unchanged.
//
// SealSecret and OpenSecret do envelope encryption, the usual way to
// encrypt more than KMS's 4 KiB with a KMS key: a fresh AES-256 data key
// from GenerateDataKey encrypts the secret locally with AES-GCM, and the
// data key, encrypted by KMS, is stored beside it.
package awssdk

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ErrMalformed is returned by OpenSecret for a blob SealSecret did not make.
var ErrMalformed = errors.New("awssdk: malformed sealed secret")

// The blob is version (1 byte, 1) ‖ uint16be(len(encryptedKey)) ‖
// encryptedKey ‖ nonce (12 bytes) ‖ AES-256-GCM(secret, ad = name).
const version = 1

// contextKey names the encryption context entry that binds a blob's data
// key to the secret's name: KMS will not decrypt it for another name, and
// CloudTrail would log the name with every Decrypt.
const contextKey = "secret-name"

// SealSecret encrypts secret under a fresh data key protected by the KMS
// key keyID (key id, ARN or alias), bound to name. Only OpenSecret with
// the same name opens the blob.
func SealSecret(ctx context.Context, c *kms.Client, keyID, name string, secret []byte) ([]byte, error) {
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(keyID),
		KeySpec:           types.DataKeySpecAes256,
		EncryptionContext: map[string]string{contextKey: name},
	})
	if err != nil {
		return nil, fmt.Errorf("awssdk: generating a data key: %w", err)
	}
	defer clear(dk.Plaintext)
	gcm, err := newGCM(dk.Plaintext)
	if err != nil {
		return nil, err
	}
	blob := []byte{version}
	blob = binary.BigEndian.AppendUint16(blob, uint16(len(dk.CiphertextBlob)))
	blob = append(blob, dk.CiphertextBlob...)
	nonce := make([]byte, gcm.NonceSize()) // the key is used once: a zero nonce is safe
	blob = append(blob, nonce...)
	return gcm.Seal(blob, nonce, secret, []byte(name)), nil
}

// OpenSecret decrypts a blob of SealSecret made for name. KMS errors come
// back wrapped, as the SDK's typed errors: errors.As(err,
// new(*types.InvalidCiphertextException)) for a blob of another name.
func OpenSecret(ctx context.Context, c *kms.Client, name string, blob []byte) ([]byte, error) {
	if len(blob) < 3 || blob[0] != version {
		return nil, ErrMalformed
	}
	n := int(binary.BigEndian.Uint16(blob[1:3]))
	rest := blob[3:]
	if len(rest) < n+12 {
		return nil, ErrMalformed
	}
	dk, err := c.Decrypt(ctx, &kms.DecryptInput{
		CiphertextBlob:    rest[:n],
		EncryptionContext: map[string]string{contextKey: name},
	})
	if err != nil {
		return nil, fmt.Errorf("awssdk: decrypting the data key: %w", err)
	}
	defer clear(dk.Plaintext)
	gcm, err := newGCM(dk.Plaintext)
	if err != nil {
		return nil, err
	}
	secret, err := gcm.Open(nil, rest[n:n+12], rest[n+12:], []byte(name))
	if err != nil {
		return nil, ErrMalformed
	}
	return secret, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("awssdk: data key: %w", err)
	}
	return cipher.NewGCM(b)
}
