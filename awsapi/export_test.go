package awsapi

// DecodeInput decodes a request body into an operation's input as the
// handler does, for the tests of package awsapi_test.
var DecodeInput = decode
