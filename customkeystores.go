package kms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/keystore/hsm"
	"github.com/embedkms/kms/keystore/xks"
)

// Custom key stores keep key material outside the handle's backend.
//
//   - AWS_CLOUDHSM stands for a PKCS#11 token. The store's
//     CloudHsmClusterId names an entry of Options.CloudHsmClusters (the
//     module and token label; the cluster "exists" when listed there), and
//     its KeyStorePassword (the kmsuser password in AWS) is the token's user
//     PIN. TrustAnchorCertificate must be a PEM certificate, and the one
//     the entry names when it names one (IncorrectTrustAnchorException
//     otherwise).
//   - EXTERNAL_KEY_STORE is a client of an XKS proxy (package keystore/xks),
//     at XksProxyUriEndpoint + XksProxyUriPath, signing with
//     XksProxyAuthenticationCredential; requests go through
//     Options.XksHTTPClient. With VPC_ENDPOINT_SERVICE connectivity the
//     endpoint is still called directly: there is no VPC.
//
// A store is created DISCONNECTED. ConnectCustomKeyStore logs in to the
// token or calls the proxy's health operation: the store becomes CONNECTED,
// or FAILED with a ConnectionErrorCode (the call itself succeeds, as AWS's
// asynchronous connection does). DisconnectCustomKeyStore makes it
// DISCONNECTED. The secrets are stored wrapped under the root key.

// PKCS11Cluster is the PKCS#11 token an AWS_CLOUDHSM custom key store
// uses in place of a CloudHSM cluster.
type PKCS11Cluster struct {
	Module     string // path of the PKCS#11 library
	TokenLabel string // the token's label
	// TrustAnchorCertificate, when set, is the only TrustAnchorCertificate
	// CreateCustomKeyStore accepts for the cluster.
	TrustAnchorCertificate string
}

// MaxCustomKeyStores is the quota of custom key stores per account and
// Region (AWS KMS Developer Guide, "Resource quotas": custom key stores,
// 10).
const MaxCustomKeyStores = 10

// The custom key store operations name no key: IAM alone authorizes them.
var (
	opCreateCustomKeyStore     = keyOp{name: "CreateCustomKeyStore", action: "kms:CreateCustomKeyStore"}
	opDescribeCustomKeyStores  = keyOp{name: "DescribeCustomKeyStores", action: "kms:DescribeCustomKeyStores"}
	opUpdateCustomKeyStore     = keyOp{name: "UpdateCustomKeyStore", action: "kms:UpdateCustomKeyStore"}
	opConnectCustomKeyStore    = keyOp{name: "ConnectCustomKeyStore", action: "kms:ConnectCustomKeyStore"}
	opDisconnectCustomKeyStore = keyOp{name: "DisconnectCustomKeyStore", action: "kms:DisconnectCustomKeyStore"}
	opDeleteCustomKeyStore     = keyOp{name: "DeleteCustomKeyStore", action: "kms:DeleteCustomKeyStore"}
)

// XksProxyAuthenticationCredentialType is the credential KMS signs XKS
// proxy requests with.
type XksProxyAuthenticationCredentialType struct {
	AccessKeyId        string
	RawSecretAccessKey string
}

// XksProxyConfigurationType describes an external key store's proxy (the
// secret is never returned).
type XksProxyConfigurationType struct {
	Connectivity            XksProxyConnectivityType
	AccessKeyId             string
	UriEndpoint             string
	UriPath                 string
	VpcEndpointServiceName  string
	VpcEndpointServiceOwner string
}

// CustomKeyStoresListEntry describes a custom key store.
type CustomKeyStoresListEntry struct {
	CustomKeyStoreId       string
	CustomKeyStoreName     string
	CloudHsmClusterId      string
	TrustAnchorCertificate string
	ConnectionState        ConnectionStateType
	ConnectionErrorCode    ConnectionErrorCodeType
	CreationDate           time.Time
	CustomKeyStoreType     CustomKeyStoreType
	XksProxyConfiguration  *XksProxyConfigurationType
}

// CreateCustomKeyStoreInput is the input of CreateCustomKeyStore.
type CreateCustomKeyStoreInput struct {
	CustomKeyStoreName               string
	CloudHsmClusterId                string
	TrustAnchorCertificate           string
	KeyStorePassword                 string
	CustomKeyStoreType               CustomKeyStoreType
	XksProxyUriEndpoint              string
	XksProxyUriPath                  string
	XksProxyVpcEndpointServiceName   string
	XksProxyVpcEndpointServiceOwner  string
	XksProxyAuthenticationCredential *XksProxyAuthenticationCredentialType
	XksProxyConnectivity             XksProxyConnectivityType
}

// CreateCustomKeyStoreOutput is the output of CreateCustomKeyStore.
type CreateCustomKeyStoreOutput struct {
	CustomKeyStoreId string
}

// DescribeCustomKeyStoresInput is the input of DescribeCustomKeyStores.
type DescribeCustomKeyStoresInput struct {
	CustomKeyStoreId   string
	CustomKeyStoreName string
	Limit              int32
	Marker             string
}

// DescribeCustomKeyStoresOutput is the output of DescribeCustomKeyStores.
type DescribeCustomKeyStoresOutput struct {
	CustomKeyStores []CustomKeyStoresListEntry
	NextMarker      string
	Truncated       bool
}

// UpdateCustomKeyStoreInput is the input of UpdateCustomKeyStore.
type UpdateCustomKeyStoreInput struct {
	CustomKeyStoreId                 string
	NewCustomKeyStoreName            string
	KeyStorePassword                 string
	CloudHsmClusterId                string
	XksProxyUriEndpoint              string
	XksProxyUriPath                  string
	XksProxyVpcEndpointServiceName   string
	XksProxyVpcEndpointServiceOwner  string
	XksProxyAuthenticationCredential *XksProxyAuthenticationCredentialType
	XksProxyConnectivity             XksProxyConnectivityType
}

// UpdateCustomKeyStoreOutput is the output of UpdateCustomKeyStore.
type UpdateCustomKeyStoreOutput struct{}

// ConnectCustomKeyStoreInput is the input of ConnectCustomKeyStore.
type ConnectCustomKeyStoreInput struct {
	CustomKeyStoreId string
}

// ConnectCustomKeyStoreOutput is the output of ConnectCustomKeyStore.
type ConnectCustomKeyStoreOutput struct{}

// DisconnectCustomKeyStoreInput is the input of DisconnectCustomKeyStore.
type DisconnectCustomKeyStoreInput struct {
	CustomKeyStoreId string
}

// DisconnectCustomKeyStoreOutput is the output of DisconnectCustomKeyStore.
type DisconnectCustomKeyStoreOutput struct{}

// DeleteCustomKeyStoreInput is the input of DeleteCustomKeyStore.
type DeleteCustomKeyStoreInput struct {
	CustomKeyStoreId string
}

// DeleteCustomKeyStoreOutput is the output of DeleteCustomKeyStore.
type DeleteCustomKeyStoreOutput struct{}

// customKeyStores holds a handle's live connections: an open token or an
// XKS client per CONNECTED store.
type customKeyStores struct {
	clusters   map[string]PKCS11Cluster
	httpClient *http.Client

	mu    sync.Mutex
	conns map[string]*cksConn // by store id
}

type cksConn struct {
	token *hsm.Token  // AWS_CLOUDHSM
	proxy *xks.Client // EXTERNAL_KEY_STORE
	// made holds the settings of the store's record the connection was
	// made with. Once the record has others (UpdateCustomKeyStore through
	// another handle or in another process), the connection is made anew.
	made connSettings
}

// connSettings are the members of a custom key store record a connection
// depends on: the cluster and wrapped password of an AWS_CLOUDHSM store;
// the proxy's endpoint, path and credential (secret wrapped) of an
// EXTERNAL_KEY_STORE.
type connSettings struct {
	clusterID, password                 string
	endpoint, path, accessKeyID, secret string
}

func settingsOf(s *records.CustomKeyStore) connSettings {
	return connSettings{clusterID: s.CloudHsmClusterID, password: string(s.WrappedKeyStorePassword),
		endpoint: s.XksURIEndpoint, path: s.XksURIPath, accessKeyID: s.XksAccessKeyID, secret: string(s.WrappedXksSecret)}
}

// of reports whether c are the settings of s (without allocating: it is
// checked on every use of a key in a custom key store).
func (c *connSettings) of(s *records.CustomKeyStore) bool {
	return c.clusterID == s.CloudHsmClusterID && c.password == string(s.WrappedKeyStorePassword) &&
		c.endpoint == s.XksURIEndpoint && c.path == s.XksURIPath && c.accessKeyID == s.XksAccessKeyID && c.secret == string(s.WrappedXksSecret)
}

func newCustomKeyStores(clusters map[string]PKCS11Cluster, hc *http.Client) *customKeyStores {
	return &customKeyStores{clusters: clusters, httpClient: hc, conns: map[string]*cksConn{}}
}

func (c *customKeyStores) set(id string, conn *cksConn) {
	c.mu.Lock()
	old := c.conns[id]
	c.conns[id] = conn
	c.mu.Unlock()
	old.close()
}

func (c *customKeyStores) drop(id string) {
	c.mu.Lock()
	old := c.conns[id]
	delete(c.conns, id)
	c.mu.Unlock()
	old.close()
}

func (c *customKeyStores) closeAll() {
	c.mu.Lock()
	conns := c.conns
	c.conns = map[string]*cksConn{}
	c.mu.Unlock()
	for _, conn := range conns {
		conn.close()
	}
}

func (c *cksConn) close() {
	if c != nil && c.token != nil {
		c.token.Close()
	}
}

var (
	cloudHsmClusterIDRE     = newModelPattern(`^cluster-[2-7a-zA-Z]{11,16}$`)
	xksURIEndpointRE        = newModelPattern(`^https://[a-zA-Z0-9.-]+$`)
	xksURIPathRE            = newModelPattern(`^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$`)
	xksVpcEndpointServiceRE = newModelPattern(`^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}\d+\.vpce-svc-[0-9a-z]+$`)
	xksAccessKeyIDRE        = newModelPattern(`^[A-Z2-7]+$`)
	xksSecretRE             = newModelPattern(`^[a-zA-Z0-9\/+=]+$`)
)

// sensitive checks a sensitive string member's length and pattern without
// echoing it (AWS omits sensitive values from its messages).
func (v *validator) sensitive(field, s string, minLen, maxLen int, p *modelPattern) {
	if s == "" {
		return
	}
	switch n := len([]rune(s)); {
	case n < minLen:
		v.add(field, "", fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case n > maxLen:
		v.add(field, "", fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	if p != nil && !p.re.MatchString(s) {
		v.add(field, "", "Member must satisfy regular expression pattern: "+p.src)
	}
}

// storeFields checks the members CreateCustomKeyStore and
// UpdateCustomKeyStore share.
func (v *validator) storeFields(clusterID, trustAnchor, password, endpoint, path, vpcName, vpcOwner string,
	cred *XksProxyAuthenticationCredentialType, conn XksProxyConnectivityType) {
	v.optional("cloudHsmClusterId", clusterID, 19, 24, &cloudHsmClusterIDRE)
	v.optional("trustAnchorCertificate", trustAnchor, 1, 5000, nil)
	v.sensitive("keyStorePassword", password, 7, 32, nil)
	v.optional("xksProxyUriEndpoint", endpoint, 10, 128, &xksURIEndpointRE)
	v.optional("xksProxyUriPath", path, 10, 128, &xksURIPathRE)
	v.optional("xksProxyVpcEndpointServiceName", vpcName, 20, 64, &xksVpcEndpointServiceRE)
	v.optional("xksProxyVpcEndpointServiceOwner", vpcOwner, 12, 12, &accountIDRE)
	if cred != nil {
		if v.required("xksProxyAuthenticationCredential.accessKeyId", cred.AccessKeyId) {
			v.sensitive("xksProxyAuthenticationCredential.accessKeyId", cred.AccessKeyId, 20, 30, &xksAccessKeyIDRE)
		}
		if v.required("xksProxyAuthenticationCredential.rawSecretAccessKey", cred.RawSecretAccessKey) {
			v.sensitive("xksProxyAuthenticationCredential.rawSecretAccessKey", cred.RawSecretAccessKey, 43, 64, &xksSecretRE)
		}
	}
	enum(v, "xksProxyConnectivity", conn, XksProxyConnectivityType("").Values())
}

// optional checks an optional string member's length and pattern, if
// present.
func (v *validator) optional(field, s string, minLen, maxLen int, p *modelPattern) {
	if s == "" {
		return
	}
	v.length(field, s, minLen, maxLen)
	if p != nil {
		v.pattern(field, s, *p)
	}
}

var accountIDRE = newModelPattern(`^[0-9]{12}$`)

// customKeyStoreID returns a new id: "cks-" and 17 hex digits, the form of
// AWS's (cks-1234567890abcdef0 in the API reference).
func customKeyStoreID() string {
	var b [9]byte
	rand.Read(b[:])
	return "cks-" + hex.EncodeToString(b[:])[:17]
}

// secretOwner binds a wrapped secret to its store and purpose.
func secretOwner(s *records.CustomKeyStore, what string) string {
	return "customkeystore/" + s.Account + "/" + s.Region + "/" + s.ID + "/" + what
}

func (k *KMS) wrapSecret(s *records.CustomKeyStore, what, secret string) ([]byte, error) {
	return k.root.Wrap([]byte(secret), secretOwner(s, what))
}

func (k *KMS) unwrapSecret(s *records.CustomKeyStore, what string, wrapped []byte) (string, error) {
	b, err := k.root.Unwrap(wrapped, secretOwner(s, what))
	if err != nil {
		return "", fmt.Errorf("%w: custom key store %s: %v", backend.ErrCorrupt, s.ID, err)
	}
	return string(b), nil
}

// rewrapCustomKeyStoreRecord re-wraps a custom key store record's secrets
// from oldRoot to newRoot (RewrapRootKey).
func rewrapCustomKeyStoreRecord(k, v []byte, oldRoot, newRoot *keystore.RootKey) ([]byte, error) {
	var s records.CustomKeyStore
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, fmt.Errorf("%w: custom key store record %q: %v", backend.ErrCorrupt, k, err)
	}
	for _, f := range []struct {
		what string
		p    *[]byte
	}{{"password", &s.WrappedKeyStorePassword}, {"xks-secret", &s.WrappedXksSecret}} {
		if *f.p == nil {
			continue
		}
		secret, err := oldRoot.Unwrap(*f.p, secretOwner(&s, f.what))
		if err != nil {
			return nil, fmt.Errorf("%w: custom key store record %q: %v", backend.ErrCorrupt, k, err)
		}
		if *f.p, err = newRoot.Wrap(secret, secretOwner(&s, f.what)); err != nil {
			return nil, err
		}
	}
	return json.Marshal(&s)
}

func errStoreNotFound(id string) error {
	return newErr(ErrCustomKeyStoreNotFound, "Custom key store '%s' does not exist.", id)
}

// getStore reads a store, or CustomKeyStoreNotFoundException.
func (k *KMS) getStore(tx backend.Txn, id string) (*records.CustomKeyStore, error) {
	s, err := records.GetCustomKeyStore(tx, k.account, k.region, id)
	if errors.Is(err, backend.ErrNotFound) {
		return nil, errStoreNotFound(id)
	}
	return s, err
}

// checkUnique refuses a store whose name, cluster, or proxy address
// another store of the account and Region already uses.
func (k *KMS) checkUnique(tx backend.Txn, s *records.CustomKeyStore) error {
	if id, err := records.CustomKeyStoreByName(tx, k.account, k.region, s.Name); err == nil && id != s.ID {
		return newErr(ErrCustomKeyStoreNameInUse, "Custom key store name '%s' is already in use.", s.Name)
	} else if err != nil && !errors.Is(err, backend.ErrNotFound) {
		return err
	}
	var clash error
	err := records.ScanCustomKeyStores(tx, k.account, k.region, "", func(o *records.CustomKeyStore) bool {
		switch {
		case o.ID == s.ID || o.Type != s.Type:
		case s.Type == string(CustomKeyStoreTypeAwsCloudhsm) && o.CloudHsmClusterID == s.CloudHsmClusterID:
			clash = newErr(ErrCloudHsmClusterInUse, "CloudHSM cluster '%s' is already associated with custom key store '%s'.", s.CloudHsmClusterID, o.ID)
		case s.Type != string(CustomKeyStoreTypeExternalKeyStore):
		case s.XksConnectivity == string(XksProxyConnectivityTypeVpcEndpointService) &&
			o.XksVpcEndpointServiceName == s.XksVpcEndpointServiceName:
			clash = newErr(ErrXksProxyVpcEndpointServiceInUse, "VPC endpoint service '%s' is already associated with custom key store '%s'.", s.XksVpcEndpointServiceName, o.ID)
		case o.XksURIEndpoint == s.XksURIEndpoint && o.XksURIPath == s.XksURIPath:
			clash = newErr(ErrXksProxyUriInUse, "XKS proxy URI '%s%s' is already associated with custom key store '%s'.", s.XksURIEndpoint, s.XksURIPath, o.ID)
		case (s.XksConnectivity == string(XksProxyConnectivityTypeVpcEndpointService) ||
			o.XksConnectivity == string(XksProxyConnectivityTypeVpcEndpointService)) && o.XksURIEndpoint == s.XksURIEndpoint:
			// API reference, CreateCustomKeyStore, XksProxyUriEndpoint: a
			// private DNS name is unique, and "An external key store with
			// PUBLIC_ENDPOINT connectivity cannot use the same
			// XksProxyUriEndpoint value as an external key store with
			// VPC_ENDPOINT_SERVICE connectivity".
			clash = newErr(ErrXksProxyUriEndpointInUse, "XKS proxy URI endpoint '%s' is already associated with custom key store '%s'.", s.XksURIEndpoint, o.ID)
		}
		return clash == nil
	})
	if err != nil {
		return err
	}
	return clash
}

// cluster returns the token standing for a CloudHsmClusterId, or
// CloudHsmClusterNotFoundException.
func (k *KMS) cluster(id string) (PKCS11Cluster, error) {
	c, ok := k.cks.clusters[id]
	if !ok {
		return c, newErr(ErrCloudHsmClusterNotFound, "CloudHSM cluster '%s' does not exist.", id)
	}
	return c, nil
}

// openToken logs in to a store's token.
func (k *KMS) openToken(s *records.CustomKeyStore) (*hsm.Token, error) {
	c, err := k.cluster(s.CloudHsmClusterID)
	if err != nil {
		return nil, err
	}
	pin, err := k.unwrapSecret(s, "password", s.WrappedKeyStorePassword)
	if err != nil {
		return nil, err
	}
	return hsm.Open(hsm.Config{Module: c.Module, TokenLabel: c.TokenLabel, PIN: pin})
}

// proxyClient returns the XKS client of a store.
func (k *KMS) proxyClient(s *records.CustomKeyStore) (*xks.Client, error) {
	secret, err := k.unwrapSecret(s, "xks-secret", s.WrappedXksSecret)
	if err != nil {
		return nil, err
	}
	return &xks.Client{Endpoint: s.XksURIEndpoint, URIPath: s.XksURIPath, Region: k.region,
		Credential: xks.Credential{AccessKeyID: s.XksAccessKeyID, SecretAccessKey: secret}, HTTPClient: k.cks.httpClient}, nil
}

// healthCheck calls the proxy's health operation as KMS does in
// CreateCustomKeyStore and UpdateCustomKeyStore, and returns the KMS error
// the XKS proxy API specification gives each failure.
func (k *KMS) healthCheck(ctx context.Context, s *records.CustomKeyStore, operation string) error {
	c, err := k.proxyClient(s)
	if err != nil {
		return err
	}
	_, err = c.GetHealthStatus(ctx, xks.RequestMetadata{KMSOperation: operation, KMSRequestID: newRequestID()})
	if err == nil {
		return nil
	}
	code, msg := xks.KMSError(err, xks.StoreAdmin)
	return &Error{Code: Code(code), Message: msg, cause: err}
}

// newRequestID returns a random UUID, the form of KMS request ids.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// CreateCustomKeyStore creates a custom key store, DISCONNECTED. An
// AWS_CLOUDHSM store (the default type) needs CloudHsmClusterId (an entry
// of Options.CloudHsmClusters), TrustAnchorCertificate and KeyStorePassword
// (the token's user PIN); an EXTERNAL_KEY_STORE needs XksProxyUriEndpoint,
// XksProxyUriPath, XksProxyAuthenticationCredential and
// XksProxyConnectivity (and XksProxyVpcEndpointServiceName with
// VPC_ENDPOINT_SERVICE), and with PUBLIC_ENDPOINT its proxy must answer a
// health check.
func (k *KMS) CreateCustomKeyStore(ctx context.Context, in *CreateCustomKeyStoreInput) (result *CreateCustomKeyStoreOutput, opErr error) {
	defer finish(k.audit(&ctx, "CreateCustomKeyStore", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &CreateCustomKeyStoreInput{}
	}
	var v validator
	if v.required("customKeyStoreName", in.CustomKeyStoreName) {
		v.length("customKeyStoreName", in.CustomKeyStoreName, 1, 256)
	}
	enum(&v, "customKeyStoreType", in.CustomKeyStoreType, CustomKeyStoreType("").Values())
	v.storeFields(in.CloudHsmClusterId, in.TrustAnchorCertificate, in.KeyStorePassword, in.XksProxyUriEndpoint,
		in.XksProxyUriPath, in.XksProxyVpcEndpointServiceName, in.XksProxyVpcEndpointServiceOwner,
		in.XksProxyAuthenticationCredential, in.XksProxyConnectivity)
	if err := v.err(); err != nil {
		return nil, err
	}
	typ := in.CustomKeyStoreType
	if typ == "" {
		typ = CustomKeyStoreTypeAwsCloudhsm
	}
	s := &records.CustomKeyStore{ID: customKeyStoreID(), Account: k.account, Region: k.region,
		Name: in.CustomKeyStoreName, Type: string(typ), CreationDate: k.clock.Now().UTC(),
		ConnectionState: string(ConnectionStateTypeDisconnected)}
	xksMembers := in.XksProxyUriEndpoint != "" || in.XksProxyUriPath != "" || in.XksProxyVpcEndpointServiceName != "" ||
		in.XksProxyVpcEndpointServiceOwner != "" || in.XksProxyAuthenticationCredential != nil || in.XksProxyConnectivity != ""
	hsmMembers := in.CloudHsmClusterId != "" || in.TrustAnchorCertificate != "" || in.KeyStorePassword != ""
	var err error
	switch typ {
	case CustomKeyStoreTypeAwsCloudhsm:
		switch {
		case xksMembers:
			return nil, invalid("XKS proxy parameters are not valid for a custom key store of type AWS_CLOUDHSM.")
		case in.CloudHsmClusterId == "" || in.TrustAnchorCertificate == "" || in.KeyStorePassword == "":
			return nil, invalid("CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword are required for a custom key store of type AWS_CLOUDHSM.")
		}
		c, err := k.cluster(in.CloudHsmClusterId)
		if err != nil {
			return nil, err
		}
		if !isPEMCertificate(in.TrustAnchorCertificate) ||
			c.TrustAnchorCertificate != "" && strings.TrimSpace(c.TrustAnchorCertificate) != strings.TrimSpace(in.TrustAnchorCertificate) {
			return nil, newErr(ErrIncorrectTrustAnchor, "The trust anchor certificate is not the trust anchor certificate of CloudHSM cluster '%s'.", in.CloudHsmClusterId)
		}
		s.CloudHsmClusterID, s.TrustAnchorCertificate = in.CloudHsmClusterId, in.TrustAnchorCertificate
		if s.WrappedKeyStorePassword, err = k.wrapSecret(s, "password", in.KeyStorePassword); err != nil {
			return nil, internal(err)
		}
	case CustomKeyStoreTypeExternalKeyStore:
		switch {
		case hsmMembers:
			return nil, invalid("CloudHSM parameters are not valid for a custom key store of type EXTERNAL_KEY_STORE.")
		case in.XksProxyUriEndpoint == "" || in.XksProxyUriPath == "" || in.XksProxyAuthenticationCredential == nil || in.XksProxyConnectivity == "":
			return nil, invalid("XksProxyUriEndpoint, XksProxyUriPath, XksProxyAuthenticationCredential and XksProxyConnectivity are required for a custom key store of type EXTERNAL_KEY_STORE.")
		case in.XksProxyConnectivity == XksProxyConnectivityTypeVpcEndpointService && in.XksProxyVpcEndpointServiceName == "":
			return nil, invalid("XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.")
		case in.XksProxyConnectivity == XksProxyConnectivityTypePublicEndpoint && (in.XksProxyVpcEndpointServiceName != "" || in.XksProxyVpcEndpointServiceOwner != ""):
			return nil, invalid("XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.")
		}
		s.XksURIEndpoint, s.XksURIPath, s.XksConnectivity = in.XksProxyUriEndpoint, in.XksProxyUriPath, string(in.XksProxyConnectivity)
		s.XksVpcEndpointServiceName, s.XksVpcEndpointServiceOwner = in.XksProxyVpcEndpointServiceName, in.XksProxyVpcEndpointServiceOwner
		s.XksAccessKeyID = in.XksProxyAuthenticationCredential.AccessKeyId
		if s.WrappedXksSecret, err = k.wrapSecret(s, "xks-secret", in.XksProxyAuthenticationCredential.RawSecretAccessKey); err != nil {
			return nil, internal(err)
		}
	}
	if err := k.authorize(ctx, opCreateCustomKeyStore, authzExtra{}); err != nil {
		return nil, err
	}
	if err := k.store.View(ctx, func(tx backend.Txn) error { return k.checkUnique(tx, s) }); err != nil {
		return nil, internal(err)
	}
	// API reference, CreateCustomKeyStore, XksProxyUriEndpoint: "KMS
	// connects to the external key store proxy while creating the custom
	// key store. For external key stores with VPC_ENDPOINT_SERVICE
	// connectivity, KMS connects when you call the ConnectCustomKeyStore
	// operation."
	if s.XksConnectivity == string(XksProxyConnectivityTypePublicEndpoint) {
		if err := k.healthCheck(ctx, s, "CreateCustomKeyStore"); err != nil {
			return nil, err
		}
	}
	err = k.store.Update(ctx, func(tx backend.Txn) error {
		if err := k.checkUnique(tx, s); err != nil {
			return err
		}
		n := 0
		if err := records.ScanCustomKeyStores(tx, k.account, k.region, "", func(*records.CustomKeyStore) bool { n++; return true }); err != nil {
			return err
		}
		if n >= MaxCustomKeyStores {
			return newErr(ErrLimitExceeded, "The request was rejected because you have reached the maximum of %d custom key stores in this account and Region.", MaxCustomKeyStores)
		}
		return records.PutCustomKeyStore(tx, s)
	})
	if err != nil {
		return nil, internal(err)
	}
	return &CreateCustomKeyStoreOutput{CustomKeyStoreId: s.ID}, nil
}

// isPEMCertificate reports whether s holds a PEM CERTIFICATE block.
func isPEMCertificate(s string) bool {
	return strings.Contains(s, "-----BEGIN CERTIFICATE-----") && strings.Contains(s, "-----END CERTIFICATE-----")
}

// DescribeCustomKeyStores lists the custom key stores of the account and
// Region in id order, or only the one CustomKeyStoreId or
// CustomKeyStoreName names (CustomKeyStoreNotFoundException when none
// does). Limit is 1..1000 (default 1000).
func (k *KMS) DescribeCustomKeyStores(ctx context.Context, in *DescribeCustomKeyStoresInput) (result *DescribeCustomKeyStoresOutput, opErr error) {
	defer finish(k.audit(&ctx, "DescribeCustomKeyStores", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DescribeCustomKeyStoresInput{}
	}
	var v validator
	v.optional("customKeyStoreId", in.CustomKeyStoreId, 1, 64, nil)
	v.optional("customKeyStoreName", in.CustomKeyStoreName, 1, 256, nil)
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.CustomKeyStoreId != "" && in.CustomKeyStoreName != "" {
		return nil, invalid("Specify either CustomKeyStoreId or CustomKeyStoreName, not both.")
	}
	start, err := decodeMarker("customkeystore", in.Marker)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opDescribeCustomKeyStores, authzExtra{}); err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 1000, 1000)
	out := &DescribeCustomKeyStoresOutput{CustomKeyStores: []CustomKeyStoresListEntry{}}
	err = k.store.View(ctx, func(tx backend.Txn) error {
		out.CustomKeyStores, out.NextMarker, out.Truncated = out.CustomKeyStores[:0], "", false
		id := in.CustomKeyStoreId
		if in.CustomKeyStoreName != "" {
			var err error
			if id, err = records.CustomKeyStoreByName(tx, k.account, k.region, in.CustomKeyStoreName); errors.Is(err, backend.ErrNotFound) {
				return newErr(ErrCustomKeyStoreNotFound, "Custom key store with name '%s' does not exist.", in.CustomKeyStoreName)
			} else if err != nil {
				return err
			}
		}
		if id != "" {
			s, err := k.getStore(tx, id)
			if err != nil {
				return err
			}
			out.CustomKeyStores = append(out.CustomKeyStores, storeEntry(s))
			return nil
		}
		return records.ScanCustomKeyStores(tx, k.account, k.region, start, func(s *records.CustomKeyStore) bool {
			if len(out.CustomKeyStores) == limit {
				out.NextMarker, out.Truncated = encodeMarker("customkeystore", s.ID), true
				return false
			}
			out.CustomKeyStores = append(out.CustomKeyStores, storeEntry(s))
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

// storeEntry describes a store as DescribeCustomKeyStores does: the
// ConnectionErrorCode only when FAILED, no secret.
func storeEntry(s *records.CustomKeyStore) CustomKeyStoresListEntry {
	e := CustomKeyStoresListEntry{
		CustomKeyStoreId:       s.ID,
		CustomKeyStoreName:     s.Name,
		CloudHsmClusterId:      s.CloudHsmClusterID,
		TrustAnchorCertificate: s.TrustAnchorCertificate,
		ConnectionState:        ConnectionStateType(s.ConnectionState),
		CreationDate:           s.CreationDate,
		CustomKeyStoreType:     CustomKeyStoreType(s.Type),
	}
	if s.ConnectionState == string(ConnectionStateTypeFailed) {
		e.ConnectionErrorCode = ConnectionErrorCodeType(s.ConnectionErrorCode)
	}
	if s.Type == string(CustomKeyStoreTypeExternalKeyStore) {
		e.XksProxyConfiguration = &XksProxyConfigurationType{
			Connectivity:            XksProxyConnectivityType(s.XksConnectivity),
			AccessKeyId:             s.XksAccessKeyID,
			UriEndpoint:             s.XksURIEndpoint,
			UriPath:                 s.XksURIPath,
			VpcEndpointServiceName:  s.XksVpcEndpointServiceName,
			VpcEndpointServiceOwner: s.XksVpcEndpointServiceOwner,
		}
	}
	return e
}

// checkStoreID checks the CustomKeyStoreId member of the operations on one
// store.
func checkStoreID(id string) error {
	var v validator
	if v.required("customKeyStoreId", id) {
		v.length("customKeyStoreId", id, 1, 64)
	}
	return v.err()
}

// setState records a store's connection state.
func (k *KMS) setState(ctx context.Context, id string, state ConnectionStateType, code ConnectionErrorCodeType) error {
	return k.store.Update(ctx, func(tx backend.Txn) error {
		s, err := k.getStore(tx, id)
		if err != nil {
			return err
		}
		s.ConnectionState, s.ConnectionErrorCode = string(state), string(code)
		return records.PutCustomKeyStore(tx, s)
	})
}

// ConnectCustomKeyStore connects a store: it logs in to the token, or
// checks the proxy's health. A store already CONNECTED stays so. A store
// that is FAILED must be disconnected first
// (CustomKeyStoreInvalidStateException). A failed attempt leaves the store
// FAILED with its ConnectionErrorCode, and the call succeeds, as AWS's
// asynchronous connection does.
func (k *KMS) ConnectCustomKeyStore(ctx context.Context, in *ConnectCustomKeyStoreInput) (result *ConnectCustomKeyStoreOutput, opErr error) {
	defer finish(k.audit(&ctx, "ConnectCustomKeyStore", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ConnectCustomKeyStoreInput{}
	}
	if err := checkStoreID(in.CustomKeyStoreId); err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opConnectCustomKeyStore, authzExtra{}); err != nil {
		return nil, err
	}
	var s *records.CustomKeyStore
	err := k.store.View(ctx, func(tx backend.Txn) (err error) {
		s, err = k.getStore(tx, in.CustomKeyStoreId)
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	switch ConnectionStateType(s.ConnectionState) {
	case ConnectionStateTypeFailed, ConnectionStateTypeDisconnecting:
		return nil, newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' is in the %s state. Disconnect it before connecting it again.", s.ID, s.ConnectionState)
	case ConnectionStateTypeConnected:
		k.cks.mu.Lock()
		_, live := k.cks.conns[s.ID]
		k.cks.mu.Unlock()
		if live {
			return &ConnectCustomKeyStoreOutput{}, nil
		}
	}
	conn, code := k.connect(ctx, s)
	if code != "" {
		if err := k.setState(ctx, s.ID, ConnectionStateTypeFailed, code); err != nil {
			return nil, internal(err)
		}
		return &ConnectCustomKeyStoreOutput{}, nil
	}
	if err := k.setState(ctx, s.ID, ConnectionStateTypeConnected, ""); err != nil {
		conn.close()
		return nil, internal(err)
	}
	k.cks.set(s.ID, conn)
	return &ConnectCustomKeyStoreOutput{}, nil
}

// connect opens a store's connection, or returns the ConnectionErrorCode
// of the failure.
func (k *KMS) connect(ctx context.Context, s *records.CustomKeyStore) (*cksConn, ConnectionErrorCodeType) {
	if s.Type == string(CustomKeyStoreTypeAwsCloudhsm) {
		if _, err := k.cluster(s.CloudHsmClusterID); err != nil {
			return nil, ConnectionErrorCodeTypeClusterNotFound
		}
		tok, err := k.openToken(s)
		if err != nil {
			return nil, ConnectionErrorCodeType(hsm.ConnectionErrorCode(err))
		}
		return &cksConn{token: tok, made: settingsOf(s)}, ""
	}
	c, err := k.proxyClient(s)
	if err != nil {
		return nil, ConnectionErrorCodeTypeInternalError
	}
	if _, err := c.GetHealthStatus(ctx, xks.RequestMetadata{KMSOperation: "ConnectCustomKeyStore", KMSRequestID: newRequestID()}); err != nil {
		return nil, ConnectionErrorCodeType(xks.ConnectionErrorCode(err))
	}
	return &cksConn{proxy: c, made: settingsOf(s)}, ""
}

// DisconnectCustomKeyStore disconnects a store (any state but
// DISCONNECTED, which is CustomKeyStoreInvalidStateException): it closes
// the token or forgets the proxy, and clears the ConnectionErrorCode.
func (k *KMS) DisconnectCustomKeyStore(ctx context.Context, in *DisconnectCustomKeyStoreInput) (result *DisconnectCustomKeyStoreOutput, opErr error) {
	defer finish(k.audit(&ctx, "DisconnectCustomKeyStore", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DisconnectCustomKeyStoreInput{}
	}
	if err := checkStoreID(in.CustomKeyStoreId); err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opDisconnectCustomKeyStore, authzExtra{}); err != nil {
		return nil, err
	}
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		s, err := k.getStore(tx, in.CustomKeyStoreId)
		if err != nil {
			return err
		}
		if s.ConnectionState == string(ConnectionStateTypeDisconnected) {
			return newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' is already DISCONNECTED.", s.ID)
		}
		s.ConnectionState, s.ConnectionErrorCode = string(ConnectionStateTypeDisconnected), ""
		return records.PutCustomKeyStore(tx, s)
	})
	if err != nil {
		return nil, internal(err)
	}
	k.cks.drop(in.CustomKeyStoreId)
	return &DisconnectCustomKeyStoreOutput{}, nil
}

// UpdateCustomKeyStore changes a store's properties. Some may change while
// the store is CONNECTED or DISCONNECTED, the others only DISCONNECTED
// (API reference, UpdateCustomKeyStore: the CustomKeyStoreName of an
// CloudHSM key store, and the CustomKeyStoreName,
// XksProxyAuthenticationCredential and XksProxyUriPath of an external key
// store, "when it is in the CONNECTED or DISCONNECTED state"); any other
// state is CustomKeyStoreInvalidStateException. A new CloudHsmClusterId
// must name a cluster on the same token (CloudHsmClusterNotRelatedException
// otherwise). An external key store's proxy must answer a health check
// with the new values.
func (k *KMS) UpdateCustomKeyStore(ctx context.Context, in *UpdateCustomKeyStoreInput) (result *UpdateCustomKeyStoreOutput, opErr error) {
	defer finish(k.audit(&ctx, "UpdateCustomKeyStore", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &UpdateCustomKeyStoreInput{}
	}
	var v validator
	if v.required("customKeyStoreId", in.CustomKeyStoreId) {
		v.length("customKeyStoreId", in.CustomKeyStoreId, 1, 64)
	}
	v.optional("newCustomKeyStoreName", in.NewCustomKeyStoreName, 1, 256, nil)
	v.storeFields(in.CloudHsmClusterId, "", in.KeyStorePassword, in.XksProxyUriEndpoint, in.XksProxyUriPath,
		in.XksProxyVpcEndpointServiceName, in.XksProxyVpcEndpointServiceOwner, in.XksProxyAuthenticationCredential, in.XksProxyConnectivity)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opUpdateCustomKeyStore, authzExtra{}); err != nil {
		return nil, err
	}
	var s *records.CustomKeyStore
	err := k.store.View(ctx, func(tx backend.Txn) (err error) {
		s, err = k.getStore(tx, in.CustomKeyStoreId)
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	disconnected := s.ConnectionState == string(ConnectionStateTypeDisconnected)
	if !disconnected && s.ConnectionState != string(ConnectionStateTypeConnected) {
		return nil, newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' must be CONNECTED or DISCONNECTED to be updated; it is %s.", s.ID, s.ConnectionState)
	}
	notDisconnected := func() error {
		return newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' must be DISCONNECTED to change these properties; it is %s.", s.ID, s.ConnectionState)
	}
	if in.NewCustomKeyStoreName != "" {
		s.Name = in.NewCustomKeyStoreName
	}
	newProxy := false // a CONNECTED external key store's live client must follow
	switch s.Type {
	case string(CustomKeyStoreTypeAwsCloudhsm):
		if in.XksProxyUriEndpoint != "" || in.XksProxyUriPath != "" || in.XksProxyVpcEndpointServiceName != "" ||
			in.XksProxyVpcEndpointServiceOwner != "" || in.XksProxyAuthenticationCredential != nil || in.XksProxyConnectivity != "" {
			return nil, invalid("XKS proxy parameters are not valid for a custom key store of type AWS_CLOUDHSM.")
		}
		if !disconnected && (in.CloudHsmClusterId != "" || in.KeyStorePassword != "") {
			return nil, notDisconnected()
		}
		if in.CloudHsmClusterId != "" && in.CloudHsmClusterId != s.CloudHsmClusterID {
			next, err := k.cluster(in.CloudHsmClusterId)
			if err != nil {
				return nil, err
			}
			if cur, ok := k.cks.clusters[s.CloudHsmClusterID]; ok && (cur.Module != next.Module || cur.TokenLabel != next.TokenLabel) {
				return nil, newErr(ErrCloudHsmClusterNotRelated, "CloudHSM cluster '%s' is not related to cluster '%s'.", in.CloudHsmClusterId, s.CloudHsmClusterID)
			}
			s.CloudHsmClusterID = in.CloudHsmClusterId
		}
		if in.KeyStorePassword != "" {
			if s.WrappedKeyStorePassword, err = k.wrapSecret(s, "password", in.KeyStorePassword); err != nil {
				return nil, internal(err)
			}
		}
	case string(CustomKeyStoreTypeExternalKeyStore):
		if in.CloudHsmClusterId != "" || in.KeyStorePassword != "" {
			return nil, invalid("CloudHSM parameters are not valid for a custom key store of type EXTERNAL_KEY_STORE.")
		}
		if in.XksProxyUriEndpoint != "" || in.XksProxyVpcEndpointServiceName != "" ||
			in.XksProxyVpcEndpointServiceOwner != "" || in.XksProxyConnectivity != "" {
			if !disconnected {
				return nil, notDisconnected()
			}
		}
		set := func(dst *string, v string) {
			if v != "" {
				*dst = v
			}
		}
		set(&s.XksURIEndpoint, in.XksProxyUriEndpoint)
		set(&s.XksURIPath, in.XksProxyUriPath)
		set(&s.XksVpcEndpointServiceName, in.XksProxyVpcEndpointServiceName)
		set(&s.XksVpcEndpointServiceOwner, in.XksProxyVpcEndpointServiceOwner)
		set(&s.XksConnectivity, string(in.XksProxyConnectivity))
		if s.XksConnectivity == string(XksProxyConnectivityTypePublicEndpoint) {
			s.XksVpcEndpointServiceName, s.XksVpcEndpointServiceOwner = "", ""
		} else if s.XksVpcEndpointServiceName == "" {
			return nil, invalid("XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.")
		}
		if c := in.XksProxyAuthenticationCredential; c != nil {
			s.XksAccessKeyID = c.AccessKeyId
			if s.WrappedXksSecret, err = k.wrapSecret(s, "xks-secret", c.RawSecretAccessKey); err != nil {
				return nil, internal(err)
			}
		}
		newProxy = in.XksProxyAuthenticationCredential != nil || in.XksProxyUriPath != ""
		if err := k.healthCheck(ctx, s, "UpdateCustomKeyStore"); err != nil {
			return nil, err
		}
	}
	err = k.store.Update(ctx, func(tx backend.Txn) error {
		cur, err := k.getStore(tx, s.ID)
		if err != nil {
			return err
		}
		if cur.ConnectionState != s.ConnectionState {
			return newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' changed state during the update; retry.", s.ID)
		}
		if err := k.checkUnique(tx, s); err != nil {
			return err
		}
		return records.PutCustomKeyStore(tx, s)
	})
	if err != nil {
		return nil, internal(err)
	}
	if newProxy && !disconnected {
		if c, err := k.proxyClient(s); err == nil {
			k.cks.mu.Lock()
			if k.cks.conns[s.ID] != nil {
				// A new connection, not a changed one: calls under way
				// keep the one they have.
				k.cks.conns[s.ID] = &cksConn{proxy: c, made: settingsOf(s)}
			}
			k.cks.mu.Unlock()
		}
	}
	return &UpdateCustomKeyStoreOutput{}, nil
}

// DeleteCustomKeyStore deletes a DISCONNECTED store that holds no key
// (CustomKeyStoreInvalidStateException, CustomKeyStoreHasCMKsException).
func (k *KMS) DeleteCustomKeyStore(ctx context.Context, in *DeleteCustomKeyStoreInput) (result *DeleteCustomKeyStoreOutput, opErr error) {
	defer finish(k.audit(&ctx, "DeleteCustomKeyStore", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DeleteCustomKeyStoreInput{}
	}
	if err := checkStoreID(in.CustomKeyStoreId); err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opDeleteCustomKeyStore, authzExtra{}); err != nil {
		return nil, err
	}
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		s, err := k.getStore(tx, in.CustomKeyStoreId)
		if err != nil {
			return err
		}
		if s.ConnectionState != string(ConnectionStateTypeDisconnected) {
			return newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' must be DISCONNECTED to be deleted; it is %s.", s.ID, s.ConnectionState)
		}
		has, err := records.CustomKeyStoreHasKeys(tx, k.account, k.region, s.ID)
		if err != nil {
			return err
		}
		if has {
			return newErr(ErrCustomKeyStoreHasCMKs, "Custom key store '%s' still has KMS keys. Delete them before deleting the custom key store.", s.ID)
		}
		return records.DeleteCustomKeyStore(tx, k.account, k.region, s.ID)
	})
	if err != nil {
		return nil, internal(err)
	}
	k.cks.drop(in.CustomKeyStoreId)
	return &DeleteCustomKeyStoreOutput{}, nil
}
