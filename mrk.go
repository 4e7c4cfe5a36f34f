package kms

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/policy"
)

// Multi-Region keys.
//
// A multi-Region key is a set of keys with one key id ("mrk-..."), one in
// each of several Regions of one account: a primary and its replicas
// (AWS KMS Developer Guide, "Multi-Region keys in AWS KMS"). Each copy is
// its own key record in its own Region on the shared backend; the record
// of every copy holds the set's configuration (records.Key.PrimaryRegion
// and ReplicaRegions), and every change to it, or to a property the copies
// share, writes every copy in ONE backend transaction, so no handle ever
// sees two copies disagree.
//
// Shared, and changed only through the primary: the key id, key spec, key
// usage, origin, key material (every material, under the same material
// ids, each copy's wrapped under its own key ARN) and the automatic
// rotation settings. A rotation (automatic or on demand) is performed on
// the primary and gives every replica the same new material in the same
// transaction; a replica never rotates by itself, and the rotation
// operations refuse it. Each copy has its own description, key policy,
// tags, aliases, grants, enabled state and deletion. Imported key material
// (Origin EXTERNAL) is the exception: it is imported into each copy
// separately, the copies sharing only which materials they may take
// (mrkimport.go).
//
// AWS shows two transient key states that embedkms never stores, since
// both processes complete within the call: ReplicateKey answers the new
// replica's metadata in state Creating, as AWS does, and the replica is
// Enabled (PendingImport for imported key material) as soon as the call
// returns (DescribeKey shows it so);
// UpdatePrimaryRegion's keys are never seen Updating.
//
// A ciphertext blob names the Region of the copy that made it; Decrypt and
// ReEncrypt in another Region open the blob of a multi-Region key with
// that Region's copy (same key id, same material id), so data encrypted in
// one Region decrypts in any Region holding a copy.

var (
	opReplicateKey        = op("ReplicateKey", false, false)
	opUpdatePrimaryRegion = op("UpdatePrimaryRegion", false, false)
)

// regionTypeRE is the model's RegionType pattern.
var regionTypeRE = newModelPattern(`^([a-z]+-){2,3}\d+$`)

// primaryRegionOf returns the Region of the primary key of rec's
// multi-Region key set.
func primaryRegionOf(rec *records.Key) string {
	if rec.PrimaryRegion == "" {
		return rec.Region
	}
	return rec.PrimaryRegion
}

// isPrimary reports whether rec is a multi-Region primary key.
func isPrimary(rec *records.Key) bool {
	return rec.MultiRegion && primaryRegionOf(rec) == rec.Region
}

// copyRefs returns the references of every copy of rec's multi-Region key
// (rec's own included); for a single-Region key, rec's.
func copyRefs(rec *records.Key) []keyRef {
	refs := []keyRef{{rec.Account, primaryRegionOf(rec), rec.KeyID}}
	if !rec.MultiRegion {
		return refs
	}
	for _, r := range rec.ReplicaRegions {
		refs = append(refs, keyRef{rec.Account, r, rec.KeyID})
	}
	return refs
}

// invalidateCopies drops every copy of rec's key from the cache, and the
// keys extra names; call after a commit that wrote rec. A change to one
// copy may have changed the others (configuration, materials, rotation).
func (k *KMS) invalidateCopies(rec *records.Key, extra ...keyRef) {
	k.shared.invalidate(append(copyRefs(rec), extra...), nil)
}

// notPrimary is AWS's refusal of a key that is not a multi-Region primary
// key, as recorded from AWS for ReplicateKey on a replica (LocalStack's
// test_kms.snapshot.json, test_replicate_replica_key_should_fail). It is
// also what embedkms answers for a single-Region key there, and for the
// operations only a primary may perform (rotation; UpdatePrimaryRegion).
func notPrimary(keyARN string) error {
	return newErr(ErrUnsupportedOperation, "%s is not a multi-region primary key.", keyARN)
}

// otherCopies reads, in tx, every copy of rec's multi-Region key but rec.
func otherCopies(tx backend.Txn, rec *records.Key) ([]*records.Key, error) {
	if !rec.MultiRegion {
		return nil, nil
	}
	var out []*records.Key
	for _, r := range copyRefs(rec) {
		if r.region == rec.Region {
			continue
		}
		c, err := records.GetKey(tx, r.account, r.region, r.name)
		if errors.Is(err, backend.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// syncRotation writes rec's automatic rotation settings to every other
// copy of its multi-Region key, in tx.
func syncRotation(tx backend.Txn, rec *records.Key) error {
	others, err := otherCopies(tx, rec)
	if err != nil {
		return err
	}
	for _, c := range others {
		c.RotationPeriodInDays, c.NextRotationDate = rec.RotationPeriodInDays, rec.NextRotationDate
		if err := records.PutKey(tx, c); err != nil {
			return err
		}
	}
	return nil
}

// rotateCopies gives every other copy of rec's multi-Region key the
// material rec was just given (mat, whose plaintext is secret), made
// current, with rec's rotation history and settings, in tx.
func (k *KMS) rotateCopies(tx backend.Txn, rec *records.Key, mat keystore.Material, secret []byte) error {
	others, err := otherCopies(tx, rec)
	if err != nil {
		return err
	}
	for _, c := range others {
		m, err := k.root.SealID(k.recARN(c), mat.ID, secret)
		if err != nil {
			return err
		}
		c.Materials = append(c.Materials, m)
		c.CurrentMaterial = m.ID
		c.Rotations = slices.Clone(rec.Rotations)
		c.RotationPeriodInDays, c.NextRotationDate = rec.RotationPeriodInDays, rec.NextRotationDate
		if err := records.PutKey(tx, c); err != nil {
			return err
		}
	}
	return nil
}

// mrkConfiguration is the MultiRegionConfiguration of rec, a multi-Region
// key.
func (k *KMS) mrkConfiguration(rec *records.Key) *MultiRegionConfiguration {
	primary := primaryRegionOf(rec)
	cfg := &MultiRegionConfiguration{
		MultiRegionKeyType: MultiRegionKeyTypePrimary,
		PrimaryKey:         &MultiRegionKey{Arn: arn.Key(k.partition, primary, rec.Account, rec.KeyID), Region: primary},
		ReplicaKeys:        make([]MultiRegionKey, 0, len(rec.ReplicaRegions)),
	}
	if primary != rec.Region {
		cfg.MultiRegionKeyType = MultiRegionKeyTypeReplica
	}
	for _, r := range rec.ReplicaRegions {
		cfg.ReplicaKeys = append(cfg.ReplicaKeys, MultiRegionKey{Arn: arn.Key(k.partition, r, rec.Account, rec.KeyID), Region: r})
	}
	return cfg
}

// checkOtherRegion refuses a Region name (member field) that is not
// a Region of the handle's partition, or is the key's own Region (ours).
func (k *KMS) checkOtherRegion(field, region, own string) error {
	if p, ok := arn.Partition(region); !ok || p != k.partition {
		// Wording ours: AWS KMS Developer Guide, "Creating multi-Region
		// replica keys": the replica Region must be in the primary's
		// partition.
		return invalid("%s %s is not a Region of the %s partition.", field, region, k.partition)
	}
	if region == own {
		return invalid("%s %s is the Region of the key itself.", field, region)
	}
	return nil
}

// ReplicateKey creates a replica of a multi-Region primary key in another
// Region of the same account and partition: the key of the same key id
// and key material in ReplicaRegion, seen by the handle of that Region on
// the same backend. The replica has its own key policy (Policy, or the
// default key policy), description and tags; its spec, usage, origin,
// materials and rotation settings are the primary's. KeyId is the key id
// or key ARN of the primary key.
//
// The output's ReplicaKeyMetadata shows the replica in the transient
// state Creating, as AWS answers; the replica is Enabled when the call
// returns. Authorization: kms:ReplicateKey on the primary (condition key
// kms:ReplicaRegion), kms:CreateKey in the replica Region and, with Tags,
// kms:TagResource on the replica, as AWS requires (ReplicateKey in the
// API reference). A Region that already has a copy of the key is
// AlreadyExistsException (a replica pending deletion too: cancel its
// deletion or wait for it).
//
// The replica of a key with imported key material (Origin EXTERNAL) is
// created with no key material, in state PendingImport: "If you replicate
// a multi-Region primary key with imported key material, the replica key
// is created with no key material. You must import the same key material
// that you imported into the primary key" (ReplicateKey in the API
// reference). It knows the primary's materials by their ids only, and
// takes no other (mrkimport.go).
func (k *KMS) ReplicateKey(ctx context.Context, in *ReplicateKeyInput) (result *ReplicateKeyOutput, opErr error) {
	defer finish(k.audit(&ctx, "ReplicateKey", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ReplicateKeyInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if v.required("replicaRegion", in.ReplicaRegion) {
		v.length("replicaRegion", in.ReplicaRegion, 1, 32)
		v.pattern("replicaRegion", in.ReplicaRegion, regionTypeRE)
	}
	if in.Policy != "" {
		v.length("policy", in.Policy, 1, 131072)
		v.pattern("policy", in.Policy, policyRE)
	}
	v.length("description", in.Description, 0, MaxDescriptionLength)
	v.tags(in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := tagRules(in.Tags, nil); err != nil {
		return nil, err
	}
	pol := in.Policy
	if pol == "" {
		pol = policy.DefaultKeyPolicy(k.partition, k.account)
	}
	doc, err := k.parseKeyPolicy(ctx, pol)
	if err != nil {
		return nil, err
	}
	var replica *records.Key
	var purged []keyRef
	err = k.store.Update(ctx, func(tx backend.Txn) error {
		replica, purged = nil, purged[:0]
		rec, ref, err := k.txKey(tx, in.KeyId, opReplicateKey)
		if err != nil {
			return err
		}
		keyARN := k.keyARN(ref)
		x := authzExtra{replicaRegion: in.ReplicaRegion}
		if err := k.authorize(ctx, opReplicateKey, x, resource{arn: keyARN, rec: rec, tx: tx}); err != nil {
			return err
		}
		if !isPrimary(rec) {
			return notPrimary(keyARN)
		}
		if err := opReplicateKey.checkState(KeyState(rec.State), keyARN); err != nil {
			return err
		}
		if err := k.checkOtherRegion("ReplicaRegion", in.ReplicaRegion, rec.Region); err != nil {
			return err
		}
		to := keyRef{rec.Account, in.ReplicaRegion, rec.KeyID}
		toARN := k.keyARN(to)
		if old, err := records.GetKey(tx, to.account, to.region, to.name); err == nil {
			if !k.due(old) {
				return newErr(ErrAlreadyExists, "Key '%s' already exists", toARN)
			}
			// A replica past its deletion date is deleted now; its
			// deletion changes the primary's configuration: read it again.
			if purged, err = k.purgeTx(tx, old); err != nil {
				return err
			}
			if rec, err = records.GetKey(tx, ref.account, ref.region, ref.name); err != nil {
				return err
			}
		} else if !errors.Is(err, backend.ErrNotFound) {
			return err
		}
		replica = &records.Key{
			Account:              rec.Account,
			Region:               in.ReplicaRegion,
			KeyID:                rec.KeyID,
			CreationDate:         k.clock.Now().UTC(),
			Description:          in.Description,
			KeyUsage:             rec.KeyUsage,
			KeySpec:              rec.KeySpec,
			Origin:               rec.Origin,
			State:                string(KeyStateEnabled),
			Policy:               pol,
			MultiRegion:          true,
			PrimaryRegion:        rec.Region,
			CurrentMaterial:      rec.CurrentMaterial,
			RotationPeriodInDays: rec.RotationPeriodInDays,
			NextRotationDate:     rec.NextRotationDate,
			Rotations:            slices.Clone(rec.Rotations),
		}
		for _, t := range in.Tags {
			replica.Tags = append(replica.Tags, records.Tag{Key: t.TagKey, Value: t.TagValue})
		}
		// The replica Region's side: kms:CreateKey, and kms:TagResource
		// for Tags, from IAM (ReplicateKey in the API reference).
		cx := authzExtra{
			newKey:        replica,
			requestTags:   in.Tags,
			tagKeys:       tagKeysOf(in.Tags),
			bypassLockout: &in.BypassPolicyLockoutSafetyCheck,
			replicaRegion: in.ReplicaRegion,
		}
		if err := k.authorize(ctx, opCreateKey, cx); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			if err := k.authorize(ctx, opTagResource, cx, resource{arn: toARN}); err != nil {
				return err
			}
		}
		if !in.BypassPolicyLockoutSafetyCheck {
			if err := k.lockoutCheck(ctx, tx, replica, doc, cx); err != nil {
				return err
			}
		}
		n, err := records.KeyCount(tx, to.account, to.region)
		if err != nil {
			return err
		}
		if n >= k.maxKeys {
			return newErr(ErrLimitExceeded, "The request was rejected because a quota was exceeded: account %s has %d KMS keys in %s, the quota of KMS keys.", to.account, n, to.region)
		}
		if OriginType(rec.Origin) == OriginTypeExternal {
			if err := k.replicaImports(rec, replica); err != nil {
				return err
			}
		} else {
			for _, m := range rec.Materials {
				secret, err := k.root.Open(keyARN, m)
				if err != nil {
					return err
				}
				rm, err := k.root.SealID(toARN, m.ID, secret)
				clear(secret)
				if err != nil {
					return err
				}
				replica.Materials = append(replica.Materials, rm)
			}
		}
		regions := append(slices.Clone(rec.ReplicaRegions), in.ReplicaRegion)
		slices.Sort(regions)
		copies, err := otherCopies(tx, rec)
		if err != nil {
			return err
		}
		for _, c := range append(copies, rec, replica) {
			c.PrimaryRegion, c.ReplicaRegions = rec.Region, regions
			if err := records.PutKey(tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, internal(k.purgeIfDue(ctx, err))
	}
	k.shared.invalidate(copyRefs(replica), purged)
	md := k.metadata(replica)
	// As AWS answers ReplicateKey (LocalStack's test_kms.snapshot.json,
	// test_replicate_key): the replica Creating, not Enabled, with no
	// current key material yet.
	md.KeyState, md.Enabled, md.CurrentKeyMaterialId = KeyStateCreating, false, ""
	out := &ReplicateKeyOutput{ReplicaKeyMetadata: md, ReplicaPolicy: pol}
	if len(in.Tags) > 0 {
		out.ReplicaTags = slices.Clone(in.Tags)
	}
	return out, nil
}

// UpdatePrimaryRegion makes the replica in PrimaryRegion the primary key
// of its multi-Region key and the current primary (KeyId: its key id or
// key ARN) a replica, on every copy in one transaction. Both keys must be
// Enabled. Authorization: kms:UpdatePrimaryRegion on both keys, with
// condition key kms:PrimaryRegion. The change is complete when the call
// returns: the keys are never seen in the transient Updating state.
func (k *KMS) UpdatePrimaryRegion(ctx context.Context, in *UpdatePrimaryRegionInput) (result *UpdatePrimaryRegionOutput, opErr error) {
	defer finish(k.audit(&ctx, "UpdatePrimaryRegion", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &UpdatePrimaryRegionInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if v.required("primaryRegion", in.PrimaryRegion) {
		v.length("primaryRegion", in.PrimaryRegion, 1, 32)
		v.pattern("primaryRegion", in.PrimaryRegion, regionTypeRE)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	var primary *records.Key
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		rec, ref, err := k.txKey(tx, in.KeyId, opUpdatePrimaryRegion)
		if err != nil {
			return err
		}
		keyARN := k.keyARN(ref)
		x := authzExtra{primaryRegion: in.PrimaryRegion}
		if err := k.authorize(ctx, opUpdatePrimaryRegion, x, resource{arn: keyARN, rec: rec, tx: tx}); err != nil {
			return err
		}
		if !isPrimary(rec) {
			return notPrimary(keyARN)
		}
		if err := opUpdatePrimaryRegion.checkState(KeyState(rec.State), keyARN); err != nil {
			return err
		}
		if err := k.checkOtherRegion("PrimaryRegion", in.PrimaryRegion, rec.Region); err != nil {
			return err
		}
		// No copy in PrimaryRegion: the key there does not exist.
		to := keyRef{rec.Account, in.PrimaryRegion, rec.KeyID}
		next, err := records.GetKey(tx, to.account, to.region, to.name)
		if errors.Is(err, backend.ErrNotFound) {
			return k.keyNotFound(to)
		}
		if err != nil {
			return err
		}
		if k.due(next) {
			return &dueError{to}
		}
		nextARN := k.keyARN(to)
		if err := k.authorize(ctx, opUpdatePrimaryRegion, x, resource{arn: nextARN, rec: next, tx: tx}); err != nil {
			return err
		}
		if err := opUpdatePrimaryRegion.checkState(KeyState(next.State), nextARN); err != nil {
			return err
		}
		others, err := otherCopies(tx, rec)
		if err != nil {
			return err
		}
		var regions []string
		for _, r := range append(slices.Clone(rec.ReplicaRegions), rec.Region) {
			if r != in.PrimaryRegion {
				regions = append(regions, r)
			}
		}
		slices.Sort(regions)
		others = append(others, rec)
		for _, c := range others {
			c.PrimaryRegion, c.ReplicaRegions = in.PrimaryRegion, regions
			if err := records.PutKey(tx, c); err != nil {
				return err
			}
		}
		primary = rec
		return nil
	})
	if err != nil {
		return nil, internal(k.purgeIfDue(ctx, err))
	}
	k.invalidateCopies(primary)
	return &UpdatePrimaryRegionOutput{}, nil
}

// purgeTx deletes, in tx, rec, a key past its deletion date, with every
// alias that points at it, and takes a multi-Region copy out of the
// configuration of the others. When the last replica of a primary in
// PendingReplicaDeletion goes, the primary's waiting period starts: it
// becomes PendingDeletion, its deletion date PendingWindowInDays after
// the replica's (ScheduleKeyDeletion in the API reference). It returns
// the aliases it deleted, which the caller drops from the cache after the
// commit with every copy of rec (copyRefs).
func (k *KMS) purgeTx(tx backend.Txn, rec *records.Key) (aliases []keyRef, err error) {
	names, err := records.AliasesOf(tx, rec.Account, rec.Region, rec.KeyID)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := records.DeleteAlias(tx, rec.Account, rec.Region, n); err != nil {
			return nil, err
		}
		aliases = append(aliases, keyRef{rec.Account, rec.Region, n})
	}
	others, err := otherCopies(tx, rec)
	if err != nil {
		return nil, err
	}
	for _, c := range others {
		c.ReplicaRegions = slices.DeleteFunc(slices.Clone(c.ReplicaRegions), func(r string) bool { return r == rec.Region })
		if len(c.ReplicaRegions) == 0 {
			c.ReplicaRegions = nil
		}
		if isPrimary(c) && len(c.ReplicaRegions) == 0 && KeyState(c.State) == KeyStatePendingReplicaDeletion {
			c.State = string(KeyStatePendingDeletion)
			c.DeletionDate = rec.DeletionDate.Add(time.Duration(c.PendingWindowInDays) * day)
		}
		if err := records.PutKey(tx, c); err != nil {
			return nil, err
		}
	}
	if err := k.purgeCustomKey(tx, rec); err != nil {
		return nil, err
	}
	return aliases, records.DeleteKey(tx, rec.Account, rec.Region, rec.KeyID)
}

// isMRKBlobKey reports whether a blob header's key id names a multi-Region
// key, whose blobs any copy opens.
func isMRKBlobKey(keyID []byte) bool {
	return strings.HasPrefix(string(keyID), "mrk-")
}
