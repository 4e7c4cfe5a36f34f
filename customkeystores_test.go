package kms_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/keystore/hsm/hsmtest"
	"github.com/embedkms/kms/keystore/xks"
	"github.com/embedkms/kms/kmstest"
)

const (
	testCluster  = "cluster-234567abcdefg"
	otherCluster = "cluster-abcdefg234567"
	trustAnchor  = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
)

// hsmHandle returns a handle whose cluster testCluster is a fresh SoftHSM2
// token, and the token.
func hsmHandle(t *testing.T, opts kms.Options) (*kms.KMS, *hsmtest.Token) {
	t.Helper()
	tok := hsmtest.NewToken(t, "cks")
	opts.CloudHsmClusters = map[string]kms.PKCS11Cluster{
		testCluster:  {Module: tok.Module, TokenLabel: tok.Label},
		otherCluster: {Module: tok.Module, TokenLabel: "another-token"},
	}
	k, _ := kmstest.NewWithOptions(t, opts)
	return k, tok
}

func wantCode(t *testing.T, err error, code kms.Code) {
	t.Helper()
	if !errors.Is(err, code) {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func describeOne(t *testing.T, k *kms.KMS, id string) kms.CustomKeyStoresListEntry {
	t.Helper()
	out, err := k.DescribeCustomKeyStores(context.Background(), &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CustomKeyStores) != 1 {
		t.Fatalf("%d stores for id %s", len(out.CustomKeyStores), id)
	}
	return out.CustomKeyStores[0]
}

func wantState(t *testing.T, k *kms.KMS, id string, state kms.ConnectionStateType, code kms.ConnectionErrorCodeType) {
	t.Helper()
	e := describeOne(t, k, id)
	if e.ConnectionState != state || e.ConnectionErrorCode != code {
		t.Fatalf("state %s %q, want %s %q", e.ConnectionState, e.ConnectionErrorCode, state, code)
	}
}

// TestCloudHsmKeyStoreLifecycle walks an AWS_CLOUDHSM store over a SoftHSM2
// token through the connection state machine.
func TestCloudHsmKeyStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	k, tok := hsmHandle(t, kms.Options{})
	out, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "hsm",
		CloudHsmClusterId: testCluster, TrustAnchorCertificate: trustAnchor, KeyStorePassword: tok.PIN})
	if err != nil {
		t.Fatal(err)
	}
	id := out.CustomKeyStoreId
	if !strings.HasPrefix(id, "cks-") || len(id) != 21 {
		t.Fatalf("id %q", id)
	}
	e := describeOne(t, k, id)
	if e.CustomKeyStoreName != "hsm" || e.CustomKeyStoreType != kms.CustomKeyStoreTypeAwsCloudhsm || e.CloudHsmClusterId != testCluster ||
		e.TrustAnchorCertificate != trustAnchor || e.ConnectionState != kms.ConnectionStateTypeDisconnected || e.XksProxyConfiguration != nil ||
		e.CreationDate.IsZero() {
		t.Fatalf("entry %+v", e)
	}
	sid := &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}
	did := &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: id}

	_, err = k.DisconnectCustomKeyStore(ctx, did)
	wantCode(t, err, kms.ErrCustomKeyStoreInvalidState) // already disconnected
	if _, err := k.ConnectCustomKeyStore(ctx, sid); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, id, kms.ConnectionStateTypeConnected, "")
	if _, err := k.ConnectCustomKeyStore(ctx, sid); err != nil {
		t.Fatalf("connecting a connected store: %v", err)
	}
	// Connected, a CloudHSM key store may change its name only (API
	// reference, UpdateCustomKeyStore: "you can update the
	// CustomKeyStoreName of an AWS CloudHSM key store when it is in the
	// CONNECTED or DISCONNECTED state").
	if _, err := k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, NewCustomKeyStoreName: "hsm-connected"}); err != nil {
		t.Fatalf("renaming a connected CloudHSM key store: %v", err)
	}
	if got := describeOne(t, k, id).CustomKeyStoreName; got != "hsm-connected" {
		t.Fatalf("name %q", got)
	}
	for name, in := range map[string]*kms.UpdateCustomKeyStoreInput{
		"password":          {CustomKeyStoreId: id, KeyStorePassword: tok.PIN},
		"cluster":           {CustomKeyStoreId: id, CloudHsmClusterId: otherCluster},
		"name and password": {CustomKeyStoreId: id, NewCustomKeyStoreName: "x", KeyStorePassword: tok.PIN},
	} {
		_, err = k.UpdateCustomKeyStore(ctx, in)
		if !errors.Is(err, kms.ErrCustomKeyStoreInvalidState) {
			t.Errorf("updating the %s of a connected CloudHSM key store: %v", name, err)
		}
	}
	_, err = k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: id})
	wantCode(t, err, kms.ErrCustomKeyStoreInvalidState)
	if _, err := k.DisconnectCustomKeyStore(ctx, did); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, id, kms.ConnectionStateTypeDisconnected, "")

	// A wrong password: the connection fails, the store is FAILED with
	// INVALID_CREDENTIALS and must be disconnected before connecting again.
	if _, err := k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, KeyStorePassword: "wrong-pin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ConnectCustomKeyStore(ctx, sid); err != nil {
		t.Fatalf("a failed connection is reported by the state, not the call: %v", err)
	}
	wantState(t, k, id, kms.ConnectionStateTypeFailed, kms.ConnectionErrorCodeTypeInvalidCredentials)
	_, err = k.ConnectCustomKeyStore(ctx, sid)
	wantCode(t, err, kms.ErrCustomKeyStoreInvalidState)
	// FAILED is neither CONNECTED nor DISCONNECTED: not even the name
	// changes.
	_, err = k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, NewCustomKeyStoreName: "x"})
	wantCode(t, err, kms.ErrCustomKeyStoreInvalidState)
	if _, err := k.DisconnectCustomKeyStore(ctx, did); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, id, kms.ConnectionStateTypeDisconnected, "")

	// A cluster on another token is not related; the right password and
	// a new name; connect again.
	_, err = k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, CloudHsmClusterId: otherCluster})
	wantCode(t, err, kms.ErrCloudHsmClusterNotRelated)
	if _, err := k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, KeyStorePassword: tok.PIN, NewCustomKeyStoreName: "renamed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ConnectCustomKeyStore(ctx, sid); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, id, kms.ConnectionStateTypeConnected, "")
	if got := describeOne(t, k, id).CustomKeyStoreName; got != "renamed" {
		t.Fatalf("name %q", got)
	}
	if _, err := k.DisconnectCustomKeyStore(ctx, did); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: id})
	wantCode(t, err, kms.ErrCustomKeyStoreNotFound)
	_, err = k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreName: "renamed"})
	wantCode(t, err, kms.ErrCustomKeyStoreNotFound)
	for name, err := range map[string]error{
		"connect":    func() error { _, err := k.ConnectCustomKeyStore(ctx, sid); return err }(),
		"disconnect": func() error { _, err := k.DisconnectCustomKeyStore(ctx, did); return err }(),
		"update": func() error {
			_, err := k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, NewCustomKeyStoreName: "x"})
			return err
		}(),
		"delete": func() error {
			_, err := k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: id})
			return err
		}(),
	} {
		if !errors.Is(err, kms.ErrCustomKeyStoreNotFound) {
			t.Errorf("%s after delete: %v", name, err)
		}
	}
	// The name is free again.
	if _, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "renamed",
		CloudHsmClusterId: testCluster, TrustAnchorCertificate: trustAnchor, KeyStorePassword: tok.PIN}); err != nil {
		t.Fatal(err)
	}
}

func TestCreateCustomKeyStoreErrors(t *testing.T) {
	ctx := context.Background()
	k, tok := hsmHandle(t, kms.Options{})
	cred := &kms.XksProxyAuthenticationCredentialType{AccessKeyId: "AKIAI2SFODNN7EXAMPLE", RawSecretAccessKey: strings.Repeat("s", 43)}
	hsmIn := func(mod func(*kms.CreateCustomKeyStoreInput)) *kms.CreateCustomKeyStoreInput {
		in := &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "first", CloudHsmClusterId: testCluster,
			TrustAnchorCertificate: trustAnchor, KeyStorePassword: tok.PIN}
		mod(in)
		return in
	}
	if _, err := k.CreateCustomKeyStore(ctx, hsmIn(func(*kms.CreateCustomKeyStoreInput) {})); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   *kms.CreateCustomKeyStoreInput
		code kms.Code
		msg  string
	}{
		{"no name", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.CustomKeyStoreName = "" }), kms.ErrValidation,
			"1 validation error detected: Value null at 'customKeyStoreName' failed to satisfy constraint: Member must not be null"},
		{"bad cluster id", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.CloudHsmClusterId = "cluster-1111111111111" }), kms.ErrValidation,
			"Value 'cluster-1111111111111' at 'cloudHsmClusterId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^cluster-[2-7a-zA-Z]{11,16}$"},
		{"short password, not echoed", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.KeyStorePassword = "123456" }), kms.ErrValidation,
			"1 validation error detected: Value at 'keyStorePassword' failed to satisfy constraint: Member must have length greater than or equal to 7"},
		{"bad type", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.CustomKeyStoreType = "HSM" }), kms.ErrValidation,
			"Member must satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL_KEY_STORE]"},
		{"no password", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.KeyStorePassword = "" }), kms.ErrValidation, "KeyStorePassword"},
		{"xks member on hsm store", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.XksProxyUriPath = "/kms/xks/v1" }), kms.ErrValidation, "AWS_CLOUDHSM"},
		{"hsm member on xks store", &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
			CloudHsmClusterId: testCluster, XksProxyUriEndpoint: "https://example.com", XksProxyUriPath: "/kms/xks/v1",
			XksProxyAuthenticationCredential: cred, XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint}, kms.ErrValidation, "EXTERNAL_KEY_STORE"},
		{"secret not echoed", &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
			XksProxyUriEndpoint: "https://example.com", XksProxyUriPath: "/kms/xks/v1",
			XksProxyAuthenticationCredential: &kms.XksProxyAuthenticationCredentialType{AccessKeyId: cred.AccessKeyId, RawSecretAccessKey: "short!"},
			XksProxyConnectivity:             kms.XksProxyConnectivityTypePublicEndpoint}, kms.ErrValidation,
			"2 validation errors detected: Value at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to satisfy constraint: Member must have length greater than or equal to 43; Value at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9\\/+=]+$"},
		{"vpc without service name", &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "x", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
			XksProxyUriEndpoint: "https://example.com", XksProxyUriPath: "/kms/xks/v1", XksProxyAuthenticationCredential: cred,
			XksProxyConnectivity: kms.XksProxyConnectivityTypeVpcEndpointService}, kms.ErrValidation, "XksProxyVpcEndpointServiceName"},
		{"unknown cluster", hsmIn(func(in *kms.CreateCustomKeyStoreInput) {
			in.CloudHsmClusterId = "cluster-zzzzzzzzzzz"
			in.CustomKeyStoreName = "new"
		}),
			kms.ErrCloudHsmClusterNotFound, "cluster-zzzzzzzzzzz"},
		{"not a certificate", hsmIn(func(in *kms.CreateCustomKeyStoreInput) {
			in.TrustAnchorCertificate = "hello"
			in.CustomKeyStoreName = "new"
		}),
			kms.ErrIncorrectTrustAnchor, testCluster},
		{"name in use", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.CloudHsmClusterId = otherCluster }), kms.ErrCustomKeyStoreNameInUse, "first"},
		{"cluster in use", hsmIn(func(in *kms.CreateCustomKeyStoreInput) { in.CustomKeyStoreName = "second" }), kms.ErrCloudHsmClusterInUse, testCluster},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.CreateCustomKeyStore(ctx, tc.in)
			var e *kms.Error
			if !errors.As(err, &e) || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("%v, want %s containing %q", err, tc.code, tc.msg)
			}
			if strings.Contains(e.Message, tok.PIN) || strings.Contains(e.Message, "short!") || strings.Contains(e.Message, "123456") {
				t.Fatalf("message echoes a secret: %s", e.Message)
			}
		})
	}
}

// TestCustomKeyStoreQuotaAndPaging fills the account's quota of stores and
// pages through them.
func TestCustomKeyStoreQuotaAndPaging(t *testing.T) {
	ctx := context.Background()
	clusters := map[string]kms.PKCS11Cluster{}
	for i := range kms.MaxCustomKeyStores + 1 {
		clusters["cluster-abcdefghij"+string(rune('a'+i))] = kms.PKCS11Cluster{Module: "/nonexistent.so", TokenLabel: "t"}
	}
	k, _ := kmstest.NewWithOptions(t, kms.Options{CloudHsmClusters: clusters})
	var ids []string
	for i := range kms.MaxCustomKeyStores {
		out, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "s" + string(rune('a'+i)),
			CloudHsmClusterId: "cluster-abcdefghij" + string(rune('a'+i)), TrustAnchorCertificate: trustAnchor, KeyStorePassword: "1234567"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.CustomKeyStoreId)
	}
	_, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "over",
		CloudHsmClusterId: "cluster-abcdefghij" + string(rune('a'+kms.MaxCustomKeyStores)), TrustAnchorCertificate: trustAnchor, KeyStorePassword: "1234567"})
	wantCode(t, err, kms.ErrLimitExceeded)

	seen := map[string]bool{}
	in := &kms.DescribeCustomKeyStoresInput{Limit: 4}
	pages := 0
	for {
		out, err := k.DescribeCustomKeyStores(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.CustomKeyStores {
			if seen[e.CustomKeyStoreId] {
				t.Fatalf("%s listed twice", e.CustomKeyStoreId)
			}
			seen[e.CustomKeyStoreId] = true
		}
		if out.Truncated != (out.NextMarker != "") || len(out.CustomKeyStores) > 4 {
			t.Fatalf("page %+v", out)
		}
		if !out.Truncated {
			break
		}
		in.Marker = out.NextMarker
	}
	if pages != 3 || len(seen) != len(ids) {
		t.Fatalf("%d pages, %d stores, want 3 and %d", pages, len(seen), len(ids))
	}
	_, err = k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{Marker: "bogus"})
	wantCode(t, err, kms.ErrInvalidMarker)
	_, err = k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: ids[0], CustomKeyStoreName: "sa"})
	wantCode(t, err, kms.ErrValidation)
	if e := describeOne(t, k, ids[3]); e.CustomKeyStoreName != "sd" {
		t.Fatalf("by id: %+v", e)
	}
	out, err := k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreName: "sd"})
	if err != nil || len(out.CustomKeyStores) != 1 || out.CustomKeyStores[0].CustomKeyStoreId != ids[3] {
		t.Fatalf("by name: %+v, %v", out, err)
	}
	// A module that cannot be loaded: the connection fails with
	// CLUSTER_NOT_FOUND.
	if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: ids[0]}); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, ids[0], kms.ConnectionStateTypeFailed, kms.ConnectionErrorCodeTypeClusterNotFound)
}

// fakeProxy is an XKS proxy answering health checks, reached as
// https://xks.example.com through the returned client.
type fakeProxy struct {
	cred    xks.Credential
	healthy atomic.Bool
	calls   atomic.Int32
	path    atomic.Value // the URI path it serves, when not /tenant/kms/xks/v1
}

// uriPath is the XKS proxy URI path p serves.
func (p *fakeProxy) uriPath() string {
	if s, ok := p.path.Load().(string); ok {
		return s
	}
	return "/tenant/kms/xks/v1"
}

func (p *fakeProxy) start(t *testing.T) *http.Client {
	t.Helper()
	p.healthy.Store(true)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		v := xks.Verifier{Secrets: map[string]string{p.cred.AccessKeyID: p.cred.SecretAccessKey}}
		w.Header().Set("Content-Type", "application/json")
		var md xks.MetadataRequest
		switch {
		case v.Verify(r, body) != nil:
			w.WriteHeader(401)
			io.WriteString(w, `{"errorName":"AuthenticationFailedException"}`)
		case r.URL.Path != p.uriPath()+"/health":
			w.WriteHeader(404)
			io.WriteString(w, `{"errorName":"InvalidUriPathException"}`)
		case json.Unmarshal(body, &md) != nil || md.RequestMetadata.KMSOperation == "" || md.RequestMetadata.KMSRequestID == "":
			w.WriteHeader(400)
			io.WriteString(w, `{"errorName":"ValidationException"}`)
		case !p.healthy.Load():
			w.WriteHeader(500)
			io.WriteString(w, `{"errorName":"InternalException"}`)
		default:
			json.NewEncoder(w).Encode(xks.HealthStatus{XksProxyFleetSize: 1, XksProxyVendor: "test", XksProxyModel: "test", EkmVendor: "test",
				EkmFleetDetails: []xks.EkmDetails{{ID: "1", Model: "m", HealthStatus: "ACTIVE"}}})
		}
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.RootCAs = pool
	tr.TLSClientConfig.ServerName = "example.com" // the name httptest's certificate holds
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if a != "xks.example.com:443" {
			return nil, errors.New("no route to " + a)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

func TestExternalKeyStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	p := &fakeProxy{cred: xks.Credential{AccessKeyID: "AKIAI2SFODNN7EXAMPLE", SecretAccessKey: "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"}}
	k, _ := kmstest.NewWithOptions(t, kms.Options{XksHTTPClient: p.start(t)})
	cred := &kms.XksProxyAuthenticationCredentialType{AccessKeyId: p.cred.AccessKeyID, RawSecretAccessKey: p.cred.SecretAccessKey}
	in := &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "xks", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
		XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: "/tenant/kms/xks/v1", XksProxyAuthenticationCredential: cred,
		XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint}

	bad := *in
	bad.XksProxyAuthenticationCredential = &kms.XksProxyAuthenticationCredentialType{AccessKeyId: cred.AccessKeyId, RawSecretAccessKey: strings.Repeat("x", 43)}
	_, err := k.CreateCustomKeyStore(ctx, &bad)
	wantCode(t, err, kms.ErrXksProxyIncorrectAuthenticationCredential)
	bad = *in
	bad.XksProxyUriPath = "/other/kms/xks/v1"
	_, err = k.CreateCustomKeyStore(ctx, &bad)
	wantCode(t, err, kms.ErrXksProxyInvalidConfiguration)
	bad = *in
	bad.XksProxyUriEndpoint = "https://unreachable.example.com"
	_, err = k.CreateCustomKeyStore(ctx, &bad)
	wantCode(t, err, kms.ErrXksProxyUriUnreachable)

	out, err := k.CreateCustomKeyStore(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := out.CustomKeyStoreId
	e := describeOne(t, k, id)
	want := kms.XksProxyConfigurationType{Connectivity: kms.XksProxyConnectivityTypePublicEndpoint, AccessKeyId: cred.AccessKeyId,
		UriEndpoint: "https://xks.example.com", UriPath: "/tenant/kms/xks/v1"}
	if e.XksProxyConfiguration == nil || *e.XksProxyConfiguration != want || e.CloudHsmClusterId != "" || e.ConnectionState != kms.ConnectionStateTypeDisconnected {
		t.Fatalf("entry %+v", e)
	}
	dup := *in
	dup.CustomKeyStoreName = "other"
	_, err = k.CreateCustomKeyStore(ctx, &dup)
	wantCode(t, err, kms.ErrXksProxyUriInUse)

	if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, id, kms.ConnectionStateTypeConnected, "")
	// While connected, the name, credential and path may change (API
	// reference, UpdateCustomKeyStore: "you can update the
	// CustomKeyStoreName, XksProxyAuthenticationCredential, and
	// XksProxyUriPath of an external key store when it is in the CONNECTED
	// or DISCONNECTED state"); the endpoint and connectivity may not.
	if _, err := k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, NewCustomKeyStoreName: "xks2", XksProxyAuthenticationCredential: cred}); err != nil {
		t.Fatal(err)
	}
	// A path the proxy does not serve fails its health check, not the
	// state rule; the path it serves is accepted, connected.
	_, err = k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, XksProxyUriPath: "/x/kms/xks/v1"})
	wantCode(t, err, kms.ErrXksProxyInvalidConfiguration)
	p.path.Store("/moved/kms/xks/v1")
	if _, err := k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id, XksProxyUriPath: "/moved/kms/xks/v1"}); err != nil {
		t.Fatalf("changing the path of a connected external key store: %v", err)
	}
	if got := describeOne(t, k, id).XksProxyConfiguration.UriPath; got != "/moved/kms/xks/v1" {
		t.Fatalf("path %q", got)
	}
	for name, in := range map[string]*kms.UpdateCustomKeyStoreInput{
		"endpoint":     {CustomKeyStoreId: id, XksProxyUriEndpoint: "https://xks2.example.com"},
		"connectivity": {CustomKeyStoreId: id, XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint},
	} {
		_, err = k.UpdateCustomKeyStore(ctx, in)
		if !errors.Is(err, kms.ErrCustomKeyStoreInvalidState) {
			t.Errorf("updating the %s of a connected external key store: %v", name, err)
		}
	}
	// An update is health-checked with its new values.
	_, err = k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: id,
		XksProxyAuthenticationCredential: &kms.XksProxyAuthenticationCredentialType{AccessKeyId: "AKIAOTHERKEYEXAMPLE2", RawSecretAccessKey: p.cred.SecretAccessKey}})
	wantCode(t, err, kms.ErrXksProxyIncorrectAuthenticationCredential)
	if e := describeOne(t, k, id); e.XksProxyConfiguration.AccessKeyId != cred.AccessKeyId || e.CustomKeyStoreName != "xks2" {
		t.Fatalf("a refused update changed the store: %+v", e)
	}

	if _, err := k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
		t.Fatal(err)
	}
	// The proxy fails its health check: the connection FAILS with the
	// spec's code for an InternalException.
	p.healthy.Store(false)
	if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, id, kms.ConnectionStateTypeFailed, kms.ConnectionErrorCodeTypeXksProxyInvalidResponse)
	_, err = k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: id})
	wantCode(t, err, kms.ErrCustomKeyStoreInvalidState)
	p.healthy.Store(true)
	if _, err := k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
		t.Fatal(err)
	}
	if p.calls.Load() == 0 {
		t.Fatal("the proxy was never called")
	}
}

// TestExternalKeyStoreVpcEndpoint checks the rules of the API reference
// (CreateCustomKeyStore, XksProxyUriEndpoint) for VPC_ENDPOINT_SERVICE
// connectivity: KMS does not call the proxy while creating the store, and
// its endpoint (the private DNS name) is used by no other external key
// store, of either connectivity.
func TestExternalKeyStoreVpcEndpoint(t *testing.T) {
	ctx := context.Background()
	p := &fakeProxy{cred: xks.Credential{AccessKeyID: "AKIAI2SFODNN7EXAMPLE", SecretAccessKey: "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"}}
	k, _ := kmstest.NewWithOptions(t, kms.Options{XksHTTPClient: p.start(t)})
	cred := &kms.XksProxyAuthenticationCredentialType{AccessKeyId: p.cred.AccessKeyID, RawSecretAccessKey: p.cred.SecretAccessKey}
	// The proxy does not serve /vpc/kms/xks/v1: a health check would fail.
	vpc := &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "vpc", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
		XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: "/vpc/kms/xks/v1", XksProxyAuthenticationCredential: cred,
		XksProxyConnectivity:           kms.XksProxyConnectivityTypeVpcEndpointService,
		XksProxyVpcEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"}
	out, err := k.CreateCustomKeyStore(ctx, vpc)
	if err != nil {
		t.Fatalf("creating a VPC_ENDPOINT_SERVICE store calls no proxy: %v", err)
	}
	calls := p.calls.Load()
	if calls != 0 {
		t.Fatalf("the proxy was called %d times", calls)
	}
	// Connecting does call it, and fails on the path.
	if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId}); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, out.CustomKeyStoreId, kms.ConnectionStateTypeFailed, kms.ConnectionErrorCodeTypeXksProxyInvalidConfiguration)

	for name, in := range map[string]*kms.CreateCustomKeyStoreInput{
		"public store, same endpoint, other path": {CustomKeyStoreName: "public", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
			XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: "/tenant/kms/xks/v1", XksProxyAuthenticationCredential: cred,
			XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint},
		"VPC store, same endpoint, other service": {CustomKeyStoreName: "vpc2", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
			XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: "/vpc2/kms/xks/v1", XksProxyAuthenticationCredential: cred,
			XksProxyConnectivity:           kms.XksProxyConnectivityTypeVpcEndpointService,
			XksProxyVpcEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef1"},
	} {
		_, err := k.CreateCustomKeyStore(ctx, in)
		if !errors.Is(err, kms.ErrXksProxyUriEndpointInUse) {
			t.Errorf("%s: %v, want XksProxyUriEndpointInUseException", name, err)
		}
	}

	// A change of connectivity needs a new endpoint too (API reference,
	// UpdateCustomKeyStore, XksProxyConnectivity); the store is unchanged.
	if _, err := k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId}); err != nil {
		t.Fatal(err)
	}
	_, err = k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId,
		XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint})
	if !errors.Is(err, kms.ErrValidation) || !strings.Contains(err.Error(), "XksProxyUriEndpoint") {
		t.Errorf("UpdateCustomKeyStore to PUBLIC_ENDPOINT without an endpoint: %v, want a ValidationException naming XksProxyUriEndpoint", err)
	}
	d, err := k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: out.CustomKeyStoreId})
	if err != nil {
		t.Fatal(err)
	}
	if c := d.CustomKeyStores[0].XksProxyConfiguration; c == nil || c.Connectivity != kms.XksProxyConnectivityTypeVpcEndpointService || c.VpcEndpointServiceName == "" {
		t.Errorf("after the refused update the store's proxy configuration is %+v", c)
	}
}

// TestCustomKeyStoreSecretsNotStored scans the backend's bytes for the
// token PIN and the XKS secret, and checks a store survives
// RewrapRootKey.
func TestCustomKeyStoreSecretsNotStored(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	root := bytes.Repeat([]byte{1}, 32)
	p := &fakeProxy{cred: xks.Credential{AccessKeyID: "AKIAI2SFODNN7EXAMPLE", SecretAccessKey: "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"}}
	hc := p.start(t)
	k, tok := hsmHandle(t, kms.Options{Backend: store, RootKey: root, XksHTTPClient: hc})
	out, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "hsm",
		CloudHsmClusterId: testCluster, TrustAnchorCertificate: trustAnchor, KeyStorePassword: tok.PIN})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "xks", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
		XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: "/tenant/kms/xks/v1",
		XksProxyAuthenticationCredential: &kms.XksProxyAuthenticationCredentialType{AccessKeyId: p.cred.AccessKeyID, RawSecretAccessKey: p.cred.SecretAccessKey},
		XksProxyConnectivity:             kms.XksProxyConnectivityTypePublicEndpoint}); err != nil {
		t.Fatal(err)
	}
	scanned := 0
	err = store.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(key, v []byte) bool {
			scanned++
			for _, secret := range []string{tok.PIN, p.cred.SecretAccessKey} {
				if bytes.Contains(v, []byte(secret)) || bytes.Contains(key, []byte(secret)) {
					t.Errorf("%s holds a custom key store secret", key)
				}
			}
			return true
		})
	})
	if err != nil || scanned == 0 {
		t.Fatalf("scan: %v (%d entries)", err, scanned)
	}
	k.Close()
	next := bytes.Repeat([]byte{2}, 32)
	if err := kms.RewrapRootKey(ctx, store, keystore.RawRootKey(root), keystore.RawRootKey(next)); err != nil {
		t.Fatalf("RewrapRootKey with custom key stores: %v", err)
	}
	k2, err := kms.New(kms.Options{Backend: store, RootKey: next, CloudHsmClusters: map[string]kms.PKCS11Cluster{
		testCluster: {Module: tok.Module, TokenLabel: tok.Label}}, XksHTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer k2.Close()
	if _, err := k2.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId}); err != nil {
		t.Fatal(err)
	}
	wantState(t, k2, out.CustomKeyStoreId, kms.ConnectionStateTypeConnected, "")
	if _, err := k2.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId}); err != nil {
		t.Fatal(err)
	}
}

func TestCustomKeyStoreIDValidation(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := context.Background()
	long := strings.Repeat("c", 65)
	for name, err := range map[string]error{
		"connect":    func() error { _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{}); return err }(),
		"disconnect": func() error { _, err := k.DisconnectCustomKeyStore(ctx, nil); return err }(),
		"delete": func() error {
			_, err := k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: long})
			return err
		}(),
		"update": func() error { _, err := k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{}); return err }(),
		"describe": func() error {
			_, err := k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{Limit: 1001})
			return err
		}(),
	} {
		if !errors.Is(err, kms.ErrValidation) {
			t.Errorf("%s: %v, want ValidationException", name, err)
		}
	}
	out, err := k.DescribeCustomKeyStores(ctx, nil)
	if err != nil || out.CustomKeyStores == nil || len(out.CustomKeyStores) != 0 || out.Truncated {
		t.Fatalf("no stores: %+v, %v", out, err)
	}
	_, err = k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: "cks-1234567890abcdef0"})
	wantCode(t, err, kms.ErrCustomKeyStoreNotFound)
}
