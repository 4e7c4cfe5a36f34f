//go:build cgo

package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/keystore/hsm"
	"github.com/embedkms/kms/keystore/hsm/hsmtest"
	"github.com/embedkms/kms/keystore/xks"
	"github.com/embedkms/kms/kmstest"
	"github.com/miekg/pkcs11"
)

// embedkms -> this proxy -> SoftHSM2: the whole path of an
// EXTERNAL_KEY_STORE on one machine, beside an AWS_CLOUDHSM store on
// another token of the same SoftHSM2 and a key of the default store.

const cluster = "cluster-234567abcdefg"

// stores is a handle with one key in each kind of store.
type stores struct {
	k              *kms.KMS
	xksStore       string
	hsmStore       string
	defaultKey     string
	hsmKey, xksKey *kms.KeyMetadata
	proxyTok       *hsm.Token
	externalKey    string // the xks key's external key id
	down           atomic.Bool
	seen           atomic.Pointer[[]byte] // the last encrypt request body the proxy received
	module, label  string                 // the proxy's token
	tr             *http.Transport
}

// setDown makes the proxy unreachable (connections refused) or reachable
// again.
func (s *stores) setDown(down bool) {
	s.down.Store(down)
	s.tr.CloseIdleConnections()
}

// newStores sets everything up. The proxy answers as the spec says; with
// s.down set, the connection to it is refused.
func newStores(t testing.TB) *stores {
	t.Helper()
	sh := hsmtest.New(t)
	cks := sh.InitToken(t, "cks")
	xt := sh.InitToken(t, "xks")
	tok, err := hsm.Open(hsm.Config{Module: xt.Module, TokenLabel: xt.Label, PIN: xt.PIN})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	s := &stores{proxyTok: tok, module: xt.Module, label: xt.Label}
	p := &proxy{tok: tok, verifier: &xks.Verifier{Region: "us-east-1", Secrets: map[string]string{cred.AccessKeyID: cred.SecretAccessKey}},
		uriPath: uriPath, log: log.New(io.Discard, "", 0)}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/encrypt") {
			body, _ := io.ReadAll(r.Body)
			s.seen.Store(&body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.RootCAs = pool
	tr.TLSClientConfig.ServerName = "example.com"
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if a != "xks.example.com:443" || s.down.Load() {
			return nil, errors.New("connection refused")
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	s.tr = tr
	k, _ := kmstest.NewWithOptions(t, kms.Options{
		CloudHsmClusters: map[string]kms.PKCS11Cluster{cluster: {Module: cks.Module, TokenLabel: cks.Label}},
		XksHTTPClient:    &http.Client{Transport: tr},
	})
	s.k = k
	ctx := context.Background()
	out, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "xks", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
		XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: uriPath, XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint,
		XksProxyAuthenticationCredential: &kms.XksProxyAuthenticationCredentialType{AccessKeyId: cred.AccessKeyID, RawSecretAccessKey: cred.SecretAccessKey}})
	if err != nil {
		t.Fatal(err)
	}
	s.xksStore = out.CustomKeyStoreId
	out, err = k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "hsm", CloudHsmClusterId: cluster,
		TrustAnchorCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", KeyStorePassword: cks.PIN})
	if err != nil {
		t.Fatal(err)
	}
	s.hsmStore = out.CustomKeyStoreId
	for _, id := range []string{s.xksStore, s.hsmStore} {
		if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
			t.Fatal(err)
		}
	}
	ext, err := tok.GenerateKey("external")
	if err != nil {
		t.Fatal(err)
	}
	s.externalKey = ext.ID
	s.xksKey = s.create(t, &kms.CreateKeyInput{CustomKeyStoreId: s.xksStore, Origin: kms.OriginTypeExternalKeyStore, XksKeyId: ext.ID})
	s.hsmKey = s.create(t, &kms.CreateKeyInput{CustomKeyStoreId: s.hsmStore, Origin: kms.OriginTypeAwsCloudhsm})
	s.defaultKey = s.create(t, &kms.CreateKeyInput{}).KeyId
	return s
}

func (s *stores) create(t testing.TB, in *kms.CreateKeyInput) *kms.KeyMetadata {
	t.Helper()
	out, err := s.k.CreateKey(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// TestExternalKeyStoreConformance runs the symmetric operations on a key in
// an external key store through this proxy over SoftHSM2, to and from the
// default store and an AWS_CLOUDHSM store.
func TestExternalKeyStoreConformance(t *testing.T) {
	s := newStores(t)
	md := s.xksKey
	if md.Origin != kms.OriginTypeExternalKeyStore || md.CustomKeyStoreId != s.xksStore || md.XksKeyConfiguration == nil ||
		md.XksKeyConfiguration.Id != s.externalKey || md.CloudHsmClusterId != "" || md.KeyState != kms.KeyStateEnabled {
		t.Fatalf("KeyMetadata %+v", md)
	}
	t.Run("default", func(t *testing.T) { kmstest.SymmetricConformance(t, s.k, md.KeyId, s.defaultKey) })
	t.Run("AWS_CLOUDHSM", func(t *testing.T) { kmstest.SymmetricConformance(t, s.k, md.KeyId, s.hsmKey.KeyId) })
	t.Run("from AWS_CLOUDHSM", func(t *testing.T) { kmstest.SymmetricConformance(t, s.k, s.hsmKey.KeyId, md.KeyId) })
}

// TestDoubleEncryption: the proxy never sees the plaintext (it encrypts
// the inner layer, made under KMS-held material), and what it encrypts
// opens with the external key on the token alone, with the spec's key
// manager AAD of the blob's ProxyAAD.
func TestDoubleEncryption(t *testing.T) {
	s := newStores(t)
	ctx := context.Background()
	ec := map[string]string{"a": "b"}
	pt := bytes.Repeat([]byte("secret!"), 40)
	out, err := s.k.Encrypt(ctx, &kms.EncryptInput{KeyId: s.xksKey.KeyId, Plaintext: pt, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	seen := *s.seen.Load()
	if bytes.Contains(seen, pt[:16]) || strings.Contains(string(seen), "c2VjcmV0IXNlY3JldCFzZWNyZXQh") {
		t.Fatal("the proxy was sent the plaintext")
	}
	b, err := crypto.ParseCustomBlob(out.CiphertextBlob)
	if err != nil || b.StoreType != crypto.StoreExternal || b.ExternalKeyID != s.externalKey || b.StoreID != s.xksStore {
		t.Fatalf("blob %+v, %v", b, err)
	}
	if len(b.Ciphertext) != len(pt)+crypto.InnerOverhead {
		t.Fatalf("outer ciphertext of %d bytes for %d of plaintext", len(b.Ciphertext), len(pt))
	}
	kmAAD, err := xks.KeyManagerAAD(b.ProxyAAD(ec), b.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := s.proxyTok.Decrypt(s.externalKey, hsm.Sealed{IV: b.IV, Ciphertext: b.Ciphertext, Tag: b.Tag}, kmAAD)
	if err != nil {
		t.Fatalf("the external key does not open the outer layer: %v", err)
	}
	if bytes.Contains(inner, pt[:16]) {
		t.Fatal("the outer layer holds the plaintext: no inner encryption")
	}
	// A context the outer layer does not bind fails at the proxy.
	if _, err := s.proxyTok.Decrypt(s.externalKey, hsm.Sealed{IV: b.IV, Ciphertext: b.Ciphertext, Tag: b.Tag}, mustAAD(t, b.ProxyAAD(nil), b.Metadata)); err == nil {
		t.Fatal("the outer layer opens under another encryption context")
	}
}

func mustAAD(t *testing.T, aad, meta []byte) []byte {
	t.Helper()
	a, err := xks.KeyManagerAAD(aad, meta)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestExternalKeyStoreErrors: CreateKey's XksKey* errors, and the
// cryptographic operations when the proxy cannot be reached while the
// store is CONNECTED (the XKS proxy API specification's table: KMS
// answers KMSInvalidStateException with its message) and when the store
// is disconnected (Unavailable).
func TestExternalKeyStoreErrors(t *testing.T) {
	s := newStores(t)
	ctx := context.Background()
	_, err := s.k.CreateKey(ctx, &kms.CreateKeyInput{CustomKeyStoreId: s.xksStore, Origin: kms.OriginTypeExternalKeyStore, XksKeyId: "no-such-key"})
	if !errors.Is(err, kms.ErrXksKeyNotFound) {
		t.Fatalf("an unknown external key: %v", err)
	}
	_, err = s.k.CreateKey(ctx, &kms.CreateKeyInput{CustomKeyStoreId: s.xksStore, Origin: kms.OriginTypeExternalKeyStore, XksKeyId: s.externalKey})
	if !errors.Is(err, kms.ErrXksKeyAlreadyInUse) {
		t.Fatalf("an external key in use: %v", err)
	}
	// A key the proxy describes without ENCRYPT: the health key of the
	// proxy is usable, so make one through the token with decrypt only.
	bad := s.generateDecryptOnly(t)
	_, err = s.k.CreateKey(ctx, &kms.CreateKeyInput{CustomKeyStoreId: s.xksStore, Origin: kms.OriginTypeExternalKeyStore, XksKeyId: bad})
	if !errors.Is(err, kms.ErrXksKeyInvalidConfiguration) {
		t.Fatalf("a key that cannot encrypt: %v", err)
	}

	_, err = s.k.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: 16, CustomKeyStoreId: s.xksStore})
	if !errors.Is(err, kms.ErrUnsupportedOperation) {
		t.Fatalf("GenerateRandom in an external key store: %v", err)
	}

	blob, err := s.k.Encrypt(ctx, &kms.EncryptInput{KeyId: s.xksKey.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	s.setDown(true)
	var e *kms.Error
	_, err = s.k.Encrypt(ctx, &kms.EncryptInput{KeyId: s.xksKey.KeyId, Plaintext: []byte("x")})
	if !errors.As(err, &e) || e.Code != kms.ErrKMSInvalidState || !strings.HasPrefix(e.Message, "AWS KMS cannot communicate with the external key store proxy.") {
		t.Fatalf("Encrypt, proxy unreachable: %v", err)
	}
	_, err = s.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob.CiphertextBlob})
	if !errors.As(err, &e) || e.Code != kms.ErrKMSInvalidState || !strings.HasPrefix(e.Message, "AWS KMS cannot communicate") {
		t.Fatalf("Decrypt, proxy unreachable: %v", err)
	}
	s.setDown(false)
	if _, err := s.k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: s.xksStore}); err != nil {
		t.Fatal(err)
	}
	d, err := s.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: s.xksKey.KeyId})
	if err != nil || d.KeyMetadata.KeyState != kms.KeyStateUnavailable {
		t.Fatalf("DescribeKey while disconnected: %+v, %v", d, err)
	}
	_, err = s.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob.CiphertextBlob})
	if !errors.As(err, &e) || e.Code != kms.ErrKMSInvalidState || e.Message != s.xksKey.Arn+" is unavailable." {
		t.Fatalf("Decrypt while disconnected: %v", err)
	}
	if _, err := s.k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: s.xksStore}); err != nil {
		t.Fatal(err)
	}
	if out, err := s.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob.CiphertextBlob}); err != nil || string(out.Plaintext) != "x" {
		t.Fatalf("Decrypt after reconnecting: %v", err)
	}
	// The external key is not deleted with its KMS key.
	if _, err := s.k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: s.xksKey.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
}

// generateDecryptOnly makes a key on the proxy's token that decrypts but
// does not encrypt, and returns its id.
func (s *stores) generateDecryptOnly(t *testing.T) string {
	t.Helper()
	ctx := pkcs11.New(s.module)
	if err := ctx.Initialize(); err != nil && !strings.Contains(err.Error(), "ALREADY_INITIALIZED") {
		t.Fatal(err)
	}
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, slot := range slots {
		if info, err := ctx.GetTokenInfo(slot); err != nil || strings.TrimRight(info.Label, " ") != s.label {
			continue
		}
		sess, err := ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		defer ctx.CloseSession(sess)
		_, err = ctx.GenerateKey(sess, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY), pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, 32), pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true), pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
			pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, false), pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, true),
			pkcs11.NewAttribute(pkcs11.CKA_ID, []byte("decrypt-only"))})
		if err != nil {
			t.Fatal(err)
		}
		return "decrypt-only"
	}
	t.Fatalf("no token %q", s.label)
	return ""
}

// BenchmarkCustomKeyStoreEncrypt: Encrypt of 4 KB through the default key
// store, an AWS_CLOUDHSM store over SoftHSM2 and an external key store
// through this proxy over SoftHSM2 (HTTPS on the loopback), in one run.
func BenchmarkCustomKeyStoreEncrypt(b *testing.B) {
	s := newStores(b)
	ctx := context.Background()
	pt := bytes.Repeat([]byte{0x5a}, 4096)
	for _, bc := range []struct{ name, key string }{
		{"default", s.defaultKey},
		{"AWS_CLOUDHSM-SoftHSM2", s.hsmKey.KeyId},
		{"EXTERNAL_KEY_STORE-xksproxy-SoftHSM2", s.xksKey.KeyId},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(pt)))
			for b.Loop() {
				if _, err := s.k.Encrypt(ctx, &kms.EncryptInput{KeyId: bc.key, Plaintext: pt}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
