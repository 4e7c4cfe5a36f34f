package kmstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// In a test, New takes the test's t and closes the handle when it ends;
// the clock it returns moves only when the test says so.
func ExampleNew() {
	t := new(exampleT) // in a test: the test's *testing.T
	defer t.done()

	k, clock := kmstest.New(t, kmstest.WithRegion("eu-west-1"))
	ctx := context.Background()
	key := kmstest.Key(t, k)
	k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key, PendingWindowInDays: 7})

	clock.Advance(7 * 24 * time.Hour)
	_, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key})
	fmt.Println(k.Region(), errors.Is(err, kms.ErrNotFound))
	// Output: eu-west-1 true
}

// Key makes a key in one line, SYMMETRIC_DEFAULT unless Spec says
// otherwise; a key CreateKey refuses ends the test with its error.
func ExampleKey() {
	t := new(exampleT) // in a test: the test's *testing.T
	defer t.done()
	k, _ := kmstest.New(t)
	ctx := context.Background()

	data := kmstest.Key(t, k, kmstest.Description("orders"), kmstest.Tag("team", "payments"))
	signing := kmstest.Key(t, k, kmstest.Spec(kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify))

	d, _ := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: data})
	s, _ := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: signing})
	fmt.Println(d.KeyMetadata.KeySpec, d.KeyMetadata.Description)
	fmt.Println(s.KeyMetadata.KeySpec, s.KeyMetadata.KeyUsage)
	// Output:
	// SYMMETRIC_DEFAULT orders
	// ECC_NIST_P256 SIGN_VERIFY
}

// Alias names a key, for code that refers to keys by alias.
func ExampleAlias() {
	t := new(exampleT) // in a test: the test's *testing.T
	defer t.done()
	k, _ := kmstest.New(t)

	kmstest.Alias(t, k, "alias/orders", kmstest.Key(t, k))

	out, _ := k.Encrypt(context.Background(), &kms.EncryptInput{KeyId: "alias/orders", Plaintext: []byte("order 42")})
	fmt.Println(out.EncryptionAlgorithm)
	// Output: SYMMETRIC_DEFAULT
}

// A Deterministic key is the same in every run and every handle: its id,
// ARN and material follow from the seed, so its HMACs (and public keys,
// and Ed25519 and RSASSA_PKCS1_V1_5 signatures) can be golden values.
func ExampleDeterministic() {
	t := new(exampleT) // in a test: the test's *testing.T
	defer t.done()
	k, _ := kmstest.New(t)

	key := kmstest.Key(t, k, kmstest.Deterministic("golden"),
		kmstest.Spec(kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac))

	out, _ := k.GenerateMac(context.Background(), &kms.GenerateMacInput{
		KeyId: key, Message: []byte("golden message"), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
	fmt.Println(key)
	fmt.Printf("%x\n", out.Mac)
	// Output:
	// 55035a1c-a02f-4252-8bac-7ee2fcb89490
	// 3b3677cc762d30fe7ff05ec502676ad3c5bfc0528d97cb722ffb00fa682e2b86
}

// SDKClient gives code written against aws-sdk-go-v2 a client served by
// the handle in-process, with the SDK's typed errors.
func ExampleSDKClient() {
	t := new(exampleT) // in a test: the test's *testing.T
	defer t.done()
	k, _ := kmstest.New(t)
	kmstest.Alias(t, k, "alias/app", kmstest.Key(t, k))

	client := kmstest.SDKClient(t, k)
	ctx := context.Background()
	_, err := client.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String("alias/app"), Plaintext: []byte("secret")})
	fmt.Println(err)
	_, err = client.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String("alias/none"), Plaintext: []byte("secret")})
	var nf *types.NotFoundException
	fmt.Println(errors.As(err, &nf))
	// Output:
	// <nil>
	// true
}

// AWSConfig is for code that takes an aws.Config and makes its clients
// itself.
func ExampleAWSConfig() {
	t := new(exampleT) // in a test: the test's *testing.T
	defer t.done()
	k, _ := kmstest.New(t, kmstest.WithRegion("ap-northeast-1"))
	key := kmstest.Key(t, k, kmstest.Description("from the config"))

	cfg := kmstest.AWSConfig(t, k)
	client := awskms.NewFromConfig(cfg) // as the code under test would
	out, err := client.DescribeKey(context.Background(), &awskms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Region, aws.ToString(out.KeyMetadata.Description))
	// Output: ap-northeast-1 from the config
}

// NewServer is for code that needs an endpoint URL: another language's
// SDK or the AWS CLI run with Environ (exec.Cmd.Env), or any client
// configured with the URL and the server's credentials.
func ExampleNewServer() {
	t := new(exampleT) // in a test: the test's *testing.T
	defer t.done()
	k, _ := kmstest.New(t)
	key := kmstest.Key(t, k, kmstest.Description("over the wire"))

	s := kmstest.NewServer(t, k)
	// cmd := exec.Command("aws", "kms", "describe-key", "--key-id", key)
	// cmd.Env = s.Environ()
	client := awskms.New(awskms.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey}, nil
		}),
	})
	out, err := client.DescribeKey(context.Background(), &awskms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(s.URL, "http://127.0.0.1:"), aws.ToString(out.KeyMetadata.Description))
	for _, kv := range s.Env() {
		name, _, _ := strings.Cut(kv, "=")
		fmt.Println(name)
	}
	// Output:
	// true over the wire
	// AWS_ENDPOINT_URL_KMS
	// AWS_ACCESS_KEY_ID
	// AWS_SECRET_ACCESS_KEY
	// AWS_REGION
	// AWS_DEFAULT_REGION
}
