// Package awsapi serves an embedkms handle over the AWS KMS JSON wire
// protocol (awsJson1_1), so any AWS SDK or the AWS CLI can use it, and
// gives Go code a real aws-sdk-go-v2 KMS client wired to a handle
// in-process, with no sockets.
//
// It is the only package of embedkms that imports the AWS SDK.
package awsapi

import (
	"context"
	"errors"
	"io"
	"maps"
	"mime"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/internal/arn"
)

// MaxRequestBodySize is the largest request body the handler reads. AWS
// does not document KMS's limit; the largest legitimate request (a 131072
// character key policy, escaped, with tags) fits well within it.
const MaxRequestBodySize = 1 << 20

const (
	targetPrefix = "TrentService."
	jsonType     = "application/x-amz-json-1.1"
)

// operation serves one KMS operation of the handle: it decodes a request
// body into the operation's input, calls the handle and returns the
// output. in and out are the input and output shapes, for tests.
type operation struct {
	call    func(ctx context.Context, k *kms.KMS, body []byte) (any, error)
	in, out reflect.Type
}

// serve is the operation that calls f, a method expression of *kms.KMS:
// serve((*kms.KMS).Encrypt).
func serve[I, O any](f func(*kms.KMS, context.Context, *I) (*O, error)) operation {
	return operation{
		call: func(ctx context.Context, k *kms.KMS, body []byte) (any, error) {
			in := new(I)
			if err := decodeInput(body, in); err != nil {
				return nil, err
			}
			out, err := f(k, ctx, in)
			if err != nil {
				return nil, err
			}
			return out, nil
		},
		in:  reflect.TypeFor[I](),
		out: reflect.TypeFor[O](),
	}
}

// operations are the operations served, by name: exactly these are
// reachable over the wire, whatever other methods the handle has. An AWS
// KMS operation the handle does not implement is not here and is answered
// as any unknown operation. TestOperationTable checks the table against
// the SDK's KMS client and the handle's methods.
var operations = map[string]operation{
	"CancelKeyDeletion":                   serve((*kms.KMS).CancelKeyDeletion),
	"CreateAlias":                         serve((*kms.KMS).CreateAlias),
	"CreateKey":                           serve((*kms.KMS).CreateKey),
	"Decrypt":                             serve((*kms.KMS).Decrypt),
	"DeleteAlias":                         serve((*kms.KMS).DeleteAlias),
	"DescribeKey":                         serve((*kms.KMS).DescribeKey),
	"DisableKey":                          serve((*kms.KMS).DisableKey),
	"EnableKey":                           serve((*kms.KMS).EnableKey),
	"Encrypt":                             serve((*kms.KMS).Encrypt),
	"GenerateDataKey":                     serve((*kms.KMS).GenerateDataKey),
	"GenerateDataKeyPair":                 serve((*kms.KMS).GenerateDataKeyPair),
	"GenerateDataKeyPairWithoutPlaintext": serve((*kms.KMS).GenerateDataKeyPairWithoutPlaintext),
	"GenerateDataKeyWithoutPlaintext":     serve((*kms.KMS).GenerateDataKeyWithoutPlaintext),
	"GenerateRandom":                      serve((*kms.KMS).GenerateRandom),
	"ListAliases":                         serve((*kms.KMS).ListAliases),
	"ListKeys":                            serve((*kms.KMS).ListKeys),
	"ListResourceTags":                    serve((*kms.KMS).ListResourceTags),
	"ReEncrypt":                           serve((*kms.KMS).ReEncrypt),
	"ScheduleKeyDeletion":                 serve((*kms.KMS).ScheduleKeyDeletion),
	"TagResource":                         serve((*kms.KMS).TagResource),
	"UntagResource":                       serve((*kms.KMS).UntagResource),
	"UpdateAlias":                         serve((*kms.KMS).UpdateAlias),
	"UpdateKeyDescription":                serve((*kms.KMS).UpdateKeyDescription),
	"GetPublicKey":                        serve((*kms.KMS).GetPublicKey),
	"Sign":                                serve((*kms.KMS).Sign),
	"Verify":                              serve((*kms.KMS).Verify),
	"Decapsulate":                         serve((*kms.KMS).Decapsulate),
	"DeriveSharedSecret":                  serve((*kms.KMS).DeriveSharedSecret),
	"Encapsulate":                         serve((*kms.KMS).Encapsulate),
	"GenerateMac":                         serve((*kms.KMS).GenerateMac),
	"VerifyMac":                           serve((*kms.KMS).VerifyMac),
	"GetKeyPolicy":                        serve((*kms.KMS).GetKeyPolicy),
	"ListKeyPolicies":                     serve((*kms.KMS).ListKeyPolicies),
	"PutKeyPolicy":                        serve((*kms.KMS).PutKeyPolicy),
	"CreateGrant":                         serve((*kms.KMS).CreateGrant),
	"ListGrants":                          serve((*kms.KMS).ListGrants),
	"ListRetirableGrants":                 serve((*kms.KMS).ListRetirableGrants),
	"RetireGrant":                         serve((*kms.KMS).RetireGrant),
	"RevokeGrant":                         serve((*kms.KMS).RevokeGrant),
}

// decodeInput decodes body into in, with the errors AWS answers.
func decodeInput(body []byte, in any) error {
	if err := decode(body, in); err != nil {
		var re *rangeError
		var ee *emptyError
		if errors.As(err, &re) || errors.As(err, &ee) {
			return protocolError("ValidationException", err.Error())
		}
		return protocolError("SerializationException", err.Error())
	}
	return nil
}

// Operations returns the names of the operations the handler serves, in
// sorted order.
func Operations() []string {
	return slices.Sorted(maps.Keys(operations))
}

// Credential is what an access key id stands for, for WithCredentials.
type Credential struct {
	SecretAccessKey string
	SessionToken    string // optional; if set, requests must carry it
	// Principal is the IAM principal ARN the requests act as, e.g.
	// "arn:aws:iam::111122223333:user/Alice". Empty means the root of the
	// account of the handle that serves the request.
	Principal string
}

// Option configures NewHandler.
type Option func(*handler)

// WithCredentials makes the handler verify every request's SigV4 signature
// against creds (access key id -> credential) and act as the credential's
// principal. A signature must cover at least the Host, X-Amz-Date,
// X-Amz-Target and Content-Type headers, as every AWS SDK's does. Without
// it every request acts as the handle's account root and signatures are
// not checked.
func WithCredentials(creds map[string]Credential) Option {
	return func(h *handler) {
		h.creds = make(map[string]Credential, len(creds))
		for id, c := range creds {
			h.creds[id] = c
		}
	}
}

// WithHandle serves another handle too (usually another Region's, sharing
// the backend): requests are routed by the Region of their SigV4
// credential scope.
func WithHandle(k *kms.KMS) Option {
	return func(h *handler) { h.regions[k.Region()] = k }
}

type handler struct {
	primary *kms.KMS
	regions map[string]*kms.KMS
	creds   map[string]Credential
}

// NewHandler returns an http.Handler serving the AWS KMS JSON protocol for
// the operations Operations lists.
func NewHandler(k *kms.KMS, opts ...Option) http.Handler {
	h := &handler{primary: k, regions: map[string]*kms.KMS{k.Region(): k}}
	for _, o := range opts {
		o(h)
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", requestID())
	out, err := h.serve(r)
	if err != nil {
		writeError(w, toWire(err))
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

func (h *handler) serve(r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, protocolError("UnknownOperationException", "Only POST is supported")
	}
	// The awsJson1_1 protocol posts every operation to "/", named by one
	// X-Amz-Target header; anything else names no operation. A target is
	// echoed at most 64 bytes long, as valid UTF-8.
	if r.URL.Path != "/" {
		return nil, protocolError("UnknownOperationException", "Unknown request path "+strconv.Quote(shorten(strings.ToValidUTF8(r.URL.Path, "?"))))
	}
	targets := r.Header.Values("X-Amz-Target")
	if len(targets) > 1 {
		return nil, protocolError("UnknownOperationException", "More than one X-Amz-Target header")
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	if !ok || name == "" {
		return nil, protocolError("UnknownOperationException", "Missing or invalid X-Amz-Target header: "+shorten(strings.ToValidUTF8(target, "?")))
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != jsonType {
		return nil, protocolError("SerializationException", "Content-Type must be "+jsonType)
	}
	if r.ContentLength > MaxRequestBodySize {
		return nil, protocolError("RequestEntityTooLargeException", "Request body too large")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBodySize+1))
	if err != nil {
		return nil, protocolError("SerializationException", "Could not read the request body")
	}
	if len(body) > MaxRequestBodySize {
		return nil, protocolError("RequestEntityTooLargeException", "Request body too large")
	}
	k, principal, err := h.authenticate(r, body)
	if err != nil {
		return nil, err
	}
	op, ok := operations[name]
	if !ok {
		return nil, protocolError("UnknownOperationException", "Unknown operation "+shorten(strings.ToValidUTF8(name, "?")))
	}
	ctx := kms.WithCallerInfo(r.Context(), callerInfo(r, k, principal))
	out, err := op.call(ctx, k, body)
	if err != nil {
		return nil, err
	}
	return encode(out)
}

func writeError(w http.ResponseWriter, e *wireError) {
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	w.Write(errorBody(e))
}

func errorBody(e *wireError) []byte {
	var sb strings.Builder
	sb.WriteString(`{"__type":`)
	sb.WriteString(jsonString(e.code))
	if e.message != "" {
		sb.WriteString(`,"message":`)
		sb.WriteString(jsonString(e.message))
	}
	sb.WriteString("}")
	return []byte(sb.String())
}

// requestID returns a random UUID, as x-amzn-RequestId carries.
func requestID() string { return arn.NewUUID() }

// callerInfo describes the caller of r for authorization: its principal
// (the account root of k without credentials), whether it came over TLS
// (aws:SecureTransport) and its address (aws:SourceIp).
func callerInfo(r *http.Request, k *kms.KMS, principal string) kms.CallerInfo {
	if principal == "" {
		principal = "arn:" + k.Partition() + ":iam::" + k.AccountID() + ":root"
	}
	c := kms.CallerInfo{Principal: principal, Insecure: r.TLS == nil}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.SourceIP = host
	}
	return c
}
