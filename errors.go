package kms

import (
	"errors"
	"fmt"
)

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
	// Code is the AWS error code, as the API's __type and the SDKs' ErrorCode
	// name it.
	Code Code
	// Message explains the error, worded as AWS words it where AWS's wording
	// is known; empty for the codes AWS sends without one.
	Message string
	cause   error // for KMSInternalException: the underlying failure
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// ErrorCode returns the AWS error code, e.g. "NotFoundException".
func (e *Error) ErrorCode() string { return string(e.Code) }

// ErrorMessage returns the message.
func (e *Error) ErrorMessage() string { return e.Message }

// Unwrap returns the underlying failure of a KMSInternalException.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is the Code constant of e's code, so that
// errors.Is(err, kms.ErrNotFound) holds for every NotFoundException.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// Code is an AWS KMS error code. The Err* constants are Codes; match an
// *Error against them with errors.Is. Being constants, they cannot be
// changed by anyone.
type Code string

// Error returns the code.
func (c Code) Error() string { return string(c) }

// ErrorCode returns the code.
func (c Code) ErrorCode() string { return string(c) }

// ErrorMessage returns "": a Code has no message.
func (c Code) ErrorMessage() string { return "" }

// newErr builds an *Error of code c with a formatted message.
func newErr(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// The codes, one per AWS KMS error shape in the API model, plus the two
// common AWS errors the model leaves implicit: ValidationException (a
// request member breaks a constraint) and AccessDeniedException (the key
// policy or grants do not allow the call).
const (
	// ErrAccessDenied matches errors with code AccessDeniedException.
	ErrAccessDenied Code = "AccessDeniedException"
	// ErrAlreadyExists matches errors with code AlreadyExistsException.
	ErrAlreadyExists Code = "AlreadyExistsException"
	// ErrCloudHsmClusterInUse matches errors with code CloudHsmClusterInUseException.
	ErrCloudHsmClusterInUse Code = "CloudHsmClusterInUseException"
	// ErrCloudHsmClusterInvalidConfiguration matches errors with code CloudHsmClusterInvalidConfigurationException.
	ErrCloudHsmClusterInvalidConfiguration Code = "CloudHsmClusterInvalidConfigurationException"
	// ErrCloudHsmClusterNotActive matches errors with code CloudHsmClusterNotActiveException.
	ErrCloudHsmClusterNotActive Code = "CloudHsmClusterNotActiveException"
	// ErrCloudHsmClusterNotFound matches errors with code CloudHsmClusterNotFoundException.
	ErrCloudHsmClusterNotFound Code = "CloudHsmClusterNotFoundException"
	// ErrCloudHsmClusterNotRelated matches errors with code CloudHsmClusterNotRelatedException.
	ErrCloudHsmClusterNotRelated Code = "CloudHsmClusterNotRelatedException"
	// ErrConflict matches errors with code ConflictException.
	ErrConflict Code = "ConflictException"
	// ErrCustomKeyStoreHasCMKs matches errors with code CustomKeyStoreHasCMKsException.
	ErrCustomKeyStoreHasCMKs Code = "CustomKeyStoreHasCMKsException"
	// ErrCustomKeyStoreInvalidState matches errors with code CustomKeyStoreInvalidStateException.
	ErrCustomKeyStoreInvalidState Code = "CustomKeyStoreInvalidStateException"
	// ErrCustomKeyStoreNameInUse matches errors with code CustomKeyStoreNameInUseException.
	ErrCustomKeyStoreNameInUse Code = "CustomKeyStoreNameInUseException"
	// ErrCustomKeyStoreNotFound matches errors with code CustomKeyStoreNotFoundException.
	ErrCustomKeyStoreNotFound Code = "CustomKeyStoreNotFoundException"
	// ErrDependencyTimeout matches errors with code DependencyTimeoutException.
	ErrDependencyTimeout Code = "DependencyTimeoutException"
	// ErrDisabled matches errors with code DisabledException.
	ErrDisabled Code = "DisabledException"
	// ErrDryRunOperation matches errors with code DryRunOperationException.
	ErrDryRunOperation Code = "DryRunOperationException"
	// ErrExpiredImportToken matches errors with code ExpiredImportTokenException.
	ErrExpiredImportToken Code = "ExpiredImportTokenException"
	// ErrIncorrectKey matches errors with code IncorrectKeyException.
	ErrIncorrectKey Code = "IncorrectKeyException"
	// ErrIncorrectKeyMaterial matches errors with code IncorrectKeyMaterialException.
	ErrIncorrectKeyMaterial Code = "IncorrectKeyMaterialException"
	// ErrIncorrectTrustAnchor matches errors with code IncorrectTrustAnchorException.
	ErrIncorrectTrustAnchor Code = "IncorrectTrustAnchorException"
	// ErrInvalidAliasName matches errors with code InvalidAliasNameException.
	ErrInvalidAliasName Code = "InvalidAliasNameException"
	// ErrInvalidArn matches errors with code InvalidArnException.
	ErrInvalidArn Code = "InvalidArnException"
	// ErrInvalidCiphertext matches errors with code InvalidCiphertextException.
	ErrInvalidCiphertext Code = "InvalidCiphertextException"
	// ErrInvalidGrantId matches errors with code InvalidGrantIdException.
	ErrInvalidGrantId Code = "InvalidGrantIdException"
	// ErrInvalidGrantToken matches errors with code InvalidGrantTokenException.
	ErrInvalidGrantToken Code = "InvalidGrantTokenException"
	// ErrInvalidImportToken matches errors with code InvalidImportTokenException.
	ErrInvalidImportToken Code = "InvalidImportTokenException"
	// ErrInvalidKeyUsage matches errors with code InvalidKeyUsageException.
	ErrInvalidKeyUsage Code = "InvalidKeyUsageException"
	// ErrInvalidMarker matches errors with code InvalidMarkerException.
	ErrInvalidMarker Code = "InvalidMarkerException"
	// ErrKMSInternal matches errors with code KMSInternalException.
	ErrKMSInternal Code = "KMSInternalException"
	// ErrKMSInvalidMac matches errors with code KMSInvalidMacException.
	ErrKMSInvalidMac Code = "KMSInvalidMacException"
	// ErrKMSInvalidSignature matches errors with code KMSInvalidSignatureException.
	ErrKMSInvalidSignature Code = "KMSInvalidSignatureException"
	// ErrKMSInvalidState matches errors with code KMSInvalidStateException.
	ErrKMSInvalidState Code = "KMSInvalidStateException"
	// ErrKeyUnavailable matches errors with code KeyUnavailableException.
	ErrKeyUnavailable Code = "KeyUnavailableException"
	// ErrLimitExceeded matches errors with code LimitExceededException.
	ErrLimitExceeded Code = "LimitExceededException"
	// ErrMalformedPolicyDocument matches errors with code MalformedPolicyDocumentException.
	ErrMalformedPolicyDocument Code = "MalformedPolicyDocumentException"
	// ErrNotFound matches errors with code NotFoundException.
	ErrNotFound Code = "NotFoundException"
	// ErrTag matches errors with code TagException.
	ErrTag Code = "TagException"
	// ErrUnsupportedOperation matches errors with code UnsupportedOperationException.
	ErrUnsupportedOperation Code = "UnsupportedOperationException"
	// ErrValidation matches errors with code ValidationException.
	ErrValidation Code = "ValidationException"
	// ErrXksKeyAlreadyInUse matches errors with code XksKeyAlreadyInUseException.
	ErrXksKeyAlreadyInUse Code = "XksKeyAlreadyInUseException"
	// ErrXksKeyInvalidConfiguration matches errors with code XksKeyInvalidConfigurationException.
	ErrXksKeyInvalidConfiguration Code = "XksKeyInvalidConfigurationException"
	// ErrXksKeyNotFound matches errors with code XksKeyNotFoundException.
	ErrXksKeyNotFound Code = "XksKeyNotFoundException"
	// ErrXksProxyIncorrectAuthenticationCredential matches errors with code XksProxyIncorrectAuthenticationCredentialException.
	ErrXksProxyIncorrectAuthenticationCredential Code = "XksProxyIncorrectAuthenticationCredentialException"
	// ErrXksProxyInvalidConfiguration matches errors with code XksProxyInvalidConfigurationException.
	ErrXksProxyInvalidConfiguration Code = "XksProxyInvalidConfigurationException"
	// ErrXksProxyInvalidResponse matches errors with code XksProxyInvalidResponseException.
	ErrXksProxyInvalidResponse Code = "XksProxyInvalidResponseException"
	// ErrXksProxyUriEndpointInUse matches errors with code XksProxyUriEndpointInUseException.
	ErrXksProxyUriEndpointInUse Code = "XksProxyUriEndpointInUseException"
	// ErrXksProxyUriInUse matches errors with code XksProxyUriInUseException.
	ErrXksProxyUriInUse Code = "XksProxyUriInUseException"
	// ErrXksProxyUriUnreachable matches errors with code XksProxyUriUnreachableException.
	ErrXksProxyUriUnreachable Code = "XksProxyUriUnreachableException"
	// ErrXksProxyVpcEndpointServiceInUse matches errors with code XksProxyVpcEndpointServiceInUseException.
	ErrXksProxyVpcEndpointServiceInUse Code = "XksProxyVpcEndpointServiceInUseException"
	// ErrXksProxyVpcEndpointServiceInvalidConfiguration matches errors with code XksProxyVpcEndpointServiceInvalidConfigurationException.
	ErrXksProxyVpcEndpointServiceInvalidConfiguration Code = "XksProxyVpcEndpointServiceInvalidConfigurationException"
	// ErrXksProxyVpcEndpointServiceNotFound matches errors with code XksProxyVpcEndpointServiceNotFoundException.
	ErrXksProxyVpcEndpointServiceNotFound Code = "XksProxyVpcEndpointServiceNotFoundException"
)

// ErrClosed matches (with errors.Is) the error every operation of a closed
// handle returns. That error is a KMSInternalException (it matches
// ErrKMSInternal too, and is sent as KMSInternalException over the wire)
// whose cause is ErrClosed.
var ErrClosed = errors.New("kms: the handle is closed")

// errClosed is the one error of a closed handle.
func errClosed() error {
	return &Error{Code: ErrKMSInternal, Message: "the handle is closed", cause: ErrClosed}
}
