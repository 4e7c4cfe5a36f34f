package kms_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/embedkms/kms"
)

// mriPrimary creates, in us-east-1, a multi-Region primary key of
// imported key material (Origin EXTERNAL) and imports material into it,
// with in's expiration (none by default).
func mriPrimary(t *testing.T, s *mrSet, material []byte, in kms.ImportKeyMaterialInput) (*kms.KeyMetadata, string) {
	t.Helper()
	md := s.primary(t, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal})
	out, err := imImport(t, s.h[mrEast], md.KeyId, material, in)
	lcNoErr(t, err)
	return md, out.KeyMaterialId
}

// mriPending returns the KeyMaterialState and ImportState of the
// material pending rotation listed by ListKeyRotations in region, ""
// for none.
func mriPending(t *testing.T, s *mrSet, region, keyID string) (kms.KeyMaterialState, kms.ImportState, string) {
	t.Helper()
	var st kms.KeyMaterialState
	var is kms.ImportState
	id := ""
	for _, e := range rtList(t, s.h[region], keyID, kms.IncludeKeyMaterialAllKeyMaterial, 0) {
		if e.KeyMaterialState == kms.KeyMaterialStatePendingRotation || e.KeyMaterialState == kms.KeyMaterialStatePendingMultiRegionImportAndRotation {
			if id != "" {
				t.Fatalf("%s: two materials pending rotation", region)
			}
			st, is, id = e.KeyMaterialState, e.ImportState, e.KeyMaterialId
		}
	}
	return st, is, id
}

// ReplicateKey of a primary key of imported key material makes the
// replica with no key material, PendingImport ("If you replicate a
// multi-Region primary key with imported key material, the replica key is
// created with no key material. You must import the same key material
// that you imported into the primary key": ReplicateKey in the API
// reference); only that material imports into it, under the same
// KeyMaterialId, and then ciphertexts cross Regions both ways.
func TestReplicateKeyImportedMaterial(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	material := imRandom(32)
	p, matID := mriPrimary(t, s, material, kms.ImportKeyMaterialInput{})
	east, west := s.h[mrEast], s.h[mrWest]
	enc := imEncrypt(t, east, p.KeyId, []byte("from east"))

	out := s.replicate(t, mrEast, p.KeyId, mrWest)
	if md := out.ReplicaKeyMetadata; md.KeyState != kms.KeyStateCreating || md.Origin != kms.OriginTypeExternal || md.Enabled {
		t.Fatalf("ReplicateKey output: %+v", md)
	}
	r := s.describe(t, mrWest, p.KeyId)
	if r.KeyState != kms.KeyStatePendingImport || r.Enabled || r.Origin != kms.OriginTypeExternal || r.ExpirationModel != "" {
		t.Fatalf("replica after ReplicateKey: %+v", r)
	}
	wantConfig(t, r, kms.MultiRegionKeyTypeReplica, mrEast, mrWest)
	// The replica knows the primary's material by id, not imported.
	rot := rtList(t, west, p.KeyId, kms.IncludeKeyMaterialAllKeyMaterial, 0)
	if len(rot) != 1 || rot[0].KeyMaterialId != matID || rot[0].ImportState != kms.ImportStatePendingImport {
		t.Fatalf("replica's ListKeyRotations: %+v", rot)
	}
	_, err := west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcWantErr(t, err, kms.ErrKMSInvalidState, mrARN(mrWest, p.KeyId)+" is pending import.")
	if st := s.describe(t, mrEast, p.KeyId).KeyState; st != kms.KeyStateEnabled {
		t.Fatalf("primary after ReplicateKey: %s", st)
	}

	// Other material is refused, whatever the ImportType, and changes
	// nothing.
	for _, typ := range []kms.ImportType{"", kms.ImportTypeNewKeyMaterial, kms.ImportTypeExistingKeyMaterial} {
		_, err := imImport(t, west, p.KeyId, imRandom(32), kms.ImportKeyMaterialInput{ImportType: typ})
		lcWantCode(t, err, kms.ErrIncorrectKeyMaterial, "primary key of "+mrARN(mrWest, p.KeyId))
		if st := s.describe(t, mrWest, p.KeyId).KeyState; st != kms.KeyStatePendingImport {
			t.Fatalf("ImportType %q: replica %s after refused material", typ, st)
		}
	}
	// The same material, with the default ImportType (NEW_KEY_MATERIAL
	// for a key that never had material), gets the same KeyMaterialId.
	got, err := imImport(t, west, p.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if got.KeyMaterialId != matID || got.KeyId != mrARN(mrWest, p.KeyId) {
		t.Fatalf("ImportKeyMaterial into the replica: %+v, want material %s", got, matID)
	}
	if r := s.describe(t, mrWest, p.KeyId); r.KeyState != kms.KeyStateEnabled || r.CurrentKeyMaterialId != matID {
		t.Fatalf("replica after the import: %+v", r)
	}
	dec, err := west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if string(dec.Plaintext) != "from east" || dec.KeyId != mrARN(mrWest, p.KeyId) || dec.KeyMaterialId != matID {
		t.Fatalf("Decrypt in eu-west-1: %+v", dec)
	}
	back := imEncrypt(t, west, p.KeyId, []byte("from west"))
	dec, err = east.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: back.CiphertextBlob})
	lcNoErr(t, err)
	if string(dec.Plaintext) != "from west" {
		t.Fatalf("Decrypt in us-east-1: %+v", dec)
	}

	// The same material in a single-Region key is another key: another
	// KeyMaterialId ("these KMS keys are not interoperable", Developer
	// Guide, "Importing key material into multi-Region keys").
	single := imExternal(t, east)
	sout, err := imImport(t, east, single.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if sout.KeyMaterialId == matID {
		t.Fatal("a single-Region key with the same material has the multi-Region key's material id")
	}

	// DeleteImportedKeyMaterial is per copy.
	_, err = west.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: p.KeyId})
	lcNoErr(t, err)
	if a, b := s.describe(t, mrWest, p.KeyId).KeyState, s.describe(t, mrEast, p.KeyId).KeyState; a != kms.KeyStatePendingImport || b != kms.KeyStateEnabled {
		t.Fatalf("after deleting the replica's material: replica %s, primary %s", a, b)
	}
	_, err = west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcWantCode(t, err, kms.ErrKMSInvalidState, "pending import")
	if _, err := east.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: back.CiphertextBlob}); err != nil {
		t.Fatalf("primary after the replica's material was deleted: %v", err)
	}
	// Re-imported, it decrypts again.
	_, err = imImport(t, west, p.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if _, err := west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("replica after re-import: %v", err)
	}
}

// The expiration of imported material is per copy: "You set the
// expiration model and expiration dates for each key independently ...
// if the key material in the primary key expires, its replica keys are
// unaffected" (Developer Guide, "Importing key material into multi-Region
// keys").
func TestMultiRegionImportExpiryPerCopy(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	material := imRandom(32)
	now := s.clock.Now().Truncate(time.Second)
	eastTo, westTo := now.Add(10*rtDay), now.Add(20*rtDay)
	p, _ := mriPrimary(t, s, material, kms.ImportKeyMaterialInput{ValidTo: eastTo})
	s.replicate(t, mrEast, p.KeyId, mrWest)
	s.replicate(t, mrEast, p.KeyId, mrSouth)
	_, err := imImport(t, s.h[mrWest], p.KeyId, material, kms.ImportKeyMaterialInput{ValidTo: westTo})
	lcNoErr(t, err)
	_, err = imImport(t, s.h[mrSouth], p.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	enc := imEncrypt(t, s.h[mrSouth], p.KeyId, []byte("x"))

	tests := []struct {
		name                     string
		advance                  time.Duration
		east, west, south        kms.KeyState
		eastModel, southModel    kms.ExpirationModelType
		eastValidTo, westValidTo time.Time
	}{
		{"before any expiry", 0, kms.KeyStateEnabled, kms.KeyStateEnabled, kms.KeyStateEnabled,
			kms.ExpirationModelTypeKeyMaterialExpires, kms.ExpirationModelTypeKeyMaterialDoesNotExpire, eastTo, westTo},
		{"the primary's expired", 10 * rtDay, kms.KeyStatePendingImport, kms.KeyStateEnabled, kms.KeyStateEnabled,
			"", kms.ExpirationModelTypeKeyMaterialDoesNotExpire, time.Time{}, westTo},
		{"the replica's expired too", 10 * rtDay, kms.KeyStatePendingImport, kms.KeyStatePendingImport, kms.KeyStateEnabled,
			"", kms.ExpirationModelTypeKeyMaterialDoesNotExpire, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		s.clock.Advance(tt.advance)
		e, w, so := s.describe(t, mrEast, p.KeyId), s.describe(t, mrWest, p.KeyId), s.describe(t, mrSouth, p.KeyId)
		if e.KeyState != tt.east || w.KeyState != tt.west || so.KeyState != tt.south {
			t.Fatalf("%s: states east %s west %s south %s, want %s %s %s", tt.name, e.KeyState, w.KeyState, so.KeyState, tt.east, tt.west, tt.south)
		}
		if e.ExpirationModel != tt.eastModel || so.ExpirationModel != tt.southModel || !e.ValidTo.Equal(tt.eastValidTo) || !w.ValidTo.Equal(tt.westValidTo) {
			t.Fatalf("%s: east %s %v, west %v, south %s", tt.name, e.ExpirationModel, e.ValidTo, w.ValidTo, so.ExpirationModel)
		}
		for region, st := range map[string]kms.KeyState{mrEast: tt.east, mrWest: tt.west, mrSouth: tt.south} {
			_, err := s.h[region].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			if (err == nil) != (st == kms.KeyStateEnabled) {
				t.Fatalf("%s: Decrypt in %s (%s): %v", tt.name, region, st, err)
			}
		}
	}
	// Re-imported into the primary only, the primary works again.
	_, err = imImport(t, s.h[mrEast], p.KeyId, material, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if e, w := s.describe(t, mrEast, p.KeyId), s.describe(t, mrWest, p.KeyId); e.KeyState != kms.KeyStateEnabled || w.KeyState != kms.KeyStatePendingImport {
		t.Fatalf("after re-import into the primary: east %s, west %s", e.KeyState, w.KeyState)
	}
}

// On-demand rotation of a multi-Region key of imported material, as
// RotateKeyOnDemand and ImportKeyMaterial in the API reference describe
// it: new material goes into the primary (NEW_KEY_MATERIAL), then the
// same into every replica; until every copy has it, it is
// PENDING_MULTI_REGION_IMPORT_AND_ROTATION and the rotation is refused;
// then PENDING_ROTATION, and RotateKeyOnDemand on the primary rotates
// every copy.
func TestMultiRegionImportRotateOnDemand(t *testing.T) {
	s := newMRSet(t, kms.Options{})
	ctx := t.Context()
	m1, m2 := imRandom(32), imRandom(32)
	p, id1 := mriPrimary(t, s, m1, kms.ImportKeyMaterialInput{})
	s.replicate(t, mrEast, p.KeyId, mrWest)
	_, err := imImport(t, s.h[mrWest], p.KeyId, m1, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	old := imEncrypt(t, s.h[mrEast], p.KeyId, []byte("old"))

	// New material into a replica is refused.
	_, err = imImport(t, s.h[mrWest], p.KeyId, m2, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)
	// Into the primary it waits.
	out2, err := imImport(t, s.h[mrEast], p.KeyId, m2, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)
	id2 := out2.KeyMaterialId
	// A replica made now knows it too.
	s.replicate(t, mrEast, p.KeyId, mrSouth)
	// Its first material, with ImportType NEW_KEY_MATERIAL (new to it),
	// imports too.
	_, err = imImport(t, s.h[mrSouth], p.KeyId, m1, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)

	multi, pend := kms.KeyMaterialStatePendingMultiRegionImportAndRotation, kms.KeyMaterialStatePendingRotation
	imported, pendingImport := kms.ImportStateImported, kms.ImportStatePendingImport
	steps := []struct {
		name      string
		importTo  string // the Region importing m2 at this step, "" none
		state     map[string]kms.KeyMaterialState
		importSt  map[string]kms.ImportState
		rotateErr bool
	}{
		{"only the primary has it", "",
			map[string]kms.KeyMaterialState{mrEast: multi, mrWest: multi, mrSouth: multi},
			map[string]kms.ImportState{mrEast: imported, mrWest: pendingImport, mrSouth: pendingImport}, true},
		{"one replica has it", mrWest,
			map[string]kms.KeyMaterialState{mrEast: multi, mrWest: multi, mrSouth: multi},
			map[string]kms.ImportState{mrEast: imported, mrWest: imported, mrSouth: pendingImport}, true},
		{"every copy has it", mrSouth,
			map[string]kms.KeyMaterialState{mrEast: pend, mrWest: pend, mrSouth: pend},
			map[string]kms.ImportState{mrEast: imported, mrWest: imported, mrSouth: imported}, false},
	}
	for _, st := range steps {
		if st.importTo != "" {
			got, err := imImport(t, s.h[st.importTo], p.KeyId, m2, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeExistingKeyMaterial})
			lcNoErr(t, err)
			if got.KeyMaterialId != id2 {
				t.Fatalf("%s: material id %s, want %s", st.name, got.KeyMaterialId, id2)
			}
		}
		for region, want := range st.state {
			got, is, id := mriPending(t, s, region, p.KeyId)
			if got != want || id != id2 || is != st.importSt[region] {
				t.Fatalf("%s: %s lists %s %s %s, want %s %s %s", st.name, region, id, got, is, id2, want, st.importSt[region])
			}
			// Pending material is not current, and the replicas stay
			// Enabled on their first material.
			if md := s.describe(t, region, p.KeyId); md.KeyState != kms.KeyStateEnabled || md.CurrentKeyMaterialId != id1 {
				t.Fatalf("%s: %s is %s on %s", st.name, region, md.KeyState, md.CurrentKeyMaterialId)
			}
		}
		if st.rotateErr {
			_, err := s.h[mrEast].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
			lcWantCode(t, err, kms.ErrKMSInvalidState, id2, "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
		}
	}
	// A replica does not rotate.
	_, err = s.h[mrWest].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, mrARN(mrWest, p.KeyId)+" is not a multi-region primary key.")

	s.clock.Advance(time.Hour)
	_, err = s.h[mrEast].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	lcNoErr(t, err)
	for _, region := range []string{mrEast, mrWest, mrSouth} {
		if md := s.describe(t, region, p.KeyId); md.CurrentKeyMaterialId != id2 || md.KeyState != kms.KeyStateEnabled {
			t.Fatalf("%s after the rotation: %s %s", region, md.KeyState, md.CurrentKeyMaterialId)
		}
		rot := rtList(t, s.h[region], p.KeyId, kms.IncludeKeyMaterialRotationsOnly, 0)
		if len(rot) != 1 || rot[0].KeyMaterialId != id2 || rot[0].RotationType != kms.RotationTypeOnDemand || !rot[0].RotationDate.Equal(s.clock.Now()) || rot[0].KeyMaterialState != kms.KeyMaterialStateCurrent {
			t.Fatalf("%s rotations: %+v", region, rot)
		}
		if st, _, _ := mriPending(t, s, region, p.KeyId); st != "" {
			t.Fatalf("%s: material still pending", region)
		}
	}
	enc := imEncrypt(t, s.h[mrWest], p.KeyId, []byte("new"))
	dec, err := s.h[mrSouth].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if dec.KeyMaterialId != id2 || string(dec.Plaintext) != "new" {
		t.Fatalf("new ciphertext: %+v", dec)
	}
	dec, err = s.h[mrSouth].Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old.CiphertextBlob})
	lcNoErr(t, err)
	if dec.KeyMaterialId != id1 || !bytes.Equal(dec.Plaintext, []byte("old")) {
		t.Fatalf("old ciphertext: %+v", dec)
	}
}

// Material pending rotation deleted from the primary goes from every
// replica; deleted from a replica, it stays pending there, PENDING_IMPORT
// ("When you delete the key material of a primary Region key that is in
// PENDING_ROTATION or PENDING_MULTI_REGION_IMPORT_AND_ROTATION state,
// you'll also be deleting the key materials for the replica Region keys.
// If you delete any key material of a replica Region key, the primary
// Region key and other replica Region keys remain unchanged":
// DeleteImportedKeyMaterial in the API reference). The primary's pending
// material expiring is a deletion too.
func TestMultiRegionImportDeletePending(t *testing.T) {
	s := newMRSet(t, kms.Options{}, mrEast, mrWest)
	ctx := t.Context()
	m1, m2, m3 := imRandom(32), imRandom(32), imRandom(32)
	p, _ := mriPrimary(t, s, m1, kms.ImportKeyMaterialInput{})
	s.replicate(t, mrEast, p.KeyId, mrWest)
	_, err := imImport(t, s.h[mrWest], p.KeyId, m1, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	out2, err := imImport(t, s.h[mrEast], p.KeyId, m2, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)
	_, err = imImport(t, s.h[mrWest], p.KeyId, m2, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if st, _, _ := mriPending(t, s, mrEast, p.KeyId); st != kms.KeyMaterialStatePendingRotation {
		t.Fatalf("both have it: %s", st)
	}

	// Deleted from the replica: pending there, not imported; the primary
	// keeps it, and cannot rotate.
	_, err = s.h[mrWest].DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: p.KeyId, KeyMaterialId: out2.KeyMaterialId})
	lcNoErr(t, err)
	if st, is, id := mriPending(t, s, mrWest, p.KeyId); st != kms.KeyMaterialStatePendingMultiRegionImportAndRotation || is != kms.ImportStatePendingImport || id != out2.KeyMaterialId {
		t.Fatalf("replica after deleting its pending material: %s %s %s", id, st, is)
	}
	if st, is, _ := mriPending(t, s, mrEast, p.KeyId); st != kms.KeyMaterialStatePendingMultiRegionImportAndRotation || is != kms.ImportStateImported {
		t.Fatalf("primary after the replica deleted its pending material: %s %s", st, is)
	}
	if md := s.describe(t, mrWest, p.KeyId); md.KeyState != kms.KeyStateEnabled {
		t.Fatalf("replica's state: %s", md.KeyState)
	}
	_, err = s.h[mrEast].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	lcWantCode(t, err, kms.ErrKMSInvalidState)

	// Deleted from the primary: gone everywhere, and other new material
	// may take its place.
	_, err = s.h[mrEast].DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: p.KeyId, KeyMaterialId: out2.KeyMaterialId})
	lcNoErr(t, err)
	for _, region := range []string{mrEast, mrWest} {
		if st, _, id := mriPending(t, s, region, p.KeyId); st != "" {
			t.Fatalf("%s after the primary deleted its pending material: %s %s", region, id, st)
		}
	}
	_, err = imImport(t, s.h[mrWest], p.KeyId, m2, kms.ImportKeyMaterialInput{})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)

	validTo := s.clock.Now().Add(rtDay).Truncate(time.Second)
	out3, err := imImport(t, s.h[mrEast], p.KeyId, m3, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial, ValidTo: validTo})
	lcNoErr(t, err)
	_, err = imImport(t, s.h[mrWest], p.KeyId, m3, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	if st, _, id := mriPending(t, s, mrWest, p.KeyId); st != kms.KeyMaterialStatePendingRotation || id != out3.KeyMaterialId {
		t.Fatalf("replica with the third material: %s %s", id, st)
	}
	// The primary's pending material expires: gone from the replica too,
	// on a maintenance pass in the primary's Region.
	s.clock.Advance(2 * rtDay)
	if err := s.h[mrEast].Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _, id := mriPending(t, s, mrWest, p.KeyId); st != "" {
		t.Fatalf("replica after the primary's pending material expired: %s %s", id, st)
	}
	_, err = imImport(t, s.h[mrWest], p.KeyId, m3, kms.ImportKeyMaterialInput{})
	lcWantCode(t, err, kms.ErrIncorrectKeyMaterial)
}

// After UpdatePrimaryRegion the new primary, which may lack the material
// pending rotation, rotates only once it has it; until then it lists it
// PENDING_MULTI_REGION_IMPORT_AND_ROTATION, and deleting it there
// deletes it from every copy.
func TestMultiRegionImportUpdatePrimaryRegion(t *testing.T) {
	s := newMRSet(t, kms.Options{}, mrEast, mrWest)
	ctx := t.Context()
	m1, m2, m3 := imRandom(32), imRandom(32), imRandom(32)
	p, _ := mriPrimary(t, s, m1, kms.ImportKeyMaterialInput{})
	s.replicate(t, mrEast, p.KeyId, mrWest)
	_, err := imImport(t, s.h[mrWest], p.KeyId, m1, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	out2, err := imImport(t, s.h[mrEast], p.KeyId, m2, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)
	_, err = s.h[mrEast].UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: p.KeyId, PrimaryRegion: mrWest})
	lcNoErr(t, err)

	if st, is, id := mriPending(t, s, mrWest, p.KeyId); st != kms.KeyMaterialStatePendingMultiRegionImportAndRotation || is != kms.ImportStatePendingImport || id != out2.KeyMaterialId {
		t.Fatalf("new primary: %s %s %s", id, st, is)
	}
	_, err = s.h[mrWest].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	lcWantCode(t, err, kms.ErrKMSInvalidState, mrWest)
	_, err = s.h[mrEast].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	lcWantErr(t, err, kms.ErrUnsupportedOperation, mrARN(mrEast, p.KeyId)+" is not a multi-region primary key.")

	// Deleted at the new primary, where it was never imported: gone from
	// both copies, and other new material may be imported there.
	_, err = s.h[mrWest].DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: p.KeyId, KeyMaterialId: out2.KeyMaterialId})
	lcNoErr(t, err)
	for _, region := range []string{mrEast, mrWest} {
		if st, _, id := mriPending(t, s, region, p.KeyId); st != "" {
			t.Fatalf("%s after deletion at the new primary: %s %s", region, id, st)
		}
	}
	out3, err := imImport(t, s.h[mrWest], p.KeyId, m3, kms.ImportKeyMaterialInput{ImportType: kms.ImportTypeNewKeyMaterial})
	lcNoErr(t, err)
	_, err = imImport(t, s.h[mrEast], p.KeyId, m3, kms.ImportKeyMaterialInput{})
	lcNoErr(t, err)
	_, err = s.h[mrWest].RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: p.KeyId})
	lcNoErr(t, err)
	if md := s.describe(t, mrEast, p.KeyId); md.CurrentKeyMaterialId != out3.KeyMaterialId {
		t.Fatalf("old primary after the new primary rotated: %s", md.CurrentKeyMaterialId)
	}
}
