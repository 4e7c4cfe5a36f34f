package awsapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

// TestStrictInput: bad input never aliases good input. A body that
// encoding/json would silently alter (invalid UTF-8, an unpaired surrogate
// escape, both turned into U+FFFD) or choose from (a repeated member) is
// refused as SerializationException, AWS's code for a body it cannot
// deserialize; an empty Marker is the model's length violation.
func TestStrictInput(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)
	id := rawCreateKey(t, k).KeyId
	key := `"KeyId":` + rawQuote(id) + `,"Plaintext":"aGk="`
	tests := []struct {
		name, op, body string
		code           string
		message        string // "" for any
	}{
		{"raw 0xFF in a context value", "Encrypt", "{" + key + ",\"EncryptionContext\":{\"a\":\"\xff\"}}", "SerializationException", ""},
		{"raw 0xFF in a context key", "Encrypt", "{" + key + ",\"EncryptionContext\":{\"\xff\":\"a\"}}", "SerializationException", ""},
		{"overlong encoding", "Encrypt", "{" + key + ",\"EncryptionContext\":{\"a\":\"\xc0\xaf\"}}", "SerializationException", ""},
		{"encoded surrogate", "CreateKey", "{\"Description\":\"\xed\xa0\x80\"}", "SerializationException", ""},
		{"lone high surrogate escape", "Encrypt", "{" + key + `,"EncryptionContext":{"a":"\ud800"}}`, "SerializationException", ""},
		{"lone low surrogate escape", "CreateKey", `{"Description":"\udc00"}`, "SerializationException", ""},
		{"invalid UTF-8 in a member name", "ListKeys", "{\"\xff\":1}", "SerializationException", ""},
		{"invalid UTF-8 in an unknown member", "ListKeys", "{\"Unknown\":\"\xff\"}", "SerializationException", ""},
		{"duplicate member", "DescribeKey", `{"KeyId":"alias/a","KeyId":` + rawQuote(id) + `}`, "SerializationException", ""},
		{"duplicate context key", "Encrypt", "{" + key + `,"EncryptionContext":{"a":"1","a":"2"}}`, "SerializationException", ""},
		{"duplicate member spelled with an escape", "DescribeKey", `{"KeyId":"alias/a","\u004beyId":` + rawQuote(id) + `}`, "SerializationException", ""},
		{"empty Marker of ListKeys", "ListKeys", `{"Marker":""}`, "ValidationException",
			"1 validation error detected: Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"empty Marker of ListAliases", "ListAliases", `{"Marker":""}`, "ValidationException",
			"1 validation error detected: Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"empty Marker of ListResourceTags", "ListResourceTags", `{"KeyId":` + rawQuote(id) + `,"Marker":""}`, "ValidationException",
			"1 validation error detected: Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serveRaw(t, h, rawRequest(tt.op, tt.body))
			res.wantError(t, tt.code, 400)
			if tt.message != "" && res.body["message"] != tt.message {
				t.Errorf("message %q, want %q", res.body["message"], tt.message)
			}
		})
	}
	t.Run("U+FFFD itself is accepted and is not aliased", func(t *testing.T) {
		out := callRaw(t, h, "Encrypt", "{"+key+`,"EncryptionContext":{"a":"\ufffd"}}`)
		ct := out["CiphertextBlob"].(string)
		callRaw(t, h, "Decrypt", `{"CiphertextBlob":"`+ct+"\",\"EncryptionContext\":{\"a\":\"\xef\xbf\xbd\"}}")
		for _, alias := range []string{`"\ud800"`, "\"\xff\"", "\"\xed\xa0\x80\""} {
			serveRaw(t, h, rawRequest("Decrypt", `{"CiphertextBlob":"`+ct+`","EncryptionContext":{"a":`+alias+`}}`)).wantError(t, "SerializationException", 400)
		}
	})
	t.Run("a non-empty Marker still reaches the operation", func(t *testing.T) {
		serveRaw(t, h, rawRequest("ListKeys", `{"Marker":"x"}`)).wantError(t, "InvalidMarkerException", 400)
	})
}

// TestStrictRequestLine: the request must name one operation the way the
// protocol does (POST to "/", one X-Amz-Target), and a target is never
// echoed whole.
func TestStrictRequestLine(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)
	for _, path := range []string{"/x", "/ListKeys", "//", "/%2F"} {
		t.Run("path "+path, func(t *testing.T) {
			r := rawRequest("ListKeys", "{}")
			r.URL.Path = path
			serveRaw(t, h, r).wantError(t, "UnknownOperationException", 400)
		})
	}
	t.Run("two X-Amz-Target headers", func(t *testing.T) {
		r := rawRequest("ListKeys", "{}")
		r.Header.Add("X-Amz-Target", "TrentService.ListKeys")
		serveRaw(t, h, r).wantError(t, "UnknownOperationException", 400)
		r = rawRequest("ListKeys", "{}")
		r.Header.Add("X-Amz-Target", "TrentService.CreateKey")
		serveRaw(t, h, r).wantError(t, "UnknownOperationException", 400)
	})
	long := strings.Repeat("A", 100000)
	for name, target := range map[string]string{
		"unknown long operation":    "TrentService." + long,
		"long target of no service": long,
		"invalid UTF-8 target":      "TrentService.\xff" + long,
	} {
		t.Run(name, func(t *testing.T) {
			r := rawRequest("ListKeys", "{}")
			r.Header.Set("X-Amz-Target", target)
			res := serveRaw(t, h, r)
			res.wantError(t, "UnknownOperationException", 400)
			if len(res.raw) > 300 {
				t.Errorf("response of %d bytes echoes the target", len(res.raw))
			}
		})
	}
	t.Run("long path", func(t *testing.T) {
		r := rawRequest("ListKeys", "{}")
		r.URL.Path = "/" + long
		res := serveRaw(t, h, r)
		res.wantError(t, "UnknownOperationException", 400)
		if len(res.raw) > 300 {
			t.Errorf("response of %d bytes echoes the path", len(res.raw))
		}
	})
}

// TestContextOverTheWire: a request whose context is cancelled or past its
// deadline is answered DependencyTimeoutException (503, retryable), never
// KMSInternalException; through the in-process SDK client the caller gets
// its context's error, as over a network.
func TestContextOverTheWire(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)
	id := rawCreateKey(t, k).KeyId
	body := `{"KeyId":` + rawQuote(id) + `,"Plaintext":"aGk="}`
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	for name, ctx := range map[string]context.Context{"cancelled": cancelled, "deadline": expired} {
		t.Run("raw "+name, func(t *testing.T) {
			res := serveRaw(t, h, rawRequest("Encrypt", body).WithContext(ctx))
			res.wantError(t, "DependencyTimeoutException", http.StatusServiceUnavailable)
		})
	}
	t.Run("SDK, cancelled while served", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The caller gives up while the handler runs.
		served := false
		giveUp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			served = true
			cancel()
			h.ServeHTTP(w, r)
		})
		c := awsapi.NewClient(k, func(o *awskms.Options) {
			o.HTTPClient = awsapi.NewHTTPClient(giveUp)
			o.Retryer = aws.NopRetryer{}
		})
		_, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
		if !served || !errors.Is(err, context.Canceled) {
			t.Fatalf("served %v, got %v, want context.Canceled", served, err)
		}
		var internal *types.KMSInternalException
		if errors.As(err, &internal) {
			t.Fatalf("got KMSInternalException: %v", err)
		}
	})
	t.Run("Go API", func(t *testing.T) {
		_, err := k.Encrypt(cancelled, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
		if !errors.Is(err, context.Canceled) || errors.Is(err, kms.ErrKMSInternal) {
			t.Fatalf("got %v", err)
		}
	})
}
