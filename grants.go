package kms

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/policy"
)

// Grant operations. CreateGrant, ListGrants, RetireGrant and RevokeGrant
// take another account's key by its ARN ("Cross-account use: Yes" in the
// API reference of each); none takes an alias.
var (
	opCreateGrant         = op("CreateGrant", false, true)
	opListGrants          = op("ListGrants", false, true)
	opListRetirableGrants = op("ListRetirableGrants", false, false)
	opRetireGrant         = op("RetireGrant", false, true)
	opRevokeGrant         = op("RevokeGrant", false, true)
)

// Grant limits.
const (
	// MaxGrantsPerKey is AWS's quota "Grants per KMS key" (AWS KMS
	// Developer Guide, "Resource quotas").
	MaxGrantsPerKey = 50000
	// MaxGrantConstraintPairs is the most encryption context pairs a grant
	// constraint holds, and MaxGrantConstraintValue the longest value (API
	// reference, CreateGrant, Constraints: "Each constraint value can
	// include up to 8 encryption context pairs. The encryption context
	// value in each constraint cannot exceed 384 characters.").
	MaxGrantConstraintPairs = 8
	MaxGrantConstraintValue = 384
)

var (
	principalIDRE        = newModelPattern(`^[\w+=,.@:/-]+$`)
	grantNameRE          = newModelPattern(`^[a-zA-Z0-9:/_-]+$`)
	servicePrincipalRE   = newModelPattern(`^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$`)
	grantConstraintArnRE = newModelPattern(`^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$`)
)

// grantOpsFor returns the grant operations a key allows, by key usage
// (AWS KMS Developer Guide, "Grants in AWS KMS", grant operations: "the
// operations must be supported by the KMS key"); every key allows
// CreateGrant, RetireGrant and DescribeKey.
func grantOpsFor(rec *records.Key) []GrantOperation {
	ops := []GrantOperation{GrantOperationCreateGrant, GrantOperationRetireGrant, GrantOperationDescribeKey}
	switch KeyUsageType(rec.KeyUsage) {
	case KeyUsageTypeEncryptDecrypt:
		ops = append(ops, GrantOperationEncrypt, GrantOperationDecrypt, GrantOperationReEncryptFrom, GrantOperationReEncryptTo)
		if KeySpec(rec.KeySpec) == KeySpecSymmetricDefault {
			ops = append(ops, GrantOperationGenerateDataKey, GrantOperationGenerateDataKeyWithoutPlaintext,
				GrantOperationGenerateDataKeyPair, GrantOperationGenerateDataKeyPairWithoutPlaintext)
		} else {
			ops = append(ops, GrantOperationGetPublicKey)
		}
	case KeyUsageTypeSignVerify:
		ops = append(ops, GrantOperationSign, GrantOperationVerify, GrantOperationGetPublicKey)
	case KeyUsageTypeGenerateVerifyMac:
		ops = append(ops, GrantOperationGenerateMac, GrantOperationVerifyMac)
	case KeyUsageTypeKeyAgreement:
		ops = append(ops, GrantOperationDeriveSharedSecret, GrantOperationGetPublicKey)
	case KeyUsageTypeEncapsulateDecapsulate:
		ops = append(ops, GrantOperationEncapsulate, GrantOperationDecapsulate, GrantOperationGetPublicKey)
	}
	return ops
}

// ecConstraintOps are the grant operations an encryption context
// constraint can apply to: those that take an encryption context, on a
// symmetric encryption key (API reference, CreateGrant, Constraints).
var ecConstraintOps = map[GrantOperation]bool{
	GrantOperationEncrypt: true, GrantOperationDecrypt: true,
	GrantOperationReEncryptFrom: true, GrantOperationReEncryptTo: true,
	GrantOperationGenerateDataKey: true, GrantOperationGenerateDataKeyWithoutPlaintext: true,
	GrantOperationGenerateDataKeyPair: true, GrantOperationGenerateDataKeyPairWithoutPlaintext: true,
	// The constraint carries over to the grants CreateGrant creates, and
	// does not apply to DescribeKey and RetireGrant.
	GrantOperationCreateGrant: true, GrantOperationDescribeKey: true, GrantOperationRetireGrant: true,
}

func (v *validator) principalID(field, s string) {
	if s != "" {
		v.length(field, s, 1, 256)
		v.pattern(field, s, principalIDRE)
	}
}

func (v *validator) servicePrincipal(field, s string) {
	if s != "" {
		v.length(field, s, 1, 128)
		v.pattern(field, s, servicePrincipalRE)
	}
}

func (v *validator) grantID(field, s string, required bool) {
	if required && !v.required(field, s) {
		return
	}
	if s != "" {
		v.length(field, s, 1, 128)
	}
}

// newGrantID returns a grant id as AWS writes them: 64 lowercase hex
// digits.
func newGrantID() string { return hex.EncodeToString(crypto.Random(32)) }

// validGrantID reports whether s has the form of the grant ids embedkms
// issues.
func validGrantID(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// Grant tokens. A token names one grant and is authenticated under a key
// derived from the root key (keystore.RootKey.TokenMAC), so only handles
// of this store issue valid ones:
//
//	token = "EKGT1" base64url(payload || HMAC-SHA256(K_token, payload))
//	payload = 0x01 || len(account) || account || len(region) || region ||
//	          len(key id) || key id || grant id (32 bytes) || nonce (16 bytes)
//
// (each len one byte). The nonce makes every CreateGrant's token new, as
// AWS's are; all tokens of a grant identify it alike.
const grantTokenPrefix = "EKGT1"

type grantRef struct {
	account, region, keyID, grantID string
}

func (k *KMS) grantToken(g grantRef) (string, error) {
	id, err := hex.DecodeString(g.grantID)
	if err != nil || len(id) != 32 {
		return "", errors.New("kms: bad grant id " + g.grantID)
	}
	p := []byte{1}
	for _, s := range []string{g.account, g.region, g.keyID} {
		p = append(p, byte(len(s)))
		p = append(p, s...)
	}
	p = append(p, id...)
	p = append(p, crypto.Random(16)...)
	m := k.root.TokenMAC()
	m.Write(p)
	return grantTokenPrefix + base64.RawURLEncoding.EncodeToString(m.Sum(p)), nil
}

// parseGrantToken checks a grant token and returns the grant it names, or
// InvalidGrantTokenException.
func (k *KMS) parseGrantToken(token string) (grantRef, error) {
	bad := newErr(ErrInvalidGrantToken, "Grant token %q is not valid", truncate(token, 64))
	rest, ok := strings.CutPrefix(token, grantTokenPrefix)
	if !ok {
		return grantRef{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) < 1+32+16+32 {
		return grantRef{}, bad
	}
	payload, tag := b[:len(b)-32], b[len(b)-32:]
	m := k.root.TokenMAC()
	m.Write(payload)
	if !hmac.Equal(m.Sum(nil), tag) || payload[0] != 1 {
		return grantRef{}, bad
	}
	p := payload[1:]
	var parts [3]string
	for i := range parts {
		if len(p) < 1 || len(p) < 1+int(p[0]) {
			return grantRef{}, bad
		}
		parts[i], p = string(p[1:1+int(p[0])]), p[1+int(p[0]):]
	}
	if len(p) != 32+16 {
		return grantRef{}, bad
	}
	return grantRef{parts[0], parts[1], parts[2], hex.EncodeToString(p[:32])}, nil
}

// checkGrantTokens validates the grant tokens of a request. Grants take
// effect at once in embedkms, so a valid token adds nothing; an invalid
// one is refused as AWS refuses it.
func (k *KMS) checkGrantTokens(tokens []string) error {
	for _, t := range tokens {
		if _, err := k.parseGrantToken(t); err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// grantsOf reads the grants of a key, in tx if it is not nil.
func (k *KMS) grantsOf(ctx context.Context, tx backend.Txn, rec *records.Key) ([]*records.Grant, error) {
	var gs []*records.Grant
	read := func(tx backend.Txn) error {
		gs = gs[:0]
		return records.ScanGrants(tx, rec.Account, rec.Region, rec.KeyID, "", func(g *records.Grant) bool {
			gs = append(gs, g)
			return true
		})
	}
	var err error
	if tx != nil {
		err = read(tx)
	} else {
		err = k.store.View(ctx, read)
	}
	return gs, err
}

// policyGrants are the grants of gs that can apply to the caller: its
// grants (as grantee principal, or as service principal), with a SourceArn
// constraint only when the request is made on behalf of that resource.
func policyGrants(gs []*records.Grant, c *caller) []policy.Grant {
	var out []policy.Grant
	for _, g := range gs {
		grantee := g.GranteePrincipal
		if grantee == "" {
			grantee = g.GranteeServicePrincipal
		}
		if g.SourceArn != "" && g.SourceArn != c.SourceArn {
			continue
		}
		out = append(out, policy.Grant{
			ID: g.GrantID, Name: g.Name, GranteePrincipal: grantee, Operations: g.Operations,
			EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset,
		})
	}
	return out
}

// CreateGrant adds a grant to a key: the grantee principal may then perform
// the grant's operations on the key, under its constraints. With a Name, a
// retry with the same parameters returns the same grant (with a new
// token).
func (k *KMS) CreateGrant(ctx context.Context, in *CreateGrantInput) (result *CreateGrantOutput, opErr error) {
	defer finish(k.audit(&ctx, "CreateGrant", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &CreateGrantInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.principalID("granteePrincipal", in.GranteePrincipal)
	v.principalID("retiringPrincipal", in.RetiringPrincipal)
	if in.Operations == nil {
		v.required("operations", "")
	}
	for i, o := range in.Operations {
		enum(&v, "operations."+itoa(i+1)+".member", o, GrantOperation("").Values())
	}
	v.grantTokens(in.GrantTokens)
	if in.Name != "" {
		v.length("name", in.Name, 1, 256)
		v.pattern("name", in.Name, grantNameRE)
	}
	v.servicePrincipal("granteeServicePrincipal", in.GranteeServicePrincipal)
	v.servicePrincipal("retiringServicePrincipal", in.RetiringServicePrincipal)
	if c := in.Constraints; c != nil && c.SourceArn != "" {
		v.length("constraints.sourceArn", c.SourceArn, 20, 512)
		v.pattern("constraints.sourceArn", c.SourceArn, grantConstraintArnRE)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	// Rules the API reference states in prose (CreateGrant).
	switch {
	case (in.GranteePrincipal == "") == (in.GranteeServicePrincipal == ""):
		return nil, invalid("You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.")
	case in.RetiringPrincipal != "" && in.RetiringServicePrincipal != "":
		return nil, invalid("You cannot specify both RetiringPrincipal and RetiringServicePrincipal.")
	case in.GranteeServicePrincipal != "" && (in.Constraints == nil || in.Constraints.SourceArn == ""):
		return nil, invalid("A grant for a GranteeServicePrincipal must have a SourceArn grant constraint.")
	case in.GranteeServicePrincipal != "" && in.RetiringPrincipal == "" && in.RetiringServicePrincipal == "":
		return nil, invalid("A grant for a GranteeServicePrincipal must have a RetiringPrincipal or a RetiringServicePrincipal.")
	case len(in.Operations) == 0:
		return nil, invalid("Grants must contain at least one operation.")
	case !slices.ContainsFunc(in.Operations, func(o GrantOperation) bool { return o != GrantOperationCreateGrant }):
		// As AWS words it (recorded in ansible/ansible#31960).
		return nil, invalid("Grants must not contain only the CreateGrant operation.")
	}
	for _, p := range []string{in.GranteePrincipal, in.RetiringPrincipal} {
		if p == "" {
			continue
		}
		if info, err := policy.ParsePrincipal(policy.Principal{ARN: p}); err != nil || info.Type == policy.TypeService {
			return nil, newErr(ErrInvalidArn, "Invalid principal: %s", p)
		}
	}
	var eq, sub map[string]string
	if c := in.Constraints; c != nil {
		eq, sub = c.EncryptionContextEquals, c.EncryptionContextSubset
		for _, m := range []map[string]string{eq, sub} {
			if len(m) > MaxGrantConstraintPairs {
				return nil, invalid("A grant constraint can include up to %d encryption context pairs.", MaxGrantConstraintPairs)
			}
			for _, val := range m {
				if len(val) > MaxGrantConstraintValue {
					return nil, invalid("An encryption context value in a grant constraint cannot exceed %d characters.", MaxGrantConstraintValue)
				}
			}
		}
	}
	if err := k.checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	ops := slices.Clone(in.Operations)
	slices.Sort(ops)
	ops = slices.Compact(ops)
	opNames := make([]string, len(ops))
	for i, o := range ops {
		opNames[i] = string(o)
	}
	x := authzExtra{
		grantOps:      opNames,
		grantee:       in.GranteePrincipal,
		retiring:      in.RetiringPrincipal,
		grantForAWS:   true,
		newGrantEq:    eq,
		newGrantSub:   sub,
		requestKeyID:  in.KeyId,
		constraintFor: constraintType(eq, sub),
	}
	// kms:EncryptionContext:<key> and kms:EncryptionContextKeys evaluate the
	// constraint's encryption context on CreateGrant ("Condition keys for
	// AWS KMS").
	x.encryptionContext = eq
	if len(sub) > 0 {
		x.encryptionContext = sub
	}
	var out CreateGrantOutput
	var ref grantRef
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		rec, r, err := k.txKey(tx, in.KeyId, opCreateGrant)
		if err != nil {
			return err
		}
		keyARN := k.keyARN(r)
		if err := k.authorize(ctx, opCreateGrant, x, resource{arn: keyARN, rec: rec, tx: tx}); err != nil {
			return err
		}
		if err := opCreateGrant.checkState(KeyState(rec.State), keyARN); err != nil {
			return err
		}
		allowed := grantOpsFor(rec)
		for _, o := range ops {
			if !slices.Contains(allowed, o) {
				return invalid("Grant operation %s is not valid for a KMS key with KeySpec %s and KeyUsage %s.", o, rec.KeySpec, rec.KeyUsage)
			}
			if (len(eq) > 0 || len(sub) > 0) && (!ecConstraintOps[o] || KeySpec(rec.KeySpec) != KeySpecSymmetricDefault) {
				return invalid("Encryption context grant constraints are not supported for grant operation %s on a KMS key with KeySpec %s.", o, rec.KeySpec)
			}
		}
		if in.DryRun {
			return errDryRun()
		}
		gs, err := k.grantsOf(ctx, tx, rec)
		if err != nil {
			return err
		}
		g := &records.Grant{
			Account: rec.Account, Region: rec.Region, KeyID: rec.KeyID,
			Name:                     in.Name,
			CreationDate:             k.clock.Now().UTC(),
			GranteePrincipal:         in.GranteePrincipal,
			GranteeServicePrincipal:  in.GranteeServicePrincipal,
			RetiringPrincipal:        in.RetiringPrincipal,
			RetiringServicePrincipal: in.RetiringServicePrincipal,
			IssuingAccount:           "arn:" + k.partition + ":iam::" + rec.Account + ":root",
			Operations:               opNames,
			EncryptionContextEquals:  eq,
			EncryptionContextSubset:  sub,
		}
		if in.Constraints != nil {
			g.SourceArn = in.Constraints.SourceArn
		}
		if in.Name != "" {
			for _, old := range gs {
				if sameGrant(old, g) {
					ref = grantRef{old.Account, old.Region, old.KeyID, old.GrantID}
					return nil
				}
			}
		}
		if len(gs) >= MaxGrantsPerKey {
			return newErr(ErrLimitExceeded, "The number of grants on %s exceeds the limit of %d.", keyARN, MaxGrantsPerKey)
		}
		g.GrantID = newGrantID()
		ref = grantRef{g.Account, g.Region, g.KeyID, g.GrantID}
		return records.PutGrant(tx, g)
	})
	if err != nil {
		return nil, internal(k.purgeIfDue(ctx, err))
	}
	tok, err := k.grantToken(ref)
	if err != nil {
		return nil, internal(err)
	}
	out.GrantId, out.GrantToken = ref.grantID, tok
	return &out, nil
}

// constraintType is kms:GrantConstraintType for a new grant's constraints.
func constraintType(eq, sub map[string]string) string {
	switch {
	case len(eq) > 0:
		return "EncryptionContextEquals"
	case len(sub) > 0:
		return "EncryptionContextSubset"
	}
	return ""
}

// sameGrant reports whether a grant with a Name repeats an existing one:
// same name, principals, operations and constraints (API reference,
// CreateGrant, Name).
func sameGrant(a, b *records.Grant) bool {
	return a.Name == b.Name && a.GranteePrincipal == b.GranteePrincipal &&
		a.GranteeServicePrincipal == b.GranteeServicePrincipal &&
		a.RetiringPrincipal == b.RetiringPrincipal && a.RetiringServicePrincipal == b.RetiringServicePrincipal &&
		slices.Equal(a.Operations, b.Operations) && maps.Equal(a.EncryptionContextEquals, b.EncryptionContextEquals) &&
		maps.Equal(a.EncryptionContextSubset, b.EncryptionContextSubset) && a.SourceArn == b.SourceArn
}

// grantEntry is a grant as ListGrants returns it.
func (k *KMS) grantEntry(g *records.Grant) GrantListEntry {
	e := GrantListEntry{
		KeyId:                    arnKey(k.partition, g.Region, g.Account, g.KeyID),
		GrantId:                  g.GrantID,
		Name:                     g.Name,
		CreationDate:             g.CreationDate,
		GranteePrincipal:         g.GranteePrincipal,
		RetiringPrincipal:        g.RetiringPrincipal,
		IssuingAccount:           g.IssuingAccount,
		GranteeServicePrincipal:  g.GranteeServicePrincipal,
		RetiringServicePrincipal: g.RetiringServicePrincipal,
	}
	for _, o := range g.Operations {
		e.Operations = append(e.Operations, GrantOperation(o))
	}
	if len(g.EncryptionContextEquals) > 0 || len(g.EncryptionContextSubset) > 0 || g.SourceArn != "" {
		e.Constraints = &GrantConstraints{
			EncryptionContextEquals: maps.Clone(g.EncryptionContextEquals),
			EncryptionContextSubset: maps.Clone(g.EncryptionContextSubset),
			SourceArn:               g.SourceArn,
		}
	}
	return e
}

// ListGrants lists a key's grants in grant-id order, optionally only one
// grant (GrantId) or one grantee's. Limit is 1..100, default 50 (API
// reference, ListGrants).
func (k *KMS) ListGrants(ctx context.Context, in *ListGrantsInput) (result *ListGrantsOutput, opErr error) {
	defer finish(k.audit(&ctx, "ListGrants", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ListGrantsInput{}
	}
	var v validator
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	v.keyID("keyId", in.KeyId)
	v.grantID("grantId", in.GrantId, false)
	v.principalID("granteePrincipal", in.GranteePrincipal)
	v.servicePrincipal("granteeServicePrincipal", in.GranteeServicePrincipal)
	if err := v.err(); err != nil {
		return nil, err
	}
	start, err := decodeMarker("grant", in.Marker)
	if err != nil {
		return nil, err
	}
	if in.GrantId != "" && !validGrantID(in.GrantId) {
		return nil, newErr(ErrInvalidGrantId, "Invalid grant ID '%s'", in.GrantId)
	}
	ck, err := k.entry(ctx, in.KeyId, opListGrants)
	if err != nil {
		return nil, err
	}
	grantForAWS := true
	if err := k.authorize(ctx, opListGrants, authzExtra{grantForAWS: grantForAWS}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 50, 100)
	out := &ListGrantsOutput{Grants: []GrantListEntry{}}
	err = k.store.View(ctx, func(tx backend.Txn) error {
		return records.ScanGrants(tx, ck.rec.Account, ck.rec.Region, ck.rec.KeyID, start, func(g *records.Grant) bool {
			if in.GrantId != "" && g.GrantID != in.GrantId ||
				in.GranteePrincipal != "" && g.GranteePrincipal != in.GranteePrincipal ||
				in.GranteeServicePrincipal != "" && g.GranteeServicePrincipal != in.GranteeServicePrincipal {
				return true
			}
			if len(out.Grants) == limit {
				out.Truncated, out.NextMarker = true, encodeMarker("grant", g.GrantID)
				return false
			}
			out.Grants = append(out.Grants, k.grantEntry(g))
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

// ListRetirableGrants lists the grants of the handle's Region whose
// retiring principal is the one given, on the keys of every account (API
// reference, ListRetirableGrants: "The grants that are returned include
// grants for KMS keys in your AWS account and other AWS accounts"). It is
// authorized by IAM policy alone (kms:ListRetirableGrants on resource "*"),
// in the caller's account only.
func (k *KMS) ListRetirableGrants(ctx context.Context, in *ListRetirableGrantsInput) (result *ListRetirableGrantsOutput, opErr error) {
	defer finish(k.audit(&ctx, "ListRetirableGrants", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ListRetirableGrantsInput{}
	}
	var v validator
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	v.principalID("retiringPrincipal", in.RetiringPrincipal)
	v.servicePrincipal("retiringServicePrincipal", in.RetiringServicePrincipal)
	if err := v.err(); err != nil {
		return nil, err
	}
	if (in.RetiringPrincipal == "") == (in.RetiringServicePrincipal == "") {
		return nil, invalid("You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.")
	}
	if in.RetiringPrincipal != "" {
		if _, err := policy.ParsePrincipal(policy.Principal{ARN: in.RetiringPrincipal}); err != nil {
			return nil, newErr(ErrInvalidArn, "Invalid principal: %s", in.RetiringPrincipal)
		}
	}
	start, err := decodeMarker("retirable", in.Marker)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opListRetirableGrants, authzExtra{}); err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 50, 100)
	out := &ListRetirableGrantsOutput{Grants: []GrantListEntry{}}
	err = k.store.View(ctx, func(tx backend.Txn) error {
		return records.ScanAllGrants(tx, start, func(g *records.Grant) bool {
			if g.Region != k.region ||
				in.RetiringPrincipal != "" && g.RetiringPrincipal != in.RetiringPrincipal ||
				in.RetiringServicePrincipal != "" && g.RetiringServicePrincipal != in.RetiringServicePrincipal {
				return true
			}
			if len(out.Grants) == limit {
				out.Truncated, out.NextMarker = true, encodeMarker("retirable", g.Account+"/"+g.Region+"/"+g.KeyID+"/"+g.GrantID)
				return false
			}
			out.Grants = append(out.Grants, k.grantEntry(g))
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

// RetireGrant deletes a grant named by its token, or by KeyId and
// GrantId. The grant decides who may (AWS KMS Developer Guide, "Retiring
// and revoking grants"): its retiring principal; its grantee when the
// grant includes RetireGrant; the account that owns the key, its root or
// its principals an IAM policy allows kms:RetireGrant; and principals of a
// retiring account that its IAM policies allow kms:RetireGrant. An IAM
// policy denying kms:RetireGrant refuses it; key policies do not apply.
func (k *KMS) RetireGrant(ctx context.Context, in *RetireGrantInput) (result *RetireGrantOutput, opErr error) {
	defer finish(k.audit(&ctx, "RetireGrant", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &RetireGrantInput{}
	}
	var v validator
	if in.GrantToken != "" {
		v.length("grantToken", in.GrantToken, 1, 8192)
	}
	v.optKeyID("keyId", in.KeyId)
	v.grantID("grantId", in.GrantId, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	var keyID, grantID string
	switch {
	case in.GrantToken != "":
		ref, err := k.parseGrantToken(in.GrantToken)
		if err != nil {
			return nil, err
		}
		keyID, grantID = arnKey(k.partition, ref.region, ref.account, ref.keyID), ref.grantID
		if in.GrantId != "" && in.GrantId != grantID {
			return nil, newErr(ErrInvalidGrantId, "The grant ID %s does not match the grant token", in.GrantId)
		}
		if ref.region != k.region {
			return nil, newErr(ErrInvalidGrantToken, "Grant token %q is not valid in %s", truncate(in.GrantToken, 64), k.region)
		}
	case in.KeyId != "" && in.GrantId != "":
		keyID, grantID = in.KeyId, in.GrantId
	default:
		return nil, invalid("RetireGrant needs a GrantToken, or a KeyId and a GrantId.")
	}
	if !validGrantID(grantID) {
		return nil, newErr(ErrInvalidGrantId, "Invalid grant ID '%s'", grantID)
	}
	c, err := k.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	err = k.store.Update(ctx, func(tx backend.Txn) error {
		if k.closed.Load() {
			return errClosed()
		}
		rec, r, err := k.txKey(tx, keyID, opRetireGrant)
		if err != nil {
			return err
		}
		keyARN := k.keyARN(r)
		g, err := records.GetGrant(tx, rec.Account, rec.Region, rec.KeyID, grantID)
		if errors.Is(err, backend.ErrNotFound) {
			return newErr(ErrNotFound, "Grant ID %s not found on %s", grantID, keyARN)
		}
		if err != nil {
			return err
		}
		if err := k.mayRetire(ctx, c, g, keyARN); err != nil {
			return err
		}
		if in.DryRun {
			return errDryRun()
		}
		return records.DeleteGrant(tx, rec.Account, rec.Region, rec.KeyID, grantID)
	})
	if err != nil {
		return nil, internal(k.purgeIfDue(ctx, err))
	}
	return &RetireGrantOutput{}, nil
}

// mayRetire decides RetireGrant for the caller c on g.
func (k *KMS) mayRetire(ctx context.Context, c *caller, g *records.Grant, keyARN string) error {
	// IAM alone, on the key: a Deny refuses, an Allow lets principals of
	// the key's account (or of a retiring account) retire.
	iam, err := k.evaluateIAM(ctx, c, opRetireGrant, keyARN)
	if err != nil {
		return err
	}
	if iam.Decision == policy.ExplicitDeny {
		return newErr(ErrAccessDenied, "%s", iam.Message(c.Principal, keyARN))
	}
	isRetiring := g.RetiringPrincipal != "" && principalIs(c, g.RetiringPrincipal) ||
		g.RetiringServicePrincipal != "" && c.Principal == g.RetiringServicePrincipal
	isGrantee := g.GranteePrincipal != "" && principalIs(c, g.GranteePrincipal) ||
		g.GranteeServicePrincipal != "" && c.Principal == g.GranteeServicePrincipal
	inRetiringAccount := g.RetiringPrincipal != "" && isAccountRoot(g.RetiringPrincipal) && c.info.Account == accountOfRoot(g.RetiringPrincipal)
	switch {
	case isRetiring, isGrantee && slices.Contains(g.Operations, string(GrantOperationRetireGrant)):
		return nil
	case c.info.Type == policy.TypeAccount && c.info.Account == g.Account:
		return nil // the account in which the grant was created
	case (c.info.Account == g.Account || inRetiringAccount) && iam.Decision == policy.Allow:
		return nil
	}
	return newErr(ErrAccessDenied, "User: %s is not authorized to perform: kms:RetireGrant on resource: %s because the grant does not allow it to retire the grant", c.Principal, keyARN)
}

// evaluateIAM evaluates the caller's IAM policies alone for o on res.
func (k *KMS) evaluateIAM(ctx context.Context, c *caller, o keyOp, res string) (policy.Result, error) {
	in := policy.Input{Request: policy.Request{
		Action: o.action, Principal: policy.Principal{ARN: c.Principal, RoleARN: c.RoleARN},
		Resource: res, ResourceAccount: c.info.Account, Time: k.clock.Now(),
	}}
	docs, err := k.callerPolicies(ctx, c)
	if err != nil {
		return policy.Result{}, err
	}
	in.IdentityPolicies = docs
	x := authzExtra{}
	in.Conditions = &conditions{k: k, o: &o, ctx: ctx, c: c, x: &x, r: &resource{arn: res}}
	return k.decide(in), nil
}

// principalIs reports whether the caller is p: the same ARN, or an
// assumed-role session of the role p.
func principalIs(c *caller, p string) bool {
	if c.Principal == p {
		return true
	}
	return c.info.Type == policy.TypeAssumedRole && (p == c.info.RoleARN || roleWithoutPath(p) == c.info.RoleARN)
}

// roleWithoutPath turns arn:P:iam::A:role/path/NAME into arn:P:iam::A:role/NAME.
func roleWithoutPath(p string) string {
	i := strings.Index(p, ":role/")
	if i < 0 {
		return p
	}
	return p[:i+len(":role/")] + p[strings.LastIndexByte(p, '/')+1:]
}

func isAccountRoot(p string) bool {
	return strings.HasPrefix(p, "arn:") && strings.HasSuffix(p, ":root")
}

func accountOfRoot(p string) string {
	f := strings.Split(p, ":")
	if len(f) != 6 {
		return ""
	}
	return f[4]
}

// RevokeGrant deletes a grant. It is authorized like other key operations
// (kms:RevokeGrant in the key policy or IAM policies); a grant token is
// not accepted.
func (k *KMS) RevokeGrant(ctx context.Context, in *RevokeGrantInput) (result *RevokeGrantOutput, opErr error) {
	defer finish(k.audit(&ctx, "RevokeGrant", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &RevokeGrantInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.grantID("grantId", in.GrantId, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	if !validGrantID(in.GrantId) {
		return nil, newErr(ErrInvalidGrantId, "Invalid grant ID '%s'", in.GrantId)
	}
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		rec, r, err := k.txKey(tx, in.KeyId, opRevokeGrant)
		if err != nil {
			return err
		}
		keyARN := k.keyARN(r)
		if err := k.authorize(ctx, opRevokeGrant, authzExtra{grantForAWS: true}, resource{arn: keyARN, rec: rec, tx: tx}); err != nil {
			return err
		}
		if _, err := records.GetGrant(tx, rec.Account, rec.Region, rec.KeyID, in.GrantId); errors.Is(err, backend.ErrNotFound) {
			return newErr(ErrNotFound, "Grant ID %s not found on %s", in.GrantId, keyARN)
		} else if err != nil {
			return err
		}
		if in.DryRun {
			return errDryRun()
		}
		return records.DeleteGrant(tx, rec.Account, rec.Region, rec.KeyID, in.GrantId)
	})
	if err != nil {
		return nil, internal(k.purgeIfDue(ctx, err))
	}
	return &RevokeGrantOutput{}, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func arnKey(partition, region, account, keyID string) string {
	return arn.Key(partition, region, account, keyID)
}
