package tinkkms_test

import (
	"bytes"
	"context"
	"testing"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/tinkkms"
	"github.com/tink-crypto/tink-go-awskms/v3/integration/awskms"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Tink's official AWS integration, tink-go-awskms, runs unchanged against
// embedkms: its WithKMS option takes the aws-sdk-go-v2 client that
// awsapi.NewClient wires to the handle in-process.
func newAWSKMS(t *testing.T, k *kms.KMS, arn string, opts ...awskms.ClientOption) tink.AEAD {
	t.Helper()
	c, err := awskms.NewClientWithOptions(context.Background(), "aws-kms://"+arn,
		append([]awskms.ClientOption{awskms.WithKMS(awsapi.NewClient(k))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetAEAD("aws-kms://" + arn)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAWSKMSRoundTrip(t *testing.T) {
	k, arn, _ := newKey(t)
	for _, name := range []awskms.EncryptionContextName{awskms.AssociatedData, awskms.LegacyAdditionalData} {
		t.Run(name.String(), func(t *testing.T) {
			a := newAWSKMS(t, k, arn, awskms.WithEncryptionContextName(name))
			for _, ad := range [][]byte{nil, []byte("ad")} {
				ct, err := a.Encrypt([]byte("secret"), ad)
				if err != nil {
					t.Fatal(err)
				}
				if pt, err := a.Decrypt(ct, ad); err != nil || string(pt) != "secret" {
					t.Fatalf("Decrypt = %q, %v", pt, err)
				}
				if _, err := a.Decrypt(ct, []byte("wrong")); err == nil {
					t.Error("Decrypt with wrong associated data succeeded")
				}
			}
		})
	}
}

func TestAWSKMSEnvelope(t *testing.T) {
	k, arn, _ := newKey(t)
	envelope := aead.NewKMSEnvelopeAEAD2(aead.AES256GCMKeyTemplate(), newAWSKMS(t, k, arn))
	pt := bytes.Repeat([]byte("0123456789"), 1000)
	ct, err := envelope.Encrypt(pt, []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := envelope.Decrypt(ct, []byte("ad")); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Decrypt: %v", err)
	}
}

// The keyset route through the registry, with the awskms client
// registered for the key's ARN prefix.
func TestAWSKMSKeyset(t *testing.T) {
	k, arn, _ := newKey(t)
	c, err := awskms.NewClientWithOptions(context.Background(), "aws-kms://"+arn, awskms.WithKMS(awsapi.NewClient(k)))
	if err != nil {
		t.Fatal(err)
	}
	registry.RegisterKMSClient(c)
	t.Cleanup(registry.ClearKMSClients) // the registry is global
	a := envelopeKeysetAEAD(t, "aws-kms://"+arn)
	ct, err := a.Encrypt([]byte("hello"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := a.Decrypt(ct, nil); err != nil || string(pt) != "hello" {
		t.Fatalf("Decrypt = %q, %v", pt, err)
	}
}

// tinkkms and tink-go-awskms (with its default AssociatedData name) bind
// associated data the same way, so each decrypts the other's ciphertexts
// and envelopes.
func TestAWSKMSInterop(t *testing.T) {
	k, arn, _ := newKey(t)
	viaSDK := newAWSKMS(t, k, arn)
	direct, err := tinkkms.New(k).GetAEAD(tinkkms.Prefix + arn)
	if err != nil {
		t.Fatal(err)
	}
	for _, ad := range [][]byte{nil, []byte("ad")} {
		for _, p := range []struct {
			name     string
			enc, dec tink.AEAD
		}{
			{"tinkkms->awskms", direct, viaSDK},
			{"awskms->tinkkms", viaSDK, direct},
			{"envelope tinkkms->awskms", aead.NewKMSEnvelopeAEAD2(aead.AES256GCMKeyTemplate(), direct), aead.NewKMSEnvelopeAEAD2(aead.AES256GCMKeyTemplate(), viaSDK)},
		} {
			ct, err := p.enc.Encrypt([]byte("x"), ad)
			if err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			if pt, err := p.dec.Decrypt(ct, ad); err != nil || string(pt) != "x" {
				t.Errorf("%s ad %q: Decrypt = %q, %v", p.name, ad, pt, err)
			}
		}
	}
}
