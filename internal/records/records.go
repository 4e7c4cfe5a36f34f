// Package records defines how key and alias metadata is laid out in a
// backend: the record types, their JSON encoding and their backend keys.
//
// Backend key layout (all ASCII):
//
//	key/<account>/<region>/<key id>          -> Key (JSON)
//	alias/<account>/<region>/<alias name>    -> Alias (JSON); the alias
//	                                            name includes "alias/"
//
// Records are scoped by account and Region so several handles can share one
// backend. Key material inside a Key record is always wrapped under the
// root key (package keystore).
package records

import (
	"encoding/json"
	"errors"
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
	DeletionDate        time.Time           `json:"deletionDate,omitzero"`
	PendingWindowInDays int32               `json:"pendingWindowInDays,omitempty"`
	Policy              string              `json:"policy"`
	Tags                []Tag               `json:"tags,omitempty"`
	MultiRegion         bool                `json:"multiRegion,omitempty"`
	Materials           []keystore.Material `json:"materials"`
	CurrentMaterial     string              `json:"currentMaterial"`
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

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = backend.ErrNotFound

// GetKey reads a key record.
func GetKey(tx backend.Txn, account, region, keyID string) (*Key, error) {
	var k Key
	if err := get(tx, KeyKey(account, region, keyID), &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// PutKey writes a key record.
func PutKey(tx backend.Txn, k *Key) error {
	return put(tx, KeyKey(k.Account, k.Region, k.KeyID), k)
}

// DeleteKey removes a key record.
func DeleteKey(tx backend.Txn, account, region, keyID string) error {
	return tx.Delete(KeyKey(account, region, keyID))
}

// GetAlias reads an alias record.
func GetAlias(tx backend.Txn, account, region, name string) (*Alias, error) {
	var a Alias
	if err := get(tx, AliasKey(account, region, name), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// PutAlias writes an alias record.
func PutAlias(tx backend.Txn, account, region string, a *Alias) error {
	return put(tx, AliasKey(account, region, a.Name), a)
}

// DeleteAlias removes an alias record.
func DeleteAlias(tx backend.Txn, account, region, name string) error {
	return tx.Delete(AliasKey(account, region, name))
}

// DecodeKey decodes a key record read by a scan.
func DecodeKey(v []byte) (*Key, error) {
	var k Key
	if err := json.Unmarshal(v, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// DecodeAlias decodes an alias record read by a scan.
func DecodeAlias(v []byte) (*Alias, error) {
	var a Alias
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, err
	}
	return &a, nil
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
