// Package records defines how key and alias metadata is laid out in a
// backend: the record types, their JSON encoding and their backend keys.
//
// Backend key layout (all ASCII):
//
//	key/<account>/<region>/<key id>          -> Key (JSON)
//	alias/<account>/<region>/<alias name>    -> Alias (JSON); the alias
//	                                            name includes "alias/"
//	aliasbykey/<account>/<region>/<key id>/<alias name>
//	                                         -> empty; index of a key's aliases
//	deletion/<account>/<region>/<unix nanos, 20 digits>/<key id>
//	                                         -> empty; keys pending deletion
//	                                            in deletion-date order
//	grant/<account>/<region>/<key id>/<grant id>
//	                                         -> Grant (JSON)
//	rotation/<account>/<region>/<unix nanos, 20 digits>/<key id>
//	                                         -> empty; enabled keys with
//	                                            automatic rotation, in
//	                                            next-rotation-date order
//	importexpiry/<account>/<region>/<unix nanos, 20 digits>/<key id>
//	                                         -> empty; keys with imported
//	                                            material that expires, in
//	                                            order of the earliest
//	                                            expiry (ValidTo)
//	keycount/<account>/<region>              -> the number of customer
//	                                            managed keys (decimal), for
//	                                            the key quota
//	lastused/<account>/<region>/<key id>     -> LastUsed (JSON); the key's
//	                                            last successful
//	                                            cryptographic use
//	lastused/tracking-start                  -> TrackingStart (JSON); since
//	                                            when uses are recorded
//
// PutKey, DeleteKey, PutAlias and DeleteAlias keep the indexes in step with
// the records in the same transaction.
//
// The handle reads and writes all of these through the authenticated view
// of package keystore (RootKey.Authenticated), so what the backend holds
// under each key is that record's bytes with a version byte and a tag.
// Beside them, under meta/, are values the handle needs before it has a
// root key, stored as they are: the root-key check value and the volatile
// root key (package keystore) and the root-key sources' metadata under
// meta/rootkey/ (a passphrase's salt and parameters, an AEAD envelope:
// package keystore, each authenticated its own way). The backend's
// identity, meta/store-id, is an authenticated record. RewrapRootKey
// (package kms) re-tags every record kind listed here and refuses a store
// holding any other: a new kind of record must be added there too.
// A backup (package kms, backup.go) copies every entry as stored but the
// identity and the volatile root key; new record types need nothing more
// to be backed up, as long as they go through the authenticated view.
//
// Records are scoped by account and Region so several handles can share one
// backend. Key material inside a Key record is always wrapped under the
// root key (package keystore).
package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/keystore"
)

// Key is the stored state of a KMS key.
type Key struct {
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	KeyID        string    `json:"keyId"`
	CreationDate time.Time `json:"creationDate"`
	Description  string    `json:"description,omitempty"`
	KeyUsage     string    `json:"keyUsage"`
	KeySpec      string    `json:"keySpec"`
	Origin       string    `json:"origin"`
	State        string    `json:"state"`
	// DeletionDate and PendingWindowInDays are set while PendingDeletion.
	DeletionDate        time.Time `json:"deletionDate,omitzero"`
	PendingWindowInDays int32     `json:"pendingWindowInDays,omitempty"`
	Policy              string    `json:"policy"`
	Tags                []Tag     `json:"tags,omitempty"`
	MultiRegion         bool      `json:"multiRegion,omitempty"`
	// PrimaryRegion and ReplicaRegions are the multi-Region configuration
	// of a multi-Region key, the same in the record of every copy:
	// the Region of the primary key and those of its replicas, sorted.
	// PrimaryRegion "" (a key written before replicas existed) is the
	// key's own Region.
	PrimaryRegion   string              `json:"primaryRegion,omitempty"`
	ReplicaRegions  []string            `json:"replicaRegions,omitempty"`
	Materials       []keystore.Material `json:"materials"`
	CurrentMaterial string              `json:"currentMaterial"`
	// KeyManager is "AWS" for an AWS managed key; "" is a customer
	// managed key.
	KeyManager string `json:"keyManager,omitempty"`
	// RotationPeriodInDays is set while automatic rotation is enabled:
	// the days between rotations. NextRotationDate is when the next one
	// is due.
	RotationPeriodInDays int32     `json:"rotationPeriodInDays,omitempty"`
	NextRotationDate     time.Time `json:"nextRotationDate,omitzero"`
	// Rotations are the completed rotations, oldest first: each made the
	// material it names current. The first material (Materials[0]) has
	// none.
	Rotations []Rotation `json:"rotations,omitempty"`
	// Imports are, for a key of Origin EXTERNAL, the key materials ever
	// imported into it, in import order. Materials holds the wrapped
	// copy of those whose State is "IMPORTED" only: deleted or expired
	// material is not kept, only its identity (its MaterialID, a keyed
	// hash of it under ImportIdentity).
	Imports []Import `json:"imports,omitempty"`
	// ImportIdentity is the key's random identity key (wrapped under
	// the root key like a material, id "import-identity"), with which
	// the MaterialID of material imported into it is computed.
	ImportIdentity *keystore.Material `json:"importIdentity,omitempty"`
	// CustomKeyStoreID names the custom key store of a key that lives in
	// one (Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE), and
	// CloudHsmClusterID the store's cluster when the key was created.
	// ExternalKeyID is the key's key in the store: the token key's id
	// (CKA_ID), or the XksKeyId. An AWS_CLOUDHSM key has no Materials: its
	// material never leaves the token.
	CustomKeyStoreID  string `json:"customKeyStoreId,omitempty"`
	CloudHsmClusterID string `json:"cloudHsmClusterId,omitempty"`
	ExternalKeyID     string `json:"externalKeyId,omitempty"`
}

// Import is one key material imported into a key of Origin EXTERNAL.
type Import struct {
	MaterialID string `json:"materialId"`
	// State is "IMPORTED" or "PENDING_IMPORT" (deleted or expired).
	State string `json:"state"`
	// PendingRotation says the material was imported as new material
	// (ImportType NEW_KEY_MATERIAL) and RotateKeyOnDemand has not yet
	// made it current.
	PendingRotation bool   `json:"pendingRotation,omitempty"`
	ExpirationModel string `json:"expirationModel,omitempty"`
	// ValidTo is when the material expires (ExpirationModel
	// KEY_MATERIAL_EXPIRES).
	ValidTo     time.Time `json:"validTo,omitzero"`
	Description string    `json:"description,omitempty"`
}

// ImportExpiry returns the earliest ValidTo of k's imported materials
// that are imported and expire, or the zero time if none does.
func (k *Key) ImportExpiry() time.Time {
	var first time.Time
	for _, im := range k.Imports {
		if im.State == "IMPORTED" && !im.ValidTo.IsZero() && (first.IsZero() || im.ValidTo.Before(first)) {
			first = im.ValidTo
		}
	}
	return first
}

// Rotation is one completed rotation of a key's material.
type Rotation struct {
	MaterialID string    `json:"materialId"`
	Date       time.Time `json:"date"`
	Type       string    `json:"type"` // "AUTOMATIC" or "ON_DEMAND"
}

// rotationIndexed reports whether k belongs in the rotation index: it
// rotates automatically and is Enabled (a key in any other state does not
// rotate).
func (k *Key) rotationIndexed() bool {
	return k.RotationPeriodInDays > 0 && !k.NextRotationDate.IsZero() && k.State == "Enabled" && !k.IsReplica()
}

// IsReplica reports whether k is a multi-Region replica key. A replica
// never rotates by itself: its primary's rotation rotates every copy.
func (k *Key) IsReplica() bool {
	return k.MultiRegion && k.PrimaryRegion != "" && k.PrimaryRegion != k.Region
}

// Tag is a stored tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Alias is a stored alias.
type Alias struct {
	Name            string    `json:"name"`
	TargetKeyID     string    `json:"targetKeyId"`
	CreationDate    time.Time `json:"creationDate"`
	LastUpdatedDate time.Time `json:"lastUpdatedDate"`
}

// KeyPrefix returns the prefix of all key records of an account and Region.
func KeyPrefix(account, region string) []byte {
	return []byte("key/" + account + "/" + region + "/")
}

// KeyKey returns the backend key of a key record.
func KeyKey(account, region, keyID string) []byte {
	return append(KeyPrefix(account, region), keyID...)
}

// AliasPrefix returns the prefix of all alias records of an account and
// Region.
func AliasPrefix(account, region string) []byte {
	return []byte("alias/" + account + "/" + region + "/")
}

// AliasKey returns the backend key of an alias record.
func AliasKey(account, region, aliasName string) []byte {
	return append(AliasPrefix(account, region), aliasName...)
}

// GetKey reads a key record.
func GetKey(tx backend.Txn, account, region, keyID string) (*Key, error) {
	var k Key
	if err := get(tx, KeyKey(account, region, keyID), &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// PutKey writes a key record and keeps the deletion and rotation indexes
// and the key count in step.
func PutKey(tx backend.Txn, k *Key) error {
	old, err := GetKey(tx, k.Account, k.Region, k.KeyID)
	switch {
	case errors.Is(err, backend.ErrNotFound):
		if countsTowardQuota(k) {
			if err := addKeyCount(tx, k.Account, k.Region, 1); err != nil {
				return err
			}
		}
	case err != nil:
		return err
	case !old.DeletionDate.Equal(k.DeletionDate) && !old.DeletionDate.IsZero():
		if err := tx.Delete(deletionKey(k.Account, k.Region, old.DeletionDate, k.KeyID)); err != nil {
			return err
		}
	}
	if !k.DeletionDate.IsZero() {
		if err := tx.Set(deletionKey(k.Account, k.Region, k.DeletionDate, k.KeyID), nil); err != nil {
			return err
		}
	}
	if old != nil && old.rotationIndexed() && (!k.rotationIndexed() || !old.NextRotationDate.Equal(k.NextRotationDate)) {
		if err := tx.Delete(rotationKey(k.Account, k.Region, old.NextRotationDate, k.KeyID)); err != nil {
			return err
		}
	}
	if k.rotationIndexed() {
		if err := tx.Set(rotationKey(k.Account, k.Region, k.NextRotationDate, k.KeyID), nil); err != nil {
			return err
		}
	}
	next := k.ImportExpiry()
	if old != nil {
		if prev := old.ImportExpiry(); !prev.IsZero() && !prev.Equal(next) {
			if err := tx.Delete(importExpiryKey(k.Account, k.Region, prev, k.KeyID)); err != nil {
				return err
			}
		}
	}
	if !next.IsZero() {
		if err := tx.Set(importExpiryKey(k.Account, k.Region, next, k.KeyID), nil); err != nil {
			return err
		}
	}
	return put(tx, KeyKey(k.Account, k.Region, k.KeyID), k)
}

// DeleteKey removes a key record, its deletion- and rotation-index entries
// and its grants.
func DeleteKey(tx backend.Txn, account, region, keyID string) error {
	old, err := GetKey(tx, account, region, keyID)
	if errors.Is(err, backend.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !old.DeletionDate.IsZero() {
		if err := tx.Delete(deletionKey(account, region, old.DeletionDate, keyID)); err != nil {
			return err
		}
	}
	if old.rotationIndexed() {
		if err := tx.Delete(rotationKey(account, region, old.NextRotationDate, keyID)); err != nil {
			return err
		}
	}
	if at := old.ImportExpiry(); !at.IsZero() {
		if err := tx.Delete(importExpiryKey(account, region, at, keyID)); err != nil {
			return err
		}
	}
	if countsTowardQuota(old) {
		if err := addKeyCount(tx, account, region, -1); err != nil {
			return err
		}
	}
	var grants [][]byte
	prefix := GrantPrefix(account, region, keyID)
	if err := tx.Scan(prefix, nil, func(k, _ []byte) bool {
		grants = append(grants, bytes.Clone(k))
		return true
	}); err != nil {
		return err
	}
	for _, g := range grants {
		if err := tx.Delete(g); err != nil {
			return err
		}
	}
	if err := tx.Delete(LastUsedKey(account, region, keyID)); err != nil {
		return err
	}
	return tx.Delete(KeyKey(account, region, keyID))
}

func deletionPrefix(account, region string) []byte {
	return []byte("deletion/" + account + "/" + region + "/")
}

func deletionKey(account, region string, at time.Time, keyID string) []byte {
	return fmt.Appendf(deletionPrefix(account, region), "%020d/%s", at.UnixNano(), keyID)
}

func rotationPrefix(account, region string) []byte {
	return []byte("rotation/" + account + "/" + region + "/")
}

func rotationKey(account, region string, at time.Time, keyID string) []byte {
	return fmt.Appendf(rotationPrefix(account, region), "%020d/%s", at.UnixNano(), keyID)
}

func importExpiryPrefix(account, region string) []byte {
	return []byte("importexpiry/" + account + "/" + region + "/")
}

func importExpiryKey(account, region string, at time.Time, keyID string) []byte {
	return fmt.Appendf(importExpiryPrefix(account, region), "%020d/%s", at.UnixNano(), keyID)
}

// DueForImportExpiry returns the ids of the keys of an account and Region
// with imported material whose ValidTo is not after now, reading only
// those.
func DueForImportExpiry(tx backend.Txn, account, region string, now time.Time) ([]string, error) {
	return dueBy(tx, importExpiryPrefix(account, region), now)
}

// DueForDeletion returns the ids of the keys of an account and Region
// whose deletion date is not after now, reading only those.
func DueForDeletion(tx backend.Txn, account, region string, now time.Time) ([]string, error) {
	return dueBy(tx, deletionPrefix(account, region), now)
}

// DueForRotation returns the ids of the Enabled keys of an account and
// Region whose next automatic rotation date is not after now, reading
// only those.
func DueForRotation(tx backend.Txn, account, region string, now time.Time) ([]string, error) {
	return dueBy(tx, rotationPrefix(account, region), now)
}

// dueBy returns the key ids of the date index under prefix whose date is
// not after now.
func dueBy(tx backend.Txn, prefix []byte, now time.Time) ([]string, error) {
	limit := fmt.Appendf(nil, "%020d", now.UnixNano())
	var due []string
	err := tx.Scan(prefix, nil, func(k, _ []byte) bool {
		rest := k[len(prefix):]
		if len(rest) < 21 || bytes.Compare(rest[:20], limit) > 0 {
			return false
		}
		due = append(due, string(rest[21:]))
		return true
	})
	return due, err
}

// GetAlias reads an alias record.
func GetAlias(tx backend.Txn, account, region, name string) (*Alias, error) {
	var a Alias
	if err := get(tx, AliasKey(account, region, name), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func aliasByKeyPrefix(account, region, keyID string) []byte {
	return []byte("aliasbykey/" + account + "/" + region + "/" + keyID + "/")
}

// PutAlias writes an alias record and keeps the by-key index in step.
func PutAlias(tx backend.Txn, account, region string, a *Alias) error {
	old, err := GetAlias(tx, account, region, a.Name)
	switch {
	case errors.Is(err, backend.ErrNotFound):
	case err != nil:
		return err
	case old.TargetKeyID != a.TargetKeyID:
		if err := tx.Delete(append(aliasByKeyPrefix(account, region, old.TargetKeyID), a.Name...)); err != nil {
			return err
		}
	}
	if err := tx.Set(append(aliasByKeyPrefix(account, region, a.TargetKeyID), a.Name...), nil); err != nil {
		return err
	}
	return put(tx, AliasKey(account, region, a.Name), a)
}

// DeleteAlias removes an alias record and its index entry.
func DeleteAlias(tx backend.Txn, account, region, name string) error {
	old, err := GetAlias(tx, account, region, name)
	if errors.Is(err, backend.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := tx.Delete(append(aliasByKeyPrefix(account, region, old.TargetKeyID), name...)); err != nil {
		return err
	}
	return tx.Delete(AliasKey(account, region, name))
}

// AliasesOf returns the names of the aliases that point at a key, in name
// order, reading only those.
func AliasesOf(tx backend.Txn, account, region, keyID string) ([]string, error) {
	prefix := aliasByKeyPrefix(account, region, keyID)
	var names []string
	err := tx.Scan(prefix, nil, func(k, _ []byte) bool {
		names = append(names, string(k[len(prefix):]))
		return true
	})
	return names, err
}

// ScanKeys calls fn for each key record of an account and Region with key
// id >= start, in key-id order, until fn returns false.
func ScanKeys(tx backend.Txn, account, region, start string, fn func(*Key) bool) error {
	return scan(tx, KeyPrefix(account, region), start, fn)
}

// ScanAliases calls fn for each alias record of an account and Region with
// name >= start, in name order, until fn returns false.
func ScanAliases(tx backend.Txn, account, region, start string, fn func(*Alias) bool) error {
	return scan(tx, AliasPrefix(account, region), start, fn)
}

// countsTowardQuota reports whether k counts toward the key quota:
// customer managed keys do, AWS managed keys do not (AWS KMS Developer
// Guide, "Resource quotas", KMS keys).
func countsTowardQuota(k *Key) bool { return k.KeyManager != "AWS" }

func keyCountKey(account, region string) []byte {
	return []byte("keycount/" + account + "/" + region)
}

// KeyCount returns the number of customer managed keys of an account and
// Region. A store written before the count was kept has no count record:
// it is computed once by scanning the keys, and written.
func KeyCount(tx backend.Txn, account, region string) (int, error) {
	v, err := tx.Get(keyCountKey(account, region))
	if err == nil {
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 0 {
			return 0, errors.New("records: corrupt key count of " + account + "/" + region)
		}
		return n, nil
	}
	if !errors.Is(err, backend.ErrNotFound) {
		return 0, err
	}
	n := 0
	if err := ScanKeys(tx, account, region, "", func(k *Key) bool {
		if countsTowardQuota(k) {
			n++
		}
		return true
	}); err != nil {
		return 0, err
	}
	return n, tx.Set(keyCountKey(account, region), []byte(strconv.Itoa(n)))
}

// addKeyCount adds delta to the key count of an account and Region.
func addKeyCount(tx backend.Txn, account, region string, delta int) error {
	n, err := KeyCount(tx, account, region)
	if err != nil {
		return err
	}
	return tx.Set(keyCountKey(account, region), []byte(strconv.Itoa(max(n+delta, 0))))
}

// Grant is a stored grant on a key.
type Grant struct {
	Account                  string            `json:"account"`
	Region                   string            `json:"region"`
	KeyID                    string            `json:"keyId"`
	GrantID                  string            `json:"grantId"`
	Name                     string            `json:"name,omitempty"`
	CreationDate             time.Time         `json:"creationDate"`
	GranteePrincipal         string            `json:"grantee,omitempty"`
	GranteeServicePrincipal  string            `json:"granteeService,omitempty"`
	RetiringPrincipal        string            `json:"retiring,omitempty"`
	RetiringServicePrincipal string            `json:"retiringService,omitempty"`
	IssuingAccount           string            `json:"issuingAccount"`
	Operations               []string          `json:"operations"`
	EncryptionContextEquals  map[string]string `json:"ecEquals,omitempty"`
	EncryptionContextSubset  map[string]string `json:"ecSubset,omitempty"`
	SourceArn                string            `json:"sourceArn,omitempty"`
}

// GrantAccountPrefix returns the prefix of every grant record of an
// account and Region.
func GrantAccountPrefix(account, region string) []byte {
	return []byte("grant/" + account + "/" + region + "/")
}

// GrantPrefix returns the prefix of the grant records of one key.
func GrantPrefix(account, region, keyID string) []byte {
	return append(GrantAccountPrefix(account, region), keyID+"/"...)
}

// GrantKey returns the backend key of a grant record.
func GrantKey(account, region, keyID, grantID string) []byte {
	return append(GrantPrefix(account, region, keyID), grantID...)
}

// GetGrant reads a grant record.
func GetGrant(tx backend.Txn, account, region, keyID, grantID string) (*Grant, error) {
	var g Grant
	if err := get(tx, GrantKey(account, region, keyID, grantID), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// PutGrant writes a grant record.
func PutGrant(tx backend.Txn, g *Grant) error {
	return put(tx, GrantKey(g.Account, g.Region, g.KeyID, g.GrantID), g)
}

// DeleteGrant removes a grant record.
func DeleteGrant(tx backend.Txn, account, region, keyID, grantID string) error {
	return tx.Delete(GrantKey(account, region, keyID, grantID))
}

// ScanGrants calls fn for each grant of a key with grant id >= start, in
// grant-id order, until fn returns false.
func ScanGrants(tx backend.Txn, account, region, keyID, start string, fn func(*Grant) bool) error {
	return scan(tx, GrantPrefix(account, region, keyID), start, fn)
}

// ScanAllGrants calls fn for each grant of every account and Region whose
// "<account>/<region>/<key id>/<grant id>" is >= start, in that order,
// until fn returns false.
func ScanAllGrants(tx backend.Txn, start string, fn func(*Grant) bool) error {
	return scan(tx, []byte("grant/"), start, fn)
}

func scan[T any](tx backend.Txn, prefix []byte, start string, fn func(*T) bool) error {
	var decErr error
	err := tx.Scan(prefix, append(prefix[:len(prefix):len(prefix)], start...), func(k, v []byte) bool {
		var rec T
		if err := json.Unmarshal(v, &rec); err != nil {
			decErr = errors.New("records: corrupt record at " + string(k) + ": " + err.Error())
			return false
		}
		return fn(&rec)
	})
	if err != nil {
		return err
	}
	return decErr
}

func get(tx backend.Txn, key []byte, v any) error {
	b, err := tx.Get(key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("records: corrupt record at " + string(key) + ": " + err.Error())
	}
	return nil
}

func put(tx backend.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Set(key, b)
}

// LastUsed is the last successful cryptographic use of a key
// (GetKeyLastUsage). Handles keep it in memory and write it now and then:
// the latest timestamp wins.
type LastUsed struct {
	Operation string    `json:"operation"`
	Timestamp time.Time `json:"timestamp"`
	EventID   string    `json:"eventId"`
	RequestID string    `json:"requestId"`
}

// LastUsedKey returns the backend key of a key's LastUsed record.
func LastUsedKey(account, region, keyID string) []byte {
	return []byte("lastused/" + account + "/" + region + "/" + keyID)
}

// GetLastUsed reads a key's LastUsed record.
func GetLastUsed(tx backend.Txn, account, region, keyID string) (*LastUsed, error) {
	var u LastUsed
	if err := get(tx, LastUsedKey(account, region, keyID), &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// PutLastUsed writes a key's LastUsed record.
func PutLastUsed(tx backend.Txn, account, region, keyID string, u *LastUsed) error {
	return put(tx, LastUsedKey(account, region, keyID), u)
}

// TrackingStart is when the store began recording the last use of keys.
type TrackingStart struct {
	Date time.Time `json:"date"`
}

var trackingStartKey = []byte("lastused/tracking-start")

// GetTrackingStart reads the TrackingStart record.
func GetTrackingStart(tx backend.Txn) (*TrackingStart, error) {
	var t TrackingStart
	if err := get(tx, trackingStartKey, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// PutTrackingStart writes the TrackingStart record.
func PutTrackingStart(tx backend.Txn, t *TrackingStart) error {
	return put(tx, trackingStartKey, t)
}
