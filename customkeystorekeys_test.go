//go:build cgo

package kms_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/encctx"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore/hsm/hsmtest"
	"github.com/embedkms/kms/kmstest"
	"github.com/miekg/pkcs11"
)

// connectedHsmStore creates and connects an AWS_CLOUDHSM store on the
// handle's testCluster token.
func connectedHsmStore(t *testing.T, k *kms.KMS, pin string) string {
	t.Helper()
	ctx := context.Background()
	out, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "hsm",
		CloudHsmClusterId: testCluster, TrustAnchorCertificate: trustAnchor, KeyStorePassword: pin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: out.CustomKeyStoreId}); err != nil {
		t.Fatal(err)
	}
	wantState(t, k, out.CustomKeyStoreId, kms.ConnectionStateTypeConnected, "")
	return out.CustomKeyStoreId
}

func hsmKey(t *testing.T, k *kms.KMS, storeID string) *kms.KeyMetadata {
	t.Helper()
	out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{CustomKeyStoreId: storeID, Origin: kms.OriginTypeAwsCloudhsm})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// TestDefaultKeyConformance holds the default key store to the table the
// custom key stores run (kmstest.SymmetricConformance).
func TestDefaultKeyConformance(t *testing.T) {
	k, _ := kmstest.New(t)
	kmstest.SymmetricConformance(t, k, kmstest.Key(t, k), kmstest.Key(t, k))
}

// TestCloudHsmKeyConformance runs the symmetric operations on a key in an
// AWS_CLOUDHSM store over SoftHSM2, to and from a key of the default store.
func TestCloudHsmKeyConformance(t *testing.T) {
	k, tok := hsmHandle(t, kms.Options{})
	store := connectedHsmStore(t, k, tok.PIN)
	md := hsmKey(t, k, store)
	if md.Origin != kms.OriginTypeAwsCloudhsm || md.CustomKeyStoreId != store || md.CloudHsmClusterId != testCluster ||
		md.KeySpec != kms.KeySpecSymmetricDefault || md.KeyState != kms.KeyStateEnabled || !md.Enabled || md.XksKeyConfiguration != nil ||
		md.MultiRegion || md.CurrentKeyMaterialId != "" {
		t.Fatalf("KeyMetadata %+v", md)
	}
	kmstest.SymmetricConformance(t, k, md.KeyId, kmstest.Key(t, k))
	// The blobs are version 3 and name the store.
	out, err := k.Encrypt(context.Background(), &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := crypto.ParseCustomBlob(out.CiphertextBlob)
	if err != nil || b.StoreType != crypto.StoreCloudHSM || b.StoreID != store || b.KeyID != md.KeyId || len(b.Ciphertext) != 1 {
		t.Fatalf("blob %+v, %v", b, err)
	}
}

// keyRecord reads a key's record from the backend.
func keyRecord(t *testing.T, store backend.Store, keyID string) *records.Key {
	t.Helper()
	var rec *records.Key
	err := authenticatedView(t, store).View(context.Background(), func(tx backend.Txn) (err error) {
		rec, err = records.GetKey(tx, "111122223333", "us-east-1", keyID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// rawToken opens the test token with the PKCS#11 library directly.
type rawToken struct {
	ctx *pkcs11.Ctx
	s   pkcs11.SessionHandle
}

func openRaw(t *testing.T, tok *hsmtest.Token) *rawToken {
	t.Helper()
	// The handle's hsm.Token keeps the module initialised; this one shares
	// the process's login.
	ctx := pkcs11.New(tok.Module)
	if err := ctx.Initialize(); err != nil && !strings.Contains(err.Error(), "CKR_CRYPTOKI_ALREADY_INITIALIZED") {
		t.Fatal(err)
	}
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, slot := range slots {
		info, err := ctx.GetTokenInfo(slot)
		if err != nil || strings.TrimRight(info.Label, " ") != tok.Label {
			continue
		}
		s, err := ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		if err := ctx.Login(s, pkcs11.CKU_USER, tok.PIN); err != nil && !strings.Contains(err.Error(), "CKR_USER_ALREADY_LOGGED_IN") {
			t.Fatal(err)
		}
		t.Cleanup(func() { ctx.CloseSession(s) })
		return &rawToken{ctx: ctx, s: s}
	}
	t.Fatalf("no token %q", tok.Label)
	return nil
}

func (r *rawToken) find(t *testing.T, id string) (pkcs11.ObjectHandle, bool) {
	t.Helper()
	if err := r.ctx.FindObjectsInit(r.s, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ID, []byte(id))}); err != nil {
		t.Fatal(err)
	}
	hs, _, err := r.ctx.FindObjects(r.s, 2)
	r.ctx.FindObjectsFinal(r.s)
	if err != nil || len(hs) > 1 {
		t.Fatalf("find %s: %d objects, %v", id, len(hs), err)
	}
	if len(hs) == 0 {
		return 0, false
	}
	return hs[0], true
}

// TestCloudHsmKeyMaterialNeverInBackend: the token key of a KMS key is
// sensitive and not extractable (the token refuses its value), and the
// backend holds none of the material of a debug twin, an extractable key
// of the same template whose value the test can read, put in the real
// key's place: everything the handle stores and returns for it is scanned.
// The twin also shows the blob's layer is the token's AES-256-GCM under
// the documented AAD (crypto/aes opens it).
func TestCloudHsmKeyMaterialNeverInBackend(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	k, tok := hsmHandle(t, kms.Options{Backend: mem})
	storeID := connectedHsmStore(t, k, tok.PIN)
	md := hsmKey(t, k, storeID)
	rec := keyRecord(t, mem, md.KeyId)
	if rec.ExternalKeyID == "" || len(rec.Materials) != 0 {
		t.Fatalf("record %+v", rec)
	}
	raw := openRaw(t, tok)
	h, ok := raw.find(t, rec.ExternalKeyID)
	if !ok {
		t.Fatal("the KMS key's token key is not on the token")
	}
	attrs, err := raw.ctx.GetAttributeValue(raw.s, h, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, nil), pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, nil),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, nil), pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if attrs[0].Value[0] != 1 || attrs[1].Value[0] != 0 || attrs[2].Value[0] != 1 || string(attrs[3].Value) != md.Arn {
		t.Fatalf("token key attributes sensitive=%v extractable=%v token=%v label=%q", attrs[0].Value, attrs[1].Value, attrs[2].Value, attrs[3].Value)
	}
	if _, err := raw.ctx.GetAttributeValue(raw.s, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)}); err == nil {
		t.Fatal("the token gives out the value of the KMS key's token key")
	}

	// The twin: the same template, extractable, in the key's place.
	twinID := "twin-" + md.KeyId
	_, err = raw.ctx.GenerateKey(raw.s, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY), pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, 32), pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true), pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, false), pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, true),
		pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, true), pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, true),
		pkcs11.NewAttribute(pkcs11.CKA_ID, []byte(twinID))})
	if err != nil {
		t.Fatal(err)
	}
	th, _ := raw.find(t, twinID)
	v, err := raw.ctx.GetAttributeValue(raw.s, th, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	if err != nil || len(v[0].Value) != 32 {
		t.Fatalf("twin value: %v", err)
	}
	value := v[0].Value
	rec.ExternalKeyID = twinID
	err = authenticatedView(t, mem).Update(ctx, func(tx backend.Txn) error { return records.PutKey(tx, rec) })
	if err != nil {
		t.Fatal(err)
	}
	// A second handle reads the changed record (the first caches keys).
	k2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: mem, CloudHsmClusters: map[string]kms.PKCS11Cluster{
		testCluster: {Module: tok.Module, TokenLabel: tok.Label}}})
	ec := map[string]string{"k": "v"}
	pt := bytes.Repeat([]byte("p"), 64)
	enc, err := k2.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	b, err := crypto.ParseCustomBlob(enc.CiphertextBlob)
	if err != nil || b.ExternalKeyID != twinID {
		t.Fatalf("blob %+v, %v", b, err)
	}
	block, _ := aes.NewCipher(value)
	gcm, _ := cipher.NewGCM(block)
	aad := encctx.Append(bytes.Clone(b.Header()), ec)
	if got, err := gcm.Open(nil, b.IV, append(bytes.Clone(b.Ciphertext), b.Tag...), aad); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("crypto/aes does not open the blob with the twin's value and header || encctx: %v", err)
	}
	gdk, err := k2.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k2.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}); err != nil {
		t.Fatal(err)
	}
	scanned := 0
	outputs := [][]byte{enc.CiphertextBlob, gdk.CiphertextBlob, gdk.Plaintext}
	for _, o := range outputs {
		if bytes.Contains(o, value[:16]) || bytes.Contains(o, value[16:]) {
			t.Fatal("an output holds the twin's material")
		}
	}
	err = mem.View(ctx, func(tx backend.Txn) error {
		return tx.Scan(nil, nil, func(key, val []byte) bool {
			scanned += len(val)
			for _, half := range [][]byte{value[:16], value[16:]} {
				if bytes.Contains(val, half) || bytes.Contains(key, half) {
					t.Errorf("backend entry %q holds the twin's material", key)
				}
			}
			var js map[string]any
			if json.Unmarshal(val, &js) == nil {
				// Hex or base64 would not match raw bytes: look at the
				// decoded record's fields too.
				for _, f := range []string{"externalKeyId", "materials"} {
					if s, ok := js[f].(string); ok && strings.Contains(s, string(value)) {
						t.Errorf("backend entry %q holds the twin's material", key)
					}
				}
			}
			return true
		})
	})
	if err != nil || scanned == 0 {
		t.Fatalf("scanned %d bytes: %v", scanned, err)
	}
}

// TestCustomKeyStoreCreateKeyErrors: the rules of CreateKey in a custom
// key store.
func TestCustomKeyStoreCreateKeyErrors(t *testing.T) {
	ctx := context.Background()
	k, tok := hsmHandle(t, kms.Options{})
	out, err := k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "hsm",
		CloudHsmClusterId: testCluster, TrustAnchorCertificate: trustAnchor, KeyStorePassword: tok.PIN})
	if err != nil {
		t.Fatal(err)
	}
	id := out.CustomKeyStoreId
	for _, tc := range []struct {
		name string
		in   kms.CreateKeyInput
		want kms.Code
	}{
		{"no such store", kms.CreateKeyInput{CustomKeyStoreId: "cks-1234567890abcdef0", Origin: kms.OriginTypeAwsCloudhsm}, kms.ErrCustomKeyStoreNotFound},
		{"disconnected", kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeAwsCloudhsm}, kms.ErrCustomKeyStoreInvalidState},
		{"origin AWS_KMS", kms.CreateKeyInput{CustomKeyStoreId: id}, kms.ErrUnsupportedOperation},
		{"origin without store", kms.CreateKeyInput{Origin: kms.OriginTypeAwsCloudhsm}, kms.ErrUnsupportedOperation},
		{"XKS origin without XksKeyId", kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeExternalKeyStore}, kms.ErrValidation},
		{"asymmetric", kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeAwsCloudhsm, KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt}, kms.ErrUnsupportedOperation},
		{"HMAC", kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeAwsCloudhsm, KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac}, kms.ErrUnsupportedOperation},
		{"multi-Region", kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeAwsCloudhsm, MultiRegion: true}, kms.ErrUnsupportedOperation},
		{"store of the other type", kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeExternalKeyStore, XksKeyId: "k1"}, kms.ErrUnsupportedOperation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.CreateKey(ctx, &tc.in)
			wantCode(t, err, tc.want)
		})
	}
	var e *kms.Error
	_, err = k.CreateKey(ctx, &kms.CreateKeyInput{CustomKeyStoreId: id, Origin: kms.OriginTypeAwsCloudhsm})
	if !errors.As(err, &e) || !strings.Contains(e.Message, id) || !strings.Contains(e.Message, "DISCONNECTED") {
		t.Fatalf("%v", err)
	}
}

// TestCloudHsmStoreWithKeys: a store with keys cannot be deleted until they
// are; a key's final deletion destroys its token key; rotation and data
// key pairs are refused.
func TestCloudHsmStoreWithKeys(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	clock := kmstest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	k, tok := hsmHandle(t, kms.Options{Backend: mem, Clock: clock})
	storeID := connectedHsmStore(t, k, tok.PIN)
	md := hsmKey(t, k, storeID)
	ext := keyRecord(t, mem, md.KeyId).ExternalKeyID

	_, err := k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})
	wantCode(t, err, kms.ErrUnsupportedOperation)
	if !strings.Contains(err.Error(), "origin is AWS_CLOUDHSM which is not valid for this operation") {
		t.Fatalf("%v", err)
	}
	_, err = k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	wantCode(t, err, kms.ErrUnsupportedOperation)
	_, err = k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
	wantCode(t, err, kms.ErrUnsupportedOperation)

	if _, err := k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	_, err = k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: storeID})
	wantCode(t, err, kms.ErrCustomKeyStoreHasCMKs)
	if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	// Opened now: disconnecting finalised the module (its last session).
	raw := openRaw(t, tok)
	if _, ok := raw.find(t, ext); !ok {
		t.Fatal("the token key went before the waiting period ended")
	}
	clock.Advance(7 * 24 * time.Hour)
	_, err = k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	wantCode(t, err, kms.ErrNotFound)
	if _, ok := raw.find(t, ext); ok {
		t.Fatal("the token key outlived its KMS key")
	}
	if _, err := k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
}

// TestCustomKeyStoreDisconnectCycle: keys in use while their store is
// disconnected and reconnected. During the disconnection DescribeKey shows
// Unavailable and every cryptographic operation fails with
// KMSInvalidStateException "<arn> is unavailable."; after it, ciphertexts
// made before decrypt again.
func TestCustomKeyStoreDisconnectCycle(t *testing.T) {
	ctx := context.Background()
	k, tok := hsmHandle(t, kms.Options{})
	storeID := connectedHsmStore(t, k, tok.PIN)
	md := hsmKey(t, k, storeID)
	other := kmstest.Key(t, k)
	var blobs [][]byte
	for i := range 5 {
		out, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte{byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, out.CiphertextBlob)
	}
	foreign, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: other, Plaintext: []byte("to the hsm")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	if err != nil || d.KeyMetadata.KeyState != kms.KeyStateUnavailable || d.KeyMetadata.Enabled {
		t.Fatalf("DescribeKey while disconnected: %+v, %v", d, err)
	}
	unavailable := md.Arn + " is unavailable."
	for name, call := range map[string]func() error{
		"Encrypt": func() error {
			_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
			return err
		},
		"Encrypt DryRun": func() error {
			_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), DryRun: true})
			return err
		},
		"Decrypt": func() error { _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[0]}); return err },
		"ReEncrypt from": func() error {
			_, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blobs[0], DestinationKeyId: other})
			return err
		},
		"ReEncrypt to": func() error {
			_, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: foreign.CiphertextBlob, DestinationKeyId: md.KeyId})
			return err
		},
		"GenerateDataKey": func() error {
			_, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: 16})
			return err
		},
		"GenerateDataKeyWithoutPlaintext": func() error {
			_, err := k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: md.KeyId, NumberOfBytes: 16})
			return err
		},
	} {
		var e *kms.Error
		if err := call(); !errors.As(err, &e) || e.Code != kms.ErrKMSInvalidState || e.Message != unavailable {
			t.Errorf("%s while disconnected: %v, want KMSInvalidStateException %q", name, err, unavailable)
		}
	}
	// Managing the key still works; a disabled key shows Unavailable too,
	// a key pending deletion PendingDeletion.
	if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	if d, _ := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId}); d.KeyMetadata.KeyState != kms.KeyStateUnavailable {
		t.Fatalf("disabled while disconnected: %s", d.KeyMetadata.KeyState)
	}
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	if d, _ := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId}); d.KeyMetadata.KeyState != kms.KeyStatePendingDeletion {
		t.Fatalf("pending deletion while disconnected: %s", d.KeyMetadata.KeyState)
	}
	if _, err := k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}

	if _, err := k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	if d, _ := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId}); d.KeyMetadata.KeyState != kms.KeyStateEnabled || !d.KeyMetadata.Enabled {
		t.Fatalf("after reconnecting: %+v", d.KeyMetadata)
	}
	for i, blob := range blobs {
		out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		if err != nil || !bytes.Equal(out.Plaintext, []byte{byte(i)}) {
			t.Fatalf("blob %d after reconnecting: %v", i, err)
		}
	}
	if _, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: foreign.CiphertextBlob, DestinationKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
}

// TestCloudHsmTokenGoneWhileConnected: a CONNECTED store whose token key
// was destroyed behind KMS's back refuses to use it (KMSInvalidState), and
// a token that stops answering gives KeyUnavailableException.
func TestCloudHsmTokenGoneWhileConnected(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	k, tok := hsmHandle(t, kms.Options{Backend: mem})
	storeID := connectedHsmStore(t, k, tok.PIN)
	md := hsmKey(t, k, storeID)
	gone := hsmKey(t, k, storeID)
	raw := openRaw(t, tok)
	h, _ := raw.find(t, keyRecord(t, mem, gone.KeyId).ExternalKeyID)
	if err := raw.ctx.DestroyObject(raw.s, h); err != nil {
		t.Fatal(err)
	}
	_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: gone.KeyId, Plaintext: []byte("x")})
	wantCode(t, err, kms.ErrKMSInvalidState)
	if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	// The token closed under the handle: the store is still CONNECTED, the
	// key is not available.
	if err := k.CloseCustomKeyStoreConnectionForTest(storeID); err != nil {
		t.Fatal(err)
	}
	_, err = k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	wantCode(t, err, kms.ErrKeyUnavailable)
}

// TestGenerateRandomInCustomKeyStore: random bytes from a CONNECTED
// AWS_CLOUDHSM store's token; a disconnected store and an unknown one are
// refused.
func TestGenerateRandomInCustomKeyStore(t *testing.T) {
	ctx := context.Background()
	k, tok := hsmHandle(t, kms.Options{})
	storeID := connectedHsmStore(t, k, tok.PIN)
	a, err := k.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: 1024, CustomKeyStoreId: storeID})
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: 1024, CustomKeyStoreId: storeID})
	if err != nil || len(a.Plaintext) != 1024 || bytes.Equal(a.Plaintext, b.Plaintext) || bytes.Equal(a.Plaintext, make([]byte, 1024)) {
		t.Fatalf("%d bytes, %v", len(a.Plaintext), err)
	}
	if _, err := k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	_, err = k.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: 16, CustomKeyStoreId: storeID})
	wantCode(t, err, kms.ErrCustomKeyStoreInvalidState)
	_, err = k.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: 16, CustomKeyStoreId: "cks-1234567890abcdef0"})
	wantCode(t, err, kms.ErrCustomKeyStoreNotFound)
}

// TestCustomKeyStoreDisconnectedByAnotherHandle: two handles over one
// backend; the store disconnected through one makes its keys Unavailable
// in the other, which had the store's token open.
func TestCustomKeyStoreDisconnectedByAnotherHandle(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	a, tok := hsmHandle(t, kms.Options{Backend: mem})
	b, _ := kmstest.NewWithOptions(t, kms.Options{Backend: mem, CloudHsmClusters: map[string]kms.PKCS11Cluster{
		testCluster: {Module: tok.Module, TokenLabel: tok.Label}}})
	storeID := connectedHsmStore(t, a, tok.PIN)
	md := hsmKey(t, a, storeID)
	// b connects lazily: the store is CONNECTED in the backend.
	enc, err := b.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: storeID}); err != nil {
		t.Fatal(err)
	}
	_, err = b.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantCode(t, err, kms.ErrKMSInvalidState)
	if d, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId}); err != nil || d.KeyMetadata.KeyState != kms.KeyStateUnavailable {
		t.Fatalf("DescribeKey through the other handle: %+v, %v", d, err)
	}
}
