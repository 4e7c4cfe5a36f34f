// Package awsapi serves an embedkms handle over the AWS KMS JSON wire
// protocol (awsJson1_1), so any AWS SDK or the AWS CLI can use it, and
// gives Go code a real aws-sdk-go-v2 KMS client wired to a handle
// in-process, with no sockets.
//
// It and package kmstest (test helpers, which build on it) are the only
// packages of embedkms that import the AWS SDK.
package awsapi

import (
	"cmp"
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
	"time"

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
	call    func(ctx context.Context, k *kms.KMS, body []byte) (in, out any, err error)
	in, out reflect.Type
}

// serve is the operation that calls f, a method expression of *kms.KMS:
// serve((*kms.KMS).Encrypt).
func serve[I, O any](f func(*kms.KMS, context.Context, *I) (*O, error)) operation {
	return operation{
		call: func(ctx context.Context, k *kms.KMS, body []byte) (any, any, error) {
			in := new(I)
			if err := decodeInput(body, in); err != nil {
				return nil, nil, err
			}
			out, err := f(k, ctx, in)
			if err != nil {
				return in, nil, err
			}
			return in, out, nil
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
	"EnableKeyRotation":                   serve((*kms.KMS).EnableKeyRotation),
	"DisableKeyRotation":                  serve((*kms.KMS).DisableKeyRotation),
	"GetKeyRotationStatus":                serve((*kms.KMS).GetKeyRotationStatus),
	"GetKeyLastUsage":                     serve((*kms.KMS).GetKeyLastUsage),
	"RotateKeyOnDemand":                   serve((*kms.KMS).RotateKeyOnDemand),
	"ListKeyRotations":                    serve((*kms.KMS).ListKeyRotations),
	"GetParametersForImport":              serve((*kms.KMS).GetParametersForImport),
	"ImportKeyMaterial":                   serve((*kms.KMS).ImportKeyMaterial),
	"DeleteImportedKeyMaterial":           serve((*kms.KMS).DeleteImportedKeyMaterial),
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
	"ReplicateKey":                        serve((*kms.KMS).ReplicateKey),
	"UpdatePrimaryRegion":                 serve((*kms.KMS).UpdatePrimaryRegion),
	"CreateCustomKeyStore":                serve((*kms.KMS).CreateCustomKeyStore),
	"DescribeCustomKeyStores":             serve((*kms.KMS).DescribeCustomKeyStores),
	"UpdateCustomKeyStore":                serve((*kms.KMS).UpdateCustomKeyStore),
	"ConnectCustomKeyStore":               serve((*kms.KMS).ConnectCustomKeyStore),
	"DisconnectCustomKeyStore":            serve((*kms.KMS).DisconnectCustomKeyStore),
	"DeleteCustomKeyStore":                serve((*kms.KMS).DeleteCustomKeyStore),
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
	// SecretAccessKey is the secret the requests' SigV4 signatures are checked
	// with.
	SecretAccessKey string
	SessionToken    string // optional; if set, requests must carry it
	// Principal is the IAM principal ARN the requests act as, e.g.
	// "arn:aws:iam::111122223333:user/Alice". Empty means the root of the
	// account of the handle that serves the request.
	Principal string
	// RoleARN is, for an assumed-role session Principal, its role's ARN
	// when the role has a path (kms.CallerInfo.RoleARN).
	RoleARN string
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

// WithHandle serves another handle too (another Region's or another
// account's, usually sharing the backend). Requests are routed by account
// and Region: the Region of their SigV4 credential scope, the account of
// the principal their credential acts as (see Credential; the account of
// the handle given to NewHandler when there is none). Without WithHandles,
// a request whose account has no handle in its Region is served by the
// default account's handle there, acting as its principal (whom the key
// policy of a key of the default account refuses). A later handle for the
// same account and Region replaces an earlier one.
func WithHandle(k *kms.KMS) Option {
	return func(h *handler) { h.pinned[handleKey{k.AccountID(), k.Region()}] = k }
}

// WithHandles serves every account and Region the handles given to
// NewHandler and WithHandle do not: hs opens a handle for each (account,
// Region) pair the first time a request needs it. A request for a name
// that is no AWS Region is refused, as AWS refuses a credential scoped to
// one. The caller closes hs after the handler's last request.
func WithHandles(hs *Handles) Option {
	return func(h *handler) { h.handles = hs }
}

type handler struct {
	primary *kms.KMS
	pinned  map[handleKey]*kms.KMS
	handles *Handles // nil: only the pinned handles are served
	creds   map[string]Credential
	log     func(context.Context, RequestRecord)
}

// NewHandler returns an http.Handler serving the AWS KMS JSON protocol for
// the operations Operations lists. k serves requests that name no Region
// (unsigned ones) and its account is the account of requests whose
// credential names no principal.
func NewHandler(k *kms.KMS, opts ...Option) http.Handler {
	h := &handler{primary: k, pinned: map[handleKey]*kms.KMS{{k.AccountID(), k.Region()}: k}}
	for _, o := range opts {
		o(h)
	}
	return h
}

// handleFor returns the handle serving account in region.
func (h *handler) handleFor(account, region string) (*kms.KMS, error) {
	if k, ok := h.pinned[handleKey{account, region}]; ok {
		return k, nil
	}
	if h.handles != nil {
		k, err := h.handles.Handle(account, region)
		switch {
		case errors.Is(err, ErrUnknownRegion):
			return nil, errUnknownRegion(region)
		case errors.Is(err, ErrInvalidAccount):
			// A credential whose principal names no valid account is
			// one AWS could not know.
			return nil, errUnrecognizedClient()
		}
		return k, err
	}
	// Without WithHandles, a principal of an account no handle is pinned
	// for acts in the default account's key space, as a principal of
	// another account would reach it: the key policy decides.
	if k, ok := h.pinned[handleKey{h.primary.AccountID(), region}]; ok {
		return k, nil
	}
	return nil, errUnknownRegion(region)
}

// serves reports whether a request scoped to region can be served by some
// handle, before its signature is checked.
func (h *handler) serves(region string) bool {
	if h.handles != nil {
		_, ok := Partition(region)
		return ok
	}
	for key := range h.pinned {
		if key.region == region {
			return true
		}
	}
	return false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID()
	w.Header().Set("x-amzn-RequestId", id)
	var rec RequestRecord
	out, err := h.serve(r, id, &rec)
	if err != nil {
		e := toWire(err)
		writeError(w, e)
		rec.ErrorCode, rec.Status = e.code, e.status
	} else {
		w.Header().Set("Content-Type", jsonType)
		w.WriteHeader(http.StatusOK)
		w.Write(out)
		rec.Status = http.StatusOK
	}
	if h.log != nil {
		rec.Duration = time.Since(start)
		h.log(r.Context(), rec)
	}
}

// serve answers r, whose response carries request id id (the handle's
// audit events and last-usage records name it: kms.WithRequestID).
func (h *handler) serve(r *http.Request, id string, rec *RequestRecord) ([]byte, error) {
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
	k, cred, err := h.authenticate(r, body)
	if err != nil {
		return nil, err
	}
	principal := cred.Principal
	rec.Account, rec.Region, rec.Caller = k.AccountID(), k.Region(), principal
	if principal == "" {
		partition, _ := Partition(k.Region())
		rec.Caller = "arn:" + cmp.Or(partition, kms.DefaultPartition) + ":iam::" + k.AccountID() + ":root"
	}
	op, ok := operations[name]
	if !ok {
		return nil, protocolError("UnknownOperationException", "Unknown operation "+shorten(strings.ToValidUTF8(name, "?")))
	}
	rec.Operation = name
	ctx := kms.WithRequestID(kms.WithCallerInfo(r.Context(), callerInfo(r, k, cred)), id)
	in, out, err := op.call(ctx, k, body)
	rec.Key = keyOf(in, out)
	if len(rec.Key) > maxKeyIDLength { // an invalid KeyId, as sent
		rec.Key = rec.Key[:maxKeyIDLength] + "..."
	}
	if err != nil {
		return nil, err
	}
	return encode(out)
}

// RequestRecord describes one request the handler answered, for a request
// log (WithRequestLog). It holds no request or response body: never
// plaintext, key material or ciphertext.
type RequestRecord struct {
	// Operation is the operation the request called; empty when its
	// X-Amz-Target named none or the request was refused before.
	Operation string
	// Account and Region are those of the handle that served the request,
	// empty when it was refused before one was chosen.
	Account, Region string
	// Caller is the principal ARN the request acted as (the account root
	// when no credential names one); empty when it was refused before.
	Caller string
	// Key is the key the response names (its KeyId or KeyMetadata.Arn,
	// a key ARN) or else the KeyId or TargetKeyId of the request as given
	// (a key id or ARN, an alias name or ARN; cut at 2048 bytes, the
	// longest valid one); empty when neither has one.
	Key string
	// ErrorCode is the AWS error code of the response; empty on success.
	ErrorCode string
	// Status is the HTTP status of the response.
	Status int
	// Duration is the time from receiving the request to writing the
	// response.
	Duration time.Duration
}

// WithRequestLog makes the handler call f after answering each request,
// with the request's context.
func WithRequestLog(f func(context.Context, RequestRecord)) Option {
	return func(h *handler) { h.log = f }
}

// maxKeyIDLength is the longest valid KeyId (KeyIdType in the API model).
const maxKeyIDLength = 2048

// keyOf returns the key an operation's output or else its input names,
// for RequestRecord.Key.
func keyOf(in, out any) string {
	if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
		if f := v.FieldByName("KeyMetadata"); f.IsValid() {
			if md, ok := f.Interface().(*kms.KeyMetadata); ok && md != nil {
				return md.Arn
			}
		}
		if s := stringField(v, "KeyId"); s != "" {
			return s
		}
	}
	if v := reflect.ValueOf(in); v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
		return cmp.Or(stringField(v, "KeyId"), stringField(v, "TargetKeyId"))
	}
	return ""
}

// stringField returns the string field name of the struct v, or "".
func stringField(v reflect.Value, name string) string {
	if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
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
func callerInfo(r *http.Request, k *kms.KMS, cred Credential) kms.CallerInfo {
	principal := cred.Principal
	if principal == "" {
		principal = "arn:" + k.Partition() + ":iam::" + k.AccountID() + ":root"
	}
	c := kms.CallerInfo{Principal: principal, RoleARN: cred.RoleARN, Insecure: r.TLS == nil, UserAgent: r.UserAgent()}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.SourceIP = host
	}
	return c
}
