package kmstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
)

// SDKClient returns an aws-sdk-go-v2 KMS client served by k in-process
// (awsapi.NewClient): the SDK builds, signs and sends each request, and
// its transport hands it to awsapi's wire handler with no socket, so the
// code under test sees AWS's wire format, the SDK's typed errors
// (*types.NotFoundException, ...) and working paginators. Requests act as
// the root of k's account. optFns adjust the client's options as in
// kms.NewFromConfig (for example o.Retryer = aws.NopRetryer{}).
func SDKClient(t testing.TB, k *kms.KMS, optFns ...func(*awskms.Options)) *awskms.Client {
	t.Helper()
	return awsapi.NewClient(k, optFns...)
}

// AWSConfig returns an aws.Config for code that builds its own clients
// from one (kms.NewFromConfig(cfg), or a library taking an aws.Config):
// k's Region, static credentials (awsapi.LocalAccessKeyID), the KMS
// endpoint of that Region as BaseEndpoint, and an HTTPClient that serves
// every request with awsapi's wire handler for k, in-process. A KMS client
// made from it behaves as SDKClient's. Any SDK service client takes the
// config, but only KMS is served: another service's requests reach the
// KMS handler too and get its errors (UnknownOperationException).
func AWSConfig(t testing.TB, k *kms.KMS) aws.Config {
	t.Helper()
	return aws.Config{
		Region:       k.Region(),
		BaseEndpoint: aws.String("https://kms." + k.Region() + ".amazonaws.com"),
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: awsapi.LocalAccessKeyID, SecretAccessKey: "embedkms-local-secret", Source: "kmstest"}, nil
		})),
		HTTPClient: awsapi.NewHTTPClient(awsapi.NewHandler(k)),
	}
}
