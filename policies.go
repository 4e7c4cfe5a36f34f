package kms

import (
	"context"
	"errors"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/policy"
)

// Key policy operations. None of them takes an alias or another account's
// key (AWS KMS API reference, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies:
// "Cross-account use: No"; KeyId is a key id or key ARN).
var (
	opGetKeyPolicy    = op("GetKeyPolicy", false, false)
	opPutKeyPolicy    = op("PutKeyPolicy", false, false)
	opListKeyPolicies = op("ListKeyPolicies", false, false)
)

// DefaultPolicyName is the name of a key's policy, the only one a key has.
const DefaultPolicyName = "default"

// policyNameRE is PolicyNameType in the model.
var policyNameRE = newModelPattern(`^[\w]+$`)

// keyPolicy validates a required Policy member against the model.
func (v *validator) keyPolicy(field, text string) {
	if v.required(field, text) {
		v.length(field, text, 1, 131072)
		v.pattern(field, text, policyRE)
	}
}

// policyName validates an optional PolicyName member against the model.
func (v *validator) policyName(name string) {
	if name != "" {
		v.length("policyName", name, 1, 128)
		v.pattern("policyName", name, policyNameRE)
	}
}

// parseKeyPolicy parses a key policy for CreateKey or PutKeyPolicy: a
// document over MaxKeyPolicySize is LimitExceededException, a malformed one
// MalformedPolicyDocumentException with the parser's message. It also
// refuses a policy naming a principal the handle's identity directory says
// does not exist, as AWS does ("Policy contains a statement with one or
// more invalid principals.").
func (k *KMS) parseKeyPolicy(ctx context.Context, text string) (*policy.Document, error) {
	doc, err := policy.ParseKeyPolicy(text)
	switch {
	case errors.Is(err, policy.ErrTooLarge):
		return nil, newErr(ErrLimitExceeded, "%s", err.Error())
	case err != nil:
		return nil, newErr(ErrMalformedPolicyDocument, "%s", err.Error())
	}
	if err := k.checkPrincipalsExist(ctx, doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// lockoutCheck is the key policy lockout safety check of CreateKey and
// PutKeyPolicy: the calling principal must be able to call PutKeyPolicy on
// the key under its new policy (AWS KMS Developer Guide, "Default key
// policy": "the policy lockout safety check ... ensures that the principal
// making the request is allowed to make a subsequent PutKeyPolicy
// request"). The wording is AWS's (API reference, PutKeyPolicy,
// MalformedPolicyDocumentException). tx is the transaction rec was read
// in (nil for a key not stored yet).
func (k *KMS) lockoutCheck(ctx context.Context, tx backend.Txn, rec *records.Key, doc *policy.Document, x authzExtra) error {
	res, err := k.evaluate(ctx, opPutKeyPolicy, x, resource{arn: k.recARN(rec), rec: rec, doc: doc, tx: tx})
	if err != nil {
		return err
	}
	if res.Decision != policy.Allow {
		return newErr(ErrMalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

// GetKeyPolicy returns a key's policy. PolicyName is optional; any name but
// "default" is NotFoundException.
func (k *KMS) GetKeyPolicy(ctx context.Context, in *GetKeyPolicyInput) (result *GetKeyPolicyOutput, opErr error) {
	defer finish(k.audit(&ctx, "GetKeyPolicy", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GetKeyPolicyInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.policyName(in.PolicyName)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opGetKeyPolicy)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opGetKeyPolicy, authzExtra{}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	if in.PolicyName != "" && in.PolicyName != DefaultPolicyName {
		// The model lists NotFoundException for GetKeyPolicy; LocalStack
		// answers "No such policy exists" here too.
		return nil, newErr(ErrNotFound, "No such policy exists")
	}
	return &GetKeyPolicyOutput{Policy: ck.rec.Policy, PolicyName: DefaultPolicyName}, nil
}

// ListKeyPolicies lists the names of a key's policies: always "default".
func (k *KMS) ListKeyPolicies(ctx context.Context, in *ListKeyPoliciesInput) (result *ListKeyPoliciesOutput, opErr error) {
	defer finish(k.audit(&ctx, "ListKeyPolicies", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ListKeyPoliciesInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.intRange("limit", in.Limit, 1, 1000)
	v.marker(in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opListKeyPolicies)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opListKeyPolicies, authzExtra{}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	// One name fits every page; no marker is ever handed out, and the
	// model lists no InvalidMarkerException for this operation.
	return &ListKeyPoliciesOutput{PolicyNames: []string{DefaultPolicyName}}, nil
}

// PutKeyPolicy replaces a key's policy. Unless
// BypassPolicyLockoutSafetyCheck, the caller must still be allowed to call
// PutKeyPolicy under the new policy. The change takes effect at once (AWS
// allows itself up to five minutes; embedkms is strongly consistent).
func (k *KMS) PutKeyPolicy(ctx context.Context, in *PutKeyPolicyInput) (result *PutKeyPolicyOutput, opErr error) {
	defer finish(k.audit(&ctx, "PutKeyPolicy", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &PutKeyPolicyInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.policyName(in.PolicyName)
	v.keyPolicy("policy", in.Policy)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.PolicyName != "" && in.PolicyName != DefaultPolicyName {
		// The model lists UnsupportedOperationException for PutKeyPolicy.
		return nil, newErr(ErrUnsupportedOperation, "Only the default key policy is supported; PolicyName must be %q", DefaultPolicyName)
	}
	doc, err := k.parseKeyPolicy(ctx, in.Policy)
	if err != nil {
		return nil, err
	}
	x := authzExtra{bypassLockout: &in.BypassPolicyLockoutSafetyCheck}
	_, err = k.updateKeyTx(ctx, in.KeyId, opPutKeyPolicy, x, func(tx backend.Txn, rec *records.Key, _ time.Time) error {
		if !in.BypassPolicyLockoutSafetyCheck {
			if err := k.lockoutCheck(ctx, tx, rec, doc, x); err != nil {
				return err
			}
		}
		rec.Policy = in.Policy
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PutKeyPolicyOutput{}, nil
}
