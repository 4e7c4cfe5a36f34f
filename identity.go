package kms

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/embedkms/kms/policy"
)

// CallerInfo describes who makes a call, and how, for authorization.
type CallerInfo struct {
	// Principal is the caller: an IAM principal ARN
	// (arn:aws:iam::111122223333:root, ...:user/Alice, ...:role/Admin), an
	// assumed-role session (arn:aws:sts::111122223333:assumed-role/Admin/s1),
	// which policies naming its role match, as in AWS, or an AWS service
	// principal such as "dynamodb.amazonaws.com".
	Principal string
	// RoleARN is, for an assumed-role session whose role has a path, the
	// role's ARN (arn:aws:iam::111122223333:role/path/Admin). Empty: the
	// role of that name in the session's account.
	RoleARN string
	// SourceIP is the caller's IP address (aws:SourceIp), if known.
	SourceIP string
	// Insecure says the request came over plain HTTP: aws:SecureTransport
	// is false. Calls made in-process count as secure, as every AWS SDK
	// reaches KMS over TLS.
	Insecure bool
	// ViaService is the AWS service that makes the call on the principal's
	// behalf (kms:ViaService), e.g. "s3.us-east-1.amazonaws.com".
	ViaService string
	// SourceArn is the AWS resource on whose behalf the call is made
	// (aws:SourceArn, and the SourceArn grant constraint).
	SourceArn string
	// UserAgent is the caller's HTTP User-Agent, if known; audit events
	// show it (AuditEvent.UserAgent).
	UserAgent string
}

type callerKey struct{}

// WithCaller returns a context whose calls act as principal, an IAM or STS
// principal ARN such as "arn:aws:iam::111122223333:user/Alice" or an AWS
// service principal. A context without a caller acts as the handle's
// account root.
func WithCaller(ctx context.Context, principal string) context.Context {
	return WithCallerInfo(ctx, CallerInfo{Principal: principal})
}

// WithCallerInfo is WithCaller with everything AWS knows about a caller
// beyond its ARN.
func WithCallerInfo(ctx context.Context, c CallerInfo) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the principal set by WithCaller or WithCallerInfo, if
// any.
func CallerFrom(ctx context.Context) (string, bool) {
	c, ok := CallerInfoFrom(ctx)
	return c.Principal, ok
}

// CallerInfoFrom returns what WithCaller or WithCallerInfo set, if any.
func CallerInfoFrom(ctx context.Context) (CallerInfo, bool) {
	c, ok := ctx.Value(callerKey{}).(CallerInfo)
	return c, ok
}

// IdentityPolicySource supplies the IAM (identity-based) policies of
// principals, which the handle evaluates with key policies and grants as
// AWS KMS does (AWS KMS Developer Guide, "Determining access to AWS KMS
// keys").
type IdentityPolicySource interface {
	// IdentityPolicies returns the IAM policy documents (JSON) attached to
	// principal, a user or role ARN; for an assumed-role session the
	// handle asks for its role. It is not asked for account roots, which
	// IAM always allows in their own account. No documents means the
	// principal has no IAM permission.
	IdentityPolicies(ctx context.Context, principal string) ([]string, error)
}

// PrincipalDirectory is implemented by an IdentityPolicySource that knows
// every principal of some accounts. CreateKey and PutKeyPolicy then refuse,
// as AWS does, a key policy naming a principal of such an account that
// does not exist (MalformedPolicyDocumentException).
type PrincipalDirectory interface {
	// PrincipalExists reports whether principal (a user, role or
	// assumed-role session ARN) exists; known is false when the directory
	// does not cover principal's account.
	PrincipalExists(ctx context.Context, principal string) (exists, known bool)
}

// IdentityPolicies maps principal ARNs (users and roles) to their IAM
// policy documents. It is an IdentityPolicySource and a PrincipalDirectory
// of the accounts its principals belong to: list a principal of such an
// account with no policies as a nil entry. Role ARNs may carry a path.
type IdentityPolicies map[string][]string

// IdentityPolicies implements IdentityPolicySource.
func (m IdentityPolicies) IdentityPolicies(_ context.Context, principal string) ([]string, error) {
	return m[principal], nil
}

// validate checks every principal ARN and policy document of m.
func (m IdentityPolicies) validate() error {
	for p, docs := range m {
		info, err := policy.ParsePrincipal(policy.Principal{ARN: p})
		if err != nil || info.Type == policy.TypeService {
			return fmt.Errorf("kms: IdentityPolicies: %q is not an IAM principal ARN", p)
		}
		for i, d := range docs {
			if _, err := policy.ParseIdentityPolicy(d); err != nil {
				return fmt.Errorf("kms: IdentityPolicies: policy %d of %s: %w", i, p, err)
			}
		}
	}
	return nil
}

// PrincipalExists implements PrincipalDirectory.
func (m IdentityPolicies) PrincipalExists(_ context.Context, principal string) (exists, known bool) {
	info, err := policy.ParsePrincipal(policy.Principal{ARN: principal})
	if err != nil || info.Account == "" {
		return false, false
	}
	known = false
	for p := range m {
		pi, err := policy.ParsePrincipal(policy.Principal{ARN: p})
		if err != nil || pi.Account != info.Account {
			continue
		}
		known = true
		if p == principal {
			return true, true
		}
		// An assumed-role session exists when its role does, and a role
		// named without its path is the role of that name.
		if pi.Type == policy.TypeRole && (info.Type == policy.TypeAssumedRole || info.Type == policy.TypeRole) && pi.Name == info.Name {
			return true, true
		}
	}
	if info.Type == policy.TypeAccount {
		return true, known
	}
	return false, known
}

// allowAllIAM is the identity policy every principal has when the handle
// has no IdentityPolicySource: IAM is not modelled, and the key policy
// alone decides (delegation to the account then allows every principal of
// it).
var allowAllIAM = mustParseIdentity(`{"Version":"2012-10-17","Statement":[{"Sid":"IAMNotModelled","Effect":"Allow","Action":"kms:*","Resource":"*"}]}`)

func mustParseIdentity(text string) *policy.Document {
	d, err := policy.ParseIdentityPolicy(text)
	if err != nil {
		panic(err)
	}
	return d
}

// policyCache holds parsed policy documents by their text, so a policy is
// parsed once, not on every call. It is bounded: past maxCachedPolicies
// documents it starts afresh.
type policyCache struct {
	mu   sync.RWMutex
	docs map[policyCacheKey]*policy.Document
}

type policyCacheKey struct {
	kind policy.Kind
	text string
}

const maxCachedPolicies = 4096

func (c *policyCache) parse(kind policy.Kind, text string) (*policy.Document, error) {
	key := policyCacheKey{kind, text}
	c.mu.RLock()
	d, ok := c.docs[key]
	c.mu.RUnlock()
	if ok {
		return d, nil
	}
	d, err := policy.ParseKind(text, kind)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.docs == nil || len(c.docs) >= maxCachedPolicies {
		c.docs = make(map[policyCacheKey]*policy.Document)
	}
	c.docs[key] = d
	c.mu.Unlock()
	return d, nil
}

// identityPolicies returns the parsed IAM policies of the caller.
func (k *KMS) identityPolicies(ctx context.Context, info policy.PrincipalInfo, principal string) ([]*policy.Document, error) {
	if k.iam == nil {
		return []*policy.Document{allowAllIAM}, nil
	}
	switch info.Type {
	case policy.TypeAccount, policy.TypeService:
		return nil, nil
	case policy.TypeAssumedRole:
		principal = info.RoleARN
	}
	texts, err := k.iam.IdentityPolicies(ctx, principal)
	if err != nil {
		return nil, fmt.Errorf("kms: identity policies of %s: %w", principal, err)
	}
	if len(texts) == 0 && info.Type == policy.TypeAssumedRole {
		// A role listed with its path is found by its name.
		if m, ok := k.iam.(IdentityPolicies); ok {
			for p, t := range m {
				if pi, err := policy.ParsePrincipal(policy.Principal{ARN: p}); err == nil && pi.Type == policy.TypeRole && pi.Account == info.Account && pi.Name == info.Name {
					texts = t
					break
				}
			}
		}
	}
	docs := make([]*policy.Document, 0, len(texts))
	for _, t := range texts {
		d, err := k.shared.policies.parse(policy.IdentityPolicy, t)
		if err != nil {
			return nil, fmt.Errorf("kms: an identity policy of %s: %w", principal, err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// checkPrincipalsExist refuses a key policy naming a principal that the
// handle's principal directory, if it has one, says does not exist.
func (k *KMS) checkPrincipalsExist(ctx context.Context, doc *policy.Document) error {
	dir, ok := k.iam.(PrincipalDirectory)
	if !ok {
		return nil
	}
	for _, p := range doc.AWSPrincipals() {
		if p == "*" || !strings.HasPrefix(p, "arn:") {
			continue // everyone, or an account id (its root always exists)
		}
		if exists, known := dir.PrincipalExists(ctx, p); known && !exists {
			return newErr(ErrMalformedPolicyDocument, "Policy contains a statement with one or more invalid principals.")
		}
	}
	return nil
}
