package awsapi

import (
	"context"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kms "github.com/embedkms/kms"
)

// LocalAccessKeyID is the access key id NewClient signs with by default.
const LocalAccessKeyID = "AKIAEMBEDKMSLOCAL000"

// NewClient returns a real aws-sdk-go-v2 KMS client whose requests are
// served by k in-process: the SDK builds, signs and sends HTTP requests,
// and a transport hands them straight to NewHandler(k) with no socket.
// Errors come back as the SDK's typed errors (*types.NotFoundException, ...)
// and the SDK's paginators work. optFns adjust the client's options as in
// kms.NewFromConfig; to test signatures, set Credentials and pass a handler
// built WithCredentials through HTTPClient: see NewHTTPClient.
func NewClient(k *kms.KMS, optFns ...func(*awskms.Options)) *awskms.Client {
	opts := awskms.Options{
		Region:       k.Region(),
		BaseEndpoint: aws.String("https://kms." + k.Region() + ".amazonaws.com"),
		Credentials: aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: LocalAccessKeyID, SecretAccessKey: "embedkms-local-secret", Source: "embedkms"}, nil
		}),
		HTTPClient: NewHTTPClient(NewHandler(k)),
	}
	return awskms.New(opts, optFns...)
}

// NewHTTPClient returns an HTTP client (the SDK's HTTPClient interface) that
// serves every request with h in-process.
func NewHTTPClient(h http.Handler) interface {
	Do(*http.Request) (*http.Response, error)
} {
	return inProcess{h}
}

type inProcess struct{ h http.Handler }

func (c inProcess) Do(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req.WithContext(valueless{req.Context()}))
	if err := req.Context().Err(); err != nil {
		return nil, err // as over a network: a cancelled request gets no response
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}

// valueless keeps a context's deadline and cancellation but none of its
// values: the caller's context values (kms.WithCaller among them) must not
// reach the handler, as they would not across a network.
type valueless struct{ context.Context }

func (valueless) Value(any) any { return nil }
