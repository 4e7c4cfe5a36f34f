package xks

import (
	"errors"
	"fmt"
	"net/http"
)

// The error names of the XKS proxy API v1 ("Error codes" of the spec),
// each with the HTTP status the proxy answers it with (Status).
const (
	ValidationException           = "ValidationException"
	InvalidStateException         = "InvalidStateException"
	InvalidCiphertextException    = "InvalidCiphertextException"
	InvalidKeyUsageException      = "InvalidKeyUsageException"
	AuthenticationFailedException = "AuthenticationFailedException"
	AccessDeniedException         = "AccessDeniedException"
	KeyNotFoundException          = "KeyNotFoundException"
	InvalidUriPathException       = "InvalidUriPathException"
	ThrottlingException           = "ThrottlingException"
	UnsupportedOperationException = "UnsupportedOperationException"
	DependencyTimeoutException    = "DependencyTimeoutException"
	InternalException             = "InternalException"
)

var statuses = map[string]int{
	ValidationException:           http.StatusBadRequest,
	InvalidStateException:         http.StatusBadRequest,
	InvalidCiphertextException:    http.StatusBadRequest,
	InvalidKeyUsageException:      http.StatusBadRequest,
	AuthenticationFailedException: http.StatusUnauthorized,
	AccessDeniedException:         http.StatusForbidden,
	KeyNotFoundException:          http.StatusNotFound,
	InvalidUriPathException:       http.StatusNotFound,
	ThrottlingException:           http.StatusTooManyRequests,
	UnsupportedOperationException: http.StatusNotImplemented,
	DependencyTimeoutException:    http.StatusServiceUnavailable,
	InternalException:             http.StatusInternalServerError,
}

// Status is the HTTP status the spec gives an error name, 0 for a name it
// does not define.
func Status(name string) int { return statuses[name] }

// ErrorResponse is the body of a proxy's error answer.
type ErrorResponse struct {
	// ErrorName is the spec's error name (ValidationException,
	// InvalidCiphertextException, ...).
	ErrorName string `json:"errorName"`
	// ErrorMessage explains the error; optional.
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// ProxyError is an error the proxy answered with one of the spec's error
// names.
type ProxyError struct {
	Status  int    // the HTTP status received
	Name    string // one of the error name constants
	Message string // the proxy's errorMessage; KMS logs it, never returns it
}

// Error names the proxy's error.
func (e *ProxyError) Error() string {
	s := fmt.Sprintf("xks: proxy answered %d %s", e.Status, e.Name)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// The failures of a call that are not answers of the proxy. The client's
// errors wrap one of them or are a *ProxyError.
var (
	// ErrUnreachable: no TCP connection to the proxy.
	ErrUnreachable = errors.New("xks: cannot connect to the proxy")
	// ErrTLS: the TLS handshake with the proxy failed.
	ErrTLS = errors.New("xks: cannot establish a TLS connection to the proxy")
	// ErrTimeout: the proxy did not answer in time (Client.Timeout).
	ErrTimeout = errors.New("xks: the proxy did not respond in time")
	// ErrInvalidResponse: the proxy's answer is not what the spec
	// defines (not JSON, a member missing or of the wrong size, an
	// unknown error name, a CDIV that does not match).
	ErrInvalidResponse = errors.New("xks: the proxy's response is malformed")
)

// Where a failure happens, which decides the KMS exception (the "KMS
// Considerations" table of the spec's Error codes section).
type Context int

const (
	// StoreAdmin: CreateCustomKeyStore, UpdateCustomKeyStore (and, for
	// its connection error code, ConnectCustomKeyStore).
	StoreAdmin Context = iota
	// CreateKey: CreateKey of a key in the external key store.
	CreateKey
	// Crypto: the cryptographic operations (Encrypt, Decrypt, ReEncrypt,
	// GenerateDataKey*).
	Crypto
)

// KMS exception names used below.
const (
	kmsInvalidState    = "KMSInvalidStateException"
	storeInvalidState  = "CustomKeyStoreInvalidStateException"
	proxyInvalidResp   = "XksProxyInvalidResponseException"
	proxyUnreachable   = "XksProxyUriUnreachableException"
	proxyBadCredential = "XksProxyIncorrectAuthenticationCredentialException"
	proxyInvalidConfig = "XksProxyInvalidConfigurationException"
	keyInvalidConfig   = "XksKeyInvalidConfigurationException"
	keyNotFound        = "XksKeyNotFoundException"
	keyInvalidResponse = "XksKeyInvalidResponseException"
)

// The KMS exception messages, verbatim from the table of the spec.
const (
	msgCannotInterpret   = "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator."
	msgKeyNotEnabled     = "The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request."
	msgCiphertextInvalid = "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid."
	msgKeyUsage          = "The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again."
	msgAuthFailed        = "The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary."
	msgAccessDenied      = "The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again."
	msgKeyNotFound       = "The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID."
	msgInvalidURIPath    = "The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary."
	msgUnsupported       = "The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator."
	msgDependencyTimeout = "The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator."
	msgThrottled         = "The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store."
	msgInternal          = "The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available."
	msgNoTCP             = "AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore."
	msgNoTLS             = "AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate."
	msgTimeout           = "AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator."
	// MsgNotConnected is KMS's message for a key whose external key store
	// is not CONNECTED.
	MsgNotConnected = "This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again."
)

// failure is one row of the spec's table: the KMS exception in each
// context ("" where the spec gives none and KMSInvalidStateException is
// used) and the message.
type failure struct{ admin, createKey, crypto, message, connection string }

func classify(err error) failure {
	var pe *ProxyError
	if errors.As(err, &pe) {
		switch pe.Name {
		case ValidationException:
			return failure{proxyInvalidResp, storeInvalidState, kmsInvalidState, msgCannotInterpret, "XKS_PROXY_INVALID_RESPONSE"}
		case InvalidStateException:
			return failure{proxyInvalidResp, keyInvalidConfig, kmsInvalidState, msgKeyNotEnabled, "XKS_PROXY_INVALID_RESPONSE"}
		case InvalidCiphertextException:
			return failure{proxyInvalidResp, storeInvalidState, kmsInvalidState, msgCiphertextInvalid, "XKS_PROXY_INVALID_RESPONSE"}
		case InvalidKeyUsageException:
			return failure{proxyInvalidResp, keyInvalidConfig, kmsInvalidState, msgKeyUsage, "XKS_PROXY_INVALID_RESPONSE"}
		case AuthenticationFailedException:
			return failure{proxyBadCredential, storeInvalidState, kmsInvalidState, msgAuthFailed, "INVALID_CREDENTIALS"}
		case AccessDeniedException:
			return failure{proxyInvalidResp, kmsInvalidState, kmsInvalidState, msgAccessDenied, "XKS_PROXY_ACCESS_DENIED"}
		case KeyNotFoundException:
			return failure{proxyInvalidResp, keyNotFound, kmsInvalidState, msgKeyNotFound, "XKS_PROXY_INVALID_RESPONSE"}
		case InvalidUriPathException:
			return failure{proxyInvalidConfig, storeInvalidState, kmsInvalidState, msgInvalidURIPath, "XKS_PROXY_INVALID_CONFIGURATION"}
		case UnsupportedOperationException:
			return failure{proxyInvalidResp, keyInvalidResponse, kmsInvalidState, msgUnsupported, "XKS_PROXY_INVALID_RESPONSE"}
		case DependencyTimeoutException:
			return failure{proxyUnreachable, storeInvalidState, kmsInvalidState, msgDependencyTimeout, "XKS_PROXY_TIMED_OUT"}
		case ThrottlingException:
			return failure{proxyUnreachable, storeInvalidState, kmsInvalidState, msgThrottled, "XKS_PROXY_TIMED_OUT"}
		case InternalException:
			return failure{proxyInvalidResp, storeInvalidState, kmsInvalidState, msgInternal, "XKS_PROXY_INVALID_RESPONSE"}
		}
	}
	switch {
	case errors.Is(err, ErrUnreachable):
		return failure{proxyUnreachable, storeInvalidState, kmsInvalidState, msgNoTCP, "XKS_PROXY_NOT_REACHABLE"}
	case errors.Is(err, ErrTLS):
		return failure{proxyUnreachable, storeInvalidState, kmsInvalidState, msgNoTLS, "XKS_PROXY_INVALID_TLS_CONFIGURATION"}
	case errors.Is(err, ErrTimeout):
		return failure{proxyUnreachable, storeInvalidState, kmsInvalidState, msgTimeout, "XKS_PROXY_TIMED_OUT"}
	}
	return failure{proxyInvalidResp, storeInvalidState, kmsInvalidState, msgCannotInterpret, "XKS_PROXY_INVALID_RESPONSE"}
}

// KMSError is the AWS KMS exception name and message for a failed call of
// the client in the context: the "KMS Considerations" table of the spec's
// Error codes section. A proxy error the table lists for only some
// contexts gets, elsewhere, the exception of a malformed response in
// StoreAdmin (XksProxyInvalidResponseException) and
// KMSInvalidStateException in the others.
func KMSError(err error, c Context) (exception, message string) {
	f := classify(err)
	switch c {
	case StoreAdmin:
		return f.admin, f.message
	case CreateKey:
		return f.createKey, f.message
	}
	return f.crypto, f.message
}

// ConnectionErrorCode is the CustomKeyStoresListEntry.ConnectionErrorCode
// of an external key store whose connection attempt failed with err.
func ConnectionErrorCode(err error) string { return classify(err).connection }
