package awsapi

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	kms "github.com/embedkms/kms"
)

// rootCodes returns every error code the root package defines: the values
// of the Code constants in errors.go, read from the source so that a code
// added there is covered here without editing this test.
func rootCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit := v.(*ast.BasicLit)
				c, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, c)
			}
		}
	}
	if len(codes) < 49 {
		t.Fatalf("found %d codes in errors.go", len(codes))
	}
	return codes
}

// wantStatus is what AWS KMS sends each code with, written out
// independently of statusOf: the model's three server errors keep their
// 5xx status, every client error is 400 (see serverErrors for the sources).
func wantStatus(code string) int {
	switch code {
	case "KMSInternalException", "KeyUnavailableException":
		return 500
	case "DependencyTimeoutException":
		return 503
	}
	return 400
}

// errorOperation is, for each error code, an operation whose error list in
// the API model (kms-2014-11-01.json) names it, so the SDK's deserializer
// for that operation knows the code's typed error. ValidationException and
// AccessDeniedException are in no list: the SDK reports them as
// *smithy.GenericAPIError.
var errorOperation = map[string]string{
	"AccessDeniedException": "CreateKey", "ValidationException": "CreateKey",
	"AlreadyExistsException": "CreateAlias", "InvalidAliasNameException": "CreateAlias",
	"CloudHsmClusterInUseException": "CreateCustomKeyStore", "CloudHsmClusterNotFoundException": "CreateCustomKeyStore",
	"CustomKeyStoreNameInUseException": "CreateCustomKeyStore", "IncorrectTrustAnchorException": "CreateCustomKeyStore",
	"XksProxyIncorrectAuthenticationCredentialException": "CreateCustomKeyStore", "XksProxyInvalidConfigurationException": "CreateCustomKeyStore",
	"XksProxyInvalidResponseException": "CreateCustomKeyStore", "XksProxyUriEndpointInUseException": "CreateCustomKeyStore",
	"XksProxyUriInUseException": "CreateCustomKeyStore", "XksProxyUriUnreachableException": "CreateCustomKeyStore",
	"XksProxyVpcEndpointServiceInUseException": "CreateCustomKeyStore", "XksProxyVpcEndpointServiceInvalidConfigurationException": "CreateCustomKeyStore",
	"XksProxyVpcEndpointServiceNotFoundException":  "CreateCustomKeyStore",
	"CloudHsmClusterInvalidConfigurationException": "CreateKey", "CustomKeyStoreInvalidStateException": "CreateKey",
	"CustomKeyStoreNotFoundException": "CreateKey", "DependencyTimeoutException": "CreateKey", "InvalidArnException": "CreateKey",
	"KMSInternalException": "CreateKey", "LimitExceededException": "CreateKey", "MalformedPolicyDocumentException": "CreateKey",
	"TagException": "CreateKey", "UnsupportedOperationException": "CreateKey", "XksKeyAlreadyInUseException": "CreateKey",
	"XksKeyInvalidConfigurationException": "CreateKey", "XksKeyNotFoundException": "CreateKey",
	"CloudHsmClusterNotActiveException":  "ConnectCustomKeyStore",
	"CloudHsmClusterNotRelatedException": "UpdateCustomKeyStore",
	"ConflictException":                  "RotateKeyOnDemand",
	"CustomKeyStoreHasCMKsException":     "DeleteCustomKeyStore",
	"DisabledException":                  "Decrypt", "DryRunOperationException": "Decrypt", "IncorrectKeyException": "Decrypt",
	"InvalidCiphertextException": "Decrypt", "InvalidGrantTokenException": "Decrypt", "InvalidKeyUsageException": "Decrypt",
	"KMSInvalidStateException": "Decrypt", "KeyUnavailableException": "Decrypt", "NotFoundException": "Decrypt",
	"ExpiredImportTokenException": "ImportKeyMaterial", "IncorrectKeyMaterialException": "ImportKeyMaterial",
	"InvalidImportTokenException":  "ImportKeyMaterial",
	"InvalidGrantIdException":      "RetireGrant",
	"InvalidMarkerException":       "DescribeCustomKeyStores",
	"KMSInvalidMacException":       "VerifyMac",
	"KMSInvalidSignatureException": "Verify",
}

// sdkCall calls operation op with the smallest input the SDK accepts.
func sdkCall(ctx context.Context, c *awskms.Client, op string) error {
	s := aws.String("x")
	var err error
	switch op {
	case "CreateKey":
		_, err = c.CreateKey(ctx, &awskms.CreateKeyInput{})
	case "CreateAlias":
		_, err = c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: s, TargetKeyId: s})
	case "CreateCustomKeyStore":
		_, err = c.CreateCustomKeyStore(ctx, &awskms.CreateCustomKeyStoreInput{CustomKeyStoreName: s})
	case "ConnectCustomKeyStore":
		_, err = c.ConnectCustomKeyStore(ctx, &awskms.ConnectCustomKeyStoreInput{CustomKeyStoreId: s})
	case "UpdateCustomKeyStore":
		_, err = c.UpdateCustomKeyStore(ctx, &awskms.UpdateCustomKeyStoreInput{CustomKeyStoreId: s})
	case "RotateKeyOnDemand":
		_, err = c.RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: s})
	case "DeleteCustomKeyStore":
		_, err = c.DeleteCustomKeyStore(ctx, &awskms.DeleteCustomKeyStoreInput{CustomKeyStoreId: s})
	case "Decrypt":
		_, err = c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: []byte("x")})
	case "ImportKeyMaterial":
		_, err = c.ImportKeyMaterial(ctx, &awskms.ImportKeyMaterialInput{KeyId: s, ImportToken: []byte("x"), EncryptedKeyMaterial: []byte("x")})
	case "RetireGrant":
		_, err = c.RetireGrant(ctx, &awskms.RetireGrantInput{})
	case "DescribeCustomKeyStores":
		_, err = c.DescribeCustomKeyStores(ctx, &awskms.DescribeCustomKeyStoresInput{})
	case "VerifyMac":
		_, err = c.VerifyMac(ctx, &awskms.VerifyMacInput{KeyId: s, Message: []byte("x"), Mac: []byte("x"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
	case "Verify":
		_, err = c.Verify(ctx, &awskms.VerifyInput{KeyId: s, Message: []byte("x"), Signature: []byte("x"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	default:
		return fmt.Errorf("no SDK call for %s", op)
	}
	return err
}

// TestErrorStatusEveryCode: every error code the root package defines,
// raised by an operation, arrives over the wire with AWS's status (400 for
// client errors, 5xx for the model's server errors), "__type" and
// X-Amzn-ErrorType set to the code, and the Go SDK turns it into the
// code's typed error (types.<Code>) with the same status and fault.
func TestErrorStatusEveryCode(t *testing.T) {
	k := newHandle(t)
	ctx := context.Background()
	// No retries: the server errors would be retried with backoff.
	client := NewClient(k, func(o *awskms.Options) { o.Retryer = aws.NopRetryer{} })
	h := NewHandler(k)
	for _, code := range rootCodes(t) {
		t.Run(code, func(t *testing.T) {
			op, ok := errorOperation[code]
			if !ok {
				t.Fatalf("no operation in errorOperation for %s", code)
			}
			message := "the message of " + code
			saved, had := operations[op]
			operations[op] = operation{call: func(context.Context, *kms.KMS, []byte) (any, any, error) {
				return nil, nil, fmt.Errorf("wrapped: %w", &kms.Error{Code: kms.Code(code), Message: message})
			}}
			defer func() {
				if had {
					operations[op] = saved
				} else {
					delete(operations, op)
				}
			}()
			if code == "KMSInternalException" {
				message = "An internal error occurred." // details stay inside
			}

			// Raw HTTP.
			r := httptest.NewRequest(http.MethodPost, "https://kms.us-east-1.amazonaws.com/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", targetPrefix+op)
			r.Header.Set("Content-Type", jsonType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			want := `{"__type":"` + code + `","message":"` + message + `"}`
			if rec.Code != wantStatus(code) || rec.Body.String() != want || rec.Header().Get("X-Amzn-ErrorType") != code {
				t.Errorf("wire: %d %s (X-Amzn-ErrorType %q)\nwant %d %s", rec.Code, rec.Body, rec.Header().Get("X-Amzn-ErrorType"), wantStatus(code), want)
			}

			// The Go SDK.
			err := sdkCall(ctx, client, op)
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != code || api.ErrorMessage() != message {
				t.Fatalf("SDK: %v", err)
			}
			wantType := "*types." + code
			if code == "ValidationException" || code == "AccessDeniedException" {
				wantType = "*smithy.GenericAPIError"
			}
			if got := fmt.Sprintf("%T", api); got != wantType {
				t.Errorf("SDK error type %s, want %s", got, wantType)
			}
			fault := smithy.FaultClient
			if wantStatus(code) >= 500 {
				fault = smithy.FaultServer
			}
			if wantType != "*smithy.GenericAPIError" && api.ErrorFault() != fault {
				t.Errorf("SDK fault %v, want %v", api.ErrorFault(), fault)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != wantStatus(code) {
				t.Errorf("SDK status: %v", err)
			}
		})
	}
}
