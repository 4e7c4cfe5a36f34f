package kms

import "fmt"

// Error is the error every operation returns for a failed request. Code is
// the AWS error shape name (for example "NotFoundException"), exactly as the
// AWS KMS API and the AWS SDKs name it; Message is a human-readable
// explanation.
//
// Match a code with errors.Is against the exported sentinels:
//
//	if errors.Is(err, kms.ErrNotFound) { ... }
//
// or read it with errors.As:
//
//	var e *kms.Error
//	if errors.As(err, &e) { log.Print(e.ErrorCode()) }
type Error struct {
	Code    string
	Message string
	cause   error // for KMSInternalException: the underlying failure
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// ErrorCode returns the AWS error code, e.g. "NotFoundException".
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage returns the message.
func (e *Error) ErrorMessage() string { return e.Message }

// Unwrap returns the underlying failure of a KMSInternalException.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is an *Error with the same code. It makes every
// error of a code match that code's sentinel, whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func sentinel(code string) *Error { return &Error{Code: code} }

// newErr builds an *Error with a formatted message.
func newErr(sentinel *Error, format string, args ...any) *Error {
	return &Error{Code: sentinel.Code, Message: fmt.Sprintf(format, args...)}
}

// Sentinels, one per AWS KMS error shape in the API model, plus the two
// common AWS errors the model leaves implicit: ValidationException (a
// request member breaks a constraint) and AccessDeniedException (the key
// policy or grants do not allow the call).
var (
	// ErrAccessDenied matches errors with code AccessDeniedException.
	ErrAccessDenied = sentinel("AccessDeniedException")
	// ErrAlreadyExists matches errors with code AlreadyExistsException.
	ErrAlreadyExists = sentinel("AlreadyExistsException")
	// ErrCloudHsmClusterInUse matches errors with code CloudHsmClusterInUseException.
	ErrCloudHsmClusterInUse = sentinel("CloudHsmClusterInUseException")
	// ErrCloudHsmClusterInvalidConfiguration matches errors with code CloudHsmClusterInvalidConfigurationException.
	ErrCloudHsmClusterInvalidConfiguration = sentinel("CloudHsmClusterInvalidConfigurationException")
	// ErrCloudHsmClusterNotActive matches errors with code CloudHsmClusterNotActiveException.
	ErrCloudHsmClusterNotActive = sentinel("CloudHsmClusterNotActiveException")
	// ErrCloudHsmClusterNotFound matches errors with code CloudHsmClusterNotFoundException.
	ErrCloudHsmClusterNotFound = sentinel("CloudHsmClusterNotFoundException")
	// ErrCloudHsmClusterNotRelated matches errors with code CloudHsmClusterNotRelatedException.
	ErrCloudHsmClusterNotRelated = sentinel("CloudHsmClusterNotRelatedException")
	// ErrConflict matches errors with code ConflictException.
	ErrConflict = sentinel("ConflictException")
	// ErrCustomKeyStoreHasCMKs matches errors with code CustomKeyStoreHasCMKsException.
	ErrCustomKeyStoreHasCMKs = sentinel("CustomKeyStoreHasCMKsException")
	// ErrCustomKeyStoreInvalidState matches errors with code CustomKeyStoreInvalidStateException.
	ErrCustomKeyStoreInvalidState = sentinel("CustomKeyStoreInvalidStateException")
	// ErrCustomKeyStoreNameInUse matches errors with code CustomKeyStoreNameInUseException.
	ErrCustomKeyStoreNameInUse = sentinel("CustomKeyStoreNameInUseException")
	// ErrCustomKeyStoreNotFound matches errors with code CustomKeyStoreNotFoundException.
	ErrCustomKeyStoreNotFound = sentinel("CustomKeyStoreNotFoundException")
	// ErrDependencyTimeout matches errors with code DependencyTimeoutException.
	ErrDependencyTimeout = sentinel("DependencyTimeoutException")
	// ErrDisabled matches errors with code DisabledException.
	ErrDisabled = sentinel("DisabledException")
	// ErrDryRunOperation matches errors with code DryRunOperationException.
	ErrDryRunOperation = sentinel("DryRunOperationException")
	// ErrExpiredImportToken matches errors with code ExpiredImportTokenException.
	ErrExpiredImportToken = sentinel("ExpiredImportTokenException")
	// ErrIncorrectKey matches errors with code IncorrectKeyException.
	ErrIncorrectKey = sentinel("IncorrectKeyException")
	// ErrIncorrectKeyMaterial matches errors with code IncorrectKeyMaterialException.
	ErrIncorrectKeyMaterial = sentinel("IncorrectKeyMaterialException")
	// ErrIncorrectTrustAnchor matches errors with code IncorrectTrustAnchorException.
	ErrIncorrectTrustAnchor = sentinel("IncorrectTrustAnchorException")
	// ErrInvalidAliasName matches errors with code InvalidAliasNameException.
	ErrInvalidAliasName = sentinel("InvalidAliasNameException")
	// ErrInvalidArn matches errors with code InvalidArnException.
	ErrInvalidArn = sentinel("InvalidArnException")
	// ErrInvalidCiphertext matches errors with code InvalidCiphertextException.
	ErrInvalidCiphertext = sentinel("InvalidCiphertextException")
	// ErrInvalidGrantId matches errors with code InvalidGrantIdException.
	ErrInvalidGrantId = sentinel("InvalidGrantIdException")
	// ErrInvalidGrantToken matches errors with code InvalidGrantTokenException.
	ErrInvalidGrantToken = sentinel("InvalidGrantTokenException")
	// ErrInvalidImportToken matches errors with code InvalidImportTokenException.
	ErrInvalidImportToken = sentinel("InvalidImportTokenException")
	// ErrInvalidKeyUsage matches errors with code InvalidKeyUsageException.
	ErrInvalidKeyUsage = sentinel("InvalidKeyUsageException")
	// ErrInvalidMarker matches errors with code InvalidMarkerException.
	ErrInvalidMarker = sentinel("InvalidMarkerException")
	// ErrKMSInternal matches errors with code KMSInternalException.
	ErrKMSInternal = sentinel("KMSInternalException")
	// ErrKMSInvalidMac matches errors with code KMSInvalidMacException.
	ErrKMSInvalidMac = sentinel("KMSInvalidMacException")
	// ErrKMSInvalidSignature matches errors with code KMSInvalidSignatureException.
	ErrKMSInvalidSignature = sentinel("KMSInvalidSignatureException")
	// ErrKMSInvalidState matches errors with code KMSInvalidStateException.
	ErrKMSInvalidState = sentinel("KMSInvalidStateException")
	// ErrKeyUnavailable matches errors with code KeyUnavailableException.
	ErrKeyUnavailable = sentinel("KeyUnavailableException")
	// ErrLimitExceeded matches errors with code LimitExceededException.
	ErrLimitExceeded = sentinel("LimitExceededException")
	// ErrMalformedPolicyDocument matches errors with code MalformedPolicyDocumentException.
	ErrMalformedPolicyDocument = sentinel("MalformedPolicyDocumentException")
	// ErrNotFound matches errors with code NotFoundException.
	ErrNotFound = sentinel("NotFoundException")
	// ErrTag matches errors with code TagException.
	ErrTag = sentinel("TagException")
	// ErrUnsupportedOperation matches errors with code UnsupportedOperationException.
	ErrUnsupportedOperation = sentinel("UnsupportedOperationException")
	// ErrValidation matches errors with code ValidationException.
	ErrValidation = sentinel("ValidationException")
	// ErrXksKeyAlreadyInUse matches errors with code XksKeyAlreadyInUseException.
	ErrXksKeyAlreadyInUse = sentinel("XksKeyAlreadyInUseException")
	// ErrXksKeyInvalidConfiguration matches errors with code XksKeyInvalidConfigurationException.
	ErrXksKeyInvalidConfiguration = sentinel("XksKeyInvalidConfigurationException")
	// ErrXksKeyNotFound matches errors with code XksKeyNotFoundException.
	ErrXksKeyNotFound = sentinel("XksKeyNotFoundException")
	// ErrXksProxyIncorrectAuthenticationCredential matches errors with code XksProxyIncorrectAuthenticationCredentialException.
	ErrXksProxyIncorrectAuthenticationCredential = sentinel("XksProxyIncorrectAuthenticationCredentialException")
	// ErrXksProxyInvalidConfiguration matches errors with code XksProxyInvalidConfigurationException.
	ErrXksProxyInvalidConfiguration = sentinel("XksProxyInvalidConfigurationException")
	// ErrXksProxyInvalidResponse matches errors with code XksProxyInvalidResponseException.
	ErrXksProxyInvalidResponse = sentinel("XksProxyInvalidResponseException")
	// ErrXksProxyUriEndpointInUse matches errors with code XksProxyUriEndpointInUseException.
	ErrXksProxyUriEndpointInUse = sentinel("XksProxyUriEndpointInUseException")
	// ErrXksProxyUriInUse matches errors with code XksProxyUriInUseException.
	ErrXksProxyUriInUse = sentinel("XksProxyUriInUseException")
	// ErrXksProxyUriUnreachable matches errors with code XksProxyUriUnreachableException.
	ErrXksProxyUriUnreachable = sentinel("XksProxyUriUnreachableException")
	// ErrXksProxyVpcEndpointServiceInUse matches errors with code XksProxyVpcEndpointServiceInUseException.
	ErrXksProxyVpcEndpointServiceInUse = sentinel("XksProxyVpcEndpointServiceInUseException")
	// ErrXksProxyVpcEndpointServiceInvalidConfiguration matches errors with code XksProxyVpcEndpointServiceInvalidConfigurationException.
	ErrXksProxyVpcEndpointServiceInvalidConfiguration = sentinel("XksProxyVpcEndpointServiceInvalidConfigurationException")
	// ErrXksProxyVpcEndpointServiceNotFound matches errors with code XksProxyVpcEndpointServiceNotFoundException.
	ErrXksProxyVpcEndpointServiceNotFound = sentinel("XksProxyVpcEndpointServiceNotFoundException")
)
