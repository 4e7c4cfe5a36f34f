// Package arn builds and parses the identifiers AWS KMS accepts for keys and
// aliases: key ids, key ARNs, alias names and alias ARNs.
package arn

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
)

// Kind says which form an identifier takes.
type Kind int

// Identifier forms.
const (
	KeyID     Kind = iota // 1234abcd-12ab-34cd-56ef-1234567890ab or mrk-...
	KeyARN                // arn:aws:kms:us-east-1:111122223333:key/1234abcd-...
	AliasName             // alias/ExampleAlias
	AliasARN              // arn:aws:kms:us-east-1:111122223333:alias/ExampleAlias
)

// ErrMalformed is returned for a string that starts like an ARN but is not
// a well-formed KMS key or alias ARN.
var ErrMalformed = errors.New("malformed ARN")

// ID is a parsed identifier. Account and Region are empty for a bare key id
// or alias name. Name is the key id, or the alias name including "alias/".
type ID struct {
	Kind      Kind
	Partition string
	Region    string
	Account   string
	Name      string
}

// Key returns the ARN of a key.
func Key(partition, region, account, keyID string) string {
	return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + keyID
}

// Alias returns the ARN of an alias; aliasName includes "alias/".
func Alias(partition, region, account, aliasName string) string {
	return "arn:" + partition + ":kms:" + region + ":" + account + ":" + aliasName
}

// Parse classifies s. Strings starting with "arn:" must be well-formed KMS
// key or alias ARNs, else ErrMalformed. Everything else is a key id or, with
// the "alias/" prefix, an alias name; whether such a key or alias exists is
// for the caller to find out.
func Parse(s string) (ID, error) {
	if !strings.HasPrefix(s, "arn:") {
		if strings.HasPrefix(s, "alias/") {
			return ID{Kind: AliasName, Name: s}, nil
		}
		return ID{Kind: KeyID, Name: s}, nil
	}
	var parts [6]string
	if !split6(s, &parts) || parts[1] == "" || parts[2] != "kms" || parts[3] == "" || parts[4] == "" {
		return ID{}, ErrMalformed
	}
	id := ID{Partition: parts[1], Region: parts[3], Account: parts[4]}
	res := parts[5]
	switch {
	case strings.HasPrefix(res, "key/") && len(res) > len("key/"):
		id.Kind, id.Name = KeyARN, strings.TrimPrefix(res, "key/")
	case strings.HasPrefix(res, "alias/") && len(res) > len("alias/"):
		id.Kind, id.Name = AliasARN, res
	default:
		return ID{}, ErrMalformed
	}
	if !isAccount(id.Account) {
		return ID{}, ErrMalformed
	}
	return id, nil
}

// split6 splits s at its first five colons, like strings.SplitN(s, ":", 6)
// but without allocating; it reports whether there were five.
func split6(s string, parts *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[5] = s
	return true
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

// PrincipalAccount returns the account of an IAM or STS principal ARN
// (arn:aws:iam::111122223333:root, ...:user/Alice, arn:aws:sts::...:assumed-role/R/s),
// or false if s is not one.
func PrincipalAccount(s string) (string, bool) {
	var parts [6]string
	if !split6(s, &parts) || parts[0] != "arn" || parts[1] == "" || (parts[2] != "iam" && parts[2] != "sts") || parts[5] == "" {
		return "", false
	}
	if !isAccount(parts[4]) {
		return "", false
	}
	return parts[4], true
}

// IsKeyID reports whether s has the form of a key id AWS KMS issues: a
// lowercase UUID, or "mrk-" and 32 lowercase hex digits (multi-Region).
func IsKeyID(s string) bool {
	if len(s) != 36 {
		return false
	}
	if strings.HasPrefix(s, "mrk-") {
		for i := 4; i < len(s); i++ {
			if !isLowerHex(s[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !isLowerHex(c) {
			return false
		}
	}
	return true
}

func isLowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// NewUUID returns a random (version 4) UUID in lowercase, the form of key
// ids and request ids.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// partitions are the AWS partitions and the Region names each holds, in
// the form of the AWS SDKs' partition metadata (partitions.json of
// aws-sdk-go-v2's internal/endpoints/awsrulesfn: each partition's
// regionRegex). A Region name matches at most one of them.
var partitions = []struct {
	id     string
	region *regexp.Regexp
}{
	{"aws", regexp.MustCompile(`^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`)},
	{"aws-cn", regexp.MustCompile(`^cn-\w+-\d+$`)},
	{"aws-us-gov", regexp.MustCompile(`^us-gov-\w+-\d+$`)},
	{"aws-iso", regexp.MustCompile(`^us-iso-\w+-\d+$`)},
	{"aws-iso-b", regexp.MustCompile(`^us-isob-\w+-\d+$`)},
	{"aws-iso-e", regexp.MustCompile(`^eu-isoe-\w+-\d+$`)},
	{"aws-iso-f", regexp.MustCompile(`^us-isof-\w+-\d+$`)},
	{"aws-eusc", regexp.MustCompile(`^eusc-de-\w+-\d+$`)},
}

// Partition returns the AWS partition of region ("aws" for us-east-1,
// "aws-cn" for cn-north-1, ...) and whether region is a Region name of
// any partition, matched by each partition's naming pattern.
func Partition(region string) (string, bool) {
	for _, p := range partitions {
		if p.region.MatchString(region) {
			return p.id, true
		}
	}
	return "", false
}
