package policy

import (
	"strings"
	"unicode/utf8"
)

// glob reports whether s matches pattern, where "*" matches any run of
// characters (including none) and "?" exactly one character, as IAM
// matches Action, Resource and StringLike values (IAM User Guide, "IAM
// JSON policy elements: Condition operators", StringLike; "IAM JSON policy
// elements: Action"). fold makes ASCII letters match regardless of case
// (action names are case-insensitive). It does not allocate.
func glob(pattern, s string, fold bool) bool {
	// Iterative matcher with one backtracking point: the last "*" seen.
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) || px < len(pattern) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				if px == len(pattern)-1 {
					return true // a trailing "*" matches the rest
				}
				starP, starS = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			default:
				if sx < len(s) && byteEq(c, s[sx], fold) {
					px++
					sx++
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	return true
}

func byteEq(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	return lowerASCII(a) == lowerASCII(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// hasWildcard reports whether s contains "*" or "?".
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// arnLike matches an ARN against an ArnLike / ArnEquals pattern: both are
// split into their six colon-separated components and each component is
// matched separately, wildcards included, case-sensitively (IAM User
// Guide, "IAM JSON policy elements: Condition operators", Amazon Resource
// Name (ARN) condition operators). A value that is not an ARN matches
// nothing.
func arnLike(pattern, s string) bool {
	var pp, sp [6]string
	if !splitARN(pattern, &pp) || !splitARN(s, &sp) {
		return false
	}
	for i := range pp {
		if !glob(pp[i], sp[i], false) {
			return false
		}
	}
	return true
}

// splitARN splits s at its first five colons; it reports whether there
// were five and s starts with "arn".
func splitARN(s string, parts *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[5] = s
	return parts[0] == "arn"
}
