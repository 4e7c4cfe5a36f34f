package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/policy"
)

// Limits on key lifecycle, from the AWS KMS API reference.
const (
	// MinPendingWindowInDays and MaxPendingWindowInDays bound the waiting
	// period of ScheduleKeyDeletion; DefaultPendingWindowInDays applies
	// when none is given.
	MinPendingWindowInDays     = 7
	MaxPendingWindowInDays     = 30
	DefaultPendingWindowInDays = 30
	// MaxDescriptionLength is the longest key description.
	MaxDescriptionLength = 8192
)

var (
	opCreateKey            = op("CreateKey", false, false)
	opDescribeKey          = op("DescribeKey", true, true)
	opListKeys             = op("ListKeys", false, false)
	opUpdateKeyDescription = op("UpdateKeyDescription", false, false)
	opEnableKey            = op("EnableKey", false, false)
	opDisableKey           = op("DisableKey", false, false)
	opScheduleKeyDeletion  = op("ScheduleKeyDeletion", false, false)
	opCancelKeyDeletion    = op("CancelKeyDeletion", false, false)
)

var (
	policyRE   = newModelPattern(`^[\u0009\u000A\u000D\u0020-\u00FF]+$`)
	xksKeyIDRE = newModelPattern(`^[a-zA-Z0-9-_.]+$`)
)

// CreateKey creates a KMS key of any KeySpec and KeyUsage AWS allows,
// single- or multi-Region, with key material AWS KMS generates (Origin
// AWS_KMS, the default) or, with Origin EXTERNAL, with none: the key is
// PendingImport until ImportKeyMaterial gives it material (import.go).
// Without Policy the key gets the AWS default key policy, which gives the
// account full access.
func (k *KMS) CreateKey(ctx context.Context, in *CreateKeyInput) (result *CreateKeyOutput, opErr error) {
	defer finish(k.audit(&ctx, "CreateKey", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &CreateKeyInput{}
	}
	plan, err := k.checkCreateKey(ctx, in)
	if err != nil {
		return nil, err
	}
	spec, usage, origin, pol, doc := plan.spec, plan.usage, plan.origin, plan.policy, plan.doc
	x := authzExtra{
		newKey:        &records.Key{Account: k.account, Region: k.region, KeySpec: string(spec), KeyUsage: string(usage), Origin: string(origin), MultiRegion: in.MultiRegion},
		requestTags:   in.Tags,
		tagKeys:       tagKeysOf(in.Tags),
		bypassLockout: &in.BypassPolicyLockoutSafetyCheck,
	}
	if err := k.authorize(ctx, opCreateKey, x); err != nil {
		return nil, err
	}

	keyID := newKeyID(in.MultiRegion)
	ref := keyRef{k.account, k.region, keyID}
	keyARN := k.keyARN(ref)
	if !in.BypassPolicyLockoutSafetyCheck {
		// The caller must be able to change the new key's policy later
		// (AWS KMS API reference, CreateKey, BypassPolicyLockoutSafetyCheck).
		probe := *x.newKey
		probe.KeyID, probe.Policy = keyID, pol
		// The key as it will be: a policy conditioned on its tags
		// (aws:ResourceTag/<k>) sees the tags it is created with.
		for _, t := range in.Tags {
			probe.Tags = append(probe.Tags, records.Tag{Key: t.TagKey, Value: t.TagValue})
		}
		if err := k.lockoutCheck(ctx, nil, &probe, doc, x); err != nil {
			return nil, err
		}
	}
	var rec *records.Key
	var custom *customKey // the key's place in a custom key store
	if origin == OriginTypeExternal {
		// No key material: the key waits for ImportKeyMaterial
		// (import.go).
		id, err := k.newImportIdentity(keyARN)
		if err != nil {
			return nil, internal(err)
		}
		rec = k.newKeyRecord(keyID, plan, in, keystore.Material{})
		rec.Materials, rec.CurrentMaterial = nil, ""
		rec.State = string(KeyStatePendingImport)
		rec.ImportIdentity = id
	} else {
		var mat keystore.Material
		if in.CustomKeyStoreId != "" {
			if custom, mat, err = k.newCustomKey(ctx, keyARN, in); err != nil {
				return nil, err
			}
		} else {
			// Generated before any transaction, so a slow key (RSA_4096)
			// holds up no other request.
			var secret []byte
			if spec == KeySpecSymmetricDefault {
				secret = crypto.Random(crypto.AES256KeySize)
			} else if secret, err = crypto.GenerateKeyMaterial(string(spec)); err != nil {
				return nil, internal(err)
			}
			mat, err = k.root.Seal(keyARN, secret)
			clear(secret)
			if err != nil {
				return nil, internal(err)
			}
		}
		rec = k.newKeyRecord(keyID, plan, in, mat)
		custom.apply(rec)
	}
	err = k.store.Update(ctx, func(tx backend.Txn) error {
		if _, err := tx.Get(records.KeyKey(k.account, k.region, keyID)); err == nil {
			return errors.New("key id collision") // 122 random bits: never in practice
		}
		n, err := records.KeyCount(tx, k.account, k.region)
		if err != nil {
			return err
		}
		if n >= k.maxKeys {
			// AWS KMS Developer Guide, "Resource quotas": KMS keys per
			// account and Region; the message is the model's
			// LimitExceededException text, with the quota.
			return newErr(ErrLimitExceeded, "The request was rejected because a quota was exceeded: account %s has %d KMS keys in %s, the quota of KMS keys.", k.account, n, k.region)
		}
		if err := custom.register(tx, rec); err != nil {
			return err
		}
		return records.PutKey(tx, rec)
	})
	if err != nil {
		custom.undo()
		return nil, internal(err)
	}
	k.shared.invalidate([]keyRef{ref}, nil)
	return &CreateKeyOutput{KeyMetadata: k.metadata(rec)}, nil
}

// keyPlan is what checkCreateKey makes of a CreateKeyInput: the key's
// spec, usage and origin with their defaults, and its key policy.
type keyPlan struct {
	spec   KeySpec
	usage  KeyUsageType
	origin OriginType
	policy string
	doc    *policy.Document
}

// checkCreateKey applies every check of CreateKey that does not depend on
// the caller: the model's constraints, the rules the API reference states
// in prose, the tags and the key policy (the default one when in has
// none). Seed checks its keys with it too.
func (k *KMS) checkCreateKey(ctx context.Context, in *CreateKeyInput) (keyPlan, error) {
	var v validator
	if in.Policy != "" {
		v.length("policy", in.Policy, 1, 131072)
		v.pattern("policy", in.Policy, policyRE)
	}
	v.length("description", in.Description, 0, MaxDescriptionLength)
	enum(&v, "keyUsage", in.KeyUsage, KeyUsageType("").Values())
	enum(&v, "customerMasterKeySpec", in.CustomerMasterKeySpec, CustomerMasterKeySpec("").Values())
	enum(&v, "keySpec", in.KeySpec, KeySpec("").Values())
	enum(&v, "origin", in.Origin, OriginType("").Values())
	if in.CustomKeyStoreId != "" {
		v.length("customKeyStoreId", in.CustomKeyStoreId, 1, 64)
	}
	if in.XksKeyId != "" {
		v.length("xksKeyId", in.XksKeyId, 1, 128)
		v.pattern("xksKeyId", in.XksKeyId, xksKeyIDRE)
	}
	v.tags(in.Tags)
	if err := v.err(); err != nil {
		return keyPlan{}, err
	}
	spec := in.KeySpec
	if in.CustomerMasterKeySpec != "" {
		if spec != "" {
			return keyPlan{}, invalid("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.")
		}
		spec = KeySpec(in.CustomerMasterKeySpec)
	}
	if spec == "" {
		spec = KeySpecSymmetricDefault
	}
	usage := in.KeyUsage
	if usage == "" {
		if spec != KeySpecSymmetricDefault {
			return keyPlan{}, invalid("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
		}
		usage = KeyUsageTypeEncryptDecrypt
	}
	origin := in.Origin
	if origin == "" {
		origin = OriginTypeAwsKms
	}
	if in.XksKeyId != "" && origin != OriginTypeExternalKeyStore {
		return keyPlan{}, invalid("XksKeyId can be specified only for keys with Origin EXTERNAL_KEY_STORE.")
	}
	if !slices.Contains(specUsages[spec], usage) {
		return keyPlan{}, invalid("KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	if spec == KeySpecSm2 && !k.isChinaPartition() {
		// "SM2 ... is available only in China Regions" (CreateKey, KeySpec).
		return keyPlan{}, invalid("KeySpec SM2 is supported only in China Regions")
	}
	// A key in a custom key store (customkeystorekeys.go).
	inStore := in.CustomKeyStoreId != "" || origin == OriginTypeAwsCloudhsm || origin == OriginTypeExternalKeyStore
	switch {
	case inStore:
		if err := checkCustomKeyStoreKey(in, spec, usage, origin); err != nil {
			return keyPlan{}, err
		}
	case origin == OriginTypeExternal && !externalSpecOK(spec):
		return keyPlan{}, newErr(ErrUnsupportedOperation, "KeySpec %s is not supported for Origin EXTERNAL.", spec)
	case origin != OriginTypeAwsKms && origin != OriginTypeExternal:
		return keyPlan{}, errUnsupported("Origin " + string(origin))
	}
	if err := tagRules(in.Tags, nil); err != nil {
		return keyPlan{}, err
	}
	pol := in.Policy
	if pol == "" {
		pol = policy.DefaultKeyPolicy(k.partition, k.account)
	}
	doc, err := k.parseKeyPolicy(ctx, pol)
	if err != nil {
		return keyPlan{}, err
	}
	return keyPlan{spec: spec, usage: usage, origin: origin, policy: pol, doc: doc}, nil
}

// newKeyRecord builds the record of a new key of plan, Enabled, created
// now, with in's description, tags and multi-Region flag and mat as its
// one (current) material.
func (k *KMS) newKeyRecord(keyID string, plan keyPlan, in *CreateKeyInput, mat keystore.Material) *records.Key {
	rec := &records.Key{
		Account:         k.account,
		Region:          k.region,
		KeyID:           keyID,
		CreationDate:    k.clock.Now().UTC(),
		Description:     in.Description,
		KeyUsage:        string(plan.usage),
		KeySpec:         string(plan.spec),
		Origin:          string(plan.origin),
		State:           string(KeyStateEnabled),
		Policy:          plan.policy,
		MultiRegion:     in.MultiRegion,
		Materials:       []keystore.Material{mat},
		CurrentMaterial: mat.ID,
	}
	for _, t := range in.Tags {
		rec.Tags = append(rec.Tags, records.Tag{Key: t.TagKey, Value: t.TagValue})
	}
	return rec
}

// errUnsupported reports a valid AWS request this version cannot serve yet.
func errUnsupported(what string) error {
	return newErr(ErrUnsupportedOperation, "%s is not supported by this version of embedkms", what)
}

// newKeyID returns a random version-4 UUID, or for a multi-Region key
// "mrk-" and 32 hex digits.
func newKeyID(multiRegion bool) string {
	if multiRegion {
		return "mrk-" + hex.EncodeToString(crypto.Random(16))
	}
	return arn.NewUUID()
}

// metadata builds the KeyMetadata AWS returns for rec.
func (k *KMS) metadata(rec *records.Key) *KeyMetadata {
	keyARN := k.recARN(rec)
	state := KeyState(rec.State)
	md := &KeyMetadata{
		AWSAccountId:          rec.Account,
		KeyId:                 rec.KeyID,
		Arn:                   keyARN,
		CreationDate:          rec.CreationDate,
		Enabled:               state == KeyStateEnabled,
		Description:           rec.Description,
		KeyUsage:              KeyUsageType(rec.KeyUsage),
		KeyState:              state,
		Origin:                OriginType(rec.Origin),
		KeyManager:            keyManager(rec),
		KeySpec:               KeySpec(rec.KeySpec),
		CustomerMasterKeySpec: customerMasterKeySpec(KeySpec(rec.KeySpec)),
		MultiRegion:           rec.MultiRegion,
	}
	if KeySpec(rec.KeySpec) == KeySpecSymmetricDefault {
		// "This value is present for symmetric encryption keys"
		// (KeyMetadata, CurrentKeyMaterialId, in the API reference); AWS
		// shows none for HMAC and asymmetric keys (LocalStack's
		// test_kms.snapshot.json, test_import_key_asymmetric).
		md.CurrentKeyMaterialId = rec.CurrentMaterial
	}
	algs := algorithmsOf(KeySpec(rec.KeySpec), KeyUsageType(rec.KeyUsage))
	md.EncryptionAlgorithms, md.SigningAlgorithms, md.MacAlgorithms = algs.encryption, algs.signing, algs.mac
	md.KeyAgreementAlgorithms, md.EncapsulationAlgorithms = algs.agreement, algs.encapsulation
	switch state {
	case KeyStatePendingDeletion:
		md.DeletionDate = rec.DeletionDate
	case KeyStatePendingReplicaDeletion:
		// "present only when the KeyState of the KMS key is
		// PendingReplicaDeletion" (KeyMetadata in the API reference).
		md.PendingDeletionWindowInDays = rec.PendingWindowInDays
	}
	if OriginType(rec.Origin) == OriginTypeExternal {
		md.ExpirationModel, md.ValidTo = importedExpiration(rec)
	}
	if rec.MultiRegion {
		md.MultiRegionConfiguration = k.mrkConfiguration(rec)
	}
	k.customMetadata(rec, md)
	return md
}

// DescribeKey returns a key's metadata. KeyId may be a key id, key ARN,
// alias name or alias ARN; another account's key needs its ARN.
func (k *KMS) DescribeKey(ctx context.Context, in *DescribeKeyInput) (result *DescribeKeyOutput, opErr error) {
	defer finish(k.audit(&ctx, "DescribeKey", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DescribeKeyInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opDescribeKey)
	if err != nil {
		return nil, err
	}
	// GrantTokens are accepted but not checked: DescribeKey's error list in
	// the model has no InvalidGrantTokenException.
	if err := k.authorize(ctx, opDescribeKey, authzExtra{requestKeyID: in.KeyId}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	return &DescribeKeyOutput{KeyMetadata: k.metadata(ck.rec)}, nil
}

// ListKeys lists the keys of the handle's account and Region, in key-id
// order, including keys pending deletion. Limit is 1..1000 (default 100).
// ResourceOwners without SELF lists only keys other accounts share
// through AWS RAM, which the handle does not model: the list is empty, as
// AWS answers when nothing is shared.
func (k *KMS) ListKeys(ctx context.Context, in *ListKeysInput) (result *ListKeysOutput, opErr error) {
	defer finish(k.audit(&ctx, "ListKeys", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ListKeysInput{}
	}
	var v validator
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	self := len(in.ResourceOwners) == 0
	for i, o := range in.ResourceOwners {
		enum(&v, "resourceOwners."+strconv.Itoa(i+1)+".member", o, ResourceOwner("").Values())
		self = self || o == ResourceOwnerSelf
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	start, err := decodeMarker("key", in.Marker)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opListKeys, authzExtra{}); err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 100, 1000)
	out := &ListKeysOutput{Keys: []KeyListEntry{}}
	if !self {
		return out, nil // no key is shared through AWS RAM
	}
	var due []keyRef
	err = k.store.View(ctx, func(tx backend.Txn) error {
		out.Keys, due, out.NextMarker = out.Keys[:0], due[:0], ""
		return records.ScanKeys(tx, k.account, k.region, start, func(rec *records.Key) bool {
			if k.due(rec) {
				due = append(due, keyRef{rec.Account, rec.Region, rec.KeyID})
				return true
			}
			if len(out.Keys) == limit {
				out.NextMarker = encodeMarker("key", rec.KeyID)
				return false
			}
			out.Keys = append(out.Keys, KeyListEntry{KeyId: rec.KeyID, KeyArn: k.recARN(rec)})
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	for _, r := range due {
		if err := k.purge(ctx, r); !errors.Is(err, ErrNotFound) {
			return nil, err // purge reports a purged key as not found
		}
	}
	out.Truncated = out.NextMarker != ""
	return out, nil
}

// UpdateKeyDescription replaces a key's description. KeyId is a key id or
// key ARN.
func (k *KMS) UpdateKeyDescription(ctx context.Context, in *UpdateKeyDescriptionInput) (result *UpdateKeyDescriptionOutput, opErr error) {
	defer finish(k.audit(&ctx, "UpdateKeyDescription", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &UpdateKeyDescriptionInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.length("description", in.Description, 0, MaxDescriptionLength)
	if err := v.err(); err != nil {
		return nil, err
	}
	_, err := k.updateKey(ctx, in.KeyId, opUpdateKeyDescription, func(rec *records.Key, _ time.Time) error {
		rec.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateKeyDescriptionOutput{}, nil
}

// EnableKey sets a key's state to Enabled. Enabling an enabled key succeeds.
func (k *KMS) EnableKey(ctx context.Context, in *EnableKeyInput) (result *EnableKeyOutput, opErr error) {
	defer finish(k.audit(&ctx, "EnableKey", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	var keyID string
	if in != nil {
		keyID = in.KeyId
	}
	if err := k.setEnabled(ctx, keyID, opEnableKey, KeyStateEnabled); err != nil {
		return nil, err
	}
	return &EnableKeyOutput{}, nil
}

// DisableKey sets a key's state to Disabled, so it cannot be used in
// cryptographic operations. Disabling a disabled key succeeds.
func (k *KMS) DisableKey(ctx context.Context, in *DisableKeyInput) (result *DisableKeyOutput, opErr error) {
	defer finish(k.audit(&ctx, "DisableKey", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	var keyID string
	if in != nil {
		keyID = in.KeyId
	}
	if err := k.setEnabled(ctx, keyID, opDisableKey, KeyStateDisabled); err != nil {
		return nil, err
	}
	return &DisableKeyOutput{}, nil
}

func (k *KMS) setEnabled(ctx context.Context, keyID string, o keyOp, to KeyState) error {
	var v validator
	v.keyID("keyId", keyID)
	if err := v.err(); err != nil {
		return err
	}
	_, err := k.updateKey(ctx, keyID, o, func(rec *records.Key, _ time.Time) error {
		rec.State = string(to)
		return nil
	})
	return err
}

// ScheduleKeyDeletion puts a key in PendingDeletion; after
// PendingWindowInDays days (7..30, default 30) by the handle's clock the key,
// its material and its aliases are deleted for good. A multi-Region
// primary key with replicas goes to PendingReplicaDeletion instead, and
// its waiting period starts when its last replica is deleted.
func (k *KMS) ScheduleKeyDeletion(ctx context.Context, in *ScheduleKeyDeletionInput) (result *ScheduleKeyDeletionOutput, opErr error) {
	defer finish(k.audit(&ctx, "ScheduleKeyDeletion", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ScheduleKeyDeletionInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.intRange("pendingWindowInDays", in.PendingWindowInDays, 1, 365)
	if err := v.err(); err != nil {
		return nil, err
	}
	days := in.PendingWindowInDays
	if days == 0 {
		days = DefaultPendingWindowInDays
	}
	if days < MinPendingWindowInDays || days > MaxPendingWindowInDays {
		return nil, invalid("PendingWindowInDays must be between %d and %d", MinPendingWindowInDays, MaxPendingWindowInDays)
	}
	x := authzExtra{pendingWindow: days}
	rec, err := k.updateKeyX(ctx, in.KeyId, opScheduleKeyDeletion, x, func(rec *records.Key, now time.Time) error {
		rec.PendingWindowInDays = days
		if isPrimary(rec) && len(rec.ReplicaRegions) > 0 {
			// A multi-Region primary key with replicas waits for them:
			// "its key state changes to PendingReplicaDeletion", and its
			// waiting period begins when the last replica is deleted
			// (ScheduleKeyDeletion in the API reference; purgeTx).
			rec.State = string(KeyStatePendingReplicaDeletion)
			return nil
		}
		rec.State = string(KeyStatePendingDeletion)
		rec.DeletionDate = now.UTC().Add(time.Duration(days) * 24 * time.Hour)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// DeletionDate "does not appear" for a primary key with replicas
	// (ScheduleKeyDeletionResponse in the API reference).
	return &ScheduleKeyDeletionOutput{
		KeyId:               k.recARN(rec),
		DeletionDate:        rec.DeletionDate,
		KeyState:            KeyState(rec.State),
		PendingWindowInDays: days,
	}, nil
}

// CancelKeyDeletion stops a scheduled deletion (PendingDeletion, or
// PendingReplicaDeletion of a multi-Region primary key); the key becomes
// Disabled.
func (k *KMS) CancelKeyDeletion(ctx context.Context, in *CancelKeyDeletionInput) (result *CancelKeyDeletionOutput, opErr error) {
	defer finish(k.audit(&ctx, "CancelKeyDeletion", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &CancelKeyDeletionInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if err := v.err(); err != nil {
		return nil, err
	}
	rec, err := k.updateKey(ctx, in.KeyId, opCancelKeyDeletion, func(rec *records.Key, _ time.Time) error {
		rec.State = string(KeyStateDisabled)
		rec.DeletionDate = time.Time{}
		rec.PendingWindowInDays = 0
		if OriginType(rec.Origin) == OriginTypeExternal {
			settleImportState(rec) // a key missing material is PendingImport
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CancelKeyDeletionOutput{KeyId: k.recARN(rec)}, nil
}
