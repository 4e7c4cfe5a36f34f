package kms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/policy"
)

// Seeding loads a fixed set of keys, aliases and grants into a handle's
// account and Region, from a YAML seed file (Seed) or a SeedFile built in
// Go (ApplySeed). SEED.md documents the schema. A seed is not an AWS
// operation: it is the set-up of an emulator or of a test, done by
// whoever holds the handle, so it is not authorized (like Backup and
// Restore) and its key policies skip the lockout safety check (as with
// BypassPolicyLockoutSafetyCheck). Every other rule of CreateKey,
// CreateAlias and CreateGrant applies.
//
// Known key material (SeedKey.KeyMaterial) is for tests only: whoever
// reads the seed holds the key. It is in the form package crypto stores
// it (crypto.GenerateKeyMaterial): 32 bytes for SYMMETRIC_DEFAULT, the
// HMAC spec's size for HMAC_*, PKCS #8 DER for RSA_* and ECC_NIST_*, the
// 32-byte scalar for ECC_SECG_P256K1 and SM2, the 32-byte seed for
// ECC_NIST_EDWARDS25519 and ML_DSA_*, the 64-byte seed d || z for
// ML_KEM_*. It is wrapped under the root key like any other material,
// never stored in the clear, and gets a material id derived from the key
// id, so that ciphertexts made under the key in one store decrypt in
// another seeded alike.

// MaxSeedSize is the largest seed file Seed and ParseSeed read.
const MaxSeedSize = 16 << 20

// ErrSeedConflict is matched (errors.Is) by the error of a seed that
// contradicts what the store holds: a key of the same id with another key
// spec, key usage, origin or key material, or a grant of the same id
// with other contents. Nothing of such a seed is written.
var ErrSeedConflict = errors.New("conflicts with what the store holds")

// SeedError reports what is wrong with one entry of a seed, or with the
// file as a whole (Entry ""). Err is the cause: an *Error with the AWS
// error code CreateKey, CreateAlias or CreateGrant would give for the
// same input, ErrSeedConflict, or a plain error for what only a seed can
// get wrong (a key id that is not one, bad base64, a duplicate entry).
type SeedError struct {
	Entry string // "keys[0]", "aliases[2]", "grants[1]" (0-based)
	Name  string // the key id, alias name or grant's key id of the entry
	Line  int    // line of the entry in the YAML file; 0 if unknown
	Field string // the entry's field at fault; "" for the entry as a whole
	// Err is the cause: an *Error, ErrSeedConflict, or a plain error.
	Err error
}

// Error formats e as `seed: keys[1] "1234abcd-...", line 12: keyMaterial: ...`.
func (e *SeedError) Error() string {
	var b strings.Builder
	b.WriteString("seed: ")
	if e.Entry != "" {
		b.WriteString(e.Entry)
		if e.Name != "" {
			b.WriteString(" " + strconv.Quote(e.Name))
		}
		if e.Line > 0 {
			fmt.Fprintf(&b, ", line %d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *SeedError) Unwrap() error { return e.Err }

// SeedFile is a seed: the keys, aliases and grants to load. Seed parses
// one from YAML (see the package's seed schema); tests may build one in
// Go and call ApplySeed.
type SeedFile struct {
	// Keys are the keys to create, each once.
	Keys []SeedKey `yaml:"keys"`
	// Aliases are the aliases to create, after the keys.
	Aliases []SeedAlias `yaml:"aliases"`
	// Grants are the grants to create, after the keys.
	Grants []SeedGrant `yaml:"grants"`

	lines map[string]int // "keys[0]" -> line in the YAML file
}

// SeedKey is a key of a seed.
type SeedKey struct {
	// ID is the key id: a lowercase UUID, or "mrk-" and 32 lowercase hex
	// digits for a multi-Region (primary) key. Required.
	ID string `yaml:"id"`
	// KeySpec is the key's type, as in CreateKey; "": SYMMETRIC_DEFAULT.
	KeySpec KeySpec `yaml:"keySpec"`
	// KeyUsage is the key's usage, as in CreateKey; "": ENCRYPT_DECRYPT
	// for SYMMETRIC_DEFAULT, and required for every other KeySpec.
	KeyUsage KeyUsageType `yaml:"keyUsage"`
	// Description is the key's description; "": none.
	Description string `yaml:"description"`
	// Policy is the key policy; "": the default key policy.
	Policy SeedPolicy `yaml:"policy"`
	// Tags maps tag keys to values, with CreateKey's tag rules; nil: no tags.
	Tags map[string]string `yaml:"tags"`
	// Enabled nil or true: the key is Enabled; false: Disabled.
	Enabled *bool `yaml:"enabled"`
	// KeyMaterial is known secret material, for tests only; nil: fresh
	// random material, as CreateKey makes.
	KeyMaterial SeedMaterial `yaml:"keyMaterial"`
}

// SeedAlias is an alias of a seed.
type SeedAlias struct {
	// Name is the alias name, alias/ and a name not under alias/aws/.
	// Required.
	Name string `yaml:"name"`
	// TargetKeyID is the key id of the key the alias points at, a key of the
	// seed or of the store. Required.
	TargetKeyID string `yaml:"targetKeyId"`
}

// SeedGrant is a grant of a seed, with CreateGrant's members.
type SeedGrant struct {
	// ID is the grant id, 64 lowercase hex digits; "": derived from the
	// grant's contents (key, name, principals, operations, constraints).
	ID string `yaml:"id"`
	// KeyID is the key id of the key the grant is for, a key of the seed or of
	// the store. Required.
	KeyID string `yaml:"keyId"`
	// Name is the grant's name; "": none.
	Name string `yaml:"name"`
	// GranteePrincipal is the IAM principal the grant is to; give it or
	// GranteeServicePrincipal.
	GranteePrincipal string `yaml:"granteePrincipal"`
	// GranteeServicePrincipal is the AWS service principal the grant is to;
	// give it or GranteePrincipal.
	GranteeServicePrincipal string `yaml:"granteeServicePrincipal"`
	// RetiringPrincipal is an IAM principal that may retire the grant; "":
	// none.
	RetiringPrincipal string `yaml:"retiringPrincipal"`
	// RetiringServicePrincipal is an AWS service principal that may retire the
	// grant; "": none.
	RetiringServicePrincipal string `yaml:"retiringServicePrincipal"`
	// Operations are the operations the grant allows, as in CreateGrant.
	// Required.
	Operations []GrantOperation `yaml:"operations"`
	// Constraints are the grant's constraints; nil: none.
	Constraints *SeedGrantConstraints `yaml:"constraints"`
}

// SeedGrantConstraints are a seed grant's constraints.
type SeedGrantConstraints struct {
	// EncryptionContextEquals is GrantConstraints.EncryptionContextEquals.
	EncryptionContextEquals map[string]string `yaml:"encryptionContextEquals"`
	// EncryptionContextSubset is GrantConstraints.EncryptionContextSubset.
	EncryptionContextSubset map[string]string `yaml:"encryptionContextSubset"`
	// SourceArn is GrantConstraints.SourceArn.
	SourceArn string `yaml:"sourceArn"`
}

// SeedPolicy is a key policy in a seed: JSON text. In YAML it is either a
// string holding the JSON, or the policy written as a YAML mapping, which
// becomes its JSON (scalars keep their YAML type, except dates, which
// stay the text written: Version: 2012-10-17 is the string "2012-10-17").
type SeedPolicy string

// UnmarshalYAML reads a policy given as a string or as a mapping.
func (p *SeedPolicy) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		*p = SeedPolicy(n.Value)
		return nil
	case n.Kind == yaml.MappingNode:
		v, err := yamlToJSON(n, 0)
		if err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: policy: %v", n.Line, err)
		}
		*p = SeedPolicy(b)
		return nil
	}
	return fmt.Errorf("line %d: policy: want a mapping or a string of JSON", n.Line)
}

// maxPolicyDepth bounds the nesting of a policy written in YAML.
const maxPolicyDepth = 32

// yamlToJSON turns a YAML node into the value encoding/json writes as the
// same document. Anchors and aliases are refused: a policy has no use for
// them, and expanding them could blow up.
func yamlToJSON(n *yaml.Node, depth int) (any, error) {
	if depth > maxPolicyDepth {
		return nil, fmt.Errorf("line %d: policy: nested more than %d deep", n.Line, maxPolicyDepth)
	}
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return nil, fmt.Errorf("line %d: policy: anchors and aliases are not allowed in a policy", n.Line)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			if kn.Kind != yaml.ScalarNode || kn.Tag == "!!null" {
				return nil, fmt.Errorf("line %d: policy: a mapping key must be a string", kn.Line)
			}
			if _, dup := m[kn.Value]; dup {
				return nil, fmt.Errorf("line %d: policy: key %q given twice", kn.Line, kn.Value)
			}
			v, err := yamlToJSON(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[kn.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlToJSON(c, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			err := n.Decode(&b)
			return b, err
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		default: // !!str, !!timestamp: the text as written
			return n.Value, nil
		}
	}
	return nil, fmt.Errorf("line %d: policy: unexpected YAML node", n.Line)
}

// SeedMaterial is key material in a seed; in YAML, its standard base64
// (RFC 4648, with padding).
type SeedMaterial []byte

// UnmarshalYAML decodes base64 text.
func (m *SeedMaterial) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return fmt.Errorf("line %d: keyMaterial: want a base64 string", n.Line)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(n.Value))
	if err != nil || len(b) == 0 {
		return fmt.Errorf("line %d: keyMaterial: not standard base64 of the key material", n.Line)
	}
	*m = b
	return nil
}

// ParseSeed reads a YAML seed file (at most MaxSeedSize bytes). Decoding
// is strict: an unknown field, a duplicate mapping key or a value of the
// wrong type is an error naming its line. The entries are checked when
// the seed is applied (ApplySeed).
func ParseSeed(r io.Reader) (*SeedFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSeedSize+1))
	if err != nil {
		return nil, &SeedError{Err: err}
	}
	if len(data) > MaxSeedSize {
		return nil, &SeedError{Err: fmt.Errorf("the file is larger than %d bytes", MaxSeedSize)}
	}
	var f SeedFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	switch err := dec.Decode(&f); {
	case errors.Is(err, io.EOF): // empty file: an empty seed
		return &f, nil
	case err != nil:
		return nil, &SeedError{Err: fmt.Errorf("invalid YAML: %w", err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &SeedError{Err: errors.New("more than one YAML document: a seed is one")}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err == nil {
		f.lines = entryLines(&doc)
	}
	return &f, nil
}

// entryLines maps "keys[0]" etc. to the line of each entry of doc.
func entryLines(doc *yaml.Node) map[string]int {
	lines := map[string]int{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return lines
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		for j, e := range top[i+1].Content {
			lines[top[i].Value+"["+strconv.Itoa(j)+"]"] = e.Line
		}
	}
	return lines
}

// Seed loads the YAML seed file r (ParseSeed) into the handle's account
// and Region (ApplySeed).
func (k *KMS) Seed(ctx context.Context, r io.Reader) error {
	if err := k.begin(ctx, nil); err != nil {
		return err
	}
	f, err := ParseSeed(r)
	if err != nil {
		return err
	}
	return k.ApplySeed(ctx, f)
}

// ApplySeed loads f into the handle's account and Region: every key,
// alias and grant it lists that the store does not hold is created, in
// one transaction, after every entry has been checked; an error leaves
// the store as it was. Applying the same seed again changes nothing.
//
// An entry the store already holds is left as the store holds it, unless
// it contradicts the seed in what AWS never changes, which is an error
// matching ErrSeedConflict: a key's spec, usage, origin or (when the
// seed gives it) material; a grant's contents. So what
// can change through the API (a key's description, policy, tags and
// state, an alias's target) keeps its latest value when a durable store
// is seeded again, and a key or grant deleted since is created again.
func (k *KMS) ApplySeed(ctx context.Context, f *SeedFile) error {
	return k.ApplySeedWithOptions(ctx, f, SeedOptions{})
}

// SeedOptions configure ApplySeedWithOptions.
type SeedOptions struct {
	// Progress, if not nil, is called as the keys the store lacks are
	// made (their material sealed under the root key, an RSA key
	// generated: the slow part of a bulk seed): with done = 0 and total
	// the number of such keys once they are known, after each key, and
	// with done = total once everything is written. Nothing is called
	// when the seed is refused before that.
	Progress func(done, total int)
}

// ApplySeedWithOptions is ApplySeed with options: a progress callback for
// a tool to show how far a large seed is.
func (k *KMS) ApplySeedWithOptions(ctx context.Context, f *SeedFile, opts SeedOptions) error {
	progress := opts.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	if err := k.begin(ctx, nil); err != nil {
		return err
	}
	if f == nil {
		return nil
	}
	// Keys past their deletion date go first, so a seed recreates them
	// rather than finding them.
	if err := k.sweep(ctx); err != nil {
		return err
	}
	p, err := k.planSeed(ctx, f)
	if err != nil {
		return err
	}
	// Material for the keys the store lacks, made (and an RSA key
	// generated) outside the transaction, which may run more than once.
	var missing []*seedKeyPlan
	err = k.store.View(ctx, func(tx backend.Txn) error {
		missing = missing[:0]
		for _, kp := range p.keys {
			if _, err := tx.Get(records.KeyKey(k.account, k.region, kp.rec.KeyID)); errors.Is(err, backend.ErrNotFound) {
				missing = append(missing, kp)
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return internal(err)
	}
	sealed := map[string]keystore.Material{}
	progress(0, len(missing))
	for i, kp := range missing {
		m, err := k.sealSeedMaterial(kp)
		if err != nil {
			return internal(err)
		}
		sealed[kp.rec.KeyID] = m
		if i+1 < len(missing) {
			progress(i+1, len(missing))
		}
	}
	err = k.store.Update(ctx, func(tx backend.Txn) error {
		return k.writeSeed(ctx, tx, f, p, sealed)
	})
	var se *SeedError
	if errors.As(err, &se) {
		return err
	}
	if err != nil {
		return internal(err)
	}
	refs := make([]keyRef, 0, len(p.keys))
	for _, kp := range p.keys {
		refs = append(refs, keyRef{k.account, k.region, kp.rec.KeyID})
	}
	aliases := make([]keyRef, 0, len(f.Aliases))
	for _, a := range f.Aliases {
		aliases = append(aliases, keyRef{k.account, k.region, a.Name})
	}
	k.shared.invalidate(refs, aliases)
	progress(len(missing), len(missing))
	return nil
}

// seedPlan is a checked seed: the records it would write.
type seedPlan struct {
	keys   []*seedKeyPlan
	grants []*records.Grant
}

type seedKeyPlan struct {
	rec      *records.Key // without material
	material []byte       // known material, or nil
}

// entryErr builds the SeedError of entry i of list ("keys" ...).
func (f *SeedFile) entryErr(list string, i int, name, field string, err error) error {
	entry := list + "[" + strconv.Itoa(i) + "]"
	return &SeedError{Entry: entry, Name: name, Line: f.lines[entry], Field: field, Err: err}
}

// planSeed checks every entry of f, without writing anything, and builds
// the records of its keys (without material) and grants. Keys that
// aliases and grants name but f does not list are read from the store.
func (k *KMS) planSeed(ctx context.Context, f *SeedFile) (*seedPlan, error) {
	p := &seedPlan{}
	byID := map[string]*records.Key{}
	for i, sk := range f.Keys {
		kp, err := k.planSeedKey(ctx, sk)
		if err != nil {
			var se *SeedError
			if errors.As(err, &se) {
				return nil, f.entryErr("keys", i, sk.ID, se.Field, se.Err)
			}
			return nil, f.entryErr("keys", i, sk.ID, "", err)
		}
		if byID[sk.ID] != nil {
			return nil, f.entryErr("keys", i, sk.ID, "id", errors.New("the seed lists this key twice"))
		}
		byID[sk.ID] = kp.rec
		p.keys = append(p.keys, kp)
	}
	// A key an alias or grant names that the seed does not list must be in
	// the store.
	keyOf := func(id string) (*records.Key, error) {
		if rec := byID[id]; rec != nil {
			return rec, nil
		}
		if !arn.IsKeyID(id) {
			return nil, fmt.Errorf("%q is not a key id (a UUID, or mrk- and 32 hex digits)", id)
		}
		var rec *records.Key
		err := k.store.View(ctx, func(tx backend.Txn) error {
			var err error
			rec, err = records.GetKey(tx, k.account, k.region, id)
			return err
		})
		if errors.Is(err, backend.ErrNotFound) {
			return nil, fmt.Errorf("no key %s in the seed or in the store", id)
		}
		if err != nil {
			return nil, internal(err)
		}
		byID[id] = rec
		return rec, nil
	}
	names := map[string]bool{}
	for i, a := range f.Aliases {
		if err := checkAliasName(a.Name, true); err != nil {
			return nil, f.entryErr("aliases", i, a.Name, "name", err)
		}
		if names[a.Name] {
			return nil, f.entryErr("aliases", i, a.Name, "name", errors.New("the seed lists this alias twice"))
		}
		names[a.Name] = true
		if a.TargetKeyID == "" {
			return nil, f.entryErr("aliases", i, a.Name, "targetKeyId", errors.New("required"))
		}
		if _, err := keyOf(a.TargetKeyID); err != nil {
			return nil, f.entryErr("aliases", i, a.Name, "targetKeyId", err)
		}
	}
	if len(f.Grants) == 0 {
		return p, nil
	}
	// Each grant is checked by CreateGrant itself, as a dry run on a
	// scratch handle holding its key: every rule of CreateGrant applies.
	scratch, err := New(Options{AccountID: k.account, Region: k.region, Partition: k.partition, Clock: k.clock, IdentityPolicies: k.iam})
	if err != nil {
		return nil, internal(err)
	}
	defer scratch.Close()
	ids := map[string]bool{}
	for i, sg := range f.Grants {
		if sg.KeyID == "" {
			return nil, f.entryErr("grants", i, "", "keyId", errors.New("required"))
		}
		rec, err := keyOf(sg.KeyID)
		if err != nil {
			return nil, f.entryErr("grants", i, sg.KeyID, "keyId", err)
		}
		if sg.ID != "" && !validGrantID(sg.ID) {
			return nil, f.entryErr("grants", i, sg.KeyID, "id", fmt.Errorf("%q is not a grant id: want 64 lowercase hex digits", sg.ID))
		}
		if err := scratch.dryRunGrant(ctx, rec, sg); err != nil {
			field := fieldOf(err)
			if errors.Is(err, ErrInvalidArn) { // "Invalid principal: p"
				field = "granteePrincipal"
				if sg.GranteePrincipal == "" || !strings.HasSuffix(err.Error(), ": "+sg.GranteePrincipal) {
					field = "retiringPrincipal"
				}
			}
			return nil, f.entryErr("grants", i, sg.KeyID, field, err)
		}
		g := k.seedGrantRecord(rec, sg)
		if ids[g.KeyID+"/"+g.GrantID] {
			return nil, f.entryErr("grants", i, sg.KeyID, "", errors.New("the seed lists this grant twice"))
		}
		ids[g.KeyID+"/"+g.GrantID] = true
		p.grants = append(p.grants, g)
	}
	return p, nil
}

// planSeedKey checks a seed key with CreateKey's checks and the seed's
// own, and builds its record (without material).
func (k *KMS) planSeedKey(ctx context.Context, sk SeedKey) (*seedKeyPlan, error) {
	if sk.ID == "" {
		return nil, &SeedError{Field: "id", Err: errors.New("required")}
	}
	if !arn.IsKeyID(sk.ID) {
		return nil, &SeedError{Field: "id", Err: errors.New("not a key id: want a lowercase UUID, or mrk- and 32 lowercase hex digits for a multi-Region key")}
	}
	in := &CreateKeyInput{
		Description: sk.Description,
		KeySpec:     sk.KeySpec,
		KeyUsage:    sk.KeyUsage,
		Policy:      string(sk.Policy),
		MultiRegion: strings.HasPrefix(sk.ID, "mrk-"),
	}
	for _, key := range slices.Sorted(maps.Keys(sk.Tags)) {
		in.Tags = append(in.Tags, Tag{TagKey: key, TagValue: sk.Tags[key]})
	}
	if err := checkUTF8(in); err != nil {
		return nil, err
	}
	plan, err := k.checkCreateKey(ctx, in)
	if err != nil {
		return nil, &SeedError{Field: fieldOf(err), Err: err}
	}
	rec := k.newKeyRecord(sk.ID, plan, in, keystore.Material{})
	rec.Materials, rec.CurrentMaterial = nil, ""
	if sk.Enabled != nil && !*sk.Enabled {
		rec.State = string(KeyStateDisabled)
	}
	if sk.KeyMaterial != nil {
		if err := checkSeedMaterial(plan.spec, sk.KeyMaterial); err != nil {
			return nil, &SeedError{Field: "keyMaterial", Err: err}
		}
	}
	return &seedKeyPlan{rec: rec, material: sk.KeyMaterial}, nil
}

// fieldOf names the seed field an error of CreateKey or CreateGrant is
// about, when it says: the member of a ValidationException ("Value 'x'
// at 'keyUsage' failed ..."; a tag's member is "tags"), the key policy,
// the tags. Otherwise "": the message names the members it is about.
func fieldOf(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code {
	case ErrTag:
		return "tags"
	case ErrMalformedPolicyDocument:
		return "policy"
	}
	_, rest, ok := strings.Cut(e.Message, " at '")
	if !ok {
		if e.Code == ErrLimitExceeded && strings.Contains(strings.ToLower(e.Message), "policy") {
			return "policy"
		}
		for _, p := range proseFields {
			if strings.HasPrefix(e.Message, p.prefix) {
				return p.field
			}
		}
		return ""
	}
	member, _, _ := strings.Cut(rest, "'")
	member, _, _ = strings.Cut(member, ".")
	return member
}

// proseFields are the fields the prose rules of CreateKey and
// CreateGrant are about, by the start of their messages.
var proseFields = []struct{ prefix, field string }{
	{"You must specify a KeyUsage", "keyUsage"},
	{"KeyUsage ", "keyUsage"},
	{"KeySpec ", "keySpec"},
	{"Grant operation ", "operations"},
	{"Grants must ", "operations"},
	{"You must specify either GranteePrincipal", "granteePrincipal"},
	{"You cannot specify both RetiringPrincipal", "retiringPrincipal"},
	{"A grant for a GranteeServicePrincipal must have a SourceArn", "constraints"},
	{"A grant for a GranteeServicePrincipal must have a Retiring", "retiringPrincipal"},
	{"A grant constraint", "constraints"},
	{"An encryption context value in a grant constraint", "constraints"},
	{"Encryption context grant constraints", "constraints"},
}

// checkSeedMaterial checks that m is key material of spec, in the form
// package crypto stores it. Its errors never show the material.
func checkSeedMaterial(spec KeySpec, m []byte) error {
	switch {
	case spec == KeySpecSymmetricDefault:
		if len(m) != crypto.AES256KeySize {
			return fmt.Errorf("%d bytes; SYMMETRIC_DEFAULT material is %d bytes", len(m), crypto.AES256KeySize)
		}
		return nil
	case strings.HasPrefix(string(spec), "HMAC_"):
		bits, _ := strconv.Atoi(strings.TrimPrefix(string(spec), "HMAC_"))
		if len(m) != bits/8 {
			return fmt.Errorf("%d bytes; %s material is %d bytes", len(m), spec, bits/8)
		}
	}
	if _, err := crypto.NewKeyPrimitive(string(spec), m); err != nil {
		form := "PKCS #8 DER of the private key"
		switch spec {
		case KeySpecEccSecgP256k1, KeySpecSm2:
			form = "the 32-byte private scalar"
		case KeySpecEccNistEdwards25519, KeySpecMlDsa44, KeySpecMlDsa65, KeySpecMlDsa87:
			form = "the 32-byte seed"
		case KeySpecMlKem512, KeySpecMlKem768, KeySpecMlKem1024:
			form = "the 64-byte seed d || z"
		}
		return fmt.Errorf("not %s key material: want %s (%d bytes given)", spec, form, len(m))
	}
	return nil
}

// seedMaterialID is the material id of known seed material: the same for
// the same key id in every store, so ciphertext blobs made under the key
// in one store open in another seeded alike. It depends on the key id
// only, never on the secret.
func seedMaterialID(keyID string) string {
	h := sha256.Sum256([]byte("embedkms/seed/material-id/v1\x00" + keyID))
	return hex.EncodeToString(h[:])
}

// sealSeedMaterial returns the wrapped material of a key the store lacks:
// the known material under its fixed id, or fresh material as CreateKey
// makes it.
func (k *KMS) sealSeedMaterial(kp *seedKeyPlan) (keystore.Material, error) {
	keyARN := k.recARN(kp.rec)
	if kp.material != nil {
		id := seedMaterialID(kp.rec.KeyID)
		w, err := k.root.Wrap(kp.material, keystore.MaterialOwner(keyARN, id))
		return keystore.Material{ID: id, Wrapped: w}, err
	}
	var secret []byte
	if KeySpec(kp.rec.KeySpec) == KeySpecSymmetricDefault {
		secret = crypto.Random(crypto.AES256KeySize)
	} else {
		var err error
		if secret, err = crypto.GenerateKeyMaterial(kp.rec.KeySpec); err != nil {
			return keystore.Material{}, err
		}
	}
	defer clear(secret)
	return k.root.Seal(keyARN, secret)
}

// dryRunGrant runs CreateGrant with DryRun for sg on a copy of rec in the
// scratch handle k, and returns its error unless it is the dry run's.
func (k *KMS) dryRunGrant(ctx context.Context, rec *records.Key, sg SeedGrant) error {
	cp := *rec
	cp.Account, cp.Region = k.account, k.region
	// Enabled, under the default key policy: the seed's grants are
	// written whatever the key's state and policy.
	cp.State, cp.Policy = string(KeyStateEnabled), policy.DefaultKeyPolicy(k.partition, k.account)
	cp.DeletionDate, cp.PendingWindowInDays = time.Time{}, 0
	cp.Materials, cp.CurrentMaterial = nil, ""
	if err := k.store.Update(ctx, func(tx backend.Txn) error { return records.PutKey(tx, &cp) }); err != nil {
		return internal(err)
	}
	k.shared.invalidate([]keyRef{{k.account, k.region, cp.KeyID}}, nil)
	in := &CreateGrantInput{
		KeyId:                    cp.KeyID,
		Name:                     sg.Name,
		GranteePrincipal:         sg.GranteePrincipal,
		GranteeServicePrincipal:  sg.GranteeServicePrincipal,
		RetiringPrincipal:        sg.RetiringPrincipal,
		RetiringServicePrincipal: sg.RetiringServicePrincipal,
		Operations:               sg.Operations,
		DryRun:                   true,
	}
	if c := sg.Constraints; c != nil {
		in.Constraints = &GrantConstraints{EncryptionContextEquals: c.EncryptionContextEquals, EncryptionContextSubset: c.EncryptionContextSubset, SourceArn: c.SourceArn}
	}
	// As the account root, whoever calls the seed: a seed is not authorized.
	ctx = WithCallerInfo(ctx, k.rootCaller.CallerInfo)
	if _, err := k.CreateGrant(ctx, in); !errors.Is(err, ErrDryRunOperation) {
		return err
	}
	return nil
}

// seedGrantRecord builds the record of seed grant sg on rec, as
// CreateGrant would, with sg's id or one derived from its contents.
func (k *KMS) seedGrantRecord(rec *records.Key, sg SeedGrant) *records.Grant {
	ops := make([]string, 0, len(sg.Operations))
	for _, o := range sg.Operations {
		ops = append(ops, string(o))
	}
	slices.Sort(ops)
	ops = slices.Compact(ops)
	g := &records.Grant{
		Account: rec.Account, Region: rec.Region, KeyID: rec.KeyID,
		GrantID:                  sg.ID,
		Name:                     sg.Name,
		CreationDate:             k.clock.Now().UTC(),
		GranteePrincipal:         sg.GranteePrincipal,
		GranteeServicePrincipal:  sg.GranteeServicePrincipal,
		RetiringPrincipal:        sg.RetiringPrincipal,
		RetiringServicePrincipal: sg.RetiringServicePrincipal,
		IssuingAccount:           "arn:" + k.partition + ":iam::" + rec.Account + ":root",
		Operations:               ops,
	}
	if c := sg.Constraints; c != nil {
		if len(c.EncryptionContextEquals) > 0 {
			g.EncryptionContextEquals = maps.Clone(c.EncryptionContextEquals)
		}
		if len(c.EncryptionContextSubset) > 0 {
			g.EncryptionContextSubset = maps.Clone(c.EncryptionContextSubset)
		}
		g.SourceArn = c.SourceArn
	}
	if g.GrantID == "" {
		g.GrantID = seedGrantID(g)
	}
	return g
}

// seedGrantID derives a grant id from what identifies a grant: its key
// and sameGrant's fields, so the same seed grant always gets the same id.
func seedGrantID(g *records.Grant) string {
	content, _ := json.Marshal([]any{
		g.Account, g.Region, g.KeyID, g.Name, g.GranteePrincipal, g.GranteeServicePrincipal,
		g.RetiringPrincipal, g.RetiringServicePrincipal, g.Operations,
		g.EncryptionContextEquals, g.EncryptionContextSubset, g.SourceArn,
	})
	h := sha256.Sum256(append([]byte("embedkms/seed/grant-id/v1\x00"), content...))
	return hex.EncodeToString(h[:])
}

// writeSeed writes, in tx, what of plan p the store lacks, and checks
// what it holds against it. sealed holds the material of the keys found
// missing before the transaction.
func (k *KMS) writeSeed(ctx context.Context, tx backend.Txn, f *SeedFile, p *seedPlan, sealed map[string]keystore.Material) error {
	for i, kp := range p.keys {
		id := kp.rec.KeyID
		old, err := records.GetKey(tx, k.account, k.region, id)
		switch {
		case errors.Is(err, backend.ErrNotFound):
			m, ok := sealed[id]
			if !ok { // deleted between the read and this transaction
				return f.entryErr("keys", i, id, "", fmt.Errorf("%w: the key was deleted while the seed was applied; apply it again", backend.ErrConflict))
			}
			rec := *kp.rec
			rec.Materials, rec.CurrentMaterial = []keystore.Material{m}, m.ID
			if err := records.PutKey(tx, &rec); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		if field, err := k.seedKeyConflict(old, kp); err != nil {
			return f.entryErr("keys", i, id, field, err)
		}
	}
	for i, a := range f.Aliases {
		if _, err := records.GetAlias(tx, k.account, k.region, a.Name); err == nil {
			continue // kept: UpdateAlias may have moved it since
		} else if !errors.Is(err, backend.ErrNotFound) {
			return err
		}
		rec, err := records.GetKey(tx, k.account, k.region, a.TargetKeyID)
		if errors.Is(err, backend.ErrNotFound) {
			return f.entryErr("aliases", i, a.Name, "targetKeyId", k.keyNotFound(keyRef{k.account, k.region, a.TargetKeyID}))
		}
		if err != nil {
			return err
		}
		if err := opCreateAlias.checkState(KeyState(rec.State), k.recARN(rec)); err != nil {
			return f.entryErr("aliases", i, a.Name, "targetKeyId", err)
		}
		names, err := records.AliasesOf(tx, k.account, k.region, rec.KeyID)
		if err != nil {
			return err
		}
		if len(names) >= MaxAliasesPerKey {
			return f.entryErr("aliases", i, a.Name, "targetKeyId", newErr(ErrLimitExceeded, "Key %s already has %d aliases, the maximum", k.recARN(rec), MaxAliasesPerKey))
		}
		now := k.clock.Now().UTC()
		if err := records.PutAlias(tx, k.account, k.region, &records.Alias{Name: a.Name, TargetKeyID: rec.KeyID, CreationDate: now, LastUpdatedDate: now}); err != nil {
			return err
		}
	}
	for i, g := range p.grants {
		rec, err := records.GetKey(tx, k.account, k.region, g.KeyID)
		if errors.Is(err, backend.ErrNotFound) {
			return f.entryErr("grants", i, g.KeyID, "keyId", k.keyNotFound(keyRef{k.account, k.region, g.KeyID}))
		}
		if err != nil {
			return err
		}
		old, err := records.GetGrant(tx, k.account, k.region, g.KeyID, g.GrantID)
		if err == nil {
			if !sameGrant(old, g) {
				return f.entryErr("grants", i, g.KeyID, "id", fmt.Errorf("%w: grant %s of this key has other contents", ErrSeedConflict, g.GrantID))
			}
			continue
		}
		if !errors.Is(err, backend.ErrNotFound) {
			return err
		}
		// A seed describes an end state: a Disabled key may hold grants
		// (made before it was disabled); a key pending deletion may not.
		if st := KeyState(rec.State); st != KeyStateDisabled {
			if err := opCreateGrant.checkState(st, k.recARN(rec)); err != nil {
				return f.entryErr("grants", i, g.KeyID, "keyId", err)
			}
		}
		gs, err := k.grantsOf(ctx, tx, rec)
		if err != nil {
			return err
		}
		if len(gs) >= MaxGrantsPerKey {
			return f.entryErr("grants", i, g.KeyID, "keyId", newErr(ErrLimitExceeded, "The number of grants on %s exceeds the limit of %d.", k.recARN(rec), MaxGrantsPerKey))
		}
		if err := records.PutGrant(tx, g); err != nil {
			return err
		}
	}
	return nil
}

// seedKeyConflict compares a key the store holds with the seed's: the
// field that differs in what AWS never changes, and why, or "", nil.
func (k *KMS) seedKeyConflict(old *records.Key, kp *seedKeyPlan) (string, error) {
	conflict := func(field, what, held, seed string) (string, error) {
		return field, fmt.Errorf("%w: key %s has %s %s, the seed says %s", ErrSeedConflict, k.recARN(old), what, held, seed)
	}
	switch {
	case old.KeySpec != kp.rec.KeySpec:
		return conflict("keySpec", "KeySpec", old.KeySpec, kp.rec.KeySpec)
	case old.KeyUsage != kp.rec.KeyUsage:
		return conflict("keyUsage", "KeyUsage", old.KeyUsage, kp.rec.KeyUsage)
	case old.Origin != kp.rec.Origin:
		return conflict("id", "Origin", old.Origin, kp.rec.Origin)
	}
	if kp.material == nil {
		return "", nil
	}
	id := seedMaterialID(old.KeyID)
	for _, m := range old.Materials {
		if m.ID != id {
			continue
		}
		held, err := k.root.Open(k.recARN(old), m)
		if err != nil {
			return "", internal(err)
		}
		same := subtle.ConstantTimeCompare(held, kp.material) == 1
		clear(held)
		if same {
			return "", nil
		}
		break
	}
	return "keyMaterial", fmt.Errorf("%w: key %s has other key material than the seed gives", ErrSeedConflict, k.recARN(old))
}
