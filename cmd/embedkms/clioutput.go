package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Output is printed as the AWS CLI v2 prints it (awscli's formatter.py and
// text.py): a response is parsed into the members of the operation's
// output shape, in the order the model lists them (botocore builds each
// structure in model order; the handle's shapes keep that order, and the
// wire handler sends members in it), timestamps become ISO 8601 in the
// local time zone (Python's datetime.isoformat: microseconds only when
// not zero), blobs stay base64, and
//
//   - --output json is json.dumps(indent=4, ensure_ascii=False), with
//     nothing printed for an empty response;
//   - --output text is the AWS CLI's text format: the scalars of a
//     structure on one tab-separated line (sorted by name), then each
//     list or structure member under its upper-cased name.

// value is a JSON value that keeps the order of an object's members.
type value struct {
	kind   byte // 's' string, 'n' number, 'b' bool, 'z' null, 'o' object, 'a' array
	str    string
	bool   bool
	keys   []string
	fields map[string]*value
	items  []*value
}

// decodeValue reads one ordered JSON value.
func decodeValue(dec *json.Decoder) (*value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			v := &value{kind: 'o', fields: map[string]*value{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				e, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := v.fields[k]; !dup {
					v.keys = append(v.keys, k)
				}
				v.fields[k] = e
			}
			_, err := dec.Token()
			return v, err
		}
		v := &value{kind: 'a', items: []*value{}}
		for dec.More() {
			e, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, e)
		}
		_, err := dec.Token()
		return v, err
	case string:
		return &value{kind: 's', str: t}, nil
	case json.Number:
		return &value{kind: 'n', str: t.String()}, nil
	case bool:
		return &value{kind: 'b', bool: t}, nil
	}
	return &value{kind: 'z'}, nil
}

// parseResponse parses a response body of an operation whose output shape
// is t into what the AWS CLI prints: members in t's order, timestamps as
// ISO 8601, map keys sorted (the wire order of a map is not defined).
func parseResponse(body []byte, t reflect.Type) (*value, error) {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, fmt.Errorf("embedkms: unreadable response: %v", err)
	}
	return shape(v, t), nil
}

// shape orders and converts v as a value of type t.
func shape(v *value, t reflect.Type) *value {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType && v.kind == 'n':
		f, _ := strconv.ParseFloat(v.str, 64)
		return &value{kind: 's', str: isoformat(f)}
	case t == bytesType:
		return v
	}
	switch t.Kind() {
	case reflect.Struct:
		if v.kind != 'o' {
			return v
		}
		out := &value{kind: 'o', fields: map[string]*value{}}
		for i := range t.NumField() {
			f := t.Field(i)
			if e, ok := v.fields[f.Name]; ok && f.IsExported() && e.kind != 'z' {
				out.keys = append(out.keys, f.Name)
				out.fields[f.Name] = shape(e, f.Type)
			}
		}
		return out
	case reflect.Map:
		if v.kind != 'o' {
			return v
		}
		out := &value{kind: 'o', fields: map[string]*value{}, keys: append([]string(nil), v.keys...)}
		sort.Strings(out.keys)
		for _, k := range out.keys {
			out.fields[k] = shape(v.fields[k], t.Elem())
		}
		return out
	case reflect.Slice:
		if v.kind != 'a' {
			return v
		}
		out := &value{kind: 'a', items: make([]*value, len(v.items))}
		for i, e := range v.items {
			out.items[i] = shape(e, t.Elem())
		}
		return out
	}
	return v
}

// isoformat is Python's datetime.fromtimestamp(epoch, tzlocal()).isoformat():
// 2026-12-01T10:00:00.123000+00:00, without the fraction when it is zero.
func isoformat(epoch float64) string {
	us := int64(math.Round(epoch * 1e6))
	t := time.UnixMicro(us).In(time.Local)
	layout := "2006-01-02T15:04:05-07:00"
	if t.Nanosecond() != 0 {
		layout = "2006-01-02T15:04:05.000000-07:00"
	}
	return t.Format(layout)
}

// writeJSON prints v as json.dumps(v, indent=4, ensure_ascii=False) and a
// newline; an empty object prints nothing, as the AWS CLI prints nothing
// for an operation with an empty response.
func writeJSON(w io.Writer, v *value) error {
	if v.kind == 'o' && len(v.keys) == 0 {
		return nil
	}
	var b strings.Builder
	appendJSON(&b, v, 0)
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func appendJSON(b *strings.Builder, v *value, depth int) {
	indent := func(d int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("    ", d))
	}
	switch v.kind {
	case 's':
		appendPyString(b, v.str)
	case 'n':
		b.WriteString(v.str)
	case 'b':
		if v.bool {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case 'z':
		b.WriteString("null")
	case 'o':
		if len(v.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			appendPyString(b, k)
			b.WriteString(": ")
			appendJSON(b, v.fields[k], depth+1)
		}
		indent(depth)
		b.WriteByte('}')
	case 'a':
		if len(v.items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			appendJSON(b, e, depth+1)
		}
		indent(depth)
		b.WriteByte(']')
	}
}

// appendPyString writes s as Python's json module does with
// ensure_ascii=False: only '"', '\\' and control characters are escaped.
func appendPyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else if r == utf8.RuneError {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// writeText prints v in the AWS CLI's text format.
func writeText(w io.Writer, v *value) error {
	var b strings.Builder
	formatText(&b, v, "", nil)
	_, err := io.WriteString(w, b.String())
	return err
}

// scalarText is Python's str() of a scalar.
func scalarText(v *value) string {
	switch v.kind {
	case 'b':
		if v.bool {
			return "True"
		}
		return "False"
	case 'z':
		return "None"
	}
	return v.str
}

func isScalar(v *value) bool { return v.kind != 'o' && v.kind != 'a' }

func formatText(b *strings.Builder, v *value, identifier string, scalarKeys []string) {
	switch v.kind {
	case 'o':
		formatTextDict(b, v, identifier, scalarKeys)
	case 'a':
		formatTextList(b, v, identifier)
	default:
		b.WriteString(scalarText(v))
		b.WriteByte('\n')
	}
}

func formatTextList(b *strings.Builder, v *value, identifier string) {
	if len(v.items) == 0 {
		return
	}
	anyDict, anyList := false, false
	for _, e := range v.items {
		anyDict = anyDict || e.kind == 'o'
		anyList = anyList || e.kind == 'a'
	}
	switch {
	case anyDict:
		seen := map[string]bool{}
		var keys []string
		for _, e := range v.items {
			if e.kind != 'o' {
				continue
			}
			for _, k := range e.keys {
				if isScalar(e.fields[k]) && !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
		sort.Strings(keys)
		for _, e := range v.items {
			formatText(b, e, identifier, keys)
		}
	case anyList:
		var scalars, others []*value
		for _, e := range v.items {
			if isScalar(e) {
				scalars = append(scalars, e)
			} else {
				others = append(others, e)
			}
		}
		if len(scalars) > 0 {
			formatScalarList(b, scalars, identifier)
		}
		for _, e := range others {
			formatText(b, e, identifier, nil)
		}
	default:
		formatScalarList(b, v.items, identifier)
	}
}

func formatScalarList(b *strings.Builder, items []*value, identifier string) {
	if identifier != "" {
		for _, e := range items {
			b.WriteString(strings.ToUpper(identifier) + "\t" + scalarText(e) + "\n")
		}
		return
	}
	parts := make([]string, len(items))
	for i, e := range items {
		parts[i] = scalarText(e)
	}
	b.WriteString(strings.Join(parts, "\t") + "\n")
}

func formatTextDict(b *strings.Builder, v *value, identifier string, scalarKeys []string) {
	var scalars []string
	type pair struct {
		k string
		v *value
	}
	var nonScalars []pair
	if scalarKeys == nil {
		keys := append([]string(nil), v.keys...)
		sort.Strings(keys)
		for _, k := range keys {
			if isScalar(v.fields[k]) {
				scalars = append(scalars, scalarText(v.fields[k]))
			} else {
				nonScalars = append(nonScalars, pair{k, v.fields[k]})
			}
		}
	} else {
		inScalar := map[string]bool{}
		for _, k := range scalarKeys {
			inScalar[k] = true
			if e, ok := v.fields[k]; ok {
				scalars = append(scalars, scalarText(e))
			} else {
				scalars = append(scalars, "")
			}
		}
		keys := append([]string(nil), v.keys...)
		sort.Strings(keys)
		for _, k := range keys {
			if !inScalar[k] {
				nonScalars = append(nonScalars, pair{k, v.fields[k]})
			}
		}
	}
	if len(scalars) > 0 {
		if identifier != "" {
			scalars = append([]string{strings.ToUpper(identifier)}, scalars...)
		}
		b.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, p := range nonScalars {
		formatText(b, p.v, p.k, nil)
	}
}

// query applies a --query expression to v: the subset of JMESPath the AWS
// CLI's documentation uses with KMS (a.b member access, a[] to project
// over a list, a[n] to index one, length(a)). ok is false for an
// expression outside that subset.
func query(v *value, expr string) (out *value, ok bool) {
	expr = strings.TrimSpace(expr)
	if inner, found := strings.CutPrefix(expr, "length("); found && strings.HasSuffix(inner, ")") {
		r, ok := query(v, strings.TrimSuffix(inner, ")"))
		if !ok {
			return nil, false
		}
		switch r.kind {
		case 'a':
			return &value{kind: 'n', str: strconv.Itoa(len(r.items))}, true
		case 'o':
			return &value{kind: 'n', str: strconv.Itoa(len(r.keys))}, true
		case 's':
			return &value{kind: 'n', str: strconv.Itoa(utf8.RuneCountInString(r.str))}, true
		}
		return &value{kind: 'z'}, true
	}
	return queryPath(v, expr)
}

func queryPath(v *value, expr string) (*value, bool) {
	if expr == "" {
		return v, true
	}
	if v == nil || v.kind == 'z' {
		return &value{kind: 'z'}, true
	}
	if rest, found := strings.CutPrefix(expr, "[]"); found {
		if v.kind != 'a' {
			return &value{kind: 'z'}, true
		}
		rest = strings.TrimPrefix(rest, ".")
		out := &value{kind: 'a', items: []*value{}}
		for _, e := range v.items {
			r, ok := queryPath(e, rest)
			if !ok {
				return nil, false
			}
			if r.kind != 'z' {
				out.items = append(out.items, r)
			}
		}
		return out, true
	}
	if strings.HasPrefix(expr, "[") {
		end := strings.IndexByte(expr, ']')
		if end < 0 {
			return nil, false
		}
		n, err := strconv.Atoi(expr[1:end])
		if err != nil {
			return nil, false
		}
		if v.kind != 'a' {
			return &value{kind: 'z'}, true
		}
		if n < 0 {
			n += len(v.items)
		}
		if n < 0 || n >= len(v.items) {
			return &value{kind: 'z'}, true
		}
		return queryPath(v.items[n], strings.TrimPrefix(expr[end+1:], "."))
	}
	end := strings.IndexAny(expr, ".[")
	name, rest := expr, ""
	if end >= 0 {
		name, rest = expr[:end], strings.TrimPrefix(expr[end:], ".")
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return nil, false
		}
	}
	if v.kind != 'o' {
		return &value{kind: 'z'}, true
	}
	f, found := v.fields[name]
	if !found {
		return &value{kind: 'z'}, true
	}
	return queryPath(f, rest)
}

// skeleton is what --generate-cli-skeleton prints for shape t, as
// botocore's ArgumentGenerator makes it: "" for a string, the first value
// of an enum (botocore picks one at random), null for a blob, 0, true,
// 1970-01-01T00:00:00 for a timestamp, one element for a list, a
// "KeyName" entry for a map, and every member of a structure in order.
func skeleton(t reflect.Type, seen []reflect.Type) *value {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return &value{kind: 's', str: "1970-01-01T00:00:00"}
	case t == bytesType:
		return &value{kind: 'z'}
	}
	switch t.Kind() {
	case reflect.String:
		if m, ok := t.MethodByName("Values"); ok && m.Type.NumIn() == 1 {
			vals := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
			if vals.Len() > 0 {
				return &value{kind: 's', str: vals.Index(0).String()}
			}
		}
		return &value{kind: 's', str: ""}
	case reflect.Bool:
		return &value{kind: 'b', bool: true}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return &value{kind: 'n', str: "0"}
	case reflect.Slice:
		return &value{kind: 'a', items: []*value{skeleton(t.Elem(), seen)}}
	case reflect.Map:
		return &value{kind: 'o', keys: []string{"KeyName"}, fields: map[string]*value{"KeyName": skeleton(t.Elem(), seen)}}
	case reflect.Struct:
		out := &value{kind: 'o', fields: map[string]*value{}}
		if slices.Contains(seen, t) {
			return out // a recursive shape: botocore stops with {}
		}
		seen = append(seen, t)
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				out.keys = append(out.keys, f.Name)
				out.fields[f.Name] = skeleton(f.Type, seen)
			}
		}
		return out
	}
	return &value{kind: 'z'}
}
