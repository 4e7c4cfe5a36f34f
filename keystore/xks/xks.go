// Package xks is a client of the External Key Store (XKS) proxy API,
// version 1, as AWS publishes it (aws/aws-kms-xksproxy-api-spec): the layer
// under a custom key store of type EXTERNAL_KEY_STORE. It posts JSON to
// <XksProxyUriEndpoint><XksProxyUriPath>/keys/{externalKeyId}/metadata,
// /encrypt and /decrypt and to .../health, signs every request with SigV4
// (service kms-xks-proxy, the store's XksProxyAuthenticationCredential),
// checks every answer against the spec, and returns the spec's errors as
// *ProxyError values that KMSError and ConnectionErrorCode turn into the
// KMS exceptions and connection error codes the spec names.
//
// The request and response types, Verifier, KeyManagerAAD and CDIV also
// serve a proxy (examples/xksproxy).
package xks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Limits of the spec.
const (
	MaxPlaintext         = 4300 // bytes a proxy must accept to encrypt or decrypt
	MaxAAD               = 8192 // bytes of additionalAuthenticatedData a proxy must accept
	MaxCiphertextMeta    = 20   // bytes of ciphertextMetadata
	TagBytes             = 16   // authenticationTag
	MaxKeyIDLength       = 128  // externalKeyId
	MaxURIPathLength     = 128  // XksProxyUriPath
	DefaultTimeout       = 250 * time.Millisecond
	AlgorithmAESGCM      = "AES_GCM"
	CDIVAlgorithmSHA256  = "SHA_256"
	KeySpecAES256        = "AES_256"
	KeyStatusEnabled     = "ENABLED"
	KeyStatusDisabled    = "DISABLED"
	maxResponse          = 1 << 20
	maxErrorMessageBytes = 512
)

var (
	keyIDPattern   = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,128}$`)
	uriPathPattern = regexp.MustCompile(`^[a-zA-Z0-9/_-]{1,128}$`)
)

// ValidKeyID reports whether id is an externalKeyId the spec allows: 1 to
// 128 letters, digits, hyphens, periods and underscores.
func ValidKeyID(id string) bool { return keyIDPattern.MatchString(id) }

// ValidURIPath reports whether p is an XksProxyUriPath for version 1: at
// most 128 letters, digits, slashes, hyphens and underscores, starting
// with a slash and ending in /kms/xks/v1.
func ValidURIPath(p string) bool {
	return uriPathPattern.MatchString(p) && strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/kms/xks/v1")
}

// RequestMetadata is the requestMetadata member of every request. Which
// members each operation carries is in the spec (health: only
// KMSOperation and KMSRequestID).
type RequestMetadata struct {
	// AWSPrincipalARN is the principal that called KMS.
	AWSPrincipalARN string `json:"awsPrincipalArn,omitempty"`
	// AWSSourceVPC is the VPC the KMS call came from, if any.
	AWSSourceVPC string `json:"awsSourceVpc,omitempty"`
	// AWSSourceVPCE is the VPC endpoint the KMS call came through, if any.
	AWSSourceVPCE string `json:"awsSourceVpce,omitempty"`
	// KMSKeyARN is the ARN of the KMS key the request is for.
	KMSKeyARN string `json:"kmsKeyArn,omitempty"`
	// KMSOperation is the KMS operation that caused the request (Encrypt,
	// CreateKey, ...).
	KMSOperation string `json:"kmsOperation"`
	// KMSRequestID is the request id of that KMS call.
	KMSRequestID string `json:"kmsRequestId"`
	// KMSViaService is the AWS service that called KMS for the principal, if
	// any (kms:ViaService).
	KMSViaService string `json:"kmsViaService,omitempty"`
}

// MetadataRequest is the body of GetKeyMetadata (and of GetHealthStatus).
type MetadataRequest struct {
	// RequestMetadata describes the KMS call behind the request.
	RequestMetadata RequestMetadata `json:"requestMetadata"`
}

// KeyMetadata is the answer of GetKeyMetadata.
type KeyMetadata struct {
	// KeySpec is the external key's type; KMS takes only AES_256.
	KeySpec string `json:"keySpec"`
	// KeyUsage lists what the key may do; KMS needs ENCRYPT and DECRYPT.
	KeyUsage []string `json:"keyUsage"`
	// KeyStatus is ENABLED or DISABLED; KMS needs ENABLED.
	KeyStatus string `json:"keyStatus"`
}

// Usable reports why KMS's CreateKey refuses a key with this metadata (the
// spec's "KMS Considerations" of GetKeyMetadata), or nil.
func (m KeyMetadata) Usable() error {
	switch {
	case m.KeySpec != KeySpecAES256:
		return fmt.Errorf("xks: key spec %q, not %s", m.KeySpec, KeySpecAES256)
	case !slices.Contains(m.KeyUsage, "ENCRYPT") || !slices.Contains(m.KeyUsage, "DECRYPT"):
		return fmt.Errorf("xks: key usage %v lacks ENCRYPT or DECRYPT", m.KeyUsage)
	case m.KeyStatus != KeyStatusEnabled:
		return fmt.Errorf("xks: key status %q, not %s", m.KeyStatus, KeyStatusEnabled)
	}
	return nil
}

// EncryptRequest is the body of Encrypt. Byte slices travel as standard
// Base64, as the spec requires.
type EncryptRequest struct {
	// RequestMetadata describes the KMS call behind the request.
	RequestMetadata RequestMetadata `json:"requestMetadata"`
	// AdditionalAuthenticatedData is bound to the ciphertext; embedkms
	// sends the blob header and the SHA-256 of the encoded encryption
	// context (crypto.CustomBlob.ProxyAAD). Optional.
	AdditionalAuthenticatedData []byte `json:"additionalAuthenticatedData,omitempty"`
	// Plaintext is the data to encrypt.
	Plaintext []byte `json:"plaintext"`
	// EncryptionAlgorithm is AES_GCM, the only one the spec defines.
	EncryptionAlgorithm string `json:"encryptionAlgorithm"`
	// CiphertextDataIntegrityValueAlgorithm asks for a
	// CiphertextDataIntegrityValue (SHA_256); optional.
	CiphertextDataIntegrityValueAlgorithm string `json:"ciphertextDataIntegrityValueAlgorithm,omitempty"`
}

// EncryptResponse is the answer of Encrypt.
type EncryptResponse struct {
	// Ciphertext is the encrypted data.
	Ciphertext []byte `json:"ciphertext"`
	// CiphertextMetadata is up to 20 bytes the proxy wants back on Decrypt;
	// bound into the AAD; optional.
	CiphertextMetadata []byte `json:"ciphertextMetadata,omitempty"`
	// InitializationVector is the AES-GCM IV, 12 or 16 bytes.
	InitializationVector []byte `json:"initializationVector"`
	// AuthenticationTag is the 16-byte AES-GCM tag.
	AuthenticationTag []byte `json:"authenticationTag"`
	// CiphertextDataIntegrityValue is the SHA-256 the request's
	// CiphertextDataIntegrityValueAlgorithm asked for; optional.
	CiphertextDataIntegrityValue []byte `json:"ciphertextDataIntegrityValue,omitempty"`
}

// DecryptRequest is the body of Decrypt.
type DecryptRequest struct {
	// RequestMetadata describes the KMS call behind the request.
	RequestMetadata RequestMetadata `json:"requestMetadata"`
	// Ciphertext is the data to decrypt, as Encrypt returned it.
	Ciphertext []byte `json:"ciphertext"`
	// CiphertextMetadata is what Encrypt returned as such; optional.
	CiphertextMetadata []byte `json:"ciphertextMetadata,omitempty"`
	// EncryptionAlgorithm is AES_GCM.
	EncryptionAlgorithm string `json:"encryptionAlgorithm"`
	// AdditionalAuthenticatedData is the AAD the data was encrypted with;
	// optional.
	AdditionalAuthenticatedData []byte `json:"additionalAuthenticatedData,omitempty"`
	// AuthenticationTag is the AES-GCM tag Encrypt returned.
	AuthenticationTag []byte `json:"authenticationTag"`
	// InitializationVector is the IV Encrypt returned.
	InitializationVector []byte `json:"initializationVector"`
}

// DecryptResponse is the answer of Decrypt.
type DecryptResponse struct {
	// Plaintext is the decrypted data.
	Plaintext []byte `json:"plaintext"`
}

// HealthStatus is the answer of GetHealthStatus.
type HealthStatus struct {
	// XksProxyFleetSize is how many proxy instances serve the store.
	XksProxyFleetSize int `json:"xksProxyFleetSize"`
	// XksProxyVendor names the proxy's vendor.
	XksProxyVendor string `json:"xksProxyVendor"`
	// XksProxyModel names the proxy's model.
	XksProxyModel string `json:"xksProxyModel"`
	// EkmVendor names the external key manager's vendor.
	EkmVendor string `json:"ekmVendor"`
	// EkmFleetDetails describes each external key manager behind the proxy:
	// 1 to 10 entries (the client refuses any other count as an invalid
	// response).
	EkmFleetDetails []EkmDetails `json:"ekmFleetDetails"`
}

// EkmDetails describes one external key manager of the fleet.
type EkmDetails struct {
	// ID identifies the key manager.
	ID string `json:"id"`
	// Model names its model.
	Model        string `json:"model"`
	HealthStatus string `json:"healthStatus"` // ACTIVE, DEGRADED or UNAVAILABLE
}

// KeyManagerAAD is the AAD a proxy gives the key manager's AES-GCM, as
// the spec's Encrypt section defines it: the 2-byte big-endian length of
// additionalAuthenticatedData, the data, the 1-byte length of
// ciphertextMetadata, the metadata. The lengths keep a caller from moving
// bytes between the two. It fails when aad exceeds 65535 bytes or the
// metadata MaxCiphertextMeta.
func KeyManagerAAD(aad, ciphertextMetadata []byte) ([]byte, error) {
	if len(aad) > 0xffff || len(ciphertextMetadata) > MaxCiphertextMeta {
		return nil, fmt.Errorf("xks: %d bytes of AAD, %d of ciphertext metadata", len(aad), len(ciphertextMetadata))
	}
	out := make([]byte, 0, 3+len(aad)+len(ciphertextMetadata))
	out = append(out, byte(len(aad)>>8), byte(len(aad)))
	out = append(out, aad...)
	out = append(out, byte(len(ciphertextMetadata)))
	return append(out, ciphertextMetadata...), nil
}

// CDIV is the ciphertext data integrity value of an encryption with the
// SHA_256 algorithm (the spec's Appendix C): SHA-256 over the request's
// AAD, then the response's ciphertextMetadata, IV, ciphertext and tag.
func CDIV(aad []byte, r EncryptResponse) []byte {
	h := sha256.New()
	for _, b := range [][]byte{aad, r.CiphertextMetadata, r.InitializationVector, r.Ciphertext, r.AuthenticationTag} {
		h.Write(b)
	}
	return h.Sum(nil)
}

// Client calls one XKS proxy. Its methods are safe for concurrent use.
type Client struct {
	// Endpoint is the XksProxyUriEndpoint: scheme and host, e.g.
	// https://xks.example.com (a port is allowed).
	Endpoint string
	// URIPath is the XksProxyUriPath, e.g. /example/kms/xks/v1.
	URIPath string
	// Region is the Region of the SigV4 credential scope.
	Region string
	// Credential is the XksProxyAuthenticationCredential.
	Credential Credential
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Timeout bounds each call; DefaultTimeout (KMS's 250 ms) when 0.
	Timeout time.Duration
	// Now is the signing clock; time.Now when nil.
	Now func() time.Time
}

// GetHealthStatus calls the proxy's health operation.
func (c *Client) GetHealthStatus(ctx context.Context, md RequestMetadata) (HealthStatus, error) {
	var out HealthStatus
	if err := c.call(ctx, "/health", MetadataRequest{RequestMetadata: md}, &out); err != nil {
		return HealthStatus{}, err
	}
	switch {
	case out.XksProxyFleetSize < 1:
		return HealthStatus{}, invalid("xksProxyFleetSize %d", out.XksProxyFleetSize)
	case out.XksProxyVendor == "" || out.XksProxyModel == "" || out.EkmVendor == "":
		return HealthStatus{}, invalid("health status without xksProxyVendor, xksProxyModel or ekmVendor")
	case len(out.EkmFleetDetails) < 1 || len(out.EkmFleetDetails) > 10:
		return HealthStatus{}, invalid("%d ekmFleetDetails, want 1 to 10", len(out.EkmFleetDetails))
	}
	for _, d := range out.EkmFleetDetails {
		switch d.HealthStatus {
		case "ACTIVE", "DEGRADED", "UNAVAILABLE":
		default:
			return HealthStatus{}, invalid("ekm healthStatus %q", d.HealthStatus)
		}
	}
	return out, nil
}

// GetKeyMetadata calls the metadata operation for the external key.
func (c *Client) GetKeyMetadata(ctx context.Context, keyID string, md RequestMetadata) (KeyMetadata, error) {
	var out KeyMetadata
	if err := c.call(ctx, keyPath(keyID, "metadata"), MetadataRequest{RequestMetadata: md}, &out); err != nil {
		return KeyMetadata{}, err
	}
	if out.KeySpec == "" || out.KeyStatus == "" || out.KeyUsage == nil || len(out.KeyUsage) > 10 {
		return KeyMetadata{}, invalid("key metadata %+v", out)
	}
	return out, nil
}

// Encrypt calls the encrypt operation: AES-GCM of req.Plaintext under the
// external key. EncryptionAlgorithm is set to AES_GCM when empty. The
// answer is checked (sizes, and the CDIV when req asks for one).
func (c *Client) Encrypt(ctx context.Context, keyID string, req EncryptRequest) (EncryptResponse, error) {
	if req.EncryptionAlgorithm == "" {
		req.EncryptionAlgorithm = AlgorithmAESGCM
	}
	var out EncryptResponse
	if err := c.call(ctx, keyPath(keyID, "encrypt"), req, &out); err != nil {
		return EncryptResponse{}, err
	}
	switch {
	case len(out.Ciphertext) != len(req.Plaintext):
		return EncryptResponse{}, invalid("%d bytes of ciphertext for %d of plaintext", len(out.Ciphertext), len(req.Plaintext))
	case len(out.InitializationVector) != 12 && len(out.InitializationVector) != 16:
		return EncryptResponse{}, invalid("%d-byte initializationVector", len(out.InitializationVector))
	case len(out.AuthenticationTag) != TagBytes:
		return EncryptResponse{}, invalid("%d-byte authenticationTag", len(out.AuthenticationTag))
	case len(out.CiphertextMetadata) > MaxCiphertextMeta:
		return EncryptResponse{}, invalid("%d bytes of ciphertextMetadata", len(out.CiphertextMetadata))
	}
	if req.CiphertextDataIntegrityValueAlgorithm != "" {
		if !bytes.Equal(out.CiphertextDataIntegrityValue, CDIV(req.AdditionalAuthenticatedData, out)) {
			return EncryptResponse{}, invalid("ciphertextDataIntegrityValue does not match the response")
		}
	}
	return out, nil
}

// Decrypt calls the decrypt operation and returns the plaintext.
// EncryptionAlgorithm is set to AES_GCM when empty.
func (c *Client) Decrypt(ctx context.Context, keyID string, req DecryptRequest) ([]byte, error) {
	if req.EncryptionAlgorithm == "" {
		req.EncryptionAlgorithm = AlgorithmAESGCM
	}
	var out DecryptResponse
	if err := c.call(ctx, keyPath(keyID, "decrypt"), req, &out); err != nil {
		return nil, err
	}
	if len(out.Plaintext) != len(req.Ciphertext) {
		return nil, invalid("%d bytes of plaintext for %d of ciphertext", len(out.Plaintext), len(req.Ciphertext))
	}
	return out.Plaintext, nil
}

func keyPath(keyID, op string) string { return "/keys/" + keyID + "/" + op }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidResponse}, args...)...)
}

// call posts the signed JSON body to the operation's URI and decodes a
// 200 answer into out, or returns the proxy's error.
func (c *Client) call(ctx context.Context, op string, in, out any) error {
	if keyID, ok := strings.CutPrefix(op, "/keys/"); ok {
		keyID = keyID[:strings.LastIndexByte(keyID, '/')]
		if !ValidKeyID(keyID) {
			return fmt.Errorf("xks: external key id %q is not 1 to 128 of a-z A-Z 0-9 . - _", keyID)
		}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.Endpoint, "/")+c.URIPath+op, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	Sign(req, body, c.Credential, c.Region, now())
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return transportErr(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return transportErr(err)
	}
	if resp.StatusCode != http.StatusOK {
		var e ErrorResponse
		if json.Unmarshal(data, &e) != nil || Status(e.ErrorName) == 0 {
			return invalid("HTTP %d without an error name of the spec: %.200q", resp.StatusCode, data)
		}
		msg := e.ErrorMessage
		if len(msg) > maxErrorMessageBytes {
			msg = msg[:maxErrorMessageBytes]
		}
		return &ProxyError{Status: resp.StatusCode, Name: e.ErrorName, Message: msg}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return invalid("%v", err)
	}
	return nil
}

// transportErr classifies a failure to get an answer.
func transportErr(err error) error {
	var (
		uerr     *url.Error
		recErr   tls.RecordHeaderError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		alertErr tls.AlertError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &uerr) && uerr.Timeout():
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	case errors.As(err, &recErr), errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr),
		errors.As(err, &alertErr):
		return fmt.Errorf("%w: %v", ErrTLS, err)
	}
	return fmt.Errorf("%w: %v", ErrUnreachable, err)
}
