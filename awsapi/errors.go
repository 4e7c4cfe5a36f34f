package awsapi

import (
	"context"
	"errors"
	"net/http"

	kms "github.com/embedkms/kms"
)

// serverErrors are the error codes AWS KMS sends with a 5xx status: the
// model's error shapes with the "server" error trait (KMSInternalException,
// KeyUnavailableException: 500; DependencyTimeoutException: 503) and the
// generic AWS InternalFailure.
//
// Every other error, whatever the model's httpError trait says (404 for
// NotFoundException, 409 for DisabledException, AlreadyExistsException and
// KMSInvalidStateException, 412 for DryRunOperationException), is sent with
// 400, as AWS KMS sends it: responses recorded against AWS in LocalStack's
// tests/aws/services/kms/test_kms.snapshot.json carry "HTTPStatusCode": 400
// for NotFoundException ("Key '<arn>' does not exist", "Invalid keyId
// 'fake-key-id'") and KMSInvalidStateException ("<arn> is pending import."),
// and the Java SDK error in cloudposse/docs#152 reads "Status Code: 400;
// Error Code: NotFoundException". The protocol's own client errors follow
// the same rule: a recorded AWS JSON-protocol response answers
// MissingAuthenticationTokenException with "HTTP/1.1 400 Bad Request".
var serverErrors = map[string]int{
	"KMSInternalException":       http.StatusInternalServerError,
	"KeyUnavailableException":    http.StatusInternalServerError,
	"DependencyTimeoutException": http.StatusServiceUnavailable,
	"InternalFailure":            http.StatusInternalServerError,
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

// statusOf is the one place that decides the HTTP status of an error: 400
// for every client error, the 5xx status of serverErrors for the others.
// RequestEntityTooLargeException alone keeps 413: it is HTTP's own refusal
// of a body, sent before any request is parsed.
func statusOf(code string) int {
	if s, ok := serverErrors[code]; ok {
		return s
	}
	if code == "RequestEntityTooLargeException" {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// toWire maps any error of an operation to its wire form. Errors that are
// not *kms.Error are internal failures, except the request context's own
// errors: a request cancelled or past its deadline is not a failure of
// the service but an unfinished request, sent as the model's retryable
// DependencyTimeoutException (503), not as KMSInternalException.
func toWire(err error) *wireError {
	var w *wireError
	if errors.As(err, &w) {
		return w
	}
	switch {
	case errors.Is(err, context.Canceled):
		return protocolError("DependencyTimeoutException", "The request was canceled before it completed.")
	case errors.Is(err, context.DeadlineExceeded):
		return protocolError("DependencyTimeoutException", "The request did not complete before its deadline.")
	}
	var e *kms.Error
	if errors.As(err, &e) && e.Code != kms.ErrKMSInternal {
		return protocolError(string(e.Code), e.Message)
	}
	// Internal failures (storage, corrupt records) keep their details in
	// the process (the *kms.Error the Go API returns) and send only this.
	return protocolError("KMSInternalException", "An internal error occurred.")
}
