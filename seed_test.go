package kms_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// Tests of seeding (Seed, ApplySeed, ParseSeed) with testdata/seed.yaml.

const (
	seedKey    = "0b5f1a3e-7c2d-4e8f-9a6b-1c2d3e4f5a6b" // SYMMETRIC_DEFAULT, material 0x00..0x1f
	seedMRK    = "mrk-00112233445566778899aabbccddeeff" // random material, Disabled
	seedHMAC   = "6c1e2d3f-4a5b-4c6d-8e7f-8091a2b3c4d5" // HMAC_256, material 0x20..0x3f
	seedP256   = "7d2f3e4a-5b6c-4d7e-9f80-91a2b3c4d5e6" // ECC_NIST_P256, known PKCS #8
	seedGrant  = "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"
	seedP256DB = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiW5cBT05bo9/DExECYyG38jiaGUkiUbqUjUdhSZGs7ihRANCAATbwfees3R/gs5wUDqLdARL9IcxkgCK4S0Fz+jJ17TDZxymwDag0QZUnNHxWF41oTVmMxomVQ80fD0aySloVsFs"
)

// goldenBlob is a version 2 ciphertext blob of goldenPlaintext under
// encryption context goldenContext, made once by Encrypt under seedKey
// (account 111122223333, us-east-1) and frozen here: any store seeded with
// testdata/seed.yaml must decrypt it, today and after any change.
const goldenBlob = "020c3131313132323232333333330975732d656173742d312430623566316133652d376332642d346538662d396136622d3163326433653466356136625aa049d2f19a44beea710d73485355cd42f65a34b54a8102ed793fc769164ab17dc1eada5e13f55d33308972a55ce6fa010cb5287950d273ba6ad50335fd1cfe2ae9168cd22feb227ae7f6849f55c13f88cde5cee88574e8a7e15b198ee72fee58ecee"

var (
	goldenPlaintext = []byte("embedkms seed golden vector")
	goldenContext   = map[string]string{"purpose": "golden"}
)

func seedFile(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSeed(t testing.TB, k *kms.KMS, seed []byte) {
	t.Helper()
	if err := k.Seed(ctx, bytes.NewReader(seed)); err != nil {
		t.Fatalf("Seed: %v", err)
	}
}

func decryptGolden(t testing.TB, k *kms.KMS) {
	t.Helper()
	blob, _ := hex.DecodeString(goldenBlob)
	out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: goldenContext})
	if err != nil {
		t.Fatalf("Decrypt of the golden blob: %v", err)
	}
	if !bytes.Equal(out.Plaintext, goldenPlaintext) || out.KeyId != "arn:aws:kms:us-east-1:111122223333:key/"+seedKey {
		t.Fatalf("Decrypt of the golden blob = %q under %s", out.Plaintext, out.KeyId)
	}
}

// TestSeedGoldenVector: a ciphertext made under a seeded key with known
// material, frozen in the test, decrypts in a freshly seeded store, and
// also from blob.go's format description on the standard library alone
// with the known material (0x00..0x1f) and the seed's material id.
func TestSeedGoldenVector(t *testing.T) {
	k, _ := kmstest.New(t)
	mustSeed(t, k, seedFile(t))
	decryptGolden(t, k)

	blob, _ := hex.DecodeString(goldenBlob)
	material := make([]byte, 32)
	for i := range material {
		material[i] = byte(i)
	}
	hl := 1 + 1 + 12 + 1 + 9 + 1 + 36 + 32
	got, err := stdOpenBlob(t, material, blob, hl, goldenContext)
	if err != nil || !bytes.Equal(got, goldenPlaintext) {
		t.Fatalf("the golden blob does not open from the format description: %v", err)
	}
	// The material id in the header is the one DescribeKey reports,
	// derived from the key id alone.
	md := describe(t, k, seedKey)
	if hex.EncodeToString(blob[hl-32:hl]) != md.CurrentKeyMaterialId {
		t.Errorf("blob material id %x, DescribeKey says %s", blob[hl-32:hl], md.CurrentKeyMaterialId)
	}
	sum := sha256.Sum256([]byte("embedkms/seed/material-id/v1\x00" + seedKey))
	if md.CurrentKeyMaterialId != hex.EncodeToString(sum[:]) {
		t.Errorf("CurrentKeyMaterialId %s is not derived from the key id", md.CurrentKeyMaterialId)
	}
	// Another context does not open it.
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}); !errors.Is(err, kms.ErrInvalidCiphertext) {
		t.Errorf("golden blob without its context: %v", err)
	}
	// And a ciphertext made in one seeded store opens in another.
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/golden", Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := kmstest.New(t)
	mustSeed(t, k2, seedFile(t))
	if out, err := k2.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil || string(out.Plaintext) != "x" {
		t.Errorf("a second seeded store does not decrypt: %v", err)
	}
}

func describe(t testing.TB, k *kms.KMS, id string) *kms.KeyMetadata {
	t.Helper()
	out, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	if err != nil {
		t.Fatalf("DescribeKey %s: %v", id, err)
	}
	return out.KeyMetadata
}

// TestSeedRoundTrip: every field of testdata/seed.yaml is what the API
// then reports: DescribeKey, ListResourceTags, GetKeyPolicy (a YAML
// mapping becomes its JSON, Version staying the string written; a JSON
// string is kept as given), ListAliases, ListGrants; and the known HMAC
// and P-256 material is the key's.
func TestSeedRoundTrip(t *testing.T) {
	k, clock := kmstest.New(t)
	mustSeed(t, k, seedFile(t))

	want := map[string]struct {
		spec    kms.KeySpec
		usage   kms.KeyUsageType
		state   kms.KeyState
		desc    string
		multi   bool
		aliases []string
	}{
		seedKey:  {kms.KeySpecSymmetricDefault, kms.KeyUsageTypeEncryptDecrypt, kms.KeyStateEnabled, "golden", false, []string{"alias/golden"}},
		seedMRK:  {kms.KeySpecSymmetricDefault, kms.KeyUsageTypeEncryptDecrypt, kms.KeyStateDisabled, "multi-Region, random material", true, nil},
		seedHMAC: {kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac, kms.KeyStateEnabled, "", false, nil},
		seedP256: {kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify, kms.KeyStateEnabled, "", false, []string{"alias/signer"}},
	}
	keys, err := k.ListKeys(ctx, nil)
	if err != nil || len(keys.Keys) != len(want) {
		t.Fatalf("ListKeys = %v, %v; want %d keys", keys, err, len(want))
	}
	for id, w := range want {
		md := describe(t, k, id)
		if md.KeySpec != w.spec || md.KeyUsage != w.usage || md.KeyState != w.state || md.Description != w.desc ||
			md.MultiRegion != w.multi || md.Origin != kms.OriginTypeAwsKms || !md.CreationDate.Equal(clock.Now()) ||
			md.Arn != "arn:aws:kms:us-east-1:111122223333:key/"+id {
			t.Errorf("DescribeKey %s = %+v, want %+v", id, md, w)
		}
		al, err := k.ListAliases(ctx, &kms.ListAliasesInput{KeyId: id})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range al.Aliases {
			names = append(names, a.AliasName)
			if a.TargetKeyId != id {
				t.Errorf("alias %s targets %s", a.AliasName, a.TargetKeyId)
			}
		}
		if !slices.Equal(names, w.aliases) {
			t.Errorf("aliases of %s = %v, want %v", id, names, w.aliases)
		}
	}

	tags, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: seedKey})
	if err != nil || !reflect.DeepEqual(tags.Tags, []kms.Tag{{TagKey: "Project", TagValue: "alpha"}, {TagKey: "Team", TagValue: "kms"}}) {
		t.Errorf("tags = %+v, %v", tags, err)
	}

	pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: seedKey})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(pol.Policy), &doc); err != nil {
		t.Fatalf("policy %q is not JSON: %v", pol.Policy, err)
	}
	wantDoc := map[string]any{"Version": "2012-10-17", "Id": "seeded", "Statement": []any{map[string]any{
		"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::111122223333:root"},
		"Action": "kms:*", "Resource": "*",
	}}}
	if !reflect.DeepEqual(doc, wantDoc) {
		t.Errorf("policy from YAML = %s", pol.Policy)
	}
	pol, err = k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: seedP256})
	if err != nil || pol.Policy != `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}` {
		t.Errorf("JSON policy = %q, %v", pol.Policy, err)
	}

	grants, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: seedKey})
	if err != nil || len(grants.Grants) != 1 {
		t.Fatalf("ListGrants = %+v, %v", grants, err)
	}
	g := grants.Grants[0]
	if g.GrantId != seedGrant || g.Name != "app-decrypt" || g.GranteePrincipal != "arn:aws:iam::111122223333:role/app" ||
		g.RetiringPrincipal != "arn:aws:iam::111122223333:role/admin" || g.IssuingAccount != "arn:aws:iam::111122223333:root" ||
		!slices.Equal(g.Operations, []kms.GrantOperation{kms.GrantOperationDecrypt, kms.GrantOperationEncrypt}) ||
		g.Constraints == nil || !reflect.DeepEqual(g.Constraints.EncryptionContextSubset, goldenContext) ||
		g.KeyId != "arn:aws:kms:us-east-1:111122223333:key/"+seedKey {
		t.Errorf("grant = %+v", g)
	}
	grants, err = k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: seedP256})
	if err != nil || len(grants.Grants) != 1 || len(grants.Grants[0].GrantId) != 64 ||
		!slices.Equal(grants.Grants[0].Operations, []kms.GrantOperation{kms.GrantOperationGetPublicKey, kms.GrantOperationSign}) {
		t.Fatalf("ListGrants of the P-256 key = %+v, %v", grants, err)
	}

	grants, err = k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: seedMRK})
	if err != nil || len(grants.Grants) != 1 || !slices.Equal(grants.Grants[0].Operations, []kms.GrantOperation{kms.GrantOperationDecrypt}) {
		t.Fatalf("ListGrants of the Disabled key = %+v, %v", grants, err)
	}

	// The seeded grant is in force: the grantee may decrypt the golden blob.
	app := kms.WithCaller(ctx, "arn:aws:iam::111122223333:role/app")
	blob, _ := hex.DecodeString(goldenBlob)
	if _, err := k.Decrypt(app, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: goldenContext}); err != nil {
		t.Errorf("the grantee cannot use its seeded grant: %v", err)
	}

	// The HMAC key's material is the seed's.
	mac, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: seedHMAC, Message: []byte("m"), MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
	if err != nil {
		t.Fatal(err)
	}
	hmacKey := make([]byte, 32)
	for i := range hmacKey {
		hmacKey[i] = byte(0x20 + i)
	}
	h := hmac.New(sha256.New, hmacKey)
	h.Write([]byte("m"))
	if !hmac.Equal(mac.Mac, h.Sum(nil)) {
		t.Error("GenerateMac of the seeded HMAC key is not HMAC-SHA256 under its seeded material")
	}
	// The P-256 key's public key is that of the seed's private key.
	der, _ := base64.StdEncoding.DecodeString(seedP256DB)
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(priv.(*ecdsa.PrivateKey).Public())
	pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: "alias/signer"})
	if err != nil || !bytes.Equal(pub.PublicKey, spki) {
		t.Errorf("GetPublicKey of the seeded P-256 key is not the seed's: %v", err)
	}
}

// seedState is what a seed writes, as the API reports it.
func seedState(t testing.TB, k *kms.KMS) string {
	t.Helper()
	var b strings.Builder
	keys, err := k.ListKeys(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range keys.Keys {
		md := describe(t, k, e.KeyId)
		pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: e.KeyId})
		if err != nil {
			t.Fatal(err)
		}
		tags, _ := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: e.KeyId})
		grants, _ := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: e.KeyId})
		js, _ := json.Marshal([]any{md, pol.Policy, tags.Tags, grants.Grants})
		b.Write(js)
		b.WriteByte('\n')
	}
	al, _ := k.ListAliases(ctx, nil)
	js, _ := json.Marshal(al.Aliases)
	b.Write(js)
	return b.String()
}

// TestSeedIdempotent: seeding the same file again (later, on a store
// changed since through the API) adds and changes nothing: no duplicate
// key, alias or grant, the random material of a key without known
// material is kept, and what the API changed (description, state, alias
// target) keeps its latest value. A seeded key deleted since is created
// again, with its known material.
func TestSeedIdempotent(t *testing.T) {
	k, clock := kmstest.New(t)
	seed := seedFile(t)
	mustSeed(t, k, seed)
	before := seedState(t, k)
	if _, err := k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: seedMRK}); err != nil {
		t.Fatal(err)
	}
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: seedMRK, Plaintext: []byte("random material")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: seedMRK}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	mustSeed(t, k, seed)
	if after := seedState(t, k); after != before {
		t.Fatalf("a second Seed changed the store:\nbefore %s\nafter  %s", before, after)
	}
	k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: seedMRK})
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("the second Seed replaced the random material: %v", err)
	}

	// Changes made through the API stay.
	k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: seedKey, Description: "changed"})
	k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: seedHMAC})
	other, err := k.CreateKey(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/golden", TargetKeyId: other.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	changed := seedState(t, k)
	mustSeed(t, k, seed)
	if after := seedState(t, k); after != changed {
		t.Fatalf("Seed undid changes made through the API:\nbefore %s\nafter  %s", changed, after)
	}

	// A seeded key deleted since comes back, with its material.
	k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/golden", TargetKeyId: seedKey})
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: seedKey, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(8 * 24 * time.Hour)
	if err := k.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: seedKey}); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("deleted key: %v", err)
	}
	mustSeed(t, k, seed)
	decryptGolden(t, k)
	if md := describe(t, k, seedKey); md.Description != "golden" || md.KeyState != kms.KeyStateEnabled {
		t.Errorf("recreated key = %+v", md)
	}
	g, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: seedKey})
	if err != nil || len(g.Grants) != 1 || g.Grants[0].GrantId != seedGrant {
		t.Errorf("recreated key's grants = %+v, %v", g, err)
	}
}

// replaceLine returns seed with the line holding old replaced by new
// (exactly one such line).
func replaceLine(t testing.TB, seed []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(seed, []byte(old)); n != 1 {
		t.Fatalf("%q occurs %d times in the seed", old, n)
	}
	return bytes.Replace(seed, []byte(old), []byte(new), 1)
}

// TestSeedConflicts: a seed that contradicts the store in what AWS never
// changes is refused with ErrSeedConflict naming the entry and the field,
// and writes nothing, not even its entries that do not conflict.
func TestSeedConflicts(t *testing.T) {
	const extra = "\n  - id: 11111111-2222-4333-8444-555555555555\n"
	zero := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, c := range []struct {
		name        string
		old, new    string // line of testdata/seed.yaml and its replacement
		old2, new2  string // another, to keep the seed valid; optional
		entry, fld  string
		wantMessage string
	}{
		{"other material", "keyMaterial: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "keyMaterial: " + zero, "", "", "keys[0]", "keyMaterial", "has other key material than the seed gives"},
		{"known material for a random key", "description: multi-Region, random material", "description: x\n    keyMaterial: " + zero, "", "", "keys[1]", "keyMaterial", "has other key material"},
		{"other spec", "keySpec: HMAC_256", "keySpec: HMAC_512", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=", base64.StdEncoding.EncodeToString(make([]byte, 64)), "keys[2]", "keySpec", "has KeySpec HMAC_256, the seed says HMAC_512"},
		{"other usage", "keyUsage: SIGN_VERIFY", "keyUsage: KEY_AGREEMENT", "operations: [Sign, GetPublicKey]", "operations: [DeriveSharedSecret]", "keys[3]", "keyUsage", "has KeyUsage SIGN_VERIFY, the seed says KEY_AGREEMENT"},
		{"grant with other contents", "operations: [Decrypt, Encrypt]", "operations: [Decrypt]", "", "", "grants[0]", "id", "grant " + seedGrant + " of this key has other contents"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, _ := kmstest.New(t)
			seed := seedFile(t)
			// The seed of the test's store has the other key's line
			// unchanged; the conflicting one adds a key and an alias.
			mustSeed(t, k, seed)
			before := seedState(t, k)
			bad := replaceLine(t, seed, c.old, c.new)
			bad = replaceLine(t, bad, "\naliases:\n", extra+"aliases:\n  - name: alias/extra\n    targetKeyId: 11111111-2222-4333-8444-555555555555\n")
			if c.old2 != "" {
				bad = replaceLine(t, bad, c.old2, c.new2)
			}
			err := k.Seed(ctx, bytes.NewReader(bad))
			var se *kms.SeedError
			if !errors.Is(err, kms.ErrSeedConflict) || !errors.As(err, &se) || se.Entry != c.entry || se.Field != c.fld ||
				!strings.Contains(err.Error(), c.wantMessage) || se.Line == 0 {
				t.Fatalf("Seed = %v (%+v), want a conflict at %s.%s: %s", err, se, c.entry, c.fld, c.wantMessage)
			}
			if after := seedState(t, k); after != before {
				t.Fatalf("a conflicting Seed changed the store:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestSeedInvalid: a seed that is not valid is refused with an error
// naming the entry (and its line), the field and what is wrong, with the
// AWS error CreateKey, CreateAlias or CreateGrant gives for the same
// input where there is one, and nothing of it is written.
func TestSeedInvalid(t *testing.T) {
	const (
		id  = "11111111-2222-4333-8444-555555555555"
		key = "keys:\n  - id: " + id + "\n"
	)
	mat := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	for _, c := range []struct {
		name, seed  string
		entry, fld  string
		line        int
		code        kms.Code // "" for seed-only errors
		wantMessage string
	}{
		{"unknown top-level field", "kes: []\n", "", "", 0, "", "line 1: field kes not found"},
		{"unknown key field", key + "    keyspec: RSA_2048\n", "", "", 0, "", "line 3: field keyspec not found"},
		{"wrong type", "keys: {id: x}\n", "", "", 0, "", "invalid YAML"},
		{"duplicate mapping key", key + "    description: a\n    description: b\n", "", "", 0, "", "already defined"},
		{"two documents", key + "---\n" + key, "", "", 0, "", "more than one YAML document"},
		{"not YAML", "keys: [\n", "", "", 0, "", "invalid YAML"},
		{"key without id", "keys:\n  - description: x\n", "keys[0]", "id", 2, "", "required"},
		{"key id not a key id", "keys:\n  - id: alias/x\n", "keys[0]", "id", 2, "", "not a key id"},
		{"upper-case key id", "keys:\n  - id: 11111111-2222-4333-8444-55555555555A\n", "keys[0]", "id", 2, "", "not a key id"},
		{"duplicate key", key + "  - id: " + id + "\n", "keys[1]", "id", 3, "", "the seed lists this key twice"},
		{"unknown key spec", key + "    keySpec: AES_256\n", "keys[0]", "keySpec", 2, kms.ErrValidation, "Member must satisfy enum value set"},
		{"usage missing", key + "    keySpec: RSA_2048\n", "keys[0]", "keyUsage", 2, kms.ErrValidation, "You must specify a KeyUsage value"},
		{"usage not of the spec", key + "    keySpec: HMAC_256\n    keyUsage: SIGN_VERIFY\n", "keys[0]", "keyUsage", 2, kms.ErrValidation, "KeyUsage SIGN_VERIFY is not compatible with KeySpec HMAC_256"},
		{"SM2 outside China", key + "    keySpec: SM2\n    keyUsage: SIGN_VERIFY\n", "keys[0]", "keySpec", 2, kms.ErrValidation, "KeySpec SM2 is supported only in China Regions"},
		{"description too long", key + "    description: " + strings.Repeat("d", 8193) + "\n", "keys[0]", "description", 2, kms.ErrValidation, "length less than or equal to 8192"},
		{"reserved tag", key + "    tags: {\"aws:x\": y}\n", "keys[0]", "tags", 2, kms.ErrTag, "Tags beginning with aws: are reserved"},
		{"bad policy", key + "    policy: '{\"Version\": \"2012-10-17\"}'\n", "keys[0]", "policy", 2, kms.ErrMalformedPolicyDocument, ""},
		{"policy with an alias", key + "    policy: &p {Version: \"2012-10-17\"}\n", "", "", 0, "", "anchors and aliases are not allowed"},
		{"policy of another type", key + "    policy: [a]\n", "", "", 0, "", "want a mapping or a string of JSON"},
		{"material not base64", key + "    keyMaterial: '***'\n", "", "", 0, "", "line 3: keyMaterial: not standard base64"},
		{"symmetric material too short", key + "    keyMaterial: " + mat(16) + "\n", "keys[0]", "keyMaterial", 2, "", "16 bytes; SYMMETRIC_DEFAULT material is 32 bytes"},
		{"HMAC material of another size", key + "    keySpec: HMAC_384\n    keyUsage: GENERATE_VERIFY_MAC\n    keyMaterial: " + mat(32) + "\n", "keys[0]", "keyMaterial", 2, "", "32 bytes; HMAC_384 material is 48 bytes"},
		{"P-256 material not PKCS #8", key + "    keySpec: ECC_NIST_P256\n    keyUsage: SIGN_VERIFY\n    keyMaterial: " + mat(32) + "\n", "keys[0]", "keyMaterial", 2, "", "not ECC_NIST_P256 key material: want PKCS #8 DER of the private key (32 bytes given)"},
		{"Ed25519 material not a seed", key + "    keySpec: ECC_NIST_EDWARDS25519\n    keyUsage: SIGN_VERIFY\n    keyMaterial: " + mat(31) + "\n", "keys[0]", "keyMaterial", 2, "", "not ECC_NIST_EDWARDS25519 key material: want the 32-byte seed (31 bytes given)"},
		{"alias without prefix", key + "aliases:\n  - name: app\n    targetKeyId: " + id + "\n", "aliases[0]", "name", 4, kms.ErrValidation, `Alias must start with the prefix "alias/"`},
		{"reserved alias", key + "aliases:\n  - name: alias/aws/s3\n    targetKeyId: " + id + "\n", "aliases[0]", "name", 4, kms.ErrInvalidAliasName, "reserved for AWS managed keys"},
		{"alias of no key", key + "aliases:\n  - name: alias/a\n    targetKeyId: 99999999-2222-4333-8444-555555555555\n", "aliases[0]", "targetKeyId", 4, "", "no key 99999999-2222-4333-8444-555555555555 in the seed or in the store"},
		{"alias without target", key + "aliases:\n  - name: alias/a\n", "aliases[0]", "targetKeyId", 4, "", "required"},
		{"duplicate alias", key + "aliases:\n  - {name: alias/a, targetKeyId: " + id + "}\n  - {name: alias/a, targetKeyId: " + id + "}\n", "aliases[1]", "name", 5, "", "the seed lists this alias twice"},
		{"grant without key", key + "grants:\n  - granteePrincipal: arn:aws:iam::111122223333:role/a\n    operations: [Encrypt]\n", "grants[0]", "keyId", 4, "", "required"},
		{"grant of no key", key + "grants:\n  - keyId: alias/a\n    granteePrincipal: arn:aws:iam::111122223333:role/a\n    operations: [Encrypt]\n", "grants[0]", "keyId", 4, "", `"alias/a" is not a key id`},
		{"grant without operations", key + "grants:\n  - keyId: " + id + "\n    granteePrincipal: arn:aws:iam::111122223333:role/a\n", "grants[0]", "operations", 4, kms.ErrValidation, "Member must not be null"},
		{"grant of an unknown operation", key + "grants:\n  - keyId: " + id + "\n    granteePrincipal: arn:aws:iam::111122223333:role/a\n    operations: [Fly]\n", "grants[0]", "operations", 4, kms.ErrValidation, "Member must satisfy enum value set"},
		{"grant of only CreateGrant", key + "grants:\n  - keyId: " + id + "\n    granteePrincipal: arn:aws:iam::111122223333:role/a\n    operations: [CreateGrant]\n", "grants[0]", "operations", 4, kms.ErrValidation, "Grants must not contain only the CreateGrant operation."},
		{"grant operation not of the key", key + "grants:\n  - keyId: " + id + "\n    granteePrincipal: arn:aws:iam::111122223333:role/a\n    operations: [Sign]\n", "grants[0]", "operations", 4, kms.ErrValidation, "Grant operation Sign is not valid for a KMS key with KeySpec SYMMETRIC_DEFAULT"},
		{"grant without grantee", key + "grants:\n  - keyId: " + id + "\n    operations: [Encrypt]\n", "grants[0]", "granteePrincipal", 4, kms.ErrValidation, "You must specify either GranteePrincipal or GranteeServicePrincipal"},
		{"grantee not a principal", key + "grants:\n  - keyId: " + id + "\n    granteePrincipal: bob\n    operations: [Encrypt]\n", "grants[0]", "granteePrincipal", 4, kms.ErrInvalidArn, "Invalid principal: bob"},
		{"retiring principal not a principal", key + "grants:\n  - keyId: " + id + "\n    granteePrincipal: arn:aws:iam::111122223333:role/a\n    retiringPrincipal: bob\n    operations: [Encrypt]\n", "grants[0]", "retiringPrincipal", 4, kms.ErrInvalidArn, "Invalid principal: bob"},
		{"service grantee without SourceArn", key + "grants:\n  - keyId: " + id + "\n    granteeServicePrincipal: logs.amazonaws.com\n    retiringServicePrincipal: logs.amazonaws.com\n    operations: [Encrypt]\n", "grants[0]", "constraints", 4, kms.ErrValidation, "must have a SourceArn grant constraint"},
		{"grant id not one", key + "grants:\n  - keyId: " + id + "\n    id: g1\n    granteePrincipal: arn:aws:iam::111122223333:role/a\n    operations: [Encrypt]\n", "grants[0]", "id", 4, "", `"g1" is not a grant id`},
		{"duplicate grant", key + "grants:\n  - {keyId: " + id + ", granteePrincipal: \"arn:aws:iam::111122223333:role/a\", operations: [Encrypt]}\n  - {keyId: " + id + ", granteePrincipal: \"arn:aws:iam::111122223333:role/a\", operations: [Encrypt, Encrypt]}\n", "grants[1]", "", 5, "", "the seed lists this grant twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, _ := kmstest.New(t)
			err := k.Seed(ctx, strings.NewReader(c.seed))
			var se *kms.SeedError
			if !errors.As(err, &se) {
				t.Fatalf("Seed = %v, want a *SeedError", err)
			}
			if se.Entry != c.entry || se.Field != c.fld || se.Line != c.line || !strings.Contains(err.Error(), c.wantMessage) {
				t.Errorf("Seed = %q (entry %q field %q line %d), want entry %q field %q line %d, message with %q",
					err, se.Entry, se.Field, se.Line, c.entry, c.fld, c.line, c.wantMessage)
			}
			if c.code != "" && !errors.Is(err, c.code) {
				t.Errorf("Seed = %v, want %s", err, c.code)
			}
			if !strings.HasPrefix(err.Error(), "seed: ") {
				t.Errorf("message %q does not say it is about the seed", err)
			}
			if keys, _ := k.ListKeys(ctx, nil); len(keys.Keys) != 0 {
				t.Errorf("an invalid seed wrote %d keys", len(keys.Keys))
			}
			if al, _ := k.ListAliases(ctx, nil); len(sdStored(al.Aliases)) != 0 {
				t.Errorf("an invalid seed wrote %d aliases", len(sdStored(al.Aliases)))
			}
		})
	}
}

// TestSeedAgainstStore: aliases and grants of a seed may name keys the
// store holds but the seed does not list; such a key pending deletion
// refuses them with KMSInvalidStateException, as CreateAlias and
// CreateGrant do, and nothing of the seed is written.
func TestSeedAgainstStore(t *testing.T) {
	k, _ := kmstest.New(t)
	live, err := k.CreateKey(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	doomed, err := k.CreateKey(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: doomed.KeyMetadata.KeyId, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	liveID, doomedID := live.KeyMetadata.KeyId, doomed.KeyMetadata.KeyId
	ok := "aliases:\n  - {name: alias/live, targetKeyId: " + liveID + "}\n" +
		"grants:\n  - {keyId: " + liveID + ", granteePrincipal: \"arn:aws:iam::111122223333:role/r\", operations: [Encrypt]}\n"
	for _, c := range []struct{ name, extra, entry string }{
		{"alias of a key pending deletion", "  - {name: alias/doomed, targetKeyId: " + doomedID + "}\n", "aliases[1]"},
		{"grant on a key pending deletion", "  - {keyId: " + doomedID + ", granteePrincipal: \"arn:aws:iam::111122223333:role/r\", operations: [Encrypt]}\n", "grants[1]"},
	} {
		seed := ok + c.extra
		if strings.HasPrefix(c.entry, "aliases") {
			seed = strings.Replace(ok, "grants:\n", c.extra+"grants:\n", 1)
		}
		err := k.Seed(ctx, strings.NewReader(seed))
		var se *kms.SeedError
		if !errors.Is(err, kms.ErrKMSInvalidState) || !errors.As(err, &se) || se.Entry != c.entry {
			t.Errorf("%s: Seed = %v, want KMSInvalidStateException at %s", c.name, err, c.entry)
		}
		if al, _ := k.ListAliases(ctx, nil); len(sdStored(al.Aliases)) != 0 {
			t.Errorf("%s: a refused seed wrote aliases", c.name)
		}
	}
	mustSeed(t, k, []byte(ok))
	al, err := k.ListAliases(ctx, nil)
	if al.Aliases = sdStored(al.Aliases); err != nil || len(al.Aliases) != 1 || al.Aliases[0].TargetKeyId != liveID {
		t.Errorf("ListAliases = %+v, %v", al, err)
	}
	g, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: liveID})
	if err != nil || len(g.Grants) != 1 {
		t.Errorf("ListGrants = %+v, %v", g, err)
	}
}

// sdStored keeps the aliases that point at a key: ListAliases also lists
// the predefined alias/aws/* aliases of AWS managed keys not created yet.
func sdStored(as []kms.AliasListEntry) []kms.AliasListEntry {
	var out []kms.AliasListEntry
	for _, a := range as {
		if a.TargetKeyId != "" {
			out = append(out, a)
		}
	}
	return out
}
