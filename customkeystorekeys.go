package kms

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/keystore/hsm"
	"github.com/embedkms/kms/keystore/xks"
)

// KMS keys in custom key stores (CreateKey with CustomKeyStoreId).
//
//   - AWS_CLOUDHSM: CreateKey generates a non-extractable AES-256 key in the
//     store's token (keystore/hsm); the key record holds no material, only
//     the token key's id. Encrypt and the others run AES-256-GCM on the
//     token; the blob is version 3 (crypto/blobcustom.go). When the KMS key
//     is finally deleted, its token key is destroyed.
//   - EXTERNAL_KEY_STORE: CreateKey names an external key (XksKeyId) the
//     proxy must describe as an enabled AES_256 key that encrypts and
//     decrypts; the key record holds KMS-held material too, and every
//     ciphertext is encrypted twice: under that material, then by the proxy
//     under the external key (double encryption). The external key is never
//     deleted by KMS.
//
// While a store is not CONNECTED its keys are Unavailable: DescribeKey
// shows KeyState Unavailable (PendingDeletion stays PendingDeletion), and
// the cryptographic operations refuse them as the key-state table does
// (KMSInvalidStateException "<arn> is unavailable."). A CONNECTED store
// whose token or proxy fails a call gives KeyUnavailableException (token)
// or the exception the XKS proxy API specification gives the failure.

// customKeyStoreKeyStates are the stored states a key in a disconnected
// store shows as Unavailable (Developer Guide, "Troubleshooting a custom
// key store", "How to fix unavailable KMS keys": "KMS keys in a
// disconnected custom key store have a key state of Unavailable or
// PendingDeletion").
var customKeyStoreKeyStates = []KeyState{KeyStateEnabled, KeyStateDisabled}

// checkCustomKeyStoreKey applies CreateKey's rules for a key in a custom
// key store that need no storage (an Origin that does not fit the store's
// type is refused once the store is read, so that an unknown store is
// CustomKeyStoreNotFoundException whatever the Origin): the Origin, XksKeyId, key spec and
// multi-Region rules of the API reference (CreateKey: CustomKeyStoreId,
// Origin, XksKeyId: "This parameter is valid only for symmetric encryption
// KMS keys in a single Region"). The wording is ours.
func checkCustomKeyStoreKey(in *CreateKeyInput, spec KeySpec, usage KeyUsageType, origin OriginType) error {
	switch {
	case in.CustomKeyStoreId == "":
		return newErr(ErrUnsupportedOperation, "Origin %s requires a CustomKeyStoreId: a KMS key with this origin lives in a custom key store.", origin)
	case origin == OriginTypeExternalKeyStore && in.XksKeyId == "":
		return invalid("XksKeyId is required when Origin is EXTERNAL_KEY_STORE.")
	case spec != KeySpecSymmetricDefault || usage != KeyUsageTypeEncryptDecrypt:
		return newErr(ErrUnsupportedOperation, "KeySpec %s and KeyUsage %s are not supported for KMS keys in a custom key store: only SYMMETRIC_DEFAULT and ENCRYPT_DECRYPT are.", spec, usage)
	case in.MultiRegion:
		return newErr(ErrUnsupportedOperation, "Multi-Region keys are not supported in a custom key store.")
	}
	return nil
}

// customKey is what CreateKey made in a custom key store for a new key.
type customKey struct {
	k       *KMS
	store   *records.CustomKeyStore
	extID   string // token key id or XksKeyId
	created bool   // extID is a token key this call generated
}

// apply records the key's place in the store on its record.
func (c *customKey) apply(rec *records.Key) {
	if c == nil {
		return
	}
	rec.CustomKeyStoreID, rec.ExternalKeyID = c.store.ID, c.extID
	if c.store.Type == string(CustomKeyStoreTypeAwsCloudhsm) {
		rec.CloudHsmClusterID = c.store.CloudHsmClusterID
		rec.Materials, rec.CurrentMaterial = nil, ""
	}
}

// undo destroys a token key made for a key whose record was not written.
func (c *customKey) undo() {
	if c == nil || !c.created {
		return
	}
	if conn := c.k.cks.live(c.store.ID); conn != nil && conn.token != nil {
		conn.token.DeleteKey(c.extID)
	}
}

// newCustomKey prepares a new key of the store in.CustomKeyStoreId names,
// which must be CONNECTED and of the type Origin names: in an AWS_CLOUDHSM
// store it generates the token key; in an EXTERNAL_KEY_STORE it checks the
// external key with the proxy. It returns the key's KMS-held material
// (the inner layer of an external key store's double encryption; none in
// a token).
func (k *KMS) newCustomKey(ctx context.Context, keyARN string, in *CreateKeyInput) (*customKey, keystore.Material, error) {
	var s *records.CustomKeyStore
	err := k.store.View(ctx, func(tx backend.Txn) (err error) {
		s, err = k.getStore(tx, in.CustomKeyStoreId)
		return err
	})
	if err != nil {
		return nil, keystore.Material{}, internal(err)
	}
	origin, want := in.Origin, CustomKeyStoreTypeAwsCloudhsm
	if origin == "" {
		origin = OriginTypeAwsKms
	}
	if origin == OriginTypeExternalKeyStore {
		want = CustomKeyStoreTypeExternalKeyStore
	}
	if origin == OriginTypeAwsKms || CustomKeyStoreType(s.Type) != want {
		return nil, keystore.Material{}, newErr(ErrUnsupportedOperation, "Origin %s is not valid for custom key store '%s' of type %s.", origin, s.ID, s.Type)
	}
	if s.ConnectionState != string(ConnectionStateTypeConnected) {
		return nil, keystore.Material{}, newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' is not connected. Its connection state is %s; it must be CONNECTED to create KMS keys in it.", s.ID, s.ConnectionState)
	}
	conn, err := k.storeConnection(ctx, s)
	if err != nil {
		return nil, keystore.Material{}, err
	}
	c := &customKey{k: k, store: s}
	if conn.token != nil {
		key, err := conn.token.GenerateKey(keyARN)
		if err != nil {
			return nil, keystore.Material{}, tokenError(err, keyARN)
		}
		c.extID, c.created = key.ID, true
		return c, keystore.Material{}, nil
	}
	md, err := conn.proxy.GetKeyMetadata(ctx, in.XksKeyId, k.xksMetadata(ctx, "CreateKey", keyARN))
	if err != nil {
		code, msg := xks.KMSError(err, xks.CreateKey)
		return nil, keystore.Material{}, &Error{Code: Code(code), Message: msg, cause: err}
	}
	if err := md.Usable(); err != nil {
		// The model's XksKeyInvalidConfigurationException: "The external
		// key must be an AES-256 symmetric key that is enabled and
		// performs encryption and decryption."
		return nil, keystore.Material{}, &Error{Code: ErrXksKeyInvalidConfiguration,
			Message: "The external key must be an AES-256 symmetric key that is enabled and performs encryption and decryption.", cause: err}
	}
	c.extID = in.XksKeyId
	secret := crypto.Random(crypto.AES256KeySize)
	mat, err := k.root.Seal(keyARN, secret)
	clear(secret)
	if err != nil {
		return nil, keystore.Material{}, internal(err)
	}
	return c, mat, nil
}

// register checks, in CreateKey's transaction, that the store still exists
// and that no other key uses the external key (XksKeyAlreadyInUseException),
// and indexes the new key under its store.
func (c *customKey) register(tx backend.Txn, rec *records.Key) error {
	if c == nil {
		return nil
	}
	k := c.k
	if _, err := k.getStore(tx, c.store.ID); err != nil {
		return err
	}
	if c.store.Type == string(CustomKeyStoreTypeExternalKeyStore) {
		var inUse error
		err := records.ScanCustomKeyStoreKeys(tx, k.account, k.region, c.store.ID, func(keyID string) bool {
			o, err := records.GetKey(tx, k.account, k.region, keyID)
			if err != nil {
				inUse = err
				return false
			}
			if o.ExternalKeyID == c.extID {
				// The model's XksKeyAlreadyInUseException text.
				inUse = newErr(ErrXksKeyAlreadyInUse, "The external key '%s' is already associated with another KMS key in this external key store. Each KMS key in an external key store must be associated with a different external key.", c.extID)
				return false
			}
			return true
		})
		if err != nil {
			return err
		}
		if inUse != nil {
			return inUse
		}
	}
	return records.AddCustomKeyStoreKey(tx, k.account, k.region, c.store.ID, rec.KeyID)
}

// live returns the store's connection in this handle, or nil.
func (c *customKeyStores) live(id string) *cksConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conns[id]
}

// storeConnection returns the connection of a CONNECTED store, opening it
// in this handle if another handle over the backend, or another process,
// connected the store, or changed its settings (the proxy's credential or
// path) since this handle connected: s, the store's record as just read,
// decides.
func (k *KMS) storeConnection(ctx context.Context, s *records.CustomKeyStore) (*cksConn, error) {
	if conn := k.cks.live(s.ID); conn != nil && conn.made.of(s) {
		return conn, nil
	}
	conn, code := k.connect(ctx, s)
	if code != "" {
		return nil, newErr(ErrKeyUnavailable, "The custom key store '%s' is CONNECTED but cannot be reached (%s).", s.ID, code)
	}
	k.cks.mu.Lock()
	old := k.cks.conns[s.ID]
	if old != nil && old.made.of(s) {
		k.cks.mu.Unlock()
		conn.close()
		return old, nil
	}
	k.cks.conns[s.ID] = conn
	k.cks.mu.Unlock()
	// Sessions in use finish their operation (hsm.Token.Close).
	old.close()
	return conn, nil
}

// keyStoreConn returns the connection of the store of a key in a custom
// key store, or the error a cryptographic operation gets: a store that is
// not CONNECTED makes the key Unavailable (the key-state table's
// KMSInvalidStateException). The store's record decides, not this
// handle's connections, so a store another handle over the backend
// disconnected is refused here too.
func (k *KMS) keyStoreConn(ctx context.Context, ck *cachedKey) (*cksConn, error) {
	var s *records.CustomKeyStore
	err := k.store.View(ctx, func(tx backend.Txn) (err error) {
		s, err = records.GetCustomKeyStore(tx, ck.rec.Account, ck.rec.Region, ck.rec.CustomKeyStoreID)
		return err
	})
	if errors.Is(err, backend.ErrNotFound) || err == nil && s.ConnectionState != string(ConnectionStateTypeConnected) {
		return nil, &Error{Code: isUnavailable.err, Message: ck.arn + isUnavailable.suffix}
	}
	if err != nil {
		return nil, internal(err)
	}
	return k.storeConnection(ctx, s)
}

// storeConnected reports whether a store's record says CONNECTED.
func (k *KMS) storeConnected(id string) bool {
	connected := false
	k.store.View(context.Background(), func(tx backend.Txn) error {
		s, err := records.GetCustomKeyStore(tx, k.account, k.region, id)
		connected = err == nil && s.ConnectionState == string(ConnectionStateTypeConnected)
		return nil
	})
	return connected
}

// customMetadata completes the KeyMetadata of a key in a custom key store:
// its store, cluster or external key, and the Unavailable state while its
// store is not connected.
func (k *KMS) customMetadata(rec *records.Key, md *KeyMetadata) {
	if rec.CustomKeyStoreID == "" {
		return
	}
	md.CustomKeyStoreId, md.CloudHsmClusterId = rec.CustomKeyStoreID, rec.CloudHsmClusterID
	if OriginType(rec.Origin) == OriginTypeExternalKeyStore {
		md.XksKeyConfiguration = &XksKeyConfigurationType{Id: rec.ExternalKeyID}
	}
	if slices.Contains(customKeyStoreKeyStates, md.KeyState) && !k.storeConnected(rec.CustomKeyStoreID) {
		md.KeyState, md.Enabled = KeyStateUnavailable, false
	}
}

// xksMetadata is the requestMetadata of a call to the proxy.
func (k *KMS) xksMetadata(ctx context.Context, operation, keyARN string) xks.RequestMetadata {
	principal, _ := CallerFrom(ctx)
	if principal == "" {
		principal = k.rootPrincipal()
	}
	return xks.RequestMetadata{AWSPrincipalARN: principal, KMSKeyARN: keyARN, KMSOperation: operation, KMSRequestID: newRequestID()}
}

// rootPrincipal is the account's root principal, the caller of a request
// with no caller set.
func (k *KMS) rootPrincipal() string { return "arn:" + k.partition + ":iam::" + k.account + ":root" }

// tokenError is the error of a failed token call in a cryptographic
// operation: a bad ciphertext is InvalidCiphertextException; a token key
// that is gone leaves the key unusable (KMSInvalidStateException, wording
// ours); any other failure is KeyUnavailableException ("the specified KMS
// key was not available. You can retry the request", the model).
func tokenError(err error, keyARN string) error {
	switch {
	case errors.Is(err, hsm.ErrDecrypt):
		return errInvalidCiphertext()
	case errors.Is(err, hsm.ErrKeyNotFound):
		return &Error{Code: ErrKMSInvalidState, Message: keyARN + " key material is not available in its custom key store.", cause: err}
	}
	return &Error{Code: ErrKeyUnavailable, Message: keyARN + " is not available. You can retry the request.", cause: err}
}

// proxyError is the error of a failed proxy call in a cryptographic
// operation, from the XKS proxy API specification's table.
func proxyError(err error) error {
	if errors.Is(err, xks.ErrInvalidResponse) {
		code, msg := xks.KMSError(err, xks.Crypto)
		return &Error{Code: Code(code), Message: msg, cause: err}
	}
	var pe *xks.ProxyError
	if errors.As(err, &pe) && pe.Name == xks.InvalidCiphertextException {
		return errInvalidCiphertext()
	}
	code, msg := xks.KMSError(err, xks.Crypto)
	return &Error{Code: Code(code), Message: msg, cause: err}
}

// sealCustom encrypts pt under a key in a custom key store (blob version 3).
func (k *KMS) sealCustom(ctx context.Context, o keyOp, ck *cachedKey, ec map[string]string, pt []byte) ([]byte, error) {
	conn, err := k.keyStoreConn(ctx, ck)
	if err != nil {
		return nil, err
	}
	b := &crypto.CustomBlob{Account: ck.rec.Account, Region: ck.rec.Region, KeyID: ck.rec.KeyID,
		StoreID: ck.rec.CustomKeyStoreID, ExternalKeyID: ck.rec.ExternalKeyID}
	if conn.token != nil {
		b.StoreType = crypto.StoreCloudHSM
		sealed, err := conn.token.Encrypt(b.ExternalKeyID, pt, b.AAD(ec))
		if err != nil {
			return nil, tokenError(err, ck.arn)
		}
		b.IV, b.Tag, b.Ciphertext = sealed.IV, sealed.Tag, sealed.Ciphertext
	} else {
		b.StoreType, b.MaterialID = crypto.StoreExternal, ck.hdr.MaterialID
		inner := crypto.SealInner(ck.current.aead, pt, b.AAD(ec))
		resp, err := conn.proxy.Encrypt(ctx, b.ExternalKeyID, xks.EncryptRequest{
			RequestMetadata: k.xksMetadata(ctx, o.name, ck.arn), Plaintext: inner, AdditionalAuthenticatedData: b.ProxyAAD(ec),
			CiphertextDataIntegrityValueAlgorithm: xks.CDIVAlgorithmSHA256})
		if err != nil {
			return nil, proxyError(err)
		}
		b.Metadata, b.IV, b.Tag, b.Ciphertext = resp.CiphertextMetadata, resp.InitializationVector, resp.AuthenticationTag, resp.Ciphertext
	}
	blob, err := b.Marshal()
	if err != nil {
		return nil, internal(err)
	}
	return blob, nil
}

// openCustom decrypts a version 3 blob for Decrypt or ReEncrypt (as o):
// the key it names (which keyID must name too, if given) must be in the
// store and external key the blob names.
func (k *KMS) openCustom(ctx context.Context, o keyOp, blob []byte, named *cachedKey, x authzExtra) (opened, error) {
	b, err := crypto.ParseCustomBlob(blob)
	if err != nil || b.Region != k.region {
		return opened{}, errInvalidCiphertext()
	}
	ref := keyRef{account: b.Account, region: k.region, name: b.KeyID}
	ck := named
	if ck == nil {
		if ck, err = k.entryByRef(ctx, ref); err != nil {
			if errors.Is(err, ErrNotFound) {
				return opened{}, errInvalidCiphertext()
			}
			return opened{}, err
		}
	} else if ck.rec.Account != ref.account || ck.rec.KeyID != ref.name {
		return opened{}, newErr(ErrIncorrectKey, incorrectKeyMessage)
	}
	if err := k.checkUse(ctx, ck, o, x); err != nil {
		return opened{}, err
	}
	wantType := crypto.StoreCloudHSM
	if OriginType(ck.rec.Origin) == OriginTypeExternalKeyStore {
		wantType = crypto.StoreExternal
	}
	if ck.rec.CustomKeyStoreID == "" || b.StoreID != ck.rec.CustomKeyStoreID || b.ExternalKeyID != ck.rec.ExternalKeyID || b.StoreType != wantType {
		return opened{}, errInvalidCiphertext()
	}
	conn, err := k.keyStoreConn(ctx, ck)
	if err != nil {
		return opened{}, err
	}
	if b.StoreType == crypto.StoreCloudHSM {
		if conn.token == nil {
			return opened{}, errInvalidCiphertext()
		}
		pt, err := conn.token.Decrypt(b.ExternalKeyID, hsm.Sealed{IV: b.IV, Ciphertext: b.Ciphertext, Tag: b.Tag}, b.AAD(x.encryptionContext))
		if err != nil {
			return opened{}, tokenError(err, ck.arn)
		}
		return opened{ck: ck, plaintext: pt, alg: EncryptionAlgorithmSpecSymmetricDefault}, nil
	}
	m, ok := ck.materials[b.MaterialID]
	if !ok || conn.proxy == nil {
		return opened{}, errInvalidCiphertext()
	}
	inner, err := conn.proxy.Decrypt(ctx, b.ExternalKeyID, xks.DecryptRequest{
		RequestMetadata: k.xksMetadata(ctx, o.name, ck.arn), Ciphertext: b.Ciphertext, CiphertextMetadata: b.Metadata,
		AdditionalAuthenticatedData: b.ProxyAAD(x.encryptionContext), AuthenticationTag: b.Tag, InitializationVector: b.IV})
	if err != nil {
		return opened{}, proxyError(err)
	}
	pt, err := crypto.OpenInner(m.aead, inner, b.AAD(x.encryptionContext))
	if err != nil {
		return opened{}, errInvalidCiphertext()
	}
	return opened{ck: ck, plaintext: pt, alg: EncryptionAlgorithmSpecSymmetricDefault, materialID: m.id}, nil
}

// tokenKeyDeletions are the token keys of purged keys, destroyed after the
// purge commits (deleteTokenKeys).
type tokenKeyDeletions struct {
	mu      sync.Mutex
	pending []tokenKeyDeletion
}

type tokenKeyDeletion struct {
	ref            keyRef
	storeID, extID string
}

// purgeCustomKey is purgeTx's part for a key in a custom key store: it
// drops the key from its store's index and, for a token key, queues its
// destruction for after the commit.
func (k *KMS) purgeCustomKey(tx backend.Txn, rec *records.Key) error {
	if rec.CustomKeyStoreID == "" {
		return nil
	}
	if err := records.RemoveCustomKeyStoreKey(tx, rec.Account, rec.Region, rec.CustomKeyStoreID, rec.KeyID); err != nil {
		return err
	}
	if OriginType(rec.Origin) == OriginTypeAwsCloudhsm {
		k.tokenDeletes.mu.Lock()
		k.tokenDeletes.pending = append(k.tokenDeletes.pending, tokenKeyDeletion{keyRef{rec.Account, rec.Region, rec.KeyID}, rec.CustomKeyStoreID, rec.ExternalKeyID})
		k.tokenDeletes.mu.Unlock()
	}
	return nil
}

// deleteTokenKeys destroys the token keys of keys whose purge committed. A
// key still stored (its purge's transaction did not commit) keeps its
// token key. A store that is not CONNECTED leaves the token key orphaned, as AWS leaves key material in a disconnected cluster
// (Developer Guide, "Troubleshooting a custom key store": orphaned key
// material).
func (k *KMS) deleteTokenKeys(ctx context.Context) {
	k.tokenDeletes.mu.Lock()
	pending := k.tokenDeletes.pending
	k.tokenDeletes.pending = nil
	k.tokenDeletes.mu.Unlock()
	for _, d := range pending {
		gone := false
		var s *records.CustomKeyStore
		k.store.View(ctx, func(tx backend.Txn) error {
			_, err := records.GetKey(tx, d.ref.account, d.ref.region, d.ref.name)
			gone = errors.Is(err, backend.ErrNotFound)
			if s, err = records.GetCustomKeyStore(tx, d.ref.account, d.ref.region, d.storeID); err != nil {
				s = nil
			}
			return nil
		})
		if !gone || s == nil || s.ConnectionState != string(ConnectionStateTypeConnected) {
			continue
		}
		if conn, err := k.storeConnection(ctx, s); err == nil && conn.token != nil {
			conn.token.DeleteKey(d.extID)
		}
	}
}

// tokenRandom is GenerateRandom in a custom key store: n bytes from the
// token of a CONNECTED AWS_CLOUDHSM store.
func (k *KMS) tokenRandom(ctx context.Context, storeID string, n int) ([]byte, error) {
	var s *records.CustomKeyStore
	err := k.store.View(ctx, func(tx backend.Txn) (err error) {
		s, err = k.getStore(tx, storeID)
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	if s.Type != string(CustomKeyStoreTypeAwsCloudhsm) {
		return nil, newErr(ErrUnsupportedOperation, "External key store IDs are not valid for the CustomKeyStoreId parameter of GenerateRandom.")
	}
	if s.ConnectionState != string(ConnectionStateTypeConnected) {
		return nil, newErr(ErrCustomKeyStoreInvalidState, "Custom key store '%s' is not connected. Its connection state is %s; it must be CONNECTED to generate random bytes in it.", s.ID, s.ConnectionState)
	}
	conn, err := k.storeConnection(ctx, s)
	if err != nil {
		return nil, err
	}
	b, err := conn.token.GenerateRandom(n)
	if err != nil {
		return nil, &Error{Code: ErrKeyUnavailable, Message: "The custom key store's token did not generate random bytes. You can retry the request.", cause: err}
	}
	return b, nil
}
