// Command xksproxy is a small External Key Store proxy: it speaks the XKS
// proxy API v1 (aws/aws-kms-xksproxy-api-spec) over a PKCS#11 token, so an
// EXTERNAL_KEY_STORE custom key store can run on one machine against
// SoftHSM2 or any other token.
//
//	go run ./examples/xksproxy -module /usr/lib/softhsm/libsofthsm2.so \
//	    -token xks -pin 1234 -access-key-id AKIAI2SFODNN7EXAMPLE \
//	    -secret-access-key FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE \
//	    -uri-path /example/kms/xks/v1 -listen 127.0.0.1:8443 \
//	    -tls-cert cert.pem -tls-key key.pem
//
// With -generate-key LABEL it instead makes an AES-256 key on the token
// and prints its id, the external key id (XksKeyId) to give CreateKey.
//
// Every request must be a POST signed with SigV4 (service kms-xks-proxy)
// by the configured credential; the answers and errors are the spec's.
// The API is HTTPS only in the spec; without -tls-cert the proxy serves
// plain HTTP, for tests and local experiments.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/embedkms/kms/keystore/hsm"
	"github.com/embedkms/kms/keystore/xks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		log.Fatal(err)
	}
}

// run parses the flags and serves until ctx ends (or, with -generate-key,
// makes a key). ready, when not nil, is told the listening address.
func run(ctx context.Context, args []string, stdout io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("xksproxy", flag.ContinueOnError)
	module := fs.String("module", "/usr/lib/softhsm/libsofthsm2.so", "path of the PKCS#11 module")
	token := fs.String("token", "", "label of the token")
	pin := fs.String("pin", "", "user PIN of the token (default $XKSPROXY_PIN)")
	listen := fs.String("listen", "127.0.0.1:8443", "address to listen on")
	keyID := fs.String("access-key-id", "", "access key id of the XksProxyAuthenticationCredential")
	secret := fs.String("secret-access-key", "", "raw secret access key of the credential (default $XKSPROXY_SECRET)")
	uriPath := fs.String("uri-path", "/kms/xks/v1", "the XksProxyUriPath: [/prefix]/kms/xks/v1")
	region := fs.String("region", "", "the only Region a signature may name (any when empty)")
	healthKey := fs.String("health-key", "", "id of a key the health check encrypts and decrypts with (shallow check when empty)")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM); plain HTTP when empty")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	generate := fs.String("generate-key", "", "make an AES-256 key with this label, print its id and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pin == "" {
		*pin = os.Getenv("XKSPROXY_PIN")
	}
	if *secret == "" {
		*secret = os.Getenv("XKSPROXY_SECRET")
	}
	if *token == "" {
		return errors.New("xksproxy: -token is required")
	}
	tok, err := hsm.Open(hsm.Config{Module: *module, TokenLabel: *token, PIN: *pin})
	if err != nil {
		return err
	}
	defer tok.Close()
	if *generate != "" {
		k, err := tok.GenerateKey(*generate)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, k.ID)
		return nil
	}
	switch {
	case *keyID == "" || *secret == "":
		return errors.New("xksproxy: -access-key-id and -secret-access-key are required")
	case !xks.ValidURIPath(*uriPath):
		return fmt.Errorf("xksproxy: -uri-path %q is not [/prefix]/kms/xks/v1 of a-z A-Z 0-9 / - _, 128 at most", *uriPath)
	}
	h := &proxy{
		tok:       tok,
		verifier:  &xks.Verifier{Region: *region, Secrets: map[string]string{*keyID: *secret}},
		uriPath:   *uriPath,
		healthKey: *healthKey,
		log:       log.New(os.Stderr, "xksproxy: ", log.LstdFlags),
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if ready != nil {
		ready(l.Addr().String())
	}
	if *certFile != "" {
		err = srv.ServeTLS(l, *certFile, *keyFile)
	} else {
		err = srv.Serve(l)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// proxy is the XKS proxy API over a token.
type proxy struct {
	tok       *hsm.Token
	verifier  *xks.Verifier
	uriPath   string
	healthKey string
	log       *log.Logger
}

// maxBody bounds a request: 4300 bytes of plaintext and 8192 of AAD in
// Base64, with the metadata's ARNs of up to 2048 characters, fit easily.
const maxBody = 64 << 10

// apiError is an answer with one of the spec's error names.
type apiError struct{ name, message string }

func fail(name, format string, args ...any) *apiError {
	return &apiError{name, fmt.Sprintf(format, args...)}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, keyID, ok := p.route(r.URL.Path)
	if ok && r.Method != http.MethodPost {
		// The spec: a GET (or any method but POST) at the URI of one of
		// the four APIs is refused with 405 Method Not Allowed.
		w.Header().Set("Allow", http.MethodPost)
		p.answer(w, http.StatusMethodNotAllowed, xks.ErrorResponse{ErrorName: xks.ValidationException,
			ErrorMessage: "The XKS proxy API accepts only POST."})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		p.fail(w, r, fail(xks.UnsupportedOperationException, "request body over %d bytes", maxBody))
		return
	}
	if err := p.verifier.Verify(r, body); err != nil {
		p.fail(w, r, fail(xks.AuthenticationFailedException, "%v", err))
		return
	}
	if !ok {
		p.fail(w, r, fail(xks.InvalidUriPathException, "no XKS proxy API at %s", r.URL.Path))
		return
	}
	var out any
	var e *apiError
	switch op {
	case "health":
		out, e = p.health(body)
	case "metadata":
		out, e = p.metadata(keyID, body)
	case "encrypt":
		out, e = p.encrypt(keyID, body)
	case "decrypt":
		out, e = p.decrypt(keyID, body)
	}
	if e != nil {
		p.fail(w, r, e)
		return
	}
	p.answer(w, http.StatusOK, out)
}

// route splits a path under the URI path into the operation and key id.
func (p *proxy) route(path string) (op, keyID string, ok bool) {
	rest, found := strings.CutPrefix(path, p.uriPath+"/")
	if !found {
		return "", "", false
	}
	if rest == "health" {
		return "health", "", true
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] != "keys" || !xks.ValidKeyID(parts[1]) {
		return "", "", false
	}
	switch parts[2] {
	case "metadata", "encrypt", "decrypt":
		return parts[2], parts[1], true
	}
	return "", "", false
}

func (p *proxy) answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail logs the failure (never a plaintext) and answers the spec's error.
func (p *proxy) fail(w http.ResponseWriter, r *http.Request, e *apiError) {
	p.log.Printf("%s %s: %s: %s", r.Method, r.URL.Path, e.name, e.message)
	msg := e.message
	if len(msg) > 511 {
		msg = msg[:511]
	}
	p.answer(w, xks.Status(e.name), xks.ErrorResponse{ErrorName: e.name, ErrorMessage: printable(msg)})
}

// printable keeps the characters an errorMessage may hold (0x20 to 0x7e).
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// decode reads the body into v and checks the request metadata members
// every operation requires (and awsPrincipalArn for key operations).
func decode(body []byte, v any, md *xks.RequestMetadata, principal bool) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return fail(xks.ValidationException, "request body: %v", err)
	}
	if md.KMSOperation == "" || md.KMSRequestID == "" || principal && md.AWSPrincipalARN == "" {
		return fail(xks.ValidationException, "requestMetadata lacks kmsOperation, kmsRequestId or awsPrincipalArn")
	}
	return nil
}

// tokenErr maps an error of the token to the spec's error names.
func tokenErr(err error) *apiError {
	switch {
	case errors.Is(err, hsm.ErrKeyNotFound):
		return fail(xks.KeyNotFoundException, "%v", err)
	case errors.Is(err, hsm.ErrDecrypt):
		return fail(xks.InvalidCiphertextException, "The request was rejected because the specified ciphertext, initialization vector, additional authenticated data or authentication tag is corrupted, missing, or otherwise invalid.")
	case errors.Is(err, hsm.ErrPINLocked), errors.Is(err, hsm.ErrPINIncorrect):
		return fail(xks.InvalidStateException, "%v", err)
	}
	return fail(xks.InternalException, "%v", err)
}

func (p *proxy) health(body []byte) (any, *apiError) {
	var req xks.MetadataRequest
	if e := decode(body, &req, &req.RequestMetadata, false); e != nil {
		return nil, e
	}
	p.log.Printf("health: %s %s", req.RequestMetadata.KMSOperation, req.RequestMetadata.KMSRequestID)
	if err := p.tok.Health(); err != nil {
		return nil, fail(xks.InternalException, "token: %v", err)
	}
	if p.healthKey != "" { // a deep check: the token really encrypts
		probe := []byte("xksproxy health check")
		s, err := p.tok.Encrypt(p.healthKey, probe, nil)
		if err == nil {
			_, err = p.tok.Decrypt(p.healthKey, s, nil)
		}
		if err != nil {
			return nil, fail(xks.InternalException, "health check key: %v", err)
		}
	}
	return xks.HealthStatus{
		XksProxyFleetSize: 1,
		XksProxyVendor:    "embedkms",
		XksProxyModel:     "embedkms examples/xksproxy (XKS proxy API v1)",
		EkmVendor:         "PKCS#11",
		EkmFleetDetails:   []xks.EkmDetails{{ID: "token", Model: "PKCS#11 token", HealthStatus: "ACTIVE"}},
	}, nil
}

func (p *proxy) metadata(keyID string, body []byte) (any, *apiError) {
	var req xks.MetadataRequest
	if e := decode(body, &req, &req.RequestMetadata, true); e != nil {
		return nil, e
	}
	k, err := p.tok.FindKey(keyID)
	if err != nil {
		return nil, tokenErr(err)
	}
	m := xks.KeyMetadata{KeySpec: fmt.Sprintf("AES_%d", k.Bits), KeyUsage: []string{}, KeyStatus: xks.KeyStatusEnabled}
	if k.Encrypt {
		m.KeyUsage = append(m.KeyUsage, "ENCRYPT")
	}
	if k.Decrypt {
		m.KeyUsage = append(m.KeyUsage, "DECRYPT")
	}
	return m, nil
}

func (p *proxy) encrypt(keyID string, body []byte) (any, *apiError) {
	var req xks.EncryptRequest
	if e := decode(body, &req, &req.RequestMetadata, true); e != nil {
		return nil, e
	}
	switch {
	case req.EncryptionAlgorithm != xks.AlgorithmAESGCM:
		return nil, fail(xks.ValidationException, "encryptionAlgorithm %q, not AES_GCM", req.EncryptionAlgorithm)
	case req.CiphertextDataIntegrityValueAlgorithm != "" && req.CiphertextDataIntegrityValueAlgorithm != xks.CDIVAlgorithmSHA256:
		return nil, fail(xks.ValidationException, "ciphertextDataIntegrityValueAlgorithm %q, not SHA_256", req.CiphertextDataIntegrityValueAlgorithm)
	case req.Plaintext == nil:
		return nil, fail(xks.ValidationException, "plaintext missing")
	case len(req.Plaintext) > xks.MaxPlaintext || len(req.AdditionalAuthenticatedData) > xks.MaxAAD:
		return nil, fail(xks.UnsupportedOperationException, "%d bytes of plaintext and %d of AAD (this proxy takes %d and %d)",
			len(req.Plaintext), len(req.AdditionalAuthenticatedData), xks.MaxPlaintext, xks.MaxAAD)
	}
	aad, _ := xks.KeyManagerAAD(req.AdditionalAuthenticatedData, nil)
	s, err := p.tok.Encrypt(keyID, req.Plaintext, aad)
	if err != nil {
		return nil, tokenErr(err)
	}
	out := xks.EncryptResponse{Ciphertext: s.Ciphertext, InitializationVector: s.IV, AuthenticationTag: s.Tag}
	if req.CiphertextDataIntegrityValueAlgorithm != "" {
		// Appendix C: the CDIV first, then a decryption proving the
		// answer opens.
		out.CiphertextDataIntegrityValue = xks.CDIV(req.AdditionalAuthenticatedData, out)
		if _, err := p.tok.Decrypt(keyID, s, aad); err != nil {
			return nil, fail(xks.InternalException, "the ciphertext just made does not decrypt: %v", err)
		}
	}
	return out, nil
}

func (p *proxy) decrypt(keyID string, body []byte) (any, *apiError) {
	var req xks.DecryptRequest
	if e := decode(body, &req, &req.RequestMetadata, true); e != nil {
		return nil, e
	}
	switch {
	case req.EncryptionAlgorithm != xks.AlgorithmAESGCM:
		return nil, fail(xks.ValidationException, "encryptionAlgorithm %q, not AES_GCM", req.EncryptionAlgorithm)
	case req.Ciphertext == nil || len(req.AuthenticationTag) != xks.TagBytes ||
		len(req.InitializationVector) != 12 && len(req.InitializationVector) != 16 ||
		len(req.CiphertextMetadata) > xks.MaxCiphertextMeta:
		return nil, fail(xks.InvalidCiphertextException, "ciphertext, a 12- or 16-byte IV and a 16-byte tag are required")
	case len(req.Ciphertext) > xks.MaxPlaintext || len(req.AdditionalAuthenticatedData) > xks.MaxAAD:
		return nil, fail(xks.UnsupportedOperationException, "%d bytes of ciphertext and %d of AAD (this proxy takes %d and %d)",
			len(req.Ciphertext), len(req.AdditionalAuthenticatedData), xks.MaxPlaintext, xks.MaxAAD)
	}
	aad, _ := xks.KeyManagerAAD(req.AdditionalAuthenticatedData, req.CiphertextMetadata)
	pt, err := p.tok.Decrypt(keyID, hsm.Sealed{IV: req.InitializationVector, Ciphertext: req.Ciphertext, Tag: req.AuthenticationTag}, aad)
	if err != nil {
		return nil, tokenErr(err)
	}
	if pt == nil {
		pt = []byte{}
	}
	return xks.DecryptResponse{Plaintext: pt}, nil
}
