package policy

import (
	"errors"
	"strings"
)

// Principal is the caller of a request.
type Principal struct {
	// ARN is the caller: arn:aws:iam::A:root, arn:aws:iam::A:user/path/name,
	// arn:aws:iam::A:role/path/name, arn:aws:sts::A:assumed-role/ROLE/SESSION,
	// arn:aws:sts::A:federated-user/NAME, or a service principal name such
	// as "dynamodb.amazonaws.com".
	ARN string
	// RoleARN is, for an assumed-role session, the ARN of its role (which
	// may carry a path). Empty means: the role of the account named ROLE,
	// whatever its path.
	RoleARN string
}

// Principal types, as aws:PrincipalType reports them (IAM User Guide, "AWS
// global condition context keys", aws:PrincipalType), plus Role (an IAM
// role ARN, which names no caller but is a valid grantee and key-policy
// principal) and Service (a service principal, which has no
// aws:PrincipalType).
const (
	TypeAccount       = "Account"
	TypeUser          = "User"
	TypeRole          = "Role"
	TypeAssumedRole   = "AssumedRole"
	TypeFederatedUser = "FederatedUser"
	TypeService       = "Service"
)

// PrincipalInfo describes a parsed principal.
type PrincipalInfo struct {
	Type      string // one of the Type constants
	Partition string // "" for a service principal
	Account   string // "" for a service principal
	// Name is the user or role name (without path), the federated user's
	// name, the service name; for an assumed-role session, the role name.
	Name string
	// Session is the session name of an assumed-role session.
	Session string
	// RoleARN is, for an assumed-role session, its role's ARN: Principal.RoleARN
	// if set, else arn:PARTITION:iam::ACCOUNT:role/NAME. For a role, its ARN.
	RoleARN string
}

// ErrInvalidPrincipal is returned by ParsePrincipal for a string that is no
// IAM or STS principal ARN and no service principal name.
var ErrInvalidPrincipal = errors.New("invalid principal")

// ParsePrincipal validates p.ARN and reports what it names. The forms are
// those of the IAM User Guide, "IAM identifiers" (IAM ARNs) and "AWS JSON
// policy elements: Principal".
func ParsePrincipal(p Principal) (PrincipalInfo, error) {
	var c caller
	if !c.parse(p) {
		return PrincipalInfo{}, ErrInvalidPrincipal
	}
	info := PrincipalInfo{Type: c.typ, Partition: c.partition, Account: c.account, Name: c.name, Session: c.session}
	switch c.typ {
	case TypeAssumedRole:
		info.RoleARN = c.roleARN
		if info.RoleARN == "" {
			info.RoleARN = "arn:" + c.partition + ":iam::" + c.account + ":role/" + c.name
		}
	case TypeRole:
		info.RoleARN = c.arn
	}
	return info, nil
}

// caller is a parsed principal; its strings are substrings of the ARN, so
// parsing does not allocate.
type caller struct {
	arn, typ, partition, account, name, session string
	roleARN                                     string // Principal.RoleARN
}

func (c *caller) parse(p Principal) bool {
	*c = caller{arn: p.ARN, roleARN: p.RoleARN}
	s := p.ARN
	if !strings.HasPrefix(s, "arn:") {
		if !isServiceName(s) {
			return false
		}
		c.typ, c.name = TypeService, s
		return true
	}
	var parts [6]string
	if !splitARN(s, &parts) || parts[1] == "" || parts[3] != "" || !isAccount(parts[4]) {
		return false
	}
	c.partition, c.account = parts[1], parts[4]
	res := parts[5]
	switch parts[2] {
	case "iam":
		switch {
		case res == "root":
			c.typ = TypeAccount
			return true
		case strings.HasPrefix(res, "user/"):
			c.typ = TypeUser
			c.name = pathName(res[len("user/"):])
		case strings.HasPrefix(res, "role/"):
			c.typ = TypeRole
			c.name = pathName(res[len("role/"):])
		default:
			return false
		}
		return c.name != ""
	case "sts":
		switch {
		case strings.HasPrefix(res, "assumed-role/"):
			rest := res[len("assumed-role/"):]
			i := strings.IndexByte(rest, '/')
			if i <= 0 || i == len(rest)-1 || strings.IndexByte(rest[i+1:], '/') >= 0 {
				return false
			}
			c.typ, c.name, c.session = TypeAssumedRole, rest[:i], rest[i+1:]
			return true
		case strings.HasPrefix(res, "federated-user/"):
			c.typ, c.name = TypeFederatedUser, res[len("federated-user/"):]
			return c.name != "" && strings.IndexByte(c.name, '/') < 0
		}
	}
	return false
}

// pathName returns the last segment of "path/name", or "" if the name or
// any path segment is empty or has a wildcard.
func pathName(s string) string {
	if s == "" || s[len(s)-1] == '/' || hasWildcard(s) || strings.Contains(s, "//") || s[0] == '/' {
		return ""
	}
	return s[strings.LastIndexByte(s, '/')+1:]
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isServiceName reports whether s has the form of a service principal:
// lowercase DNS labels under amazonaws.com (or amazonaws.com.cn, or
// amazon.com), e.g. "dynamodb.amazonaws.com" (IAM User Guide, "AWS JSON
// policy elements: Principal", AWS service principals).
func isServiceName(s string) bool {
	var host string
	switch {
	case strings.HasSuffix(s, ".amazonaws.com"):
		host = s[:len(s)-len(".amazonaws.com")]
	case strings.HasSuffix(s, ".amazonaws.com.cn"):
		host = s[:len(s)-len(".amazonaws.com.cn")]
	case strings.HasSuffix(s, ".amazon.com"):
		host = s[:len(s)-len(".amazon.com")]
	default:
		return false
	}
	if host == "" || host[0] == '.' || host[0] == '-' || host[len(host)-1] == '.' {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// principalEntry is one value of a statement's Principal or NotPrincipal.
type principalEntry struct {
	any     bool   // "*"
	service string // a Service value
	other   string // a Federated value: matches a caller with that exact ARN
	// An AWS value: typ TypeAccount (ARN or bare account id), TypeUser,
	// TypeRole, TypeAssumedRole or TypeFederatedUser.
	typ, arn, partition, account, name string
}

// principalMatch is how a principal element matches the caller.
type principalMatch int

const (
	matchNone    principalMatch = iota
	matchDirect                 // names the caller, its role, or "*"
	matchAccount                // names the caller's account (delegation to IAM)
)

// matchEntry reports how e matches c.
func (e *principalEntry) match(c *caller) principalMatch {
	switch {
	case e.any:
		return matchDirect
	case e.service != "":
		if c.typ == TypeService && c.name == e.service {
			return matchDirect
		}
		return matchNone
	case e.other != "":
		if c.arn == e.other {
			return matchDirect
		}
		return matchNone
	}
	if c.typ == TypeService || e.account != c.account || (e.partition != "" && e.partition != c.partition) {
		return matchNone
	}
	switch e.typ {
	case TypeAccount:
		return matchAccount
	case TypeRole:
		// A role principal covers the role's sessions (IAM User Guide,
		// "AWS JSON policy elements: Principal", IAM role principals).
		if c.typ == TypeAssumedRole {
			if c.roleARN != "" {
				if c.roleARN == e.arn {
					return matchDirect
				}
			} else if c.name == e.name {
				return matchDirect
			}
			return matchNone
		}
	}
	if c.arn == e.arn {
		return matchDirect
	}
	return matchNone
}
