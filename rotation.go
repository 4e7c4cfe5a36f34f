package kms

import (
	"context"
	"slices"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
)

// Key rotation.
//
// Only symmetric encryption keys with key material AWS KMS generated
// rotate (EnableKeyRotation, RotateKeyOnDemand in the API reference). A
// rotation adds new key material and makes it current: new ciphertexts
// use it, and every ciphertext made under earlier material still
// decrypts, as each blob names its material and a key keeps all of them.
//
// Automatic rotation happens when it is due by the handle's clock: the
// first time the key is used or looked at after its NextRotationDate (by
// any operation that reads it), or on a maintenance pass (Maintain),
// whichever comes first. A key rotates only while Enabled ("while the KMS
// key is disabled, KMS does not rotate the key material. When you
// re-enable the KMS key ... If the key material ... hasn't been rotated
// in one year, KMS rotates it immediately": GetKeyRotationStatus in the
// API reference; likewise a key pending deletion). The next rotation is
// then one rotation period after the one done. An on-demand rotation
// (RotateKeyOnDemand) completes before the call returns and leaves the
// automatic schedule as it was.

// Limits of key rotation, from the AWS KMS API reference and Developer
// Guide.
const (
	// MinRotationPeriodInDays and MaxRotationPeriodInDays bound
	// EnableKeyRotation's RotationPeriodInDays (RotationPeriodInDaysType);
	// DefaultRotationPeriodInDays applies when none is given.
	MinRotationPeriodInDays     = 90
	MaxRotationPeriodInDays     = 2560
	DefaultRotationPeriodInDays = 365
	// MaxOnDemandRotations is how many times RotateKeyOnDemand may rotate
	// one key: "You can perform on-demand key rotation a maximum of 25
	// times per KMS key" (AWS KMS Developer Guide, "Perform on-demand key
	// rotation"; RotateKeyOnDemand in the API model). The quota is not
	// adjustable (AWS KMS Developer Guide, "Resource quotas").
	MaxOnDemandRotations = 25
)

var (
	opEnableKeyRotation    = op("EnableKeyRotation", false, false)
	opDisableKeyRotation   = op("DisableKeyRotation", false, false)
	opGetKeyRotationStatus = op("GetKeyRotationStatus", false, true)
	opRotateKeyOnDemand    = op("RotateKeyOnDemand", false, false)
	opListKeyRotations     = op("ListKeyRotations", false, false)
)

const day = 24 * time.Hour

// onDemandLimitMessage is AWS's LimitExceededException text, as recorded
// in LocalStack's test_kms.snapshot.json (test_key_rotations_limits).
const onDemandLimitMessage = "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s"

// checkRotatable refuses a key that cannot rotate. An asymmetric or HMAC
// key is UnsupportedOperationException with no message, as AWS sends it
// (LocalStack's test_kms.snapshot.json,
// test_rotate_key_on_demand_raises_error_given_non_symmetric_key; an
// EnableKeyRotation on a SIGN_VERIFY key quoted in
// terraform-aws-modules/terraform-aws-kms#20). A key whose material is
// imported (Origin EXTERNAL) rotates on demand only, with new material
// imported for it (ImportType NEW_KEY_MATERIAL, since 2025:
// RotateKeyOnDemand in the API reference), and lists its materials; with
// automatic (not onDemand) it is refused with AWS's wording for an origin
// (test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material
// there, recorded before 2025). A multi-Region key of imported material
// rotates so too, on its primary, once every copy has the new material
// (RotateKeyOnDemand in the API reference; mrkimport.go).
func checkRotatable(rec *records.Key, keyARN string, onDemand bool) error {
	if KeySpec(rec.KeySpec) != KeySpecSymmetricDefault {
		return &Error{Code: ErrUnsupportedOperation}
	}
	if OriginType(rec.Origin) == OriginTypeExternal && onDemand {
		return nil
	}
	if OriginType(rec.Origin) != OriginTypeAwsKms {
		return newErr(ErrUnsupportedOperation, "%s origin is %s which is not valid for this operation.", keyARN, rec.Origin)
	}
	return nil
}

// checkRotationWrite is checkRotatable for the operations that change a
// key's rotation (EnableKeyRotation, DisableKeyRotation,
// RotateKeyOnDemand): a multi-Region replica is refused too, as its
// rotation is its primary's, done on the primary ("Automatic key
// rotation ... is a shared property", Developer Guide, "Multi-Region keys
// in AWS KMS"; wording: notPrimary).
func checkRotationWrite(rec *records.Key, keyARN string, onDemand bool) error {
	if err := checkRotatable(rec, keyARN, onDemand); err != nil {
		return err
	}
	if rec.IsReplica() {
		return notPrimary(keyARN)
	}
	return nil
}

// rotationDue reports whether rec's automatic rotation is due at now.
func rotationDue(rec *records.Key, now time.Time) bool {
	return rec.RotationPeriodInDays > 0 && KeyState(rec.State) == KeyStateEnabled && !now.Before(rec.NextRotationDate) && !rec.IsReplica()
}

// rotateRecord gives rec new key material and makes it current, recording
// the rotation as typ at now. An automatic rotation also sets the next
// one, a rotation period later. The caller stores rec; the other copies
// of a multi-Region primary key get the same material and are stored
// here, in tx (mrk.go).
func (k *KMS) rotateRecord(tx backend.Txn, rec *records.Key, now time.Time, typ RotationType) error {
	secret := crypto.Random(crypto.AES256KeySize)
	defer clear(secret)
	mat, err := k.root.Seal(k.recARN(rec), secret)
	if err != nil {
		return err
	}
	now = now.UTC()
	rec.Materials = append(rec.Materials, mat)
	rec.CurrentMaterial = mat.ID
	rec.Rotations = append(rec.Rotations, records.Rotation{MaterialID: mat.ID, Date: now, Type: string(typ)})
	if typ == RotationTypeAutomatic {
		rec.NextRotationDate = now.Add(time.Duration(rec.RotationPeriodInDays) * day)
	}
	return k.rotateCopies(tx, rec, mat, secret)
}

// rotateIfDue performs, in one transaction, the automatic rotation of the
// key ref names if it is due (see applyIfDue).
func (k *KMS) rotateIfDue(ctx context.Context, ref keyRef) error {
	return k.applyIfDue(ctx, ref, rotationDue, func(tx backend.Txn, rec *records.Key, now time.Time) error {
		return k.rotateRecord(tx, rec, now, RotationTypeAutomatic)
	})
}

// rotateSweep performs every automatic rotation due in the handle's
// account and Region, reading only the index of keys that rotate.
func (k *KMS) rotateSweep(ctx context.Context) error {
	return k.sweepDue(ctx, records.DueForRotation, k.rotateIfDue)
}

// EnableKeyRotation turns on automatic rotation of a symmetric encryption
// key's material every RotationPeriodInDays days (90..2560, default 365),
// the first one period from now. On a key that already rotates it changes
// the period, keeping the start of the current period: the next rotation
// is the last one (or the enabling) plus the new period, and happens at
// once if that date has passed. KeyId is a key id or key ARN.
func (k *KMS) EnableKeyRotation(ctx context.Context, in *EnableKeyRotationInput) (result *EnableKeyRotationOutput, opErr error) {
	defer finish(k.audit(&ctx, "EnableKeyRotation", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &EnableKeyRotationInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.intRange("rotationPeriodInDays", in.RotationPeriodInDays, MinRotationPeriodInDays, MaxRotationPeriodInDays)
	if err := v.err(); err != nil {
		return nil, err
	}
	period := in.RotationPeriodInDays
	if period == 0 {
		period = DefaultRotationPeriodInDays
	}
	x := authzExtra{rotationPeriod: in.RotationPeriodInDays}
	_, err := k.updateKeyTx(ctx, in.KeyId, opEnableKeyRotation, x, func(tx backend.Txn, rec *records.Key, now time.Time) error {
		if err := checkRotationWrite(rec, k.recARN(rec), false); err != nil {
			return err
		}
		switch {
		case rec.RotationPeriodInDays == 0 || rec.NextRotationDate.IsZero():
			rec.NextRotationDate = now.UTC().Add(time.Duration(period) * day)
		case rec.RotationPeriodInDays != period:
			start := rec.NextRotationDate.Add(-time.Duration(rec.RotationPeriodInDays) * day)
			rec.NextRotationDate = start.Add(time.Duration(period) * day)
		}
		rec.RotationPeriodInDays = period
		return syncRotation(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	return &EnableKeyRotationOutput{}, nil
}

// DisableKeyRotation turns off automatic rotation of a symmetric
// encryption key. Its materials stay, and RotateKeyOnDemand still
// rotates it. KeyId is a key id or key ARN.
func (k *KMS) DisableKeyRotation(ctx context.Context, in *DisableKeyRotationInput) (result *DisableKeyRotationOutput, opErr error) {
	defer finish(k.audit(&ctx, "DisableKeyRotation", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DisableKeyRotationInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if err := v.err(); err != nil {
		return nil, err
	}
	_, err := k.updateKeyTx(ctx, in.KeyId, opDisableKeyRotation, authzExtra{}, func(tx backend.Txn, rec *records.Key, _ time.Time) error {
		if err := checkRotationWrite(rec, k.recARN(rec), false); err != nil {
			return err
		}
		rec.RotationPeriodInDays = 0
		rec.NextRotationDate = time.Time{}
		return syncRotation(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	return &DisableKeyRotationOutput{}, nil
}

// GetKeyRotationStatus tells whether a key rotates automatically, and if
// so its rotation period and next rotation date. An AWS managed key
// always does, yearly. A key pending deletion (or a multi-Region primary
// pending replica deletion) reports false (its setting returns if the
// deletion is cancelled), and so do asymmetric and HMAC
// keys, which never rotate (AWS answers them so since 2026:
// floci-io/floci#618). KeyId is a key id or key ARN, of another account
// too.
func (k *KMS) GetKeyRotationStatus(ctx context.Context, in *GetKeyRotationStatusInput) (result *GetKeyRotationStatusOutput, opErr error) {
	defer finish(k.audit(&ctx, "GetKeyRotationStatus", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GetKeyRotationStatusInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opGetKeyRotationStatus)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opGetKeyRotationStatus, authzExtra{}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	if err := opGetKeyRotationStatus.checkState(KeyState(ck.rec.State), ck.arn); err != nil {
		return nil, err
	}
	rec := ck.rec
	out := &GetKeyRotationStatusOutput{KeyId: ck.arn}
	if KeySpec(rec.KeySpec) != KeySpecSymmetricDefault {
		return out, nil
	}
	if err := checkRotatable(rec, ck.arn, false); err != nil {
		return nil, err
	}
	if st := KeyState(rec.State); rec.RotationPeriodInDays > 0 && st != KeyStatePendingDeletion && st != KeyStatePendingReplicaDeletion {
		out.KeyRotationEnabled = true
		out.RotationPeriodInDays = rec.RotationPeriodInDays
		out.NextRotationDate = rec.NextRotationDate
	}
	return out, nil
}

// RotateKeyOnDemand rotates a symmetric encryption key's material now, at
// most MaxOnDemandRotations times per key (LimitExceededException
// beyond). A key of imported material (Origin EXTERNAL) rotates to the
// material imported for it with ImportType NEW_KEY_MATERIAL, and without
// such material is KMSInvalidStateException; for a multi-Region key that
// material must first be imported into every copy, and the rotation on
// the primary then rotates every copy (mrkimport.go). The automatic
// schedule, if any, is unchanged. The rotation is
// complete when the call returns, so there is never an on-demand rotation
// in progress (and never its ConflictException). KeyId is a key id or key
// ARN; the output's KeyId is the key ARN.
func (k *KMS) RotateKeyOnDemand(ctx context.Context, in *RotateKeyOnDemandInput) (result *RotateKeyOnDemandOutput, opErr error) {
	defer finish(k.audit(&ctx, "RotateKeyOnDemand", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &RotateKeyOnDemandInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if err := v.err(); err != nil {
		return nil, err
	}
	rec, err := k.updateKeyTx(ctx, in.KeyId, opRotateKeyOnDemand, authzExtra{}, func(tx backend.Txn, rec *records.Key, now time.Time) error {
		keyARN := k.recARN(rec)
		if err := checkRotationWrite(rec, keyARN, true); err != nil {
			return err
		}
		if onDemandRotations(rec) >= MaxOnDemandRotations {
			return newErr(ErrLimitExceeded, onDemandLimitMessage, keyARN)
		}
		if OriginType(rec.Origin) == OriginTypeExternal {
			return k.rotateImportedSet(tx, rec, keyARN, now) // mrkimport.go
		}
		return k.rotateRecord(tx, rec, now, RotationTypeOnDemand)
	})
	if err != nil {
		return nil, err
	}
	return &RotateKeyOnDemandOutput{KeyId: k.recARN(rec)}, nil
}

// onDemandRotations counts rec's on-demand rotations.
func onDemandRotations(rec *records.Key) int {
	n := 0
	for _, r := range rec.Rotations {
		if r.Type == string(RotationTypeOnDemand) {
			n++
		}
	}
	return n
}

// ListKeyRotations lists a symmetric encryption key's rotations, oldest
// first: each with the material it made current (KeyMaterialId), its
// RotationDate and RotationType (AUTOMATIC or ON_DEMAND), and
// KeyMaterialState CURRENT or NON_CURRENT. With IncludeKeyMaterial
// ALL_KEY_MATERIAL the key's first material comes first, with no date or
// type; the default, ROTATIONS_ONLY, lists rotations only. A key of
// imported material lists with ALL_KEY_MATERIAL, after these, the
// material waiting in PENDING_ROTATION (with neither), and every entry
// has its ImportState, ExpirationModel, ValidTo and
// KeyMaterialDescription. Limit is 1..1000
// (default 100). KeyId is a key id or key ARN.
func (k *KMS) ListKeyRotations(ctx context.Context, in *ListKeyRotationsInput) (result *ListKeyRotationsOutput, opErr error) {
	defer finish(k.audit(&ctx, "ListKeyRotations", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ListKeyRotationsInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	enum(&v, "includeKeyMaterial", in.IncludeKeyMaterial, IncludeKeyMaterial("").Values())
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	start, err := decodeMarker("rotation", in.Marker)
	if err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opListKeyRotations)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opListKeyRotations, authzExtra{}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	if err := opListKeyRotations.checkState(KeyState(ck.rec.State), ck.arn); err != nil {
		return nil, err
	}
	rec := ck.rec
	if err := checkRotatable(rec, ck.arn, true); err != nil {
		return nil, err
	}
	external := OriginType(rec.Origin) == OriginTypeExternal
	pending := KeyMaterialStatePendingRotation
	if i := slices.IndexFunc(rec.Imports, func(im records.Import) bool { return im.PendingRotation }); external && i >= 0 && rec.MultiRegion {
		// Pending in every copy of a multi-Region key, or not yet
		// (mrkimport.go).
		err := k.store.View(ctx, func(tx backend.Txn) error {
			var err error
			pending, err = pendingState(tx, rec, rec.Imports[i].MaterialID)
			return err
		})
		if err != nil {
			return nil, internal(err)
		}
	}
	entry := func(id string) RotationsListEntry {
		e := RotationsListEntry{KeyId: rec.KeyID, KeyMaterialId: id, KeyMaterialState: KeyMaterialStateNonCurrent}
		if id == rec.CurrentMaterial {
			e.KeyMaterialState = KeyMaterialStateCurrent
		}
		if !external {
			return e
		}
		// The members only keys of imported material have
		// (RotationsListEntry in the API reference).
		for _, im := range rec.Imports {
			if im.MaterialID == id {
				e.ImportState = ImportState(im.State)
				e.KeyMaterialDescription = im.Description
				e.ExpirationModel = ExpirationModelType(im.ExpirationModel)
				e.ValidTo = im.ValidTo
				if im.PendingRotation {
					e.KeyMaterialState = pending
				}
			}
		}
		return e
	}
	var all []RotationsListEntry
	first := ""
	switch {
	case external && len(rec.Imports) > 0:
		first = rec.Imports[0].MaterialID
	case !external && len(rec.Materials) > 0:
		first = rec.Materials[0].ID
	}
	if in.IncludeKeyMaterial == IncludeKeyMaterialAllKeyMaterial && first != "" {
		all = append(all, entry(first))
	}
	for _, r := range rec.Rotations {
		e := entry(r.MaterialID)
		e.RotationDate, e.RotationType = r.Date, RotationType(r.Type)
		all = append(all, e)
	}
	for _, im := range rec.Imports {
		if im.PendingRotation && in.IncludeKeyMaterial == IncludeKeyMaterialAllKeyMaterial {
			// Material imported for a rotation that has not happened,
			// listed with ALL_KEY_MATERIAL only ("KMS adds the first key
			// material and any imported key material pending rotation":
			// ListKeyRotations, IncludeKeyMaterial): no RotationDate or
			// RotationType (RotationsListEntry).
			all = append(all, entry(im.MaterialID))
		}
	}
	// A marker names the material its page starts at.
	from := 0
	if start != "" {
		from = -1
		for i, e := range all {
			if e.KeyMaterialId == start {
				from = i
				break
			}
		}
		if from < 0 {
			return nil, newErr(ErrInvalidMarker, "Invalid marker '%s'", in.Marker)
		}
	}
	limit := pageLimit(in.Limit, 100, 1000)
	out := &ListKeyRotationsOutput{Rotations: all[from:min(from+limit, len(all))]}
	if out.Rotations == nil {
		out.Rotations = []RotationsListEntry{}
	}
	if from+limit < len(all) {
		out.NextMarker = encodeMarker("rotation", all[from+limit].KeyMaterialId)
		out.Truncated = true
	}
	return out, nil
}
