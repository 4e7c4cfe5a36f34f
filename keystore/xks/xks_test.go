package xks

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The CDIV example of the spec's Appendix C: 33 bytes of AAD, 13 of
// ciphertext metadata, a 12-byte IV, 12 bytes of ciphertext and a tag give
// qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=.
func TestCDIVSpecExample(t *testing.T) {
	b64 := func(s string) []byte { b, _ := base64.StdEncoding.DecodeString(s); return b }
	r := EncryptResponse{
		Ciphertext:           b64("ghxkK1txeDNn3q8Y"),
		CiphertextMetadata:   b64("a2V5X3ZlcnNpb249MQ=="),
		InitializationVector: b64("HMrlRw85cAJUd5Ax"),
		AuthenticationTag:    b64("vBxN2ncH1oEkR8WVXpmyYQ=="),
	}
	got := base64.StdEncoding.EncodeToString(CDIV(b64("cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n"), r))
	if want := "qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc="; got != want {
		t.Fatalf("CDIV = %s, want %s", got, want)
	}
}

// TestKeyManagerAAD: 2-byte big-endian AAD length, AAD, 1-byte metadata
// length, metadata (the spec's Encrypt, ciphertextMetadata); moving bytes
// between the two gives a different AAD.
func TestKeyManagerAAD(t *testing.T) {
	for _, tc := range []struct {
		aad, md []byte
		want    string
	}{
		{nil, nil, "000000"},
		{[]byte("ab"), nil, "0002616200"},
		{nil, []byte("m"), "0000016d"},
		{bytes.Repeat([]byte{1}, 300), []byte("xy"), "012c" + strings.Repeat("01", 300) + "027879"},
	} {
		got, err := KeyManagerAAD(tc.aad, tc.md)
		if err != nil || hex.EncodeToString(got) != tc.want {
			t.Errorf("KeyManagerAAD(%x, %x) = %x, %v; want %s", tc.aad, tc.md, got, err, tc.want)
		}
	}
	a, _ := KeyManagerAAD(nil, []byte("md"))
	b, _ := KeyManagerAAD([]byte("md"), nil)
	if bytes.Equal(a, b) {
		t.Error("metadata passed as AAD gives the same key manager AAD")
	}
	if _, err := KeyManagerAAD(nil, make([]byte, 21)); err == nil {
		t.Error("21 bytes of metadata accepted")
	}
	if _, err := KeyManagerAAD(make([]byte, 0x10000), nil); err == nil {
		t.Error("65536 bytes of AAD accepted")
	}
}

func TestValidKeyIDAndURIPath(t *testing.T) {
	for id, want := range map[string]bool{
		"a": true, "Ab-0_9.z": true, strings.Repeat("k", 128): true,
		"": false, strings.Repeat("k", 129): false, "a/b": false, "a b": false, "ä": false,
	} {
		if ValidKeyID(id) != want {
			t.Errorf("ValidKeyID(%q) = %v", id, !want)
		}
	}
	for p, want := range map[string]bool{
		"/kms/xks/v1": true, "/pre_fix-1/kms/xks/v1": true,
		"kms/xks/v1": false, "/kms/xks/v2": false, "/a.b/kms/xks/v1": false,
		"/" + strings.Repeat("a", 117) + "/kms/xks/v1": false,
	} {
		if ValidURIPath(p) != want {
			t.Errorf("ValidURIPath(%q) = %v", p, !want)
		}
	}
}

// fakeProxy answers every request with the handler's answer, after
// checking the request is a signed POST of JSON to the expected path.
func fakeProxy(t *testing.T, answer func(path string, body []byte) (int, string)) *Client {
	t.Helper()
	v := &Verifier{Region: "us-east-2", Secrets: map[string]string{testCred.AccessKeyID: testCred.SecretAccessKey}}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || !json.Valid(body) {
			t.Errorf("request %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
		}
		if err := v.Verify(r, body); err != nil {
			t.Errorf("the client's signature: %v", err)
		}
		status, out := answer(r.URL.Path, body)
		w.WriteHeader(status)
		io.WriteString(w, out)
	}))
	t.Cleanup(srv.Close)
	return &Client{Endpoint: srv.URL, URIPath: "/pfx/kms/xks/v1", Region: "us-east-2", Credential: testCred,
		HTTPClient: srv.Client(), Timeout: 5 * time.Second}
}

var md = RequestMetadata{AWSPrincipalARN: "arn:aws:iam::111122223333:user/Alice", KMSKeyARN: "arn:aws:kms:us-east-2:111122223333:key/k",
	KMSOperation: "Encrypt", KMSRequestID: "4112f4d6-db54-4af4-ae30-c55a22a8dfae"}

func TestClientRequests(t *testing.T) {
	var gotPath string
	var gotBody map[string]any
	c := fakeProxy(t, func(path string, body []byte) (int, string) {
		gotPath = path
		gotBody = nil
		json.Unmarshal(body, &gotBody)
		switch {
		case strings.HasSuffix(path, "/encrypt"):
			return 200, `{"ciphertext":"AAEC","initializationVector":"AAAAAAAAAAAAAAAA","authenticationTag":"AAAAAAAAAAAAAAAAAAAAAA=="}`
		case strings.HasSuffix(path, "/decrypt"):
			return 200, `{"plaintext":"AQID"}`
		case strings.HasSuffix(path, "/metadata"):
			return 200, `{"keySpec":"AES_256","keyUsage":["ENCRYPT","DECRYPT"],"keyStatus":"ENABLED"}`
		}
		return 200, `{"xksProxyFleetSize":1,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"m","healthStatus":"ACTIVE"}]}`
	})
	ctx := context.Background()
	out, err := c.Encrypt(ctx, "key-1", EncryptRequest{RequestMetadata: md, Plaintext: []byte{1, 2, 3}, AdditionalAuthenticatedData: []byte("aad")})
	if err != nil || !bytes.Equal(out.Ciphertext, []byte{0, 1, 2}) {
		t.Fatalf("Encrypt = %+v, %v", out, err)
	}
	if gotPath != "/pfx/kms/xks/v1/keys/key-1/encrypt" || gotBody["plaintext"] != "AQID" || gotBody["additionalAuthenticatedData"] != "YWFk" ||
		gotBody["encryptionAlgorithm"] != "AES_GCM" || gotBody["requestMetadata"].(map[string]any)["kmsRequestId"] != md.KMSRequestID {
		t.Fatalf("encrypt request %s %v", gotPath, gotBody)
	}
	if _, ok := gotBody["ciphertextDataIntegrityValueAlgorithm"]; ok {
		t.Fatal("optional member sent empty")
	}
	pt, err := c.Decrypt(ctx, "key-1", DecryptRequest{RequestMetadata: md, Ciphertext: []byte{9, 9, 9}, InitializationVector: make([]byte, 12), AuthenticationTag: make([]byte, 16)})
	if err != nil || !bytes.Equal(pt, []byte{1, 2, 3}) || gotPath != "/pfx/kms/xks/v1/keys/key-1/decrypt" || gotBody["ciphertext"] != "CQkJ" {
		t.Fatalf("Decrypt = %x, %v (%s %v)", pt, err, gotPath, gotBody)
	}
	m, err := c.GetKeyMetadata(ctx, "key-1", md)
	if err != nil || m.Usable() != nil || gotPath != "/pfx/kms/xks/v1/keys/key-1/metadata" {
		t.Fatalf("GetKeyMetadata = %+v, %v (%s)", m, err, gotPath)
	}
	h, err := c.GetHealthStatus(ctx, RequestMetadata{KMSOperation: "KmsHealthCheck", KMSRequestID: "r"})
	if err != nil || h.XksProxyFleetSize != 1 || gotPath != "/pfx/kms/xks/v1/health" {
		t.Fatalf("GetHealthStatus = %+v, %v (%s)", h, err, gotPath)
	}
	if _, ok := gotBody["requestMetadata"].(map[string]any)["awsPrincipalArn"]; ok {
		t.Fatal("health request carries an empty awsPrincipalArn")
	}
	if _, err := c.GetKeyMetadata(ctx, "bad/id", md); err == nil || gotPath != "/pfx/kms/xks/v1/health" {
		t.Fatal("an invalid external key id was sent")
	}
}

// TestClientRefusesMalformedAnswers: each answer breaks one rule of the
// spec and must give ErrInvalidResponse.
func TestClientRefusesMalformedAnswers(t *testing.T) {
	const (
		iv  = `"initializationVector":"AAAAAAAAAAAAAAAA"`
		tag = `"authenticationTag":"AAAAAAAAAAAAAAAAAAAAAA=="`
	)
	ctx := context.Background()
	enc := func(c *Client) error {
		_, err := c.Encrypt(ctx, "k", EncryptRequest{RequestMetadata: md, Plaintext: []byte{1, 2, 3}, CiphertextDataIntegrityValueAlgorithm: "SHA_256"})
		return err
	}
	dec := func(c *Client) error {
		_, err := c.Decrypt(ctx, "k", DecryptRequest{RequestMetadata: md, Ciphertext: []byte{1, 2, 3}})
		return err
	}
	meta := func(c *Client) error { _, err := c.GetKeyMetadata(ctx, "k", md); return err }
	health := func(c *Client) error { _, err := c.GetHealthStatus(ctx, md); return err }
	good := EncryptResponse{Ciphertext: []byte{0, 1, 2}, InitializationVector: make([]byte, 12), AuthenticationTag: make([]byte, 16)}
	good.CiphertextDataIntegrityValue = CDIV(nil, good)
	goodCDIV := base64.StdEncoding.EncodeToString(good.CiphertextDataIntegrityValue)
	for _, tc := range []struct {
		name   string
		call   func(*Client) error
		status int
		answer string
	}{
		{"not JSON", enc, 200, `<html>`},
		{"short ciphertext", enc, 200, `{"ciphertext":"AAE=",` + iv + `,` + tag + `,"ciphertextDataIntegrityValue":"` + goodCDIV + `"}`},
		{"8-byte IV", enc, 200, `{"ciphertext":"AAEC","initializationVector":"AAAAAAAAAAA=",` + tag + `,"ciphertextDataIntegrityValue":"` + goodCDIV + `"}`},
		{"12-byte tag", enc, 200, `{"ciphertext":"AAEC",` + iv + `,"authenticationTag":"AAAAAAAAAAAAAAAA","ciphertextDataIntegrityValue":"` + goodCDIV + `"}`},
		{"21 bytes of metadata", enc, 200, `{"ciphertext":"AAEC",` + iv + `,` + tag + `,"ciphertextMetadata":"` + base64.StdEncoding.EncodeToString(make([]byte, 21)) + `","ciphertextDataIntegrityValue":"` + goodCDIV + `"}`},
		{"no CDIV", enc, 200, `{"ciphertext":"AAEC",` + iv + `,` + tag + `}`},
		{"wrong CDIV", enc, 200, `{"ciphertext":"AAED",` + iv + `,` + tag + `,"ciphertextDataIntegrityValue":"` + goodCDIV + `"}`},
		{"short plaintext", dec, 200, `{"plaintext":"AQ=="}`},
		{"metadata without keyStatus", meta, 200, `{"keySpec":"AES_256","keyUsage":["ENCRYPT"]}`},
		{"no fleet", health, 200, `{"xksProxyFleetSize":0,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"m","healthStatus":"ACTIVE"}]}`},
		{"no ekm", health, 200, `{"xksProxyFleetSize":1,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[]}`},
		{"unknown health", health, 200, `{"xksProxyFleetSize":1,"xksProxyVendor":"v","xksProxyModel":"m","ekmVendor":"e","ekmFleetDetails":[{"id":"1","model":"m","healthStatus":"OK"}]}`},
		{"error without body", enc, 500, ``},
		{"unknown error name", enc, 400, `{"errorName":"NoSuchException"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fakeProxy(t, func(string, []byte) (int, string) { return tc.status, tc.answer })
			err := tc.call(c)
			if !errors.Is(err, ErrInvalidResponse) {
				t.Fatalf("%v, want ErrInvalidResponse", err)
			}
			if ex, msg := KMSError(err, StoreAdmin); ex != "XksProxyInvalidResponseException" || msg != msgCannotInterpret {
				t.Fatalf("KMSError = %s %q", ex, msg)
			}
		})
	}
	// The same CDIV on the right answer passes.
	c := fakeProxy(t, func(string, []byte) (int, string) {
		return 200, `{"ciphertext":"AAEC",` + iv + `,` + tag + `,"ciphertextDataIntegrityValue":"` + goodCDIV + `"}`
	})
	if err := enc(c); err != nil {
		t.Fatalf("Encrypt with a matching CDIV: %v", err)
	}
}

// TestProxyErrors: each error name of the spec comes back as a
// *ProxyError and maps to the exceptions and message of the spec's "KMS
// Considerations" table.
func TestProxyErrors(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		status                     int
		admin, createKey, crypto   string
		message, connectionErrCode string
	}{
		{ValidationException, 400, "XksProxyInvalidResponseException", "CustomKeyStoreInvalidStateException", "KMSInvalidStateException", msgCannotInterpret, "XKS_PROXY_INVALID_RESPONSE"},
		{InvalidStateException, 400, "XksProxyInvalidResponseException", "XksKeyInvalidConfigurationException", "KMSInvalidStateException", msgKeyNotEnabled, "XKS_PROXY_INVALID_RESPONSE"},
		{InvalidCiphertextException, 400, "XksProxyInvalidResponseException", "CustomKeyStoreInvalidStateException", "KMSInvalidStateException", msgCiphertextInvalid, "XKS_PROXY_INVALID_RESPONSE"},
		{InvalidKeyUsageException, 400, "XksProxyInvalidResponseException", "XksKeyInvalidConfigurationException", "KMSInvalidStateException", msgKeyUsage, "XKS_PROXY_INVALID_RESPONSE"},
		{AuthenticationFailedException, 401, "XksProxyIncorrectAuthenticationCredentialException", "CustomKeyStoreInvalidStateException", "KMSInvalidStateException", msgAuthFailed, "INVALID_CREDENTIALS"},
		{AccessDeniedException, 403, "XksProxyInvalidResponseException", "KMSInvalidStateException", "KMSInvalidStateException", msgAccessDenied, "XKS_PROXY_ACCESS_DENIED"},
		{KeyNotFoundException, 404, "XksProxyInvalidResponseException", "XksKeyNotFoundException", "KMSInvalidStateException", msgKeyNotFound, "XKS_PROXY_INVALID_RESPONSE"},
		{InvalidUriPathException, 404, "XksProxyInvalidConfigurationException", "CustomKeyStoreInvalidStateException", "KMSInvalidStateException", msgInvalidURIPath, "XKS_PROXY_INVALID_CONFIGURATION"},
		{ThrottlingException, 429, "XksProxyUriUnreachableException", "CustomKeyStoreInvalidStateException", "KMSInvalidStateException", msgThrottled, "XKS_PROXY_TIMED_OUT"},
		{UnsupportedOperationException, 501, "XksProxyInvalidResponseException", "XksKeyInvalidResponseException", "KMSInvalidStateException", msgUnsupported, "XKS_PROXY_INVALID_RESPONSE"},
		{DependencyTimeoutException, 503, "XksProxyUriUnreachableException", "CustomKeyStoreInvalidStateException", "KMSInvalidStateException", msgDependencyTimeout, "XKS_PROXY_TIMED_OUT"},
		{InternalException, 500, "XksProxyInvalidResponseException", "CustomKeyStoreInvalidStateException", "KMSInvalidStateException", msgInternal, "XKS_PROXY_INVALID_RESPONSE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if Status(tc.name) != tc.status {
				t.Fatalf("Status = %d, want %d", Status(tc.name), tc.status)
			}
			c := fakeProxy(t, func(string, []byte) (int, string) {
				return tc.status, `{"errorName":"` + tc.name + `","errorMessage":"details"}`
			})
			_, err := c.GetKeyMetadata(context.Background(), "k", md)
			var pe *ProxyError
			if !errors.As(err, &pe) || pe.Name != tc.name || pe.Status != tc.status || pe.Message != "details" {
				t.Fatalf("error %v, want a ProxyError %s", err, tc.name)
			}
			for c, want := range map[Context]string{StoreAdmin: tc.admin, CreateKey: tc.createKey, Crypto: tc.crypto} {
				if ex, msg := KMSError(err, c); ex != want || msg != tc.message {
					t.Errorf("KMSError(context %d) = %s %q, want %s %q", c, ex, msg, want, tc.message)
				}
			}
			if got := ConnectionErrorCode(err); got != tc.connectionErrCode {
				t.Errorf("ConnectionErrorCode = %s, want %s", got, tc.connectionErrCode)
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		c := &Client{Endpoint: "https://" + addr, URIPath: "/kms/xks/v1", Region: "us-east-2", Credential: testCred, Timeout: 5 * time.Second}
		_, err = c.GetHealthStatus(ctx, md)
		if !errors.Is(err, ErrUnreachable) || ConnectionErrorCode(err) != "XKS_PROXY_NOT_REACHABLE" {
			t.Fatalf("%v, want ErrUnreachable", err)
		}
		if ex, msg := KMSError(err, StoreAdmin); ex != "XksProxyUriUnreachableException" || msg != msgNoTCP {
			t.Fatalf("KMSError = %s %q", ex, msg)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(http.NotFoundHandler())
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
		srv.StartTLS()
		defer srv.Close()
		c := &Client{Endpoint: srv.URL, URIPath: "/kms/xks/v1", Region: "us-east-2", Credential: testCred, Timeout: 5 * time.Second,
			HTTPClient: &http.Client{}}
		_, err := c.GetHealthStatus(ctx, md)
		if !errors.Is(err, ErrTLS) || ConnectionErrorCode(err) != "XKS_PROXY_INVALID_TLS_CONFIGURATION" {
			t.Fatalf("%v, want ErrTLS", err)
		}
		if _, msg := KMSError(err, Crypto); msg != msgNoTLS {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		defer srv.Close()
		defer close(release)
		c := &Client{Endpoint: srv.URL, URIPath: "/kms/xks/v1", Region: "us-east-2", Credential: testCred, HTTPClient: srv.Client(),
			Timeout: 100 * time.Millisecond}
		start := time.Now()
		_, err := c.GetHealthStatus(ctx, md)
		if !errors.Is(err, ErrTimeout) || ConnectionErrorCode(err) != "XKS_PROXY_TIMED_OUT" {
			t.Fatalf("%v, want ErrTimeout", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("timed out after %v", d)
		}
	})
}
