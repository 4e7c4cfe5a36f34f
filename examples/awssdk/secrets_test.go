package awssdk_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/examples/awssdk"
	"github.com/embedkms/kms/kmstest"
)

// setup returns what the code under test needs, a real *kms.Client
// served in-process by a fresh in-memory handle, plus the handle itself
// (to arrange key states directly) and an alias of a new key.
func setup(t *testing.T) (*awskms.Client, *kms.KMS, string) {
	t.Helper()
	k, _ := kmstest.New(t) // closed when the test ends
	alias := "alias/app-secrets"
	kmstest.Alias(t, k, alias, kmstest.Key(t, k, kmstest.Description("app secrets")))
	return kmstest.SDKClient(t, k), k, alias
}

func TestSealOpen(t *testing.T) {
	c, _, alias := setup(t)
	ctx := context.Background()
	for _, secret := range [][]byte{[]byte("db-password"), {}, bytes.Repeat([]byte{7}, 100_000)} {
		blob, err := awssdk.SealSecret(ctx, c, alias, "db/prod", secret)
		if err != nil {
			t.Fatal(err)
		}
		got, err := awssdk.OpenSecret(ctx, c, "db/prod", blob)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("OpenSecret = %d bytes, %v; want %d bytes", len(got), err, len(secret))
		}
	}
}

// KMS refuses the data key for another name: the encryption context
// differs. The SDK's typed error reaches the caller through the wrapping.
func TestOpenOtherNameFails(t *testing.T) {
	c, _, alias := setup(t)
	ctx := context.Background()
	blob, err := awssdk.SealSecret(ctx, c, alias, "db/prod", []byte("s"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = awssdk.OpenSecret(ctx, c, "db/staging", blob)
	var ice *types.InvalidCiphertextException
	if !errors.As(err, &ice) {
		t.Fatalf("err = %v, want InvalidCiphertextException", err)
	}
}

func TestOpenTamperedFails(t *testing.T) {
	c, _, alias := setup(t)
	ctx := context.Background()
	blob, err := awssdk.SealSecret(ctx, c, alias, "n", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"last byte flipped": append(bytes.Clone(blob[:len(blob)-1]), blob[len(blob)-1]^1),
		"truncated":         blob[:10],
		"empty":             nil,
		"wrong version":     append([]byte{2}, blob[1:]...),
	} {
		if _, err := awssdk.OpenSecret(ctx, c, "n", b); !errors.Is(err, awssdk.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
	// A flipped bit in the encrypted data key is KMS's to detect.
	b := bytes.Clone(blob)
	b[20] ^= 1
	var ice *types.InvalidCiphertextException
	if _, err := awssdk.OpenSecret(ctx, c, "n", b); !errors.As(err, &ice) {
		t.Errorf("data key flipped: err = %v, want InvalidCiphertextException", err)
	}
}

func TestSealUnknownKeyFails(t *testing.T) {
	c, _, _ := setup(t)
	_, err := awssdk.SealSecret(context.Background(), c, "alias/missing", "n", []byte("s"))
	var nfe *types.NotFoundException
	if !errors.As(err, &nfe) {
		t.Fatalf("err = %v, want NotFoundException", err)
	}
}

// Key states the code must cope with are arranged on the handle directly.
func TestKeyStates(t *testing.T) {
	c, k, alias := setup(t)
	ctx := context.Background()
	blob, err := awssdk.SealSecret(ctx, c, alias, "n", []byte("s"))
	if err != nil {
		t.Fatal(err)
	}

	// DisableKey, like AWS, takes no alias: resolve it first.
	key, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: alias})
	if err != nil {
		t.Fatal(err)
	}
	keyID := key.KeyMetadata.KeyId
	if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	var de *types.DisabledException
	if _, err := awssdk.OpenSecret(ctx, c, "n", blob); !errors.As(err, &de) {
		t.Errorf("disabled key: err = %v, want DisabledException", err)
	}

	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: keyID, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	var ise *types.KMSInvalidStateException
	if _, err := awssdk.SealSecret(ctx, c, alias, "n", []byte("s")); !errors.As(err, &ise) {
		t.Errorf("key pending deletion: err = %v, want KMSInvalidStateException", err)
	}
}
