package kms

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/policy"
)

// authzExtra carries the request's condition values for authorization:
// what the operation fills of the condition keys AWS KMS documents
// (AWS KMS Developer Guide, "Condition keys for AWS KMS"). Values that
// describe the key itself (kms:KeySpec, aws:ResourceTag/...) come from the
// key's record; these are the request's.
type authzExtra struct {
	encryptionContext   map[string]string
	encryptionAlgorithm EncryptionAlgorithmSpec
	grantTokens         []string
	signingAlgorithm    SigningAlgorithmSpec
	messageType         MessageType
	macAlgorithm        MacAlgorithmSpec
	keyAgreement        KeyAgreementAlgorithmSpec
	dataKeyPairSpec     DataKeyPairSpec
	// requestKeyID is the KeyId member as given, for kms:RequestAlias.
	requestKeyID string
	// reEncryptOther is, for ReEncrypt, the ARN of the other key (the
	// destination when authorizing the source, and the reverse), for
	// kms:ReEncryptOnSameKey.
	reEncryptOther string
	// CreateKey: the key to be (kms:KeySpec, kms:KeyUsage, kms:KeyOrigin,
	// kms:MultiRegion, kms:MultiRegionKeyType).
	newKey *records.Key
	// requestTags are aws:RequestTag/<k> (CreateKey, TagResource);
	// tagKeys is aws:TagKeys (those and UntagResource).
	requestTags []Tag
	tagKeys     []string
	// bypassLockout is kms:BypassPolicyLockoutSafetyCheck (CreateKey,
	// PutKeyPolicy).
	bypassLockout *bool
	// pendingWindow is kms:ScheduleKeyDeletionPendingWindowInDays.
	pendingWindow int32
	// rotationPeriod is kms:RotationPeriodInDays (EnableKeyRotation; the
	// value the request gave, absent when it gave none).
	rotationPeriod int32
	// wrappingAlgorithm and wrappingKeySpec are kms:WrappingAlgorithm
	// and kms:WrappingKeySpec (GetParametersForImport);
	// expirationModel and validTo are kms:ExpirationModel and
	// kms:ValidTo (ImportKeyMaterial).
	wrappingAlgorithm AlgorithmSpec
	wrappingKeySpec   WrappingKeySpec
	expirationModel   ExpirationModelType
	validTo           time.Time
	// CreateGrant: kms:GrantOperations, kms:GranteePrincipal,
	// kms:RetiringPrincipal, kms:GrantConstraintType, and the new grant's
	// constraints (a grant allowing CreateGrant allows only grants at
	// least as constrained).
	grantOps          []string
	grantee, retiring string
	constraintFor     string
	newGrantEq        map[string]string
	newGrantSub       map[string]string
	// grantForAWS says kms:GrantIsForAWSResource applies (CreateGrant,
	// ListGrants, RevokeGrant).
	grantForAWS bool
	// replicaRegion is kms:ReplicaRegion (ReplicateKey); primaryRegion is
	// kms:PrimaryRegion (UpdatePrimaryRegion).
	replicaRegion, primaryRegion string
}

// resource is one resource an operation acts on: a key (rec set) or an
// alias (rec nil, arn the alias ARN).
type resource struct {
	arn string
	rec *records.Key
	doc *policy.Document // the key policy; nil: parse rec.Policy
	tx  backend.Txn      // the transaction rec was read in, if any
}

func onKey(rec *records.Key, keyARN string) resource { return resource{arn: keyARN, rec: rec} }

func onAlias(aliasARN string) resource { return resource{arn: aliasARN} }

// caller is the principal of a request, parsed.
type caller struct {
	CallerInfo
	info policy.PrincipalInfo
}

// callerOf returns the caller of ctx: the principal WithCaller set, or the
// handle's account root.
func (k *KMS) callerOf(ctx context.Context) (*caller, error) {
	c, ok := CallerInfoFrom(ctx)
	if !ok {
		return k.rootCaller, nil
	}
	info, err := policy.ParsePrincipal(policy.Principal{ARN: c.Principal, RoleARN: c.RoleARN})
	if err != nil {
		return nil, newErr(ErrAccessDenied, "%q is not a valid principal: use an IAM or STS principal ARN or an AWS service principal name", c.Principal)
	}
	return &caller{CallerInfo: c, info: info}, nil
}

// authorize is the one authorization point every operation passes through
// (so it is also where an operation that began before Close stops; begin
// stops those that begin after). The caller must be allowed
// o's action on every resource the operation touches: UpdateAlias, for
// example, needs kms:UpdateAlias on the alias, on the key it points at and
// on the key it is to point at (AWS KMS Developer Guide, "Controlling
// access to aliases"). An operation on no resource (CreateKey, ListKeys,
// GenerateRandom ...) passes none and is authorized by IAM alone, against
// resource "*". It also rejects grant tokens that name no grant (no grants
// exist until CreateGrant is implemented).
func (k *KMS) authorize(ctx context.Context, o keyOp, x authzExtra, on ...resource) error {
	if k.closed.Load() {
		return errClosed()
	}
	if err := k.checkGrantTokens(x.grantTokens); err != nil {
		return err
	}
	c, err := k.callerOf(ctx)
	if err != nil {
		return err
	}
	if len(on) == 0 {
		on = []resource{{arn: "*"}}
	}
	for _, r := range on {
		res, err := k.evaluateAs(ctx, c, o, &x, r)
		if err != nil {
			return err
		}
		if res.Decision != policy.Allow {
			return newErr(ErrAccessDenied, "%s", res.Message(c.Principal, r.arn))
		}
	}
	return nil
}

// evaluate decides whether the caller of ctx may do o on r.
func (k *KMS) evaluate(ctx context.Context, o keyOp, x authzExtra, r resource) (policy.Result, error) {
	c, err := k.callerOf(ctx)
	if err != nil {
		return policy.Result{}, err
	}
	return k.evaluateAs(ctx, c, o, &x, r)
}

// allowAllIAMDocs is the identity policy list of every principal when IAM
// is not modelled.
var allowAllIAMDocs = []*policy.Document{allowAllIAM}

func (k *KMS) evaluateAs(ctx context.Context, c *caller, o keyOp, x *authzExtra, r resource) (policy.Result, error) {
	in := policy.Input{
		Request: policy.Request{
			Action:          o.action,
			Principal:       policy.Principal{ARN: c.Principal, RoleARN: c.RoleARN},
			Resource:        r.arn,
			ResourceAccount: k.account,
			Time:            k.clock.Now(),
		},
		EncryptionContext: x.encryptionContext,
	}
	if r.rec != nil {
		in.ResourceAccount = r.rec.Account
		in.KeyPolicy = r.doc
		if in.KeyPolicy == nil {
			d, err := k.shared.policies.parse(policy.KeyPolicy, r.rec.Policy)
			if err != nil {
				return policy.Result{}, internal(fmt.Errorf("the key policy of %s does not parse: %w", r.arn, err))
			}
			in.KeyPolicy = d
		}
	}
	docs, err := k.callerPolicies(ctx, c)
	if err != nil {
		return policy.Result{}, err
	}
	in.IdentityPolicies = docs
	in.NewGrantEquals, in.NewGrantSubset = x.newGrantEq, x.newGrantSub
	in.Conditions = &conditions{k: k, o: &o, ctx: ctx, c: c, x: x, r: &r}
	res := k.decide(in)
	if res.Decision != policy.ImplicitDeny || r.rec == nil {
		return res, nil
	}
	// Policies do not allow it: the key's grants may. They are read only
	// now, so calls the policies allow never pay for them.
	gs, err := k.grantsOf(ctx, r.tx, r.rec)
	if err != nil {
		return policy.Result{}, internal(err)
	}
	if in.Grants = policyGrants(gs, c); len(in.Grants) == 0 {
		return res, nil
	}
	return k.decide(in), nil
}

// callerPolicies returns the IAM policies of the caller: every KMS action
// when IAM is not modelled, none for an account root (IAM always allows
// it in its account) or a service principal, else its identity policies.
func (k *KMS) callerPolicies(ctx context.Context, c *caller) ([]*policy.Document, error) {
	switch {
	case k.iam == nil:
		return allowAllIAMDocs, nil
	case c.info.Type == policy.TypeAccount || c.info.Type == policy.TypeService:
		return nil, nil
	}
	docs, err := k.identityPolicies(ctx, c.info, c.Principal)
	if err != nil {
		return nil, internal(err)
	}
	return docs, nil
}

// conditions is the request's condition context: each key is computed
// only when a policy statement asks for it.
type conditions struct {
	k   *KMS
	o   *keyOp
	ctx context.Context
	c   *caller
	x   *authzExtra
	r   *resource
}

// encryptionAlgorithmOps are the operations kms:EncryptionAlgorithm applies
// to (AWS KMS Developer Guide, "Condition keys for AWS KMS",
// kms:EncryptionAlgorithm).
var encryptionAlgorithmOps = map[string]bool{
	"Encrypt": true, "Decrypt": true, "ReEncrypt": true,
	"GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
}

func one(s string) ([]string, bool) { return []string{s}, true }

func boolValue(b bool) ([]string, bool) { return one(strconv.FormatBool(b)) }

// Lookup implements policy.Conditions. key is lower-cased in full (see
// policy.Conditions); condition-key names are not case-sensitive, nor are
// the encryption-context key in kms:EncryptionContext:<key> or the tag key
// in aws:RequestTag/<key> and aws:ResourceTag/<key>.
func (c *conditions) Lookup(key string) ([]string, bool) {
	x, rec := c.x, c.r.rec
	if rec == nil {
		rec = x.newKey
	}
	switch {
	case strings.HasPrefix(key, "kms:encryptioncontext:"):
		return foldedValues(x.encryptionContext, key[len("kms:encryptioncontext:"):])
	case strings.HasPrefix(key, "aws:requesttag/"):
		var vals []string
		for _, t := range x.requestTags {
			if strings.ToLower(t.TagKey) == key[len("aws:requesttag/"):] {
				vals = append(vals, t.TagValue)
			}
		}
		return vals, vals != nil
	case strings.HasPrefix(key, "aws:resourcetag/"):
		if c.r.rec == nil {
			return nil, false
		}
		var vals []string
		for _, t := range c.r.rec.Tags {
			if strings.ToLower(t.Key) == key[len("aws:resourcetag/"):] {
				vals = append(vals, t.Value)
			}
		}
		return vals, vals != nil
	}
	switch key {
	case "kms:encryptioncontextkeys":
		if len(x.encryptionContext) == 0 {
			return nil, false
		}
		keys := make([]string, 0, len(x.encryptionContext))
		for k := range x.encryptionContext {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys, true
	case "kms:encryptionalgorithm":
		switch {
		case x.encryptionAlgorithm != "":
			return one(string(x.encryptionAlgorithm))
		case encryptionAlgorithmOps[c.o.name]:
			// The request's default, and the algorithm that encrypts a
			// data key or data key pair.
			return one(string(EncryptionAlgorithmSpecSymmetricDefault))
		}
		return nil, false
	case "kms:signingalgorithm":
		return nonEmpty(string(x.signingAlgorithm))
	case "kms:messagetype":
		return nonEmpty(string(x.messageType))
	case "kms:macalgorithm":
		return nonEmpty(string(x.macAlgorithm))
	case "kms:keyagreementalgorithm":
		return nonEmpty(string(x.keyAgreement))
	case "kms:datakeypairspec":
		return nonEmpty(string(x.dataKeyPairSpec))
	case "kms:keyspec", "kms:customermasterkeyspec":
		// kms:CustomerMasterKeySpec and kms:CustomerMasterKeyUsage are
		// the deprecated names of kms:KeySpec and kms:KeyUsage, which
		// AWS KMS still supports ("Condition keys for AWS KMS").
		if rec == nil {
			return nil, false
		}
		return one(rec.KeySpec)
	case "kms:keyusage", "kms:customermasterkeyusage":
		if rec == nil {
			return nil, false
		}
		return one(rec.KeyUsage)
	case "kms:keyorigin":
		if rec == nil {
			return nil, false
		}
		return one(rec.Origin)
	case "kms:keymanager":
		if c.r.rec == nil {
			return nil, false
		}
		return one(string(keyManager(c.r.rec)))
	case "kms:multiregion":
		if rec == nil {
			return nil, false
		}
		return boolValue(rec.MultiRegion)
	case "kms:multiregionkeytype":
		if rec == nil || !rec.MultiRegion {
			return nil, false
		}
		if rec.IsReplica() {
			return one(string(MultiRegionKeyTypeReplica))
		}
		return one(string(MultiRegionKeyTypePrimary))
	case "kms:replicaregion":
		return nonEmpty(x.replicaRegion)
	case "kms:primaryregion":
		return nonEmpty(x.primaryRegion)
	case "kms:viaservice":
		return nonEmpty(c.c.ViaService)
	case "kms:requestalias":
		return requestAlias(x.requestKeyID)
	case "kms:resourcealiases":
		return c.resourceAliases()
	case "kms:reencryptonsamekey":
		if x.reEncryptOther == "" {
			return nil, false
		}
		return boolValue(x.reEncryptOther == c.r.arn)
	case "kms:bypasspolicylockoutsafetycheck":
		if x.bypassLockout == nil {
			return nil, false
		}
		return boolValue(*x.bypassLockout)
	case "kms:schedulekeydeletionpendingwindowindays":
		if x.pendingWindow == 0 {
			return nil, false
		}
		return one(strconv.Itoa(int(x.pendingWindow)))
	case "kms:wrappingalgorithm":
		if x.wrappingAlgorithm == "" {
			return nil, false
		}
		return one(string(x.wrappingAlgorithm))
	case "kms:wrappingkeyspec":
		if x.wrappingKeySpec == "" {
			return nil, false
		}
		return one(string(x.wrappingKeySpec))
	case "kms:expirationmodel":
		if x.expirationModel == "" {
			return nil, false
		}
		return one(string(x.expirationModel))
	case "kms:validto":
		// A timestamp in seconds since the epoch, compared with the
		// Numeric operators (AWS KMS Developer Guide, "kms:ValidTo").
		if x.validTo.IsZero() {
			return nil, false
		}
		return one(strconv.FormatInt(x.validTo.Unix(), 10))
	case "kms:rotationperiodindays":
		if x.rotationPeriod == 0 {
			return nil, false
		}
		return one(strconv.Itoa(int(x.rotationPeriod)))
	case "aws:tagkeys":
		if x.tagKeys == nil {
			return nil, false
		}
		return x.tagKeys, true
	case "kms:grantoperations":
		if x.grantOps == nil {
			return nil, false
		}
		return x.grantOps, true
	case "kms:granteeprincipal":
		return nonEmpty(x.grantee)
	case "kms:retiringprincipal":
		return nonEmpty(x.retiring)
	case "kms:grantconstrainttype":
		return nonEmpty(x.constraintFor)
	case "kms:grantisforawsresource":
		if !x.grantForAWS {
			return nil, false
		}
		return boolValue(c.c.ViaService != "")
	case "aws:sourcearn":
		return nonEmpty(c.c.SourceArn)
	case "aws:securetransport":
		return boolValue(!c.c.Insecure)
	case "aws:sourceip":
		return nonEmpty(c.c.SourceIP)
	case "aws:requestedregion":
		return one(c.k.region)
	}
	return nil, false
}

func nonEmpty(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	return one(s)
}

// foldedValues returns the values of m's keys equal to lowerKey when
// lower-cased.
func foldedValues(m map[string]string, lowerKey string) ([]string, bool) {
	var vals []string
	for k, v := range m {
		if strings.ToLower(k) == lowerKey {
			vals = append(vals, v)
		}
	}
	return vals, vals != nil
}

// requestAlias is kms:RequestAlias: the alias name a request named its key
// by (AWS KMS Developer Guide, "kms:RequestAlias": the alias name or the
// alias part of an alias ARN), absent when it named the key itself.
func requestAlias(keyID string) ([]string, bool) {
	if strings.HasPrefix(keyID, "alias/") {
		return one(keyID)
	}
	if strings.HasPrefix(keyID, "arn:") {
		if i := strings.Index(keyID, ":alias/"); i >= 0 {
			return one(keyID[i+1:])
		}
	}
	return nil, false
}

// resourceAliases is kms:ResourceAliases: the aliases of the key.
func (c *conditions) resourceAliases() ([]string, bool) {
	rec := c.r.rec
	if rec == nil {
		return nil, false
	}
	var names []string
	read := func(tx backend.Txn) error {
		var err error
		names, err = records.AliasesOf(tx, rec.Account, rec.Region, rec.KeyID)
		return err
	}
	var err error
	if c.r.tx != nil {
		err = read(c.r.tx)
	} else {
		err = c.k.store.View(c.ctx, read)
	}
	if err != nil || len(names) == 0 {
		// An unreadable alias list matches nothing: a condition on it
		// then denies rather than allows.
		return nil, false
	}
	return names, true
}
