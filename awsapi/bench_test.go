package awsapi_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
)

// BenchmarkEncryptDirect and BenchmarkEncryptClient make the same Encrypt
// (same key, same encryption context) on the handle and through
// awsapi.NewClient; run together, their ratio is the cost of the AWS SDK
// and the wire protocol:
//
//	go test -run '^$' -bench Encrypt ./awsapi

var benchEC = map[string]string{"tenant": "acme", "purpose": "bench"}

var benchSizes = []struct {
	name string
	size int
}{{"4KiB", 4096}, {"32B", 32}}

// benchKey returns the handle and key every Encrypt benchmark uses. The
// handle lives as long as the process.
var benchKey = sync.OnceValues(func() (*kms.KMS, string) {
	k, err := kms.New(kms.Options{})
	if err != nil {
		panic(err)
	}
	out, err := k.CreateKey(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	return k, out.KeyMetadata.KeyId
})

func BenchmarkEncryptDirect(b *testing.B) {
	k, id := benchKey()
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			in := &kms.EncryptInput{KeyId: id, Plaintext: make([]byte, s.size), EncryptionContext: benchEC}
			b.SetBytes(int64(s.size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Encrypt(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncryptClient(b *testing.B) {
	k, id := benchKey()
	c := awsapi.NewClient(k)
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			in := &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: make([]byte, s.size), EncryptionContext: benchEC}
			b.SetBytes(int64(s.size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Encrypt(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
