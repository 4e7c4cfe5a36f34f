package awsapi

import (
	"errors"
	"net/http"

	kms "github.com/embedkms/kms"
)

// httpStatus is the HTTP status of each AWS KMS error shape, from the API
// model's error shapes, plus the common AWS errors the model leaves
// implicit.
var httpStatus = map[string]int{
	"AlreadyExistsException":                                  409,
	"CloudHsmClusterInUseException":                           400,
	"CloudHsmClusterInvalidConfigurationException":            400,
	"CloudHsmClusterNotActiveException":                       400,
	"CloudHsmClusterNotFoundException":                        400,
	"CloudHsmClusterNotRelatedException":                      400,
	"ConflictException":                                       409,
	"CustomKeyStoreHasCMKsException":                          400,
	"CustomKeyStoreInvalidStateException":                     400,
	"CustomKeyStoreNameInUseException":                        400,
	"CustomKeyStoreNotFoundException":                         400,
	"DependencyTimeoutException":                              503,
	"DisabledException":                                       409,
	"DryRunOperationException":                                412,
	"ExpiredImportTokenException":                             400,
	"IncorrectKeyException":                                   400,
	"IncorrectKeyMaterialException":                           400,
	"IncorrectTrustAnchorException":                           400,
	"InvalidAliasNameException":                               400,
	"InvalidArnException":                                     400,
	"InvalidCiphertextException":                              400,
	"InvalidGrantIdException":                                 400,
	"InvalidGrantTokenException":                              400,
	"InvalidImportTokenException":                             400,
	"InvalidKeyUsageException":                                400,
	"InvalidMarkerException":                                  400,
	"KMSInternalException":                                    500,
	"KMSInvalidMacException":                                  400,
	"KMSInvalidSignatureException":                            400,
	"KMSInvalidStateException":                                409,
	"KeyUnavailableException":                                 500,
	"LimitExceededException":                                  400,
	"MalformedPolicyDocumentException":                        400,
	"NotFoundException":                                       404,
	"TagException":                                            400,
	"UnsupportedOperationException":                           400,
	"XksKeyAlreadyInUseException":                             400,
	"XksKeyInvalidConfigurationException":                     400,
	"XksKeyNotFoundException":                                 400,
	"XksProxyIncorrectAuthenticationCredentialException":      400,
	"XksProxyInvalidConfigurationException":                   400,
	"XksProxyInvalidResponseException":                        400,
	"XksProxyUriEndpointInUseException":                       400,
	"XksProxyUriInUseException":                               400,
	"XksProxyUriUnreachableException":                         400,
	"XksProxyVpcEndpointServiceInUseException":                400,
	"XksProxyVpcEndpointServiceInvalidConfigurationException": 400,
	"XksProxyVpcEndpointServiceNotFoundException":             400,
	"ValidationException":                                     400,
	"AccessDeniedException":                                   400,
	"SerializationException":                                  400,
	"UnknownOperationException":                               400,
	"UnrecognizedClientException":                             400,
	"InvalidSignatureException":                               400,
	"IncompleteSignatureException":                            400,
	"MissingAuthenticationTokenException":                     403,
	"RequestEntityTooLargeException":                          413,
	"InternalFailure":                                         500,
}

// wireError is an error as the wire carries it.
type wireError struct {
	code, message string
	status        int
}

func (e *wireError) Error() string { return e.code + ": " + e.message }

func protocolError(code, message string) *wireError {
	return &wireError{code: code, message: message, status: statusOf(code)}
}

func statusOf(code string) int {
	if s, ok := httpStatus[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// toWire maps any error of an operation to its wire form. Errors that are
// not *kms.Error are internal failures.
func toWire(err error) *wireError {
	var w *wireError
	if errors.As(err, &w) {
		return w
	}
	var e *kms.Error
	if errors.As(err, &e) && e.Code != kms.ErrKMSInternal {
		return &wireError{code: string(e.Code), message: e.Message, status: statusOf(string(e.Code))}
	}
	// Internal failures (storage, corrupt records) keep their details in
	// the process (the *kms.Error the Go API returns) and send only this.
	return &wireError{code: "KMSInternalException", message: "An internal error occurred.", status: http.StatusInternalServerError}
}
