package xks

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The get-vanilla and post-vanilla cases of the AWS Signature Version 4
// test suite (AWS General Reference, "Signature Version 4 test suite"):
// host example.amazonaws.com, 20150830T123600Z, AKIDEXAMPLE, us-east-1,
// service "service", empty body.
func TestSignatureTestSuite(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct{ method, want string }{
		{"GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	} {
		r, _ := http.NewRequest(tc.method, "https://example.amazonaws.com/", nil)
		r.Header.Set("X-Amz-Date", "20150830T123600Z")
		got := signature(secret, "20150830", "us-east-1", "service",
			stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request",
				canonicalRequest(r, nil, []string{"host", "x-amz-date"})))
		if got != tc.want {
			t.Errorf("%s-vanilla signature %s, want %s", strings.ToLower(tc.method), got, tc.want)
		}
	}
}

func TestCanonicalURIAndQuery(t *testing.T) {
	r, _ := http.NewRequest("POST", "https://h/a%20b/kms/xks/v1/keys/k~1/encrypt?b=2&a=1&a=0&c=x%2Fy", nil)
	if got, want := canonicalURI(r.URL), "/a%2520b/kms/xks/v1/keys/k~1/encrypt"; got != want {
		t.Errorf("canonicalURI = %s, want %s", got, want)
	}
	if got, want := canonicalQuery(r.URL.Query()), "a=0&a=1&b=2&c=x%2Fy"; got != want {
		t.Errorf("canonicalQuery = %s, want %s", got, want)
	}
	r.Header.Add("X-Multi", "  a   b ")
	r.Header.Add("X-Multi", "c")
	if got := canonicalHeaderValue(r, "x-multi"); got != "a b,c" {
		t.Errorf("header value %q, want %q", got, "a b,c")
	}
}

var testCred = Credential{AccessKeyID: "AKIAI2SFODNN7EXAMPLE", SecretAccessKey: "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"}

func signedRequest(t *testing.T, body []byte, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest("POST", "https://xks.example.com/p/kms/xks/v1/health", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	Sign(r, body, testCred, "us-east-2", at)
	return r
}

func TestVerify(t *testing.T) {
	at := time.Date(2024, 5, 1, 23, 59, 0, 0, time.UTC)
	body := []byte(`{"requestMetadata":{"kmsOperation":"KmsHealthCheck","kmsRequestId":"1"}}`)
	v := &Verifier{Region: "us-east-2", Secrets: map[string]string{testCred.AccessKeyID: testCred.SecretAccessKey, "OTHERKEY": "s"},
		Now: func() time.Time { return at.Add(4 * time.Minute) }}
	if err := v.Verify(signedRequest(t, body, at), body); err != nil {
		t.Fatalf("Verify of a signed request: %v", err)
	}
	auth := func(r *http.Request) string { return r.Header.Get("Authorization") }
	for _, tc := range []struct {
		name   string
		mutate func(r *http.Request) []byte // returns the body to verify
		v      *Verifier
	}{
		{"tampered body", func(r *http.Request) []byte { return bytes.Replace(body, []byte("1"), []byte("2"), 1) }, v},
		{"other path", func(r *http.Request) []byte { r.URL.Path = "/q/kms/xks/v1/health"; return body }, v},
		{"other host", func(r *http.Request) []byte { r.Host = "evil.example.com"; return body }, v},
		{"other method", func(r *http.Request) []byte { r.Method = "PUT"; return body }, v},
		{"other date", func(r *http.Request) []byte { r.Header.Set("X-Amz-Date", "20240501T235800Z"); return body }, v},
		{"wrong signature", func(r *http.Request) []byte {
			r.Header.Set("Authorization", auth(r)[:len(auth(r))-1]+"0")
			return body
		}, v},
		{"unknown access key", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(auth(r), testCred.AccessKeyID, "OTHERKEY", 1))
			return body
		}, v},
		{"other service", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(auth(r), "/kms-xks-proxy/", "/kms/", 1))
			return body
		}, v},
		{"other region", func(r *http.Request) []byte { return body }, &Verifier{Region: "eu-west-1", Secrets: v.Secrets, Now: v.Now}},
		{"no authorization", func(r *http.Request) []byte { r.Header.Del("Authorization"); return body }, v},
		{"host not signed", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(auth(r), "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date", 1))
			return body
		}, v},
		{"scope date differs", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(auth(r), "/20240501/", "/20240502/", 1))
			return body
		}, v},
		{"too old", func(r *http.Request) []byte { return body }, &Verifier{Secrets: v.Secrets, Now: func() time.Time { return at.Add(MaxSkew + time.Second) }}},
		{"from the future", func(r *http.Request) []byte { return body }, &Verifier{Secrets: v.Secrets, Now: func() time.Time { return at.Add(-MaxSkew - time.Second) }}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedRequest(t, body, at)
			b := tc.mutate(r)
			if err := tc.v.Verify(r, b); !errors.Is(err, ErrSignature) {
				t.Fatalf("Verify = %v, want ErrSignature", err)
			}
		})
	}
	// Within the skew, either way, passes.
	for _, d := range []time.Duration{MaxSkew, -MaxSkew} {
		w := &Verifier{Secrets: v.Secrets, Now: func() time.Time { return at.Add(d) }}
		if err := w.Verify(signedRequest(t, body, at), body); err != nil {
			t.Errorf("skew %v: %v", d, err)
		}
	}
}
