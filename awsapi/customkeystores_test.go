package awsapi_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/keystore/hsm/hsmtest"
	"github.com/embedkms/kms/keystore/xks"
)

// The custom key store operations on the wire: an AWS_CLOUDHSM store over
// a SoftHSM2 token and an EXTERNAL_KEY_STORE whose proxy (health checks
// only) is reached as https://xks.example.com.

const (
	wireCluster     = "cluster-234567abcdefg"
	wireOther       = "cluster-abcdefg234567"
	wireTrustAnchor = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	wireAccessKey   = "AKIAI2SFODNN7EXAMPLE"
	wireSecret      = "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"
)

// healthProxy answers the XKS health operation at any URI path ending in
// /kms/xks/v1/health, for requests signed with wireAccessKey.
func healthProxy(t *testing.T) *http.Client {
	t.Helper()
	v := xks.Verifier{Secrets: map[string]string{wireAccessKey: wireSecret}}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if v.Verify(r, body) != nil {
			w.WriteHeader(401)
			io.WriteString(w, `{"errorName":"AuthenticationFailedException"}`)
			return
		}
		json.NewEncoder(w).Encode(xks.HealthStatus{XksProxyFleetSize: 1, XksProxyVendor: "test", XksProxyModel: "test", EkmVendor: "test",
			EkmFleetDetails: []xks.EkmDetails{{ID: "1", Model: "m", HealthStatus: "ACTIVE"}}})
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.RootCAs = pool
	tr.TLSClientConfig.ServerName = "example.com"
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if a != "xks.example.com:443" {
			return nil, errors.New("no route to " + a)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

// newStoreEnv is newEnv whose handle has the cluster wireCluster (a fresh
// SoftHSM2 token; wireOther names another token) and reaches the health
// proxy; it returns the token's user PIN.
func newStoreEnv(t *testing.T) (*env, string) {
	t.Helper()
	tok := hsmtest.NewToken(t, "wire")
	e := newEnvWith(t, "", kms.Options{
		CloudHsmClusters: map[string]kms.PKCS11Cluster{
			wireCluster: {Module: tok.Module, TokenLabel: tok.Label},
			wireOther:   {Module: tok.Module, TokenLabel: "other"},
		},
		XksHTTPClient: healthProxy(t),
	})
	return e, tok.PIN
}

func (e *env) hsmStore(name, pin string) string {
	e.t.Helper()
	out, err := e.k.CreateCustomKeyStore(e.ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: name,
		CloudHsmClusterId: wireCluster, TrustAnchorCertificate: wireTrustAnchor, KeyStorePassword: pin})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.CustomKeyStoreId
}

func (e *env) xksStore(name, path string) string {
	e.t.Helper()
	out, err := e.k.CreateCustomKeyStore(e.ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: name,
		CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore, XksProxyUriEndpoint: "https://xks.example.com",
		XksProxyUriPath: path, XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint,
		XksProxyAuthenticationCredential: &kms.XksProxyAuthenticationCredentialType{AccessKeyId: wireAccessKey, RawSecretAccessKey: wireSecret}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.CustomKeyStoreId
}

// deleteByName deletes the store with the name (the one an SDK call made).
func (e *env) deleteByName(name string) {
	e.t.Helper()
	out, err := e.k.DescribeCustomKeyStores(e.ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreName: name})
	if err != nil {
		e.t.Fatal(err)
	}
	e.must(e.k.DeleteCustomKeyStore(e.ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStores[0].CustomKeyStoreId}))
}

func testCreateCustomKeyStore(t *testing.T) {
	e, pin := newStoreEnv(t)
	hsmIn := &awskms.CreateCustomKeyStoreInput{
		CustomKeyStoreName:     aws.String("hsm"),
		CustomKeyStoreType:     types.CustomKeyStoreTypeAwsCloudhsm,
		CloudHsmClusterId:      aws.String(wireCluster),
		TrustAnchorCertificate: aws.String(wireTrustAnchor),
		KeyStorePassword:       aws.String(pin),
	}
	out, direct, err := call(e, e.c.CreateCustomKeyStore, e.k.CreateCustomKeyStore, hsmIn,
		opt{undo: func() { e.deleteByName("hsm") }, ignore: []string{"CustomKeyStoreId"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.describeStore(direct.CustomKeyStoreId); got.CloudHsmClusterId != wireCluster || len(aws.ToString(out.CustomKeyStoreId)) != 21 {
		t.Fatalf("the store: %+v (the SDK's id %q)", got, aws.ToString(out.CustomKeyStoreId))
	}
	xksIn := &awskms.CreateCustomKeyStoreInput{
		CustomKeyStoreName:              aws.String("xks"),
		CustomKeyStoreType:              types.CustomKeyStoreTypeExternalKeyStore,
		XksProxyUriEndpoint:             aws.String("https://xks.example.com"),
		XksProxyUriPath:                 aws.String("/tenant/kms/xks/v1"),
		XksProxyConnectivity:            types.XksProxyConnectivityTypeVpcEndpointService,
		XksProxyVpcEndpointServiceName:  aws.String("com.amazonaws.vpce.us-east-1.vpce-svc-example1"),
		XksProxyVpcEndpointServiceOwner: aws.String("111122223333"),
		XksProxyAuthenticationCredential: &types.XksProxyAuthenticationCredentialType{
			AccessKeyId: aws.String(wireAccessKey), RawSecretAccessKey: aws.String(wireSecret)},
	}
	if _, _, err := call(e, e.c.CreateCustomKeyStore, e.k.CreateCustomKeyStore, xksIn,
		opt{undo: func() { e.deleteByName("xks") }, ignore: []string{"CustomKeyStoreId"}}); err != nil {
		t.Fatal(err)
	}
	// A name in use, a cluster that is not there.
	_, _, err = call(e, e.c.CreateCustomKeyStore, e.k.CreateCustomKeyStore, hsmIn)
	wantCode(t, err, "CustomKeyStoreNameInUseException")
	_, _, err = call(e, e.c.CreateCustomKeyStore, e.k.CreateCustomKeyStore, &awskms.CreateCustomKeyStoreInput{
		CustomKeyStoreName: aws.String("nowhere"), CloudHsmClusterId: aws.String("cluster-777777777777"),
		TrustAnchorCertificate: aws.String(wireTrustAnchor), KeyStorePassword: aws.String(pin)})
	wantCode(t, err, "CloudHsmClusterNotFoundException")
	e.allMembersSent()
}

func (e *env) describeStore(id string) kms.CustomKeyStoresListEntry {
	e.t.Helper()
	out, err := e.k.DescribeCustomKeyStores(e.ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.CustomKeyStores[0]
}

func testDescribeCustomKeyStores(t *testing.T) {
	e, pin := newStoreEnv(t)
	hsmID := e.hsmStore("hsm", pin)
	e.xksStore("xks", "/tenant/kms/xks/v1")
	e.must(e.k.ConnectCustomKeyStore(e.ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: hsmID}))
	page, _, err := call(e, e.c.DescribeCustomKeyStores, e.k.DescribeCustomKeyStores, &awskms.DescribeCustomKeyStoresInput{Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.CustomKeyStores) != 1 || !page.Truncated || page.NextMarker == nil {
		t.Fatalf("first page %+v", page)
	}
	rest, _, err := call(e, e.c.DescribeCustomKeyStores, e.k.DescribeCustomKeyStores, &awskms.DescribeCustomKeyStoresInput{Marker: page.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.CustomKeyStores) != 1 || rest.Truncated {
		t.Fatalf("second page %+v", rest)
	}
	one, _, err := call(e, e.c.DescribeCustomKeyStores, e.k.DescribeCustomKeyStores, &awskms.DescribeCustomKeyStoresInput{CustomKeyStoreId: aws.String(hsmID)})
	if err != nil {
		t.Fatal(err)
	}
	if s := one.CustomKeyStores[0]; s.ConnectionState != types.ConnectionStateTypeConnected || aws.ToString(s.CloudHsmClusterId) != wireCluster || s.CreationDate == nil {
		t.Fatalf("store %+v", s)
	}
	byName, _, err := call(e, e.c.DescribeCustomKeyStores, e.k.DescribeCustomKeyStores, &awskms.DescribeCustomKeyStoresInput{CustomKeyStoreName: aws.String("xks")})
	if err != nil {
		t.Fatal(err)
	}
	if c := byName.CustomKeyStores[0].XksProxyConfiguration; c == nil || aws.ToString(c.UriPath) != "/tenant/kms/xks/v1" || aws.ToString(c.AccessKeyId) != wireAccessKey {
		t.Fatalf("XksProxyConfiguration %+v", c)
	}
	_, _, err = call(e, e.c.DescribeCustomKeyStores, e.k.DescribeCustomKeyStores, &awskms.DescribeCustomKeyStoresInput{CustomKeyStoreName: aws.String("none")})
	wantCode(t, err, "CustomKeyStoreNotFoundException")
	e.allMembersSent()
}

func testUpdateCustomKeyStore(t *testing.T) {
	e, pin := newStoreEnv(t)
	hsmID := e.hsmStore("hsm", pin)
	xksID := e.xksStore("xks", "/tenant/kms/xks/v1")
	if _, _, err := call(e, e.c.UpdateCustomKeyStore, e.k.UpdateCustomKeyStore, &awskms.UpdateCustomKeyStoreInput{
		CustomKeyStoreId: aws.String(hsmID), NewCustomKeyStoreName: aws.String("hsm2"),
		KeyStorePassword: aws.String(pin), CloudHsmClusterId: aws.String(wireCluster)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := call(e, e.c.UpdateCustomKeyStore, e.k.UpdateCustomKeyStore, &awskms.UpdateCustomKeyStoreInput{
		CustomKeyStoreId:                aws.String(xksID),
		XksProxyUriEndpoint:             aws.String("https://xks.example.com"),
		XksProxyUriPath:                 aws.String("/other/kms/xks/v1"),
		XksProxyConnectivity:            types.XksProxyConnectivityTypeVpcEndpointService,
		XksProxyVpcEndpointServiceName:  aws.String("com.amazonaws.vpce.us-east-1.vpce-svc-example1"),
		XksProxyVpcEndpointServiceOwner: aws.String("111122223333"),
		XksProxyAuthenticationCredential: &types.XksProxyAuthenticationCredentialType{
			AccessKeyId: aws.String(wireAccessKey), RawSecretAccessKey: aws.String(wireSecret)},
	}); err != nil {
		t.Fatal(err)
	}
	if s := e.describeStore(xksID); s.XksProxyConfiguration.UriPath != "/other/kms/xks/v1" || s.XksProxyConfiguration.Connectivity != kms.XksProxyConnectivityTypeVpcEndpointService {
		t.Fatalf("store %+v", s.XksProxyConfiguration)
	}
	if s := e.describeStore(hsmID); s.CustomKeyStoreName != "hsm2" {
		t.Fatalf("store %+v", s)
	}
	_, _, err := call(e, e.c.UpdateCustomKeyStore, e.k.UpdateCustomKeyStore, &awskms.UpdateCustomKeyStoreInput{
		CustomKeyStoreId: aws.String(hsmID), CloudHsmClusterId: aws.String(wireOther)})
	wantCode(t, err, "CloudHsmClusterNotRelatedException")
	e.must(e.k.ConnectCustomKeyStore(e.ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: hsmID}))
	// While CONNECTED a CloudHSM key store may be renamed only
	// (UpdateCustomKeyStore in the API reference).
	_, _, err = call(e, e.c.UpdateCustomKeyStore, e.k.UpdateCustomKeyStore, &awskms.UpdateCustomKeyStoreInput{
		CustomKeyStoreId: aws.String(hsmID), KeyStorePassword: aws.String(pin)})
	wantCode(t, err, "CustomKeyStoreInvalidStateException")
	e.allMembersSent()
}

func testConnectCustomKeyStore(t *testing.T) {
	e, pin := newStoreEnv(t)
	id := e.hsmStore("hsm", pin)
	in := &awskms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)}
	undo := func() {
		e.must(e.k.DisconnectCustomKeyStore(e.ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: id}))
	}
	if _, _, err := call(e, e.c.ConnectCustomKeyStore, e.k.ConnectCustomKeyStore, in, opt{undo: undo}); err != nil {
		t.Fatal(err)
	}
	if s := e.describeStore(id); s.ConnectionState != kms.ConnectionStateTypeConnected {
		t.Fatalf("state %s", s.ConnectionState)
	}
	_, _, err := call(e, e.c.ConnectCustomKeyStore, e.k.ConnectCustomKeyStore, &awskms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String("cks-1234567890abcdef0")})
	wantCode(t, err, "CustomKeyStoreNotFoundException")
	e.allMembersSent()
}

func testDisconnectCustomKeyStore(t *testing.T) {
	e, pin := newStoreEnv(t)
	id := e.hsmStore("hsm", pin)
	connect := func() {
		e.must(e.k.ConnectCustomKeyStore(e.ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}))
	}
	connect()
	in := &awskms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)}
	if _, _, err := call(e, e.c.DisconnectCustomKeyStore, e.k.DisconnectCustomKeyStore, in, opt{undo: connect}); err != nil {
		t.Fatal(err)
	}
	if s := e.describeStore(id); s.ConnectionState != kms.ConnectionStateTypeDisconnected {
		t.Fatalf("state %s", s.ConnectionState)
	}
	_, _, err := call(e, e.c.DisconnectCustomKeyStore, e.k.DisconnectCustomKeyStore, in)
	wantCode(t, err, "CustomKeyStoreInvalidStateException")
	e.allMembersSent()
}

func testDeleteCustomKeyStore(t *testing.T) {
	e, pin := newStoreEnv(t)
	id := e.hsmStore("hsm", pin)
	e.must(e.k.ConnectCustomKeyStore(e.ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}))
	in := &awskms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)}
	_, _, err := call(e, e.c.DeleteCustomKeyStore, e.k.DeleteCustomKeyStore, in)
	wantCode(t, err, "CustomKeyStoreInvalidStateException")
	e.must(e.k.DisconnectCustomKeyStore(e.ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: id}))
	// The deletion itself: through the SDK only (a second one finds no
	// store).
	if _, err := e.c.DeleteCustomKeyStore(e.ctx, in); err != nil {
		t.Fatal(err)
	}
	_, _, err = call(e, e.c.DeleteCustomKeyStore, e.k.DeleteCustomKeyStore, in)
	wantCode(t, err, "CustomKeyStoreNotFoundException")
	e.allMembersSent()
}

// TestCustomKeyStoreKeysOnTheWire: a key in an AWS_CLOUDHSM store made and
// used through the SDK: its KeyMetadata members arrive, its blobs decrypt,
// and its store then refuses deletion (CustomKeyStoreHasCMKsException).
func TestCustomKeyStoreKeysOnTheWire(t *testing.T) {
	e, pin := newStoreEnv(t)
	id := e.hsmStore("hsm", pin)
	e.must(e.k.ConnectCustomKeyStore(e.ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}))
	out, _, err := call(e, e.c.CreateKey, e.k.CreateKey, &awskms.CreateKeyInput{CustomKeyStoreId: aws.String(id), Origin: types.OriginTypeAwsCloudhsm},
		opt{ignore: []string{"KeyMetadata.KeyId", "KeyMetadata.Arn"}})
	if err != nil {
		t.Fatal(err)
	}
	md := out.KeyMetadata
	if aws.ToString(md.CustomKeyStoreId) != id || aws.ToString(md.CloudHsmClusterId) != wireCluster || md.Origin != types.OriginTypeAwsCloudhsm {
		t.Fatalf("KeyMetadata %+v", md)
	}
	enc, _, err := call(e, e.c.Encrypt, e.k.Encrypt, &awskms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("over the wire")},
		opt{ignore: []string{"CiphertextBlob"}})
	if err != nil {
		t.Fatal(err)
	}
	dec, _, err := call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "over the wire" {
		t.Fatalf("Decrypt %v", err)
	}
	e.must(e.k.DisconnectCustomKeyStore(e.ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: id}))
	_, _, err = call(e, e.c.Decrypt, e.k.Decrypt, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantCode(t, err, "KMSInvalidStateException")
	d, _, err := call(e, e.c.DescribeKey, e.k.DescribeKey, &awskms.DescribeKeyInput{KeyId: md.KeyId})
	if err != nil || d.KeyMetadata.KeyState != types.KeyStateUnavailable {
		t.Fatalf("DescribeKey %v", err)
	}
	_, _, err = call(e, e.c.DeleteCustomKeyStore, e.k.DeleteCustomKeyStore, &awskms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	wantCode(t, err, "CustomKeyStoreHasCMKsException")
}
