package kms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
)

// rerunStore runs every Update's function twice, as a store that retries
// after a serialization failure does (backend.Store: "fn may be called
// more than once"): first in a transaction it then discards, then for
// real.
type rerunStore struct{ *memory.Store }

var errDiscarded = errors.New("first attempt discarded")

func (s rerunStore) Update(ctx context.Context, fn func(backend.Txn) error) error {
	if err := s.Store.Update(ctx, func(tx backend.Txn) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errDiscarded
	}); err != nil && !errors.Is(err, errDiscarded) {
		return err
	}
	return s.Store.Update(ctx, fn)
}

// TestUpdateRerunLeaksNothing: the operations give the same outcomes on
// a store that reruns every transaction as on one that runs it once: no
// operation keeps state from a discarded first attempt (an alias, tag,
// grant, rotation or replica counted twice).
func TestUpdateRerunLeaksNothing(t *testing.T) {
	run := func(s backend.Store) []string {
		k, err := New(Options{Backend: s, RootKey: bytes.Repeat([]byte{3}, 32), Clock: fixedClock{}})
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		ctx := context.Background()
		var log []string
		note := func(what string, err error, detail ...any) {
			c := "ok"
			var e *Error
			if errors.As(err, &e) {
				c = string(e.Code)
			} else if err != nil {
				c = err.Error()
			}
			log = append(log, what+": "+c+fmt.Sprint(detail...))
		}
		ck, err := k.CreateKey(ctx, &CreateKeyInput{MultiRegion: true, Tags: []Tag{{TagKey: "a", TagValue: "1"}}})
		if err != nil {
			t.Fatal(err)
		}
		id := ck.KeyMetadata.KeyId
		_, err = k.CreateAlias(ctx, &CreateAliasInput{AliasName: "alias/one", TargetKeyId: id})
		note("CreateAlias", err)
		_, err = k.CreateAlias(ctx, &CreateAliasInput{AliasName: "alias/one", TargetKeyId: id})
		note("CreateAlias again", err)
		_, err = k.TagResource(ctx, &TagResourceInput{KeyId: id, Tags: []Tag{{TagKey: "b", TagValue: "2"}}})
		note("TagResource", err)
		tags, err := k.ListResourceTags(ctx, &ListResourceTagsInput{KeyId: id})
		note("ListResourceTags", err, " ", len(tags.Tags))
		g, err := k.CreateGrant(ctx, &CreateGrantInput{KeyId: id, GranteePrincipal: "arn:aws:iam::111122223333:user/g", Operations: []GrantOperation{GrantOperationEncrypt}})
		note("CreateGrant", err)
		grants, err := k.ListGrants(ctx, &ListGrantsInput{KeyId: id})
		note("ListGrants", err, " ", len(grants.Grants))
		_, err = k.RevokeGrant(ctx, &RevokeGrantInput{KeyId: id, GrantId: g.GrantId})
		note("RevokeGrant", err)
		_, err = k.RotateKeyOnDemand(ctx, &RotateKeyOnDemandInput{KeyId: id})
		note("RotateKeyOnDemand", err)
		rot, err := k.ListKeyRotations(ctx, &ListKeyRotationsInput{KeyId: id})
		note("ListKeyRotations", err, " ", len(rot.Rotations))
		_, err = k.ReplicateKey(ctx, &ReplicateKeyInput{KeyId: id, ReplicaRegion: "eu-west-1"})
		note("ReplicateKey", err)
		d, err := k.DescribeKey(ctx, &DescribeKeyInput{KeyId: id})
		note("DescribeKey", err, " ", len(d.KeyMetadata.MultiRegionConfiguration.ReplicaKeys))
		_, err = k.ScheduleKeyDeletion(ctx, &ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 7})
		note("ScheduleKeyDeletion", err)
		_, err = k.CancelKeyDeletion(ctx, &CancelKeyDeletionInput{KeyId: id})
		note("CancelKeyDeletion", err)
		al, err := k.ListAliases(ctx, &ListAliasesInput{KeyId: id})
		note("ListAliases", err, " ", len(al.Aliases))
		keys, err := k.ListKeys(ctx, &ListKeysInput{})
		note("ListKeys", err, " ", len(keys.Keys))
		out, err := k.Encrypt(ctx, &EncryptInput{KeyId: "alias/one", Plaintext: []byte("x")})
		note("Encrypt", err)
		if err == nil {
			_, err = k.Decrypt(ctx, &DecryptInput{CiphertextBlob: out.CiphertextBlob})
			note("Decrypt", err)
		}
		return log
	}
	once := run(memory.New())
	twice := run(rerunStore{memory.New()})
	if !slices.Equal(once, twice) {
		t.Errorf("outcomes differ when every transaction is rerun:\nonce:  %s\ntwice: %s", strings.Join(once, "; "), strings.Join(twice, "; "))
	}
}
