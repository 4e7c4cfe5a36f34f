package awsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCheckJSON: the strict check accepts JSON and refuses, with the right
// reason, what encoding/json would silently alter or choose from.
func TestCheckJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		want jsonRefusal // 0: accepted
	}{
		{"empty object", `{}`, 0},
		{"members", `{"a":"b","c":[1,-2.5e+3,true,false,null,{"a":1}],"d":{}}`, 0},
		{"white space", " \t\r\n{ \"a\" : [ ] } \n", 0},
		{"same name in different objects", `{"a":{"a":1},"b":[{"a":1},{"a":2}]}`, 0},
		{"two-byte UTF-8", `{"é":"é"}`, 0},
		{"four-byte UTF-8", `{"k":"𝄞"}`, 0},
		{"escaped surrogate pair", `{"k":"\ud834\udd1e"}`, 0},
		{"escaped U+FFFD", `{"k":"\ufffd"}`, 0},
		{"raw U+FFFD", "{\"k\":\"\xef\xbf\xbd\"}", 0},
		{"all simple escapes", `{"k":"\"\\\/\b\f\n\r\t\u0041"}`, 0},
		{"names differing only in case", `{"KeyId":"a","keyId":"b"}`, 0},

		{"raw 0xFF", "{\"k\":\"a\xffb\"}", refusedUTF8},
		{"raw 0xFF in a name", "{\"\xff\":\"v\"}", refusedUTF8},
		{"overlong '/'", "{\"k\":\"\xc0\xaf\"}", refusedUTF8},
		{"overlong NUL", "{\"k\":\"\xc0\x80\"}", refusedUTF8},
		{"encoded surrogate", "{\"k\":\"\xed\xa0\x80\"}", refusedUTF8},
		{"truncated sequence", "{\"k\":\"\xe2\x82\"}", refusedUTF8},
		{"beyond U+10FFFF", "{\"k\":\"\xf4\x90\x80\x80\"}", refusedUTF8},
		{"lone continuation byte", "{\"k\":\"\x80\"}", refusedUTF8},
		{"lone high surrogate escape", `{"k":"\ud800"}`, refusedSurrogate},
		{"lone high surrogate then text", `{"k":"\ud800x"}`, refusedSurrogate},
		{"lone low surrogate escape", `{"k":"\udc00"}`, refusedSurrogate},
		{"high surrogate then non-surrogate escape", `{"k":"\ud800\u0041"}`, refusedSurrogate},
		{"two high surrogates", `{"k":"\ud800\ud800"}`, refusedSurrogate},
		{"reversed pair", `{"k":"\udc00\ud800"}`, refusedSurrogate},
		{"surrogate escape in a name", `{"\udfff":1}`, refusedSurrogate},
		{"uppercase surrogate escape", `{"k":"\uD800"}`, refusedSurrogate},
		{"duplicate member", `{"KeyId":"a","KeyId":"b"}`, refusedDuplicate},
		{"duplicate with equal values", `{"a":1,"a":1}`, refusedDuplicate},
		{"duplicate spelled with an escape", `{"KeyId":"a","\u004beyId":"b"}`, refusedDuplicate},
		{"duplicate of a non-ASCII name spelled with an escape", `{"é":1,"\u00e9":2}`, refusedDuplicate},
		{"duplicate spelled with a surrogate pair", `{"𝄞":1,"\ud834\udd1e":2}`, refusedDuplicate},
		{"duplicate in a nested object", `{"EncryptionContext":{"a":"1","a":"2"}}`, refusedDuplicate},
		{"duplicate in an object in a list", `{"Tags":[{"TagKey":"a","TagKey":"b"}]}`, refusedDuplicate},
		{"truncated", `{"a":`, refusedSyntax},
		{"trailing comma", `{"a":1,}`, refusedSyntax},
		{"single quotes", `{'a':1}`, refusedSyntax},
		{"leading zero", `{"a":01}`, refusedSyntax},
		{"bare fraction", `{"a":.5}`, refusedSyntax},
		{"control character in a string", "{\"a\":\"\x01\"}", refusedSyntax},
		{"bad escape", `{"a":"\x"}`, refusedSyntax},
		{"short \\u escape", `{"a":"\u12"}`, refusedSyntax},
		{"unterminated string", `{"a":"b`, refusedSyntax},
		{"two values", `{}{}`, refusedSyntax},
		{"too deep", strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1), refusedSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJSON([]byte(tt.body))
			var je *jsonError
			switch {
			case tt.want == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != 0 && (!errors.As(err, &je) || je.kind != tt.want):
				t.Fatalf("got %v, want refusal %d", err, tt.want)
			}
			if tt.want == 0 || tt.want == refusedSyntax {
				if json.Valid([]byte(tt.body)) != (tt.want == 0) {
					t.Fatalf("json.Valid disagrees")
				}
			}
		})
	}
	t.Run("deepest accepted nesting", func(t *testing.T) {
		body := strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)
		if err := checkJSON([]byte(body)); err != nil || !json.Valid([]byte(body)) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("a long duplicate name is not echoed whole", func(t *testing.T) {
		name := strings.Repeat("n", 10000)
		err := checkJSON([]byte(`{"` + name + `":1,"` + name + `":2}`))
		if err == nil || len(err.Error()) > 200 {
			t.Fatalf("%d bytes: %.200v", len(err.Error()), err)
		}
	})
}

// surrogateEscape matches what may be an escaped surrogate.
var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// hasDuplicate reports, independently of checkJSON, whether a valid JSON
// text without surrogate escapes has an object with a repeated name,
// walking it with encoding/json's tokenizer.
func hasDuplicate(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	var walk func() bool // reads one value; reports a duplicate in it
	walk = func() bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			dup := false
			for dec.More() {
				k, _ := dec.Token()
				name, _ := k.(string)
				dup = dup || seen[name]
				seen[name] = true
				dup = walk() || dup
			}
			dec.Token() // }
			return dup
		case json.Delim('['):
			dup := false
			for dec.More() {
				dup = walk() || dup
			}
			dec.Token() // ]
			return dup
		}
		return false
	}
	dup := walk()
	if _, err := dec.Token(); err != io.EOF {
		return false
	}
	return dup
}

// FuzzCheckJSON: checkJSON never panics and accepts exactly what json.Valid
// accepts, minus the refused cases, each refusal confirmed independently:
// invalid UTF-8 by utf8.Valid, a surrogate escape by its spelling in the
// text, a duplicate member by encoding/json's tokenizer.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":"b"}`, `{"a":1,"a":2}`, `{"a":"\ud800"}`, `{"a":"\ud834\udd1e"}`,
		"{\"a\":\"\xff\"}", "{\"a\":\"\xc0\xaf\"}", `[1,2,{"x":[true,null]}]`, `"s"`, `-0.5e-7`,
		`{"a":{"b":1},"c":{"b":2}}`, `{"\u0061":1,"a":2}`, `{"a":"\\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := checkJSON(b)
		valid := json.Valid(b)
		if err == nil {
			if !valid {
				t.Fatalf("accepted %q, which json.Valid refuses", b)
			}
			if !utf8.Valid(b) {
				t.Fatalf("accepted %q with invalid UTF-8", b)
			}
			if !surrogateEscape.Match(b) && hasDuplicate(b) {
				t.Fatalf("accepted %q with a duplicate member", b)
			}
			return
		}
		var je *jsonError
		if !errors.As(err, &je) {
			t.Fatalf("%q: error %v is not a *jsonError", b, err)
		}
		switch je.kind {
		case refusedSyntax:
			if valid {
				t.Fatalf("%q: syntax refusal of valid JSON: %v", b, err)
			}
		case refusedUTF8:
			if utf8.Valid(b) {
				t.Fatalf("%q: UTF-8 refusal of valid UTF-8: %v", b, err)
			}
		case refusedSurrogate:
			if !surrogateEscape.Match(b) {
				t.Fatalf("%q: surrogate refusal without a surrogate escape: %v", b, err)
			}
		case refusedDuplicate:
			if valid && !surrogateEscape.Match(b) && !hasDuplicate(b) {
				t.Fatalf("%q: duplicate refusal without a duplicate: %v", b, err)
			}
		default:
			t.Fatalf("%q: unknown refusal %v", b, err)
		}
		if valid && utf8.Valid(b) && !surrogateEscape.Match(b) && !hasDuplicate(b) {
			t.Fatalf("refused %q, which is valid, UTF-8, without surrogate escapes or duplicates: %v", b, err)
		}
	})
}
