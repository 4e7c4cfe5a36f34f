package kmstest_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

// sdkRoundTrip encrypts with client under alias/app and checks k decrypts
// it; it then checks an unknown key is the SDK's typed NotFoundException.
func sdkRoundTrip(t *testing.T, k *kms.KMS, client *awskms.Client) {
	t.Helper()
	ctx := context.Background()
	enc, err := client.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String("alias/app"), Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || !bytes.Equal(dec.Plaintext, []byte("secret")) || dec.KeyId != aws.ToString(enc.KeyId) {
		t.Fatalf("the handle decrypted the SDK's ciphertext to %+v, %v", dec, err)
	}
	_, err = client.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/none")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("DescribeKey of a missing alias: %v, want *types.NotFoundException", err)
	}
}

func TestSDKClient(t *testing.T) {
	k, _ := kmstest.New(t, kmstest.WithRegion("eu-west-2"))
	kmstest.Alias(t, k, "alias/app", kmstest.Key(t, k))
	client := kmstest.SDKClient(t, k)
	if client.Options().Region != "eu-west-2" {
		t.Fatalf("client Region %q, want the handle's", client.Options().Region)
	}
	sdkRoundTrip(t, k, client)

	// optFns reach the client: a Region the handler does not serve.
	other := kmstest.SDKClient(t, k, func(o *awskms.Options) { o.Region = "ap-south-1" })
	_, err := other.ListKeys(context.Background(), &awskms.ListKeysInput{})
	if err == nil || !strings.Contains(err.Error(), "ap-south-1") {
		t.Fatalf("a client for ap-south-1: %v, want the handler's refusal of the Region", err)
	}
}

func TestAWSConfig(t *testing.T) {
	k, _ := kmstest.New(t, kmstest.WithRegion("eu-west-2"))
	kmstest.Alias(t, k, "alias/app", kmstest.Key(t, k))
	cfg := kmstest.AWSConfig(t, k)
	if cfg.Region != "eu-west-2" || aws.ToString(cfg.BaseEndpoint) != "https://kms.eu-west-2.amazonaws.com" {
		t.Fatalf("Region %q, BaseEndpoint %q", cfg.Region, aws.ToString(cfg.BaseEndpoint))
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != awsapi.LocalAccessKeyID || creds.SecretAccessKey == "" {
		t.Fatalf("credentials %+v, %v", creds, err)
	}
	sdkRoundTrip(t, k, awskms.NewFromConfig(cfg))
}
