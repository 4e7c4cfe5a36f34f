package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
)

// principals is a -principals file: the account root, and Alice, who may
// only describe keys.
const principals = `{"principals": [
  {"accessKeyId": "AKIAROOT", "secretAccessKey": "root-secret", "arn": "arn:aws:iam::111122223333:root"},
  {"accessKeyId": "AKIAALICE", "secretAccessKey": "alice-secret", "arn": "arn:aws:iam::111122223333:user/alice",
   "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}]}
]}`

func (s *server) clientAs(key, secret string) *awskms.Client {
	return awskms.New(awskms.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, nil
		}),
		RetryMaxAttempts: 1,
	})
}

// TestServePrincipals: `embedkms serve -principals FILE` verifies every
// request's signature with the file's secrets and decides as IAM would.
func TestServePrincipals(t *testing.T) {
	file := filepath.Join(t.TempDir(), "principals.json")
	if err := os.WriteFile(file, []byte(principals), 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, nil, "-principals", file)
	ctx := context.Background()
	created, err := s.clientAs("AKIAROOT", "root-secret").CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	alice := s.clientAs("AKIAALICE", "alice-secret")
	if _, err := alice.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: created.KeyMetadata.KeyId}); err != nil {
		t.Fatalf("Alice DescribeKey: %v", err)
	}
	_, err = alice.Encrypt(ctx, &awskms.EncryptInput{KeyId: created.KeyMetadata.KeyId, Plaintext: []byte("x")})
	if errorCode(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "user/alice is not authorized to perform: kms:Encrypt") {
		t.Fatalf("Alice Encrypt: %v", err)
	}
	if _, err := s.client("us-east-1").ListKeys(ctx, &awskms.ListKeysInput{}); errorCode(err) != "UnrecognizedClientException" {
		t.Fatalf("an unlisted access key: %v", err)
	}
	if _, err := s.clientAs("AKIAALICE", "wrong").ListKeys(ctx, &awskms.ListKeysInput{}); errorCode(err) != "InvalidSignatureException" {
		t.Fatalf("a wrong secret: %v", err)
	}
	s.stop()

	// A bad file stops the server at once, saying why.
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"principals": [{"accessKeyId": "A"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runExit(t, nil, "serve", "-addr", "127.0.0.1:0", "-principals", bad)
	if code == 0 || !strings.Contains(stderr, "no secretAccessKey") {
		t.Fatalf("serve with a bad principals file: status %d, %s", code, stderr)
	}
}
