package kms

import (
	"slices"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// Multi-Region keys with imported key material.
//
// AWS does not copy imported key material from a primary key to its
// replicas: "You must import the same key material into related primary
// and replica keys" (AWS KMS Developer Guide, "Importing key material into
// multi-Region keys"). So in embedkms:
//
//   - ReplicateKey gives the replica no key material (PendingImport) and
//     the primary's material identity (records.Key.ImportIdentity, wrapped
//     again under the replica's ARN): the same material imported into any
//     copy gets the same KeyMaterialId, so a ciphertext, which names its
//     material, decrypts in every copy that has that material.
//   - Every copy lists the materials of the set (records.Key.Imports) by
//     id; a replica takes only those (any other material is
//     IncorrectKeyMaterialException: "You cannot directly import new key
//     material into the replica Region keys", ImportKeyMaterial in the API
//     reference). New material (ImportType NEW_KEY_MATERIAL) is imported
//     into the primary, which adds its id to every replica, PENDING_IMPORT.
//   - Expiration model, ValidTo, DeleteImportedKeyMaterial, expiry and the
//     key state are per copy ("You set the expiration model and expiration
//     dates for each key independently ... The key states of related
//     multi-Region keys are independent of each other", same guide page),
//     except that deleting (or the expiry of) the material pending rotation
//     in the primary deletes it from every replica too ("When you delete the
//     key material of a primary Region key that is in PENDING_ROTATION or
//     PENDING_MULTI_REGION_IMPORT_AND_ROTATION state, you'll also be
//     deleting the key materials for the replica Region keys",
//     DeleteImportedKeyMaterial in the API reference).
//   - Material pending rotation is PENDING_MULTI_REGION_IMPORT_AND_ROTATION
//     until every copy has it imported, then PENDING_ROTATION
//     (RotationsListEntry, KeyMaterialState); RotateKeyOnDemand on the
//     primary then makes it current in every copy in one transaction, and
//     before that is KMSInvalidStateException.

// replicaImports prepares replica, a new replica of primary, a key of
// Origin EXTERNAL: no key material, primary's material identity wrapped
// under the replica's ARN, and the set's materials known by id, none
// imported. The replica's state is PendingImport.
func (k *KMS) replicaImports(primary, replica *records.Key) error {
	if primary.ImportIdentity == nil {
		return errNoIdentity(primary)
	}
	secret, err := k.root.Open(k.recARN(primary), *primary.ImportIdentity)
	if err != nil {
		return err
	}
	id, err := k.root.SealID(k.recARN(replica), importIdentityID, secret)
	clear(secret)
	if err != nil {
		return err
	}
	replica.ImportIdentity = &id
	replica.Materials = nil
	for _, im := range primary.Imports {
		replica.Imports = append(replica.Imports, records.Import{MaterialID: im.MaterialID, State: pendingImportState, PendingRotation: im.PendingRotation})
	}
	settleImportState(replica)
	return nil
}

// shareImport adds material id, just imported into rec, a multi-Region
// primary key, for the first time, to every replica, PENDING_IMPORT and
// pending rotation as it is in rec, in tx. A replica's earlier material
// pending rotation that rec no longer has (deleted or expired with the
// primary's) goes.
func (k *KMS) shareImport(tx backend.Txn, rec *records.Key, id string) error {
	i := slices.IndexFunc(rec.Imports, func(im records.Import) bool { return im.MaterialID == id })
	if i < 0 {
		return nil
	}
	pending := rec.Imports[i].PendingRotation
	others, err := otherCopies(tx, rec)
	if err != nil {
		return err
	}
	for _, c := range others {
		forgetPending(c, func(mid string) bool { return mid != id })
		if !slices.ContainsFunc(c.Imports, func(im records.Import) bool { return im.MaterialID == id }) {
			c.Imports = append(c.Imports, records.Import{MaterialID: id, State: pendingImportState, PendingRotation: pending})
		}
		if c.CurrentMaterial == "" && !pending {
			c.CurrentMaterial = id
		}
		settleImportState(c)
		if err := records.PutKey(tx, c); err != nil {
			return err
		}
	}
	return nil
}

// forgetPending removes from rec every material pending rotation whose id
// drop accepts, with its wrapped copy.
func forgetPending(rec *records.Key, drop func(id string) bool) {
	var gone []string
	rec.Imports = slices.DeleteFunc(rec.Imports, func(im records.Import) bool {
		if im.PendingRotation && drop(im.MaterialID) {
			gone = append(gone, im.MaterialID)
			return true
		}
		return false
	})
	rec.Materials = slices.DeleteFunc(rec.Materials, func(m keystore.Material) bool { return slices.Contains(gone, m.ID) })
	settleImportState(rec)
}

// dropPendingFromReplicas deletes materials ids, pending rotation and just
// deleted from rec, a multi-Region primary key, from every replica, in tx.
func (k *KMS) dropPendingFromReplicas(tx backend.Txn, rec *records.Key, ids []string) error {
	if len(ids) == 0 || !isPrimary(rec) {
		return nil
	}
	others, err := otherCopies(tx, rec)
	if err != nil {
		return err
	}
	for _, c := range others {
		forgetPending(c, func(id string) bool { return slices.Contains(ids, id) })
		if err := records.PutKey(tx, c); err != nil {
			return err
		}
	}
	return nil
}

// expireTx deletes from rec every imported material whose ValidTo has
// passed at now (expireRecord), and, rec being a multi-Region primary key,
// the expired material pending rotation from its replicas, in tx. The
// caller stores rec.
func (k *KMS) expireTx(tx backend.Txn, rec *records.Key, now time.Time) error {
	var pending []string
	for _, im := range rec.Imports {
		if im.PendingRotation && im.State == importedState && !im.ValidTo.IsZero() && !now.Before(im.ValidTo) {
			pending = append(pending, im.MaterialID)
		}
	}
	expireRecord(rec, now)
	return k.dropPendingFromReplicas(tx, rec, pending)
}

// missingImport returns the Regions of the copies of rec's key (rec's
// own included) that do not have material id imported, in tx.
func missingImport(tx backend.Txn, rec *records.Key, id string) ([]string, error) {
	others, err := otherCopies(tx, rec)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, c := range append([]*records.Key{rec}, others...) {
		if !slices.ContainsFunc(c.Imports, func(im records.Import) bool { return im.MaterialID == id && im.State == importedState }) {
			missing = append(missing, c.Region)
		}
	}
	slices.Sort(missing)
	return missing, nil
}

// rotateImportedSet performs RotateKeyOnDemand on rec, a key of Origin
// EXTERNAL: its material pending rotation becomes current. For a
// multi-Region primary key, every copy must have that material imported
// (else KMSInvalidStateException), and every replica rotates with it, in
// tx.
func (k *KMS) rotateImportedSet(tx backend.Txn, rec *records.Key, keyARN string, now time.Time) error {
	i := slices.IndexFunc(rec.Imports, func(im records.Import) bool { return im.PendingRotation })
	if i >= 0 && rec.MultiRegion {
		id := rec.Imports[i].MaterialID
		missing, err := missingImport(tx, rec, id)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			// Wording ours: RotateKeyOnDemand in the API reference ("import
			// new key material in the primary Region key, import the same
			// key material in each replica Region key, and invoke the
			// on-demand rotation on the primary Region key").
			return newErr(ErrKMSInvalidState, "Key material (id: %s) of KMS key %s is in state PENDING_MULTI_REGION_IMPORT_AND_ROTATION: import it into the key in %v before rotating.", id, keyARN, missing)
		}
	}
	if err := rotateImported(rec, keyARN, now); err != nil {
		return err
	}
	others, err := otherCopies(tx, rec)
	if err != nil {
		return err
	}
	for _, c := range others {
		for j := range c.Imports {
			if c.Imports[j].MaterialID == rec.CurrentMaterial {
				c.Imports[j].PendingRotation = false
			}
		}
		c.CurrentMaterial = rec.CurrentMaterial
		c.Rotations = slices.Clone(rec.Rotations)
		settleImportState(c)
		if err := records.PutKey(tx, c); err != nil {
			return err
		}
	}
	return nil
}

// pendingState is the KeyMaterialState of material id of rec, pending
// rotation: PENDING_MULTI_REGION_IMPORT_AND_ROTATION while a copy of a
// multi-Region key lacks it ("imported into the primary Region key but
// not all of the replica Region keys": RotationsListEntry,
// KeyMaterialState), else PENDING_ROTATION.
func pendingState(tx backend.Txn, rec *records.Key, id string) (KeyMaterialState, error) {
	if !rec.MultiRegion {
		return KeyMaterialStatePendingRotation, nil
	}
	missing, err := missingImport(tx, rec, id)
	if err != nil {
		return "", err
	}
	if len(missing) > 0 {
		return KeyMaterialStatePendingMultiRegionImportAndRotation, nil
	}
	return KeyMaterialStatePendingRotation, nil
}
