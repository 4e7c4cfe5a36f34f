package kms

import (
	"context"
	"errors"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

// TestDeleteCustomKeyStoreWithKeys: a store that still holds a key (in the
// index CreateKey keeps) is CustomKeyStoreHasCMKsException, and deletable
// once the key is gone.
func TestDeleteCustomKeyStoreWithKeys(t *testing.T) {
	ctx := context.Background()
	k, err := New(Options{CloudHsmClusters: map[string]PKCS11Cluster{"cluster-234567abcdefg": {Module: "/nonexistent.so", TokenLabel: "t"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	out, err := k.CreateCustomKeyStore(ctx, &CreateCustomKeyStoreInput{CustomKeyStoreName: "s", CloudHsmClusterId: "cluster-234567abcdefg",
		TrustAnchorCertificate: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----", KeyStorePassword: "1234567"})
	if err != nil {
		t.Fatal(err)
	}
	id := out.CustomKeyStoreId
	const keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	if err := k.store.Update(ctx, func(tx backend.Txn) error {
		return records.AddCustomKeyStoreKey(tx, k.account, k.region, id, keyID)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DeleteCustomKeyStore(ctx, &DeleteCustomKeyStoreInput{CustomKeyStoreId: id}); !errors.Is(err, ErrCustomKeyStoreHasCMKs) {
		t.Fatalf("DeleteCustomKeyStore with a key: %v", err)
	}
	if err := k.store.Update(ctx, func(tx backend.Txn) error {
		return records.RemoveCustomKeyStoreKey(tx, k.account, k.region, id, keyID)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DeleteCustomKeyStore(ctx, &DeleteCustomKeyStoreInput{CustomKeyStoreId: id}); err != nil {
		t.Fatal(err)
	}
}
