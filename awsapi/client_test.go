package awsapi_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/kmstest"
)

// Every operation the handler serves is called through awsapi.NewClient
// with every input member set, and the same call is made on the handle.
// call checks three things: the request the handler received carries each
// member under the handle's name with the SDK's value (sent); the two
// outputs agree member for member (diffShapes); an error reaches the SDK as
// its typed error, with the handle's message and the model's HTTP status
// (checkError). Members the handle cannot use yet are shown to reach it by
// the error they cause.

// operationTests holds one test per operation; TestOperations fails for an
// operation the handler serves without one.
var operationTests = map[string]func(*testing.T){
	"CreateKey":                           testCreateKey,
	"DescribeKey":                         testDescribeKey,
	"ListKeys":                            testListKeys,
	"UpdateKeyDescription":                testUpdateKeyDescription,
	"EnableKey":                           testEnableKey,
	"DisableKey":                          testDisableKey,
	"ScheduleKeyDeletion":                 testScheduleKeyDeletion,
	"CancelKeyDeletion":                   testCancelKeyDeletion,
	"EnableKeyRotation":                   testEnableKeyRotation,
	"DisableKeyRotation":                  testDisableKeyRotation,
	"GetKeyRotationStatus":                testGetKeyRotationStatus,
	"RotateKeyOnDemand":                   testRotateKeyOnDemand,
	"ListKeyRotations":                    testListKeyRotations,
	"GetParametersForImport":              testGetParametersForImport,
	"ImportKeyMaterial":                   testImportKeyMaterial,
	"DeleteImportedKeyMaterial":           testDeleteImportedKeyMaterial,
	"Encrypt":                             testEncrypt,
	"Decrypt":                             testDecrypt,
	"ReEncrypt":                           testReEncrypt,
	"GenerateDataKey":                     testGenerateDataKey,
	"GenerateDataKeyWithoutPlaintext":     testGenerateDataKeyWithoutPlaintext,
	"GenerateDataKeyPair":                 testGenerateDataKeyPair,
	"GenerateDataKeyPairWithoutPlaintext": testGenerateDataKeyPairWithoutPlaintext,
	"GenerateRandom":                      testGenerateRandom,
	"CreateAlias":                         testCreateAlias,
	"UpdateAlias":                         testUpdateAlias,
	"DeleteAlias":                         testDeleteAlias,
	"ListAliases":                         testListAliases,
	"TagResource":                         testTagResource,
	"UntagResource":                       testUntagResource,
	"ListResourceTags":                    testListResourceTags,
	"Sign":                                testSign,
	"Verify":                              testVerify,
	"GetPublicKey":                        testGetPublicKey,
	"GetKeyPolicy":                        testGetKeyPolicy,
	"ListKeyPolicies":                     testListKeyPolicies,
	"PutKeyPolicy":                        testPutKeyPolicy,
	"CreateGrant":                         testCreateGrant,
	"ListGrants":                          testListGrants,
	"ListRetirableGrants":                 testListRetirableGrants,
	"RetireGrant":                         testRetireGrant,
	"RevokeGrant":                         testRevokeGrant,
	"ReplicateKey":                        testReplicateKey,
	"UpdatePrimaryRegion":                 testUpdatePrimaryRegion,
	"GetKeyLastUsage":                     testGetKeyLastUsage,
	"CreateCustomKeyStore":                testCreateCustomKeyStore,
	"DescribeCustomKeyStores":             testDescribeCustomKeyStores,
	"UpdateCustomKeyStore":                testUpdateCustomKeyStore,
	"ConnectCustomKeyStore":               testConnectCustomKeyStore,
	"DisconnectCustomKeyStore":            testDisconnectCustomKeyStore,
	"DeleteCustomKeyStore":                testDeleteCustomKeyStore,
}

func TestOperations(t *testing.T) {
	served := awsapi.Operations()
	slices.Sort(served)
	for _, name := range served {
		test, ok := operationTests[name]
		if !ok {
			t.Errorf("%s is served but has no test here", name)
			continue
		}
		t.Run(name, test)
	}
	for name := range operationTests {
		if !slices.Contains(served, name) {
			t.Errorf("%s has a test but is not served", name)
		}
	}
}

// env is a handle and an SDK client on it whose requests are tapped.
type env struct {
	t      *testing.T
	ctx    context.Context // for SDK calls
	direct context.Context // for direct calls: the SDK's principal
	k      *kms.KMS
	clock  *kmstest.Clock
	c      *awskms.Client
	body   []byte           // the last request body the handler received
	inputs map[string][]any // SDK inputs sent by call, by type
	store  *memory.Store    // k's backend, for handles of other Regions
}

// region returns a handle of region on e's backend and clock.
func (e *env) region(region string) *kms.KMS {
	e.t.Helper()
	k, _ := kmstest.NewWithOptions(e.t, kms.Options{Backend: e.store, Clock: e.clock, Region: region})
	return k
}

func newEnv(t *testing.T) *env { return newEnvAs(t, "") }

// newEnvAs is newEnv with a client whose requests act as principal, through
// SigV4 credentials the handler verifies.
func newEnvAs(t *testing.T, principal string) *env {
	t.Helper()
	return newEnvWith(t, principal, kms.Options{})
}

// newEnvWith is newEnvAs with a handle made with opts (on a fresh memory
// backend).
func newEnvWith(t *testing.T, principal string, kopts kms.Options) *env {
	t.Helper()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	kopts.Backend = store
	k, clock := kmstest.NewWithOptions(t, kopts)
	// A fraction of a second, so that timestamps test millisecond precision.
	clock.Advance(1234567 * time.Microsecond)
	e := &env{t: t, ctx: t.Context(), direct: t.Context(), k: k, clock: clock, store: store, inputs: map[string][]any{}}
	var opts []awsapi.Option
	const accessKey, secret = "AKIAEMBEDKMSTEST0001", "test-secret"
	if principal != "" {
		opts = append(opts, awsapi.WithCredentials(map[string]awsapi.Credential{accessKey: {SecretAccessKey: secret, Principal: principal}}))
		e.direct = kms.WithCaller(e.ctx, principal)
	}
	h := awsapi.NewHandler(k, opts...)
	tap := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		e.body = body
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
	e.c = awsapi.NewClient(k, func(o *awskms.Options) {
		o.HTTPClient = awsapi.NewHTTPClient(tap)
		// One request per call: the SDK retries LimitExceededException as
		// throttling, with backoff, and the tap keeps only the last body.
		o.Retryer = aws.NopRetryer{}
		if principal != "" {
			o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}, nil
			})
		}
	})
	return e
}

// key creates a key directly on the handle.
func (e *env) key(in *kms.CreateKeyInput) *kms.KeyMetadata {
	e.t.Helper()
	out, err := e.k.CreateKey(e.ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return out.KeyMetadata
}

// must fails the test now if a direct call failed.
func (e *env) must(_ any, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) describe(keyID string) *kms.KeyMetadata {
	e.t.Helper()
	out, err := e.k.DescribeKey(e.ctx, &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.KeyMetadata
}

func (e *env) tags(keyID string) []kms.Tag {
	e.t.Helper()
	out, err := e.k.ListResourceTags(e.ctx, &kms.ListResourceTagsInput{KeyId: keyID})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Tags
}

// opt adjusts call.
type opt struct {
	// ignore names output members two calls cannot share (fresh random
	// bytes or ids); the test checks them itself.
	ignore []string
	// undo runs between the two calls: it undoes the SDK call's change, so
	// that the direct call meets the same state.
	undo func()
}

// call makes one call through the SDK and the same call, decoded from the
// request the handler received, directly on the handle, and checks that
// both agree. It returns the SDK's output and error and the handle's
// output.
func call[SI, SO, HI, HO any](e *env, viaSDK func(context.Context, *SI, ...func(*awskms.Options)) (*SO, error), direct func(context.Context, *HI) (*HO, error), in *SI, o ...opt) (*SO, *HO, error) {
	e.t.Helper()
	var o1 opt
	if len(o) > 0 {
		o1 = o[0]
	}
	name := reflect.TypeFor[SI]().Name()
	e.inputs[name] = append(e.inputs[name], in)
	e.body = nil
	sdkOut, sdkErr := viaSDK(e.ctx, in)
	if e.body == nil {
		e.t.Fatalf("%s: no request reached the handler: %v", name, sdkErr)
	}
	hin := sent[HI](e, in)
	if o1.undo != nil {
		o1.undo()
	}
	out, err := direct(e.direct, hin)
	if err != nil {
		checkError(e.t, sdkErr, err)
		return sdkOut, out, sdkErr
	}
	if sdkErr != nil {
		e.t.Fatalf("%s: through the SDK: %v; direct: no error", name, sdkErr)
	}
	for _, d := range diffShapes(sdkOut, out, o1.ignore...) {
		e.t.Errorf("%s output: %s", name, d)
	}
	return sdkOut, out, nil
}

// sent decodes the last request the handler received into the handle's
// input shape HI. It fails the test if the request has a member HI does not
// name exactly (the handler would drop it) or a member whose value differs
// from sdkIn's.
func sent[HI any](e *env, sdkIn any) *HI {
	e.t.Helper()
	var raw any
	if err := json.Unmarshal(e.body, &raw); err != nil {
		e.t.Fatalf("request body %q: %v", e.body, err)
	}
	for _, m := range unknownMembers(raw, reflect.TypeFor[HI](), "") {
		e.t.Errorf("request member %s is not a member of %s", m, reflect.TypeFor[HI]().Name())
	}
	hin := new(HI)
	// As the handler decodes it (timestamps are epoch seconds).
	if err := awsapi.DecodeInput(e.body, hin); err != nil {
		e.t.Fatalf("request body %q: %v", e.body, err)
	}
	for _, d := range diffShapes(sdkIn, hin) {
		e.t.Errorf("request: %s", d)
	}
	return hin
}

// unknownMembers lists the members of a decoded JSON value that the shape t
// does not name exactly.
func unknownMembers(raw any, t reflect.Type, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	switch {
	case t.Kind() == reflect.Struct && t != timeType:
		obj, _ := raw.(map[string]any)
		for name, v := range obj {
			f, ok := t.FieldByName(name)
			if !ok || !f.IsExported() {
				out = append(out, path+name)
				continue
			}
			out = append(out, unknownMembers(v, f.Type, path+name+".")...)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		list, _ := raw.([]any)
		for i, v := range list {
			out = append(out, unknownMembers(v, t.Elem(), fmt.Sprintf("%s%d.", path, i))...)
		}
	}
	return out
}

// allMembersSent fails unless, for each SDK input type call sent, every
// member was set in at least one call.
func (e *env) allMembersSent() {
	e.t.Helper()
	for name, ins := range e.inputs {
		typ := reflect.TypeOf(ins[0]).Elem()
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				continue
			}
			set := false
			for _, in := range ins {
				set = set || !reflect.ValueOf(in).Elem().Field(i).IsZero()
			}
			if !set {
				e.t.Errorf("%s.%s is never sent", name, f.Name)
			}
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// sdkLacks lists handle members ("Shape.Member") that
// aws-sdk-go-v2/service/kms v1.62.4 does not have; diffShapes skips them.
// ListKeysRequest's ResourceOwners arrived in v1.63 (tested with raw
// requests: TestListKeysResourceOwnersOnTheWire).
var sdkLacks = map[string]bool{"ListKeysInput.ResourceOwners": true}

// diffShapes compares an SDK shape with the handle's, member by member by
// name: SDK pointers are dereferenced and a nil pointer equals the zero
// value, times are equal to the millisecond (the wire's precision), enums
// compare as strings, nil and empty lists and maps are equal. A member on
// one side only is a difference, except ResultMetadata and sdkLacks. Paths
// in ignore ("KeyMetadata.Arn") are skipped.
func diffShapes(sdk, handle any, ignore ...string) []string {
	d := &differ{ignore: ignore}
	d.diff("", reflect.ValueOf(sdk), reflect.ValueOf(handle))
	return d.diffs
}

type differ struct {
	ignore []string
	diffs  []string
}

func (d *differ) errorf(path, format string, args ...any) {
	d.diffs = append(d.diffs, path+": "+fmt.Sprintf(format, args...))
}

// indirect dereferences v; a nil pointer becomes the zero value.
func indirect(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Zero(v.Type().Elem())
		}
		v = v.Elem()
	}
	return v
}

func (d *differ) diff(path string, s, h reflect.Value) {
	if slices.Contains(d.ignore, path) {
		return
	}
	s, h = indirect(s), indirect(h)
	if (s.Type() == timeType) != (h.Type() == timeType) {
		d.errorf(path, "SDK %s, handle %s", s.Type(), h.Type())
		return
	}
	if h.Type() == timeType {
		st, ht := s.Interface().(time.Time), h.Interface().(time.Time)
		if st.IsZero() != ht.IsZero() || st.UnixMilli() != ht.UnixMilli() {
			d.errorf(path, "SDK %v, handle %v", st, ht)
		}
		return
	}
	if s.Kind() != h.Kind() {
		d.errorf(path, "SDK %s, handle %s", s.Type(), h.Type())
		return
	}
	switch h.Kind() {
	case reflect.String:
		if s.String() != h.String() {
			d.errorf(path, "SDK %q, handle %q", s.String(), h.String())
		}
	case reflect.Bool:
		if s.Bool() != h.Bool() {
			d.errorf(path, "SDK %t, handle %t", s.Bool(), h.Bool())
		}
	case reflect.Int32, reflect.Int64, reflect.Int:
		if s.Int() != h.Int() {
			d.errorf(path, "SDK %d, handle %d", s.Int(), h.Int())
		}
	case reflect.Slice:
		if h.Type().Elem().Kind() == reflect.Uint8 {
			if !bytes.Equal(s.Bytes(), h.Bytes()) {
				d.errorf(path, "SDK %x, handle %x", s.Bytes(), h.Bytes())
			}
			return
		}
		if s.Len() != h.Len() {
			d.errorf(path, "SDK %d items, handle %d", s.Len(), h.Len())
			return
		}
		for i := range h.Len() {
			d.diff(fmt.Sprintf("%s[%d]", path, i), s.Index(i), h.Index(i))
		}
	case reflect.Map:
		if s.Len() != h.Len() {
			d.errorf(path, "SDK %v, handle %v", s, h)
			return
		}
		for _, key := range h.MapKeys() {
			sv := s.MapIndex(key)
			if !sv.IsValid() {
				d.errorf(path, "SDK lacks key %v", key)
				continue
			}
			d.diff(fmt.Sprintf("%s[%v]", path, key), sv, h.MapIndex(key))
		}
	case reflect.Struct:
		prefix := path
		if prefix != "" {
			prefix += "."
		}
		for i := range h.NumField() {
			f := h.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			sf := s.FieldByName(f.Name)
			if !sf.IsValid() {
				if !sdkLacks[h.Type().Name()+"."+f.Name] {
					d.errorf(prefix+f.Name, "missing from the SDK's %s", s.Type())
				}
				continue
			}
			d.diff(prefix+f.Name, sf, h.Field(i))
		}
		for i := range s.NumField() {
			f := s.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			if _, ok := h.Type().FieldByName(f.Name); !ok {
				d.errorf(prefix+f.Name, "missing from the handle's %s", h.Type())
			}
		}
	default:
		d.errorf(path, "cannot compare %s", h.Type())
	}
}

// sdkErrors gives, for each error code the handle produces, the check
// that an error is the SDK's typed error for it (nil where the SDK has no
// type) and the HTTP status AWS KMS sends it with: 400 for every client
// error, whatever the model's httpError trait says (see awsapi/errors.go).
// ValidationException and AccessDeniedException are common AWS errors
// outside the model.
var sdkErrors = map[string]struct {
	is     func(error) bool
	status int
}{
	"AccessDeniedException":                              {nil, 400},
	"AlreadyExistsException":                             {isA[*types.AlreadyExistsException], 400},
	"CloudHsmClusterNotFoundException":                   {isA[*types.CloudHsmClusterNotFoundException], 400},
	"CloudHsmClusterNotRelatedException":                 {isA[*types.CloudHsmClusterNotRelatedException], 400},
	"CustomKeyStoreHasCMKsException":                     {isA[*types.CustomKeyStoreHasCMKsException], 400},
	"CustomKeyStoreInvalidStateException":                {isA[*types.CustomKeyStoreInvalidStateException], 400},
	"CustomKeyStoreNameInUseException":                   {isA[*types.CustomKeyStoreNameInUseException], 400},
	"CustomKeyStoreNotFoundException":                    {isA[*types.CustomKeyStoreNotFoundException], 400},
	"DisabledException":                                  {isA[*types.DisabledException], 400},
	"DryRunOperationException":                           {isA[*types.DryRunOperationException], 400},
	"ExpiredImportTokenException":                        {isA[*types.ExpiredImportTokenException], 400},
	"IncorrectKeyException":                              {isA[*types.IncorrectKeyException], 400},
	"IncorrectKeyMaterialException":                      {isA[*types.IncorrectKeyMaterialException], 400},
	"InvalidAliasNameException":                          {isA[*types.InvalidAliasNameException], 400},
	"InvalidArnException":                                {isA[*types.InvalidArnException], 400},
	"InvalidCiphertextException":                         {isA[*types.InvalidCiphertextException], 400},
	"InvalidGrantTokenException":                         {isA[*types.InvalidGrantTokenException], 400},
	"InvalidImportTokenException":                        {isA[*types.InvalidImportTokenException], 400},
	"InvalidKeyUsageException":                           {isA[*types.InvalidKeyUsageException], 400},
	"InvalidMarkerException":                             {isA[*types.InvalidMarkerException], 400},
	"KMSInvalidSignatureException":                       {isA[*types.KMSInvalidSignatureException], 400},
	"KMSInvalidStateException":                           {isA[*types.KMSInvalidStateException], 400},
	"LimitExceededException":                             {isA[*types.LimitExceededException], 400},
	"MalformedPolicyDocumentException":                   {isA[*types.MalformedPolicyDocumentException], 400},
	"NotFoundException":                                  {isA[*types.NotFoundException], 400},
	"TagException":                                       {isA[*types.TagException], 400},
	"UnsupportedOperationException":                      {isA[*types.UnsupportedOperationException], 400},
	"ValidationException":                                {nil, 400},
	"XksProxyIncorrectAuthenticationCredentialException": {isA[*types.XksProxyIncorrectAuthenticationCredentialException], 400},
}

func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// checkError checks that sdkErr is handleErr (a *kms.Error) as the SDK
// reports it.
func checkError(t *testing.T, sdkErr, handleErr error) {
	t.Helper()
	var want *kms.Error
	if !errors.As(handleErr, &want) {
		t.Fatalf("direct call: %v (%T) is not a *kms.Error", handleErr, handleErr)
	}
	checkCode(t, sdkErr, string(want.Code), want.Message)
}

// checkCode checks that err is an SDK error with code and message: an
// smithy.APIError, the SDK's typed error where it has one, with the
// model's HTTP status.
func checkCode(t *testing.T, err error, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("%v (%T) is not a smithy.APIError", err, err)
	}
	if api.ErrorCode() != code || api.ErrorMessage() != message {
		t.Errorf("got %s %q\nwant %s %q", api.ErrorCode(), api.ErrorMessage(), code, message)
	}
	want, ok := sdkErrors[code]
	if !ok {
		t.Errorf("%s is not in sdkErrors", code)
		return
	}
	if want.is != nil && !want.is(err) {
		t.Errorf("%s arrived as %T, not the SDK's typed error", code, api)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("%v (%T) is not an awshttp.ResponseError", err, err)
	} else if re.HTTPStatusCode() != want.status {
		t.Errorf("%s: HTTP status %d, the model says %d", code, re.HTTPStatusCode(), want.status)
	}
}

// wantCode fails unless err is an API error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != code {
		t.Errorf("got %v, want %s", err, code)
	}
}

func sdkTags(kv ...string) []types.Tag {
	var tags []types.Tag
	for i := 0; i < len(kv); i += 2 {
		tags = append(tags, types.Tag{TagKey: aws.String(kv[i]), TagValue: aws.String(kv[i+1])})
	}
	return tags
}

func handleTags(kv ...string) []kms.Tag {
	var tags []kms.Tag
	for i := 0; i < len(kv); i += 2 {
		tags = append(tags, kms.Tag{TagKey: kv[i], TagValue: kv[i+1]})
	}
	return tags
}

var (
	grantTokens = []string{"AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNGY3NiKIAQEBAgB4Pa6VDCWW__MSrqnre1HIN0Grt00ViSSuUjhqOC8OT3YAAADfMIHcBgkqhkiG9w0BBwaggc4wgcsCAQAwgcUGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMi1qbB3gvkIGMHgl7AgEQgIGW"}
	recipient   = &types.RecipientInfo{KeyEncryptionAlgorithm: types.KeyEncryptionMechanismRsaesOaepSha256, AttestationDocument: []byte("an attestation document")}
	ec          = map[string]string{"tenant": "acme", "purpose": "test"}
)

func testCreateKey(t *testing.T) {
	e := newEnv(t)
	newIDs := opt{ignore: []string{"KeyMetadata.KeyId", "KeyMetadata.Arn", "KeyMetadata.CurrentKeyMaterialId", "KeyMetadata.MultiRegionConfiguration.PrimaryKey.Arn"}}
	in := &awskms.CreateKeyInput{
		Policy:                         aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`),
		Description:                    aws.String("created through the SDK"),
		KeyUsage:                       types.KeyUsageTypeEncryptDecrypt,
		KeySpec:                        types.KeySpecSymmetricDefault,
		Origin:                         types.OriginTypeAwsKms,
		BypassPolicyLockoutSafetyCheck: true,
		Tags:                           sdkTags("team", "crypto", "empty", ""),
		MultiRegion:                    aws.Bool(true),
	}
	out, _, err := call(e, e.c.CreateKey, e.k.CreateKey, in, newIDs)
	if err != nil {
		t.Fatal(err)
	}
	md := e.describe(*out.KeyMetadata.KeyId)
	for _, d := range diffShapes(out.KeyMetadata, md) {
		t.Errorf("CreateKey output against DescribeKey: %s", d)
	}
	if !strings.HasPrefix(md.KeyId, "mrk-") || !md.MultiRegion || md.Description != "created through the SDK" {
		t.Errorf("MultiRegion or Description lost: %+v", md)
	}
	if got := e.tags(md.KeyId); !slices.Equal(got, handleTags("empty", "", "team", "crypto")) {
		t.Errorf("tags %v", got)
	}

	// The deprecated CustomerMasterKeySpec in place of KeySpec.
	if _, _, err := call(e, e.c.CreateKey, e.k.CreateKey, &awskms.CreateKeyInput{CustomerMasterKeySpec: types.CustomerMasterKeySpecSymmetricDefault}, newIDs); err != nil {
		t.Fatal(err)
	}
	// Members not usable yet: their errors show they reach the handle.
	_, _, err = call(e, e.c.CreateKey, e.k.CreateKey, &awskms.CreateKeyInput{CustomKeyStoreId: aws.String("cks-1234567890abcdef0")})
	wantCode(t, err, "CustomKeyStoreNotFoundException")
	_, _, err = call(e, e.c.CreateKey, e.k.CreateKey, &awskms.CreateKeyInput{XksKeyId: aws.String("external-key-1")})
	wantCode(t, err, "ValidationException")
	e.allMembersSent()
}

func testDescribeKey(t *testing.T) {
	e := newEnv(t)
	// A key with as many metadata members set as the handle sets today.
	md := e.key(&kms.CreateKeyInput{Description: "described", MultiRegion: true})
	e.must(e.k.CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: "alias/described", TargetKeyId: md.KeyId}))
	e.must(e.k.ScheduleKeyDeletion(e.ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7}))
	aliasARN := "arn:aws:kms:us-east-1:111122223333:alias/described"
	out, _, err := call(e, e.c.DescribeKey, e.k.DescribeKey, &awskms.DescribeKeyInput{KeyId: aws.String(aliasARN)})
	if err != nil {
		t.Fatal(err)
	}
	if out.KeyMetadata.DeletionDate == nil || out.KeyMetadata.MultiRegionConfiguration == nil {
		t.Errorf("members lost: %+v", out.KeyMetadata)
	}
	// GrantTokens reach the handle (the call compares the decoded input);
	// DescribeKey does not check them (no InvalidGrantTokenException in its
	// model error list).
	if _, _, err = call(e, e.c.DescribeKey, e.k.DescribeKey, &awskms.DescribeKeyInput{KeyId: aws.String(md.KeyId), GrantTokens: grantTokens}); err != nil {
		t.Fatal(err)
	}
	e.allMembersSent()
}

func testListKeys(t *testing.T) {
	e := newEnv(t)
	for range 5 {
		e.key(nil)
	}
	out, _, err := call(e, e.c.ListKeys, e.k.ListKeys, &awskms.ListKeysInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Keys) != 2 || !out.Truncated {
		t.Fatalf("first page: %d keys, truncated %t", len(out.Keys), out.Truncated)
	}
	out, _, err = call(e, e.c.ListKeys, e.k.ListKeys, &awskms.ListKeysInput{Limit: aws.Int32(3), Marker: out.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Keys) != 3 || out.Truncated {
		t.Fatalf("last page: %d keys, truncated %t", len(out.Keys), out.Truncated)
	}
	e.allMembersSent()
}

func testUpdateKeyDescription(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{Description: "old"}).KeyId
	if _, _, err := call(e, e.c.UpdateKeyDescription, e.k.UpdateKeyDescription, &awskms.UpdateKeyDescriptionInput{KeyId: aws.String(id), Description: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	if d := e.describe(id).Description; d != "new" {
		t.Errorf("Description %q", d)
	}
	e.allMembersSent()
}

func testEnableKey(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	e.must(e.k.DisableKey(e.ctx, &kms.DisableKeyInput{KeyId: id}))
	if _, _, err := call(e, e.c.EnableKey, e.k.EnableKey, &awskms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if s := e.describe(id).KeyState; s != kms.KeyStateEnabled {
		t.Errorf("KeyState %s", s)
	}
	e.allMembersSent()
}

func testDisableKey(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	if _, _, err := call(e, e.c.DisableKey, e.k.DisableKey, &awskms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if s := e.describe(id).KeyState; s != kms.KeyStateDisabled {
		t.Errorf("KeyState %s", s)
	}
	e.allMembersSent()
}

func testScheduleKeyDeletion(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	cancel := func() { e.must(e.k.CancelKeyDeletion(e.ctx, &kms.CancelKeyDeletionInput{KeyId: id})) }
	out, _, err := call(e, e.c.ScheduleKeyDeletion, e.k.ScheduleKeyDeletion, &awskms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(8)}, opt{undo: cancel})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(8 * 24 * time.Hour); !out.DeletionDate.Equal(want.Truncate(time.Millisecond)) || *out.PendingWindowInDays != 8 {
		t.Errorf("DeletionDate %v (want %v), PendingWindowInDays %d", out.DeletionDate, want, *out.PendingWindowInDays)
	}
	e.allMembersSent()
}

func testCancelKeyDeletion(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	schedule := func() {
		e.must(e.k.ScheduleKeyDeletion(e.ctx, &kms.ScheduleKeyDeletionInput{KeyId: id}))
	}
	schedule()
	if _, _, err := call(e, e.c.CancelKeyDeletion, e.k.CancelKeyDeletion, &awskms.CancelKeyDeletionInput{KeyId: aws.String(id)}, opt{undo: schedule}); err != nil {
		t.Fatal(err)
	}
	if md := e.describe(id); md.KeyState != kms.KeyStateDisabled || !md.DeletionDate.IsZero() {
		t.Errorf("KeyState %s, DeletionDate %v", md.KeyState, md.DeletionDate)
	}
	e.allMembersSent()
}

func testEnableKeyRotation(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	if _, _, err := call(e, e.c.EnableKeyRotation, e.k.EnableKeyRotation, &awskms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(180)}); err != nil {
		t.Fatal(err)
	}
	st, err := e.k.GetKeyRotationStatus(e.ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	e.must(st, err)
	if !st.KeyRotationEnabled || st.RotationPeriodInDays != 180 {
		t.Errorf("status %+v", st)
	}
	// Out of range: the model's ValidationException through the SDK.
	_, _, err = call(e, e.c.EnableKeyRotation, e.k.EnableKeyRotation, &awskms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(89)})
	wantCode(t, err, "ValidationException")
	// An HMAC key: UnsupportedOperationException, with no message.
	hmac := e.key(&kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}).KeyId
	_, _, err = call(e, e.c.EnableKeyRotation, e.k.EnableKeyRotation, &awskms.EnableKeyRotationInput{KeyId: aws.String(hmac)})
	wantCode(t, err, "UnsupportedOperationException")
	e.allMembersSent()
}

func testDisableKeyRotation(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	enable := func() { e.must(e.k.EnableKeyRotation(e.ctx, &kms.EnableKeyRotationInput{KeyId: id})) }
	enable()
	if _, _, err := call(e, e.c.DisableKeyRotation, e.k.DisableKeyRotation, &awskms.DisableKeyRotationInput{KeyId: aws.String(id)}, opt{undo: enable}); err != nil {
		t.Fatal(err)
	}
	st, err := e.k.GetKeyRotationStatus(e.ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	e.must(st, err)
	if st.KeyRotationEnabled {
		t.Errorf("status %+v", st)
	}
	e.must(e.k.DisableKey(e.ctx, &kms.DisableKeyInput{KeyId: id}))
	_, _, err = call(e, e.c.DisableKeyRotation, e.k.DisableKeyRotation, &awskms.DisableKeyRotationInput{KeyId: aws.String(id)})
	wantCode(t, err, "DisabledException")
	e.allMembersSent()
}

func testGetKeyRotationStatus(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	e.must(e.k.EnableKeyRotation(e.ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: 90}))
	// Every member the handle sets; the dates to the millisecond.
	out, _, err := call(e, e.c.GetKeyRotationStatus, e.k.GetKeyRotationStatus, &awskms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if !out.KeyRotationEnabled || *out.RotationPeriodInDays != 90 || !out.NextRotationDate.Equal(e.clock.Now().Add(90*24*time.Hour).Truncate(time.Millisecond)) || out.OnDemandRotationStartDate != nil {
		t.Errorf("status %+v", out)
	}
	e.allMembersSent()
}

// testGetKeyLastUsage: a key never used has no KeyLastUsage and is
// tracked from its creation; after an Encrypt through the SDK, the last
// usage names it, at the clock's time, with the x-amzn-RequestId of its
// response as KmsRequestId.
func testGetKeyLastUsage(t *testing.T) {
	e := newEnv(t)
	md := e.key(nil)
	out, _, err := call(e, e.c.GetKeyLastUsage, e.k.GetKeyLastUsage, &awskms.GetKeyLastUsageInput{KeyId: aws.String(md.KeyId)})
	if err != nil {
		t.Fatal(err)
	}
	created := md.CreationDate.Truncate(time.Millisecond)
	if *out.KeyId != md.Arn || out.KeyLastUsage != nil || !out.KeyCreationDate.Equal(created) || !out.TrackingStartDate.Equal(created) {
		t.Fatalf("never used: %+v", out)
	}
	e.clock.Advance(time.Minute)
	enc, err := e.c.Encrypt(e.ctx, &awskms.EncryptInput{KeyId: aws.String(md.KeyId), Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	reqID, ok := awsmiddleware.GetRequestIDMetadata(enc.ResultMetadata)
	if !ok || reqID == "" {
		t.Fatal("no request id")
	}
	out, _, err = call(e, e.c.GetKeyLastUsage, e.k.GetKeyLastUsage, &awskms.GetKeyLastUsageInput{KeyId: aws.String(md.Arn)})
	if err != nil {
		t.Fatal(err)
	}
	u := out.KeyLastUsage
	if u == nil || u.Operation != types.KeyLastUsageTrackingOperationEncrypt || !u.Timestamp.Equal(e.clock.Now().Truncate(time.Millisecond)) || *u.KmsRequestId != reqID || len(*u.CloudTrailEventId) != 36 {
		t.Fatalf("after Encrypt: %+v", u)
	}
	e.allMembersSent()
}

func testRotateKeyOnDemand(t *testing.T) {
	e := newEnv(t)
	md := e.key(nil)
	out, _, err := call(e, e.c.RotateKeyOnDemand, e.k.RotateKeyOnDemand, &awskms.RotateKeyOnDemandInput{KeyId: aws.String(md.KeyId)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.KeyId != md.Arn {
		t.Errorf("KeyId %s", *out.KeyId)
	}
	if cur := e.describe(md.KeyId).CurrentKeyMaterialId; cur == md.CurrentKeyMaterialId {
		t.Error("the key did not rotate")
	}
	// Up to the limit (two made), then LimitExceededException.
	for range kms.MaxOnDemandRotations - 2 {
		e.must(e.k.RotateKeyOnDemand(e.ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
	}
	_, _, err = call(e, e.c.RotateKeyOnDemand, e.k.RotateKeyOnDemand, &awskms.RotateKeyOnDemandInput{KeyId: aws.String(md.KeyId)})
	wantCode(t, err, "LimitExceededException")
	e.allMembersSent()
}

func testListKeyRotations(t *testing.T) {
	e := newEnv(t)
	md := e.key(nil)
	for range 3 {
		e.clock.Advance(time.Hour)
		e.must(e.k.RotateKeyOnDemand(e.ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
	}
	e.must(e.k.EnableKeyRotation(e.ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId}))
	e.clock.Advance(365 * 24 * time.Hour)
	out, _, err := call(e, e.c.ListKeyRotations, e.k.ListKeyRotations, &awskms.ListKeyRotationsInput{KeyId: aws.String(md.KeyId), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial, Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Rotations) != 3 || !out.Truncated || out.Rotations[0].RotationDate != nil || *out.Rotations[0].KeyMaterialId != md.CurrentKeyMaterialId {
		t.Fatalf("first page %+v", out)
	}
	out, _, err = call(e, e.c.ListKeyRotations, e.k.ListKeyRotations, &awskms.ListKeyRotationsInput{KeyId: aws.String(md.KeyId), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial, Limit: aws.Int32(3), Marker: out.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	last := out.Rotations[len(out.Rotations)-1]
	if len(out.Rotations) != 2 || out.Truncated || out.Rotations[0].RotationType != types.RotationTypeOnDemand || last.RotationType != types.RotationTypeAutomatic || last.KeyMaterialState != types.KeyMaterialStateCurrent || !last.RotationDate.Equal(e.clock.Now().Truncate(time.Millisecond)) {
		t.Fatalf("last page %+v", out)
	}
	_, _, err = call(e, e.c.ListKeyRotations, e.k.ListKeyRotations, &awskms.ListKeyRotationsInput{KeyId: aws.String(md.KeyId), Marker: aws.String("bad")})
	wantCode(t, err, "InvalidMarkerException")
	e.allMembersSent()
}

// decrypts fails unless blob decrypts on the handle, under ctx, to want.
func (e *env) decrypts(blob []byte, ctx map[string]string, want []byte) {
	e.t.Helper()
	out, err := e.k.Decrypt(e.ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ctx})
	if err != nil {
		e.t.Fatalf("decrypting the SDK's ciphertext: %v", err)
	}
	if !bytes.Equal(out.Plaintext, want) {
		e.t.Errorf("decrypted %x, want %x", out.Plaintext, want)
	}
}

// refuses fails unless blob is refused without ctx: it was bound to one.
func (e *env) refuses(blob []byte) {
	e.t.Helper()
	if _, err := e.k.Decrypt(e.ctx, &kms.DecryptInput{CiphertextBlob: blob}); !errors.Is(err, kms.ErrInvalidCiphertext) {
		e.t.Errorf("decrypt without the encryption context: %v", err)
	}
}

func testEncrypt(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	e.must(e.k.CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: "alias/enc", TargetKeyId: id}))
	pt := []byte("attack at dawn")
	in := &awskms.EncryptInput{KeyId: aws.String("alias/enc"), Plaintext: pt, EncryptionContext: ec, EncryptionAlgorithm: types.EncryptionAlgorithmSpecSymmetricDefault}
	out, _, err := call(e, e.c.Encrypt, e.k.Encrypt, in, opt{ignore: []string{"CiphertextBlob"}})
	if err != nil {
		t.Fatal(err)
	}
	e.decrypts(out.CiphertextBlob, ec, pt)
	e.refuses(out.CiphertextBlob)

	_, _, err = call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: pt, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: pt, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}

func testDecrypt(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	other := e.key(nil).KeyId
	pt := []byte("attack at dawn")
	enc, err := e.k.Encrypt(e.ctx, &kms.EncryptInput{KeyId: id, Plaintext: pt, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	in := &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String(id), EncryptionAlgorithm: types.EncryptionAlgorithmSpecSymmetricDefault}
	out, _, err := call(e, e.c.Decrypt, e.k.Decrypt, in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Plaintext, pt) || out.KeyMaterialId == nil {
		t.Errorf("Plaintext %q, KeyMaterialId %v", out.Plaintext, out.KeyMaterialId)
	}
	// KeyId reaches the handle: another key's id is refused.
	_, _, err = call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String(other)})
	wantCode(t, err, "IncorrectKeyException")
	// DryRunModifiers reach it: IGNORE_CIPHERTEXT makes a bad blob pass the dry run.
	_, _, err = call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: []byte("not a ciphertext"), KeyId: aws.String(id),
		DryRun: aws.Bool(true), DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	_, _, err = call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, Recipient: recipient})
	wantCode(t, err, "ValidationException")
	e.allMembersSent()
}

func testReEncrypt(t *testing.T) {
	e := newEnv(t)
	src := e.key(nil).KeyId
	dst := e.key(nil).KeyId
	pt := []byte("attack at dawn")
	enc, err := e.k.Encrypt(e.ctx, &kms.EncryptInput{KeyId: src, Plaintext: pt, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	dstEC := map[string]string{"tenant": "other"}
	in := &awskms.ReEncryptInput{
		CiphertextBlob:                 enc.CiphertextBlob,
		SourceEncryptionContext:        ec,
		SourceKeyId:                    aws.String(src),
		SourceEncryptionAlgorithm:      types.EncryptionAlgorithmSpecSymmetricDefault,
		DestinationKeyId:               aws.String(dst),
		DestinationEncryptionContext:   dstEC,
		DestinationEncryptionAlgorithm: types.EncryptionAlgorithmSpecSymmetricDefault,
	}
	out, _, err := call(e, e.c.ReEncrypt, e.k.ReEncrypt, in, opt{ignore: []string{"CiphertextBlob"}})
	if err != nil {
		t.Fatal(err)
	}
	e.decrypts(out.CiphertextBlob, dstEC, pt)
	e.refuses(out.CiphertextBlob)

	_, _, err = call(e, e.c.ReEncrypt, e.k.ReEncrypt, &awskms.ReEncryptInput{CiphertextBlob: []byte("not a ciphertext"), SourceKeyId: aws.String(src), DestinationKeyId: aws.String(dst),
		DryRun: aws.Bool(true), DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
	wantCode(t, err, "DryRunOperationException")
	_, _, err = call(e, e.c.ReEncrypt, e.k.ReEncrypt, &awskms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: aws.String(dst), GrantTokens: grantTokens})
	wantCode(t, err, "InvalidGrantTokenException")
	e.allMembersSent()
}

func testGenerateDataKey(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	fresh := opt{ignore: []string{"CiphertextBlob", "Plaintext"}}
	for _, in := range []*awskms.GenerateDataKeyInput{
		{KeyId: aws.String(id), EncryptionContext: ec, KeySpec: types.DataKeySpecAes256},
		{KeyId: aws.String(id), EncryptionContext: ec, NumberOfBytes: aws.Int32(48)},
	} {
		out, _, err := call(e, e.c.GenerateDataKey, e.k.GenerateDataKey, in, fresh)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out.Plaintext); n != 32 && n != 48 {
			t.Errorf("data key of %d bytes", n)
		}
		e.decrypts(out.CiphertextBlob, ec, out.Plaintext)
		e.refuses(out.CiphertextBlob)
	}
	for code, in := range map[string]*awskms.GenerateDataKeyInput{
		"ValidationException":        {KeyId: aws.String(id), KeySpec: types.DataKeySpecAes128, NumberOfBytes: aws.Int32(16)}, // one or the other
		"DryRunOperationException":   {KeyId: aws.String(id), KeySpec: types.DataKeySpecAes128, DryRun: aws.Bool(true)},
		"InvalidGrantTokenException": {KeyId: aws.String(id), KeySpec: types.DataKeySpecAes128, GrantTokens: grantTokens},
	} {
		_, _, err := call(e, e.c.GenerateDataKey, e.k.GenerateDataKey, in)
		wantCode(t, err, code)
	}
	_, _, err := call(e, e.c.GenerateDataKey, e.k.GenerateDataKey, &awskms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: types.DataKeySpecAes128, Recipient: recipient})
	wantCode(t, err, "ValidationException")
	e.allMembersSent()
}

func testGenerateDataKeyWithoutPlaintext(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	for _, in := range []*awskms.GenerateDataKeyWithoutPlaintextInput{
		{KeyId: aws.String(id), EncryptionContext: ec, KeySpec: types.DataKeySpecAes128},
		{KeyId: aws.String(id), EncryptionContext: ec, NumberOfBytes: aws.Int32(48)},
	} {
		out, _, err := call(e, e.c.GenerateDataKeyWithoutPlaintext, e.k.GenerateDataKeyWithoutPlaintext, in, opt{ignore: []string{"CiphertextBlob"}})
		if err != nil {
			t.Fatal(err)
		}
		dk, err := e.k.Decrypt(e.ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(dk.Plaintext); n != 16 && n != 48 {
			t.Errorf("data key of %d bytes", n)
		}
		e.refuses(out.CiphertextBlob)
	}
	for code, in := range map[string]*awskms.GenerateDataKeyWithoutPlaintextInput{
		"DryRunOperationException":   {KeyId: aws.String(id), KeySpec: types.DataKeySpecAes128, DryRun: aws.Bool(true)},
		"InvalidGrantTokenException": {KeyId: aws.String(id), KeySpec: types.DataKeySpecAes128, GrantTokens: grantTokens},
	} {
		_, _, err := call(e, e.c.GenerateDataKeyWithoutPlaintext, e.k.GenerateDataKeyWithoutPlaintext, in)
		wantCode(t, err, code)
	}
	e.allMembersSent()
}

func testGenerateDataKeyPair(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	in := &awskms.GenerateDataKeyPairInput{KeyId: aws.String(id), EncryptionContext: ec, KeyPairSpec: types.DataKeyPairSpecEccNistP256}
	out, _, err := call(e, e.c.GenerateDataKeyPair, e.k.GenerateDataKeyPair, in, opt{ignore: []string{"PrivateKeyCiphertextBlob", "PrivateKeyPlaintext", "PublicKey"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParsePKCS8PrivateKey(out.PrivateKeyPlaintext); err != nil {
		t.Errorf("PrivateKeyPlaintext: %v", err)
	}
	if _, err := x509.ParsePKIXPublicKey(out.PublicKey); err != nil {
		t.Errorf("PublicKey: %v", err)
	}
	e.decrypts(out.PrivateKeyCiphertextBlob, ec, out.PrivateKeyPlaintext)
	e.refuses(out.PrivateKeyCiphertextBlob)
	for code, in := range map[string]*awskms.GenerateDataKeyPairInput{
		"DryRunOperationException":   {KeyId: aws.String(id), KeyPairSpec: types.DataKeyPairSpecEccNistP256, DryRun: aws.Bool(true)},
		"InvalidGrantTokenException": {KeyId: aws.String(id), KeyPairSpec: types.DataKeyPairSpecEccNistP256, GrantTokens: grantTokens},
	} {
		_, _, err := call(e, e.c.GenerateDataKeyPair, e.k.GenerateDataKeyPair, in)
		wantCode(t, err, code)
	}
	_, _, err = call(e, e.c.GenerateDataKeyPair, e.k.GenerateDataKeyPair, &awskms.GenerateDataKeyPairInput{KeyId: aws.String(id), KeyPairSpec: types.DataKeyPairSpecEccNistP256, Recipient: recipient})
	wantCode(t, err, "ValidationException")
	e.allMembersSent()
}

func testGenerateDataKeyPairWithoutPlaintext(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	in := &awskms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: aws.String(id), EncryptionContext: ec, KeyPairSpec: types.DataKeyPairSpecEccNistEdwards25519}
	out, _, err := call(e, e.c.GenerateDataKeyPairWithoutPlaintext, e.k.GenerateDataKeyPairWithoutPlaintext, in, opt{ignore: []string{"PrivateKeyCiphertextBlob", "PublicKey"}})
	if err != nil {
		t.Fatal(err)
	}
	dk, err := e.k.Decrypt(e.ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParsePKCS8PrivateKey(dk.Plaintext); err != nil {
		t.Errorf("decrypted private key: %v", err)
	}
	e.refuses(out.PrivateKeyCiphertextBlob)
	for code, in := range map[string]*awskms.GenerateDataKeyPairWithoutPlaintextInput{
		"DryRunOperationException":   {KeyId: aws.String(id), KeyPairSpec: types.DataKeyPairSpecEccNistP256, DryRun: aws.Bool(true)},
		"InvalidGrantTokenException": {KeyId: aws.String(id), KeyPairSpec: types.DataKeyPairSpecEccNistP256, GrantTokens: grantTokens},
	} {
		_, _, err := call(e, e.c.GenerateDataKeyPairWithoutPlaintext, e.k.GenerateDataKeyPairWithoutPlaintext, in)
		wantCode(t, err, code)
	}
	e.allMembersSent()
}

func testGenerateRandom(t *testing.T) {
	e := newEnv(t)
	out, _, err := call(e, e.c.GenerateRandom, e.k.GenerateRandom, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)}, opt{ignore: []string{"Plaintext"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Plaintext) != 1024 || bytes.Equal(out.Plaintext, make([]byte, 1024)) {
		t.Errorf("%d bytes: %x", len(out.Plaintext), out.Plaintext)
	}
	_, _, err = call(e, e.c.GenerateRandom, e.k.GenerateRandom, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(16), CustomKeyStoreId: aws.String("cks-1234567890abcdef0")})
	wantCode(t, err, "CustomKeyStoreNotFoundException")
	_, _, err = call(e, e.c.GenerateRandom, e.k.GenerateRandom, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(16), Recipient: recipient})
	wantCode(t, err, "ValidationException")
	e.allMembersSent()
}

// aliases lists the handle's aliases but the predefined aliases of AWS
// managed keys not created yet (no TargetKeyId).
func (e *env) aliases() []kms.AliasListEntry {
	e.t.Helper()
	out, err := e.k.ListAliases(e.ctx, &kms.ListAliasesInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	var as []kms.AliasListEntry
	for _, a := range out.Aliases {
		if a.TargetKeyId != "" {
			as = append(as, a)
		}
	}
	return as
}

func testCreateAlias(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	del := func() { e.must(e.k.DeleteAlias(e.ctx, &kms.DeleteAliasInput{AliasName: "alias/new"})) }
	if _, _, err := call(e, e.c.CreateAlias, e.k.CreateAlias, &awskms.CreateAliasInput{AliasName: aws.String("alias/new"), TargetKeyId: aws.String(id)}, opt{undo: del}); err != nil {
		t.Fatal(err)
	}
	if a := e.aliases(); len(a) != 1 || a[0].AliasName != "alias/new" || a[0].TargetKeyId != id {
		t.Errorf("aliases %+v", a)
	}
	e.allMembersSent()
}

func testUpdateAlias(t *testing.T) {
	e := newEnv(t)
	from, to := e.key(nil).KeyId, e.key(nil).KeyId
	e.must(e.k.CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: "alias/moving", TargetKeyId: from}))
	e.clock.Advance(time.Hour)
	if _, _, err := call(e, e.c.UpdateAlias, e.k.UpdateAlias, &awskms.UpdateAliasInput{AliasName: aws.String("alias/moving"), TargetKeyId: aws.String(to)}); err != nil {
		t.Fatal(err)
	}
	if a := e.aliases(); len(a) != 1 || a[0].TargetKeyId != to || !a[0].LastUpdatedDate.Equal(e.clock.Now()) {
		t.Errorf("aliases %+v", a)
	}
	e.allMembersSent()
}

func testDeleteAlias(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	create := func() {
		e.must(e.k.CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: "alias/doomed", TargetKeyId: id}))
	}
	create()
	if _, _, err := call(e, e.c.DeleteAlias, e.k.DeleteAlias, &awskms.DeleteAliasInput{AliasName: aws.String("alias/doomed")}, opt{undo: create}); err != nil {
		t.Fatal(err)
	}
	if a := e.aliases(); len(a) != 0 {
		t.Errorf("aliases %+v", a)
	}
	e.allMembersSent()
}

func testListAliases(t *testing.T) {
	e := newEnv(t)
	k1, k2 := e.key(nil), e.key(nil)
	for _, a := range []struct{ name, key string }{{"alias/a1", k1.KeyId}, {"alias/a2", k1.KeyId}, {"alias/a3", k1.KeyId}, {"alias/b1", k2.KeyId}} {
		e.must(e.k.CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: a.name, TargetKeyId: a.key}))
		e.clock.Advance(1001 * time.Millisecond)
	}
	e.must(e.k.UpdateAlias(e.ctx, &kms.UpdateAliasInput{AliasName: "alias/b1", TargetKeyId: k1.KeyId}))

	all, _, err := call(e, e.c.ListAliases, e.k.ListAliases, &awskms.ListAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	// Four and the predefined aliases of AWS managed keys.
	if len(all.Aliases) != 4+len(kms.ManagedKeyServices()) || all.Truncated {
		t.Fatalf("%d aliases, truncated %t", len(all.Aliases), all.Truncated)
	}
	out, _, err := call(e, e.c.ListAliases, e.k.ListAliases, &awskms.ListAliasesInput{KeyId: aws.String(k1.Arn), Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Aliases) != 3 || !out.Truncated {
		t.Fatalf("first page: %d aliases, truncated %t", len(out.Aliases), out.Truncated)
	}
	out, _, err = call(e, e.c.ListAliases, e.k.ListAliases, &awskms.ListAliasesInput{KeyId: aws.String(k1.Arn), Limit: aws.Int32(3), Marker: out.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Aliases) != 1 || out.Truncated || *out.Aliases[0].AliasName != "alias/b1" {
		t.Fatalf("last page: %+v, truncated %t", out.Aliases, out.Truncated)
	}
	e.allMembersSent()
}

func testTagResource(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{Tags: handleTags("a", "old")}).KeyId
	if _, _, err := call(e, e.c.TagResource, e.k.TagResource, &awskms.TagResourceInput{KeyId: aws.String(id), Tags: sdkTags("a", "new", "b", "")}); err != nil {
		t.Fatal(err)
	}
	if got := e.tags(id); !slices.Equal(got, handleTags("a", "new", "b", "")) {
		t.Errorf("tags %v", got)
	}
	e.allMembersSent()
}

func testUntagResource(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{Tags: handleTags("a", "1", "b", "2", "c", "3")}).KeyId
	if _, _, err := call(e, e.c.UntagResource, e.k.UntagResource, &awskms.UntagResourceInput{KeyId: aws.String(id), TagKeys: []string{"a", "c", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.tags(id); !slices.Equal(got, handleTags("b", "2")) {
		t.Errorf("tags %v", got)
	}
	e.allMembersSent()
}

func testListResourceTags(t *testing.T) {
	e := newEnv(t)
	id := e.key(&kms.CreateKeyInput{Tags: handleTags("a", "1", "b", "", "c", "3", "d", "4")}).KeyId
	out, _, err := call(e, e.c.ListResourceTags, e.k.ListResourceTags, &awskms.ListResourceTagsInput{KeyId: aws.String(id), Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 3 || !out.Truncated {
		t.Fatalf("first page: %d tags, truncated %t", len(out.Tags), out.Truncated)
	}
	// TagValue is required in the model: an empty value is sent, not
	// omitted, so SDK users may dereference it.
	if out.Tags[1].TagValue == nil {
		t.Errorf("empty TagValue of %q arrived as nil", *out.Tags[1].TagKey)
	}
	out, _, err = call(e, e.c.ListResourceTags, e.k.ListResourceTags, &awskms.ListResourceTagsInput{KeyId: aws.String(id), Limit: aws.Int32(3), Marker: out.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 1 || out.Truncated {
		t.Fatalf("last page: %d tags, truncated %t", len(out.Tags), out.Truncated)
	}
	e.allMembersSent()
}

func testGetKeyPolicy(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	out, _, err := call(e, e.c.GetKeyPolicy, e.k.GetKeyPolicy, &awskms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.PolicyName) != "default" || !strings.Contains(aws.ToString(out.Policy), `"Sid" : "Enable IAM User Permissions"`) {
		t.Fatalf("GetKeyPolicy = %q, %q", aws.ToString(out.PolicyName), aws.ToString(out.Policy))
	}
	e.allMembersSent()
}

func testListKeyPolicies(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	out, _, err := call(e, e.c.ListKeyPolicies, e.k.ListKeyPolicies, &awskms.ListKeyPoliciesInput{KeyId: aws.String(id), Limit: aws.Int32(10), Marker: aws.String("m")})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.PolicyNames, []string{"default"}) || out.Truncated {
		t.Fatalf("ListKeyPolicies = %v, truncated %t", out.PolicyNames, out.Truncated)
	}
	e.allMembersSent()
}

func testPutKeyPolicy(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"NoEncrypt","Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*"}]}`
	if _, _, err := call(e, e.c.PutKeyPolicy, e.k.PutKeyPolicy, &awskms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default"), Policy: aws.String(pol), BypassPolicyLockoutSafetyCheck: false}); err != nil {
		t.Fatal(err)
	}
	// The same policy again, bypassing the lockout check.
	if _, _, err := call(e, e.c.PutKeyPolicy, e.k.PutKeyPolicy, &awskms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(pol), BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Fatal(err)
	}
	e.allMembersSent()
	got, err := e.k.GetKeyPolicy(e.ctx, &kms.GetKeyPolicyInput{KeyId: id})
	if err != nil || got.Policy != pol {
		t.Fatalf("stored policy = %q, %v", got.Policy, err)
	}
	// The new policy is in force for the next request over the wire.
	_, err = e.c.Encrypt(e.ctx, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	var denied smithy.APIError
	if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" || !strings.Contains(denied.ErrorMessage(), "with an explicit deny in a resource-based policy") {
		t.Fatalf("Encrypt after PutKeyPolicy: %v", err)
	}
}

const grantee = "arn:aws:iam::111122223333:user/Grantee"

// grant creates a grant directly on the handle.
func (e *env) grant(keyID string) *kms.CreateGrantOutput {
	e.t.Helper()
	out, err := e.k.CreateGrant(e.ctx, &kms.CreateGrantInput{KeyId: keyID, GranteePrincipal: grantee, RetiringPrincipal: grantee,
		Operations: []kms.GrantOperation{kms.GrantOperationEncrypt, kms.GrantOperationDecrypt}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func testCreateGrant(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	token := e.grant(id).GrantToken
	newGrant := opt{ignore: []string{"GrantId", "GrantToken"}}
	out, _, err := call(e, e.c.CreateGrant, e.k.CreateGrant, &awskms.CreateGrantInput{
		KeyId: aws.String(id), GranteePrincipal: aws.String(grantee), RetiringPrincipal: aws.String(grantee),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDescribeKey},
		Constraints: &types.GrantConstraints{EncryptionContextEquals: map[string]string{"a": "b"}, EncryptionContextSubset: map[string]string{}},
		GrantTokens: []string{token}, Name: aws.String("wire-grant"),
	}, newGrant)
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(out.GrantId)) != 64 || aws.ToString(out.GrantToken) == "" {
		t.Fatalf("CreateGrant = %+v", out)
	}
	// A grant to a service principal, on behalf of one resource.
	if _, _, err := call(e, e.c.CreateGrant, e.k.CreateGrant, &awskms.CreateGrantInput{
		KeyId: aws.String(id), GranteeServicePrincipal: aws.String("s3.amazonaws.com"), RetiringServicePrincipal: aws.String("s3.amazonaws.com"),
		Operations:  []types.GrantOperation{types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{SourceArn: aws.String("arn:aws:s3:us-east-1:111122223333:bucket/b")},
	}, newGrant); err != nil {
		t.Fatal(err)
	}
	_, _, err = call(e, e.c.CreateGrant, e.k.CreateGrant, &awskms.CreateGrantInput{KeyId: aws.String(id), GranteePrincipal: aws.String(grantee),
		Operations: []types.GrantOperation{types.GrantOperationEncrypt}, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	e.allMembersSent()
	// The grant is in force over the wire: the grantee encrypts.
	if _, err := e.k.Encrypt(kms.WithCaller(e.ctx, grantee), &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")}); err != nil {
		t.Fatalf("the grantee's Encrypt: %v", err)
	}
}

func testListGrants(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	first := e.grant(id).GrantId
	e.grant(id)
	out, _, err := call(e, e.c.ListGrants, e.k.ListGrants, &awskms.ListGrantsInput{KeyId: aws.String(id), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Grants) != 1 || !out.Truncated || out.Grants[0].CreationDate == nil || len(out.Grants[0].Operations) != 2 {
		t.Fatalf("first page %+v", out)
	}
	if _, _, err := call(e, e.c.ListGrants, e.k.ListGrants, &awskms.ListGrantsInput{KeyId: aws.String(id), Marker: out.NextMarker,
		GrantId: aws.String(first), GranteePrincipal: aws.String(grantee), GranteeServicePrincipal: aws.String("s3.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	e.allMembersSent()
}

func testListRetirableGrants(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	e.grant(id)
	out, _, err := call(e, e.c.ListRetirableGrants, e.k.ListRetirableGrants, &awskms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(grantee), Limit: aws.Int32(5)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Grants) != 1 || out.Truncated {
		t.Fatalf("ListRetirableGrants = %+v", out)
	}
	_, _, err = call(e, e.c.ListRetirableGrants, e.k.ListRetirableGrants, &awskms.ListRetirableGrantsInput{RetiringServicePrincipal: aws.String("s3.amazonaws.com"), Marker: aws.String("bad")})
	wantCode(t, err, "InvalidMarkerException")
	e.allMembersSent()
}

func testRetireGrant(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	g := e.grant(id)
	_, _, err := call(e, e.c.RetireGrant, e.k.RetireGrant, &awskms.RetireGrantInput{GrantToken: aws.String(g.GrantToken), KeyId: aws.String(id), GrantId: aws.String(g.GrantId), DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	if _, err := e.c.RetireGrant(e.ctx, &awskms.RetireGrantInput{KeyId: aws.String(id), GrantId: aws.String(g.GrantId)}); err != nil {
		t.Fatal(err)
	}
	out, err := e.k.ListGrants(e.ctx, &kms.ListGrantsInput{KeyId: id})
	if err != nil || len(out.Grants) != 0 {
		t.Fatalf("after RetireGrant over the wire: %+v, %v", out, err)
	}
	e.allMembersSent()
}

func testRevokeGrant(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	g := e.grant(id)
	_, _, err := call(e, e.c.RevokeGrant, e.k.RevokeGrant, &awskms.RevokeGrantInput{KeyId: aws.String(id), GrantId: aws.String(g.GrantId), DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")
	out, err := e.k.ListGrants(e.ctx, &kms.ListGrantsInput{KeyId: id})
	if err != nil || len(out.Grants) != 1 {
		t.Fatalf("after a dry run: %+v, %v", out, err)
	}
	e.allMembersSent()
}

// TestErrors provokes, through the SDK, every error code the handle
// produces today. call checks each against the same direct call: the SDK's
// typed error, the handle's message, the model's HTTP status.
func TestErrors(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId
	other := e.key(nil).KeyId
	disabled := e.key(nil).KeyId
	e.must(e.k.DisableKey(e.ctx, &kms.DisableKeyInput{KeyId: disabled}))
	pending := e.key(nil).KeyId
	e.must(e.k.ScheduleKeyDeletion(e.ctx, &kms.ScheduleKeyDeletionInput{KeyId: pending}))
	e.must(e.k.CreateAlias(e.ctx, &kms.CreateAliasInput{AliasName: "alias/taken", TargetKeyId: id}))
	var fifty []kms.Tag
	for i := range kms.MaxTagsPerKey {
		fifty = append(fifty, kms.Tag{TagKey: fmt.Sprint("t", i), TagValue: "v"})
	}
	full := e.key(&kms.CreateKeyInput{Tags: fifty}).KeyId
	enc, err := e.k.Encrypt(e.ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	pt := []byte("x")

	tests := []struct {
		code    string
		provoke func(e *env) error
	}{
		{"ValidationException", func(e *env) error {
			_, _, err := call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: make([]byte, kms.MaxPlaintextSize+1)})
			return err
		}},
		{"NotFoundException", func(e *env) error {
			_, _, err := call(e, e.c.DescribeKey, e.k.DescribeKey, &awskms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
			return err
		}},
		{"InvalidArnException", func(e *env) error {
			_, _, err := call(e, e.c.DescribeKey, e.k.DescribeKey, &awskms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:111122223333:bucket/" + id)})
			return err
		}},
		{"DisabledException", func(e *env) error {
			_, _, err := call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(disabled), Plaintext: pt})
			return err
		}},
		{"KMSInvalidStateException", func(e *env) error {
			_, _, err := call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(pending), Plaintext: pt})
			return err
		}},
		{"InvalidCiphertextException", func(e *env) error {
			blob := slices.Clone(enc.CiphertextBlob)
			blob[len(blob)-1] ^= 1
			_, _, err := call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: blob})
			return err
		}},
		{"IncorrectKeyException", func(e *env) error {
			_, _, err := call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: aws.String(other)})
			return err
		}},
		{"InvalidKeyUsageException", func(e *env) error {
			_, _, err := call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: pt, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
			return err
		}},
		{"KMSInvalidSignatureException", func(e *env) error {
			signer := e.signingKey(kms.KeySpecEccNistEdwards25519)
			_, _, err := call(e, e.c.Verify, e.k.Verify, &awskms.VerifyInput{KeyId: aws.String(signer), Message: pt, Signature: make([]byte, 64), SigningAlgorithm: types.SigningAlgorithmSpecEd25519Sha512})
			return err
		}},
		{"DryRunOperationException", func(e *env) error {
			_, _, err := call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: pt, DryRun: aws.Bool(true)})
			return err
		}},
		{"AlreadyExistsException", func(e *env) error {
			_, _, err := call(e, e.c.CreateAlias, e.k.CreateAlias, &awskms.CreateAliasInput{AliasName: aws.String("alias/taken"), TargetKeyId: aws.String(other)})
			return err
		}},
		{"InvalidAliasNameException", func(e *env) error {
			_, _, err := call(e, e.c.CreateAlias, e.k.CreateAlias, &awskms.CreateAliasInput{AliasName: aws.String("alias/aws/reserved"), TargetKeyId: aws.String(id)})
			return err
		}},
		{"LimitExceededException", func(e *env) error {
			_, _, err := call(e, e.c.TagResource, e.k.TagResource, &awskms.TagResourceInput{KeyId: aws.String(full), Tags: sdkTags("one", "too many")})
			return err
		}},
		{"TagException", func(e *env) error {
			_, _, err := call(e, e.c.TagResource, e.k.TagResource, &awskms.TagResourceInput{KeyId: aws.String(id), Tags: sdkTags("aws:reserved", "x")})
			return err
		}},
		{"InvalidMarkerException", func(e *env) error {
			_, _, err := call(e, e.c.ListKeys, e.k.ListKeys, &awskms.ListKeysInput{Marker: aws.String("not-a-marker")})
			return err
		}},
		{"InvalidGrantTokenException", func(e *env) error {
			_, _, err := call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: pt, GrantTokens: grantTokens})
			return err
		}},
		{"MalformedPolicyDocumentException", func(e *env) error {
			_, _, err := call(e, e.c.CreateKey, e.k.CreateKey, &awskms.CreateKeyInput{Policy: aws.String(`{"Statement": [`)})
			return err
		}},
		{"IncorrectKeyMaterialException", func(e *env) error {
			md, _, _ := e.externalKey()
			token, wrapped := e.wrapFor(md.KeyId, make([]byte, 32))
			_, _, err := call(e, e.c.ImportKeyMaterial, e.k.ImportKeyMaterial, &awskms.ImportKeyMaterialInput{KeyId: aws.String(md.KeyId), ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
			return err
		}},
		{"InvalidImportTokenException", func(e *env) error {
			md := e.key(&kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
			_, wrapped := e.wrapFor(md.KeyId, make([]byte, 32))
			_, _, err := call(e, e.c.ImportKeyMaterial, e.k.ImportKeyMaterial, &awskms.ImportKeyMaterialInput{KeyId: aws.String(md.KeyId), ImportToken: []byte("not a token"), EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
			return err
		}},
		{"ExpiredImportTokenException", func(e *env) error {
			md := e.key(&kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
			token, wrapped := e.wrapFor(md.KeyId, make([]byte, 32))
			e.clock.Advance(kms.ImportParametersValidity)
			_, _, err := call(e, e.c.ImportKeyMaterial, e.k.ImportKeyMaterial, &awskms.ImportKeyMaterialInput{KeyId: aws.String(md.KeyId), ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
			return err
		}},
		{"UnsupportedOperationException", func(e *env) error {
			_, _, err := call(e, e.c.CreateKey, e.k.CreateKey, &awskms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm})
			return err
		}},
		{"CustomKeyStoreNotFoundException", func(e *env) error {
			_, _, err := call(e, e.c.GenerateRandom, e.k.GenerateRandom, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(16), CustomKeyStoreId: aws.String("cks-1234567890abcdef0")})
			return err
		}},
		{"CustomKeyStoreNameInUseException", func(e *env) error {
			s, pin := newStoreEnv(e.t)
			s.hsmStore("taken", pin)
			_, _, err := call(s, s.c.CreateCustomKeyStore, s.k.CreateCustomKeyStore, &awskms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("taken"),
				CloudHsmClusterId: aws.String(wireCluster), TrustAnchorCertificate: aws.String(wireTrustAnchor), KeyStorePassword: aws.String(pin)})
			return err
		}},
		{"CustomKeyStoreInvalidStateException", func(e *env) error {
			s, pin := newStoreEnv(e.t)
			id := s.hsmStore("hsm", pin)
			_, _, err := call(s, s.c.DisconnectCustomKeyStore, s.k.DisconnectCustomKeyStore, &awskms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
			return err
		}},
		{"CustomKeyStoreHasCMKsException", func(e *env) error {
			s, pin := newStoreEnv(e.t)
			id := s.hsmStore("hsm", pin)
			s.must(s.k.ConnectCustomKeyStore(s.ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}))
			s.must(s.k.CreateKey(s.ctx, &kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeAwsCloudhsm}))
			s.must(s.k.DisconnectCustomKeyStore(s.ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: id}))
			_, _, err := call(s, s.c.DeleteCustomKeyStore, s.k.DeleteCustomKeyStore, &awskms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
			return err
		}},
		{"CloudHsmClusterNotFoundException", func(e *env) error {
			s, pin := newStoreEnv(e.t)
			_, _, err := call(s, s.c.CreateCustomKeyStore, s.k.CreateCustomKeyStore, &awskms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("h"),
				CloudHsmClusterId: aws.String("cluster-777777777777"), TrustAnchorCertificate: aws.String(wireTrustAnchor), KeyStorePassword: aws.String(pin)})
			return err
		}},
		{"CloudHsmClusterNotRelatedException", func(e *env) error {
			s, pin := newStoreEnv(e.t)
			id := s.hsmStore("hsm", pin)
			_, _, err := call(s, s.c.UpdateCustomKeyStore, s.k.UpdateCustomKeyStore, &awskms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(id), CloudHsmClusterId: aws.String(wireOther)})
			return err
		}},
		{"XksProxyIncorrectAuthenticationCredentialException", func(e *env) error {
			s, _ := newStoreEnv(e.t)
			_, _, err := call(s, s.c.CreateCustomKeyStore, s.k.CreateCustomKeyStore, &awskms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("x"),
				CustomKeyStoreType: types.CustomKeyStoreTypeExternalKeyStore, XksProxyUriEndpoint: aws.String("https://xks.example.com"),
				XksProxyUriPath: aws.String("/kms/xks/v1"), XksProxyConnectivity: types.XksProxyConnectivityTypePublicEndpoint,
				XksProxyAuthenticationCredential: &types.XksProxyAuthenticationCredentialType{AccessKeyId: aws.String(wireAccessKey), RawSecretAccessKey: aws.String(strings.Repeat("x", 43))}})
			return err
		}},
		{"AccessDeniedException", func(e *env) error {
			// A caller of another account, authenticated by SigV4.
			o := newEnvAs(e.t, "arn:aws:iam::444455556666:user/Mallory")
			arn := o.key(nil).Arn
			_, _, err := call(o, o.c.DescribeKey, o.k.DescribeKey, &awskms.DescribeKeyInput{KeyId: aws.String(arn)})
			wantCode(e.t, err, "AccessDeniedException")
			_, _, err = call(o, o.c.ListKeys, o.k.ListKeys, &awskms.ListKeysInput{})
			return err
		}},
	}
	provoked := map[string]bool{}
	for _, tt := range tests {
		provoked[tt.code] = true
		t.Run(tt.code, func(t *testing.T) {
			e.t = t
			wantCode(t, tt.provoke(e), tt.code)
		})
	}
	for code := range sdkErrors {
		if !provoked[code] {
			t.Errorf("%s is not provoked", code)
		}
	}
}

// TestPaginators walks thousands of keys and aliases with the SDK's
// paginators: every item once.
func TestPaginators(t *testing.T) {
	t.Run("ListKeys", func(t *testing.T) {
		t.Parallel()
		k, _ := kmstest.New(t)
		want := map[string]bool{}
		for range 2500 {
			out, err := k.CreateKey(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			want[out.KeyMetadata.KeyId] = true
		}
		c := awsapi.NewClient(k)
		for _, limit := range []*int32{aws.Int32(100), nil} {
			seen := map[string]int{}
			p := awskms.NewListKeysPaginator(c, &awskms.ListKeysInput{Limit: limit})
			pages := 0
			for p.HasMorePages() {
				out, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, key := range out.Keys {
					seen[*key.KeyId]++
				}
			}
			checkOnce(t, seen, want)
			if pages != 25 {
				t.Errorf("Limit %v: %d pages", limit, pages)
			}
		}
	})
	t.Run("ListAliases", func(t *testing.T) {
		t.Parallel()
		// CreateAlias counts the account's aliases on every call, so
		// creating thousands through it takes half a minute: the aliases
		// are written to the backend directly, in one transaction.
		store := memory.New()
		k, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store})
		var ids []string // 60 keys: at most MaxAliasesPerKey aliases each
		for range 60 {
			out, err := k.CreateKey(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, out.KeyMetadata.KeyId)
		}
		want := map[string]bool{}
		rk, err := keystore.VolatileRootKey(t.Context(), store)
		if err != nil {
			t.Fatal(err)
		}
		// Written as the handle writes them: authenticated under its root key.
		err = rk.Authenticated(store).Update(t.Context(), func(tx backend.Txn) error {
			for i, id := range ids {
				for j := range kms.MaxAliasesPerKey {
					name := fmt.Sprintf("alias/k%02d/a%02d", i, j)
					a := &records.Alias{Name: name, TargetKeyID: id, CreationDate: clock.Now(), LastUpdatedDate: clock.Now()}
					if err := records.PutAlias(tx, k.AccountID(), k.Region(), a); err != nil {
						return err
					}
					want[name] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, svc := range kms.ManagedKeyServices() { // listed too
			want["alias/aws/"+svc] = true
		}
		c := awsapi.NewClient(k)
		walk := func(in *awskms.ListAliasesInput) map[string]int {
			seen := map[string]int{}
			p := awskms.NewListAliasesPaginator(c, in)
			for p.HasMorePages() {
				out, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range out.Aliases {
					seen[*a.AliasName]++
				}
			}
			return seen
		}
		checkOnce(t, walk(&awskms.ListAliasesInput{Limit: aws.Int32(100)}), want)
		checkOnce(t, walk(&awskms.ListAliasesInput{}), want)
		ofFirst := map[string]bool{}
		for j := range kms.MaxAliasesPerKey {
			ofFirst[fmt.Sprintf("alias/k00/a%02d", j)] = true
		}
		checkOnce(t, walk(&awskms.ListAliasesInput{KeyId: aws.String(ids[0]), Limit: aws.Int32(7)}), ofFirst)
	})
}

// checkOnce fails unless seen counts each item of want exactly once, and
// nothing else.
func checkOnce(t *testing.T, seen map[string]int, want map[string]bool) {
	t.Helper()
	if len(seen) != len(want) {
		t.Errorf("%d distinct items, want %d", len(seen), len(want))
	}
	for item, n := range seen {
		if n != 1 || !want[item] {
			t.Errorf("%s seen %d times (expected: %t)", item, n, want[item])
		}
	}
}

// TestInputDecoding covers inputs the SDK sends that the handle's shapes
// cannot tell from absence: an explicit 0, an explicitly empty map.
func TestInputDecoding(t *testing.T) {
	e := newEnv(t)
	id := e.key(nil).KeyId

	// NumberOfBytes 0 is present and out of range, not absent.
	_, err := e.c.GenerateRandom(e.ctx, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(0)})
	checkCode(t, err, "ValidationException", "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = e.c.GenerateDataKey(e.ctx, &awskms.GenerateDataKeyInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(0)})
	checkCode(t, err, "ValidationException", "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")

	// An empty encryption context is no encryption context.
	empty := map[string]string{}
	enc, err := e.c.Encrypt(e.ctx, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x"), EncryptionContext: empty})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(e.body, []byte(`"EncryptionContext":{}`)) {
		t.Fatalf("the SDK did not send the empty map: %s", e.body)
	}
	for _, ctx := range []map[string]string{empty, nil} {
		dec, err := e.c.Decrypt(e.ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx})
		if err != nil || string(dec.Plaintext) != "x" {
			t.Errorf("Decrypt with context %#v: %v", ctx, err)
		}
	}
	dk, err := e.c.GenerateDataKey(e.ctx, &awskms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: types.DataKeySpecAes256, EncryptionContext: empty})
	if err != nil {
		t.Fatal(err)
	}
	e.decrypts(dk.CiphertextBlob, nil, dk.Plaintext)
}

// TestCallerContext: a request through NewClient acts as the account root
// whatever values the caller's context holds, as over a network; acting as
// another principal takes SigV4 credentials (WithCredentials).
func TestCallerContext(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := kms.WithCaller(t.Context(), "arn:aws:iam::444455556666:user/Mallory")
	if _, err := awsapi.NewClient(k).ListKeys(ctx, &awskms.ListKeysInput{}); err != nil {
		t.Error(err)
	}
}

// TestDiffShapes checks the comparison the operation tests rely on.
func TestDiffShapes(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 1, 234567000, time.UTC)
	type handleOnly struct{ A, Extra string }
	type sdkOnly struct {
		A, Extra       *string
		ResultMetadata struct{}
	}
	type sdkShape struct {
		S    *string
		E    types.KeyState
		N    *int32
		B    *bool
		T    *time.Time
		L    []types.Tag
		M    map[string]string
		Blob []byte
	}
	type handleShape struct {
		S    string
		E    kms.KeyState
		N    int32
		B    bool
		T    time.Time
		L    []kms.Tag
		M    map[string]string
		Blob []byte
	}
	full := handleShape{S: "s", E: kms.KeyStateEnabled, N: 7, B: true, T: at, L: handleTags("k", ""), M: map[string]string{"a": "b"}, Blob: []byte{1}}
	sdkFull := sdkShape{S: aws.String("s"), E: types.KeyStateEnabled, N: aws.Int32(7), B: aws.Bool(true), T: aws.Time(at.Truncate(time.Millisecond)), L: sdkTags("k", ""), M: map[string]string{"a": "b"}, Blob: []byte{1}}
	tests := []struct {
		name      string
		sdk, h    any
		ignore    []string
		wantDiffs int
	}{
		{"equal, times to the millisecond", &sdkFull, &full, nil, 0},
		{"nil pointers and lists equal zero values", &sdkShape{L: []types.Tag{}}, &handleShape{}, nil, 0},
		{"every member differs", &sdkShape{S: aws.String("x"), E: types.KeyStateDisabled, N: aws.Int32(8), B: aws.Bool(false), T: aws.Time(at.Add(time.Millisecond)), L: sdkTags("k", "v"), M: map[string]string{"a": "c"}, Blob: []byte{2}}, &full, nil, 8},
		{"ignored", &sdkShape{S: aws.String("x")}, &handleShape{S: "y"}, []string{"S"}, 0},
		{"list length", &sdkShape{L: sdkTags("k", "")}, &handleShape{}, nil, 1},
		{"member only on the handle", &struct{ A *string }{aws.String("a")}, &handleOnly{A: "a"}, nil, 1},
		{"member only in the SDK; ResultMetadata skipped", &sdkOnly{A: aws.String("a")}, &struct{ A string }{"a"}, nil, 1},
	}
	for _, tt := range tests {
		if got := diffShapes(tt.sdk, tt.h, tt.ignore...); len(got) != tt.wantDiffs {
			t.Errorf("%s: %d differences, want %d: %q", tt.name, len(got), tt.wantDiffs, got)
		}
	}
}
