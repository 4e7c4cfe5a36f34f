package awsapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

func TestSmoke(t *testing.T) {
	k, _ := kmstest.New(t)
	c := awsapi.NewClient(k)
	ctx := context.Background()
	ck, err := c.CreateKey(ctx, &awskms.CreateKeyInput{Description: aws.String("d"), Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *ck.KeyMetadata)
	enc, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: []byte("hi"), EncryptionContext: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"a": "b"}})
	if err != nil || string(dec.Plaintext) != "hi" {
		t.Fatal(err)
	}
	_, err = c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/nope")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("%T %v", err, err)
	}
	t.Log(err)
	p := awskms.NewListKeysPaginator(c, &awskms.ListKeysInput{Limit: aws.Int32(1)})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Keys)
	}
	if n != 1 {
		t.Fatal(n)
	}
	_, err = c.GenerateRandom(ctx, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(0)})
	t.Log(err)
}
