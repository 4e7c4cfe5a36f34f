package awsapi

import (
	"strconv"
	"unicode/utf8"
)

// The strict JSON check. Go's encoding/json accepts a request body that
// JSON (RFC 8259) allows but that must not reach an operation, because it
// makes different requests look alike:
//
//   - a string with bytes that are not UTF-8 (a raw 0xFF, an overlong
//     encoding, an encoded surrogate) or an escape of an unpaired UTF-16
//     surrogate (\ud800): encoding/json turns each into U+FFFD, so two
//     different encryption contexts would become the same one and open
//     each other's ciphertexts, and descriptions would be stored altered.
//     RFC 8259 section 8.1 requires UTF-8; section 8.2 leaves unpaired
//     surrogates' behaviour "unpredictable".
//   - an object with two members of the same name: encoding/json keeps the
//     last, other parsers the first (RFC 8259 section 4: "the names within
//     an object SHOULD be unique", behaviour otherwise unpredictable), so a
//     proxy or policy check reading the first would see another request
//     than the one served.
//
// checkJSON refuses these, and anything json.Valid refuses, before the
// body is decoded; the handler answers SerializationException, AWS's code
// for a body that cannot be deserialized.

// jsonRefusal is why checkJSON refused a body.
type jsonRefusal int

const (
	refusedSyntax    jsonRefusal = iota + 1 // not JSON (json.Valid is false)
	refusedUTF8                             // a string with invalid UTF-8
	refusedSurrogate                        // an escaped unpaired surrogate
	refusedDuplicate                        // an object with a repeated member name
)

// jsonError is checkJSON's error.
type jsonError struct {
	kind jsonRefusal
	off  int
	msg  string
}

func (e *jsonError) Error() string {
	return e.msg + " at offset " + strconv.Itoa(e.off)
}

// maxJSONDepth is encoding/json's nesting limit, so that checkJSON accepts
// nothing json.Valid refuses.
const maxJSONDepth = 10000

// checkJSON returns nil if b is one JSON value (with surrounding white
// space) whose strings are all valid UTF-8 with no unpaired surrogate
// escape and whose objects have no repeated member name (names compared
// after unescaping), and a *jsonError otherwise.
func checkJSON(b []byte) error {
	p := jsonParser{b: b}
	p.ws()
	if err := p.value(0); err != nil {
		return err
	}
	p.ws()
	if p.i != len(b) {
		return p.fail(refusedSyntax, "Invalid JSON: data after the top-level value")
	}
	return nil
}

type jsonParser struct {
	b []byte
	i int
}

func (p *jsonParser) fail(kind jsonRefusal, msg string) error {
	return &jsonError{kind: kind, off: p.i, msg: msg}
}

func (p *jsonParser) syntax() error {
	if p.i >= len(p.b) {
		return p.fail(refusedSyntax, "Invalid JSON: unexpected end of input")
	}
	return p.fail(refusedSyntax, "Invalid JSON: unexpected character")
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) error {
	if p.i >= len(p.b) {
		return p.syntax()
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		_, err := p.str(false)
		return err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return p.syntax()
}

func (p *jsonParser) literal(s string) error {
	if len(p.b)-p.i < len(s) || string(p.b[p.i:p.i+len(s)]) != s {
		return p.syntax()
	}
	p.i += len(s)
	return nil
}

func (p *jsonParser) object(depth int) error {
	if depth > maxJSONDepth {
		return p.fail(refusedSyntax, "Invalid JSON: nested too deeply")
	}
	p.i++ // {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	var names map[string]struct{}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.syntax()
		}
		start := p.i
		name, err := p.str(true)
		if err != nil {
			return err
		}
		if names == nil {
			names = make(map[string]struct{})
		}
		if _, dup := names[name]; dup {
			p.i = start
			return p.fail(refusedDuplicate, "Duplicate member "+strconv.Quote(shorten(name))+" in a JSON object")
		}
		names[name] = struct{}{}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.syntax()
		}
		p.i++
		p.ws()
		if err := p.value(depth); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) {
			return p.syntax()
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.ws()
		case '}':
			p.i++
			return nil
		default:
			return p.syntax()
		}
	}
}

func (p *jsonParser) array(depth int) error {
	if depth > maxJSONDepth {
		return p.fail(refusedSyntax, "Invalid JSON: nested too deeply")
	}
	p.i++ // [
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := p.value(depth); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) {
			return p.syntax()
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.ws()
		case ']':
			p.i++
			return nil
		default:
			return p.syntax()
		}
	}
}

// str checks the string at p.i (its opening quote) and moves past it. If
// want, it returns the string's value, unescaped.
func (p *jsonParser) str(want bool) (string, error) {
	p.i++ // "
	start := p.i
	var buf []byte // the value, once an escape makes it differ from the bytes
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !want {
				return "", nil
			}
			if buf != nil {
				return string(buf), nil
			}
			return string(s), nil
		case c < 0x20:
			return "", p.fail(refusedSyntax, "Invalid JSON: control character in a string")
		case c == '\\':
			if want && buf == nil {
				buf = append([]byte(nil), p.b[start:p.i]...)
			}
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			if want {
				buf = utf8.AppendRune(buf, r)
			}
		case c < utf8.RuneSelf:
			if buf != nil {
				buf = append(buf, c)
			}
			p.i++
		default:
			r, n := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && n <= 1 {
				return "", p.fail(refusedUTF8, "Invalid UTF-8 in a JSON string")
			}
			if buf != nil {
				buf = append(buf, p.b[p.i:p.i+n]...)
			}
			p.i += n
		}
	}
	return "", p.syntax()
}

// escape reads the escape sequence at p.i (its backslash), a surrogate
// pair as one, and returns the character it stands for.
func (p *jsonParser) escape() (rune, error) {
	if p.i+1 >= len(p.b) {
		p.i = len(p.b)
		return 0, p.syntax()
	}
	switch p.b[p.i+1] {
	case '"', '\\', '/':
		p.i += 2
		return rune(p.b[p.i-1]), nil
	case 'b':
		p.i += 2
		return '\b', nil
	case 'f':
		p.i += 2
		return '\f', nil
	case 'n':
		p.i += 2
		return '\n', nil
	case 'r':
		p.i += 2
		return '\r', nil
	case 't':
		p.i += 2
		return '\t', nil
	case 'u':
	default:
		p.i++
		return 0, p.syntax()
	}
	at := p.i
	r, ok := p.hex4(p.i + 2)
	if !ok {
		return 0, p.fail(refusedSyntax, "Invalid JSON: bad \\u escape")
	}
	p.i += 6
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		p.i = at
		return 0, p.fail(refusedSurrogate, "Unpaired UTF-16 surrogate escape in a JSON string")
	case r >= 0xD800 && r <= 0xDBFF:
		if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
			lo, ok := p.hex4(p.i + 2)
			if !ok {
				p.i++
				return 0, p.fail(refusedSyntax, "Invalid JSON: bad \\u escape")
			}
			if lo >= 0xDC00 && lo <= 0xDFFF {
				p.i += 6
				return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), nil
			}
		}
		p.i = at
		return 0, p.fail(refusedSurrogate, "Unpaired UTF-16 surrogate escape in a JSON string")
	}
	return r, nil
}

// hex4 decodes the four hex digits at b[at:].
func (p *jsonParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (p *jsonParser) number() error {
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return p.syntax()
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if !p.digits() {
			return p.syntax()
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return p.syntax()
		}
	}
	return nil
}

// digits skips one or more digits; it reports whether there was one.
func (p *jsonParser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// shorten cuts s to at most 64 bytes, at a character boundary, for
// echoing in an error message.
func shorten(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
