package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Parameter values are taken as the AWS CLI v2 takes them (AWS CLI User
// Guide, "Loading AWS CLI parameters from a file", "Using shorthand syntax
// with the AWS CLI", "Binary/blob arguments" with cli_binary_format
// base64):
//
//   - a value starting with file:// is replaced by the text of that file,
//     fileb:// by its raw bytes (a blob parameter takes them as they are);
//   - a blob is otherwise base64 text;
//   - a map is k=v,k2=v2 shorthand or a JSON object;
//   - a structure is A=x,B={k=v} shorthand or a JSON object;
//   - a list of structures is one shorthand structure per value, or a JSON
//     list; a list of strings is several values (or a,b), or a JSON list;
//   - an integer is decimal; a timestamp is ISO 8601 or epoch seconds;
//   - a boolean is a flag: --dry-run or --no-dry-run.

// usageError is an error the AWS CLI reports before it sends a request
// (exit status 252): msg is printed as it is, on stderr.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// paramError is the AWS CLI's "Error parsing parameter '--x': ...".
func paramError(flag, format string, args ...any) error {
	return &usageError{msg: "\nError parsing parameter '--" + flag + "': " + fmt.Sprintf(format, args...) + "\n"}
}

// loadParamFile resolves a file:// or fileb:// value: the file's text or
// raw bytes (binary reports fileb://), or v itself.
func loadParamFile(flag, v string) (value string, binary bool, err error) {
	prefix := ""
	switch {
	case strings.HasPrefix(v, "fileb://"):
		prefix, binary = "fileb://", true
	case strings.HasPrefix(v, "file://"):
		prefix = "file://"
	default:
		return v, false, nil
	}
	path := v[len(prefix):]
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, paramError(flag, "Unable to load paramfile %s: [Errno 2] No such file or directory: '%s'", v, path)
	}
	return string(b), binary, nil
}

// parseParam turns the command-line values of p into the JSON value of
// its member in the request (blobs base64, timestamps epoch seconds).
func parseParam(p *param, vals []string) (any, error) {
	k := kindOf(p.typ)
	if k == kindBool {
		return nil, fmt.Errorf("embedkms: a boolean parameter takes no value") // the parser handles booleans
	}
	if k != kindStringList && k != kindStructList && len(vals) != 1 {
		return nil, &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: argument --%s: expected one argument\n", p.flag)}
	}
	loaded := make([]string, len(vals))
	binary := make([]bool, len(vals))
	for i, v := range vals {
		var err error
		if loaded[i], binary[i], err = loadParamFile(p.flag, v); err != nil {
			return nil, err
		}
	}
	switch k {
	case kindBlob:
		if binary[0] {
			return base64.StdEncoding.EncodeToString([]byte(loaded[0])), nil
		}
		raw, err := decodeBase64(loaded[0])
		if err != nil {
			return nil, paramError(p.flag, "Invalid base64: %q", loaded[0])
		}
		return base64.StdEncoding.EncodeToString(raw), nil
	case kindString:
		return loaded[0], nil
	case kindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(loaded[0]), 10, 32)
		if err != nil {
			return nil, &usageError{msg: "\ninvalid literal for int() with base 10: " + pyRepr(loaded[0]) + "\n"}
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	case kindTime:
		return parseTimestamp(p.flag, loaded[0])
	case kindStringList:
		if len(loaded) == 1 && strings.HasPrefix(strings.TrimSpace(loaded[0]), "[") {
			return parseJSON(p.flag, loaded[0])
		}
		var out []any
		for _, v := range loaded {
			for _, s := range splitCSV(v) {
				out = append(out, s)
			}
		}
		return out, nil
	case kindMap, kindStruct:
		if strings.HasPrefix(strings.TrimSpace(loaded[0]), "{") {
			return parseJSON(p.flag, loaded[0])
		}
		return parseShorthand(p.flag, loaded[0])
	case kindStructList:
		if len(loaded) == 1 && strings.HasPrefix(strings.TrimSpace(loaded[0]), "[") {
			return parseJSON(p.flag, loaded[0])
		}
		var out []any
		for _, v := range loaded {
			if strings.HasPrefix(strings.TrimSpace(v), "{") {
				e, err := parseJSON(p.flag, v)
				if err != nil {
					return nil, err
				}
				out = append(out, e)
				continue
			}
			e, err := parseShorthand(p.flag, v)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	}
	return nil, fmt.Errorf("embedkms: unhandled parameter kind")
}

// decodeBase64 decodes standard base64, padded or not, as Python's
// b64decode(validate=True) accepts it.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// parseTimestamp takes ISO 8601 (with or without a zone; UTC without) or
// epoch seconds, as the AWS CLI does, and returns epoch seconds.
func parseTimestamp(flag, v string) (any, error) {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), nil
		}
	}
	return nil, paramError(flag, "Invalid timestamp value: %s", v)
}

// parseJSON decodes a JSON parameter value, with the AWS CLI's error.
func parseJSON(flag, v string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var out any
	err := dec.Decode(&out)
	if err == nil && dec.More() {
		err = fmt.Errorf("Extra data")
	}
	if err != nil {
		return nil, paramError(flag, "Invalid JSON: %v\nJSON received: %s", err, v)
	}
	return out, nil
}

// splitCSV splits a shorthand list of scalars, a,b,"c,d", at its commas.
func splitCSV(v string) []string {
	sp := &shorthand{s: v}
	var out []string
	for {
		s, _ := sp.scalar()
		out = append(out, s)
		if !sp.eat(',') {
			return out
		}
	}
}

// shorthand parses the AWS CLI's shorthand syntax: k=v,k2=[a,b],k3={x=y}.
type shorthand struct {
	flag string
	s    string
	i    int
}

// parseShorthand parses a shorthand structure or map.
func parseShorthand(flag, v string) (any, error) {
	sp := &shorthand{flag: flag, s: v}
	m, err := sp.keyvals(0)
	if err != nil {
		return nil, err
	}
	if sp.i < len(sp.s) {
		return nil, sp.errorf("EOF", string(sp.s[sp.i]))
	}
	return m, nil
}

func (sp *shorthand) errorf(expected, received string) error {
	return paramError(sp.flag, "Expected: '%s', received: '%s' for input:\n%s\n%s^", expected, received, sp.s, strings.Repeat(" ", sp.i))
}

func (sp *shorthand) space() {
	for sp.i < len(sp.s) && unicode.IsSpace(rune(sp.s[sp.i])) {
		sp.i++
	}
}

func (sp *shorthand) eat(c byte) bool {
	sp.space()
	if sp.i < len(sp.s) && sp.s[sp.i] == c {
		sp.i++
		return true
	}
	return false
}

// keyvals parses k=v pairs up to the end, or up to close when nested.
func (sp *shorthand) keyvals(close byte) (map[string]any, error) {
	m := map[string]any{}
	for {
		sp.space()
		start := sp.i
		for sp.i < len(sp.s) && sp.s[sp.i] != '=' && sp.s[sp.i] != ',' && sp.s[sp.i] != close {
			sp.i++
		}
		key := strings.TrimSpace(sp.s[start:sp.i])
		if sp.i >= len(sp.s) || sp.s[sp.i] != '=' {
			received := "EOF"
			if sp.i < len(sp.s) {
				received = string(sp.s[sp.i])
			}
			return nil, sp.errorf("=", received)
		}
		sp.i++
		v, err := sp.values(close)
		if err != nil {
			return nil, err
		}
		m[key] = v
		sp.space()
		if sp.i < len(sp.s) && sp.s[sp.i] == ',' {
			sp.i++
			continue
		}
		return m, nil
	}
}

// values parses the value of a key: a hash, an explicit list, or a
// scalar followed by more scalars (a,b,c) while no key= follows.
func (sp *shorthand) values(close byte) (any, error) {
	sp.space()
	if sp.eat('{') {
		m, err := sp.keyvals('}')
		if err != nil {
			return nil, err
		}
		if !sp.eat('}') {
			return nil, sp.errorf("}", "EOF")
		}
		return m, nil
	}
	if sp.eat('[') {
		var list []any
		if sp.eat(']') {
			return []any{}, nil
		}
		for {
			var v any
			var err error
			if sp.eat('{') {
				v, err = sp.keyvals('}')
				if err == nil && !sp.eat('}') {
					err = sp.errorf("}", "EOF")
				}
			} else {
				v, err = sp.scalarUntil(']')
			}
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			if sp.eat(',') {
				continue
			}
			if !sp.eat(']') {
				return nil, sp.errorf("]", "EOF")
			}
			return list, nil
		}
	}
	first, err := sp.scalarUntil(close)
	if err != nil {
		return nil, err
	}
	var more []any
	for sp.i < len(sp.s) && sp.s[sp.i] == ',' && !sp.keyFollows(sp.i+1, close) {
		sp.i++
		v, err := sp.scalarUntil(close)
		if err != nil {
			return nil, err
		}
		more = append(more, v)
	}
	if more != nil {
		return append([]any{first}, more...), nil
	}
	return first, nil
}

// keyFollows reports whether a key= starts at i.
func (sp *shorthand) keyFollows(i int, close byte) bool {
	for ; i < len(sp.s); i++ {
		switch sp.s[i] {
		case '=':
			return true
		case ',', '[', '{', '"', '\'', close:
			return false
		}
	}
	return false
}

// scalar parses a quoted or bare value up to a comma.
func (sp *shorthand) scalar() (string, error) { return sp.scalarUntil(0) }

func (sp *shorthand) scalarUntil(close byte) (string, error) {
	sp.space()
	if sp.i < len(sp.s) && (sp.s[sp.i] == '"' || sp.s[sp.i] == '\'') {
		q := sp.s[sp.i]
		var b strings.Builder
		for j := sp.i + 1; j < len(sp.s); j++ {
			switch {
			case sp.s[j] == '\\' && j+1 < len(sp.s) && sp.s[j+1] == q:
				b.WriteByte(q)
				j++
			case sp.s[j] == q:
				sp.i = j + 1
				sp.space()
				return b.String(), nil
			default:
				b.WriteByte(sp.s[j])
			}
		}
		return "", sp.errorf(string(q), "EOF")
	}
	start := sp.i
	for sp.i < len(sp.s) && sp.s[sp.i] != ',' && (close == 0 || sp.s[sp.i] != close) {
		sp.i++
	}
	return strings.TrimRightFunc(sp.s[start:sp.i], unicode.IsSpace), nil
}

// validation collects the AWS CLI's parameter validation errors
// (botocore's ParamValidator wording).
type validation struct{ errs []string }

func (v *validation) add(format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...))
}

func (v *validation) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return &usageError{msg: "\nParameter validation failed:\n" + strings.Join(v.errs, "\n") + "\n"}
}

// pyType names the Python type botocore reports for a JSON value.
func pyType(x any) string {
	switch x.(type) {
	case string:
		return "<class 'str'>"
	case json.Number:
		if strings.ContainsAny(string(x.(json.Number)), ".eE") {
			return "<class 'float'>"
		}
		return "<class 'int'>"
	case bool:
		return "<class 'bool'>"
	case []any:
		return "<class 'list'>"
	case map[string]any:
		return "<class 'dict'>"
	}
	return "<class 'NoneType'>"
}

// pyRepr is Python's repr of a JSON value, as botocore prints it.
func pyRepr(x any) string {
	switch x := x.(type) {
	case string:
		if strings.Contains(x, "'") && !strings.Contains(x, `"`) {
			return `"` + x + `"`
		}
		return "'" + strings.ReplaceAll(x, "'", `\'`) + "'"
	case json.Number:
		return string(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(x)
}

// toWire checks the user's value x of a member of type t (name is its
// path, "Tags[0]", as botocore names it) and converts it to its wire
// form, collecting validation errors in v. fromShorthand values are all
// strings, converted to the member's scalar type.
func toWire(x any, t reflect.Type, name string, v *validation) any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	invalid := func(valid string) any {
		v.add("Invalid type for parameter %s, value: %s, type: %s, valid types: %s", name, pyRepr(x), pyType(x), valid)
		return nil
	}
	switch kindOf(t) {
	case kindString:
		if s, ok := x.(string); ok {
			return s
		}
		return invalid("<class 'str'>")
	case kindBlob:
		s, ok := x.(string)
		if !ok {
			return invalid("<class 'bytes'>, <class 'bytearray'>, file-like object")
		}
		raw, err := decodeBase64(s)
		if err != nil {
			v.add("Invalid base64: %q", s)
			return nil
		}
		return base64.StdEncoding.EncodeToString(raw)
	case kindInt:
		switch n := x.(type) {
		case json.Number:
			if _, err := strconv.ParseInt(string(n), 10, 32); err == nil {
				return n
			}
		case string:
			if i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 32); err == nil {
				return json.Number(strconv.FormatInt(i, 10))
			}
		}
		return invalid("<class 'int'>")
	case kindBool:
		switch b := x.(type) {
		case bool:
			return b
		case string:
			if b == "true" || b == "false" {
				return b == "true"
			}
		}
		return invalid("<class 'bool'>")
	case kindTime:
		switch s := x.(type) {
		case json.Number:
			return s
		case string:
			ts, err := parseTimestamp(name, s)
			if err != nil {
				return invalid("<class 'datetime.datetime'>, <class 'str'>")
			}
			return ts
		}
		return invalid("<class 'datetime.datetime'>, <class 'str'>")
	case kindStringList, kindStructList:
		list, ok := x.([]any)
		if !ok {
			return invalid("<class 'list'>, <class 'tuple'>")
		}
		out := make([]any, len(list))
		for i, e := range list {
			out[i] = toWire(e, t.Elem(), fmt.Sprintf("%s[%d]", name, i), v)
		}
		return out
	case kindMap:
		m, ok := x.(map[string]any)
		if !ok {
			return invalid("<class 'dict'>")
		}
		out := map[string]any{}
		for k, e := range m {
			out[k] = toWire(e, t.Elem(), name+"."+k, v)
		}
		return out
	case kindStruct:
		m, ok := x.(map[string]any)
		if !ok {
			return invalid("<class 'dict'>")
		}
		return structToWire(m, t, name, v)
	}
	return nil
}

// structToWire checks a structure as botocore does: required members
// first, then unknown ones, then each member.
func structToWire(m map[string]any, t reflect.Type, name string, v *validation) map[string]any {
	shown := name
	if shown == "" {
		shown = "input"
	}
	for _, r := range requiredMembers[t.Name()] {
		if _, ok := m[r]; !ok {
			v.add("Missing required parameter in %s: %q", shown, r)
		}
	}
	var members []string
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			members = append(members, t.Field(i).Name)
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if f, ok := t.FieldByName(k); !ok || !f.IsExported() {
			v.add("Unknown parameter in %s: %q, must be one of: %s", shown, k, strings.Join(members, ", "))
		}
	}
	out := map[string]any{}
	for _, k := range members {
		x, ok := m[k]
		if !ok || x == nil {
			continue
		}
		f, _ := t.FieldByName(k)
		path := k
		if name != "" {
			path = name + "." + k
		}
		out[k] = toWire(x, f.Type, path, v)
		checkMin(out[k], t.Name()+"."+k, path, v)
	}
	return out
}

// checkMin checks a member's wire value against its minimum, as botocore
// does: the length of a string or list, the value of an integer.
func checkMin(x any, member, path string, v *validation) {
	min, ok := minConstraints[member]
	if !ok {
		return
	}
	switch x := x.(type) {
	case string:
		if n := utf8.RuneCountInString(x); n < min {
			v.add("Invalid length for parameter %s, value: %d, valid min length: %d", path, n, min)
		}
	case []any:
		if len(x) < min {
			v.add("Invalid length for parameter %s, value: %d, valid min length: %d", path, len(x), min)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil && n < int64(min) {
			v.add("Invalid value for parameter %s, value: %d, valid min value: %d", path, n, min)
		}
	}
}

// requestBody builds the request body from the member values given.
func requestBody(in map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}
