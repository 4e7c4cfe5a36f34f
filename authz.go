package kms

import (
	"context"
	"strings"
	"sync"

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
// (so it is also where a closed handle stops). The caller must be allowed
// o's action on every resource the operation touches: UpdateAlias, for
// example, needs kms:UpdateAlias on the alias, on the key it points at and
// on the key it is to point at (AWS KMS Developer Guide, "Controlling
// access to aliases"). An operation on no resource (CreateKey, ListKeys,
// GenerateRandom ...) passes none and is authorized against the handle's
// account. It also rejects grant tokens that name no grant (no grants exist
// until CreateGrant is implemented).
func (k *KMS) authorize(ctx context.Context, o keyOp, x authzExtra, on ...resource) error {
	if k.closed.Load() {
		return newErr(ErrKMSInternal, "the handle is closed")
	}
	if len(x.grantTokens) > 0 {
		return newErr(ErrInvalidGrantToken, "Grant token %q is not valid", x.grantTokens[0])
	}
	caller := k.rootPrincipal
	if c, ok := CallerFrom(ctx); ok {
		caller = c
	}
	in := policy.Input{
		Request: policy.Request{
			Action:          o.action,
			Principal:       policy.Principal{ARN: caller},
			Resource:        "*",
			ResourceAccount: k.account,
			Time:            k.clock.Now(),
			Conditions:      authzConditions{&x},
		},
		EncryptionContext: x.encryptionContext,
	}
	if len(on) == 0 {
		if res := k.decide(in); res.Decision != policy.Allow {
			return newErr(ErrAccessDenied, "%s", res.Message(caller, ""))
		}
		return nil
	}
	for _, r := range on {
		in.Resource, in.ResourceAccount, in.KeyPolicy = r.arn, k.account, nil
		if r.rec != nil {
			in.ResourceAccount = r.rec.Account
			doc, err := parsedPolicy(r.rec.Policy)
			if err != nil {
				return newErr(ErrKMSInternal, "the key policy of %s does not parse: %v", r.arn, err)
			}
			in.KeyPolicy = doc
		}
		res := k.decide(in)
		if res.Decision == policy.Allow {
			continue
		}
		return newErr(ErrAccessDenied, "%s", res.Message(caller, r.arn))
	}
	return nil
}

// policyCache holds parsed key policies by text, so a key's policy is
// parsed once.
var policyCache sync.Map // string -> *policy.Document

func parsedPolicy(text string) (*policy.Document, error) {
	if d, ok := policyCache.Load(text); ok {
		return d.(*policy.Document), nil
	}
	d, err := policy.ParseKeyPolicy(text)
	if err != nil {
		return nil, err
	}
	policyCache.Store(text, d)
	return d, nil
}

// authzConditions supplies the request's kms: condition keys
// (kms:EncryptionContext:<key>, kms:EncryptionContextKeys,
// kms:EncryptionAlgorithm) to policy evaluation, computed only when a
// policy asks.
type authzConditions struct{ x *authzExtra }

func (c authzConditions) Lookup(key string) ([]string, bool) {
	switch {
	case key == "kms:encryptionalgorithm":
		if c.x.encryptionAlgorithm == "" {
			return nil, false
		}
		return []string{string(c.x.encryptionAlgorithm)}, true
	case key == "kms:encryptioncontextkeys", strings.HasPrefix(key, "kms:encryptioncontext:"):
		v := policy.Values{}
		v.SetEncryptionContext(c.x.encryptionContext)
		return v.Lookup(key)
	}
	return nil, false
}
