package xks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AWS Signature Version 4 as the XKS proxy API uses it (its Appendix A):
// service "kms-xks-proxy", the Region KMS calls from, and the store's
// XksProxyAuthenticationCredential; SignedHeaders host;x-amz-date; a
// request more than 5 minutes from the proxy's clock fails. The steps are
// those of the AWS General Reference page "Create a signed AWS API
// request" (canonical request, string to sign, signing key, signature).

// Service is the SigV4 service name of the XKS proxy API.
const Service = "kms-xks-proxy"

const (
	algorithm  = "AWS4-HMAC-SHA256"
	amzDate    = "20060102T150405Z"
	scopeDate  = "20060102"
	headerDate = "X-Amz-Date"
	// MaxSkew is how far a request's X-Amz-Date may be from the proxy's
	// clock, either way (the spec's Task 4).
	MaxSkew = 5 * time.Minute
)

// Credential is an XksProxyAuthenticationCredential: the access key id
// names the secret to the proxy, the secret signs.
type Credential struct {
	// AccessKeyID names the secret to the proxy
	// (XksProxyAuthenticationCredential's AccessKeyId).
	AccessKeyID string
	// SecretAccessKey is the secret the requests are signed with (its
	// RawSecretAccessKey).
	SecretAccessKey string
}

// Sign adds X-Amz-Date and an Authorization header signing the request and
// body (which must be the request's body) for the XKS proxy in region at t.
func Sign(r *http.Request, body []byte, cred Credential, region string, t time.Time) {
	t = t.UTC()
	r.Header.Set(headerDate, t.Format(amzDate))
	scope := t.Format(scopeDate) + "/" + region + "/" + Service + "/aws4_request"
	signed := []string{"host", "x-amz-date"}
	sig := signature(cred.SecretAccessKey, t.Format(scopeDate), region, Service,
		stringToSign(t.Format(amzDate), scope, canonicalRequest(r, body, signed)))
	r.Header.Set("Authorization", algorithm+" Credential="+cred.AccessKeyID+"/"+scope+
		", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

// canonicalRequest is Task 1 of the signing process.
func canonicalRequest(r *http.Request, body []byte, signed []string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL) + "\n")
	b.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, name := range signed {
		b.WriteString(name + ":" + canonicalHeaderValue(r, name) + "\n")
	}
	b.WriteString("\n" + strings.Join(signed, ";") + "\n")
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// canonicalHeaderValue is the header's values, trimmed, inner runs of
// spaces made one, joined by commas; Host and Content-Length come from the
// request's fields when Go keeps them out of r.Header.
func canonicalHeaderValue(r *http.Request, name string) string {
	var vs []string
	if name == "host" {
		h := r.Host
		if h == "" {
			h = r.URL.Host
		}
		vs = []string{h}
	} else {
		vs = slices.Clone(r.Header.Values(name))
		if len(vs) == 0 && name == "content-length" && r.ContentLength >= 0 {
			vs = []string{strconv.FormatInt(r.ContentLength, 10)} // Go keeps it out of r.Header
		}
	}
	for i, v := range vs {
		vs[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vs, ",")
}

// canonicalURI URI-encodes each segment of the path as sent (so a
// percent-encoded character is encoded again, as for every service but
// S3); an empty path is "/".
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = uriEncode(s)
	}
	return strings.Join(segs, "/")
}

// canonicalQuery sorts the parameters by name then value, each encoded.
func canonicalQuery(q url.Values) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, uriEncode(k)+"="+uriEncode(v))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "&")
}

// uriEncode percent-encodes every byte but the RFC 3986 unreserved
// characters, with upper-case hex.
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// stringToSign is Task 2.
func stringToSign(date, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return algorithm + "\n" + date + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// signature is Tasks 3: the signing key derived from the secret, date,
// Region and service, and the HMAC of the string to sign.
func signature(secret, date, region, service, sts string) string {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, "aws4_request")
	return hex.EncodeToString(mac(k, sts))
}

// Verifier checks the SigV4 signatures of requests to an XKS proxy.
type Verifier struct {
	// Region, when set, is the only Region a credential scope may name.
	Region string
	// Secrets maps each accepted access key id to its secret; two entries
	// let the credential be rotated (the spec's "SigV4 credentials
	// rotation").
	Secrets map[string]string
	// Now is the proxy's clock; time.Now when nil.
	Now func() time.Time
}

// ErrSignature is wrapped by every error Verify returns.
var ErrSignature = errors.New("xks: request signature invalid")

// Verify checks the request's signature over body (its body): the
// Authorization header's form, the service, the Region, the access key,
// the date (within MaxSkew and matching the scope), that host and
// x-amz-date are signed, and the signature itself.
func (v *Verifier) Verify(r *http.Request, body []byte) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrSignature}, args...)...)
	}
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), algorithm+" ")
	if !ok {
		return fail("no %s Authorization header", algorithm)
	}
	var cred, signedList, sig string
	for _, part := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = val
		case "SignedHeaders":
			signedList = val
		case "Signature":
			sig = val
		}
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || signedList == "" || sig == "" {
		return fail("malformed Authorization header")
	}
	key, day, region, service := scope[0], scope[1], scope[2], scope[3]
	if service != Service {
		return fail("credential scope names service %q, not %q", service, Service)
	}
	if v.Region != "" && region != v.Region {
		return fail("credential scope names Region %q, not %q", region, v.Region)
	}
	secret, ok := v.Secrets[key]
	if !ok {
		return fail("unknown access key id %q", key)
	}
	date := r.Header.Get(headerDate)
	at, err := time.Parse(amzDate, date)
	if err != nil {
		return fail("X-Amz-Date %q is not YYYYMMDD'T'HHMMSS'Z'", date)
	}
	if at.Format(scopeDate) != day {
		return fail("X-Amz-Date %s is not on the credential scope's date %s", date, day)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if skew := now().Sub(at); skew > MaxSkew || skew < -MaxSkew {
		return fail("X-Amz-Date %s is more than %v from the proxy's clock", date, MaxSkew)
	}
	signed := strings.Split(signedList, ";")
	if !slices.IsSorted(signed) || !slices.Contains(signed, "host") || !slices.Contains(signed, "x-amz-date") {
		return fail("SignedHeaders %q must be sorted and include host and x-amz-date", signedList)
	}
	want := signature(secret, day, region, service,
		stringToSign(date, strings.Join(scope, "/")[len(key)+1:], canonicalRequest(r, body, signed)))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return fail("signature does not match")
	}
	return nil
}
