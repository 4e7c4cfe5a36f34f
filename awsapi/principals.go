package awsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/policy"
)

// Principals is an IAM directory for the wire: access keys mapped to the
// principals they sign as, and those principals' IAM policies. It is what
// `embedkms serve -principals FILE` reads, as JSON:
//
//	{"principals": [
//	  {"accessKeyId": "AKIAALICE",
//	   "secretAccessKey": "...",
//	   "arn": "arn:aws:iam::111122223333:user/alice",
//	   "policies": [ {"Version": "2012-10-17", "Statement": [...]} ]},
//	  {"accessKeyId": "AKIAROOT", "secretAccessKey": "...",
//	   "arn": "arn:aws:iam::111122223333:root"},
//	  {"accessKeyId": "ASIASESSION", "secretAccessKey": "...",
//	   "arn": "arn:aws:sts::111122223333:assumed-role/Admin/session-1",
//	   "roleArn": "arn:aws:iam::111122223333:role/ops/Admin",
//	   "policies": [ ... ]}
//	]}
//
// Each entry is one access key: requests signed with it (SigV4, verified
// with its secret) act as arn, in arn's account. policies are IAM policy
// documents (JSON objects) attached to arn; for an assumed-role session
// they are its role's (roleArn, needed only when the role has a path).
// Account roots need no policy. The file is the whole IAM directory of
// the accounts it names: a key policy naming a principal of such an
// account that the file does not list is refused (kms.PrincipalDirectory).
type Principals struct {
	creds map[string]Credential
	iam   kms.IdentityPolicies
}

type principalsFile struct {
	Principals []principalEntry `json:"principals"`
}

type principalEntry struct {
	AccessKeyID     string            `json:"accessKeyId"`
	SecretAccessKey string            `json:"secretAccessKey"`
	ARN             string            `json:"arn"`
	RoleARN         string            `json:"roleArn"`
	Policies        []json.RawMessage `json:"policies"`
}

// ParsePrincipals reads a principals file (see Principals). It refuses
// unknown members, a repeated access key, an entry without an access key,
// secret or valid principal ARN, a roleArn on anything but an assumed-role
// session, and any policy that is not a valid IAM policy.
func ParsePrincipals(r io.Reader) (*Principals, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if err := checkJSON(data); err != nil {
		return nil, fmt.Errorf("principals: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f principalsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("principals: %w", err)
	}
	if f.Principals == nil {
		return nil, errors.New(`principals: the file has no "principals" list`)
	}
	p := &Principals{creds: map[string]Credential{}, iam: kms.IdentityPolicies{}}
	for i, e := range f.Principals {
		where := fmt.Sprintf("principals: entry %d", i+1)
		switch {
		case e.AccessKeyID == "":
			return nil, fmt.Errorf("%s: no accessKeyId", where)
		case e.SecretAccessKey == "":
			return nil, fmt.Errorf("%s (%s): no secretAccessKey", where, e.AccessKeyID)
		}
		if _, dup := p.creds[e.AccessKeyID]; dup {
			return nil, fmt.Errorf("%s: access key %s is listed twice", where, e.AccessKeyID)
		}
		info, err := policy.ParsePrincipal(policy.Principal{ARN: e.ARN, RoleARN: e.RoleARN})
		if err != nil || info.Type == policy.TypeService || info.Type == policy.TypeRole {
			return nil, fmt.Errorf("%s (%s): arn %q is not an IAM user, account root, assumed-role session or federated user ARN", where, e.AccessKeyID, e.ARN)
		}
		if e.RoleARN != "" {
			ri, err := policy.ParsePrincipal(policy.Principal{ARN: e.RoleARN})
			if info.Type != policy.TypeAssumedRole || err != nil || ri.Type != policy.TypeRole || ri.Account != info.Account || ri.Name != info.Name {
				return nil, fmt.Errorf("%s (%s): roleArn %q is not the role of session %s", where, e.AccessKeyID, e.RoleARN, e.ARN)
			}
		}
		p.creds[e.AccessKeyID] = Credential{SecretAccessKey: e.SecretAccessKey, Principal: e.ARN, RoleARN: e.RoleARN}
		// Policies belong to the identity IAM attaches them to: a
		// session's are its role's.
		holder := e.ARN
		if info.Type == policy.TypeAssumedRole {
			holder = info.RoleARN
		}
		docs := p.iam[holder]
		for j, raw := range e.Policies {
			if _, err := policy.ParseIdentityPolicy(string(raw)); err != nil {
				return nil, fmt.Errorf("%s (%s): policy %d: %w", where, e.AccessKeyID, j+1, err)
			}
			docs = append(docs, string(raw))
		}
		p.iam[holder] = docs
		if holder != e.ARN {
			// The session is a principal of the directory too.
			if _, ok := p.iam[e.ARN]; !ok {
				p.iam[e.ARN] = nil
			}
		}
	}
	return p, nil
}

// Credentials returns the access keys of p, for WithCredentials.
func (p *Principals) Credentials() map[string]Credential { return maps.Clone(p.creds) }

// IdentityPolicies returns the IAM policies of p's principals, for
// kms.Options.IdentityPolicies of every handle that serves them. A
// session's entry has no policies of its own (they are its role's).
func (p *Principals) IdentityPolicies() kms.IdentityPolicies { return maps.Clone(p.iam) }

// WithPrincipals makes the handler verify every request's signature with
// the access keys of p and act as their principals (WithCredentials). The
// handles that serve them need p.IdentityPolicies() in their options, so
// that IAM policies decide as in AWS.
func WithPrincipals(p *Principals) Option { return WithCredentials(p.creds) }
