package kms

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validator collects constraint violations in AWS's wording:
//
//	1 validation error detected: Value 'x' at 'keyId' failed to satisfy
//	constraint: Member must have length less than or equal to 2048
//
// Field names are the members' names in lowerCamelCase, as AWS prints them.
// The zero value is ready to use and allocates nothing until a check fails.
type validator struct {
	errs []string
}

// add records a violation. shown is the value as AWS prints it: "null"
// for a missing member, 'x' for a present one, "" for a sensitive one
// (AWS then omits the value: "Value at 'plaintext' failed ...").
func (v *validator) add(field, shown, constraint string) {
	if shown == "" {
		v.errs = append(v.errs, "Value at '"+field+"' failed to satisfy constraint: "+constraint)
		return
	}
	v.errs = append(v.errs, "Value "+shown+" at '"+field+"' failed to satisfy constraint: "+constraint)
}

func quote(s string) string { return "'" + s + "'" }

// required checks that a required string member is present.
func (v *validator) required(field, s string) bool {
	if s == "" {
		v.add(field, "null", "Member must not be null")
		return false
	}
	return true
}

// length checks a string's length in code points, if present.
func (v *validator) length(field, s string, minLen, maxLen int) {
	n := len(s)
	if n > maxLen || n < minLen { // bytes >= code points: only count when needed
		n = utf8.RuneCountInString(s)
	}
	switch {
	case n < minLen:
		v.add(field, quote(s), fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case n > maxLen:
		v.add(field, quote(s), fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
}

// keyID checks a required KeyIdType member.
func (v *validator) keyID(field, s string) {
	if v.required(field, s) {
		v.length(field, s, 1, 2048)
	}
}

// optKeyID checks an optional KeyIdType member.
func (v *validator) optKeyID(field, s string) {
	if s != "" {
		v.length(field, s, 1, 2048)
	}
}

// blob checks a blob's length in bytes; a sensitive blob's value is never
// echoed. A nil blob is reported as missing when required.
func (v *validator) blob(field string, b []byte, minLen, maxLen int, required, sensitive bool) {
	if b == nil {
		if required {
			v.add(field, "null", "Member must not be null")
		}
		return
	}
	if len(b) >= minLen && len(b) <= maxLen {
		return
	}
	shown := "" // AWS never echoes a sensitive blob
	if !sensitive {
		shown = quote("java.nio.HeapByteBuffer[pos=0 lim=" + strconv.Itoa(len(b)) + " cap=" + strconv.Itoa(len(b)) + "]")
	}
	if len(b) < minLen {
		v.add(field, shown, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	} else {
		v.add(field, shown, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
}

// intRange checks an optional integer member, where 0 means absent.
func (v *validator) intRange(field string, n int32, minV, maxV int32) {
	if n == 0 {
		return
	}
	switch {
	case n < minV:
		v.add(field, quote(strconv.Itoa(int(n))), fmt.Sprintf("Member must have value greater than or equal to %d", minV))
	case n > maxV:
		v.add(field, quote(strconv.Itoa(int(n))), fmt.Sprintf("Member must have value less than or equal to %d", maxV))
	}
}

// modelPattern is a pattern from the API model, compiled, that prints as
// the model writes it (ECMA-262 \uXXXX escapes, which Go spells \x{XXXX}).
type modelPattern struct {
	re  *regexp.Regexp
	src string
}

var uEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

func newModelPattern(src string) modelPattern {
	return modelPattern{re: regexp.MustCompile(uEscape.ReplaceAllString(src, `\x{$1}`)), src: src}
}

// pattern checks an optional string member against a model pattern.
func (v *validator) pattern(field, s string, p modelPattern) {
	if s != "" && !p.re.MatchString(s) {
		v.add(field, quote(s), "Member must satisfy regular expression pattern: "+p.src)
	}
}

// enum checks an optional enum member.
func enum[T ~string](v *validator, field string, val T, values []T) {
	if val == "" {
		return
	}
	for _, x := range values {
		if x == val {
			return
		}
	}
	names := make([]string, len(values))
	for i, x := range values {
		names[i] = string(x)
	}
	v.add(field, quote(string(val)), "Member must satisfy enum value set: ["+strings.Join(names, ", ")+"]")
}

// grantTokens checks a GrantTokenList.
func (v *validator) grantTokens(tokens []string) {
	if len(tokens) > MaxGrantTokens {
		v.add("grantTokens", quote("["+strings.Join(tokens, ", ")+"]"), "Member must have length less than or equal to 10")
	}
	for i, t := range tokens {
		v.length("grantTokens."+strconv.Itoa(i+1)+".member", t, 1, maxGrantTokenLength)
	}
}

// marker checks a MarkerType member.
func (v *validator) marker(s string) {
	if s != "" {
		v.length("marker", s, 1, 1024)
		v.pattern("marker", s, markerRE)
	}
}

var markerRE = newModelPattern(`^[\u0020-\u00FF]*$`)

// err returns the collected violations as one ValidationException.
func (v *validator) err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return &Error{Code: ErrValidation, Message: "1 validation error detected: " + v.errs[0]}
	}
	return &Error{Code: ErrValidation, Message: fmt.Sprintf("%d validation errors detected: %s", len(v.errs), strings.Join(v.errs, "; "))}
}

// invalid returns a ValidationException with a free-form message, for rules
// the model states only in prose.
func invalid(format string, args ...any) error {
	return newErr(ErrValidation, format, args...)
}

// dryRunModifiers checks a DryRunModifierList.
func (v *validator) dryRunModifiers(ms []DryRunModifierType) {
	for i, m := range ms {
		enum(v, "dryRunModifiers."+strconv.Itoa(i+1)+".member", m, DryRunModifierType("").Values())
	}
}
