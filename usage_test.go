package kms_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/kmstest"
)

func lastUsage(t *testing.T, k *kms.KMS, ctx context.Context, keyID string) *kms.GetKeyLastUsageOutput {
	t.Helper()
	out, err := k.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: keyID})
	if err != nil {
		t.Fatalf("GetKeyLastUsage(%s): %v", keyID, err)
	}
	return out
}

// TestGetKeyLastUsageNeverUsed: a key never used has no KeyLastUsage, and
// is tracked from its creation (API reference, GetKeyLastUsage: "If the
// KeyLastUsage response element is empty and KeyCreationDate is on or
// after TrackingStartDate, the key has not been used ... since it was
// created"); KeyId is the key ARN. Managing and describing a key is no
// use of it.
func TestGetKeyLastUsageNeverUsed(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	clock.Advance(time.Hour)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatal(err)
	}
	md := key.KeyMetadata
	clock.Advance(time.Hour)
	k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
	k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: "d"})
	out := lastUsage(t, k, ctx, md.KeyId)
	if out.KeyId != md.Arn || out.KeyLastUsage != nil || !out.KeyCreationDate.Equal(md.CreationDate) || !out.TrackingStartDate.Equal(md.CreationDate) {
		t.Fatalf("%+v", out)
	}
}

// TestGetKeyLastUsageCountsSuccessfulCryptographicOperations: each
// cryptographic operation of KeyLastUsageTrackingOperation that succeeds
// becomes the key's last usage, at the clock's time; a DryRun, a failed
// call (a signature or MAC that does not verify, a wrong encryption
// context) does not count.
func TestGetKeyLastUsageCountsSuccessfulCryptographicOperations(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	mk := func(spec kms.KeySpec, usage kms.KeyUsageType) string {
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
		if err != nil {
			t.Fatal(err)
		}
		return out.KeyMetadata.KeyId
	}
	sym := mk("", "")
	sign := mk(kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify)
	hmac := mk(kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac)
	agree := mk(kms.KeySpecEccNistP256, kms.KeyUsageTypeKeyAgreement)
	kem := mk(kms.KeySpecMlKem768, kms.KeyUsageTypeEncapsulateDecapsulate)
	ec := map[string]string{"a": "b"}
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: sym, Plaintext: []byte("p"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := k.Sign(ctx, &kms.SignInput{KeyId: sign, Message: []byte("m"), MessageType: kms.MessageTypeRaw, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	mac, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: hmac, Message: []byte("m"), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
	if err != nil {
		t.Fatal(err)
	}
	capsule, err := k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: kem, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
	if err != nil {
		t.Fatal(err)
	}
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key  string
		op   kms.KeyLastUsageTrackingOperation
		call func() error
	}{
		{sym, "Encrypt", func() error {
			_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: sym, Plaintext: []byte("p")})
			return err
		}},
		{sym, "Decrypt", func() error {
			_, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
			return err
		}},
		{sym, "GenerateDataKey", func() error {
			_, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: sym, NumberOfBytes: 16})
			return err
		}},
		{sym, "GenerateDataKeyWithoutPlaintext", func() error {
			_, err := k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: sym, NumberOfBytes: 16})
			return err
		}},
		{sym, "GenerateDataKeyPair", func() error {
			_, err := k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: sym, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
			return err
		}},
		{sym, "GenerateDataKeyPairWithoutPlaintext", func() error {
			_, err := k.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: sym, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
			return err
		}},
		{sym, "ReEncrypt", func() error {
			_, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: sym})
			return err
		}},
		{sign, "Sign", func() error {
			_, err := k.Sign(ctx, &kms.SignInput{KeyId: sign, Message: []byte("m"), MessageType: kms.MessageTypeRaw, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
			return err
		}},
		{sign, "Verify", func() error {
			_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: sign, Message: []byte("m"), MessageType: kms.MessageTypeRaw, Signature: sig.Signature, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
			return err
		}},
		{hmac, "GenerateMac", func() error {
			_, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: hmac, Message: []byte("m"), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
			return err
		}},
		{hmac, "VerifyMac", func() error {
			_, err := k.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: hmac, Message: []byte("m"), Mac: mac.Mac, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
			return err
		}},
		{agree, "DeriveSharedSecret", func() error {
			_, err := k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: agree, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerSPKI(t, peer)})
			return err
		}},
		{kem, "Encapsulate", func() error {
			_, err := k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: kem, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
			return err
		}},
		{kem, "Decapsulate", func() error {
			_, err := k.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: kem, SharedSecretCiphertextBlob: capsule.SharedSecretCiphertextBlob, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
			return err
		}},
	} {
		clock.Advance(time.Minute)
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		u := lastUsage(t, k, ctx, c.key).KeyLastUsage
		if u == nil || u.Operation != c.op || !u.Timestamp.Equal(clock.Now()) || !uuidRE.MatchString(u.CloudTrailEventId) || !uuidRE.MatchString(u.KmsRequestId) {
			t.Fatalf("after %s: %+v", c.op, u)
		}
	}
	// What does not count: the last usage stays the Decapsulate above, or
	// the Verify/VerifyMac of their keys.
	at := clock.Now()
	clock.Advance(time.Minute)
	badSig := bytes.Clone(sig.Signature)
	badSig[len(badSig)-1] ^= 1
	badMac := bytes.Clone(mac.Mac)
	badMac[0] ^= 1
	for name, call := range map[string]func() error{
		"Encrypt DryRun": func() error {
			_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: sym, Plaintext: []byte("p"), DryRun: true})
			return err
		},
		"Decrypt with another context": func() error {
			_, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			return err
		},
		"Verify of a bad signature": func() error {
			_, err := k.Verify(ctx, &kms.VerifyInput{KeyId: sign, Message: []byte("m"), MessageType: kms.MessageTypeRaw, Signature: badSig, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256})
			return err
		},
		"VerifyMac of a bad MAC": func() error {
			_, err := k.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: hmac, Message: []byte("m"), Mac: badMac, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
			return err
		},
		"Sign DryRun": func() error {
			_, err := k.Sign(ctx, &kms.SignInput{KeyId: sign, Message: []byte("m"), MessageType: kms.MessageTypeRaw, SigningAlgorithm: kms.SigningAlgorithmSpecEcdsaSha256, DryRun: true})
			return err
		},
	} {
		if err := call(); err == nil {
			t.Fatalf("%s succeeded", name)
		}
	}
	for _, key := range []string{sym, sign, hmac} {
		if u := lastUsage(t, k, ctx, key).KeyLastUsage; u == nil || u.Timestamp.After(at) {
			t.Errorf("key %s: last usage %+v, want one at or before %v", key, u, at)
		}
	}
}

// TestGetKeyLastUsageReEncryptBothKeys: ReEncrypt is the last usage of its
// source key and of its destination key ("Usage information is recorded
// for both keys independently", API reference).
func TestGetKeyLastUsageReEncryptBothKeys(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	a, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	b, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: a.KeyMetadata.KeyId, Plaintext: []byte("p")})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	rctx := kms.WithRequestID(ctx, "re-encrypt-1")
	if _, err := k.ReEncrypt(rctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: b.KeyMetadata.Arn}); err != nil {
		t.Fatal(err)
	}
	ua := lastUsage(t, k, ctx, a.KeyMetadata.KeyId).KeyLastUsage
	ub := lastUsage(t, k, ctx, b.KeyMetadata.KeyId).KeyLastUsage
	for _, u := range []*kms.KeyLastUsageData{ua, ub} {
		if u == nil || u.Operation != kms.KeyLastUsageTrackingOperationReEncrypt || !u.Timestamp.Equal(clock.Now()) || u.KmsRequestId != "re-encrypt-1" {
			t.Fatalf("%+v", u)
		}
	}
	if ua.CloudTrailEventId != ub.CloudTrailEventId {
		t.Errorf("one call, two event ids: %s %s", ua.CloudTrailEventId, ub.CloudTrailEventId)
	}
}

// TestGetKeyLastUsageMatchesAuditEvent: CloudTrailEventId and KmsRequestId
// are the eventID and requestID of the operation's audit event.
func TestGetKeyLastUsageMatchesAuditEvent(t *testing.T) {
	log := &auditLog{}
	k, _ := kmstest.NewWithOptions(t, kms.Options{Audit: kms.NewJSONAudit(log)})
	ctx := context.Background()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if _, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key.KeyMetadata.KeyId, KeySpec: kms.DataKeySpecAes128}); err != nil {
		t.Fatal(err)
	}
	evs := log.events(t)
	e := evs[len(evs)-1]
	u := lastUsage(t, k, ctx, key.KeyMetadata.KeyId).KeyLastUsage
	if u == nil || e["eventName"] != "GenerateDataKey" || u.CloudTrailEventId != e["eventID"] || u.KmsRequestId != e["requestID"] {
		t.Fatalf("usage %+v, event %v", u, e)
	}
}

// countingStore counts read-write transactions.
type countingStore struct {
	backend.Store
	updates atomic.Int64
}

func (s *countingStore) Update(ctx context.Context, fn func(backend.Txn) error) error {
	s.updates.Add(1)
	return s.Store.Update(ctx, fn)
}

// storedUsage reads a key's lastused/ record as the store holds it.
func storedUsage(t *testing.T, s backend.Store, root []byte, md *kms.KeyMetadata) *records.LastUsed {
	t.Helper()
	rk, err := keystore.NewRootKey(root)
	if err != nil {
		t.Fatal(err)
	}
	var u *records.LastUsed
	err = rk.Authenticated(s).View(context.Background(), func(tx backend.Txn) error {
		var err error
		u, err = records.GetLastUsed(tx, md.AWSAccountId, "us-east-1", md.KeyId)
		return err
	})
	if errors.Is(err, backend.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestGetKeyLastUsageNoWritePerOperation: cryptographic operations write
// nothing to the store; the last usage reaches it at the maintenance pass,
// at Close, or when GetKeyLastUsage reads it, and a handle opened after
// sees it.
func TestGetKeyLastUsageNoWritePerOperation(t *testing.T) {
	root := bytes.Repeat([]byte{7}, 32)
	mem := memory.New()
	defer mem.Close()
	store := &countingStore{Store: mem}
	clock := kmstest.NewClock(kmstest.Start)
	k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root, Clock: clock})
	ctx := context.Background()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	md := key.KeyMetadata
	before := store.updates.Load()
	for range 100 {
		clock.Advance(time.Second)
		if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("p")}); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.updates.Load() - before; n != 0 {
		t.Fatalf("100 Encrypts made %d store writes", n)
	}
	if u := storedUsage(t, store, root, md); u != nil {
		t.Fatalf("stored before the pass: %+v", u)
	}
	if err := k.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if u := storedUsage(t, store, root, md); u == nil || u.Operation != "Encrypt" || !u.Timestamp.Equal(clock.Now()) {
		t.Fatalf("after the pass: %+v", u)
	}
	// A pass with nothing new writes nothing.
	before = store.updates.Load()
	if err := k.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.updates.Load() - before; n != 0 {
		t.Errorf("an idle pass made %d writes", n)
	}
	// Close writes what the pass has not.
	clock.Advance(time.Minute)
	if _, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: 8}); err != nil {
		t.Fatal(err)
	}
	k.Close()
	if u := storedUsage(t, store, root, md); u == nil || u.Operation != "GenerateDataKey" || !u.Timestamp.Equal(clock.Now()) {
		t.Fatalf("after Close: %+v", u)
	}
	k2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root, Clock: clock})
	if u := lastUsage(t, k2, ctx, md.KeyId).KeyLastUsage; u == nil || u.Operation != kms.KeyLastUsageTrackingOperationGenerateDataKey || !u.Timestamp.Equal(clock.Now()) {
		t.Fatalf("another handle after Close: %+v", u)
	}
}

// TestGetKeyLastUsageLatestWins: a use another process recorded later than
// this one's is kept; an earlier one is replaced.
func TestGetKeyLastUsageLatestWins(t *testing.T) {
	root := bytes.Repeat([]byte{8}, 32)
	store := memory.New()
	defer store.Close()
	k, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root})
	ctx := context.Background()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	md := key.KeyMetadata
	put := func(u *records.LastUsed) {
		rk, _ := keystore.NewRootKey(root)
		if err := rk.Authenticated(store).Update(ctx, func(tx backend.Txn) error {
			return records.PutLastUsed(tx, md.AWSAccountId, "us-east-1", md.KeyId, u)
		}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Hour)
	k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("p")})
	later := &records.LastUsed{Operation: "Decrypt", Timestamp: clock.Now().Add(time.Minute), EventID: "e-other", RequestID: "r-other"}
	put(later)
	if u := lastUsage(t, k, ctx, md.KeyId).KeyLastUsage; u == nil || u.Operation != "Decrypt" || u.CloudTrailEventId != "e-other" || u.KmsRequestId != "r-other" {
		t.Fatalf("a later use elsewhere lost: %+v", u)
	}
	clock.Advance(time.Hour)
	put(&records.LastUsed{Operation: "Sign", Timestamp: clock.Now().Add(-time.Minute), EventID: "e-old", RequestID: "r-old"})
	k.Encrypt(kms.WithRequestID(ctx, "r-mine"), &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("p")})
	if u := lastUsage(t, k, ctx, md.KeyId).KeyLastUsage; u == nil || u.Operation != "Encrypt" || u.KmsRequestId != "r-mine" || !u.Timestamp.Equal(clock.Now()) {
		t.Fatalf("an earlier use elsewhere kept: %+v", u)
	}
}

// TestGetKeyLastUsageTrackingStart: for a key created before the store
// began tracking use, TrackingStartDate is when tracking began, after its
// KeyCreationDate ("the date from which KMS began recording cryptographic
// activity for this key, or the date the KMS key was created, whichever is
// later").
func TestGetKeyLastUsageTrackingStart(t *testing.T) {
	root := bytes.Repeat([]byte{9}, 32)
	store := memory.New()
	defer store.Close()
	clock := kmstest.NewClock(kmstest.Start)
	k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root, Clock: clock})
	ctx := context.Background()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	k.Close()
	// The store as a version without tracking left it.
	if err := store.Update(ctx, func(tx backend.Txn) error { return tx.Delete([]byte("lastused/tracking-start")) }); err != nil {
		t.Fatal(err)
	}
	clock.Advance(48 * time.Hour)
	k2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root, Clock: clock})
	clock.Advance(time.Hour)
	out := lastUsage(t, k2, ctx, key.KeyMetadata.KeyId)
	if !out.KeyCreationDate.Equal(kmstest.Start) || !out.TrackingStartDate.Equal(kmstest.Start.Add(48*time.Hour)) || out.KeyLastUsage != nil {
		t.Fatalf("%+v", out)
	}
}

// TestGetKeyLastUsageErrors: every key state is answered; an alias, a key
// of another account, a missing key and a malformed ARN are refused as
// AWS refuses them; a caller without kms:GetKeyLastUsage is denied.
func TestGetKeyLastUsageErrors(t *testing.T) {
	const alice = "arn:aws:iam::111122223333:user/Alice"
	iam := kms.IdentityPolicies{alice: {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:DescribeKey","kms:Encrypt"],"Resource":"*"}]}`}}
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: iam})
	ctx := context.Background()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	md := key.KeyMetadata
	k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/u", TargetKeyId: md.KeyId})
	disabled, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyMetadata.KeyId})
	pending, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: pending.KeyMetadata.KeyId})
	for _, id := range []string{disabled.KeyMetadata.KeyId, pending.KeyMetadata.Arn} {
		if _, err := k.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: id}); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	for _, c := range []struct {
		ctx     context.Context
		keyID   string
		code    kms.Code
		message string
	}{
		{ctx, "alias/u", kms.ErrNotFound, "Invalid keyId 'alias/u'"},
		{ctx, "arn:aws:kms:us-east-1:444455556666:key/" + md.KeyId, kms.ErrNotFound, "Invalid arn 'arn:aws:kms:us-east-1:444455556666:key/" + md.KeyId + "'"},
		{ctx, "11111111-2222-3333-4444-555555555555", kms.ErrNotFound, "Key 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555' does not exist"},
		{ctx, "arn:aws:kms:us-east-1:111122223333", kms.ErrInvalidArn, "Invalid arn 'arn:aws:kms:us-east-1:111122223333'"},
		{ctx, "", kms.ErrValidation, ""},
		{kms.WithCaller(ctx, alice), md.KeyId, kms.ErrAccessDenied, "User: " + alice + " is not authorized to perform: kms:GetKeyLastUsage on resource: " + md.Arn + " because no identity-based policy allows the kms:GetKeyLastUsage action"},
	} {
		_, err := k.GetKeyLastUsage(c.ctx, &kms.GetKeyLastUsageInput{KeyId: c.keyID})
		var e *kms.Error
		if !errors.As(err, &e) || e.Code != c.code || (c.message != "" && e.Message != c.message) {
			t.Errorf("%q: got %v, want %s: %s", c.keyID, err, c.code, c.message)
		}
	}
}

// TestGetKeyLastUsageRecordGoesWithKey: a key deleted for good takes its
// lastused/ record with it, and a use noted but not yet written when the
// key goes is dropped, not written for a key that no longer exists.
func TestGetKeyLastUsageRecordGoesWithKey(t *testing.T) {
	root := bytes.Repeat([]byte{10}, 32)
	store := memory.New()
	defer store.Close()
	k, clock := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root})
	ctx := context.Background()
	a, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	b, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	for _, md := range []*kms.KeyMetadata{a.KeyMetadata, b.KeyMetadata} {
		if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("p")}); err != nil {
			t.Fatal(err)
		}
	}
	lastUsage(t, k, ctx, a.KeyMetadata.KeyId) // a's use is written; b's is not
	if storedUsage(t, store, root, a.KeyMetadata) == nil {
		t.Fatal("a's use not written")
	}
	for _, md := range []*kms.KeyMetadata{a.KeyMetadata, b.KeyMetadata} {
		if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(8 * 24 * time.Hour)
	if err := k.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	for _, md := range []*kms.KeyMetadata{a.KeyMetadata, b.KeyMetadata} {
		if u := storedUsage(t, store, root, md); u != nil {
			t.Errorf("key %s deleted, its use still stored: %+v", md.KeyId, u)
		}
	}
}

// TestGetKeyLastUsageLaterUseKept: of two uses noted in one process, the
// later by timestamp is kept, whatever order they are noted in (a clock
// moved back).
func TestGetKeyLastUsageLaterUseKept(t *testing.T) {
	k, clock := kmstest.New(t)
	ctx := context.Background()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	id := key.KeyMetadata.KeyId
	clock.Advance(time.Hour)
	k.Encrypt(kms.WithRequestID(ctx, "later"), &kms.EncryptInput{KeyId: id, Plaintext: []byte("p")})
	clock.Advance(-time.Minute)
	k.GenerateDataKey(kms.WithRequestID(ctx, "earlier"), &kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: 8})
	if u := lastUsage(t, k, ctx, id).KeyLastUsage; u == nil || u.KmsRequestId != "later" || u.Operation != "Encrypt" {
		t.Fatalf("%+v", u)
	}
}
