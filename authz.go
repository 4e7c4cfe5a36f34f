package kms

import (
	"context"

	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/policy"
)

// authzExtra carries the request's condition values for authorization.
type authzExtra struct {
	encryptionContext   map[string]string
	encryptionAlgorithm EncryptionAlgorithmSpec
	grantTokens         []string
}

// resource is one resource an operation acts on: a key (rec set) or an
// alias (rec nil, arn the alias ARN).
type resource struct {
	arn string
	rec *records.Key
}

func onKey(rec *records.Key, keyARN string) resource { return resource{arn: keyARN, rec: rec} }

func onAlias(aliasARN string) resource { return resource{arn: aliasARN} }

// authorize is the one authorization point every operation passes through
// (so it is also where an operation that began before Close stops; begin
// stops those that begin after). The caller must be allowed
// o's action on every resource the operation touches: UpdateAlias, for
// example, needs kms:UpdateAlias on the alias, on the key it points at and
// on the key it is to point at (AWS KMS Developer Guide, "Controlling
// access to aliases"). An operation on no resource (CreateKey, ListKeys,
// GenerateRandom ...) passes none and is authorized against the handle's
// account. It also rejects grant tokens that name no grant (no grants exist
// until CreateGrant is implemented).
func (k *KMS) authorize(ctx context.Context, o keyOp, x authzExtra, on ...resource) error {
	if k.closed.Load() {
		return errClosed()
	}
	if len(x.grantTokens) > 0 {
		return newErr(ErrInvalidGrantToken, "Grant token %q is not valid", x.grantTokens[0])
	}
	caller, callerAccount := k.rootPrincipal, k.account
	if c, ok := CallerFrom(ctx); ok {
		caller = c
		callerAccount, _ = arn.PrincipalAccount(c)
	}
	req := policy.Request{
		Action:              o.action,
		Caller:              caller,
		CallerAccount:       callerAccount,
		Resource:            "*",
		KeyAccount:          k.account,
		EncryptionContext:   x.encryptionContext,
		EncryptionAlgorithm: string(x.encryptionAlgorithm),
	}
	if len(on) == 0 {
		if k.decide(req) != policy.Allow {
			return newErr(ErrAccessDenied, "User: %s is not authorized to perform: %s", caller, o.action)
		}
		return nil
	}
	for _, r := range on {
		req.Resource, req.KeyAccount, req.KeyPolicy = r.arn, k.account, ""
		if r.rec != nil {
			req.KeyAccount, req.KeyPolicy = r.rec.Account, r.rec.Policy
		}
		if k.decide(req) == policy.Allow {
			continue
		}
		// Wording of AWS's AccessDeniedException: a key is governed by its
		// key policy (a resource-based policy), an alias only by IAM.
		kind := "identity-based"
		if r.rec != nil {
			kind = "resource-based"
		}
		return newErr(ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because no %s policy allows the %s action", caller, o.action, r.arn, kind, o.action)
	}
	return nil
}
