package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms/keystore/hsm"
	"github.com/embedkms/kms/keystore/hsm/hsmtest"
	"github.com/embedkms/kms/keystore/xks"
)

var cred = xks.Credential{AccessKeyID: "AKIAI2SFODNN7EXAMPLE", SecretAccessKey: "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"}

const uriPath = "/example/kms/xks/v1"

// setup runs the proxy over a fresh SoftHSM2 token behind an HTTPS test
// server and returns a client of it and a key's id.
func setup(t testing.TB) (*xks.Client, string, *hsm.Token) {
	t.Helper()
	tt := hsmtest.NewToken(t, "xks")
	tok, err := hsm.Open(hsm.Config{Module: tt.Module, TokenLabel: tt.Label, PIN: tt.PIN})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	k, err := tok.GenerateKey("xks-key")
	if err != nil {
		t.Fatal(err)
	}
	health, err := tok.GenerateKey("health")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{tok: tok, verifier: &xks.Verifier{Region: "us-east-2", Secrets: map[string]string{cred.AccessKeyID: cred.SecretAccessKey}},
		uriPath: uriPath, healthKey: health.ID, log: log.New(io.Discard, "", 0)}
	srv := httptest.NewTLSServer(p)
	t.Cleanup(func() { srv.Client().CloseIdleConnections(); srv.Close() })
	return &xks.Client{Endpoint: srv.URL, URIPath: uriPath, Region: "us-east-2", Credential: cred,
		HTTPClient: srv.Client(), Timeout: 10 * time.Second}, k.ID, tok
}

var md = xks.RequestMetadata{AWSPrincipalARN: "arn:aws:iam::111122223333:user/Alice",
	KMSKeyARN: "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", KMSOperation: "Encrypt",
	KMSRequestID: "4112f4d6-db54-4af4-ae30-c55a22a8dfae"}

func decryptRequest(e xks.EncryptResponse, aad []byte) xks.DecryptRequest {
	return xks.DecryptRequest{RequestMetadata: md, Ciphertext: e.Ciphertext, CiphertextMetadata: e.CiphertextMetadata,
		InitializationVector: e.InitializationVector, AuthenticationTag: e.AuthenticationTag, AdditionalAuthenticatedData: aad}
}

// TestClientProxyToken drives xks client -> proxy -> SoftHSM2.
func TestClientProxyToken(t *testing.T) {
	c, keyID, tok := setup(t)
	ctx := context.Background()

	h, err := c.GetHealthStatus(ctx, xks.RequestMetadata{KMSOperation: "ConnectCustomKeyStore", KMSRequestID: "r-1"})
	if err != nil || h.EkmFleetDetails[0].HealthStatus != "ACTIVE" {
		t.Fatalf("GetHealthStatus = %+v, %v", h, err)
	}
	m, err := c.GetKeyMetadata(ctx, keyID, xks.RequestMetadata{AWSPrincipalARN: md.AWSPrincipalARN, KMSOperation: "CreateKey", KMSRequestID: "r-2"})
	if err != nil || m.Usable() != nil || m.KeySpec != "AES_256" || strings.Join(m.KeyUsage, ",") != "ENCRYPT,DECRYPT" {
		t.Fatalf("GetKeyMetadata = %+v, %v", m, err)
	}

	for _, tc := range []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{"plain", []byte("Hello World!"), nil},
		{"with aad", []byte("data key 32 bytes long..........."), []byte("project=nile,department=marketing")},
		{"empty", []byte{}, []byte("a")},
		{"largest", bytes.Repeat([]byte{7}, xks.MaxPlaintext), bytes.Repeat([]byte{8}, xks.MaxAAD)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := c.Encrypt(ctx, keyID, xks.EncryptRequest{RequestMetadata: md, Plaintext: tc.plaintext,
				AdditionalAuthenticatedData: tc.aad, CiphertextDataIntegrityValueAlgorithm: "SHA_256"})
			if err != nil {
				t.Fatal(err)
			}
			if len(e.CiphertextDataIntegrityValue) != 32 {
				t.Fatalf("no CDIV: %+v", e)
			}
			pt, err := c.Decrypt(ctx, keyID, decryptRequest(e, tc.aad))
			if err != nil || !bytes.Equal(pt, tc.plaintext) {
				t.Fatalf("Decrypt = %q, %v", pt, err)
			}
			// What the proxy gave the token as AAD is the spec's
			// construction: the token alone opens it with that AAD.
			kmAAD, _ := xks.KeyManagerAAD(tc.aad, nil)
			pt, err = tok.Decrypt(keyID, hsm.Sealed{IV: e.InitializationVector, Ciphertext: e.Ciphertext, Tag: e.AuthenticationTag}, kmAAD)
			if err != nil || !bytes.Equal(pt, tc.plaintext) {
				t.Fatalf("the token with the key manager AAD: %q, %v", pt, err)
			}
		})
	}
}

func proxyErrorName(err error) string {
	var pe *xks.ProxyError
	if errors.As(err, &pe) {
		return pe.Name
	}
	return ""
}

// TestProxyErrors: each failure gets the spec's error name and status.
func TestProxyErrors(t *testing.T) {
	c, keyID, _ := setup(t)
	ctx := context.Background()
	aad := []byte("aad")
	e, err := c.Encrypt(ctx, keyID, xks.EncryptRequest{RequestMetadata: md, Plaintext: []byte("secret data"), AdditionalAuthenticatedData: aad})
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte) []byte { b = bytes.Clone(b); b[0] ^= 1; return b }
	badSig := *c
	badSig.Credential.SecretAccessKey = "wrong" + cred.SecretAccessKey
	badKey := *c
	badKey.Credential.AccessKeyID = "AKIAOTHERKEYEXAMPLE"
	badRegion := *c
	badRegion.Region = "eu-west-1"
	badPath := *c
	badPath.URIPath = "/other/kms/xks/v1"
	unknown := "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	for _, tc := range []struct {
		name   string
		call   func() error
		want   string
		status int
	}{
		{"bad signature", func() error { _, err := badSig.GetHealthStatus(ctx, md); return err }, xks.AuthenticationFailedException, 401},
		{"unknown access key", func() error {
			_, err := badKey.Encrypt(ctx, keyID, xks.EncryptRequest{RequestMetadata: md, Plaintext: []byte("x")})
			return err
		}, xks.AuthenticationFailedException, 401},
		{"other region", func() error { _, err := badRegion.GetKeyMetadata(ctx, keyID, md); return err }, xks.AuthenticationFailedException, 401},
		{"other uri path", func() error { _, err := badPath.GetHealthStatus(ctx, md); return err }, xks.InvalidUriPathException, 404},
		{"unknown key metadata", func() error { _, err := c.GetKeyMetadata(ctx, unknown, md); return err }, xks.KeyNotFoundException, 404},
		{"unknown key encrypt", func() error {
			_, err := c.Encrypt(ctx, unknown, xks.EncryptRequest{RequestMetadata: md, Plaintext: []byte("x")})
			return err
		}, xks.KeyNotFoundException, 404},
		{"unknown key decrypt", func() error { _, err := c.Decrypt(ctx, unknown, decryptRequest(e, aad)); return err }, xks.KeyNotFoundException, 404},
		{"tampered ciphertext", func() error {
			r := decryptRequest(e, aad)
			r.Ciphertext = flip(r.Ciphertext)
			_, err := c.Decrypt(ctx, keyID, r)
			return err
		}, xks.InvalidCiphertextException, 400},
		{"tampered tag", func() error {
			r := decryptRequest(e, aad)
			r.AuthenticationTag = flip(r.AuthenticationTag)
			_, err := c.Decrypt(ctx, keyID, r)
			return err
		}, xks.InvalidCiphertextException, 400},
		{"wrong aad", func() error { _, err := c.Decrypt(ctx, keyID, decryptRequest(e, []byte("aae"))); return err }, xks.InvalidCiphertextException, 400},
		{"aad moved into metadata", func() error {
			r := decryptRequest(e, nil)
			r.CiphertextMetadata = aad
			_, err := c.Decrypt(ctx, keyID, r)
			return err
		}, xks.InvalidCiphertextException, 400},
		{"short tag", func() error {
			r := decryptRequest(e, aad)
			r.AuthenticationTag = r.AuthenticationTag[:8]
			_, err := c.Decrypt(ctx, keyID, r)
			return err
		}, xks.InvalidCiphertextException, 400},
		{"other algorithm", func() error {
			_, err := c.Encrypt(ctx, keyID, xks.EncryptRequest{RequestMetadata: md, Plaintext: []byte("x"), EncryptionAlgorithm: "AES_CBC"})
			return err
		}, xks.ValidationException, 400},
		{"no request id", func() error {
			_, err := c.GetKeyMetadata(ctx, keyID, xks.RequestMetadata{AWSPrincipalARN: md.AWSPrincipalARN, KMSOperation: "CreateKey"})
			return err
		}, xks.ValidationException, 400},
		{"plaintext too long", func() error {
			_, err := c.Encrypt(ctx, keyID, xks.EncryptRequest{RequestMetadata: md, Plaintext: make([]byte, xks.MaxPlaintext+1)})
			return err
		}, xks.UnsupportedOperationException, 501},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var pe *xks.ProxyError
			if !errors.As(err, &pe) || pe.Name != tc.want || pe.Status != tc.status {
				t.Fatalf("%v, want %d %s", err, tc.status, tc.want)
			}
		})
	}
}

// TestProxyHTTP checks what the client never sends: GET (405), a body
// that is not JSON, an unsigned request.
func TestProxyHTTP(t *testing.T) {
	c, keyID, _ := setup(t)
	send := func(method, path string, body []byte, sign bool) (int, string) {
		r, _ := http.NewRequest(method, c.Endpoint+path, bytes.NewReader(body))
		if sign {
			xks.Sign(r, body, cred, "us-east-2", time.Now())
		}
		resp, err := c.HTTPClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name, method, path string
		body               string
		sign               bool
		status             int
		errorName          string
	}{
		{"GET health", "GET", uriPath + "/health", "", true, 405, ""},
		{"GET encrypt", "GET", uriPath + "/keys/" + keyID + "/encrypt", "", false, 405, ""},
		{"unsigned", "POST", uriPath + "/health", `{"requestMetadata":{"kmsOperation":"x","kmsRequestId":"y"}}`, false, 401, xks.AuthenticationFailedException},
		{"not JSON", "POST", uriPath + "/keys/" + keyID + "/metadata", `{`, true, 400, xks.ValidationException},
		{"unknown operation", "POST", uriPath + "/keys/" + keyID + "/sign", `{}`, true, 404, xks.InvalidUriPathException},
		{"invalid key id", "POST", uriPath + "/keys/a%20b/encrypt", `{}`, true, 404, xks.InvalidUriPathException},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := send(tc.method, tc.path, []byte(tc.body), tc.sign)
			if status != tc.status || !strings.Contains(body, `"errorName":"`+tc.errorName) {
				t.Fatalf("%d %s, want %d %s", status, body, tc.status, tc.errorName)
			}
		})
	}
}

// TestRun starts the command as a user would (flags, plain HTTP) and
// makes a key with -generate-key.
func TestRun(t *testing.T) {
	tt := hsmtest.NewToken(t, "run")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-module", tt.Module, "-token", tt.Label, "-pin", tt.PIN, "-generate-key", "made"}, &out, nil); err != nil {
		t.Fatal(err)
	}
	keyID := strings.TrimSpace(out.String())
	if !xks.ValidKeyID(keyID) {
		t.Fatalf("-generate-key printed %q", out.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	var runErr error
	go func() {
		defer wg.Done()
		runErr = run(ctx, []string{"-module", tt.Module, "-token", tt.Label, "-pin", tt.PIN, "-listen", "127.0.0.1:0",
			"-access-key-id", cred.AccessKeyID, "-secret-access-key", cred.SecretAccessKey, "-uri-path", uriPath, "-health-key", keyID},
			io.Discard, func(a string) { addr <- a })
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(10 * time.Second):
		cancel()
		wg.Wait()
		t.Fatalf("the proxy did not start: %v", runErr)
	}
	c := &xks.Client{Endpoint: "http://" + a, URIPath: uriPath, Region: "us-east-1", Credential: cred, Timeout: 10 * time.Second}
	e, err := c.Encrypt(context.Background(), keyID, xks.EncryptRequest{RequestMetadata: md, Plaintext: []byte("over the wire")})
	if err == nil {
		var pt []byte
		pt, err = c.Decrypt(context.Background(), keyID, decryptRequest(e, nil))
		if err == nil && string(pt) != "over the wire" {
			t.Errorf("Decrypt = %q", pt)
		}
	}
	if err != nil {
		t.Error(err)
	}
	if _, err := c.GetHealthStatus(context.Background(), xks.RequestMetadata{KMSOperation: "KmsHealthCheck", KMSRequestID: "1"}); err != nil {
		t.Error(err)
	}
	cancel()
	wg.Wait()
	if runErr != nil {
		t.Fatalf("run: %v", runErr)
	}
	for _, args := range [][]string{
		{"-module", tt.Module, "-pin", tt.PIN},
		{"-module", tt.Module, "-token", tt.Label, "-pin", tt.PIN, "-access-key-id", "A"},
		{"-module", tt.Module, "-token", tt.Label, "-pin", tt.PIN, "-access-key-id", "A", "-secret-access-key", "S", "-uri-path", "/kms/xks/v2"},
		{"-module", tt.Module, "-token", tt.Label, "-pin", "bad"},
	} {
		if err := run(context.Background(), args, io.Discard, func(string) { t.Errorf("%v: started", args) }); err == nil {
			t.Errorf("run %v succeeded", args)
		}
	}
}

// BenchmarkEncrypt4KB encrypts 4 KB through the whole XKS path: client,
// SigV4, HTTPS, proxy, SoftHSM2.
func BenchmarkEncrypt4KB(b *testing.B) {
	c, keyID, _ := setup(b)
	req := xks.EncryptRequest{RequestMetadata: md, Plaintext: make([]byte, 4096), AdditionalAuthenticatedData: []byte("benchmark")}
	b.SetBytes(4096)
	for b.Loop() {
		if _, err := c.Encrypt(context.Background(), keyID, req); err != nil {
			b.Fatal(err)
		}
	}
}
