package kms

import (
	"encoding/base64"
	"strings"
)

// Markers are opaque to callers: the base64url form of a kind tag and the
// name of the first item of the next page. Items are listed in name order,
// so a page starts at its marker's name even if items changed in between.

func encodeMarker(kind, next string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + next))
}

// decodeMarker returns the name a marker starts at, or InvalidMarkerException.
func decodeMarker(kind, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || !strings.HasPrefix(string(b), kind+":") || len(b) == len(kind)+1 {
		return "", newErr(ErrInvalidMarker, "Invalid marker '%s'", marker)
	}
	return string(b[len(kind)+1:]), nil
}

// pageLimit returns the page size for Limit: def when absent, at most max
// (the maximum the API reference documents for the operation, which can be
// lower than the model's 1000; larger values are clamped).
func pageLimit(limit, def, max int32) int {
	switch {
	case limit == 0:
		return int(def)
	case limit > max:
		return int(max)
	}
	return int(limit)
}
