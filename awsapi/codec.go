package awsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// The wire codec maps the AWS KMS JSON protocol (awsJson1_1) onto the
// handle's shapes by reflection. The handle's shapes name every member as
// the model does, so no per-operation mapping is needed:
//
//   - strings and enums are JSON strings; []byte is a base64 string;
//     time.Time is epoch seconds (a number, with milliseconds);
//     int32 is a number; bool is true/false; maps, lists and structures
//     nest.
//   - Outputs omit absent members: empty strings, zero numbers, zero
//     times, nil lists, maps and pointers. Booleans are always sent, as
//     AWS sends "Truncated": false and "Enabled": false. A non-nil empty
//     list is sent as [] (ListKeys on an empty account).
//   - Inputs ignore unknown members and treat null as absent. A body with
//     invalid UTF-8, an unpaired surrogate escape or a repeated member is
//     refused (checkJSON).

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

// alwaysSent are string members AWS sends even when empty. Tag.TagValue is
// required by the model and may be empty.
var alwaysSent = map[string]bool{"KeyMetadata.Description": true, "Tag.TagValue": true}

// encode writes v (a pointer to an output shape) as JSON.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return []byte("{}"), nil
	}
	if err := encodeValue(&buf, reflect.Indirect(rv), ""); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeValue(buf *bytes.Buffer, v reflect.Value, _ string) error {
	switch {
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		ms := t.UnixMilli()
		buf.WriteString(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
		return nil
	case v.Type() == bytesType:
		buf.WriteByte('"')
		buf.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
		buf.WriteByte('"')
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		b, _ := json.Marshal(v.String())
		buf.Write(b)
	case reflect.Bool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int32, reflect.Int64, reflect.Int:
		buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Pointer:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return encodeValue(buf, v.Elem(), "")
	case reflect.Slice:
		buf.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeValue(buf, v.Index(i), ""); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case reflect.Map:
		buf.WriteByte('{')
		iter := v.MapRange()
		first := true
		for iter.Next() {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			kb, _ := json.Marshal(iter.Key().String())
			buf.Write(kb)
			buf.WriteByte(':')
			if err := encodeValue(buf, iter.Value(), ""); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case reflect.Struct:
		buf.WriteByte('{')
		t := v.Type()
		first := true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if omit(fv) && !alwaysSent[t.Name()+"."+f.Name] {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.WriteByte('"')
			buf.WriteString(f.Name)
			buf.WriteString(`":`)
			if err := encodeValue(buf, fv, ""); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("awsapi: cannot encode %s", v.Type())
	}
	return nil
}

// omit reports whether an output member is absent.
func omit(v reflect.Value) bool {
	if v.Type() == timeType {
		return v.Interface().(time.Time).IsZero()
	}
	switch v.Kind() {
	case reflect.String:
		return v.Len() == 0
	case reflect.Int32, reflect.Int64, reflect.Int:
		return v.Int() == 0
	case reflect.Slice, reflect.Map, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// decodeError is a request body that does not fit the operation's input
// shape; it becomes a SerializationException.
type decodeError struct{ msg string }

func (e *decodeError) Error() string { return e.msg }

// rangeError is a number member present with a value the model's range
// forbids but the Go shape cannot represent as present (0 means absent);
// it becomes a ValidationException in AWS's words.
type rangeError struct{ field string }

func (e *rangeError) Error() string {
	return "1 validation error detected: Value '0' at '" + e.field + "' failed to satisfy constraint: Member must have value greater than or equal to " + strconv.Itoa(minOf(e.field))
}

// emptyError is a string member present but empty where the model's
// minimum length is 1: the Go shape cannot tell it from absent (""), so
// the codec reports it, as AWS does, before the handle sees the input.
type emptyError struct{ field string }

func (e *emptyError) Error() string {
	return "1 validation error detected: Value '' at '" + e.field + "' failed to satisfy constraint: Member must have length greater than or equal to 1"
}

// nonEmpty are the string members, by name, whose empty value the model
// forbids and the handle would take for absent: Marker (MarkerType, length
// 1 to 1024) of the List operations, where an absent Marker starts the
// listing from the beginning.
var nonEmpty = map[string]bool{"Marker": true}

func minOf(field string) int {
	if field == "rotationPeriodInDays" {
		return 90
	}
	return 1
}

// decode fills the input shape pointed to by v from a JSON body.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // an empty body is an empty input
	}
	// Refuse what encoding/json would silently alter (invalid UTF-8,
	// unpaired surrogates) or pick from (duplicate members): strictjson.go.
	if err := checkJSON(body); err != nil {
		return &decodeError{err.Error()}
	}
	var raw any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return &decodeError{"Invalid JSON: " + err.Error()}
	}
	// Not dec.More: it reports false for a trailing '}' or ']'.
	if _, err := dec.Token(); err != io.EOF {
		return &decodeError{"Invalid JSON: data after the top-level value"}
	}
	if _, ok := raw.(map[string]any); !ok {
		return &decodeError{"The request body must be a JSON object"}
	}
	return decodeValue(raw, reflect.ValueOf(v).Elem(), "")
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func decodeValue(raw any, v reflect.Value, path string) error {
	if raw == nil {
		return nil // null: absent
	}
	mismatch := func() error {
		return &decodeError{fmt.Sprintf("Unexpected value for member %s: expected %s", path, kindName(v.Type()))}
	}
	switch {
	case v.Type() == timeType:
		n, ok := raw.(json.Number)
		if !ok {
			return mismatch()
		}
		f, err := n.Float64()
		if err != nil || math.IsInf(f, 0) {
			return mismatch()
		}
		sec, frac := math.Modf(f)
		v.Set(reflect.ValueOf(time.Unix(int64(sec), int64(frac*1e9)).UTC()))
		return nil
	case v.Type() == bytesType:
		s, ok := raw.(string)
		if !ok {
			return mismatch()
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return &decodeError{fmt.Sprintf("Member %s is not valid base64", path)}
		}
		v.SetBytes(b)
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return mismatch()
		}
		if s == "" && nonEmpty[path] {
			return &emptyError{field: lowerFirst(path)}
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return mismatch()
		}
		v.SetBool(b)
	case reflect.Int32, reflect.Int64, reflect.Int:
		n, ok := raw.(json.Number)
		if !ok {
			return mismatch()
		}
		i, err := strconv.ParseInt(n.String(), 10, 32)
		if err != nil {
			return &decodeError{fmt.Sprintf("Member %s must be a 32-bit integer", path)}
		}
		if i == 0 {
			return &rangeError{field: lowerFirst(lastSegment(path))}
		}
		v.SetInt(i)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := decodeValue(raw, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			return mismatch()
		}
		s := reflect.MakeSlice(v.Type(), len(list), len(list))
		for i, item := range list {
			if err := decodeValue(item, s.Index(i), path+"."+strconv.Itoa(i+1)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			return mismatch()
		}
		m := reflect.MakeMapWithSize(v.Type(), len(obj))
		for k, item := range obj {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := decodeValue(item, ev, path+"."+k); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return mismatch()
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			item, present := obj[f.Name]
			if !f.IsExported() || !present {
				continue
			}
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			if err := decodeValue(item, v.Field(i), p); err != nil {
				return err
			}
		}
	default:
		return &decodeError{"awsapi: cannot decode into " + v.Type().String()}
	}
	return nil
}

func lastSegment(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return path
}

func kindName(t reflect.Type) string {
	switch {
	case t == timeType:
		return "a timestamp (epoch seconds)"
	case t == bytesType:
		return "a base64 string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int32, reflect.Int64, reflect.Int:
		return "an integer"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	}
	return t.String()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
