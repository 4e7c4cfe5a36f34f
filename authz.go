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

// authorize is the one authorization point every operation passes through
// (so it is also where a closed handle stops).
// rec is nil for operations on no key (CreateKey, ListKeys, ...), which are
// authorized against the handle's account. It also rejects grant tokens
// that name no grant (no grants exist until CreateGrant is implemented).
func (k *KMS) authorize(ctx context.Context, o keyOp, rec *records.Key, keyARN string, x authzExtra) error {
	if k.closed.Load() {
		return newErr(ErrKMSInternal, "the handle is closed")
	}
	caller, callerAccount := k.rootPrincipal, k.account
	if c, ok := CallerFrom(ctx); ok {
		caller = c
		callerAccount, _ = arn.PrincipalAccount(c)
	}
	req := policy.Request{
		Action:        o.action,
		Caller:        caller,
		CallerAccount: callerAccount,
		Resource:      "*",
		KeyAccount:    k.account,
	}
	if rec != nil {
		req.Resource, req.KeyAccount, req.KeyPolicy = keyARN, rec.Account, rec.Policy
	}
	req.EncryptionContext = x.encryptionContext
	req.EncryptionAlgorithm = string(x.encryptionAlgorithm)
	if len(x.grantTokens) > 0 {
		return newErr(ErrInvalidGrantToken, "Grant token %q is not valid", x.grantTokens[0])
	}
	if policy.Evaluate(req) == policy.Allow {
		return nil
	}
	if rec == nil {
		return newErr(ErrAccessDenied, "User: %s is not authorized to perform: %s", caller, o.action)
	}
	return newErr(ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action", caller, o.action, keyARN, o.action)
}
