package kms_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/kmstest"
)

const (
	mrEast  = "us-east-1"
	mrWest  = "eu-west-1"
	mrSouth = "ap-southeast-1"
)

// mrSet is one handle per Region on one backend and one fake clock.
type mrSet struct {
	clock *kmstest.Clock
	h     map[string]*kms.KMS
}

func newMRSet(t *testing.T, opts kms.Options, regions ...string) *mrSet {
	t.Helper()
	b := memory.New()
	t.Cleanup(func() { b.Close() })
	s := &mrSet{clock: kmstest.NewClock(kmstest.Start), h: map[string]*kms.KMS{}}
	root := crypto.Random(32)
	if len(regions) == 0 {
		regions = []string{mrEast, mrWest, mrSouth}
	}
	for _, r := range regions {
		o := opts
		o.Backend, o.RootKey, o.Region, o.Clock = b, root, r, s.clock
		s.h[r], _ = kmstest.NewWithOptions(t, o)
	}
	return s
}

func (s *mrSet) primary(t *testing.T, in *kms.CreateKeyInput) *kms.KeyMetadata {
	t.Helper()
	if in == nil {
		in = &kms.CreateKeyInput{}
	}
	in.MultiRegion = true
	out, err := s.h[mrEast].CreateKey(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

func (s *mrSet) replicate(t *testing.T, from, keyID, to string) *kms.ReplicateKeyOutput {
	t.Helper()
	out, err := s.h[from].ReplicateKey(t.Context(), &kms.ReplicateKeyInput{KeyId: keyID, ReplicaRegion: to})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (s *mrSet) describe(t *testing.T, region, keyID string) *kms.KeyMetadata {
	t.Helper()
	out, err := s.h[region].DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		t.Fatalf("DescribeKey in %s: %v", region, err)
	}
	return out.KeyMetadata
}

func mrARN(region, keyID string) string {
	return "arn:aws:kms:" + region + ":111122223333:key/" + keyID
}

// wantConfig checks a copy's MultiRegionConfiguration.
func wantConfig(t *testing.T, md *kms.KeyMetadata, typ kms.MultiRegionKeyType, primary string, replicas ...string) {
	t.Helper()
	c := md.MultiRegionConfiguration
	if !md.MultiRegion || c == nil {
		t.Fatalf("%s: no multi-Region configuration", md.Arn)
	}
	if c.MultiRegionKeyType != typ || c.PrimaryKey == nil || c.PrimaryKey.Region != primary || c.PrimaryKey.Arn != mrARN(primary, md.KeyId) {
		t.Errorf("%s: type %s primary %+v, want %s primary %s", md.Arn, c.MultiRegionKeyType, c.PrimaryKey, typ, primary)
	}
	var got []string
	for _, r := range c.ReplicaKeys {
		got = append(got, r.Region)
		if r.Arn != mrARN(r.Region, md.KeyId) {
			t.Errorf("%s: replica %+v", md.Arn, r)
		}
	}
	if !slices.Equal(got, replicas) {
		t.Errorf("%s: replicas %v, want %v", md.Arn, got, replicas)
	}
}

// ReplicateKey makes the key in the other Region with the primary's key
// id, spec and material, and its own description, tags and policy; the
// output shows it Creating (LocalStack's test_kms.snapshot.json,
// test_replicate_key), DescribeKey then Enabled, and every copy's
// configuration lists it.
func TestReplicateKey(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	p := s.primary(t, &kms.CreateKeyInput{Description: "primary", Tags: []kms.Tag{{TagKey: "side", TagValue: "east"}}})
	wantConfig(t, p, kms.MultiRegionKeyTypePrimary, mrEast)
	// Filled in the cache before: the replication must invalidate it.
	s.describe(t, mrEast, p.KeyId)
	tags := []kms.Tag{{TagKey: "side", TagValue: "west"}}
	out, err := s.h[mrEast].ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p.Arn, ReplicaRegion: mrWest, Description: "replica", Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	md := out.ReplicaKeyMetadata
	if md.KeyId != p.KeyId || md.Arn != mrARN(mrWest, p.KeyId) || md.KeyState != kms.KeyStateCreating || md.Enabled || md.CurrentKeyMaterialId != "" || md.Description != "replica" || md.KeySpec != p.KeySpec || md.KeyUsage != p.KeyUsage || md.Origin != p.Origin {
		t.Errorf("ReplicaKeyMetadata %+v", md)
	}
	wantConfig(t, md, kms.MultiRegionKeyTypeReplica, mrEast, mrWest)
	if want := `"arn:aws:iam::111122223333:root"`; !bytes.Contains([]byte(out.ReplicaPolicy), []byte(want)) {
		t.Errorf("ReplicaPolicy %s: not the default key policy", out.ReplicaPolicy)
	}
	if !slices.Equal(out.ReplicaTags, tags) {
		t.Errorf("ReplicaTags %v", out.ReplicaTags)
	}
	west := s.describe(t, mrWest, p.KeyId)
	if west.KeyState != kms.KeyStateEnabled || !west.Enabled || west.CurrentKeyMaterialId != p.CurrentKeyMaterialId || west.Description != "replica" {
		t.Errorf("replica %+v", west)
	}
	wantConfig(t, west, kms.MultiRegionKeyTypeReplica, mrEast, mrWest)
	east := s.describe(t, mrEast, p.KeyId)
	wantConfig(t, east, kms.MultiRegionKeyTypePrimary, mrEast, mrWest)
	if east.Description != "primary" {
		t.Errorf("primary description %q", east.Description)
	}
	wt, err := s.h[mrWest].ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: p.KeyId})
	if err != nil || !slices.Equal(wt.Tags, tags) {
		t.Errorf("replica tags %v, %v", wt, err)
	}
	// No ReplicaTags when none are given; a third copy is listed by all.
	out = s.replicate(t, mrEast, p.KeyId, mrSouth)
	if out.ReplicaTags != nil {
		t.Errorf("ReplicaTags %v, want none", out.ReplicaTags)
	}
	for _, r := range []string{mrEast, mrWest, mrSouth} {
		typ := kms.MultiRegionKeyTypeReplica
		if r == mrEast {
			typ = kms.MultiRegionKeyTypePrimary
		}
		wantConfig(t, s.describe(t, r, p.KeyId), typ, mrEast, mrSouth, mrWest)
	}
	// Independent: disabling the replica leaves the primary enabled.
	if _, err := s.h[mrWest].DisableKey(ctx, &kms.DisableKeyInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	if !s.describe(t, mrEast, p.KeyId).Enabled {
		t.Error("disabling the replica disabled the primary")
	}
}

func TestReplicateKeyErrors(t *testing.T) {
	ctx := t.Context()
	s := newMRSet(t, kms.Options{})
	p := s.primary(t, nil)
	s.replicate(t, mrEast, p.KeyId, mrWest)
	single, err := s.h[mrEast].CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	disabled := s.primary(t, nil)
	if _, err := s.h[mrEast].DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyId}); err != nil {
		t.Fatal(err)
	}
	deleting := s.primary(t, nil)
	if _, err := s.h[mrEast].ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: deleting.KeyId}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		region string // handle; default us-east-1
		in     kms.ReplicateKeyInput
		want   error
		msg    string
	}{
		{"no KeyId", "", kms.ReplicateKeyInput{ReplicaRegion: mrSouth}, kms.ErrValidation, "keyId"},
		{"no ReplicaRegion", "", kms.ReplicateKeyInput{KeyId: p.KeyId}, kms.ErrValidation, "replicaRegion"},
		{"ReplicaRegion not a RegionType", "", kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: "Mars"}, kms.ErrValidation, "replicaRegion"},
		{"unknown key", "", kms.ReplicateKeyInput{KeyId: "mrk-00000000000000000000000000000000", ReplicaRegion: mrSouth}, kms.ErrNotFound, "does not exist"},
		{"alias", "", kms.ReplicateKeyInput{KeyId: "alias/x", ReplicaRegion: mrSouth}, kms.ErrNotFound, "Invalid keyId"},
		{"single-Region key", "", kms.ReplicateKeyInput{KeyId: single.KeyMetadata.KeyId, ReplicaRegion: mrSouth}, kms.ErrUnsupportedOperation, single.KeyMetadata.Arn + " is not a multi-region primary key."},
		{"a replica", mrWest, kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrSouth}, kms.ErrUnsupportedOperation, mrARN(mrWest, p.KeyId) + " is not a multi-region primary key."},
		{"Region with a replica", "", kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest}, kms.ErrAlreadyExists, mrARN(mrWest, p.KeyId)},
		{"own Region", "", kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrEast}, kms.ErrValidation, "the Region of the key itself"},
		{"another partition", "", kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: "cn-north-1"}, kms.ErrValidation, "not a Region of the aws partition"},
		{"disabled primary", "", kms.ReplicateKeyInput{KeyId: disabled.KeyId, ReplicaRegion: mrSouth}, kms.ErrDisabled, disabled.Arn + " is disabled."},
		{"primary pending deletion", "", kms.ReplicateKeyInput{KeyId: deleting.KeyId, ReplicaRegion: mrSouth}, kms.ErrKMSInvalidState, deleting.Arn + " is pending deletion."},
		{"malformed policy", "", kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrSouth, Policy: "{"}, kms.ErrMalformedPolicyDocument, ""},
		{"lockout", "", kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrSouth, Policy: plIAM(`{"Effect":"Allow","Principal":{"AWS":"` + plBob + `"},"Action":"kms:Encrypt","Resource":"*"}`)}, kms.ErrMalformedPolicyDocument, "will not allow you to update the key policy"},
		{"bad tag", "", kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrSouth, Tags: []kms.Tag{{TagKey: "aws:x", TagValue: "v"}}}, kms.ErrTag, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := s.h[mrEast]
			if tc.region != "" {
				h = s.h[tc.region]
			}
			_, err := h.ReplicateKey(ctx, &tc.in)
			wantErr(t, err, tc.want, tc.msg)
		})
	}
	// Nothing was written by the refusals.
	wantConfig(t, s.describe(t, mrEast, p.KeyId), kms.MultiRegionKeyTypePrimary, mrEast, mrWest)
	if _, err := s.h[mrSouth].DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: p.KeyId}); err == nil {
		t.Error("a refused ReplicateKey made a key in ap-southeast-1")
	}
}

// The key quota of the replica Region applies to the replica (the model
// lists LimitExceededException for ReplicateKey).
func TestReplicateKeyQuota(t *testing.T) {
	s := newMRSet(t, kms.Options{MaxKeys: 1})
	p := s.primary(t, nil)
	if _, err := s.h[mrWest].CreateKey(t.Context(), &kms.CreateKeyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.h[mrEast].ReplicateKey(t.Context(), &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest})
	wantErr(t, err, kms.ErrLimitExceeded, "has 1 KMS keys in eu-west-1")
	s.replicate(t, mrEast, p.KeyId, mrSouth)
}

// A ciphertext of a multi-Region key made in one Region decrypts in any
// Region holding a copy, with that copy; a single-Region key's does not.
func TestMultiRegionCiphertextCrossesRegions(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	p := s.primary(t, nil)
	s.replicate(t, mrEast, p.KeyId, mrWest)
	ec := map[string]string{"purpose": "mrk"}
	enc, err := s.h[mrEast].Encrypt(ctx, &kms.EncryptInput{KeyId: p.KeyId, Plaintext: []byte("east"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := s.h[mrWest].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if string(dec.Plaintext) != "east" || dec.KeyId != mrARN(mrWest, p.KeyId) || dec.KeyMaterialId != p.CurrentKeyMaterialId {
		t.Errorf("Decrypt in eu-west-1: %+v", dec)
	}
	// Naming the replica is right; the encryption context still binds.
	if _, err := s.h[mrWest].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: mrARN(mrWest, p.KeyId)}); err != nil {
		t.Errorf("Decrypt naming the replica: %v", err)
	}
	_, err = s.h[mrWest].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantErr(t, err, kms.ErrInvalidCiphertext, "")
	// The other way: a data key made at the replica opens at the primary.
	dk, err := s.h[mrWest].GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: p.KeyId, KeySpec: kms.DataKeySpecAes256})
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.h[mrEast].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	if err != nil || !bytes.Equal(back.Plaintext, dk.Plaintext) {
		t.Fatalf("Decrypt in us-east-1 of a eu-west-1 data key: %v", err)
	}
	// ReEncrypt at the replica of the primary's ciphertext.
	re, err := s.h[mrWest].ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: p.KeyId})
	if err != nil || re.SourceKeyId != mrARN(mrWest, p.KeyId) {
		t.Fatalf("ReEncrypt: %+v, %v", re, err)
	}
	// A Region with no copy: as any unknown key.
	_, err = s.h[mrSouth].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	wantErr(t, err, kms.ErrInvalidCiphertext, "")
	// A single-Region key's blob is refused in any other Region.
	single, err := s.h[mrEast].CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	senc, err := s.h[mrEast].Encrypt(ctx, &kms.EncryptInput{KeyId: single.KeyMetadata.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.h[mrWest].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: senc.CiphertextBlob})
	wantErr(t, err, kms.ErrInvalidCiphertext, "")
	// A disabled replica refuses, whatever the primary's state.
	if _, err := s.h[mrWest].DisableKey(ctx, &kms.DisableKeyInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = s.h[mrWest].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	wantErr(t, err, kms.ErrDisabled, mrARN(mrWest, p.KeyId)+" is disabled.")
}

// Rotation is a shared property: done on the primary, applied to every
// replica in the same transaction; refused on a replica.
func TestMultiRegionRotationSync(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	p := s.primary(t, nil)
	s.replicate(t, mrEast, p.KeyId, mrWest)
	s.describe(t, mrWest, p.KeyId) // cached: the rotations must invalidate it
	if _, err := s.h[mrEast].EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: p.KeyId, RotationPeriodInDays: 90}); err != nil {
		t.Fatal(err)
	}
	st, err := s.h[mrWest].GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: p.KeyId})
	if err != nil || !st.KeyRotationEnabled || st.RotationPeriodInDays != 90 || !st.NextRotationDate.Equal(kmstest.Start.Add(90*24*time.Hour)) {
		t.Fatalf("replica rotation status %+v, %v", st, err)
	}
	if _, err := s.h[mrEast].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	cur := s.describe(t, mrEast, p.KeyId).CurrentKeyMaterialId
	if cur == p.CurrentKeyMaterialId || s.describe(t, mrWest, p.KeyId).CurrentKeyMaterialId != cur {
		t.Fatalf("on-demand rotation: primary %s, replica %s", cur, s.describe(t, mrWest, p.KeyId).CurrentKeyMaterialId)
	}
	// The new material is the same secret in both Regions.
	enc, err := s.h[mrWest].Encrypt(ctx, &kms.EncryptInput{KeyId: p.KeyId, Plaintext: []byte("rotated")})
	if err != nil {
		t.Fatal(err)
	}
	if enc.KeyId != mrARN(mrWest, p.KeyId) {
		t.Errorf("Encrypt KeyId %s", enc.KeyId)
	}
	dec, err := s.h[mrEast].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || dec.KeyMaterialId != cur {
		t.Fatalf("Decrypt at the primary: %+v, %v", dec, err)
	}
	// Refused on the replica (wording: test_replicate_replica_key_should_fail).
	west := s.h[mrWest]
	msg := mrARN(mrWest, p.KeyId) + " is not a multi-region primary key."
	_, err = west.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: p.KeyId})
	wantErr(t, err, kms.ErrUnsupportedOperation, msg)
	_, err = west.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: p.KeyId})
	wantErr(t, err, kms.ErrUnsupportedOperation, msg)
	_, err = west.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	wantErr(t, err, kms.ErrUnsupportedOperation, msg)
	// Automatic rotation, on the clock: the replica never rotates alone;
	// the primary's rotation (here a maintenance pass of its Region)
	// rotates both, and the replica lists the same rotations.
	s.clock.Advance(91 * 24 * time.Hour)
	if got := s.describe(t, mrWest, p.KeyId).CurrentKeyMaterialId; got != cur {
		t.Fatalf("the replica rotated by itself: %s", got)
	}
	if err := s.h[mrEast].Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	auto := s.describe(t, mrEast, p.KeyId).CurrentKeyMaterialId
	if auto == cur || s.describe(t, mrWest, p.KeyId).CurrentKeyMaterialId != auto {
		t.Fatalf("automatic rotation: primary %s replica %s", auto, s.describe(t, mrWest, p.KeyId).CurrentKeyMaterialId)
	}
	pl, err := s.h[mrEast].ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: p.KeyId, IncludeKeyMaterial: kms.IncludeKeyMaterialAllKeyMaterial})
	if err != nil {
		t.Fatal(err)
	}
	rl, err := west.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: p.KeyId, IncludeKeyMaterial: kms.IncludeKeyMaterialAllKeyMaterial})
	if err != nil || len(rl.Rotations) != 3 || !slices.EqualFunc(pl.Rotations, rl.Rotations, func(a, b kms.RotationsListEntry) bool {
		return a.KeyMaterialId == b.KeyMaterialId && a.RotationType == b.RotationType && a.RotationDate.Equal(b.RotationDate)
	}) {
		t.Errorf("rotations: primary %+v replica %+v (%v)", pl.Rotations, rl.Rotations, err)
	}
	// A replica made after rotations holds every material: the oldest
	// ciphertext opens there.
	old, err := s.h[mrEast].Encrypt(ctx, &kms.EncryptInput{KeyId: p.KeyId, Plaintext: []byte("newest")})
	if err != nil {
		t.Fatal(err)
	}
	s.replicate(t, mrEast, p.KeyId, mrSouth)
	for _, blob := range [][]byte{old.CiphertextBlob, enc.CiphertextBlob} {
		if _, err := s.h[mrSouth].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}); err != nil {
			t.Errorf("Decrypt at a later replica: %v", err)
		}
	}
	st, err = s.h[mrSouth].GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: p.KeyId})
	if err != nil || !st.KeyRotationEnabled || st.RotationPeriodInDays != 90 {
		t.Errorf("later replica rotation status %+v, %v", st, err)
	}
	// DisableKeyRotation on the primary reaches the replicas.
	if _, err := s.h[mrEast].DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	st, err = west.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: p.KeyId})
	if err != nil || st.KeyRotationEnabled {
		t.Errorf("replica rotation status after DisableKeyRotation %+v, %v", st, err)
	}
}

// A primary with replicas scheduled for deletion waits in
// PendingReplicaDeletion; its waiting period starts when its last replica
// is deleted (ScheduleKeyDeletion in the API reference), on the clock.
func TestMultiRegionDeletion(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	east, west, south := s.h[mrEast], s.h[mrWest], s.h[mrSouth]
	p := s.primary(t, nil)
	s.replicate(t, mrEast, p.KeyId, mrWest)
	s.replicate(t, mrEast, p.KeyId, mrSouth)
	if _, err := east.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	out, err := east.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: p.KeyId, PendingWindowInDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	if out.KeyState != kms.KeyStatePendingReplicaDeletion || !out.DeletionDate.IsZero() || out.PendingWindowInDays != 7 {
		t.Fatalf("ScheduleKeyDeletion %+v", out)
	}
	md := s.describe(t, mrEast, p.KeyId)
	if md.KeyState != kms.KeyStatePendingReplicaDeletion || md.PendingDeletionWindowInDays != 7 || !md.DeletionDate.IsZero() || md.Enabled {
		t.Fatalf("primary %+v", md)
	}
	_, err = east.Encrypt(ctx, &kms.EncryptInput{KeyId: p.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrKMSInvalidState, p.Arn+" is pending replica deletion.")
	if st, err := east.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: p.KeyId}); err != nil || st.KeyRotationEnabled {
		t.Errorf("rotation status pending replica deletion: %+v, %v", st, err)
	}
	_, err = east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: "ca-central-1"})
	wantErr(t, err, kms.ErrKMSInvalidState, p.Arn+" is pending replica deletion.")
	_, err = east.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: p.KeyId})
	wantErr(t, err, kms.ErrKMSInvalidState, "")
	// The replicas still work and are deleted on their own schedule.
	if _, err := west.Encrypt(ctx, &kms.EncryptInput{KeyId: p.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatalf("Encrypt at a replica: %v", err)
	}
	wd, err := west.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: p.KeyId, PendingWindowInDays: 7})
	if err != nil || wd.KeyState != kms.KeyStatePendingDeletion {
		t.Fatalf("replica ScheduleKeyDeletion %+v, %v", wd, err)
	}
	s.clock.Advance(24 * time.Hour)
	sd, err := south.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: p.KeyId, PendingWindowInDays: 10})
	if err != nil {
		t.Fatal(err)
	}
	// A replica pending deletion still occupies its Region.
	_, err = east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest})
	wantErr(t, err, kms.ErrKMSInvalidState, "")
	s.clock.Advance(7 * 24 * time.Hour) // day 8: the eu-west-1 copy is due
	if err := west.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: p.KeyId}); err == nil {
		t.Fatal("the eu-west-1 replica was not deleted")
	}
	md = s.describe(t, mrEast, p.KeyId)
	wantConfig(t, md, kms.MultiRegionKeyTypePrimary, mrEast, mrSouth)
	wantConfig(t, s.describe(t, mrSouth, p.KeyId), kms.MultiRegionKeyTypeReplica, mrEast, mrSouth)
	if md.KeyState != kms.KeyStatePendingReplicaDeletion {
		t.Fatalf("primary %s with a replica left", md.KeyState)
	}
	s.clock.Set(sd.DeletionDate) // the last replica is due
	if _, err := south.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: p.KeyId}); err == nil {
		t.Fatal("the ap-southeast-1 replica was not deleted")
	}
	md = s.describe(t, mrEast, p.KeyId)
	if want := sd.DeletionDate.Add(7 * 24 * time.Hour); md.KeyState != kms.KeyStatePendingDeletion || !md.DeletionDate.Equal(want) || md.PendingDeletionWindowInDays != 0 {
		t.Fatalf("primary after its last replica: %s %v (want PendingDeletion %v)", md.KeyState, md.DeletionDate, want)
	}
	wantConfig(t, md, kms.MultiRegionKeyTypePrimary, mrEast)
	s.clock.Set(md.DeletionDate)
	if err := east.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: p.KeyId})
	wantErr(t, err, kms.ErrNotFound, "")
}

// CancelKeyDeletion takes a primary out of PendingReplicaDeletion
// (Disabled); a replica past its deletion date is deleted by the
// ReplicateKey that replaces it.
func TestMultiRegionCancelAndReplaceReplica(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	east, west := s.h[mrEast], s.h[mrWest]
	p := s.primary(t, nil)
	s.replicate(t, mrEast, p.KeyId, mrWest)
	if _, err := east.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	if md := s.describe(t, mrEast, p.KeyId); md.KeyState != kms.KeyStateDisabled || md.PendingDeletionWindowInDays != 0 {
		t.Fatalf("after CancelKeyDeletion: %s %d", md.KeyState, md.PendingDeletionWindowInDays)
	}
	if _, err := east.EnableKey(ctx, &kms.EnableKeyInput{KeyId: p.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: p.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	_, err := east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest})
	wantErr(t, err, kms.ErrAlreadyExists, mrARN(mrWest, p.KeyId))
	s.clock.Advance(8 * 24 * time.Hour)
	out, err := east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest, Description: "again"})
	if err != nil {
		t.Fatal(err)
	}
	wantConfig(t, out.ReplicaKeyMetadata, kms.MultiRegionKeyTypeReplica, mrEast, mrWest)
	if md := s.describe(t, mrWest, p.KeyId); md.KeyState != kms.KeyStateEnabled || md.Description != "again" {
		t.Errorf("new replica %s %q", md.KeyState, md.Description)
	}
}

// UpdatePrimaryRegion swaps the roles on every copy; the new primary
// is the one that rotates.
func TestUpdatePrimaryRegion(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	east, west := s.h[mrEast], s.h[mrWest]
	p := s.primary(t, nil)
	s.replicate(t, mrEast, p.KeyId, mrWest)
	s.replicate(t, mrEast, p.KeyId, mrSouth)
	if _, err := east.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: p.KeyId, RotationPeriodInDays: 90}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{mrEast, mrWest, mrSouth} {
		s.describe(t, r, p.KeyId) // cached
	}
	if _, err := east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p.Arn, PrimaryRegion: mrWest}); err != nil {
		t.Fatal(err)
	}
	wantConfig(t, s.describe(t, mrWest, p.KeyId), kms.MultiRegionKeyTypePrimary, mrWest, mrSouth, mrEast)
	for _, r := range []string{mrEast, mrSouth} {
		md := s.describe(t, r, p.KeyId)
		wantConfig(t, md, kms.MultiRegionKeyTypeReplica, mrWest, mrSouth, mrEast)
		if md.KeyState != kms.KeyStateEnabled {
			t.Errorf("%s: %s", r, md.KeyState)
		}
	}
	// Roles: the old primary is refused what only a primary may do.
	_, err := east.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	wantErr(t, err, kms.ErrUnsupportedOperation, p.Arn+" is not a multi-region primary key.")
	_, err = east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: mrWest})
	wantErr(t, err, kms.ErrUnsupportedOperation, p.Arn+" is not a multi-region primary key.")
	// Automatic rotation now follows the new primary's Region.
	s.clock.Advance(91 * 24 * time.Hour)
	if err := east.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if cur := s.describe(t, mrEast, p.KeyId).CurrentKeyMaterialId; cur != p.CurrentKeyMaterialId {
		t.Fatal("a pass in the old primary's Region rotated the key")
	}
	if err := west.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	cur := s.describe(t, mrWest, p.KeyId).CurrentKeyMaterialId
	if cur == p.CurrentKeyMaterialId || s.describe(t, mrEast, p.KeyId).CurrentKeyMaterialId != cur || s.describe(t, mrSouth, p.KeyId).CurrentKeyMaterialId != cur {
		t.Fatal("the new primary's rotation did not reach every copy")
	}
	// And back.
	if _, err := west.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: mrEast}); err != nil {
		t.Fatal(err)
	}
	wantConfig(t, s.describe(t, mrSouth, p.KeyId), kms.MultiRegionKeyTypeReplica, mrEast, mrSouth, mrWest)
}

func TestUpdatePrimaryRegionErrors(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	east, west := s.h[mrEast], s.h[mrWest]
	p := s.primary(t, nil)
	s.replicate(t, mrEast, p.KeyId, mrWest)
	single, err := east.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	dp := s.primary(t, nil) // a disabled primary
	s.replicate(t, mrEast, dp.KeyId, mrWest)
	if _, err := east.DisableKey(ctx, &kms.DisableKeyInput{KeyId: dp.KeyId}); err != nil {
		t.Fatal(err)
	}
	dr := s.primary(t, nil) // a disabled replica
	s.replicate(t, mrEast, dr.KeyId, mrWest)
	if _, err := west.DisableKey(ctx, &kms.DisableKeyInput{KeyId: dr.KeyId}); err != nil {
		t.Fatal(err)
	}
	pr := s.primary(t, nil) // a replica pending deletion
	s.replicate(t, mrEast, pr.KeyId, mrWest)
	if _, err := west.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: pr.KeyId}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		h    *kms.KMS
		in   kms.UpdatePrimaryRegionInput
		want error
		msg  string
	}{
		{"no KeyId", east, kms.UpdatePrimaryRegionInput{PrimaryRegion: mrWest}, kms.ErrValidation, "keyId"},
		{"no PrimaryRegion", east, kms.UpdatePrimaryRegionInput{KeyId: p.KeyId}, kms.ErrValidation, "primaryRegion"},
		{"PrimaryRegion not a RegionType", east, kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: "west"}, kms.ErrValidation, "primaryRegion"},
		{"unknown key", east, kms.UpdatePrimaryRegionInput{KeyId: "mrk-00000000000000000000000000000000", PrimaryRegion: mrWest}, kms.ErrNotFound, "does not exist"},
		{"single-Region key", east, kms.UpdatePrimaryRegionInput{KeyId: single.KeyMetadata.KeyId, PrimaryRegion: mrWest}, kms.ErrUnsupportedOperation, single.KeyMetadata.Arn + " is not a multi-region primary key."},
		{"a replica", west, kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: mrEast}, kms.ErrUnsupportedOperation, mrARN(mrWest, p.KeyId) + " is not a multi-region primary key."},
		{"no replica there", east, kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: mrSouth}, kms.ErrNotFound, "Key '" + mrARN(mrSouth, p.KeyId) + "' does not exist"},
		{"own Region", east, kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: mrEast}, kms.ErrValidation, "the Region of the key itself"},
		{"another partition", east, kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: "us-gov-west-1"}, kms.ErrValidation, "not a Region of the aws partition"},
		{"disabled primary", east, kms.UpdatePrimaryRegionInput{KeyId: dp.KeyId, PrimaryRegion: mrWest}, kms.ErrDisabled, dp.Arn + " is disabled."},
		{"disabled replica", east, kms.UpdatePrimaryRegionInput{KeyId: dr.KeyId, PrimaryRegion: mrWest}, kms.ErrDisabled, mrARN(mrWest, dr.KeyId) + " is disabled."},
		{"replica pending deletion", east, kms.UpdatePrimaryRegionInput{KeyId: pr.KeyId, PrimaryRegion: mrWest}, kms.ErrKMSInvalidState, mrARN(mrWest, pr.KeyId) + " is pending deletion."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.h.UpdatePrimaryRegion(ctx, &tc.in)
			wantErr(t, err, tc.want, tc.msg)
		})
	}
	for _, id := range []string{p.KeyId, dp.KeyId, dr.KeyId, pr.KeyId} {
		wantConfig(t, s.describe(t, mrEast, id), kms.MultiRegionKeyTypePrimary, mrEast, mrWest)
	}
}

// kms:ReplicateKey on the primary with kms:ReplicaRegion, kms:CreateKey
// and (with Tags) kms:TagResource from IAM in the replica Region, and
// kms:UpdatePrimaryRegion on both keys with kms:PrimaryRegion (ReplicateKey
// and UpdatePrimaryRegion in the API reference; "Condition keys for AWS
// KMS").
func TestMultiRegionAuthorization(t *testing.T) {
	iam := kms.IdentityPolicies{
		plAlice: {plIAM(`{"Effect":"Allow","Action":["kms:ReplicateKey","kms:UpdatePrimaryRegion","kms:PutKeyPolicy","kms:DescribeKey"],"Resource":"*"}`)},
		plBob:   {plIAM(`{"Effect":"Allow","Action":["kms:ReplicateKey","kms:CreateKey","kms:PutKeyPolicy"],"Resource":"*"}`)},
		plRole:  {plIAM(`{"Effect":"Allow","Action":["kms:ReplicateKey","kms:CreateKey","kms:TagResource","kms:PutKeyPolicy"],"Resource":"*"}`)},
	}
	s := newMRSet(t, kms.Options{IdentityPolicies: iam})
	ctx := t.Context()
	east := s.h[mrEast]
	// The key policy delegates to IAM, and denies replication outside
	// eu-west-1.
	pol := plIAM(
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Effect":"Deny","Principal":"*","Action":"kms:ReplicateKey","Resource":"*","Condition":{"StringNotEquals":{"kms:ReplicaRegion":"eu-west-1"}}}`,
	)
	p := s.primary(t, &kms.CreateKeyInput{Policy: pol})
	alice, bob, role := kms.WithCaller(ctx, plAlice), kms.WithCaller(ctx, plBob), kms.WithCaller(ctx, plRole)
	tags := []kms.Tag{{TagKey: "k", TagValue: "v"}}
	_, err := east.ReplicateKey(bob, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrSouth})
	wantErr(t, err, kms.ErrAccessDenied, "kms:ReplicateKey")
	_, err = east.ReplicateKey(alice, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest})
	wantErr(t, err, kms.ErrAccessDenied, "kms:CreateKey")
	_, err = east.ReplicateKey(bob, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest, Tags: tags})
	wantErr(t, err, kms.ErrAccessDenied, "kms:TagResource")
	if _, err := east.ReplicateKey(role, &kms.ReplicateKeyInput{KeyId: p.KeyId, ReplicaRegion: mrWest, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	// UpdatePrimaryRegion needs the action on both keys: the replica's
	// own policy denies Alice.
	p2 := s.primary(t, nil)
	s.replicate(t, mrEast, p2.KeyId, mrSouth)
	allowRoot := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`
	if _, err := s.h[mrSouth].PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: p2.KeyId, Policy: plIAM(allowRoot,
		`{"Effect":"Deny","Principal":{"AWS":"`+plAlice+`"},"Action":"kms:UpdatePrimaryRegion","Resource":"*"}`,
	)}); err != nil {
		t.Fatal(err)
	}
	_, err = east.UpdatePrimaryRegion(alice, &kms.UpdatePrimaryRegionInput{KeyId: p2.KeyId, PrimaryRegion: mrSouth})
	wantErr(t, err, kms.ErrAccessDenied, mrARN(mrSouth, p2.KeyId))
	if _, err := s.h[mrSouth].PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: p2.KeyId, Policy: plIAM(allowRoot)}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.UpdatePrimaryRegion(alice, &kms.UpdatePrimaryRegionInput{KeyId: p2.KeyId, PrimaryRegion: mrSouth}); err != nil {
		t.Fatalf("UpdatePrimaryRegion allowed on both keys: %v", err)
	}
	// kms:MultiRegionKeyType tells the copies apart: one policy, given to
	// both, denies Encrypt on the replica only.
	typed := plIAM(allowRoot, `{"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:MultiRegionKeyType":"REPLICA"}}}`)
	p4 := s.primary(t, &kms.CreateKeyInput{Policy: typed})
	if _, err := east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: p4.KeyId, ReplicaRegion: mrWest, Policy: typed}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.Encrypt(ctx, &kms.EncryptInput{KeyId: p4.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Errorf("Encrypt at the primary: %v", err)
	}
	_, err = s.h[mrWest].Encrypt(ctx, &kms.EncryptInput{KeyId: p4.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrAccessDenied, mrARN(mrWest, p4.KeyId))
	// kms:PrimaryRegion: the primary's policy allows ap-southeast-1 only.
	p3 := s.primary(t, &kms.CreateKeyInput{Policy: plIAM(allowRoot,
		`{"Effect":"Deny","Principal":"*","Action":"kms:UpdatePrimaryRegion","Resource":"*","Condition":{"StringNotEquals":{"kms:PrimaryRegion":"ap-southeast-1"}}}`,
	)})
	s.replicate(t, mrEast, p3.KeyId, mrWest)
	s.replicate(t, mrEast, p3.KeyId, mrSouth)
	_, err = east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p3.KeyId, PrimaryRegion: mrWest})
	wantErr(t, err, kms.ErrAccessDenied, p3.Arn)
	if _, err := east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p3.KeyId, PrimaryRegion: mrSouth}); err != nil {
		t.Fatal(err)
	}
}
