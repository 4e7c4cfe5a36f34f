package kms

import (
	"context"
	"strings"

	"github.com/embedkms/kms/policy"
)

// ExplainInput is an authorization question for Explain: may Caller do
// Action on the key KeyId names, with these request values?
type ExplainInput struct {
	// Caller is the principal asking. The zero value means the caller of
	// the context given to Explain (WithCaller, WithCallerInfo), or the
	// handle's account root: so Explain(ctx, ...) answers for the same
	// caller as a call made with ctx.
	Caller CallerInfo
	// Action is the IAM action, e.g. "kms:Encrypt", "kms:ReEncryptFrom",
	// "kms:CreateKey" (not case-sensitive). Every action of an operation
	// the handle implements is known.
	Action string
	// KeyId names the key: a key id, key ARN, alias name or alias ARN,
	// where the action's operation takes each (an alias resolves to its
	// key). Empty for an action on no key (kms:CreateKey, kms:ListKeys,
	// kms:ListAliases, kms:ListRetirableGrants, kms:GenerateRandom), which
	// IAM policies alone decide. For kms:CreateAlias, kms:UpdateAlias and
	// kms:DeleteAlias an alias name or ARN names the alias itself as the
	// resource: those operations need the action on the alias and on each
	// key involved, so ask once for each.
	KeyId string
	// OtherKeyId is, for kms:ReEncryptFrom, the request's destination key
	// and, for kms:ReEncryptTo, its source key, for
	// kms:ReEncryptOnSameKey; empty for every other action.
	OtherKeyId string
	// The request's values, for the condition keys that name them
	// (kms:EncryptionContext:<key>, kms:EncryptionContextKeys,
	// kms:EncryptionAlgorithm, kms:SigningAlgorithm, kms:MessageType,
	// kms:MacAlgorithm, kms:KeyAgreementAlgorithm, kms:DataKeyPairSpec) and
	// for grant constraints. Leave empty what the request leaves out.
	EncryptionContext map[string]string
	// EncryptionAlgorithm is the request's EncryptionAlgorithm
	// (kms:EncryptionAlgorithm).
	EncryptionAlgorithm EncryptionAlgorithmSpec
	// SigningAlgorithm is the request's SigningAlgorithm
	// (kms:SigningAlgorithm).
	SigningAlgorithm SigningAlgorithmSpec
	// MessageType is the request's MessageType (kms:MessageType).
	MessageType MessageType
	// MacAlgorithm is the request's MacAlgorithm (kms:MacAlgorithm).
	MacAlgorithm MacAlgorithmSpec
	// KeyAgreementAlgorithm is the request's KeyAgreementAlgorithm
	// (kms:KeyAgreementAlgorithm).
	KeyAgreementAlgorithm KeyAgreementAlgorithmSpec
	// KeyPairSpec is the request's KeyPairSpec (kms:DataKeyPairSpec).
	KeyPairSpec DataKeyPairSpec
}

// ExplainOutput is Explain's answer.
type ExplainOutput struct {
	// Decision is policy.Allow, policy.ImplicitDeny (nothing allows it) or
	// policy.ExplicitDeny (a Deny statement applies).
	Decision policy.Decision
	// Principal, Action and Resource are what was decided: the caller's
	// ARN, the action as AWS spells it, and the key ARN (the alias ARN
	// for an alias, "*" for an action on no key).
	Principal, Action, Resource string
	// Message is the message of the AccessDeniedException the call gets,
	// word for word; empty when it is allowed.
	Message string
	// Statements are the statements and grants that decided it: for an
	// ExplicitDeny, the Deny statement; for an Allow, the key-policy
	// statement and, when the key policy delegates to the account, the
	// IAM statement or the grant that allows. A denial for want of an
	// allowing statement has none.
	Statements []ExplainedStatement
}

// ExplainedStatement is one statement or grant that decided an Explain.
type ExplainedStatement struct {
	// Source is policy.SourceKeyPolicy, policy.SourceIdentityPolicy or
	// policy.SourceGrant.
	Source policy.Source
	// Principal is, for an identity policy, the principal it is attached
	// to: the caller, or the role of an assumed-role session.
	Principal string
	// Policy is, for an identity policy, its index in the principal's
	// policies in the order the IdentityPolicySource returns them. A
	// handle without an IdentityPolicySource does not model IAM: every
	// principal then has one built-in policy allowing kms:* on "*", whose
	// statement has the Sid "IAMNotModelled".
	Policy int
	// Statement is the statement's index in its policy's Statement list,
	// from 0; -1 for a grant.
	Statement int
	// Sid is the statement's Sid, if it has one.
	Sid string
	// Effect is "Allow" or "Deny".
	Effect string
	// GrantId and GrantName identify a grant (Source SourceGrant).
	GrantId, GrantName string
}

// explainOps are the operations Explain knows, by lower-cased IAM action.
var explainOps = func() map[string]keyOp {
	m := make(map[string]keyOp)
	for _, o := range []keyOp{
		opCreateAlias, opUpdateAlias, opDeleteAlias, opListAliases,
		opSign, opVerify, opGetPublicKey,
		opGenerateDataKeyPair, opGenerateDataKeyPairWithoutPlaintext,
		opCreateGrant, opListGrants, opListRetirableGrants, opRetireGrant, opRevokeGrant,
		opEncapsulate, opDecapsulate, opDeriveSharedSecret,
		opCreateKey, opDescribeKey, opListKeys, opUpdateKeyDescription,
		opEnableKey, opDisableKey, opScheduleKeyDeletion, opCancelKeyDeletion,
		opGenerateMac, opVerifyMac,
		opGetKeyPolicy, opPutKeyPolicy, opListKeyPolicies,
		opGenerateRandom,
		opEncrypt, opDecrypt, opGenerateDataKey, opGenerateDataKeyWithoutPlaintext,
		opReEncryptFrom, opReEncryptTo,
		opTagResource, opUntagResource, opListResourceTags,
		opReplicateKey, opUpdatePrimaryRegion,
	} {
		m[strings.ToLower(o.action)] = o
	}
	return m
}()

// noKeyActions are the actions of operations on no key: authorized against
// resource "*" by IAM policies alone.
var noKeyActions = map[string]bool{
	"kms:CreateKey": true, "kms:ListKeys": true, "kms:ListAliases": true,
	"kms:ListRetirableGrants": true, "kms:GenerateRandom": true,
}

// aliasActions are the actions authorized on an alias as well as on keys.
var aliasActions = map[string]bool{"kms:CreateAlias": true, "kms:UpdateAlias": true, "kms:DeleteAlias": true}

// Explain says whether a call would be authorized, and why: the decision,
// the AccessDeniedException message the call would get, and the key-policy
// statements, IAM statements and grants that decided it. It is embedkms's
// own, not an AWS operation: a local debugging aid for "why was I denied".
//
// Explain evaluates exactly as the operations do (the same key policy,
// identity policies, grants and condition values), so what it answers is
// what the call gets from authorization. It answers for authorization
// only: the call may still fail on its input, the key's state or key
// usage. Condition keys filled from members ExplainInput does not have
// (CreateKey's and CreateGrant's, tags, the pending window ...) are
// absent, as for a request that leaves them out.
//
// Explain needs no authorization itself: it is for whoever holds the
// handle, which can read every policy anyway. Errors: ValidationException
// for an unknown action, a KeyId the action does not take (or lacks) or
// an OtherKeyId for an action other than ReEncrypt's,
// NotFoundException for a key or alias that does not exist, as the call
// would get, and AccessDeniedException for a Caller that is not a valid
// principal.
func (k *KMS) Explain(ctx context.Context, in *ExplainInput) (*ExplainOutput, error) {
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ExplainInput{}
	}
	o, ok := explainOps[strings.ToLower(in.Action)]
	if !ok {
		return nil, invalid("Explain: unknown action %q: use an IAM action of an operation the handle implements, such as kms:Encrypt", in.Action)
	}
	if in.Caller.Principal != "" {
		ctx = WithCallerInfo(ctx, in.Caller)
	}
	c, err := k.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	r, err := k.explainResource(ctx, o, in.KeyId)
	if err != nil {
		return nil, err
	}
	x := authzExtra{
		encryptionContext:   in.EncryptionContext,
		encryptionAlgorithm: in.EncryptionAlgorithm,
		signingAlgorithm:    in.SigningAlgorithm,
		messageType:         in.MessageType,
		macAlgorithm:        in.MacAlgorithm,
		keyAgreement:        in.KeyAgreementAlgorithm,
		dataKeyPairSpec:     in.KeyPairSpec,
		requestKeyID:        in.KeyId,
	}
	if in.OtherKeyId != "" {
		if o.name != "ReEncrypt" {
			return nil, invalid("Explain: OtherKeyId is for kms:ReEncryptFrom and kms:ReEncryptTo, not %s", o.action)
		}
		other, err := k.entry(ctx, in.OtherKeyId, o)
		if err != nil {
			return nil, err
		}
		x.reEncryptOther = other.arn
	}
	res, err := k.evaluateAs(ctx, c, o, &x, r)
	if err != nil {
		return nil, err
	}
	out := &ExplainOutput{Decision: res.Decision, Principal: c.Principal, Action: o.action, Resource: r.arn}
	if res.Decision != policy.Allow {
		out.Message = res.Message(c.Principal, r.arn)
	}
	for _, m := range res.Matches {
		s := ExplainedStatement{Source: m.Source, Statement: m.Statement, Sid: m.Sid, Effect: m.Effect}
		switch m.Source {
		case policy.SourceIdentityPolicy:
			s.Policy, s.Principal = m.Policy, c.Principal
			if c.info.Type == policy.TypeAssumedRole {
				s.Principal = c.info.RoleARN
			}
		case policy.SourceGrant:
			s.Statement, s.Sid, s.GrantId, s.GrantName = -1, "", m.GrantID, m.Sid
		}
		out.Statements = append(out.Statements, s)
	}
	return out, nil
}

// explainResource is the resource an Explain asks about, found as the
// operation finds it.
func (k *KMS) explainResource(ctx context.Context, o keyOp, keyID string) (resource, error) {
	if noKeyActions[o.action] {
		if keyID != "" {
			return resource{}, invalid("Explain: %s acts on no key: leave KeyId empty", o.action)
		}
		return resource{arn: "*"}, nil
	}
	if keyID == "" {
		return resource{}, invalid("Explain: %s needs a KeyId", o.action)
	}
	if aliasActions[o.action] {
		ao := o
		ao.aliases = true
		ref, isAlias, err := k.parseKeyID(keyID, ao)
		if err != nil {
			return resource{}, err
		}
		if isAlias {
			return onAlias(k.aliasARN(ref)), nil
		}
	}
	ck, err := k.entry(ctx, keyID, o)
	if err != nil {
		return resource{}, err
	}
	return onKey(ck.rec, ck.arn), nil
}
