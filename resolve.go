package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// keyOp says how an operation names and uses its key.
type keyOp struct {
	name         string                // operation name, as in the key-state table
	states       map[KeyState]stateErr // its row of the key-state table
	enabledOK    bool                  // states has no entry for Enabled
	action       string                // IAM action, e.g. "kms:Encrypt"
	aliases      bool                  // KeyId may be an alias name or alias ARN
	crossAccount bool                  // KeyId may be another account's key or alias ARN
	badARN       Code                  // code for a malformed ARN: InvalidArnException where the model lists it, else NotFoundException
	usage        KeyUsageType          // the key usage the operation needs (opUsage), "" for none
	origin       OriginType            // the origin the operation needs (opOrigin), "" for any
}

// opOrigin is the key origin an operation needs: a key of any other origin
// is refused for its origin before its key state is looked at (the import
// operations: key-state.html note [9], "If the KMS key cannot or does not
// have imported key material: UnsupportedOperationException", in every
// column, pending deletion and unavailable too).
var opOrigin = map[string]OriginType{
	"GetParametersForImport":    OriginTypeExternal,
	"ImportKeyMaterial":         OriginTypeExternal,
	"DeleteImportedKeyMaterial": OriginTypeExternal,
}

// checkOrigin returns the error o gives for the key rec, whose ARN is
// keyARN, if o needs keys of another origin (opOrigin), or nil. It comes
// before checkState.
func (o keyOp) checkOrigin(rec *records.Key, keyARN string) error {
	if o.origin != "" && OriginType(rec.Origin) != o.origin {
		return errOrigin(keyARN, rec.Origin)
	}
	return nil
}

// invalidArnOps are the operations whose error list in the model has
// InvalidArnException; the others report a malformed ARN as NotFound.
var invalidArnOps = map[string]bool{
	"CancelKeyDeletion": true, "CreateGrant": true, "CreateKey": true,
	"DeleteImportedKeyMaterial": true, "DescribeKey": true, "DisableKey": true,
	"DisableKeyRotation": true, "EnableKey": true, "EnableKeyRotation": true, "GetKeyLastUsage": true,
	"GetKeyPolicy": true, "GetKeyRotationStatus": true, "GetParametersForImport": true,
	"GetPublicKey": true, "ImportKeyMaterial": true, "ListAliases": true, "ListGrants": true,
	"ListKeyPolicies": true, "ListKeyRotations": true, "ListResourceTags": true,
	"ListRetirableGrants": true, "PutKeyPolicy": true, "ReplicateKey": true, "RetireGrant": true,
	"RevokeGrant": true, "RotateKeyOnDemand": true, "ScheduleKeyDeletion": true, "TagResource": true,
	"UntagResource": true, "UpdateKeyDescription": true, "UpdatePrimaryRegion": true,
}

func op(name string, aliases, crossAccount bool) keyOp {
	return opAs(name, "kms:"+name, aliases, crossAccount)
}

// opAs is op for an operation whose IAM action is not "kms:" + its name.
func opAs(name, action string, aliases, crossAccount bool) keyOp {
	if _, ok := keyStateTable[name]; !ok {
		panic("kms: operation " + name + " has no row in the key-state table")
	}
	_, refusesEnabled := keyStateTable[name][KeyStateEnabled]
	badARN := ErrNotFound
	if invalidArnOps[name] {
		badARN = ErrInvalidArn
	}
	return keyOp{name: name, states: keyStateTable[name], enabledOK: !refusesEnabled, action: action, aliases: aliases, crossAccount: crossAccount, badARN: badARN, usage: opUsage[name], origin: opOrigin[name]}
}

// parseKeyID turns a KeyId member into a reference to a key or, if isAlias,
// to an alias. Errors follow AWS: an identifier of a form the operation does
// not take, or a malformed key id, is NotFoundException "Invalid keyId";
// a key in another Region is NotFoundException "Invalid arn <region>"; a
// malformed ARN is InvalidArnException.
func (k *KMS) parseKeyID(s string, o keyOp) (ref keyRef, isAlias bool, err error) {
	id, perr := arn.Parse(s)
	if perr != nil {
		return ref, false, newErr(o.badARN, "Invalid arn '%s'", s)
	}
	ref = keyRef{account: k.account, region: k.region, name: id.Name}
	isAlias = id.Kind == arn.AliasName || id.Kind == arn.AliasARN
	if isAlias && !o.aliases {
		return ref, false, newErr(ErrNotFound, "Invalid keyId '%s'", s)
	}
	if id.Kind == arn.KeyARN || id.Kind == arn.AliasARN {
		if id.Partition != k.partition {
			return ref, false, newErr(o.badARN, "Invalid arn '%s'", s)
		}
		if id.Region != k.region {
			return ref, false, newErr(ErrNotFound, "Invalid arn %s", id.Region)
		}
		if id.Account != k.account && !o.crossAccount {
			return ref, false, newErr(ErrNotFound, "Invalid arn '%s'", s)
		}
		ref.account = id.Account
	}
	if !isAlias && !arn.IsKeyID(ref.name) {
		return ref, false, newErr(ErrNotFound, "Invalid keyId '%s'", s)
	}
	return ref, isAlias, nil
}

func (k *KMS) keyARN(r keyRef) string { return arn.Key(k.partition, r.region, r.account, r.name) }

// recARN returns the ARN of a stored key.
func (k *KMS) recARN(rec *records.Key) string {
	return arn.Key(k.partition, rec.Region, rec.Account, rec.KeyID)
}

func (k *KMS) aliasARN(r keyRef) string { return arn.Alias(k.partition, r.region, r.account, r.name) }

// keyNotFound: "Key '<arn>' does not exist", as recorded against AWS in
// LocalStack's test_kms.snapshot.json (test_get_key_does_not_exist).
func (k *KMS) keyNotFound(r keyRef) error {
	return newErr(ErrNotFound, "Key '%s' does not exist", k.keyARN(r))
}

// aliasNotFound words the error as AWS does, the alias ARN unquoted:
// "Alias arn:aws:kms:us-west-2:271462348125:alias/parameter_store_key is
// not found." (an AWS response quoted in cloudposse/docs#152, also in
// sigstore/cosign#1474).
func (k *KMS) aliasNotFound(r keyRef) error {
	return newErr(ErrNotFound, "Alias %s is not found.", k.aliasARN(r))
}

// internal wraps an unexpected failure (storage, corrupt record) as
// KMSInternalException, keeping the cause for errors.Is/As. Errors that are
// already *Error pass through, and so do the errors of a cancelled context
// or a passed deadline (a backend's transaction stopped by ctx): they are
// the caller's, not a failure, and errors.Is(err, context.Canceled) holds.
func internal(err error) error {
	var e *Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &Error{Code: ErrKMSInternal, Message: err.Error(), cause: err}
}

// entry returns the cached key that a KeyId names, loading it on a miss.
// This is the hot path of every cryptographic operation: on a hit it takes
// no lock and touches no storage.
func (k *KMS) entry(ctx context.Context, keyID string, o keyOp) (*cachedKey, error) {
	// A bare key id found in the cache names a real key: skip parsing.
	if !strings.HasPrefix(keyID, "arn:") && !strings.HasPrefix(keyID, "alias/") {
		if ck, ok := k.shared.loadKey(keyRef{k.account, k.region, keyID}); ok && !k.needsWork(ck.rec) {
			return ck, nil
		}
	}
	ref, isAlias, err := k.parseKeyID(keyID, o)
	if err != nil {
		return nil, err
	}
	if !isAlias {
		return k.entryByRef(ctx, ref)
	}
	target, err := k.aliasTarget(ctx, ref)
	if err != nil {
		return nil, err
	}
	ck, err := k.entryByRef(ctx, target)
	if errors.Is(err, ErrNotFound) {
		// The key is gone (deleted with its aliases): so is the alias.
		return nil, k.aliasNotFound(ref)
	}
	return ck, err
}

func (k *KMS) entryByRef(ctx context.Context, ref keyRef) (*cachedKey, error) {
	return k.entryByRefRotating(ctx, ref, true)
}

// entryByRefRotating is entryByRef; with rotate it first performs the
// key's automatic rotation if it is due, and returns the key as read after.
func (k *KMS) entryByRefRotating(ctx context.Context, ref keyRef, rotate bool) (*cachedKey, error) {
	ck, ok := k.shared.loadKey(ref)
	if !ok {
		gen := k.shared.gen.Load()
		var rec *records.Key
		err := k.store.View(ctx, func(tx backend.Txn) error {
			var err error
			rec, err = records.GetKey(tx, ref.account, ref.region, ref.name)
			return err
		})
		if errors.Is(err, backend.ErrNotFound) {
			return nil, k.keyNotFound(ref)
		}
		if err != nil {
			return nil, internal(err)
		}
		if ck, err = k.newCachedKey(rec); err != nil {
			return nil, internal(err)
		}
		k.shared.fill(&k.shared.keys, gen, ref, ck)
	}
	if k.due(ck.rec) {
		return nil, k.purge(ctx, ref)
	}
	if rotate && importExpiryDue(ck.rec, k.clock.Now()) {
		// Imported material expired: delete it, then read the key
		// again (import.go).
		if err := k.expireIfDue(ctx, ref); err != nil {
			return nil, err
		}
		return k.entryByRefRotating(ctx, ref, rotate)
	}
	if rotate && rotationDue(ck.rec, k.clock.Now()) {
		// Rotate, then read the key again: the rotation made new material
		// current (rotation.go).
		if err := k.rotateIfDue(ctx, ref); err != nil {
			return nil, err
		}
		return k.entryByRefRotating(ctx, ref, false)
	}
	return ck, nil
}

// needsWork reports whether a cached key may not be used as it is: its
// deletion or its automatic rotation is due. One clock reading, for the
// hot path.
func (k *KMS) needsWork(rec *records.Key) bool {
	now := k.clock.Now()
	return (KeyState(rec.State) == KeyStatePendingDeletion && !now.Before(rec.DeletionDate)) || rotationDue(rec, now) || importExpiryDue(rec, now)
}

func (k *KMS) newCachedKey(rec *records.Key) (*cachedKey, error) {
	ck := &cachedKey{
		rec:       rec,
		arn:       k.recARN(rec),
		use:       k.shared.usageSlot(keyRef{rec.Account, rec.Region, rec.KeyID}),
		materials: make(map[[crypto.MaterialIDSize]byte]material, len(rec.Materials)),
	}
	for _, m := range rec.Materials {
		secret, err := k.root.Open(ck.arn, m)
		if err != nil {
			return nil, err
		}
		mt := material{id: m.ID}
		if KeySpec(rec.KeySpec) == KeySpecSymmetricDefault {
			mt.aead, err = crypto.NewBlobKey(secret)
		} else {
			mt.prim, err = crypto.NewKeyPrimitive(rec.KeySpec, secret)
		}
		clear(secret)
		if err != nil {
			return nil, err
		}
		var id [crypto.MaterialIDSize]byte
		if _, err := hex.Decode(id[:], []byte(m.ID)); err != nil {
			return nil, err
		}
		ck.materials[id] = mt
		if m.ID == rec.CurrentMaterial {
			ck.current = ck.materials[id]
			ck.hdr.MaterialID = id
		}
	}
	if ck.current.id == "" && !(rec.CustomKeyStoreID != "" && len(rec.Materials) == 0) && (OriginType(rec.Origin) != OriginTypeExternal || KeyState(rec.State) == KeyStateEnabled || KeyState(rec.State) == KeyStateDisabled) {
		// Only a key of imported material may lack it, and only while it
		// cannot be used (PendingImport, or pending deletion); and a key
		// whose material lives in a custom key store's token.
		return nil, errors.New("key record " + rec.KeyID + " has no current key material")
	}
	ck.hdr.Account, ck.hdr.Region, ck.hdr.KeyID = rec.Account, rec.Region, rec.KeyID
	ck.algs = algorithmsOf(KeySpec(rec.KeySpec), KeyUsageType(rec.KeyUsage))
	return ck, nil
}

// refreshed returns the key ck as the store holds it now, read past the
// cache, if the store is one other processes write (a backend.Watcher)
// and its record has the material id that ck lacks: a blob under material
// ck does not hold comes from a rotation or an import in another process
// whose report has not arrived. ck is then dropped from the cache. It
// returns nil, and reads nothing, for other stores; nil also when the
// record lacks the material as well (the blob is bad), is gone, or is due
// for deletion.
func (k *KMS) refreshed(ctx context.Context, ck *cachedKey, id [crypto.MaterialIDSize]byte) (*cachedKey, error) {
	if k.shared.watch.Load() == nil {
		return nil, nil
	}
	ref := keyRef{ck.rec.Account, ck.rec.Region, ck.rec.KeyID}
	var rec *records.Key
	err := k.store.View(ctx, func(tx backend.Txn) error {
		var err error
		rec, err = records.GetKey(tx, ref.account, ref.region, ref.name)
		return err
	})
	if errors.Is(err, backend.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internal(err)
	}
	want := hex.EncodeToString(id[:])
	if k.due(rec) || !slices.ContainsFunc(rec.Materials, func(m keystore.Material) bool { return m.ID == want }) {
		return nil, nil
	}
	fresh, err := k.newCachedKey(rec)
	if err != nil {
		return nil, internal(err)
	}
	k.shared.invalidate([]keyRef{ref}, nil)
	return fresh, nil
}

// aliasTarget resolves an alias reference to the key it points at.
func (k *KMS) aliasTarget(ctx context.Context, ref keyRef) (keyRef, error) {
	target, ok := k.shared.loadAlias(ref)
	if !ok {
		gen := k.shared.gen.Load()
		var a *records.Alias
		err := k.store.View(ctx, func(tx backend.Txn) error {
			var err error
			a, err = records.GetAlias(tx, ref.account, ref.region, ref.name)
			return err
		})
		if errors.Is(err, backend.ErrNotFound) {
			// A predefined alias/aws/<service> gets its AWS managed
			// key on first use (managed.go).
			if t, ok, err := k.managedTarget(ctx, ref); ok {
				return t, err
			}
			return keyRef{}, k.aliasNotFound(ref)
		}
		if err != nil {
			return keyRef{}, internal(err)
		}
		target = a.TargetKeyID
		k.shared.fill(&k.shared.aliases, gen, ref, target)
	}
	return keyRef{account: ref.account, region: ref.region, name: target}, nil
}

// due reports whether a key pending deletion has reached its deletion date.
func (k *KMS) due(rec *records.Key) bool {
	return KeyState(rec.State) == KeyStatePendingDeletion && !k.clock.Now().Before(rec.DeletionDate)
}

// purge deletes a key whose deletion date has passed, with every alias that
// points at it, and returns the NotFoundException the caller reports.
func (k *KMS) purge(ctx context.Context, ref keyRef) error {
	var aliases, keys []keyRef
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		aliases, keys = nil, nil
		rec, err := records.GetKey(tx, ref.account, ref.region, ref.name)
		if errors.Is(err, backend.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !k.due(rec) {
			return nil
		}
		// A multi-Region copy's deletion changes the others (mrk.go).
		keys = copyRefs(rec)
		aliases, err = k.purgeTx(tx, rec)
		return err
	})
	if err != nil {
		return internal(err)
	}
	k.shared.invalidate(append(keys, ref), aliases)
	k.deleteTokenKeys(ctx)
	return k.keyNotFound(ref)
}

// dueError signals, inside a transaction, that a key reached its deletion
// date; after the transaction the caller purges it (purgeIfDue).
type dueError struct{ ref keyRef }

func (e *dueError) Error() string { return "deletion of key " + e.ref.name + " is due" }

// purgeIfDue turns a transaction's dueError into the purge of that key and
// its NotFoundException; other errors pass through.
func (k *KMS) purgeIfDue(ctx context.Context, err error) error {
	var de *dueError
	if errors.As(err, &de) {
		return k.purge(ctx, de.ref)
	}
	return err
}

// txKey reads the key a KeyId names inside a read-write transaction,
// resolving aliases if the operation allows them.
func (k *KMS) txKey(tx backend.Txn, keyID string, o keyOp) (*records.Key, keyRef, error) {
	ref, isAlias, err := k.parseKeyID(keyID, o)
	if err != nil {
		return nil, ref, err
	}
	if isAlias {
		a, err := records.GetAlias(tx, ref.account, ref.region, ref.name)
		if errors.Is(err, backend.ErrNotFound) {
			return nil, ref, k.aliasNotFound(ref)
		}
		if err != nil {
			return nil, ref, err
		}
		ref.name = a.TargetKeyID
	}
	rec, err := records.GetKey(tx, ref.account, ref.region, ref.name)
	if errors.Is(err, backend.ErrNotFound) {
		return nil, ref, k.keyNotFound(ref)
	}
	if err != nil {
		return nil, ref, err
	}
	if k.due(rec) {
		return nil, ref, &dueError{ref}
	}
	return rec, ref, nil
}

// updateKey runs a read-modify-write of the key keyID names: it resolves
// the key, authorizes the caller, checks the key state, lets fn change the
// record, then stores it and invalidates the cache. fn's error aborts the
// transaction.
func (k *KMS) updateKey(ctx context.Context, keyID string, o keyOp, fn func(rec *records.Key, now time.Time) error) (*records.Key, error) {
	return k.updateKeyX(ctx, keyID, o, authzExtra{}, fn)
}

// updateKeyX is updateKey with the request's condition values.
func (k *KMS) updateKeyX(ctx context.Context, keyID string, o keyOp, x authzExtra, fn func(rec *records.Key, now time.Time) error) (*records.Key, error) {
	return k.updateKeyTx(ctx, keyID, o, x, func(_ backend.Txn, rec *records.Key, now time.Time) error { return fn(rec, now) })
}

// updateKeyTx is updateKeyX whose fn also gets the transaction, for reads
// of its own (every read inside fn must use it: a backend may not allow a
// second transaction while this one is open).
func (k *KMS) updateKeyTx(ctx context.Context, keyID string, o keyOp, x authzExtra, fn func(tx backend.Txn, rec *records.Key, now time.Time) error) (*records.Key, error) {
	var out *records.Key
	var ref keyRef
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		rec, r, err := k.txKey(tx, keyID, o)
		ref = r
		if err != nil {
			return err
		}
		now := k.clock.Now()
		if importExpiryDue(rec, now) {
			// Imported material expired: deleted with the change, as
			// a due rotation below.
			if err := k.expireTx(tx, rec, now); err != nil {
				return err
			}
		}
		if rotationDue(rec, now) {
			// The key's automatic rotation is due: it is stored with the
			// change (a refused request, which stores nothing, leaves it
			// due for the next access).
			if err := k.rotateRecord(tx, rec, now, RotationTypeAutomatic); err != nil {
				return err
			}
		}
		keyARN := k.keyARN(ref)
		if err := k.authorize(ctx, o, x, resource{arn: keyARN, rec: rec, tx: tx}); err != nil {
			return err
		}
		if err := o.checkOrigin(rec, keyARN); err != nil {
			return err
		}
		if err := o.checkState(KeyState(rec.State), keyARN); err != nil {
			return err
		}
		if err := fn(tx, rec, now); err != nil {
			return err
		}
		out = rec
		return records.PutKey(tx, rec)
	})
	if err != nil {
		return nil, internal(k.purgeIfDue(ctx, err))
	}
	// Every copy of a multi-Region key: fn or a rotation may have
	// written them (mrk.go).
	k.invalidateCopies(out, ref)
	return out, nil
}
