package awsapi_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// Region names of every partition, as in the AWS SDKs' partition metadata
// (aws-sdk-go-v2 internal/endpoints/awsrulesfn/partitions.json).
func TestPartition(t *testing.T) {
	for _, tt := range []struct{ region, partition string }{
		{"us-east-1", "aws"},
		{"eu-west-1", "aws"},
		{"ap-southeast-7", "aws"},
		{"mx-central-1", "aws"},
		{"il-central-1", "aws"},
		{"cn-north-1", "aws-cn"},
		{"cn-northwest-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
		{"us-gov-east-1", "aws-us-gov"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"eu-isoe-west-1", "aws-iso-e"},
		{"us-isof-south-1", "aws-iso-f"},
		{"eusc-de-east-1", "aws-eusc"},
		{"xx-moon-1", ""},
		{"us-east", ""},
		{"US-EAST-1", ""},
		{"aws-global", ""},
		{"us-east-1 ", ""},
		{"", ""},
	} {
		got, ok := awsapi.Partition(tt.region)
		if got != tt.partition || ok != (tt.partition != "") {
			t.Errorf("Partition(%q) = %q, %v; want %q", tt.region, got, ok, tt.partition)
		}
	}
}

// sdkClient is an SDK client signing for region with the access key id
// key, served in-process by h.
func sdkClient(h http.Handler, region, key, secret string) *awskms.Client {
	return awskms.New(awskms.Options{
		Region:       region,
		BaseEndpoint: aws.String("https://kms." + region + ".amazonaws.com"),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, nil
		}),
		HTTPClient: awsapi.NewHTTPClient(h),
	})
}

func keyIDs(t *testing.T, c *awskms.Client) []string {
	t.Helper()
	out, err := c.ListKeys(context.Background(), &awskms.ListKeysInput{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	var ids []string
	for _, k := range out.Keys {
		ids = append(ids, aws.ToString(k.KeyId))
	}
	return ids
}

// One handler serves every Region of every partition: each Region has
// its own key space on the shared backend, a key of us-east-1 is
// NotFoundException in us-west-2 (as in AWS, where keys are Regional), and
// ARNs carry the Region's partition.
func TestEveryRegion(t *testing.T) {
	for _, tc := range []struct {
		name  string
		creds bool
	}{{"unverified signatures", false}, {"verified signatures", true}} {
		t.Run(tc.name, func(t *testing.T) {
			hs := awsapi.NewHandles(kms.Options{})
			defer hs.Close()
			east, err := hs.Handle(kms.DefaultAccountID, "us-east-1")
			if err != nil {
				t.Fatal(err)
			}
			opts := []awsapi.Option{awsapi.WithHandles(hs)}
			if tc.creds {
				opts = append(opts, awsapi.WithCredentials(sigCreds))
			}
			h := awsapi.NewHandler(east, opts...)
			ctx := context.Background()
			client := func(region string) *awskms.Client { return sdkClient(h, region, sigAliceKey, sigAliceSecret) }

			created, err := client("us-east-1").CreateKey(ctx, &awskms.CreateKeyInput{})
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(created.KeyMetadata.KeyId)
			_, err = client("us-west-2").DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(id)})
			var nf *types.NotFoundException
			if !errors.As(err, &nf) {
				t.Fatalf("DescribeKey in us-west-2 of a us-east-1 key: %v, want NotFoundException", err)
			}
			if ids := keyIDs(t, client("us-west-2")); len(ids) != 0 {
				t.Errorf("us-west-2 ListKeys = %v, want none", ids)
			}
			west, err := client("us-west-2").CreateKey(ctx, &awskms.CreateKeyInput{})
			if err != nil {
				t.Fatal(err)
			}
			if arn := aws.ToString(west.KeyMetadata.Arn); !strings.HasPrefix(arn, "arn:aws:kms:us-west-2:111122223333:key/") {
				t.Errorf("us-west-2 key ARN %s", arn)
			}
			if ids := keyIDs(t, client("us-east-1")); !slices.Equal(ids, []string{id}) {
				t.Errorf("us-east-1 ListKeys = %v, want [%s]", ids, id)
			}
			// The handle of us-west-2 is on the same backend: the key is
			// in the store, under its Region.
			westHandle, err := hs.Handle(kms.DefaultAccountID, "us-west-2")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := westHandle.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.ToString(west.KeyMetadata.KeyId)}); err != nil {
				t.Errorf("us-west-2 handle: %v", err)
			}

			for region, prefix := range map[string]string{
				"cn-north-1":     "arn:aws-cn:kms:cn-north-1:111122223333:key/",
				"us-gov-west-1":  "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/",
				"eu-isoe-west-1": "arn:aws-iso-e:kms:eu-isoe-west-1:111122223333:key/",
			} {
				out, err := client(region).CreateKey(ctx, &awskms.CreateKeyInput{})
				if tc.creds {
					// Alice is a principal of the aws partition: her
					// credential is unknown in every other one.
					var unknown smithy.APIError
					if !errors.As(err, &unknown) || unknown.ErrorCode() != "UnrecognizedClientException" {
						t.Fatalf("%s with an aws-partition credential: %v, want UnrecognizedClientException", region, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", region, err)
				}
				if arn := aws.ToString(out.KeyMetadata.Arn); !strings.HasPrefix(arn, prefix) {
					t.Errorf("%s: key ARN %s, want %s...", region, arn, prefix)
				}
			}

			_, err = client("xx-moon-1").ListKeys(ctx, &awskms.ListKeysInput{})
			var apiErr interface{ ErrorCode() string }
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidSignatureException" ||
				!strings.Contains(err.Error(), "Credential should be scoped to a valid region, not 'xx-moon-1'.") {
				t.Errorf("unknown Region: %v, want InvalidSignatureException", err)
			}
		})
	}
}

// A request that names no Region (no Authorization header, as from a tool
// that does not sign) is served in the Region of the handle given to
// NewHandler.
func TestEveryRegionUnsignedUsesDefault(t *testing.T) {
	hs := awsapi.NewHandles(kms.Options{})
	defer hs.Close()
	def, err := hs.Handle(kms.DefaultAccountID, "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	h := awsapi.NewHandler(def, awsapi.WithHandles(hs))
	res := serveRaw(t, h, rawRequest("CreateKey", "{}"))
	res.wantOK(t)
	if arn := res.body["KeyMetadata"].(map[string]any)["Arn"].(string); !strings.HasPrefix(arn, "arn:aws:kms:eu-central-1:111122223333:key/") {
		t.Errorf("unsigned CreateKey made %s, want a key of eu-central-1", arn)
	}
}

// With credentials, the account of a request is its principal's: with
// WithHandles, Mallory's keys are made in her own account.
func TestEveryRegionAccountOfPrincipal(t *testing.T) {
	hs := awsapi.NewHandles(kms.Options{})
	defer hs.Close()
	def, err := hs.Handle(kms.DefaultAccountID, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	h := awsapi.NewHandler(def, awsapi.WithHandles(hs), awsapi.WithCredentials(sigCreds))
	ctx := context.Background()
	mallory := sdkClient(h, "us-east-1", sigMalloryKey, "mallory-secret")
	alice := sdkClient(h, "us-east-1", sigAliceKey, sigAliceSecret)
	out, err := mallory.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(out.KeyMetadata.Arn); !strings.HasPrefix(arn, "arn:aws:kms:us-east-1:444455556666:key/") {
		t.Errorf("Mallory's key %s, want one of account 444455556666", arn)
	}
	if ids := keyIDs(t, alice); len(ids) != 0 {
		t.Errorf("account 111122223333 lists %v, want no key", ids)
	}
	// Alice's key, by ARN, is another account's key to Mallory: the key
	// policy refuses her.
	a, err := alice.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mallory.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: a.KeyMetadata.Arn})
	var denied interface{ ErrorCode() string }
	if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
		t.Errorf("Mallory's DescribeKey of Alice's key: %v, want AccessDeniedException", err)
	}
}

// WithHandle indexes handles by account and Region: a second account's
// handle in the same Region serves that account only and does not replace
// the first.
func TestWithHandleAccountAndRegion(t *testing.T) {
	b := memory.New()
	t.Cleanup(func() { b.Close() })
	first, _ := kmstest.NewWithOptions(t, kms.Options{Backend: b, AccountID: "111122223333"})
	second, _ := kmstest.NewWithOptions(t, kms.Options{Backend: b, AccountID: "444455556666"})
	h := awsapi.NewHandler(first, awsapi.WithHandle(second), awsapi.WithCredentials(sigCreds))
	ctx := context.Background()
	alice := sdkClient(h, "us-east-1", sigAliceKey, sigAliceSecret)
	mallory := sdkClient(h, "us-east-1", sigMalloryKey, "mallory-secret")
	a, err := alice.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(a.KeyMetadata.Arn); !strings.Contains(arn, ":111122223333:") {
		t.Errorf("Alice's key %s, want account 111122223333", arn)
	}
	m, err := mallory.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(m.KeyMetadata.Arn); !strings.Contains(arn, ":444455556666:") {
		t.Errorf("Mallory's key %s, want account 444455556666", arn)
	}
	if ids := keyIDs(t, alice); !slices.Equal(ids, []string{aws.ToString(a.KeyMetadata.KeyId)}) {
		t.Errorf("Alice lists %v", ids)
	}
	if ids := keyIDs(t, mallory); !slices.Equal(ids, []string{aws.ToString(m.KeyMetadata.KeyId)}) {
		t.Errorf("Mallory lists %v", ids)
	}
	// A Region no handle is pinned for is refused as AWS refuses a
	// credential scoped to a Region the endpoint does not serve.
	_, err = sdkClient(h, "us-west-2", sigAliceKey, sigAliceSecret).ListKeys(ctx, &awskms.ListKeysInput{})
	if err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") {
		t.Errorf("unpinned Region: %v, want InvalidSignatureException", err)
	}
}

// Handles opens each (account, Region) handle once, shares it between
// concurrent requests, and closes every one on Close.
func TestHandles(t *testing.T) {
	b := memory.New()
	t.Cleanup(func() { b.Close() })
	hs := awsapi.NewHandles(kms.Options{Backend: b})
	var wg sync.WaitGroup
	got := make([]*kms.KMS, 8)
	for i := range got {
		wg.Go(func() {
			k, err := hs.Handle("111122223333", "ap-northeast-1")
			if err != nil {
				t.Error(err)
			}
			got[i] = k
		})
	}
	wg.Wait()
	for _, k := range got[1:] {
		if k != got[0] {
			t.Fatal("Handle opened a pair twice")
		}
	}
	k := got[0]
	if k.AccountID() != "111122223333" || k.Region() != "ap-northeast-1" {
		t.Errorf("handle of %s %s", k.AccountID(), k.Region())
	}
	if _, err := hs.Handle("111122223333", "moon-1"); !errors.Is(err, awsapi.ErrUnknownRegion) {
		t.Errorf("Handle of moon-1: %v, want ErrUnknownRegion", err)
	}
	if _, err := hs.Handle("1234", "us-east-1"); !errors.Is(err, awsapi.ErrInvalidAccount) {
		t.Errorf("Handle of account 1234: %v, want ErrInvalidAccount", err)
	}
	if err := hs.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ListKeys(context.Background(), &kms.ListKeysInput{}); err == nil {
		t.Error("a handle still works after Handles.Close")
	}
	if _, err := hs.Handle("111122223333", "us-east-1"); err == nil {
		t.Error("Handle after Close: no error")
	}
	// The backend it was given stays open.
	other, err := kms.New(kms.Options{Backend: b, Region: "ap-northeast-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ListKeys(context.Background(), &kms.ListKeysInput{}); err != nil {
		t.Errorf("the backend given to NewHandles was closed: %v", err)
	}
}

// The request log gets operation, handle, caller, key and outcome, and no
// body.
func TestRequestLog(t *testing.T) {
	k, _ := kmstest.New(t)
	var recs []awsapi.RequestRecord
	h := awsapi.NewHandler(k, awsapi.WithRequestLog(func(_ context.Context, r awsapi.RequestRecord) { recs = append(recs, r) }))
	client := sdkClient(h, "us-east-1", sigAliceKey, sigAliceSecret)
	ctx := context.Background()
	out, err := client.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.KeyMetadata.Arn)
	if _, err := client.Encrypt(ctx, &awskms.EncryptInput{KeyId: out.KeyMetadata.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	client.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	want := []awsapi.RequestRecord{
		{Operation: "CreateKey", Account: "111122223333", Region: "us-east-1", Caller: "arn:aws:iam::111122223333:root", Key: arn, Status: 200},
		{Operation: "Encrypt", Account: "111122223333", Region: "us-east-1", Caller: "arn:aws:iam::111122223333:root", Key: arn, Status: 200},
		{Operation: "DescribeKey", Account: "111122223333", Region: "us-east-1", Caller: "arn:aws:iam::111122223333:root", Key: "alias/missing", ErrorCode: "NotFoundException", Status: recs[len(recs)-1].Status},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if recs[i].Duration <= 0 {
			t.Errorf("record %d: Duration %v", i, recs[i].Duration)
		}
		recs[i].Duration = 0
		if recs[i] != want[i] {
			t.Errorf("record %d = %+v\nwant %+v", i, recs[i], want[i])
		}
	}
	if recs[2].Status < 400 {
		t.Errorf("error Status %d", recs[2].Status)
	}

	// An overlong KeyId, which the handle refuses, is logged cut at the
	// longest valid length.
	client.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(strings.Repeat("k", 5000))})
	last := recs[len(recs)-1]
	if last.ErrorCode != "ValidationException" || last.Key != strings.Repeat("k", 2048)+"..." {
		t.Errorf("overlong KeyId: %s, Key of %d bytes", last.ErrorCode, len(last.Key))
	}
}

// A credential whose principal names no valid account is refused as AWS
// refuses a credential it does not know, not as an internal error.
func TestEveryRegionInvalidPrincipalAccount(t *testing.T) {
	hs := awsapi.NewHandles(kms.Options{})
	defer hs.Close()
	def, err := hs.Handle(kms.DefaultAccountID, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]awsapi.Credential{"AKIDBADACCOUNT000000": {SecretAccessKey: "s", Principal: "arn:aws:iam::12345:user/Bad"}}
	h := awsapi.NewHandler(def, awsapi.WithHandles(hs), awsapi.WithCredentials(creds))
	_, err = sdkClient(h, "us-east-1", "AKIDBADACCOUNT000000", "s").ListKeys(context.Background(), &awskms.ListKeysInput{})
	var api interface{ ErrorCode() string }
	if !errors.As(err, &api) || api.ErrorCode() != "UnrecognizedClientException" {
		t.Errorf("principal of account 12345: %v, want UnrecognizedClientException", err)
	}
}
