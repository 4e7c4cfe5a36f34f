package kms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// ErrStoreInUse is returned by RewrapRootKey when a handle of this process
// is open on the store.
var ErrStoreInUse = errors.New("kms: a handle is open on the backend; close every handle before RewrapRootKey")

// rewrapPartitions are the ARN partitions RewrapRootKey tries, in order,
// to find the key ARN a wrapped material is bound to (key records do not
// name the partition of the handle that wrote them).
var rewrapPartitions = []string{
	"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
}

// RewrapRootKey moves store from the root key of old to the root key of
// next: it re-wraps every key's material (same material ids, so every
// ciphertext made before still decrypts), re-tags every record of every
// account and Region (key/, alias/, aliasbykey/, deletion/, rotation/,
// importexpiry/, grant/, keycount/, meta/store-id),
// replaces the root-key check value and old's source metadata by next's.
// Afterwards a handle opened with next reads everything, and old is
// refused with keystore.ErrWrongRootKey.
//
// All of it is ONE backend Update. Since every backend commits an Update
// atomically, including across a crash, a failure or a kill at any moment
// leaves the store either entirely under old or entirely under next: every
// key is readable under one of them, never neither. On any error nothing
// is changed; in particular old must match the store (else an error
// matching keystore.ErrWrongRootKey), every record must authenticate under
// it (else backend.ErrCorrupt), and a record RewrapRootKey does not know
// makes it fail rather than leave that record unreadable.
//
// No handle may be open on store while it runs, in this process or any
// other: a handle keeps using the root key it was opened with. A handle
// open in this process is detected (ErrStoreInUse); one in another process
// is not. next must be a source that has not been used on store (for a
// passphrase or AEAD source, its metadata is created afresh, with a new
// salt or a new random root key). The whole store is read and rewritten in
// one transaction, so a very large store needs a backend that allows
// large transactions.
//
// The partition of a key's ARN is not stored; RewrapRootKey finds it among
// the AWS partitions (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc). Keys
// written by a handle with another Options.Partition make it fail,
// changing nothing.
func RewrapRootKey(ctx context.Context, store backend.Store, old, next keystore.RootKeySource) error {
	return RewrapRootKeyWithOptions(ctx, store, old, next, RewrapOptions{})
}

// RewrapOptions configure RewrapRootKeyWithOptions.
type RewrapOptions struct {
	// Progress, if not nil, is called as the records of the store are
	// re-wrapped and re-tagged: with done = 0 once the records are
	// counted, then after each record, up to done = total. It runs inside
	// the rewrap transaction, so it must not use the store; a backend that
	// runs the transaction again (a conflict) starts the count again at 0.
	Progress func(done, total int)
}

// RewrapRootKeyWithOptions is RewrapRootKey with options: a progress
// callback for a tool to show how far the re-wrap of a large store is.
func RewrapRootKeyWithOptions(ctx context.Context, store backend.Store, old, next keystore.RootKeySource, opts RewrapOptions) error {
	if store == nil || old == nil || next == nil {
		return errors.New("kms: RewrapRootKey needs a store and both root key sources")
	}
	// A store no root key was ever verified on has nothing to rewrap; and
	// asking old for its key there could initialise it.
	var hasCheck bool
	if err := store.View(ctx, func(tx backend.Txn) error {
		_, err := tx.Get(checkValueKey)
		hasCheck = err == nil
		if errors.Is(err, backend.ErrNotFound) {
			return nil
		}
		return err
	}); err != nil {
		return err
	}
	if !hasCheck {
		return errors.New("kms: RewrapRootKey: the backend was never opened under a root key")
	}
	oldRoot, err := old.RootKey(ctx, store)
	if err != nil {
		return err
	}
	if err := oldRoot.Verify(ctx, store); err != nil {
		return err
	}
	// next creates its key and metadata in an empty scratch store; they
	// are copied into store in the rewrap transaction.
	scratch := memory.New()
	defer scratch.Close()
	newRoot, err := next.RootKey(ctx, scratch)
	if err != nil {
		return err
	}
	var newMeta [][2][]byte
	if err := scratch.View(ctx, func(tx backend.Txn) error {
		var bad []byte
		err := tx.Scan(nil, nil, func(k, v []byte) bool {
			if !bytes.HasPrefix(k, []byte(keystore.SourceMetaPrefix)) {
				bad = k
				return false
			}
			newMeta = append(newMeta, [2][]byte{k, v})
			return true
		})
		if err == nil && bad != nil {
			err = fmt.Errorf("kms: RewrapRootKey: the new root key source stores %q, outside %s", bad, keystore.SourceMetaPrefix)
		}
		return err
	}); err != nil {
		return err
	}

	// Hold the registry of open handles so none opens in this process
	// while the store changes under it.
	sharedMu.Lock()
	defer sharedMu.Unlock()
	id, err := storeIDIfAny(ctx, oldRoot.Authenticated(store))
	if err != nil {
		return err
	}
	if id != "" && sharedFor[oldRoot.ID()+"/"+id] != nil {
		return ErrStoreInUse
	}
	return store.Update(ctx, func(tx backend.Txn) error {
		return rewrapTxn(tx, oldRoot, newRoot, newMeta, opts.Progress)
	})
}

var checkValueKey = []byte("meta/rootkey-check")

// storeIDIfAny returns the identity of the authenticated store s, or "" if
// it has none yet.
func storeIDIfAny(ctx context.Context, s backend.Store) (string, error) {
	var id string
	err := s.View(ctx, func(tx backend.Txn) error {
		v, err := tx.Get(storeIDKey)
		if errors.Is(err, backend.ErrNotFound) {
			return nil
		}
		id = string(v)
		return err
	})
	return id, err
}

// rewrapTxn does RewrapRootKey's work inside one transaction.
func rewrapTxn(tx backend.Txn, oldRoot, newRoot *keystore.RootKey, newMeta [][2][]byte, progress func(done, total int)) error {
	if err := oldRoot.ReplaceCheck(tx, newRoot); err != nil {
		return err
	}
	// Read everything first: the writes below must not run under a Scan.
	var keys [][]byte
	if err := tx.Scan(nil, nil, func(k, _ []byte) bool {
		keys = append(keys, k)
		return true
	}); err != nil {
		return err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(0, len(keys))
	oldTx, newTx := oldRoot.AuthenticatedTxn(tx), newRoot.AuthenticatedTxn(tx)
	for i, k := range keys {
		if i > 0 {
			progress(i, len(keys))
		}
		switch {
		case keystore.IsCheckValue(k):
			continue // replaced above
		case keystore.IsSourceMeta(k):
			if err := tx.Delete(k); err != nil {
				return err
			}
			continue
		case hasAnyPrefix(k, "key/", "alias/", "aliasbykey/", "deletion/", "rotation/", "importexpiry/", "grant/", "keycount/", "lastused/",
			"customkeystore/", "customkeystorename/", "customkeystorekey/") || bytes.Equal(k, storeIDKey):
		default:
			return fmt.Errorf("kms: RewrapRootKey: the backend holds a record it does not know, %q; nothing was changed", k)
		}
		v, err := oldTx.Get(k)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(k, []byte("key/")) {
			if v, err = rewrapKeyRecord(k, v, oldRoot, newRoot); err != nil {
				return err
			}
		}
		if bytes.HasPrefix(k, []byte("customkeystore/")) {
			if v, err = rewrapCustomKeyStoreRecord(k, v, oldRoot, newRoot); err != nil {
				return err
			}
		}
		if err := newTx.Set(k, v); err != nil {
			return err
		}
	}
	for _, kv := range newMeta {
		if err := tx.Set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	progress(len(keys), len(keys))
	return nil
}

func hasAnyPrefix(k []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(k, []byte(p)) {
			return true
		}
	}
	return false
}

// rewrapKeyRecord returns the key record v (stored at k) with every
// material re-wrapped from oldRoot to newRoot under the same material id
// and owner. Fields other than the materials are kept as they are, even
// ones this version does not know.
func rewrapKeyRecord(k, v []byte, oldRoot, newRoot *keystore.RootKey) ([]byte, error) {
	var rec records.Key
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("%w: key record %q: %v", backend.ErrCorrupt, k, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil {
		return nil, fmt.Errorf("%w: key record %q: %v", backend.ErrCorrupt, k, err)
	}
	partition := ""
	mats := rec.Materials
	if rec.ImportIdentity != nil {
		// The identity key of imported material is wrapped like a
		// material: it must survive the move, or material deleted
		// before it could never be re-imported.
		mats = append(slices.Clone(mats), *rec.ImportIdentity)
	}
	for i, m := range mats {
		var secret []byte
		var owner string
		for _, p := range rewrapPartitions {
			if partition != "" && p != partition {
				continue
			}
			owner = keystore.MaterialOwner(arn.Key(p, rec.Region, rec.Account, rec.KeyID), m.ID)
			if s, err := oldRoot.Unwrap(m.Wrapped, owner); err == nil {
				secret, partition = s, p
				break
			}
		}
		if secret == nil {
			return nil, fmt.Errorf("%w: key record %q: material %s does not unwrap under the old root key for any known partition", backend.ErrCorrupt, k, m.ID)
		}
		w, err := newRoot.Wrap(secret, owner)
		clear(secret)
		if err != nil {
			return nil, err
		}
		mats[i].Wrapped = w
	}
	if rec.ImportIdentity != nil {
		rec.ImportIdentity.Wrapped = mats[len(mats)-1].Wrapped
		b, err := json.Marshal(rec.ImportIdentity)
		if err != nil {
			return nil, err
		}
		fields["importIdentity"] = b
	}
	b, err := json.Marshal(rec.Materials)
	if err != nil {
		return nil, err
	}
	fields["materials"] = b
	return json.Marshal(fields)
}
