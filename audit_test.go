package kms_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"github.com/embedkms/kms/keystore/xks"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/leaktest"
	"github.com/embedkms/kms/kmstest"
)

// auditLog is a JSON-lines sink whose events a test can read back.
type auditLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *auditLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// events decodes every line written so far.
func (l *auditLog) events(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSuffix(l.buf.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func (l *auditLog) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf.Bytes())
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestAuditOneEventPerOperation: every operation of the handle (found by
// reflection, as the begin tests find them) emits exactly one event per
// call, named after it, with the request id of its context and, for its
// failure, the error's code and message; Explain, no AWS operation, emits
// none. The fields every CloudTrail record of AWS KMS has are there.
func TestAuditOneEventPerOperation(t *testing.T) {
	log := &auditLog{}
	k, clock := kmstest.NewWithOptions(t, kms.Options{Audit: kms.NewJSONAudit(log)})
	clock.Set(time.Date(2026, 4, 27, 17, 11, 6, 500, time.FixedZone("x", 3600)))
	ops := operations(t, k)
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			before := len(log.events(t))
			ctx := kms.WithRequestID(context.Background(), "req-"+op.name)
			err := op.call(ctx, reflect.New(op.in)) // empty input: mostly invalid
			evs := log.events(t)[before:]
			if op.name == "Explain" {
				if len(evs) != 0 {
					t.Fatalf("Explain emitted %d events", len(evs))
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1", len(evs))
			}
			e := evs[0]
			want := map[string]any{
				"eventVersion": "1.11", "eventTime": "2026-04-27T16:11:06Z", "eventSource": "kms.amazonaws.com",
				"eventName": op.name, "awsRegion": "us-east-1", "requestID": "req-" + op.name,
				"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333",
				"eventCategory": "Management",
			}
			for f, v := range want {
				if e[f] != v {
					t.Errorf("%s = %v, want %v", f, e[f], v)
				}
			}
			id, _ := e["userIdentity"].(map[string]any)
			if id["type"] != "Root" || id["arn"] != "arn:aws:iam::111122223333:root" || id["accountId"] != "111122223333" || id["principalId"] != "111122223333" {
				t.Errorf("userIdentity %v", id)
			}
			if s, _ := e["eventID"].(string); !uuidRE.MatchString(s) {
				t.Errorf("eventID %q", s)
			}
			var ke *kms.Error
			switch {
			case err == nil:
				if _, ok := e["errorCode"]; ok {
					t.Errorf("success with errorCode %v", e["errorCode"])
				}
			case errors.As(err, &ke):
				if e["errorCode"] != string(ke.Code) || e["errorMessage"] != ke.Message {
					t.Errorf("error %v: event errorCode %v, errorMessage %v", err, e["errorCode"], e["errorMessage"])
				}
			default:
				t.Fatalf("error %v is no *kms.Error", err)
			}
			if readOnly := strings.HasPrefix(op.name, "Describe") || strings.HasPrefix(op.name, "Get") || strings.HasPrefix(op.name, "List"); readOnly && e["readOnly"] != true {
				t.Errorf("readOnly %v", e["readOnly"])
			}
		})
	}
	// A call without a request id gets a UUID, different per call.
	before := len(log.events(t))
	k.ListKeys(context.Background(), &kms.ListKeysInput{})
	k.ListKeys(context.Background(), &kms.ListKeysInput{})
	evs := log.events(t)[before:]
	a, _ := evs[0]["requestID"].(string)
	b, _ := evs[1]["requestID"].(string)
	if !uuidRE.MatchString(a) || !uuidRE.MatchString(b) || a == b || evs[0]["eventID"] == evs[1]["eventID"] {
		t.Errorf("request ids %q %q, event ids %v %v", a, b, evs[0]["eventID"], evs[1]["eventID"])
	}
}

// TestAuditClosedAndCancelled: a call refused before it starts (a closed
// handle, a cancelled context) still emits its event, with the error AWS
// would send.
func TestAuditClosedAndCancelled(t *testing.T) {
	log := &auditLog{}
	k, _ := kmstest.NewWithOptions(t, kms.Options{Audit: kms.NewJSONAudit(log)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	k.ListKeys(ctx, &kms.ListKeysInput{})
	k.Close()
	k.ListKeys(context.Background(), &kms.ListKeysInput{})
	evs := log.events(t)
	if len(evs) != 2 || evs[0]["errorCode"] != "DependencyTimeoutException" || evs[1]["errorCode"] != "KMSInternalException" || evs[1]["errorMessage"] != "the handle is closed" {
		t.Fatalf("events %v", evs)
	}
}

// TestAuditNoSecrets runs every operation (the test fails if one has no
// successful call here) with plaintexts, messages and encryption material
// made of distinctive bytes, on keys of every kind (symmetric, RSA, ECC
// signing and key agreement, HMAC, ML-KEM), and some that fail; then it
// proves that no event holds any blob of any request or response (a
// plaintext, data key, private key, shared secret, ciphertext, message,
// signature, MAC, public key), nor any key's own material, raw or in hex
// or base64, and that failures have events with errorCode and
// errorMessage. Request parameters and response elements are as AWS's log
// examples show them.
func TestAuditNoSecrets(t *testing.T) {
	log := &auditLog{}
	store := memory.New()
	defer store.Close()
	root := bytes.Repeat([]byte{0x5c}, 32)
	proxy := &fakeProxy{cred: xks.Credential{AccessKeyID: "AKIAI2SFODNN7EXAMPLE", SecretAccessKey: "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE"}}
	k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root, Audit: kms.NewJSONAudit(log), XksHTTPClient: proxy.start(t)})
	ctx := context.Background()
	var blobs [][]byte // every blob of every input and output
	collect := func(v any) {
		var walk func(reflect.Value)
		walk = func(v reflect.Value) {
			switch v.Kind() {
			case reflect.Pointer, reflect.Interface:
				if !v.IsNil() {
					walk(v.Elem())
				}
			case reflect.Struct:
				for i := range v.NumField() {
					if v.Type().Field(i).IsExported() {
						walk(v.Field(i))
					}
				}
			case reflect.Slice:
				if v.Type().Elem().Kind() == reflect.Uint8 {
					if v.Len() >= 12 {
						blobs = append(blobs, bytes.Clone(v.Bytes()))
					}
					return
				}
				for i := range v.Len() {
					walk(v.Index(i))
				}
			}
		}
		walk(reflect.ValueOf(v))
	}
	pattern := func(i byte, n int) []byte {
		b := make([]byte, n)
		for j := range b {
			b[j] = 0xA0 ^ i ^ byte(j*7)
		}
		return b
	}
	succeeded := map[string]bool{}
	calls := 0
	do := func(name string, in any, call func() (any, error)) any {
		t.Helper()
		calls++
		collect(in)
		out, err := call()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		collect(out)
		succeeded[name] = true
		return out
	}
	create := func(in *kms.CreateKeyInput) *kms.KeyMetadata {
		out := do("CreateKey", in, func() (any, error) { return k.CreateKey(ctx, in) }).(*kms.CreateKeyOutput)
		collect(leaktest.Material(t, store, root, "us-east-1", out.KeyMetadata))
		return out.KeyMetadata
	}
	sym := create(&kms.CreateKeyInput{Description: "audit"})
	rsaKey := create(&kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt})
	ecc := create(&kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
	agree := create(&kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeKeyAgreement})
	hmac := create(&kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	kem := create(&kms.CreateKeyInput{KeySpec: kms.KeySpecMlKem768, KeyUsage: kms.KeyUsageTypeEncapsulateDecapsulate})
	sym2 := create(&kms.CreateKeyInput{})
	ec := map[string]string{"purpose": "audit"}

	enc := do("Encrypt", nil, func() (any, error) {
		return k.Encrypt(ctx, &kms.EncryptInput{KeyId: sym.KeyId, Plaintext: pattern(1, 40), EncryptionContext: ec})
	}).(*kms.EncryptOutput)
	collect(pattern(1, 40))
	do("Decrypt", nil, func() (any, error) {
		return k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	})
	rsaIn := &kms.EncryptInput{KeyId: rsaKey.KeyId, Plaintext: pattern(2, 33), EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256}
	rsaOut := do("Encrypt", rsaIn, func() (any, error) { return k.Encrypt(ctx, rsaIn) }).(*kms.EncryptOutput)
	reIn := &kms.ReEncryptInput{CiphertextBlob: rsaOut.CiphertextBlob, SourceKeyId: rsaKey.KeyId, SourceEncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256, DestinationKeyId: sym.KeyId, DestinationEncryptionContext: ec}
	do("ReEncrypt", reIn, func() (any, error) { return k.ReEncrypt(ctx, reIn) })
	do("GenerateDataKey", nil, func() (any, error) {
		return k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: sym.KeyId, KeySpec: kms.DataKeySpecAes256, EncryptionContext: ec})
	})
	do("GenerateDataKeyWithoutPlaintext", nil, func() (any, error) {
		return k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: sym.KeyId, NumberOfBytes: 48})
	})
	do("GenerateDataKeyPair", nil, func() (any, error) {
		return k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: sym.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
	})
	do("GenerateDataKeyPairWithoutPlaintext", nil, func() (any, error) {
		return k.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: sym.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
	})
	do("GenerateRandom", nil, func() (any, error) { return k.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: 64}) })
	signIn := &kms.SignInput{KeyId: ecc.KeyId, Message: pattern(3, 50), MessageType: kms.MessageTypeRaw, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256}
	sig := do("Sign", signIn, func() (any, error) { return k.Sign(ctx, signIn) }).(*kms.SignOutput)
	verIn := &kms.VerifyInput{KeyId: ecc.KeyId, Message: signIn.Message, MessageType: kms.MessageTypeRaw, Signature: sig.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256}
	do("Verify", verIn, func() (any, error) { return k.Verify(ctx, verIn) })
	do("GetPublicKey", nil, func() (any, error) { return k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: ecc.KeyId}) })
	macIn := &kms.GenerateMacInput{KeyId: hmac.KeyId, Message: pattern(4, 30), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256}
	mac := do("GenerateMac", macIn, func() (any, error) { return k.GenerateMac(ctx, macIn) }).(*kms.GenerateMacOutput)
	vmIn := &kms.VerifyMacInput{KeyId: hmac.KeyId, Message: macIn.Message, Mac: mac.Mac, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256}
	do("VerifyMac", vmIn, func() (any, error) { return k.VerifyMac(ctx, vmIn) })
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dsIn := &kms.DeriveSharedSecretInput{KeyId: agree.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerSPKI(t, peer)}
	do("DeriveSharedSecret", dsIn, func() (any, error) { return k.DeriveSharedSecret(ctx, dsIn) })
	encap := do("Encapsulate", nil, func() (any, error) {
		return k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: kem.KeyId, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
	}).(*kms.EncapsulateOutput)
	decIn := &kms.DecapsulateInput{KeyId: kem.KeyId, SharedSecretCiphertextBlob: encap.SharedSecretCiphertextBlob, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem}
	do("Decapsulate", decIn, func() (any, error) { return k.Decapsulate(ctx, decIn) })
	do("GetKeyLastUsage", nil, func() (any, error) { return k.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: sym.KeyId}) })

	// The management operations.
	do("DescribeKey", nil, func() (any, error) { return k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sym.KeyId}) })
	do("ListKeys", nil, func() (any, error) { return k.ListKeys(ctx, &kms.ListKeysInput{}) })
	do("UpdateKeyDescription", nil, func() (any, error) {
		return k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: sym.KeyId, Description: "new"})
	})
	do("DisableKey", nil, func() (any, error) { return k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: rsaKey.KeyId}) })
	do("EnableKey", nil, func() (any, error) { return k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: rsaKey.KeyId}) })
	do("CreateAlias", nil, func() (any, error) {
		return k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/audit", TargetKeyId: sym.KeyId})
	})
	do("UpdateAlias", nil, func() (any, error) {
		return k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/audit", TargetKeyId: sym2.KeyId})
	})
	do("ListAliases", nil, func() (any, error) { return k.ListAliases(ctx, &kms.ListAliasesInput{}) })
	do("DeleteAlias", nil, func() (any, error) { return k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: "alias/audit"}) })
	do("TagResource", nil, func() (any, error) {
		return k.TagResource(ctx, &kms.TagResourceInput{KeyId: sym.KeyId, Tags: []kms.Tag{{TagKey: "team", TagValue: "a"}}})
	})
	do("ListResourceTags", nil, func() (any, error) { return k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: sym.KeyId}) })
	do("UntagResource", nil, func() (any, error) {
		return k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: sym.KeyId, TagKeys: []string{"team"}})
	})
	pol := do("GetKeyPolicy", nil, func() (any, error) { return k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: sym.KeyId}) }).(*kms.GetKeyPolicyOutput)
	do("PutKeyPolicy", nil, func() (any, error) {
		return k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: sym.KeyId, Policy: pol.Policy})
	})
	do("ListKeyPolicies", nil, func() (any, error) { return k.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: sym.KeyId}) })
	do("EnableKeyRotation", nil, func() (any, error) {
		return k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: sym.KeyId})
	})
	do("GetKeyRotationStatus", nil, func() (any, error) {
		return k.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: sym.KeyId})
	})
	do("DisableKeyRotation", nil, func() (any, error) {
		return k.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: sym.KeyId})
	})
	do("RotateKeyOnDemand", nil, func() (any, error) { return k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: sym.KeyId}) })
	do("ListKeyRotations", nil, func() (any, error) { return k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId}) })
	const alice = "arn:aws:iam::111122223333:user/Alice"
	g := do("CreateGrant", nil, func() (any, error) {
		return k.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: sym.KeyId, GranteePrincipal: alice, RetiringPrincipal: alice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	}).(*kms.CreateGrantOutput)
	do("ListGrants", nil, func() (any, error) { return k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: sym.KeyId}) })
	do("ListRetirableGrants", nil, func() (any, error) {
		return k.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: alice})
	})
	do("RetireGrant", nil, func() (any, error) {
		return k.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: sym.Arn, GrantId: g.GrantId})
	})
	g2 := do("CreateGrant", nil, func() (any, error) {
		return k.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: sym.KeyId, GranteePrincipal: alice, Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	}).(*kms.CreateGrantOutput)
	do("RevokeGrant", nil, func() (any, error) {
		return k.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: sym.KeyId, GrantId: g2.GrantId})
	})
	do("ScheduleKeyDeletion", nil, func() (any, error) {
		return k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: kem.KeyId, PendingWindowInDays: 7})
	})
	do("CancelKeyDeletion", nil, func() (any, error) { return k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: kem.KeyId}) })

	// Imported key material: the material itself is a secret.
	ext := do("CreateKey", nil, func() (any, error) {
		return k.CreateKey(ctx, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
	}).(*kms.CreateKeyOutput).KeyMetadata
	params := do("GetParametersForImport", nil, func() (any, error) {
		return k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: ext.KeyId,
			WrappingAlgorithm: kms.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kms.WrappingKeySpecRsa2048})
	}).(*kms.GetParametersForImportOutput)
	material := pattern(5, 32)
	collect(material)
	pub, err := x509.ParsePKIXPublicKey(params.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		t.Fatal(err)
	}
	do("ImportKeyMaterial", nil, func() (any, error) {
		return k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: ext.KeyId, ImportToken: params.ImportToken,
			EncryptedKeyMaterial: wrapped, ExpirationModel: kms.ExpirationModelTypeKeyMaterialDoesNotExpire})
	})
	do("DeleteImportedKeyMaterial", nil, func() (any, error) {
		return k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: ext.KeyId})
	})

	// Multi-Region keys.
	mrk := create(&kms.CreateKeyInput{MultiRegion: true})
	do("ReplicateKey", nil, func() (any, error) {
		return k.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: mrk.KeyId, ReplicaRegion: "us-west-2", Description: "replica"})
	})
	do("UpdatePrimaryRegion", nil, func() (any, error) {
		return k.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: mrk.KeyId, PrimaryRegion: "us-west-2"})
	})

	// Custom key stores: the proxy's secret access key is a secret too.
	collect([]byte(proxy.cred.SecretAccessKey))
	cred := &kms.XksProxyAuthenticationCredentialType{AccessKeyId: proxy.cred.AccessKeyID, RawSecretAccessKey: proxy.cred.SecretAccessKey}
	cks := do("CreateCustomKeyStore", nil, func() (any, error) {
		return k.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: "xks", CustomKeyStoreType: kms.CustomKeyStoreTypeExternalKeyStore,
			XksProxyUriEndpoint: "https://xks.example.com", XksProxyUriPath: "/tenant/kms/xks/v1", XksProxyAuthenticationCredential: cred,
			XksProxyConnectivity: kms.XksProxyConnectivityTypePublicEndpoint})
	}).(*kms.CreateCustomKeyStoreOutput)
	do("DescribeCustomKeyStores", nil, func() (any, error) {
		return k.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: cks.CustomKeyStoreId})
	})
	do("UpdateCustomKeyStore", nil, func() (any, error) {
		return k.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: cks.CustomKeyStoreId, XksProxyAuthenticationCredential: cred})
	})
	do("ConnectCustomKeyStore", nil, func() (any, error) {
		return k.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: cks.CustomKeyStoreId})
	})
	do("DisconnectCustomKeyStore", nil, func() (any, error) {
		return k.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: cks.CustomKeyStoreId})
	})
	do("DeleteCustomKeyStore", nil, func() (any, error) {
		return k.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: cks.CustomKeyStoreId})
	})

	// Failures, with secrets in their requests.
	collect(pattern(9, 24))
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "other"}}); !errors.Is(err, kms.ErrInvalidCiphertext) {
		t.Fatalf("Decrypt with another context: %v", err)
	}
	if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: ecc.KeyId, Plaintext: pattern(9, 24)}); err == nil {
		t.Fatal("Encrypt with a signing key succeeded")
	}

	for _, op := range operations(t, k) {
		if op.name != "Explain" && !succeeded[op.name] {
			t.Errorf("%s: no successful call in this test", op.name)
		}
	}
	text := log.bytes()
	for i, b := range blobs {
		if where, found := leaktest.Find(map[string][]byte{"audit log": text}, b); found {
			t.Errorf("blob %d (%d bytes) found: %s", i, len(b), where)
		}
		// As JSON encodes a list of numbers: "165,90,...".
		nums := make([]int, 12)
		for j := range nums {
			nums[j] = int(b[j])
		}
		list, _ := json.Marshal(nums)
		if bytes.Contains(text, bytes.Trim(list, "[]")) {
			t.Errorf("blob %d (%d bytes) found as a list of numbers", i, len(b))
		}
	}
	evs := log.events(t)
	byName := map[string][]map[string]any{}
	for _, e := range evs {
		name := e["eventName"].(string)
		byName[name] = append(byName[name], e)
	}
	// Failures have their events, with the error.
	last := func(name string) map[string]any { l := byName[name]; return l[len(l)-1] }
	if e := last("Decrypt"); e["errorCode"] != "InvalidCiphertextException" {
		t.Errorf("failed Decrypt event %v", e)
	}
	if e := last("Encrypt"); e["errorCode"] != "InvalidKeyUsageException" || e["errorMessage"] == "" || e["errorMessage"] == nil {
		t.Errorf("failed Encrypt event %v", e)
	}
	// Request parameters as AWS shows them, without the plaintext; no
	// response elements for a cryptographic operation.
	e := byName["Encrypt"][0]
	rp, _ := json.Marshal(e["requestParameters"])
	if string(rp) != `{"encryptionContext":{"purpose":"audit"},"keyId":"`+sym.KeyId+`"}` || e["responseElements"] != nil || e["readOnly"] != true {
		t.Errorf("Encrypt event: requestParameters %s, responseElements %v, readOnly %v", rp, e["responseElements"], e["readOnly"])
	}
	wantRes := []any{map[string]any{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": sym.Arn}}
	if !reflect.DeepEqual(e["resources"], wantRes) {
		t.Errorf("Encrypt resources %v", e["resources"])
	}
	// ReEncrypt names both keys.
	if res, _ := json.Marshal(byName["ReEncrypt"][0]["resources"]); !strings.Contains(string(res), rsaKey.Arn) || !strings.Contains(string(res), sym.Arn) {
		t.Errorf("ReEncrypt resources %s", res)
	}
	// CreateKey shows the new key's metadata, as AWS's example does.
	ce := byName["CreateKey"][0]
	md, _ := ce["responseElements"].(map[string]any)["keyMetadata"].(map[string]any)
	if ce["readOnly"] != false || md["keyId"] != sym.KeyId || md["AWSAccountId"] != "111122223333" || md["arn"] != sym.Arn || md["keyState"] != "Enabled" {
		t.Errorf("CreateKey event %v", ce)
	}
	// ScheduleKeyDeletion's response elements include the deletion date.
	if re, _ := byName["ScheduleKeyDeletion"][0]["responseElements"].(map[string]any); re["keyState"] != "PendingDeletion" || re["pendingWindowInDays"] != float64(7) {
		t.Errorf("ScheduleKeyDeletion responseElements %v", re)
	}
	if len(evs) != calls+2 {
		t.Errorf("%d events for %d calls", len(evs), calls+2)
	}
}

// TestSlogAudit: the slog writer logs one record per call, named after
// the operation, with CloudTrail's member names as attributes, at Warn for
// a failure.
func TestSlogAudit(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	k, _ := kmstest.NewWithOptions(t, kms.Options{Audit: kms.NewSlogAudit(l)})
	ctx := kms.WithRequestID(context.Background(), "r-1")
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("secret-plaintext-xyz")})
	k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/none"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d records: %s", len(lines), buf.String())
	}
	var recs []map[string]any
	for _, line := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if recs[1]["msg"] != "Encrypt" || recs[1]["level"] != "INFO" || recs[1]["requestID"] != "r-1" || recs[1]["eventSource"] != "kms.amazonaws.com" {
		t.Errorf("Encrypt record %v", recs[1])
	}
	if recs[2]["msg"] != "DescribeKey" || recs[2]["level"] != "WARN" || recs[2]["errorCode"] != "NotFoundException" {
		t.Errorf("DescribeKey record %v", recs[2])
	}
	if strings.Contains(buf.String(), "secret-plaintext-xyz") || strings.Contains(buf.String(), "c2VjcmV0LXBsYWludGV4dC14eXo") {
		t.Error("the plaintext was logged")
	}
	if id, _ := recs[1]["userIdentity"].(map[string]any); id["type"] != "Root" {
		t.Errorf("userIdentity %v", recs[1]["userIdentity"])
	}
}

// TestAuditCaller: the userIdentity of a call made as an IAM user, an
// assumed role and a service, with its source address and agent.
func TestAuditCaller(t *testing.T) {
	log := &auditLog{}
	k, _ := kmstest.NewWithOptions(t, kms.Options{Audit: kms.NewJSONAudit(log)})
	for _, c := range []struct {
		ci   kms.CallerInfo
		want string
	}{
		{kms.CallerInfo{Principal: "arn:aws:iam::111122223333:user/Alice", SourceIP: "192.0.2.7", UserAgent: "ua/1"},
			`{"type":"IAMUser","principalId":"Alice","arn":"arn:aws:iam::111122223333:user/Alice","accountId":"111122223333"}`},
		{kms.CallerInfo{Principal: "arn:aws:sts::444455556666:assumed-role/Admin/s1", ViaService: "s3.us-east-1.amazonaws.com"},
			`{"type":"AssumedRole","principalId":"Admin:s1","arn":"arn:aws:sts::444455556666:assumed-role/Admin/s1","accountId":"444455556666","invokedBy":"s3.us-east-1.amazonaws.com"}`},
		{kms.CallerInfo{Principal: "dynamodb.amazonaws.com"}, `{"type":"AWSService","invokedBy":"dynamodb.amazonaws.com"}`},
	} {
		k.ListKeys(kms.WithCallerInfo(context.Background(), c.ci), &kms.ListKeysInput{})
		evs := log.events(t)
		e := evs[len(evs)-1]
		var want map[string]any
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(e["userIdentity"], want) {
			t.Errorf("%s: userIdentity %v\nwant %s", c.ci.Principal, e["userIdentity"], c.want)
		}
		if ip, _ := e["sourceIPAddress"].(string); ip != c.ci.SourceIP {
			t.Errorf("%s: sourceIPAddress %q", c.ci.Principal, ip)
		}
		if ua, _ := e["userAgent"].(string); ua != c.ci.UserAgent {
			t.Errorf("%s: userAgent %q", c.ci.Principal, ua)
		}
	}
}
