package kms

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
)

// MaxAliasesPerKey is how many aliases may point at one key (AWS KMS
// Developer Guide, "Quotas": aliases per KMS key, 50).
const MaxAliasesPerKey = 50

var (
	opCreateAlias = op("CreateAlias", false, false)
	opUpdateAlias = op("UpdateAlias", false, false)
	opDeleteAlias = op("DeleteAlias", false, false)
	opListAliases = op("ListAliases", false, false)
)

var aliasNameRE = newModelPattern(`^[a-zA-Z0-9:/_-]+$`)

const aliasPrefixMessage = `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`

// checkAliasName checks an AliasNameType member and the "alias/" prefix.
// forCreate adds CreateAlias's rules for new names (a name after the
// prefix, "alias/aws/" reserved), which give InvalidAliasNameException: the
// only operation whose model lists that error. Other operations just fail
// to find such a name.
func checkAliasName(name string, forCreate bool) error {
	var v validator
	if v.required("aliasName", name) {
		v.length("aliasName", name, 1, 256)
		v.pattern("aliasName", name, aliasNameRE)
	}
	if err := v.err(); err != nil {
		return err
	}
	if !strings.HasPrefix(name, "alias/") {
		return invalid(aliasPrefixMessage)
	}
	if !forCreate {
		return nil
	}
	if name == "alias/" {
		return newErr(ErrInvalidAliasName, "Alias name must have a name after the prefix \"alias/\"")
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return newErr(ErrInvalidAliasName, "Alias names that begin with alias/aws/ are reserved for AWS managed keys")
	}
	return nil
}

// aliasTxn holds what an alias write needs inside its transaction.
type aliasTxn struct {
	k  *KMS
	tx backend.Txn
}

// target loads the key an alias is to point at, and checks the caller may
// perform o on the alias, on that key and on the key the alias points at
// now (old, nil for a new alias), that the key's state allows o, and that
// it has room for one more alias. Staying on old adds no alias.
func (a aliasTxn) target(ctx context.Context, aliasName, targetKeyID string, old *records.Key, o keyOp) (*records.Key, error) {
	rec, ref, err := a.k.txKey(a.tx, targetKeyID, o)
	if err != nil {
		return nil, err
	}
	keyARN := a.k.keyARN(ref)
	on := []resource{onAlias(a.k.aliasARN(keyRef{a.k.account, a.k.region, aliasName})), {arn: keyARN, rec: rec, tx: a.tx}}
	if old != nil && old.KeyID != rec.KeyID {
		on = append(on, resource{arn: a.k.recARN(old), rec: old, tx: a.tx})
	}
	if err := a.k.authorize(ctx, o, authzExtra{}, on...); err != nil {
		return nil, err
	}
	if err := o.checkState(KeyState(rec.State), keyARN); err != nil {
		return nil, err
	}
	if old != nil && rec.KeyID == old.KeyID {
		return rec, nil
	}
	names, err := records.AliasesOf(a.tx, a.k.account, a.k.region, rec.KeyID)
	if err != nil {
		return nil, err
	}
	if n := len(names); n >= MaxAliasesPerKey {
		return nil, newErr(ErrLimitExceeded, "Key %s already has %d aliases, the maximum", keyARN, MaxAliasesPerKey)
	}
	return rec, nil
}

// writeAlias runs fn in a transaction and then drops the alias from the
// cache. A key found due for deletion is purged and reported as not found.
func (k *KMS) writeAlias(ctx context.Context, name string, fn func(a aliasTxn) error) error {
	// Keys past their deletion date go first, with their aliases, so a
	// name they held is free and no write sees a deleted key's alias.
	if err := k.sweep(ctx); err != nil {
		return err
	}
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		return fn(aliasTxn{k: k, tx: tx})
	})
	if err != nil {
		return internal(k.purgeIfDue(ctx, err))
	}
	k.shared.invalidate(nil, []keyRef{{k.account, k.region, name}})
	return nil
}

// CreateAlias creates an alias for a key in the handle's account. The name
// must begin with "alias/" and not with "alias/aws/"; TargetKeyId is a key
// id or key ARN.
func (k *KMS) CreateAlias(ctx context.Context, in *CreateAliasInput) (result *CreateAliasOutput, opErr error) {
	defer finish(k.audit(&ctx, "CreateAlias", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &CreateAliasInput{}
	}
	var v validator
	v.keyID("targetKeyId", in.TargetKeyId)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkAliasName(in.AliasName, true); err != nil {
		return nil, err
	}
	err := k.writeAlias(ctx, in.AliasName, func(a aliasTxn) error {
		if _, err := records.GetAlias(a.tx, k.account, k.region, in.AliasName); err == nil {
			return newErr(ErrAlreadyExists, "An alias with the name %s already exists", k.aliasARN(keyRef{k.account, k.region, in.AliasName}))
		} else if !errors.Is(err, backend.ErrNotFound) {
			return err
		}
		rec, err := a.target(ctx, in.AliasName, in.TargetKeyId, nil, opCreateAlias)
		if err != nil {
			return err
		}
		now := k.clock.Now().UTC()
		return records.PutAlias(a.tx, k.account, k.region, &records.Alias{
			Name: in.AliasName, TargetKeyID: rec.KeyID, CreationDate: now, LastUpdatedDate: now,
		})
	})
	if err != nil {
		return nil, err
	}
	return &CreateAliasOutput{}, nil
}

// UpdateAlias points an existing alias at another key of the same key spec
// and key usage. The predefined aliases of AWS managed keys
// (alias/aws/<service>) cannot be changed, and no alias may point at an
// AWS managed key: AccessDeniedException.
func (k *KMS) UpdateAlias(ctx context.Context, in *UpdateAliasInput) (result *UpdateAliasOutput, opErr error) {
	defer finish(k.audit(&ctx, "UpdateAlias", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &UpdateAliasInput{}
	}
	var v validator
	v.keyID("targetKeyId", in.TargetKeyId)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkAliasName(in.AliasName, false); err != nil {
		return nil, err
	}
	if err := k.refuseManagedAlias(ctx, in.AliasName, opUpdateAlias); err != nil {
		return nil, err
	}
	err := k.writeAlias(ctx, in.AliasName, func(a aliasTxn) error {
		al, err := records.GetAlias(a.tx, k.account, k.region, in.AliasName)
		if errors.Is(err, backend.ErrNotFound) {
			return k.aliasNotFound(keyRef{k.account, k.region, in.AliasName})
		}
		if err != nil {
			return err
		}
		// The key the alias points at now exists: a deleted key's aliases
		// are deleted with it.
		old, err := records.GetKey(a.tx, k.account, k.region, al.TargetKeyID)
		if errors.Is(err, backend.ErrNotFound) {
			return fmt.Errorf("%w: %s points at key %s, which does not exist", backend.ErrCorrupt, in.AliasName, al.TargetKeyID)
		}
		if err != nil {
			return err
		}
		rec, err := a.target(ctx, in.AliasName, in.TargetKeyId, old, opUpdateAlias)
		if err != nil {
			return err
		}
		// "The current and new KMS key must be the same type ... and they
		// must have the same key usage" (UpdateAlias, API reference).
		if old.KeySpec != rec.KeySpec || old.KeyUsage != rec.KeyUsage {
			return invalid("%s and %s are not the same key type and key usage: an alias can be moved only between keys of the same type and usage",
				k.recARN(old), k.recARN(rec))
		}
		al.TargetKeyID = rec.KeyID
		al.LastUpdatedDate = k.clock.Now().UTC()
		return records.PutAlias(a.tx, k.account, k.region, al)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateAliasOutput{}, nil
}

// DeleteAlias deletes an alias; the key is not affected. The predefined
// aliases of AWS managed keys (alias/aws/<service>) cannot be deleted:
// AccessDeniedException.
func (k *KMS) DeleteAlias(ctx context.Context, in *DeleteAliasInput) (result *DeleteAliasOutput, opErr error) {
	defer finish(k.audit(&ctx, "DeleteAlias", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DeleteAliasInput{}
	}
	if err := checkAliasName(in.AliasName, false); err != nil {
		return nil, err
	}
	if err := k.refuseManagedAlias(ctx, in.AliasName, opDeleteAlias); err != nil {
		return nil, err
	}
	err := k.writeAlias(ctx, in.AliasName, func(a aliasTxn) error {
		ref := keyRef{k.account, k.region, in.AliasName}
		al, err := records.GetAlias(a.tx, k.account, k.region, in.AliasName)
		if errors.Is(err, backend.ErrNotFound) {
			return k.aliasNotFound(ref)
		}
		if err != nil {
			return err
		}
		on := []resource{onAlias(k.aliasARN(ref))}
		rec, err := records.GetKey(a.tx, k.account, k.region, al.TargetKeyID)
		switch {
		case err == nil:
			on = append(on, resource{arn: k.recARN(rec), rec: rec, tx: a.tx})
		case !errors.Is(err, backend.ErrNotFound):
			return err
		}
		// A key deleted with its aliases left behind (a damaged store) does
		// not keep its aliases from being deleted.
		if err := k.authorize(ctx, opDeleteAlias, authzExtra{}, on...); err != nil {
			return err
		}
		return records.DeleteAlias(a.tx, k.account, k.region, in.AliasName)
	})
	if err != nil {
		return nil, err
	}
	return &DeleteAliasOutput{}, nil
}

// ListAliases lists the aliases of the handle's account and Region in name
// order, the predefined aliases of AWS managed keys included (without
// TargetKeyId until the key exists), or with KeyId (a key id or key ARN)
// only those pointing at that key. Limit is 1..100 (default 50; larger values are clamped to 100).
func (k *KMS) ListAliases(ctx context.Context, in *ListAliasesInput) (result *ListAliasesOutput, opErr error) {
	defer finish(k.audit(&ctx, "ListAliases", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ListAliasesInput{}
	}
	var v validator
	v.optKeyID("keyId", in.KeyId)
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	start, err := decodeMarker("alias", in.Marker)
	if err != nil {
		return nil, err
	}
	if err := k.sweep(ctx); err != nil {
		return nil, err
	}
	filter := ""
	if in.KeyId != "" {
		ck, err := k.entry(ctx, in.KeyId, opListAliases)
		if err != nil {
			return nil, err
		}
		if ck.rec.Account != k.account {
			return nil, newErr(ErrNotFound, "Invalid arn '%s'", in.KeyId)
		}
		filter = ck.rec.KeyID
	}
	if err := k.authorize(ctx, opListAliases, authzExtra{}); err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 50, 100)
	out := &ListAliasesOutput{Aliases: []AliasListEntry{}}
	add := func(al *records.Alias) bool {
		if len(out.Aliases) == limit {
			out.NextMarker = encodeMarker("alias", al.Name)
			return false
		}
		out.Aliases = append(out.Aliases, AliasListEntry{
			AliasName:       al.Name,
			AliasArn:        arn.Alias(k.partition, k.region, k.account, al.Name),
			TargetKeyId:     al.TargetKeyID,
			CreationDate:    al.CreationDate,
			LastUpdatedDate: al.LastUpdatedDate,
		})
		return true
	}
	err = k.store.View(ctx, func(tx backend.Txn) error {
		out.Aliases, out.NextMarker = out.Aliases[:0], ""
		if filter != "" { // read only this key's aliases, through the index
			names, err := records.AliasesOf(tx, k.account, k.region, filter)
			if err != nil {
				return err
			}
			for _, n := range names {
				if n < start {
					continue
				}
				al, err := records.GetAlias(tx, k.account, k.region, n)
				if err != nil {
					return err
				}
				if !add(al) {
					break
				}
			}
			return nil
		}
		// The predefined aliases of AWS managed keys not created yet
		// are listed too, without TargetKeyId (AWS KMS Developer Guide,
		// "Listing aliases": "The response might also include aliases
		// that have no TargetKeyId field. These are predefined aliases
		// that AWS has created but has not yet associated with a KMS
		// key"; the ListAliases example of the AWS CLI reference lists
		// alias/aws/redshift so), merged in name order.
		pre := managedAliasNames[sort.SearchStrings(managedAliasNames, start):]
		addPre := func(name string) bool {
			return add(&records.Alias{Name: name})
		}
		more := true
		err := records.ScanAliases(tx, k.account, k.region, start, func(al *records.Alias) bool {
			for len(pre) > 0 && pre[0] < al.Name {
				if more = addPre(pre[0]); !more {
					return false
				}
				pre = pre[1:]
			}
			if len(pre) > 0 && pre[0] == al.Name { // created: listed as stored
				pre = pre[1:]
			}
			more = add(al)
			return more
		})
		for ; err == nil && more && len(pre) > 0; pre = pre[1:] {
			more = addPre(pre[0])
		}
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	out.Truncated = out.NextMarker != ""
	return out, nil
}
