package awsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

// principalsFile is a principals file: the account root, Alice (who may
// Encrypt only with the encryption context Project=alpha, and describe
// keys), Bob (no policy), a session of a role with a path (kms:*), and Carol
// of another account (kms:* on every key).
const principalsFile = `{"principals": [
  {"accessKeyId": "AKIAROOT", "secretAccessKey": "root-secret", "arn": "arn:aws:iam::111122223333:root"},
  {"accessKeyId": "AKIAALICE", "secretAccessKey": "alice-secret", "arn": "arn:aws:iam::111122223333:user/alice",
   "policies": [
     {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:Project": "alpha"}}},
       {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}]},
  {"accessKeyId": "AKIABOB", "secretAccessKey": "bob-secret", "arn": "arn:aws:iam::111122223333:user/bob"},
  {"accessKeyId": "ASIAOPS", "secretAccessKey": "ops-secret", "arn": "arn:aws:sts::111122223333:assumed-role/Ops/s1",
   "roleArn": "arn:aws:iam::111122223333:role/team/Ops",
   "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
  {"accessKeyId": "AKIACAROL", "secretAccessKey": "carol-secret", "arn": "arn:aws:iam::444455556666:user/carol",
   "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}
]}`

func TestParsePrincipalsRefusesBadFiles(t *testing.T) {
	entry := func(fields string) string { return `{"principals": [` + fields + `]}` }
	user := `"accessKeyId": "AK", "secretAccessKey": "s", "arn": "arn:aws:iam::111122223333:user/u"`
	tests := []struct {
		name, file, msg string
	}{
		{"not JSON", `{"principals": [`, "principals"},
		{"no list", `{}`, `no "principals" list`},
		{"unknown member", entry(`{` + user + `, "extra": 1}`), "extra"},
		{"duplicate member", `{"principals": [], "principals": []}`, "principals"},
		{"no access key", entry(`{"secretAccessKey": "s", "arn": "arn:aws:iam::111122223333:user/u"}`), "no accessKeyId"},
		{"no secret", entry(`{"accessKeyId": "AK", "arn": "arn:aws:iam::111122223333:user/u"}`), "no secretAccessKey"},
		{"bad arn", entry(`{"accessKeyId": "AK", "secretAccessKey": "s", "arn": "alice"}`), "is not an IAM user"},
		{"a role cannot sign", entry(`{"accessKeyId": "AK", "secretAccessKey": "s", "arn": "arn:aws:iam::111122223333:role/r"}`), "is not an IAM user"},
		{"twice the same key", entry(`{` + user + `}, {` + user + `}`), "listed twice"},
		{"roleArn on a user", entry(`{` + user + `, "roleArn": "arn:aws:iam::111122223333:role/r"}`), "is not the role of session"},
		{"roleArn of another role", entry(`{"accessKeyId": "AK", "secretAccessKey": "s", "arn": "arn:aws:sts::111122223333:assumed-role/A/s", "roleArn": "arn:aws:iam::111122223333:role/B"}`), "is not the role of session"},
		{"bad policy", entry(`{` + user + `, "policies": [{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}]}`), "policy 1"},
		{"invalid UTF-8", "{\"principals\": [{\"accessKeyId\": \"\xff\"}]}", "principals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := awsapi.ParsePrincipals(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("ParsePrincipals = %v, want an error containing %q", err, tt.msg)
			}
		})
	}
}

// principalsServer is a handler over a fresh backend with the principals
// of principalsFile.
func principalsServer(t *testing.T) (func(key, secret string) *awskms.Client, *awsapi.Handles) {
	t.Helper()
	p, err := awsapi.ParsePrincipals(strings.NewReader(principalsFile))
	if err != nil {
		t.Fatal(err)
	}
	hs := awsapi.NewHandles(kms.Options{IdentityPolicies: p.IdentityPolicies(), Clock: kmstest.NewClock(kmstest.Start)})
	t.Cleanup(func() { hs.Close() })
	def, err := hs.Handle(kms.DefaultAccountID, kms.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	h := awsapi.NewHandler(def, awsapi.WithHandles(hs), awsapi.WithPrincipals(p))
	return func(key, secret string) *awskms.Client {
		return sdkClient(h, "us-east-1", key, secret)
	}, hs
}

func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("err = %v, want %s containing %q", err, code, msg)
	}
}

// TestPrincipalsOverTheWire: requests act as the principal of their access
// key and IAM policies, key policies and grants decide, through the real
// SDK.
func TestPrincipalsOverTheWire(t *testing.T) {
	client, _ := principalsServer(t)
	ctx := context.Background()
	root, alice, bob := client("AKIAROOT", "root-secret"), client("AKIAALICE", "alice-secret"), client("AKIABOB", "bob-secret")
	ops, carol := client("ASIAOPS", "ops-secret"), client("AKIACAROL", "carol-secret")

	created, err := root.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := aws.ToString(created.KeyMetadata.KeyId)
	// Alice may Encrypt only with Project=alpha, by her IAM policy under
	// the default key policy.
	if _, err := alice.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x"), EncryptionContext: map[string]string{"Project": "alpha"}}); err != nil {
		t.Fatalf("Alice, Project=alpha: %v", err)
	}
	_, err = alice.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x"), EncryptionContext: map[string]string{"Project": "beta"}})
	wantAPIError(t, err, "AccessDeniedException", "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Encrypt on resource: "+aws.ToString(created.KeyMetadata.Arn)+" because no identity-based policy allows the kms:Encrypt action")
	_, err = bob.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(keyID)})
	wantAPIError(t, err, "AccessDeniedException", "user/bob is not authorized to perform: kms:DescribeKey")
	// The session of a role with a path has its role's policies.
	enc, err := ops.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
	if err != nil {
		t.Fatalf("role session: %v", err)
	}
	if _, err := ops.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("role session Decrypt: %v", err)
	}
	// A grant makes Bob able to decrypt, at once.
	if _, err := root.CreateGrant(ctx, &awskms.CreateGrantInput{KeyId: aws.String(keyID), GranteePrincipal: aws.String("arn:aws:iam::111122223333:user/bob"),
		Operations: []types.GrantOperation{types.GrantOperationDecrypt}}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("Bob through his grant: %v", err)
	}
	// Carol acts in her own account: her key is hers, and she cannot reach
	// the other account's key, which its key policy does not share.
	hers, err := carol.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(hers.KeyMetadata.Arn); !strings.Contains(arn, ":444455556666:key/") {
		t.Fatalf("Carol's key %s, want one of account 444455556666", arn)
	}
	_, err = carol.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: created.KeyMetadata.Arn})
	wantAPIError(t, err, "AccessDeniedException", "because no resource-based policy allows the kms:DescribeKey action")
	// The file is the directory of its accounts: a key policy naming
	// someone it does not list is refused; one naming Bob is not.
	named := func(p string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"` + p + `"},"Action":"kms:Encrypt","Resource":"*"}]}`)
	}
	_, err = root.CreateKey(ctx, &awskms.CreateKeyInput{Policy: named("arn:aws:iam::111122223333:user/mallory")})
	wantAPIError(t, err, "MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals.")
	if _, err := root.CreateKey(ctx, &awskms.CreateKeyInput{Policy: named("arn:aws:iam::111122223333:user/bob")}); err != nil {
		t.Fatalf("a key policy naming Bob: %v", err)
	}
}

// TestPrincipalsRefuseUnknownKeysAndBadSecrets: an access key the file does
// not list is UnrecognizedClientException, a wrong secret
// InvalidSignatureException, as AWS answers them.
func TestPrincipalsRefuseUnknownKeysAndBadSecrets(t *testing.T) {
	client, _ := principalsServer(t)
	ctx := context.Background()
	_, err := client("AKIAMALLORY", "x").ListKeys(ctx, &awskms.ListKeysInput{})
	wantAPIError(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = client("AKIAALICE", "wrong-secret").ListKeys(ctx, &awskms.ListKeysInput{})
	wantAPIError(t, err, "InvalidSignatureException", "The request signature we calculated does not match")
}
