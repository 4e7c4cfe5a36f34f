package awsapi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

// An AWS managed key over the wire, with the real SDK: the predefined
// alias listed without TargetKeyId, created by DescribeKey (KeyManager
// AWS), then listed with its key; its policy read back; its changes
// refused with AccessDeniedException (HTTP 400).
func TestManagedKeyOverTheWire(t *testing.T) {
	k, _ := kmstest.New(t)
	c := awsapi.NewClient(k)
	ctx := t.Context()
	alias := func(name string) types.AliasListEntry {
		t.Helper()
		p := awskms.NewListAliasesPaginator(c, &awskms.ListAliasesInput{Limit: aws.Int32(10)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range out.Aliases {
				if aws.ToString(a.AliasName) == name {
					return a
				}
			}
		}
		t.Fatalf("ListAliases does not list %s", name)
		return types.AliasListEntry{}
	}
	if a := alias("alias/aws/s3"); a.TargetKeyId != nil || a.CreationDate != nil || a.LastUpdatedDate != nil ||
		aws.ToString(a.AliasArn) != "arn:aws:kms:us-east-1:111122223333:alias/aws/s3" {
		t.Fatalf("before use: %+v", a)
	}
	d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatal(err)
	}
	md := d.KeyMetadata
	if md.KeyManager != types.KeyManagerTypeAws || aws.ToString(md.Description) != "Default key that protects my S3 objects when no other key is defined" ||
		md.KeySpec != types.KeySpecSymmetricDefault || md.KeyState != types.KeyStateEnabled || !md.Enabled {
		t.Errorf("DescribeKey: %+v", md)
	}
	if a := alias("alias/aws/s3"); aws.ToString(a.TargetKeyId) != aws.ToString(md.KeyId) || a.CreationDate == nil {
		t.Errorf("after use: %+v", a)
	}
	pol, err := c.GetKeyPolicy(ctx, &awskms.GetKeyPolicyInput{KeyId: md.KeyId})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"kms:ViaService" : "s3.us-east-1.amazonaws.com"`) {
		t.Errorf("GetKeyPolicy: %v, %v", pol, err)
	}
	refused := []struct {
		name string
		call func() error
		msg  string
	}{
		{"PutKeyPolicy", func() error {
			_, err := c.PutKeyPolicy(ctx, &awskms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: pol.Policy})
			return err
		}, "User: arn:aws:iam::111122223333:root is not authorized to perform: kms:PutKeyPolicy on resource: " + aws.ToString(md.Arn) + " because no resource-based policy allows the kms:PutKeyPolicy action"},
		{"DeleteAlias", func() error {
			_, err := c.DeleteAlias(ctx, &awskms.DeleteAliasInput{AliasName: aws.String("alias/aws/s3")})
			return err
		}, "User: arn:aws:iam::111122223333:root is not authorized to perform: kms:DeleteAlias on resource: arn:aws:kms:us-east-1:111122223333:alias/aws/s3 because no resource-based policy allows the kms:DeleteAlias action"},
	}
	for _, tc := range refused {
		err := tc.call()
		var ad smithy.APIError
		var re *awshttp.ResponseError
		if !errors.As(err, &ad) || ad.ErrorCode() != "AccessDeniedException" || ad.ErrorMessage() != tc.msg || !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
			t.Errorf("%s: %v, want AccessDeniedException (HTTP 400): %s", tc.name, err, tc.msg)
		}
	}
	if out, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/aws/s3"}); err != nil || out.KeyMetadata.KeyId != aws.ToString(md.KeyId) {
		t.Errorf("the handle sees %v, %v", out, err)
	}
}
