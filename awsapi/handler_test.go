package awsapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// The raw awsJson1_1 protocol, as the AWS SDKs speak it and as the
// "Smithy awsJson1_1 protocol" and "Signature Version 4" documents
// describe it.

const (
	rawEndpoint = "https://kms.us-east-1.amazonaws.com/"
	rawJSONType = "application/x-amz-json-1.1"
)

var rawUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// rawRequest is a well-formed, unsigned request for op.
func rawRequest(op, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, rawEndpoint, strings.NewReader(body))
	r.Header.Set("X-Amz-Target", "TrentService."+op)
	r.Header.Set("Content-Type", rawJSONType)
	return r
}

// rawResponse is a handler response, checked for what every response carries.
type rawResponse struct {
	status int
	header http.Header
	raw    string
	body   map[string]any // numbers as json.Number
}

// serve runs r through h and checks the invariants of every response:
// an x-amzn-RequestId UUID, the awsJson1_1 content type, a JSON object
// body, and for errors "__type", "message", X-Amzn-ErrorType and the
// model's status.
func serveRaw(t *testing.T, h http.Handler, r *http.Request) rawResponse {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	res := rawResponse{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if id := res.header.Get("x-amzn-RequestId"); !rawUUID.MatchString(id) {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", id)
	}
	if ct := res.header.Get("Content-Type"); ct != rawJSONType {
		t.Errorf("Content-Type = %q, want %q", ct, rawJSONType)
	}
	dec := json.NewDecoder(strings.NewReader(res.raw))
	dec.UseNumber()
	if err := dec.Decode(&res.body); err != nil || dec.More() || res.body == nil {
		t.Fatalf("body is not a JSON object: %q (%v)", res.raw, err)
	}
	if res.status != http.StatusOK {
		code, _ := res.body["__type"].(string)
		if code == "" {
			t.Errorf("error body %q has no __type", res.raw)
		}
		// AWS sends InvalidCiphertextException with no message.
		if msg, ok := res.body["message"].(string); (!ok || msg == "") && code != "InvalidCiphertextException" {
			t.Errorf("error body %q has no message", res.raw)
		}
		if got := res.header.Get("X-Amzn-ErrorType"); got != code {
			t.Errorf("X-Amzn-ErrorType = %q, want %q", got, code)
		}
	}
	return res
}

// call sends an unsigned request and fails unless it succeeds.
func callRaw(t *testing.T, h http.Handler, op, body string) map[string]any {
	t.Helper()
	res := serveRaw(t, h, rawRequest(op, body))
	if res.status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", op, body, res.status, res.raw)
	}
	return res.body
}

func (res rawResponse) wantError(t *testing.T, code string, status int) {
	t.Helper()
	if res.status != status || res.body["__type"] != code {
		t.Fatalf("got %d %s, want %d %s", res.status, res.raw, status, code)
	}
}

func (res rawResponse) wantOK(t *testing.T) {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("got %d %s, want 200", res.status, res.raw)
	}
}

func rawCreateKey(t *testing.T, k *kms.KMS) *kms.KeyMetadata {
	t.Helper()
	out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

func rawQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestProtocolRequestLine(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)
	tests := []struct {
		name   string
		mutate func(r *http.Request)
		code   string
		status int
	}{
		{"GET is not served", func(r *http.Request) { r.Method = http.MethodGet }, "UnknownOperationException", 400},
		{"PUT is not served", func(r *http.Request) { r.Method = http.MethodPut }, "UnknownOperationException", 400},
		{"missing X-Amz-Target", func(r *http.Request) { r.Header.Del("X-Amz-Target") }, "UnknownOperationException", 400},
		{"target without TrentService. prefix", func(r *http.Request) { r.Header.Set("X-Amz-Target", "ListKeys") }, "UnknownOperationException", 400},
		{"target of another service", func(r *http.Request) { r.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListKeys") }, "UnknownOperationException", 400},
		{"target with empty operation", func(r *http.Request) { r.Header.Set("X-Amz-Target", "TrentService.") }, "UnknownOperationException", 400},
		{"unknown operation", func(r *http.Request) { r.Header.Set("X-Amz-Target", "TrentService.Frobnicate") }, "UnknownOperationException", 400},
		{"operation names are case-sensitive", func(r *http.Request) { r.Header.Set("X-Amz-Target", "TrentService.listKeys") }, "UnknownOperationException", 400},
		// Methods of the handle that are not operations are not reachable.
		{"Close is not an operation", func(r *http.Request) { r.Header.Set("X-Amz-Target", "TrentService.Close") }, "UnknownOperationException", 400},
		{"Region is not an operation", func(r *http.Request) { r.Header.Set("X-Amz-Target", "TrentService.Region") }, "UnknownOperationException", 400},
		{"missing Content-Type", func(r *http.Request) { r.Header.Del("Content-Type") }, "SerializationException", 400},
		{"application/json", func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, "SerializationException", 400},
		{"awsJson1_0", func(r *http.Request) { r.Header.Set("Content-Type", "application/x-amz-json-1.0") }, "SerializationException", 400},
		{"unparsable Content-Type", func(r *http.Request) { r.Header.Set("Content-Type", "application/x-amz-json-1.1; ;") }, "SerializationException", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawRequest("ListKeys", "{}")
			tt.mutate(r)
			serveRaw(t, h, r).wantError(t, tt.code, tt.status)
		})
	}
	t.Run("Content-Type parameters accepted", func(t *testing.T) {
		r := rawRequest("ListKeys", "{}")
		r.Header.Set("Content-Type", rawJSONType+"; charset=utf-8")
		serveRaw(t, h, r).wantOK(t)
	})
	t.Run("every listed operation is served", func(t *testing.T) {
		for _, op := range awsapi.Operations() {
			if res := serveRaw(t, h, rawRequest(op, "{}")); res.body["__type"] == "UnknownOperationException" {
				t.Errorf("%s: %s", op, res.raw)
			}
		}
	})
}

func TestProtocolDecoding(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)
	id := rawCreateKey(t, k).KeyId
	key := `"KeyId":` + rawQuote(id)
	tests := []struct {
		name, op, body string
		code           string // "" for success
	}{
		// Empty input.
		{"empty body is empty input", "ListKeys", "", ""},
		{"whitespace body is empty input", "ListKeys", " \n", ""},
		{"empty object", "ListKeys", "{}", ""},
		// Malformed JSON.
		{"truncated object", "ListKeys", `{"Limit":`, "SerializationException"},
		{"unclosed object", "ListKeys", `{`, "SerializationException"},
		{"not JSON", "ListKeys", `Limit=1`, "SerializationException"},
		{"array body", "ListKeys", `[]`, "SerializationException"},
		{"array of objects body", "ListKeys", `[{}]`, "SerializationException"},
		{"string body", "ListKeys", `"{}"`, "SerializationException"},
		{"null body", "ListKeys", `null`, "SerializationException"},
		{"number body", "ListKeys", `1`, "SerializationException"},
		{"trailing object", "ListKeys", `{}{}`, "SerializationException"},
		{"trailing garbage", "ListKeys", `{} x`, "SerializationException"},
		{"trailing brace", "ListKeys", `{}}`, "SerializationException"},
		{"trailing bracket", "ListKeys", `{}]`, "SerializationException"},
		// Member types.
		{"string for a number", "ListKeys", `{"Limit":"10"}`, "SerializationException"},
		{"fraction for an integer", "ListKeys", `{"Limit":1.5}`, "SerializationException"},
		{"integer over 32 bits", "ListKeys", `{"Limit":2147483648}`, "SerializationException"},
		{"number for a string", "ListKeys", `{"Marker":1}`, "SerializationException"},
		{"number for a blob", "Encrypt", `{` + key + `,"Plaintext":123}`, "SerializationException"},
		{"invalid base64", "Encrypt", `{` + key + `,"Plaintext":"!!not base64!!"}`, "SerializationException"},
		{"unpadded base64", "Encrypt", `{` + key + `,"Plaintext":"aGk"}`, "SerializationException"},
		{"string for a boolean", "Encrypt", `{` + key + `,"Plaintext":"aGk=","DryRun":"true"}`, "SerializationException"},
		{"number in a string map", "Encrypt", `{` + key + `,"Plaintext":"aGk=","EncryptionContext":{"a":1}}`, "SerializationException"},
		{"object for a list", "TagResource", `{` + key + `,"Tags":{"TagKey":"a","TagValue":"b"}}`, "SerializationException"},
		{"string for a structure", "TagResource", `{` + key + `,"Tags":["a"]}`, "SerializationException"},
		{"object for a string", "DescribeKey", `{"KeyId":{}}`, "SerializationException"},
		// A number whose only out-of-range value is 0 (absent in Go).
		{"zero Limit", "ListKeys", `{"Limit":0}`, "ValidationException"},
		{"negative Limit", "ListKeys", `{"Limit":-1}`, "ValidationException"},
		// Unknown and null members.
		{"unknown members ignored", "ListKeys", `{"Foo":1,"Bar":{"x":[1,null]}}`, ""},
		{"unknown nested members ignored", "TagResource", `{` + key + `,"Tags":[{"TagKey":"a","TagValue":"b","Extra":true}]}`, ""},
		{"null members are absent", "ListKeys", `{"Limit":null,"Marker":null}`, ""},
		{"null blob, map and list are absent", "Encrypt", `{` + key + `,"Plaintext":"aGk=","EncryptionContext":null,"GrantTokens":null,"DryRun":null}`, ""},
		{"null required member is absent", "DescribeKey", `{"KeyId":null}`, "ValidationException"},
		{"members are case-sensitive", "DescribeKey", `{"keyId":` + rawQuote(id) + `}`, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serveRaw(t, h, rawRequest(tt.op, tt.body))
			if tt.code == "" {
				res.wantOK(t)
				return
			}
			res.wantError(t, tt.code, 400)
		})
	}
}

// limitedBody yields n bytes of b (repeated) and fails the test if more
// than limit bytes are read from it.
type limitedBody struct {
	t        *testing.T
	n, limit int64
	read     int64
}

func (c *limitedBody) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), c.n-c.read)]
	for i := range p {
		p[i] = ' '
	}
	if c.read == 0 && len(p) > 0 {
		p[0] = '{'
	}
	c.read += int64(len(p))
	if c.read > c.limit {
		c.t.Errorf("handler read %d bytes of the body, want at most %d", c.read, c.limit)
		return 0, errors.New("read too far")
	}
	return len(p), nil
}

func TestProtocolBodySize(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)
	const max = awsapi.MaxRequestBodySize

	t.Run("Content-Length over the limit is refused unread", func(t *testing.T) {
		body := &limitedBody{t: t, n: 64 << 20, limit: 4 << 10}
		r := rawRequest("ListKeys", "")
		r.Body = io.NopCloser(body)
		r.ContentLength = body.n
		r.Header.Set("Content-Length", "67108864")
		serveRaw(t, h, r).wantError(t, "RequestEntityTooLargeException", http.StatusRequestEntityTooLarge)
		if body.read != 0 {
			t.Errorf("read %d bytes of the body", body.read)
		}
	})
	t.Run("chunked body over the limit is refused", func(t *testing.T) {
		body := &limitedBody{t: t, n: 64 << 20, limit: max + 1}
		r := rawRequest("ListKeys", "")
		r.Body = io.NopCloser(body)
		r.ContentLength = -1
		r.TransferEncoding = []string{"chunked"}
		serveRaw(t, h, r).wantError(t, "RequestEntityTooLargeException", http.StatusRequestEntityTooLarge)
	})
	t.Run("lying Content-Length is refused", func(t *testing.T) {
		body := &limitedBody{t: t, n: 64 << 20, limit: max + 1}
		r := rawRequest("ListKeys", "")
		r.Body = io.NopCloser(body)
		r.ContentLength = 2
		serveRaw(t, h, r).wantError(t, "RequestEntityTooLargeException", http.StatusRequestEntityTooLarge)
	})
	t.Run("body of exactly the limit is served", func(t *testing.T) {
		body := "{}" + strings.Repeat(" ", max-2)
		serveRaw(t, h, rawRequest("ListKeys", body)).wantOK(t)
		r := rawRequest("ListKeys", "")
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = -1
		serveRaw(t, h, r).wantOK(t)
	})
	t.Run("one byte over the limit is refused", func(t *testing.T) {
		body := "{}" + strings.Repeat(" ", max-1)
		serveRaw(t, h, rawRequest("ListKeys", body)).wantError(t, "RequestEntityTooLargeException", 413)
		r := rawRequest("ListKeys", "")
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = -1
		serveRaw(t, h, r).wantError(t, "RequestEntityTooLargeException", 413)
	})
}

// Client errors are sent with 400 whatever the model's httpError trait
// says, as AWS KMS sends them (LocalStack's test_kms.snapshot.json, recorded
// against AWS: "HTTPStatusCode": 400 for NotFoundException and
// KMSInvalidStateException; cloudposse/docs#152).
func TestProtocolErrorStatus(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	h := awsapi.NewHandler(k)
	enabled := rawCreateKey(t, k).KeyId
	disabled := rawCreateKey(t, k).KeyId
	if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled}); err != nil {
		t.Fatal(err)
	}
	pending := rawCreateKey(t, k).KeyId
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: pending}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/taken", TargetKeyId: enabled}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, op, body string
		code           string
		status         int
	}{
		{"NotFoundException", "DescribeKey", `{"KeyId":"alias/nope"}`, "NotFoundException", 400},
		{"DisabledException", "Encrypt", `{"KeyId":"` + disabled + `","Plaintext":"aGk="}`, "DisabledException", 400},
		{"KMSInvalidStateException", "Encrypt", `{"KeyId":"` + pending + `","Plaintext":"aGk="}`, "KMSInvalidStateException", 400},
		{"DryRunOperationException", "Encrypt", `{"KeyId":"` + enabled + `","Plaintext":"aGk=","DryRun":true}`, "DryRunOperationException", 400},
		{"AlreadyExistsException", "CreateAlias", `{"AliasName":"alias/taken","TargetKeyId":"` + enabled + `"}`, "AlreadyExistsException", 400},
		{"ValidationException", "GenerateRandom", `{"NumberOfBytes":1025}`, "ValidationException", 400},
		{"InvalidCiphertextException", "Decrypt", `{"CiphertextBlob":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, "InvalidCiphertextException", 400},
		{"InvalidMarkerException", "ListKeys", `{"Marker":"not-a-marker"}`, "InvalidMarkerException", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serveRaw(t, h, rawRequest(tt.op, tt.body)).wantError(t, tt.code, tt.status)
		})
	}
}

// Outputs: blobs base64, timestamps epoch seconds, absent members omitted,
// booleans always present.
func TestProtocolOutputShapes(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)

	t.Run("ListKeys on an empty account", func(t *testing.T) {
		for _, body := range []string{"", "{}"} {
			out := callRaw(t, h, "ListKeys", body)
			if keys, ok := out["Keys"].([]any); !ok || len(keys) != 0 {
				t.Errorf("Keys = %#v, want []", out["Keys"])
			}
			if out["Truncated"] != false {
				t.Errorf("Truncated = %#v, want false", out["Truncated"])
			}
			if _, ok := out["NextMarker"]; ok {
				t.Errorf("NextMarker present: %v", out)
			}
		}
	})

	var keyID string
	t.Run("CreateKey", func(t *testing.T) {
		out := callRaw(t, h, "CreateKey", `{"Description":"d","Tags":[{"TagKey":"a","TagValue":"b"}]}`)
		md, _ := out["KeyMetadata"].(map[string]any)
		keyID, _ = md["KeyId"].(string)
		if md["CreationDate"] != json.Number("1767225600") { // kmstest.Start
			t.Errorf("CreationDate = %#v, want epoch seconds 1767225600", md["CreationDate"])
		}
		if md["Enabled"] != true || md["MultiRegion"] != false {
			t.Errorf("Enabled, MultiRegion = %#v, %#v", md["Enabled"], md["MultiRegion"])
		}
		if md["KeyState"] != "Enabled" || md["Description"] != "d" || md["AWSAccountId"] != "111122223333" {
			t.Errorf("KeyMetadata = %v", md)
		}
		for _, absent := range []string{"DeletionDate", "ValidTo", "PendingDeletionWindowInDays", "MultiRegionConfiguration", "XksKeyConfiguration", "SigningAlgorithms", "CustomKeyStoreId"} {
			if _, ok := md[absent]; ok {
				t.Errorf("absent member %s sent: %v", absent, md[absent])
			}
		}
		if algs, _ := md["EncryptionAlgorithms"].([]any); len(algs) == 0 {
			t.Errorf("EncryptionAlgorithms = %#v", md["EncryptionAlgorithms"])
		}
	})

	t.Run("Encrypt and Decrypt blobs are base64", func(t *testing.T) {
		plaintext := []byte("\x00\xffhello\n")
		enc := callRaw(t, h, "Encrypt", `{"KeyId":"`+keyID+`","Plaintext":"`+base64.StdEncoding.EncodeToString(plaintext)+`","EncryptionContext":{"k":"v"}}`)
		ct, _ := enc["CiphertextBlob"].(string)
		if _, err := base64.StdEncoding.DecodeString(ct); err != nil || ct == "" {
			t.Fatalf("CiphertextBlob = %q: %v", ct, err)
		}
		dec := callRaw(t, h, "Decrypt", `{"CiphertextBlob":"`+ct+`","EncryptionContext":{"k":"v"}}`)
		if dec["Plaintext"] != base64.StdEncoding.EncodeToString(plaintext) {
			t.Errorf("Plaintext = %#v", dec["Plaintext"])
		}
		if dec["EncryptionAlgorithm"] != "SYMMETRIC_DEFAULT" || !strings.HasSuffix(dec["KeyId"].(string), keyID) {
			t.Errorf("Decrypt = %v", dec)
		}
	})

	t.Run("ScheduleKeyDeletion DeletionDate is epoch seconds", func(t *testing.T) {
		out := callRaw(t, h, "ScheduleKeyDeletion", `{"KeyId":"`+keyID+`","PendingWindowInDays":7}`)
		if out["DeletionDate"] != json.Number("1767830400") { // Start + 7 days
			t.Errorf("DeletionDate = %#v", out["DeletionDate"])
		}
		if out["PendingWindowInDays"] != json.Number("7") {
			t.Errorf("PendingWindowInDays = %#v", out["PendingWindowInDays"])
		}
	})

	t.Run("empty outputs are {}", func(t *testing.T) {
		res := serveRaw(t, h, rawRequest("CancelKeyDeletion", `{"KeyId":"`+keyID+`"}`))
		res.wantOK(t)
		res = serveRaw(t, h, rawRequest("EnableKey", `{"KeyId":"`+keyID+`"}`))
		res.wantOK(t)
		if res.raw != "{}" {
			t.Errorf("EnableKey body = %q, want {}", res.raw)
		}
	})

	t.Run("GenerateRandom", func(t *testing.T) {
		out := callRaw(t, h, "GenerateRandom", `{"NumberOfBytes":32}`)
		b, err := base64.StdEncoding.DecodeString(out["Plaintext"].(string))
		if err != nil || len(b) != 32 {
			t.Errorf("Plaintext = %#v: %v", out["Plaintext"], err)
		}
		if _, ok := out["CiphertextForRecipient"]; ok {
			t.Errorf("absent CiphertextForRecipient sent")
		}
	})
}

// Signature Version 4.

const (
	sigAliceKey    = "AKIDALICE00000000000"
	sigAliceSecret = "alice-secret"
	sigAliceARN    = "arn:aws:iam::111122223333:user/Alice"
	sigMalloryKey  = "AKIDMALLORY000000000"
	sigMalloryARN  = "arn:aws:iam::444455556666:user/Mallory"
	sigTempKey     = "ASIATEMP000000000000"
	sigTempSecret  = "temp-secret"
	sigTempToken   = "temp-session-token"
)

var sigCreds = map[string]awsapi.Credential{
	sigAliceKey:   {SecretAccessKey: sigAliceSecret, Principal: sigAliceARN},
	sigMalloryKey: {SecretAccessKey: "mallory-secret", Principal: sigMalloryARN},
	sigTempKey:    {SecretAccessKey: sigTempSecret, SessionToken: sigTempToken, Principal: "arn:aws:sts::111122223333:assumed-role/R/s"},
}

// sigSpec describes how a test signs a request.
type sigSpec struct {
	key, secret, token string
	region, service    string
	at                 time.Time
}

var sigAlice = sigSpec{key: sigAliceKey, secret: sigAliceSecret, region: "us-east-1", service: "kms"}

// sigRequest is rawRequest for op, signed as s says with the SDK's v4
// signer, as the SDK's client signs.
func sigRequest(t *testing.T, op, body string, s sigSpec) *http.Request {
	t.Helper()
	r := rawRequest(op, body)
	sigSign(t, r, body, s)
	return r
}

func sigSign(t *testing.T, r *http.Request, body string, s sigSpec) {
	t.Helper()
	if s.at.IsZero() {
		s.at = time.Now()
	}
	sum := sha256.Sum256([]byte(body))
	c := aws.Credentials{AccessKeyID: s.key, SecretAccessKey: s.secret, SessionToken: s.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), c, r, hex.EncodeToString(sum[:]), s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
}

func TestSigV4(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k, awsapi.WithCredentials(sigCreds))
	keyARN := rawCreateKey(t, k).Arn
	describe := `{"KeyId":"` + keyARN + `"}`

	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		code string // "" for success
		msg  string // in the message, if set
	}{
		{"good signature", func(t *testing.T) *http.Request {
			return sigRequest(t, "DescribeKey", describe, sigAlice)
		}, "", ""},
		{"empty body signed", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "", sigAlice)
		}, "", ""},
		{"signed 4 minutes ago", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.at = time.Now().Add(-4 * time.Minute) }))
		}, "", ""},
		{"wrong secret", func(t *testing.T) *http.Request {
			return sigRequest(t, "DescribeKey", describe, sigWith(sigAlice, func(s *sigSpec) { s.secret = "wrong" }))
		}, "InvalidSignatureException", "does not match"},
		{"another key's secret", func(t *testing.T) *http.Request {
			return sigRequest(t, "DescribeKey", describe, sigWith(sigAlice, func(s *sigSpec) { s.secret = "mallory-secret" }))
		}, "InvalidSignatureException", "does not match"},
		{"body changed after signing", func(t *testing.T) *http.Request {
			r := sigRequest(t, "DescribeKey", describe, sigAlice)
			tampered := strings.Replace(describe, "arn:aws", "arn:AWS", 1)
			r.Body = io.NopCloser(strings.NewReader(tampered))
			return r
		}, "InvalidSignatureException", "does not match"},
		{"signed header changed", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			r.Header.Set("X-Amz-Target", "TrentService.ListAliases")
			return r
		}, "InvalidSignatureException", "does not match"},
		{"X-Amz-Date changed", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.at = time.Now().Add(-time.Second) }))
			r.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			return r
		}, "InvalidSignatureException", ""},
		{"Host changed", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			r.Host = "kms.us-east-2.amazonaws.com"
			return r
		}, "InvalidSignatureException", "does not match"},
		{"signature truncated", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1])
			return r
		}, "InvalidSignatureException", "does not match"},
		{"signed 20 minutes ago", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.at = time.Now().Add(-20 * time.Minute) }))
		}, "InvalidSignatureException", "Signature expired"},
		{"signed 20 minutes ahead", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.at = time.Now().Add(20 * time.Minute) }))
		}, "InvalidSignatureException", "Signature not yet current"},
		{"unknown access key", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.key = "AKIDNOBODY0000000000" }))
		}, "UnrecognizedClientException", "security token"},
		{"missing Authorization", func(t *testing.T) *http.Request {
			return rawRequest("ListKeys", "{}")
		}, "MissingAuthenticationTokenException", ""},
		{"not AWS4-HMAC-SHA256", func(t *testing.T) *http.Request {
			r := rawRequest("ListKeys", "{}")
			r.Header.Set("Authorization", "AWS "+sigAliceKey+":c2lnbmF0dXJl")
			return r
		}, "IncompleteSignatureException", ""},
		{"missing Signature=", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			return r
		}, "IncompleteSignatureException", "'Signature'"},
		{"missing SignedHeaders=", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", regexp.MustCompile(`SignedHeaders=[^,]*, `).ReplaceAllString(a, ""))
			return r
		}, "IncompleteSignatureException", "'SignedHeaders'"},
		{"credential scope of four elements", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/kms/aws4_request", "/kms", 1))
			return r
		}, "IncompleteSignatureException", "Credential"},
		{"credential scope not ending in aws4_request", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "aws4_request", "aws5_request", 1))
			return r
		}, "IncompleteSignatureException", "Credential"},
		{"missing X-Amz-Date", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			r.Header.Del("X-Amz-Date")
			return r
		}, "IncompleteSignatureException", "X-Amz-Date"},
		{"scope date differs from X-Amz-Date", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigAlice)
			d := time.Now().UTC().Format("20060102")
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/"+d+"/", "/20000101/", 1))
			return r
		}, "InvalidSignatureException", "Date in Credential scope"},
		{"wrong service in scope", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.service = "s3" }))
		}, "InvalidSignatureException", "service"},
		{"Region not served", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.region = "ap-south-1" }))
		}, "InvalidSignatureException", "region"},
		{"session token matched", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigSpec{key: sigTempKey, secret: sigTempSecret, token: sigTempToken, region: "us-east-1", service: "kms"})
		}, "", ""},
		{"session token missing", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigSpec{key: sigTempKey, secret: sigTempSecret, region: "us-east-1", service: "kms"})
		}, "UnrecognizedClientException", ""},
		{"session token wrong", func(t *testing.T) *http.Request {
			return sigRequest(t, "ListKeys", "{}", sigSpec{key: sigTempKey, secret: sigTempSecret, token: "other", region: "us-east-1", service: "kms"})
		}, "UnrecognizedClientException", ""},
		{"session token changed after signing", func(t *testing.T) *http.Request {
			r := sigRequest(t, "ListKeys", "{}", sigSpec{key: sigTempKey, secret: sigTempSecret, token: "other", region: "us-east-1", service: "kms"})
			r.Header.Set("X-Amz-Security-Token", sigTempToken)
			return r
		}, "InvalidSignatureException", "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serveRaw(t, h, tt.req(t))
			if tt.code == "" {
				res.wantOK(t)
				return
			}
			res.wantError(t, tt.code, 400)
			if msg, _ := res.body["message"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not contain %q", msg, tt.msg)
			}
		})
	}
}

// A verified signature acts as the credential's principal: a principal of
// another account is denied by the key policy, the account's own principal
// is allowed (the default key policy delegates to the account).
func TestSigV4Principal(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k, awsapi.WithCredentials(sigCreds))
	md := rawCreateKey(t, k)
	mallorys := sigSpec{key: sigMalloryKey, secret: "mallory-secret", region: "us-east-1", service: "kms"}
	for _, op := range []struct{ op, body string }{
		{"DescribeKey", `{"KeyId":"` + md.Arn + `"}`},
		{"Encrypt", `{"KeyId":"` + md.Arn + `","Plaintext":"aGk="}`},
	} {
		res := serveRaw(t, h, sigRequest(t, op.op, op.body, mallorys))
		res.wantError(t, "AccessDeniedException", 400)
		if msg := res.body["message"].(string); !strings.Contains(msg, sigMalloryARN) {
			t.Errorf("%s: message %q does not name %s", op.op, msg, sigMalloryARN)
		}
		serveRaw(t, h, sigRequest(t, op.op, op.body, sigAlice)).wantOK(t)
	}
	serveRaw(t, h, sigRequest(t, "CreateKey", "{}", mallorys)).wantError(t, "AccessDeniedException", 400)
}

// Several handles behind one handler, routed by the Region of the
// credential scope.
func TestSigV4RegionRouting(t *testing.T) {
	b := memory.New()
	t.Cleanup(func() { b.Close() })
	east, _ := kmstest.NewWithOptions(t, kms.Options{Backend: b, Region: "us-east-1"})
	west, _ := kmstest.NewWithOptions(t, kms.Options{Backend: b, Region: "eu-west-1"})
	ctx := context.Background()

	for _, tc := range []struct {
		name string
		opts []awsapi.Option
	}{
		{"with credentials", []awsapi.Option{awsapi.WithHandle(west), awsapi.WithCredentials(sigCreds)}},
		{"without credentials", []awsapi.Option{awsapi.WithHandle(west)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := awsapi.NewHandler(east, tc.opts...)
			inWest := sigWith(sigAlice, func(s *sigSpec) { s.region = "eu-west-1" })

			res := serveRaw(t, h, sigRequest(t, "CreateKey", "{}", inWest))
			res.wantOK(t)
			md := res.body["KeyMetadata"].(map[string]any)
			id, arn := md["KeyId"].(string), md["Arn"].(string)
			if !strings.HasPrefix(arn, "arn:aws:kms:eu-west-1:111122223333:key/") {
				t.Fatalf("Arn = %s", arn)
			}
			if _, err := west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); err != nil {
				t.Errorf("eu-west-1 handle: %v", err)
			}
			if _, err := east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); !errors.Is(err, kms.ErrNotFound) {
				t.Errorf("us-east-1 handle: %v, want NotFoundException", err)
			}
			body := `{"KeyId":"` + id + `"}`
			serveRaw(t, h, sigRequest(t, "DescribeKey", body, inWest)).wantOK(t)
			serveRaw(t, h, sigRequest(t, "DescribeKey", body, sigAlice)).wantError(t, "NotFoundException", 400)

			res = serveRaw(t, h, sigRequest(t, "ListKeys", "{}", sigAlice))
			for _, e := range res.body["Keys"].([]any) {
				if e.(map[string]any)["KeyId"] == id {
					t.Errorf("us-east-1 ListKeys lists the eu-west-1 key")
				}
			}
			serveRaw(t, h, sigRequest(t, "ListKeys", "{}", sigWith(sigAlice, func(s *sigSpec) { s.region = "ap-south-1" }))).
				wantError(t, "InvalidSignatureException", 400)
		})
	}
}

func sigWith(s sigSpec, f func(*sigSpec)) sigSpec {
	f(&s)
	return s
}

// The real SDK client signs; the handler verifies.
func TestSigV4SDKClient(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k, awsapi.WithCredentials(sigCreds))
	client := func(secret string) *awskms.Client {
		return awskms.New(awskms.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String("https://kms.us-east-1.amazonaws.com"),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: sigAliceKey, SecretAccessKey: secret}, nil
			}),
			HTTPClient: awsapi.NewHTTPClient(h),
		})
	}
	ctx := context.Background()
	out, err := client(sigAliceSecret).CreateKey(ctx, &awskms.CreateKeyInput{Description: aws.String("by Alice")})
	if err != nil {
		t.Fatalf("good secret: %v", err)
	}
	enc, err := client(sigAliceSecret).Encrypt(ctx, &awskms.EncryptInput{KeyId: out.KeyMetadata.Arn, Plaintext: bytes.Repeat([]byte("x"), 4096)})
	if err != nil {
		t.Fatalf("good secret, Encrypt: %v", err)
	}
	if len(enc.CiphertextBlob) == 0 {
		t.Fatal("empty CiphertextBlob")
	}

	_, err = client("wrong").ListKeys(ctx, &awskms.ListKeysInput{})
	var apiErr interface{ ErrorCode() string }
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidSignatureException" {
		t.Fatalf("bad secret: %v, want InvalidSignatureException", err)
	}
}
