package kms

import (
	"context"
	"reflect"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf8"
)

// begin is the first step of every operation, before any other check: a
// closed handle fails with the one ErrClosed error, a context that is
// already cancelled or past its deadline fails with ctx.Err() (so
// errors.Is(err, context.Canceled) holds), and an input with a string that
// is not valid UTF-8 is a ValidationException (see checkUTF8).
func (k *KMS) begin(ctx context.Context, in any) error {
	if k.closed.Load() {
		return errClosed()
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return checkUTF8(in)
}

// checkUTF8 refuses an input shape (a pointer to one of the *Input
// structures) holding a string that is not valid UTF-8, in any member,
// list item, encryption-context key or value or nested structure. Strings
// on the AWS wire are JSON text, which is UTF-8 by definition (RFC 8259,
// section 8.1): invalid bytes cannot arrive over the wire, so they must not
// arrive through the Go API either, where they would be stored, compared
// and bound into ciphertexts byte for byte while every AWS client sees
// them replaced (U+FFFD). Blobs ([]byte) are binary and not checked.
//
// The message follows AWS's constraint wording; the value is not echoed,
// as it cannot be printed.
func checkUTF8(in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	field, ok := validUTF8(v.Elem())
	if ok {
		return nil
	}
	var vr validator
	vr.add(field, "", "Member must contain only valid UTF-8 characters")
	return vr.err()
}

// stringFields caches, per structure type, the indexes and wire names of
// the fields that may hold strings.
var stringFields sync.Map // reflect.Type -> []stringField

type stringField struct {
	index int
	name  string // lowerCamelCase, as AWS names members in messages
}

func fieldsOf(t reflect.Type) []stringField {
	if fs, ok := stringFields.Load(t); ok {
		return fs.([]stringField)
	}
	var fs []stringField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && mayHoldString(f.Type) {
			r, n := utf8.DecodeRuneInString(f.Name)
			fs = append(fs, stringField{i, string(unicode.ToLower(r)) + f.Name[n:]})
		}
	}
	stringFields.Store(t, fs)
	return fs
}

// mayHoldString reports whether a value of type t can contain a string.
func mayHoldString(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String:
		return true
	case reflect.Pointer, reflect.Slice:
		return mayHoldString(t.Elem())
	case reflect.Map:
		return mayHoldString(t.Key()) || mayHoldString(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() && mayHoldString(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// validUTF8 reports whether every string in v is valid UTF-8; if not, it
// returns the path of the first invalid one ("encryptionContext",
// "tags.2.member.tagValue").
func validUTF8(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return "", utf8.ValidString(v.String())
	case reflect.Pointer:
		if v.IsNil() {
			return "", true
		}
		return validUTF8(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			if sub, ok := validUTF8(v.Index(i)); !ok {
				return join(strconv.Itoa(i+1)+".member", sub), false
			}
		}
	case reflect.Map:
		if m, ok := v.Interface().(map[string]string); ok { // EncryptionContext: no reflection
			for key, val := range m {
				if !utf8.ValidString(key) || !utf8.ValidString(val) {
					return "", false
				}
			}
			return "", true
		}
		for it := v.MapRange(); it.Next(); {
			if _, ok := validUTF8(it.Key()); !ok {
				return "", false
			}
			if _, ok := validUTF8(it.Value()); !ok {
				return "", false
			}
		}
	case reflect.Struct:
		for _, f := range fieldsOf(v.Type()) {
			if sub, ok := validUTF8(v.Field(f.index)); !ok {
				return join(f.name, sub), false
			}
		}
	}
	return "", true
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + "." + b
}
