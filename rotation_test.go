package kms_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/kmstest"
)

const rtDay = 24 * time.Hour

func rtStatus(t *testing.T, k *kms.KMS, keyID string) *kms.GetKeyRotationStatusOutput {
	t.Helper()
	out, err := k.GetKeyRotationStatus(context.Background(), &kms.GetKeyRotationStatusInput{KeyId: keyID})
	lcNoErr(t, err)
	return out
}

func rtEnable(t *testing.T, k *kms.KMS, keyID string, days int32) {
	t.Helper()
	_, err := k.EnableKeyRotation(context.Background(), &kms.EnableKeyRotationInput{KeyId: keyID, RotationPeriodInDays: days})
	lcNoErr(t, err)
}

func rtRotate(t *testing.T, k *kms.KMS, keyID string) {
	t.Helper()
	_, err := k.RotateKeyOnDemand(context.Background(), &kms.RotateKeyOnDemandInput{KeyId: keyID})
	lcNoErr(t, err)
}

// rtList pages through ListKeyRotations with limit and returns every entry,
// checking Truncated against NextMarker and the page sizes.
func rtList(t *testing.T, k *kms.KMS, keyID string, include kms.IncludeKeyMaterial, limit int32) []kms.RotationsListEntry {
	t.Helper()
	var all []kms.RotationsListEntry
	marker := ""
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatal("ListKeyRotations never stops")
		}
		out, err := k.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: keyID, IncludeKeyMaterial: include, Limit: limit, Marker: marker})
		lcNoErr(t, err)
		if out.Rotations == nil {
			t.Fatal("Rotations is nil, want an empty list")
		}
		if out.Truncated != (out.NextMarker != "") {
			t.Fatalf("page %d: Truncated %t with NextMarker %q", page, out.Truncated, out.NextMarker)
		}
		if limit > 0 && (len(out.Rotations) > int(limit) || out.Truncated && len(out.Rotations) != int(limit)) {
			t.Fatalf("page %d has %d entries, Limit %d, Truncated %t", page, len(out.Rotations), limit, out.Truncated)
		}
		all = append(all, out.Rotations...)
		if !out.Truncated {
			return all
		}
		marker = out.NextMarker
	}
}

// rtDecrypts checks that blob decrypts to want and reports materialID as
// the material used.
func rtDecrypts(t *testing.T, k *kms.KMS, blob, want []byte, materialID string) {
	t.Helper()
	out, err := k.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: blob})
	lcNoErr(t, err)
	if string(out.Plaintext) != string(want) || out.KeyMaterialId != materialID {
		t.Fatalf("Decrypt = %q under material %s, want %q under %s", out.Plaintext, out.KeyMaterialId, want, materialID)
	}
}

// EnableKeyRotation: the period (default 365 days) and the first rotation
// one period after the call, as GetKeyRotationStatus reports them (AWS
// records KeyRotationEnabled, NextRotationDate, RotationPeriodInDays:
// LocalStack's test_kms.snapshot.json, test_key_enable_rotation_status).
func TestEnableKeyRotationPeriod(t *testing.T) {
	for _, days := range []int32{0, 90, 180, 365, 2560} {
		t.Run(fmt.Sprint(days), func(t *testing.T) {
			k, clock := kmstest.New(t)
			md := lcCreate(t, k, nil)
			if st := rtStatus(t, k, md.KeyId); st.KeyRotationEnabled || st.RotationPeriodInDays != 0 || !st.NextRotationDate.IsZero() || st.KeyId != md.Arn {
				t.Fatalf("a new key: %+v, want not rotating", st)
			}
			rtEnable(t, k, md.KeyId, days)
			want := days
			if days == 0 {
				want = kms.DefaultRotationPeriodInDays
			}
			st := rtStatus(t, k, md.KeyId)
			if !st.KeyRotationEnabled || st.RotationPeriodInDays != want || !st.NextRotationDate.Equal(clock.Now().Add(time.Duration(want)*rtDay)) || st.KeyId != md.Arn || !st.OnDemandRotationStartDate.IsZero() {
				t.Fatalf("status %+v, want enabled every %d days from %v", st, want, clock.Now())
			}
		})
	}
}

// Changing the period of a rotating key keeps the start of the current
// period; enabling again with the same period changes nothing.
func TestEnableKeyRotationChangesPeriod(t *testing.T) {
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	start := clock.Now()
	rtEnable(t, k, md.KeyId, 365)
	clock.Advance(100 * rtDay)
	rtEnable(t, k, md.KeyId, 365)
	if st := rtStatus(t, k, md.KeyId); !st.NextRotationDate.Equal(start.Add(365 * rtDay)) {
		t.Fatalf("enabling again moved the next rotation to %v", st.NextRotationDate)
	}
	rtEnable(t, k, md.KeyId, 730)
	if st := rtStatus(t, k, md.KeyId); st.RotationPeriodInDays != 730 || !st.NextRotationDate.Equal(start.Add(730*rtDay)) {
		t.Fatalf("after a new period: %+v, want 730 days from %v", st, start)
	}
	// A period shorter than the time since the start: due at once.
	before := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId
	rtEnable(t, k, md.KeyId, 90)
	if after := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId; after == before {
		t.Fatal("a period already over did not rotate the key at its next use")
	}
	if st := rtStatus(t, k, md.KeyId); !st.NextRotationDate.Equal(clock.Now().Add(90 * rtDay)) {
		t.Fatalf("after the rotation the next is %v, want 90 days from now", st.NextRotationDate)
	}
}

func TestDisableKeyRotation(t *testing.T) {
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	rtEnable(t, k, md.KeyId, 90)
	_, err := k.DisableKeyRotation(context.Background(), &kms.DisableKeyRotationInput{KeyId: md.Arn})
	lcNoErr(t, err)
	// As AWS answers a key whose rotation is disabled: KeyId and
	// KeyRotationEnabled false only (LocalStack's test_kms.snapshot.json,
	// test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_disabled).
	if st := rtStatus(t, k, md.KeyId); st.KeyRotationEnabled || st.RotationPeriodInDays != 0 || !st.NextRotationDate.IsZero() {
		t.Fatalf("status %+v, want disabled", st)
	}
	clock.Advance(1000 * rtDay)
	if got := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId; got != md.CurrentKeyMaterialId {
		t.Fatal("a key whose rotation is disabled rotated")
	}
	// Disabling again succeeds.
	_, err = k.DisableKeyRotation(context.Background(), &kms.DisableKeyRotationInput{KeyId: md.KeyId})
	lcNoErr(t, err)
}

// Every operation's input errors, and the keys that cannot rotate.
func TestKeyRotationErrors(t *testing.T) {
	ctx := context.Background()
	k, _ := kmstest.New(t)
	sym := lcCreate(t, k, nil)
	rsa := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecRsa2048, KeyUsage: kms.KeyUsageTypeEncryptDecrypt})
	ecc := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecEccNistP256, KeyUsage: kms.KeyUsageTypeSignVerify})
	hmac := lcCreate(t, k, &kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	lcAlias(t, k, "alias/rotating", sym.KeyId)
	missing := "1234abcd-12ab-34cd-56ef-1234567890ab"
	otherAccount := lcKeyARN(lcOtherAccount, "us-east-1", missing)

	ops := map[string]func(keyID string) error{
		"EnableKeyRotation": func(id string) error {
			_, err := k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})
			return err
		},
		"DisableKeyRotation": func(id string) error {
			_, err := k.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: id})
			return err
		},
		"RotateKeyOnDemand": func(id string) error {
			_, err := k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id})
			return err
		},
		"ListKeyRotations": func(id string) error {
			_, err := k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: id})
			return err
		},
		"GetKeyRotationStatus": func(id string) error {
			_, err := k.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
			return err
		},
	}
	for name, call := range ops {
		t.Run(name, func(t *testing.T) {
			lcWantErr(t, call(""), kms.ErrValidation, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
			// "Key '<key-arn>' does not exist", as AWS sent it for
			// RotateKeyOnDemand (LocalStack's test_kms.snapshot.json,
			// test_rotate_key_on_demand_raises_error_given_key_that_does_not_exist).
			lcWantErr(t, call(missing), kms.ErrNotFound, "Key '"+lcKeyARN("111122223333", "us-east-1", missing)+"' does not exist")
			// No operation here takes an alias.
			lcWantErr(t, call("alias/rotating"), kms.ErrNotFound, "Invalid keyId 'alias/rotating'")
			lcWantCode(t, call("arn:aws:kms:us-east-1:111122223333:key"), kms.ErrInvalidArn)
			if name == "GetKeyRotationStatus" {
				// Cross-account use: Yes (GetKeyRotationStatus in the API
				// reference): the ARN reaches the other account.
				lcWantErr(t, call(otherAccount), kms.ErrNotFound, "Key '"+otherAccount+"' does not exist")
				for _, md := range []*kms.KeyMetadata{rsa, ecc, hmac} {
					st, err := k.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
					lcNoErr(t, err)
					if st.KeyRotationEnabled || st.KeyId != md.Arn {
						t.Fatalf("%s key: %+v, want not rotating", md.KeySpec, st)
					}
				}
				return
			}
			lcWantErr(t, call(otherAccount), kms.ErrNotFound, "Invalid arn '"+otherAccount+"'")
			// Asymmetric and HMAC keys: UnsupportedOperationException with
			// no message (LocalStack's test_kms.snapshot.json,
			// test_rotate_key_on_demand_raises_error_given_non_symmetric_key).
			for _, md := range []*kms.KeyMetadata{rsa, ecc, hmac} {
				lcWantErr(t, call(md.KeyId), kms.ErrUnsupportedOperation, "")
			}
		})
	}

	// RotationPeriodInDays is 90..2560.
	for _, tc := range []struct {
		days int32
		msg  string
	}{
		{89, "Member must have value greater than or equal to 90"},
		{2561, "Member must have value less than or equal to 2560"},
		{-1, "Member must have value greater than or equal to 90"},
	} {
		_, err := k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: sym.KeyId, RotationPeriodInDays: tc.days})
		lcWantErr(t, err, kms.ErrValidation, fmt.Sprintf("1 validation error detected: Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: %s", tc.days, tc.msg))
	}
	if st := rtStatus(t, k, sym.KeyId); st.KeyRotationEnabled {
		t.Fatal("a refused EnableKeyRotation enabled rotation")
	}

	// ListKeyRotations' own members.
	_, err := k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId, IncludeKeyMaterial: "SOME"})
	lcWantCode(t, err, kms.ErrValidation, "includeKeyMaterial", "Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]")
	_, err = k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId, Limit: 1001})
	lcWantCode(t, err, kms.ErrValidation, "Member must have value less than or equal to 1000")
	_, err = k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId, Marker: "not-a-marker"})
	lcWantErr(t, err, kms.ErrInvalidMarker, "Invalid marker 'not-a-marker'")

	// A disabled asymmetric key is refused for its state first, as AWS
	// does (test_rotate_key_on_demand_raises_error_given_key_is_disabled:
	// an RSA_4096 key, DisabledException).
	_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: rsa.KeyId})
	lcNoErr(t, err)
	_, err = k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: rsa.KeyId})
	lcWantErr(t, err, kms.ErrDisabled, rsa.Arn+" is disabled.")
}

// RotateKeyOnDemand: new material becomes current at once; old
// ciphertexts decrypt under their material; the automatic schedule does
// not move (RotateKeyOnDemand in the API reference; LocalStack's
// test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_enabled).
func TestRotateKeyOnDemand(t *testing.T) {
	ctx := context.Background()
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	rtEnable(t, k, md.KeyId, 0)
	next := rtStatus(t, k, md.KeyId).NextRotationDate
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("before")})
	lcNoErr(t, err)

	clock.Advance(time.Hour)
	out, err := k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	// The output's KeyId is the key ARN (LocalStack's
	// test_rotate_on_demand_returns_arn_for_key_id).
	if out.KeyId != md.Arn {
		t.Fatalf("KeyId %q, want %q", out.KeyId, md.Arn)
	}
	now := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId
	if now == md.CurrentKeyMaterialId || !lcHex64RE.MatchString(now) {
		t.Fatalf("CurrentKeyMaterialId %q after rotation, was %q", now, md.CurrentKeyMaterialId)
	}
	rtDecrypts(t, k, enc.CiphertextBlob, []byte("before"), md.CurrentKeyMaterialId)
	gdk, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: 32})
	lcNoErr(t, err)
	if gdk.KeyMaterialId != now {
		t.Fatalf("GenerateDataKey used material %s, want the new %s", gdk.KeyMaterialId, now)
	}
	rtDecrypts(t, k, gdk.CiphertextBlob, gdk.Plaintext, now)
	enc2, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("after")})
	lcNoErr(t, err)
	rtDecrypts(t, k, enc2.CiphertextBlob, []byte("after"), now)
	re, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: md.KeyId})
	lcNoErr(t, err)
	if re.SourceKeyMaterialId != md.CurrentKeyMaterialId || re.DestinationKeyMaterialId != now {
		t.Fatalf("ReEncrypt from %s to %s, want %s to %s", re.SourceKeyMaterialId, re.DestinationKeyMaterialId, md.CurrentKeyMaterialId, now)
	}

	st := rtStatus(t, k, md.KeyId)
	if !st.KeyRotationEnabled || !st.NextRotationDate.Equal(next) || !st.OnDemandRotationStartDate.IsZero() {
		t.Fatalf("status after an on-demand rotation %+v, want next rotation still %v", st, next)
	}
	got := rtList(t, k, md.KeyId, "", 0)
	want := []kms.RotationsListEntry{{KeyId: md.KeyId, KeyMaterialId: now, KeyMaterialState: kms.KeyMaterialStateCurrent, RotationDate: clock.Now(), RotationType: kms.RotationTypeOnDemand}}
	if !rtEntriesEqual(got, want) {
		t.Fatalf("ListKeyRotations = %+v, want %+v", got, want)
	}
}

func rtEntriesEqual(a, b []kms.RotationsListEntry) bool {
	return slices.EqualFunc(a, b, func(x, y kms.RotationsListEntry) bool {
		rx, ry := x.RotationDate, y.RotationDate
		x.RotationDate, y.RotationDate = time.Time{}, time.Time{}
		return x == y && rx.Equal(ry)
	})
}

// A key rotates on demand at most 25 times; the 26th is
// LimitExceededException with AWS's text (LocalStack's
// test_kms.snapshot.json, test_key_rotations_limits) and changes nothing.
// Automatic rotations do not count.
func TestRotateKeyOnDemandLimit(t *testing.T) {
	ctx := context.Background()
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	// An automatic rotation first: it does not count.
	rtEnable(t, k, md.KeyId, 90)
	clock.Advance(90 * rtDay)
	lcNoErr(t, k.Maintain(ctx))
	for range kms.MaxOnDemandRotations {
		rtRotate(t, k, md.KeyId)
	}
	if kms.MaxOnDemandRotations != 25 {
		t.Fatalf("MaxOnDemandRotations %d, AWS allows 25", kms.MaxOnDemandRotations)
	}
	last := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId
	_, err := k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	lcWantErr(t, err, kms.ErrLimitExceeded, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+md.Arn)
	if got := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId; got != last {
		t.Fatal("the refused rotation changed the current material")
	}
	if n := len(rtList(t, k, md.KeyId, "", 0)); n != 26 {
		t.Fatalf("%d rotations listed, want 26", n)
	}
	clock.Advance(90 * rtDay)
	if got := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId; got == last {
		t.Fatal("automatic rotation stopped at the on-demand limit")
	}
}

// The clock-driven test: a year after EnableKeyRotation the key has new
// material, found on its next use; every older ciphertext still decrypts
// under its own material, new ones use the newest, and ListKeyRotations
// lists the rotations as AUTOMATIC.
func TestAutomaticRotationOnClock(t *testing.T) {
	ctx := context.Background()
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	rtEnable(t, k, md.KeyId, 0)
	materials := []string{md.CurrentKeyMaterialId}
	var blobs [][]byte
	var dates []time.Time
	for year := range 3 {
		enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte(fmt.Sprint("year ", year))})
		lcNoErr(t, err)
		blobs = append(blobs, enc.CiphertextBlob)

		clock.Advance(365*rtDay - time.Second)
		if got := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId; got != materials[year] {
			t.Fatalf("year %d: rotated a second early", year)
		}
		clock.Advance(time.Second)
		cur := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId
		if slices.Contains(materials, cur) {
			t.Fatalf("year %d: no new material (current %s)", year, cur)
		}
		materials = append(materials, cur)
		dates = append(dates, clock.Now())
		if st := rtStatus(t, k, md.KeyId); !st.NextRotationDate.Equal(clock.Now().Add(365 * rtDay)) {
			t.Fatalf("year %d: next rotation %v, want a year from now", year, st.NextRotationDate)
		}
		enc, err = k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("newest")})
		lcNoErr(t, err)
		rtDecrypts(t, k, enc.CiphertextBlob, []byte("newest"), cur)
	}
	for i, blob := range blobs {
		rtDecrypts(t, k, blob, []byte(fmt.Sprint("year ", i)), materials[i])
	}
	var want []kms.RotationsListEntry
	for i, d := range dates {
		state := kms.KeyMaterialStateNonCurrent
		if i == len(dates)-1 {
			state = kms.KeyMaterialStateCurrent
		}
		want = append(want, kms.RotationsListEntry{KeyId: md.KeyId, KeyMaterialId: materials[i+1], KeyMaterialState: state, RotationDate: d, RotationType: kms.RotationTypeAutomatic})
	}
	if got := rtList(t, k, md.KeyId, kms.IncludeKeyMaterialRotationsOnly, 0); !rtEntriesEqual(got, want) {
		t.Fatalf("ListKeyRotations = %+v, want %+v", got, want)
	}
}

// A key is rotated by whichever operation first reads it after the date:
// a cryptographic operation encrypts under the new material at once.
func TestAutomaticRotationOnUse(t *testing.T) {
	ctx := context.Background()
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	lcAlias(t, k, "alias/used", md.KeyId)
	rtEnable(t, k, md.KeyId, 90)
	// Cached before the date: the cache must not serve the old material.
	_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	lcNoErr(t, err)
	clock.Advance(90 * rtDay)
	for _, id := range []string{md.KeyId, "alias/used"} {
		enc, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: 16})
		lcNoErr(t, err)
		if enc.KeyMaterialId == md.CurrentKeyMaterialId {
			t.Fatalf("GenerateDataKey by %s after the date used the old material", id)
		}
	}
	if n := len(rtList(t, k, md.KeyId, "", 0)); n != 1 {
		t.Fatalf("%d rotations, want 1", n)
	}
}

// A change to the key (any read-modify-write operation) after the date
// stores the rotation with it.
func TestAutomaticRotationOnUpdate(t *testing.T) {
	ctx := context.Background()
	k, _, _, clock, s := lcShared(t)
	md := lcCreate(t, k, nil)
	rtEnable(t, k, md.KeyId, 90)
	clock.Advance(90 * rtDay)
	_, err := k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: "changed"})
	lcNoErr(t, err)
	// Stored by the update itself, before anything reads the key.
	if rec := lcStoredKey(t, s, "111122223333", "us-east-1", md.KeyId); len(rec.Rotations) != 1 || rec.Description != "changed" {
		t.Fatalf("stored after the update: %d rotations, description %q", len(rec.Rotations), rec.Description)
	}
	got := rtList(t, k, md.KeyId, "", 0)
	if len(got) != 1 || got[0].RotationType != kms.RotationTypeAutomatic || !got[0].RotationDate.Equal(clock.Now()) {
		t.Fatalf("rotations %+v, want one automatic now", got)
	}
	if d := lcDescribe(t, k, md.KeyId); d.Description != "changed" || d.CurrentKeyMaterialId != got[0].KeyMaterialId {
		t.Fatalf("after the update: %q, material %s", d.Description, d.CurrentKeyMaterialId)
	}
}

// Maintain performs due rotations of keys nothing touches, in the store.
func TestAutomaticRotationOnMaintain(t *testing.T) {
	ctx := context.Background()
	a, b, _, clock, s := lcShared(t)
	due := lcCreate(t, a, nil)
	notYet := lcCreate(t, a, nil)
	other := lcCreate(t, b, nil) // another account: another handle's pass
	rtEnable(t, a, due.KeyId, 90)
	rtEnable(t, a, notYet.KeyId, 91)
	rtEnable(t, b, other.KeyId, 90)
	clock.Advance(90 * rtDay)
	lcNoErr(t, a.Maintain(ctx))
	rec := lcStoredKey(t, s, "111122223333", "us-east-1", due.KeyId)
	if len(rec.Materials) != 2 || len(rec.Rotations) != 1 || rec.CurrentMaterial != rec.Rotations[0].MaterialID || rec.Rotations[0].Type != "AUTOMATIC" {
		t.Fatalf("stored key after the pass: %d materials, rotations %+v", len(rec.Materials), rec.Rotations)
	}
	if !rec.NextRotationDate.Equal(clock.Now().Add(90 * rtDay)) {
		t.Fatalf("next rotation %v", rec.NextRotationDate)
	}
	if rec := lcStoredKey(t, s, "111122223333", "us-east-1", notYet.KeyId); len(rec.Rotations) != 0 {
		t.Fatal("the pass rotated a key not yet due")
	}
	if rec := lcStoredKey(t, s, lcOtherAccount, "us-east-1", other.KeyId); len(rec.Rotations) != 0 {
		t.Fatal("the pass rotated another account's key")
	}
	// The index holds one entry per rotating key, at its new date.
	if got := rtIndex(t, s); len(got) != 3 {
		t.Fatalf("rotation index %v, want 3 entries", got)
	}
	lcNoErr(t, a.Maintain(ctx))
	if rec := lcStoredKey(t, s, "111122223333", "us-east-1", due.KeyId); len(rec.Rotations) != 1 {
		t.Fatal("a second pass rotated again")
	}
}

// rtIndex lists the rotation index entries of s.
func rtIndex(t *testing.T, s backend.Store) []string {
	t.Helper()
	var keys []string
	err := authenticatedView(t, s).View(context.Background(), func(tx backend.Txn) error {
		return tx.Scan([]byte("rotation/"), nil, func(k, _ []byte) bool {
			keys = append(keys, string(k))
			return true
		})
	})
	lcNoErr(t, err)
	return keys
}

// The rotation index follows the key: out when rotation is disabled, the
// key disabled or deleted; back when enabled again.
func TestRotationIndex(t *testing.T) {
	ctx := context.Background()
	a, _, _, clock, s := lcShared(t)
	md := lcCreate(t, a, nil)
	want := func(n int, when string) {
		t.Helper()
		got := rtIndex(t, s)
		if len(got) != n {
			t.Fatalf("%s: index %v, want %d entries", when, got, n)
		}
		for _, e := range got {
			if !strings.HasSuffix(e, "/"+md.KeyId) {
				t.Fatalf("%s: index entry %s", when, e)
			}
		}
	}
	want(0, "new key")
	rtEnable(t, a, md.KeyId, 90)
	want(1, "enabled")
	rtEnable(t, a, md.KeyId, 180)
	want(1, "new period")
	_, err := a.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	want(0, "key disabled")
	_, err = a.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	want(1, "key enabled")
	_, err = a.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	want(0, "rotation disabled")
	rtEnable(t, a, md.KeyId, 90)
	_, err = a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7})
	lcNoErr(t, err)
	want(0, "pending deletion")
	_, err = a.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	_, err = a.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	want(1, "deletion cancelled, key enabled")
	_, err = a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7})
	lcNoErr(t, err)
	clock.Advance(7 * rtDay)
	lcNoErr(t, a.Maintain(ctx))
	want(0, "key deleted")
}

// A disabled key does not rotate; enabled again after its date it rotates
// at once. A key pending deletion reports rotation off and does not
// rotate; cancelling the deletion brings the setting back (GetKeyRotationStatus
// in the API reference).
func TestRotationAndKeyStates(t *testing.T) {
	ctx := context.Background()
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	rtEnable(t, k, md.KeyId, 90)
	_, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	clock.Advance(100 * rtDay)
	lcNoErr(t, k.Maintain(ctx))
	if got := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId; got != md.CurrentKeyMaterialId {
		t.Fatal("a disabled key rotated")
	}
	if st := rtStatus(t, k, md.KeyId); !st.KeyRotationEnabled || st.RotationPeriodInDays != 90 {
		t.Fatalf("a disabled key's status %+v, want still enabled", st)
	}
	_, err = k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	rotated := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId
	if rotated == md.CurrentKeyMaterialId {
		t.Fatal("re-enabled after its date, the key did not rotate")
	}

	_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 30})
	lcNoErr(t, err)
	if st := rtStatus(t, k, md.KeyId); st.KeyRotationEnabled || st.RotationPeriodInDays != 0 || !st.NextRotationDate.IsZero() {
		t.Fatalf("pending deletion: %+v, want not rotating", st)
	}
	clock.Advance(29 * rtDay) // past the next rotation date (90 days)
	_, err = k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	if got := lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId; got != rotated {
		t.Fatal("a key pending deletion rotated")
	}
	if st := rtStatus(t, k, md.KeyId); !st.KeyRotationEnabled || st.RotationPeriodInDays != 90 {
		t.Fatalf("deletion cancelled: %+v, want rotating every 90 days again", st)
	}
}

// Two handles on one backend that notice the same due rotation at once
// rotate the key once.
func TestAutomaticRotationConcurrentHandles(t *testing.T) {
	ctx := context.Background()
	a, _, _, clock, s := lcShared(t)
	second, _ := kmstest.NewWithOptions(t, kms.Options{Backend: s, Clock: clock})
	md := lcCreate(t, a, nil)
	rtEnable(t, a, md.KeyId, 90)
	clock.Advance(90 * rtDay)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		h := a
		if i%2 == 1 {
			h = second
		}
		wg.Go(func() {
			var err error
			switch i % 4 {
			case 0, 1:
				_, err = h.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
			case 2:
				err = h.Maintain(ctx)
			case 3:
				_, err = h.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		lcNoErr(t, err)
	}
	if rec := lcStoredKey(t, s, "111122223333", "us-east-1", md.KeyId); len(rec.Rotations) != 1 || len(rec.Materials) != 2 {
		t.Fatalf("%d rotations, %d materials; want 1 and 2", len(rec.Rotations), len(rec.Materials))
	}
}

// ListKeyRotations pages through a key's rotations in order, oldest
// first; ALL_KEY_MATERIAL adds the first material, with no date or type.
func TestListKeyRotationsPages(t *testing.T) {
	ctx := context.Background()
	k, clock := kmstest.New(t)
	md := lcCreate(t, k, nil)
	if got := rtList(t, k, md.KeyId, "", 0); len(got) != 0 {
		t.Fatalf("a new key lists %+v", got)
	}
	var want []kms.RotationsListEntry
	for range 7 {
		clock.Advance(time.Hour)
		rtRotate(t, k, md.KeyId)
		want = append(want, kms.RotationsListEntry{KeyId: md.KeyId, KeyMaterialId: lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId, KeyMaterialState: kms.KeyMaterialStateNonCurrent, RotationDate: clock.Now(), RotationType: kms.RotationTypeOnDemand})
	}
	want[len(want)-1].KeyMaterialState = kms.KeyMaterialStateCurrent
	all := append([]kms.RotationsListEntry{{KeyId: md.KeyId, KeyMaterialId: md.CurrentKeyMaterialId, KeyMaterialState: kms.KeyMaterialStateNonCurrent}}, want...)
	for _, limit := range []int32{0, 1, 2, 3, 7, 8, 1000} {
		if got := rtList(t, k, md.KeyId, "", limit); !rtEntriesEqual(got, want) {
			t.Fatalf("Limit %d: %+v, want %+v", limit, got, want)
		}
		if got := rtList(t, k, md.KeyId, kms.IncludeKeyMaterialAllKeyMaterial, limit); !rtEntriesEqual(got, all) {
			t.Fatalf("ALL_KEY_MATERIAL, Limit %d: %+v, want %+v", limit, got, all)
		}
	}
	// A marker of one key is refused for another.
	out, err := k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId, Limit: 2})
	lcNoErr(t, err)
	other := lcCreate(t, k, nil)
	_, err = k.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: other.KeyId, Marker: out.NextMarker})
	lcWantErr(t, err, kms.ErrInvalidMarker, "Invalid marker '"+out.NextMarker+"'")
	// A key listed before its automatic rotation lists it after.
	rtEnable(t, k, other.KeyId, 90)
	clock.Advance(90 * rtDay)
	if got := rtList(t, k, other.KeyId, "", 0); len(got) != 1 || got[0].RotationType != kms.RotationTypeAutomatic {
		t.Fatalf("after the date: %+v", got)
	}
}

// AWS managed keys rotate every year, always: GetKeyRotationStatus says so
// ("The key rotation status for AWS managed KMS keys is always true":
// GetKeyRotationStatus in the API reference), and their key policy, which
// allows the account only kms:Describe*, kms:Get*, kms:List*, refuses
// EnableKeyRotation, DisableKeyRotation and RotateKeyOnDemand ("You cannot
// enable or disable automatic rotation of AWS managed KMS keys";
// "You cannot initiate on-demand rotation of AWS managed KMS keys").
func TestManagedKeyRotation(t *testing.T) {
	ctx := context.Background()
	k, clock := kmstest.New(t)
	md := lcDescribe(t, k, "alias/aws/s3")
	st := rtStatus(t, k, md.KeyId)
	if !st.KeyRotationEnabled || st.RotationPeriodInDays != 365 || !st.NextRotationDate.Equal(md.CreationDate.Add(365*rtDay)) {
		t.Fatalf("AWS managed key: %+v", st)
	}
	calls := map[string]error{}
	_, calls["kms:EnableKeyRotation"] = k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: 90})
	_, calls["kms:DisableKeyRotation"] = k.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: md.KeyId})
	_, calls["kms:RotateKeyOnDemand"] = k.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	for action, err := range calls {
		lcWantErr(t, err, kms.ErrAccessDenied, "User: arn:aws:iam::111122223333:root is not authorized to perform: "+action+" on resource: "+md.Arn+" because no resource-based policy allows the "+action+" action")
	}
	if st2 := rtStatus(t, k, md.KeyId); *st2 != *st {
		t.Fatalf("refused calls changed the status: %+v", st2)
	}
	clock.Advance(365 * rtDay)
	got := rtList(t, k, md.KeyId, "", 0)
	if len(got) != 1 || got[0].RotationType != kms.RotationTypeAutomatic || got[0].KeyMaterialId != lcDescribe(t, k, md.KeyId).CurrentKeyMaterialId {
		t.Fatalf("a year on the AWS managed key lists %+v, want one automatic rotation", got)
	}
}

// RewrapRootKey moves a store holding rotated keys and the rotation index
// to another root key: every material still decrypts and the rotation
// schedule still runs.
func TestRotationSurvivesRewrap(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	clock := kmstest.NewClock(kmstest.Start)
	k, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, Clock: clock, RootKey: oldKey})
	md := lcCreate(t, k, nil)
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("first")})
	lcNoErr(t, err)
	rtRotate(t, k, md.KeyId)
	rtEnable(t, k, md.KeyId, 90)
	lcNoErr(t, k.Close())
	lcNoErr(t, kms.RewrapRootKey(ctx, store, keystore.RawRootKey(oldKey), keystore.RawRootKey(newKey)))
	k2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, Clock: clock, RootKey: newKey})
	rtDecrypts(t, k2, enc.CiphertextBlob, []byte("first"), md.CurrentKeyMaterialId)
	clock.Advance(90 * rtDay)
	lcNoErr(t, k2.Maintain(ctx))
	if got := rtList(t, k2, md.KeyId, "", 0); len(got) != 2 || got[1].RotationType != kms.RotationTypeAutomatic {
		t.Fatalf("after the rewrap: %+v", got)
	}
}
