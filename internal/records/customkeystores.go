package records

import (
	"errors"
	"time"

	"github.com/embedkms/kms/backend"
)

// Custom key stores are stored beside keys and aliases:
//
//	customkeystore/<account>/<region>/<custom key store id>
//	                                         -> CustomKeyStore (JSON)
//	customkeystorename/<account>/<region>/<name>
//	                                         -> the id; the names are
//	                                            unique in an account and
//	                                            Region
//
// PutCustomKeyStore and DeleteCustomKeyStore keep the name index in step.

// CustomKeyStore is a stored custom key store. Its secrets (the
// KeyStorePassword of an AWS_CLOUDHSM store, the RawSecretAccessKey of an
// EXTERNAL_KEY_STORE) are wrapped under the root key by the handle.
type CustomKeyStore struct {
	ID           string    `json:"id"`
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	Name         string    `json:"name"`
	Type         string    `json:"type"` // AWS_CLOUDHSM or EXTERNAL_KEY_STORE
	CreationDate time.Time `json:"creationDate"`
	// ConnectionState is CONNECTED, DISCONNECTED or FAILED (CONNECTING
	// and DISCONNECTING last only inside one call).
	ConnectionState     string `json:"connectionState"`
	ConnectionErrorCode string `json:"connectionErrorCode,omitempty"` // when FAILED

	CloudHsmClusterID       string `json:"cloudHsmClusterId,omitempty"`
	TrustAnchorCertificate  string `json:"trustAnchorCertificate,omitempty"`
	WrappedKeyStorePassword []byte `json:"wrappedKeyStorePassword,omitempty"`

	XksURIEndpoint             string `json:"xksUriEndpoint,omitempty"`
	XksURIPath                 string `json:"xksUriPath,omitempty"`
	XksConnectivity            string `json:"xksConnectivity,omitempty"`
	XksVpcEndpointServiceName  string `json:"xksVpcEndpointServiceName,omitempty"`
	XksVpcEndpointServiceOwner string `json:"xksVpcEndpointServiceOwner,omitempty"`
	XksAccessKeyID             string `json:"xksAccessKeyId,omitempty"`
	WrappedXksSecret           []byte `json:"wrappedXksSecret,omitempty"`
}

// CustomKeyStorePrefix returns the prefix of the custom key store records
// of an account and Region.
func CustomKeyStorePrefix(account, region string) []byte {
	return []byte("customkeystore/" + account + "/" + region + "/")
}

// CustomKeyStoreKey returns the backend key of a custom key store record.
func CustomKeyStoreKey(account, region, id string) []byte {
	return append(CustomKeyStorePrefix(account, region), id...)
}

func customKeyStoreNameKey(account, region, name string) []byte {
	return []byte("customkeystorename/" + account + "/" + region + "/" + name)
}

// GetCustomKeyStore reads a custom key store record.
func GetCustomKeyStore(tx backend.Txn, account, region, id string) (*CustomKeyStore, error) {
	var s CustomKeyStore
	if err := get(tx, CustomKeyStoreKey(account, region, id), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// CustomKeyStoreByName returns the id of the account and Region's custom
// key store with the name, or backend.ErrNotFound.
func CustomKeyStoreByName(tx backend.Txn, account, region, name string) (string, error) {
	v, err := tx.Get(customKeyStoreNameKey(account, region, name))
	if err != nil {
		return "", err
	}
	return string(v), nil
}

// PutCustomKeyStore writes a custom key store record and its name index,
// dropping the index entry of a former name.
func PutCustomKeyStore(tx backend.Txn, s *CustomKeyStore) error {
	old, err := GetCustomKeyStore(tx, s.Account, s.Region, s.ID)
	switch {
	case errors.Is(err, backend.ErrNotFound):
	case err != nil:
		return err
	case old.Name != s.Name:
		if err := tx.Delete(customKeyStoreNameKey(s.Account, s.Region, old.Name)); err != nil {
			return err
		}
	}
	if err := tx.Set(customKeyStoreNameKey(s.Account, s.Region, s.Name), []byte(s.ID)); err != nil {
		return err
	}
	return put(tx, CustomKeyStoreKey(s.Account, s.Region, s.ID), s)
}

// DeleteCustomKeyStore removes a custom key store record and its name
// index entry.
func DeleteCustomKeyStore(tx backend.Txn, account, region, id string) error {
	s, err := GetCustomKeyStore(tx, account, region, id)
	if err != nil {
		return err
	}
	if err := tx.Delete(customKeyStoreNameKey(account, region, s.Name)); err != nil {
		return err
	}
	return tx.Delete(CustomKeyStoreKey(account, region, id))
}

// ScanCustomKeyStores calls fn for each custom key store of an account and
// Region with id >= start, in id order, until fn returns false.
func ScanCustomKeyStores(tx backend.Txn, account, region, start string, fn func(*CustomKeyStore) bool) error {
	return scan(tx, CustomKeyStorePrefix(account, region), start, fn)
}

// The keys of a custom key store are indexed so DeleteCustomKeyStore can
// refuse a store that still has keys:
//
//	customkeystorekey/<account>/<region>/<custom key store id>/<key id>
//	                                         -> empty

func customKeyStoreKeyPrefix(account, region, storeID string) []byte {
	return []byte("customkeystorekey/" + account + "/" + region + "/" + storeID + "/")
}

// AddCustomKeyStoreKey records that the key lives in the custom key store.
func AddCustomKeyStoreKey(tx backend.Txn, account, region, storeID, keyID string) error {
	return tx.Set(append(customKeyStoreKeyPrefix(account, region, storeID), keyID...), nil)
}

// RemoveCustomKeyStoreKey forgets a key of a custom key store (the key was
// deleted).
func RemoveCustomKeyStoreKey(tx backend.Txn, account, region, storeID, keyID string) error {
	return tx.Delete(append(customKeyStoreKeyPrefix(account, region, storeID), keyID...))
}

// CustomKeyStoreHasKeys reports whether any key lives in the custom key
// store.
func CustomKeyStoreHasKeys(tx backend.Txn, account, region, storeID string) (bool, error) {
	found := false
	err := tx.Scan(customKeyStoreKeyPrefix(account, region, storeID), nil, func(_, _ []byte) bool {
		found = true
		return false
	})
	return found, err
}

// ScanCustomKeyStoreKeys calls fn with the id of each key of the custom key
// store, in id order, until fn returns false.
func ScanCustomKeyStoreKeys(tx backend.Txn, account, region, storeID string, fn func(keyID string) bool) error {
	prefix := customKeyStoreKeyPrefix(account, region, storeID)
	return tx.Scan(prefix, nil, func(k, _ []byte) bool {
		return fn(string(k[len(prefix):]))
	})
}
