package kms

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/policy"
)

// AuditSink receives one AuditEvent per operation call, success or
// failure, when the call returns (Options.Audit). Record is called from
// the goroutine that made the call, after the operation's work is done;
// it must be safe for concurrent use and should not block for long. The
// event is the sink's to keep.
type AuditSink interface {
	// Record receives the event of one finished call.
	Record(ctx context.Context, e *AuditEvent)
}

// AuditFunc is an AuditSink that is a function.
type AuditFunc func(ctx context.Context, e *AuditEvent)

// Record implements AuditSink.
func (f AuditFunc) Record(ctx context.Context, e *AuditEvent) { f(ctx, e) }

// AuditEvent is the record of one operation call, shaped as the AWS
// CloudTrail record AWS KMS writes for it (AWS KMS Developer Guide,
// "Logging AWS KMS API calls with AWS CloudTrail" and "Examples of AWS KMS
// log entries"; CloudTrail User Guide, "CloudTrail record contents"). Its
// JSON encoding uses CloudTrail's member names.
//
// No event holds a secret: RequestParameters and ResponseElements never
// hold a blob member (plaintexts, data keys, private keys, ciphertexts,
// messages, signatures, MACs, imported material, import tokens: every
// []byte of the API), and ResponseElements is null for every read-only
// call (cryptographic operations, Describe*, Get*, List*), as in AWS.
type AuditEvent struct {
	// EventVersion is the CloudTrail record format version, AuditEventVersion.
	EventVersion string `json:"eventVersion"`
	// UserIdentity is the caller (WithCaller, WithCallerInfo; the account root
	// by default).
	UserIdentity AuditIdentity `json:"userIdentity"`
	EventTime    string        `json:"eventTime"` // UTC, RFC 3339 to the second ("2026-04-27T17:11:06Z")
	// EventSource is the service, AuditEventSource (kms.amazonaws.com).
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"` // the operation
	// AWSRegion is the handle's Region.
	AWSRegion string `json:"awsRegion"`
	// SourceIPAddress is the caller's IP address (CallerInfo.SourceIP); empty
	// when unknown.
	SourceIPAddress string `json:"sourceIPAddress,omitempty"`
	// UserAgent is the caller's User-Agent (CallerInfo.UserAgent); empty when
	// unknown.
	UserAgent string `json:"userAgent,omitempty"`
	// ErrorCode is the AWS error code of a failed call (NotFoundException,
	// ...); empty on success.
	ErrorCode string `json:"errorCode,omitempty"`
	// ErrorMessage is the error message of a failed call; empty on success.
	ErrorMessage string `json:"errorMessage,omitempty"`
	// RequestParameters are the request's members, lowerCamelCase, but
	// blobs and members left empty; nil (null) when none is left.
	RequestParameters map[string]any `json:"requestParameters"`
	// ResponseElements are, for a call that changes something and
	// succeeded, the response's members but blobs; else nil (null).
	ResponseElements map[string]any `json:"responseElements"`
	// RequestID is the call's request id: the one WithRequestID gave, else a
	// UUID the handle makes.
	RequestID string `json:"requestID"`
	// EventID is a UUID unique to this event;
	// KeyLastUsageData.CloudTrailEventId refers to it.
	EventID string `json:"eventID"`
	// ReadOnly is true for calls that change nothing: the cryptographic
	// operations, Describe*, Get* and List*.
	ReadOnly bool `json:"readOnly"`
	// Resources are the KMS keys the call used, by key ARN; empty when it used
	// none.
	Resources []AuditResource `json:"resources,omitempty"`
	EventType string          `json:"eventType"` // "AwsApiCall"
	// ManagementEvent is always true: AWS KMS records every call as a
	// management event.
	ManagementEvent bool `json:"managementEvent"`
	// RecipientAccountID is the handle's account, which received the call.
	RecipientAccountID string `json:"recipientAccountId"`
	EventCategory      string `json:"eventCategory"` // "Management"
}

// AuditIdentity is the caller of an audited call (CloudTrail's
// userIdentity).
type AuditIdentity struct {
	// Type is "Root", "IAMUser", "AssumedRole", "Role", "FederatedUser"
	// or "AWSService".
	Type string `json:"type"`
	// PrincipalID identifies the caller: the account for the root, the
	// user name, "role:session" for an assumed role. (AWS shows IAM's
	// unique ids, which the handle does not know.)
	PrincipalID string `json:"principalId,omitempty"`
	// ARN is the caller's principal ARN.
	ARN string `json:"arn,omitempty"`
	// AccountID is the caller's account.
	AccountID string `json:"accountId,omitempty"`
	// InvokedBy is the AWS service that made the call: the caller's
	// ViaService, or the service principal itself.
	InvokedBy string `json:"invokedBy,omitempty"`
}

// AuditResource is a KMS key a call used.
type AuditResource struct {
	// AccountID is the account that owns the key.
	AccountID string `json:"accountId"`
	Type      string `json:"type"` // "AWS::KMS::Key"
	// ARN is the key ARN.
	ARN string `json:"ARN"`
}

// Constants of every AuditEvent.
const (
	AuditEventVersion  = "1.11"
	AuditEventSource   = "kms.amazonaws.com"
	AuditEventType     = "AwsApiCall"
	AuditEventCategory = "Management"
	auditKeyType       = "AWS::KMS::Key"
)

// JSONAudit is an AuditSink that writes each event to an io.Writer as one
// line of JSON. It is safe for concurrent use: each event is written by
// one Write call, never interleaved with another.
type JSONAudit struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

// NewJSONAudit returns a sink writing JSON lines to w.
func NewJSONAudit(w io.Writer) *JSONAudit { return &JSONAudit{w: w} }

// Record implements AuditSink.
func (j *JSONAudit) Record(_ context.Context, e *AuditEvent) {
	b, err := json.Marshal(e)
	if err == nil {
		b = append(b, '\n')
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil {
		_, err = j.w.Write(b)
	}
	if err != nil && j.err == nil {
		j.err = err
	}
}

// Err returns the first error writing an event, if any: the events after
// it were still attempted.
func (j *JSONAudit) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// SlogAudit is an AuditSink that logs each event to a slog.Logger: at
// level Info with the event's name as the message, or Warn for a call that
// failed, every member of the event an attribute named as in CloudTrail.
type SlogAudit struct{ l *slog.Logger }

// NewSlogAudit returns a sink logging to l.
func NewSlogAudit(l *slog.Logger) *SlogAudit { return &SlogAudit{l} }

// Record implements AuditSink.
func (s *SlogAudit) Record(ctx context.Context, e *AuditEvent) {
	level := slog.LevelInfo
	if e.ErrorCode != "" {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("eventVersion", e.EventVersion),
		slog.Group("userIdentity", "type", e.UserIdentity.Type, "principalId", e.UserIdentity.PrincipalID,
			"arn", e.UserIdentity.ARN, "accountId", e.UserIdentity.AccountID, "invokedBy", e.UserIdentity.InvokedBy),
		slog.String("eventTime", e.EventTime),
		slog.String("eventSource", e.EventSource),
		slog.String("eventName", e.EventName),
		slog.String("awsRegion", e.AWSRegion),
		slog.String("sourceIPAddress", e.SourceIPAddress),
		slog.String("userAgent", e.UserAgent),
		slog.String("errorCode", e.ErrorCode),
		slog.String("errorMessage", e.ErrorMessage),
		slog.Any("requestParameters", e.RequestParameters),
		slog.Any("responseElements", e.ResponseElements),
		slog.String("requestID", e.RequestID),
		slog.String("eventID", e.EventID),
		slog.Bool("readOnly", e.ReadOnly),
		slog.Any("resources", e.Resources),
		slog.String("eventType", e.EventType),
		slog.Bool("managementEvent", e.ManagementEvent),
		slog.String("recipientAccountId", e.RecipientAccountID),
		slog.String("eventCategory", e.EventCategory),
	}
	s.l.LogAttrs(ctx, level, e.EventName, attrs...)
}

type requestIDKey struct{}

// WithRequestID returns a context whose calls carry id as their request
// id: the requestID of their AuditEvent and the KmsRequestId that
// GetKeyLastUsage reports. The awsapi handler sets it to the
// x-amzn-RequestId of its response. A call without one gets a fresh
// UUID.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns what WithRequestID set, if anything.
func RequestIDFrom(ctx context.Context) (string, bool) {
	if ctx == nil {
		return "", false
	}
	id, ok := ctx.Value(requestIDKey{}).(string)
	return id, ok
}

// Call ids. Every call that needs an event id or a request id (an audited
// call, a successful cryptographic operation) takes a sequence number;
// its ids are derived from it when needed, as UUIDs (version 4 form) made
// by a random permutation (AES under a key drawn when the process starts)
// of the number: unique in the process, unpredictable, and free to leave
// unmade on the hot path.
var (
	callSeq  atomic.Uint64
	idCipher = func() cipher.Block {
		b, err := aes.NewCipher(crypto.Random(32))
		if err != nil {
			panic(err)
		}
		return b
	}()
)

// callID returns the UUID of call seq: its event id (kind 0) or its
// request id (kind 1).
func callID(seq uint64, kind byte) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seq)
	b[15] = kind
	idCipher.Encrypt(b[:], b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// call is one audited operation call, from its start to its result.
type call struct {
	k         *KMS
	ctx       context.Context
	name      string
	in        any
	start     time.Time
	seq       uint64
	requestID string
	keys      []string // ARNs of keys the call used (noted by used)
}

type callKey struct{}

// callFrom returns the audited call ctx belongs to, if any.
func callFrom(ctx context.Context) *call {
	if ctx == nil {
		return nil
	}
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// audit starts the audit record of a call of operation name with input
// in, when the handle has a sink; it returns nil, at no cost, when not.
// It gives *ctx the call, so what the operation notes (used) joins it.
// Every operation's first line is
//
//	defer finish(k.audit(&ctx, "Name", in), &result, &opErr)
func (k *KMS) audit(ctx *context.Context, name string, in any) *call {
	if k.sink == nil {
		return nil
	}
	return k.startCall(ctx, name, in)
}

func (k *KMS) startCall(ctx *context.Context, name string, in any) *call {
	if *ctx == nil {
		*ctx = context.Background()
	}
	c := &call{k: k, name: name, in: in, start: k.clock.Now(), seq: callSeq.Add(1)}
	if id, ok := RequestIDFrom(*ctx); ok {
		c.requestID = id
	} else {
		c.requestID = callID(c.seq, 1)
	}
	*ctx = context.WithValue(*ctx, callKey{}, c)
	c.ctx = *ctx
	return c
}

// finish completes call c, if audited, with the operation's result. It
// reads the named results through their addresses when the operation
// returns (deferred); being generic, it lets them stay on the stack.
func finish[O any](c *call, out **O, err *error) {
	if c != nil {
		var o any
		if *out != nil {
			o = *out
		}
		c.finish(o, *err)
	}
}

func (c *call) finish(out any, err error) {
	k := c.k
	e := &AuditEvent{
		EventVersion:       AuditEventVersion,
		EventTime:          c.start.UTC().Format("2006-01-02T15:04:05Z"),
		EventSource:        AuditEventSource,
		EventName:          c.name,
		AWSRegion:          k.region,
		RequestID:          c.requestID,
		EventID:            callID(c.seq, 0),
		ReadOnly:           readOnlyOp(c.name),
		EventType:          AuditEventType,
		ManagementEvent:    true,
		RecipientAccountID: k.account,
		EventCategory:      AuditEventCategory,
	}
	ci, ok := CallerInfoFrom(c.ctx)
	if !ok || ci.Principal == "" {
		ci.Principal = k.rootCaller.Principal
	}
	e.UserIdentity = auditIdentity(ci)
	e.SourceIPAddress, e.UserAgent = ci.SourceIP, ci.UserAgent
	if ci.ViaService != "" && e.UserIdentity.InvokedBy == "" {
		e.UserIdentity.InvokedBy = ci.ViaService
	}
	if m, ok := auditMembers(reflect.ValueOf(c.in)); ok {
		e.RequestParameters = m
	}
	if err != nil {
		e.ErrorCode, e.ErrorMessage = auditError(err)
	} else if !e.ReadOnly && out != nil {
		if m, ok := auditMembers(reflect.ValueOf(out)); ok {
			e.ResponseElements = m
		}
	}
	e.Resources = k.auditResources(c, out)
	if c.name == "CreateGrant" && e.ResponseElements != nil {
		// AWS logs the grant id and the key ARN, not the grant token
		// (Developer Guide, CloudTrail example "CreateGrant": "include
		// the key ARN of the affected KMS key in the
		// responseElements.keyId value, even though this operation does
		// not return the key ARN").
		delete(e.ResponseElements, "grantToken")
		if len(e.Resources) > 0 {
			e.ResponseElements["keyId"] = e.Resources[0].ARN
		}
	}
	k.sink.Record(c.ctx, e)
}

// auditError returns the error code and message an event shows for err,
// as the awsapi handler sends them.
func auditError(err error) (string, string) {
	switch {
	case errors.Is(err, context.Canceled):
		return string(ErrDependencyTimeout), "The request was canceled before it completed."
	case errors.Is(err, context.DeadlineExceeded):
		return string(ErrDependencyTimeout), "The request did not complete before its deadline."
	}
	var e *Error
	if errors.As(err, &e) {
		return string(e.Code), e.Message
	}
	return string(ErrKMSInternal), err.Error()
}

// mutatingPrefixes begin the names of the operations that change
// something: their events have readOnly false and show responseElements.
// Every other operation (cryptographic operations, Describe*, Get*,
// List*) is read-only, as AWS's log examples show.
var mutatingPrefixes = []string{"Cancel", "Connect", "Create", "Delete", "Disable", "Disconnect", "Enable",
	"Import", "Put", "ReplicateKey", "Retire", "Revoke", "RotateKeyOnDemand", "Schedule", "TagResource",
	"UntagResource", "Update"}

func readOnlyOp(name string) bool {
	for _, p := range mutatingPrefixes {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

// auditIdentity describes a caller as CloudTrail's userIdentity does.
func auditIdentity(ci CallerInfo) AuditIdentity {
	id := AuditIdentity{ARN: ci.Principal}
	info, err := policy.ParsePrincipal(policy.Principal{ARN: ci.Principal, RoleARN: ci.RoleARN})
	if err != nil {
		id.Type = "Unknown"
		return id
	}
	id.AccountID = info.Account
	switch info.Type {
	case policy.TypeAccount:
		id.Type, id.PrincipalID = "Root", info.Account
	case policy.TypeUser:
		id.Type, id.PrincipalID = "IAMUser", info.Name
	case policy.TypeRole:
		id.Type, id.PrincipalID = "Role", info.Name
	case policy.TypeAssumedRole:
		id.Type, id.PrincipalID = "AssumedRole", info.Name+":"+info.Session
	case policy.TypeFederatedUser:
		id.Type, id.PrincipalID = "FederatedUser", info.Account+":"+info.Name
	case policy.TypeService:
		id.Type, id.ARN, id.InvokedBy = "AWSService", "", ci.Principal
	}
	return id
}

// auditResources lists the keys a call used: those it noted (used), those
// its response names, and those its request names by key id or key ARN.
func (k *KMS) auditResources(c *call, out any) []AuditResource {
	var rs []AuditResource
	seen := map[string]bool{}
	add := func(s string) {
		if s == "" || seen[s] {
			return
		}
		a, err := arn.Parse(s)
		switch {
		case err != nil:
			return
		case a.Kind == arn.KeyID:
			if !arn.IsKeyID(a.Name) {
				return
			}
			s = arn.Key(k.partition, k.region, k.account, a.Name)
			a.Account = k.account
		case a.Kind != arn.KeyARN:
			return
		}
		if seen[s] {
			return
		}
		seen[s] = true
		rs = append(rs, AuditResource{AccountID: a.Account, Type: auditKeyType, ARN: s})
	}
	for _, s := range c.keys {
		add(s)
	}
	for _, v := range []any{out, c.in} {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			continue
		}
		rv = rv.Elem()
		if f := rv.FieldByName("KeyMetadata"); f.IsValid() {
			if md, ok := f.Interface().(*KeyMetadata); ok && md != nil {
				add(md.Arn)
			}
		}
		for _, name := range []string{"KeyId", "SourceKeyId", "DestinationKeyId", "TargetKeyId"} {
			if f := rv.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
				add(f.String())
			}
		}
	}
	return rs
}

// secretMembers are string members that hold a secret and are never
// logged (custom key store credentials, in AWS's API).
var secretMembers = map[string]bool{"KeyStorePassword": true, "RawSecretAccessKey": true}

var timeType = reflect.TypeFor[time.Time]()

// auditMembers renders a request or response structure (or a pointer to
// one) for an event: its members by lowerCamelCase name, leaving out empty
// members, false booleans, zero numbers, blobs and secret strings.
func auditMembers(v reflect.Value) (map[string]any, bool) {
	x, ok := auditValue(v)
	m, isMap := x.(map[string]any)
	return m, ok && isMap
}

func auditValue(v reflect.Value) (any, bool) {
	switch v.Kind() {
	case reflect.Invalid:
		return nil, false
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return auditValue(v.Elem())
	case reflect.String:
		return v.String(), v.Len() > 0
	case reflect.Bool:
		return true, v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), v.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint(), v.Uint() != 0
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // a blob: never logged
			return nil, false
		}
		var items []any
		for i := range v.Len() {
			if x, ok := auditValue(v.Index(i)); ok {
				items = append(items, x)
			}
		}
		return items, len(items) > 0
	case reflect.Map:
		m := map[string]any{} // an encryption context: every pair, as given
		for it := v.MapRange(); it.Next(); {
			x, ok := auditValue(it.Value())
			if !ok && it.Value().Kind() == reflect.String {
				x, ok = "", true
			}
			if ok {
				m[it.Key().String()] = x
			}
		}
		return m, len(m) > 0
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			return t.UTC().Format("Jan 2, 2006, 3:04:05 PM"), !t.IsZero()
		}
		m := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || secretMembers[f.Name] {
				continue
			}
			if x, ok := auditValue(v.Field(i)); ok {
				m[memberName(f.Name)] = x
			}
		}
		return m, len(m) > 0
	}
	return nil, false
}

// memberName is a member's name as CloudTrail shows it: lowerCamelCase
// ("keyId"), but a name beginning with an acronym kept ("AWSAccountId",
// as in AWS's CreateKey log example).
func memberName(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
