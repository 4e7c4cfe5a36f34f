package awsapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	kms "github.com/embedkms/kms"
)

// SigV4 verification. The expected signature is computed with the AWS
// SDK's own signer over the request as received (its method, path, query,
// the headers it lists as signed, and the body), then compared in constant
// time with the one provided. Error codes and texts are AWS's.

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDate      = "20060102T150405Z"
	maxSkew      = 5 * time.Minute
)

var now = time.Now // replaced in tests

// authorization is a parsed Authorization header.
type authorization struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseAuthorization(h string) (authorization, *wireError) {
	var a authorization
	rest, ok := strings.CutPrefix(h, sigAlgorithm+" ")
	if !ok {
		return a, protocolError("IncompleteSignatureException", "Authorization header requires the "+sigAlgorithm+" algorithm.")
	}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			a.signature = v
		}
	}
	for name, v := range map[string]string{"Credential": cred, "SignedHeaders": signed, "Signature": a.signature} {
		if v == "" {
			return a, protocolError("IncompleteSignatureException", "Authorization header requires '"+name+"' parameter. Authorization="+h)
		}
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return a, protocolError("IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+cred+"'")
	}
	a.accessKey, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
	a.signedHeaders = strings.Split(signed, ";")
	return a, nil
}

// errUnknownRegion is AWS's answer to a request whose credential scope
// names a Region the endpoint does not serve: InvalidSignatureException,
// "Credential should be scoped to a valid region, not 'REGION'." (the text
// of AWS responses quoted in aws/aws-sdk-ruby#508 and aws/aws-sdk-java#1097).
func errUnknownRegion(region string) *wireError {
	return protocolError("InvalidSignatureException", "Credential should be scoped to a valid region, not '"+region+"'.")
}

// errUnrecognizedClient is AWS's answer to a credential it does not know.
func errUnrecognizedClient() *wireError {
	return protocolError("UnrecognizedClientException", "The security token included in the request is invalid.")
}

// accountOf returns the account of a principal ARN
// (arn:PARTITION:iam::ACCOUNT:..., arn:PARTITION:sts::ACCOUNT:...), or "".
func accountOf(principal string) string {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// authenticate picks the handle for the request's account and Region and,
// with credentials configured, verifies its signature and returns the
// principal. The Region is the one of the credential scope, the default
// Region (the primary handle's) when the request is not signed; without
// credentials configured the signature is not checked but the scope is
// still read.
func (h *handler) authenticate(r *http.Request, body []byte) (*kms.KMS, Credential, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		if h.creds != nil {
			return nil, Credential{}, protocolError("MissingAuthenticationTokenException", "Missing Authentication Token")
		}
		return h.primary, Credential{}, nil
	}
	a, werr := parseAuthorization(header)
	if werr != nil {
		if h.creds != nil {
			return nil, Credential{}, werr
		}
		return h.primary, Credential{}, nil // unsigned use: signature not checked
	}
	if !h.serves(a.region) {
		return nil, Credential{}, errUnknownRegion(a.region)
	}
	if h.creds == nil {
		k, err := h.handleFor(h.primary.AccountID(), a.region)
		return k, Credential{}, err
	}
	if werr := checkSignedHeaders(a.signedHeaders); werr != nil {
		return nil, Credential{}, werr
	}
	if a.service != "kms" {
		return nil, Credential{}, protocolError("InvalidSignatureException", "Credential should be scoped to correct service: 'kms'.")
	}
	cred, ok := h.creds[a.accessKey]
	if !ok {
		return nil, Credential{}, errUnrecognizedClient()
	}
	if cred.SessionToken != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Amz-Security-Token")), []byte(cred.SessionToken)) != 1 {
		return nil, Credential{}, errUnrecognizedClient()
	}
	dateHeader := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDate, dateHeader)
	if err != nil {
		return nil, Credential{}, protocolError("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if a.date != signedAt.Format("20060102") {
		return nil, Credential{}, protocolError("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+a.date+"' != '"+signedAt.Format("20060102")+"'")
	}
	t := now().UTC()
	switch {
	case signedAt.Before(t.Add(-maxSkew)):
		return nil, Credential{}, protocolError("InvalidSignatureException", "Signature expired: "+dateHeader+" is now earlier than "+t.Add(-maxSkew).Format(amzDate)+" ("+t.Format(amzDate)+" - 5 min.)")
	case signedAt.After(t.Add(maxSkew)):
		return nil, Credential{}, protocolError("InvalidSignatureException", "Signature not yet current: "+dateHeader+" is still later than "+t.Add(maxSkew).Format(amzDate)+" ("+t.Format(amzDate)+" + 5 min.)")
	}
	want, err := expectedSignature(r, body, a, cred, signedAt)
	if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(a.signature)) != 1 {
		return nil, Credential{}, errSignatureMismatch()
	}
	account := h.primary.AccountID()
	if a := accountOf(cred.Principal); a != "" {
		account = a
	}
	k, err := h.handleFor(account, a.region)
	if err != nil {
		return nil, Credential{}, err
	}
	// IAM principals and their credentials belong to one partition: a
	// credential of the aws partition means nothing in aws-cn, and AWS
	// answers it as an unknown access key.
	if p := partitionOf(cred.Principal); p != "" && p != k.Partition() {
		return nil, Credential{}, errUnrecognizedClient()
	}
	return k, cred, nil
}

func errSignatureMismatch() *wireError {
	return protocolError("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

// requiredSignedHeaders are the headers every signed request must list in
// SignedHeaders, in the order they are checked, each with the name AWS's
// error gives it. Host and X-Amz-Date are required by SigV4 itself (AWS's
// SigV4 examples: "Host" and "x-amz-date" are always required). The
// awsJson1_1 protocol carries the operation in X-Amz-Target and the
// protocol in Content-Type: a signature that leaves either out lets the
// operation be changed after signing (DescribeKey into DisableKey), so
// they are required too, as a service may require the headers it reads
// (AWS's "'Content-Type' must be a 'SignedHeader' ..." form of the error).
// Every AWS SDK and the AWS CLI sign all four.
//
// X-Amz-Security-Token is not required: AWS's SigV4 docs ("Add the
// signature to the HTTP request") say some services require the session
// token in the signed request and others have it added after signing, and
// the handler compares its value with the credential's in any case.
var requiredSignedHeaders = []struct{ name, display string }{
	{"host", "'Host' or ':authority'"},
	{"x-amz-date", "'X-Amz-Date'"},
	{"x-amz-target", "'X-Amz-Target'"},
	{"content-type", "'Content-Type'"},
}

// checkSignedHeaders refuses a SignedHeaders list that leaves out a
// required header, as AWS does, with InvalidSignatureException and
// "'Host' or ':authority' must be a 'SignedHeader' in the AWS
// Authorization." Sources: the DynamoDB (awsJson) response recorded in
// mhart/dynalite index.js, {"__type":"...#InvalidSignatureException",
// "message":"'Host' must be a 'SignedHeader' in the AWS Authorization."};
// the current wording, with ':authority', and the same form for other
// required headers ("'Content-Type' must be a 'SignedHeader' in the AWS
// Authorization.") in dacut/scratchstack-aws-signature's tests of AWS's
// error ordering. Names are matched without regard to case, as AWS
// matches Host (dynalite's notes); a list not in canonical form fails
// later, in expectedSignature.
func checkSignedHeaders(signed []string) *wireError {
	for _, req := range requiredSignedHeaders {
		if !slices.ContainsFunc(signed, func(n string) bool { return strings.EqualFold(n, req.name) }) {
			return protocolError("InvalidSignatureException", req.display+" must be a 'SignedHeader' in the AWS Authorization.")
		}
	}
	return nil
}

// expectedSignature signs a copy of r that holds only the headers the
// client signed, and returns the signature.
//
// The SignedHeaders list is taken strictly: it must be exactly the list of
// the copy's canonical request, so it must be in SigV4's canonical form
// (lowercase names, sorted by character code, each once: SigV4 docs,
// "Create a canonical request"), as every AWS SDK and the AWS CLI send it,
// and every header it names must be in the request. Otherwise the
// signature could be valid over other headers than the ones the list
// claims; such a request is refused as a signature that does not match.
func expectedSignature(r *http.Request, body []byte, a authorization, cred Credential, signedAt time.Time) (string, error) {
	c, err := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), nil)
	if err != nil {
		return "", err
	}
	c.URL.RawQuery = r.URL.RawQuery
	c.Host = r.Host
	c.ContentLength = 0
	for _, name := range a.signedHeaders {
		switch name {
		case "host", "x-amz-date": // the signer sets them (X-Amz-Date from signedAt)
		case "content-length":
			c.ContentLength = int64(len(body))
		default:
			if vs, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
				c.Header[http.CanonicalHeaderKey(name)] = vs
			}
		}
	}
	sum := sha256.Sum256(body)
	// No session token for the signer: it would add X-Amz-Security-Token
	// to the copy whether or not the client signed it. A signed token is
	// among the headers copied above.
	creds := aws.Credentials{AccessKeyID: a.accessKey, SecretAccessKey: cred.SecretAccessKey}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(r.Context(), creds, c, hex.EncodeToString(sum[:]), a.service, a.region, signedAt); err != nil {
		return "", err
	}
	got, perr := parseAuthorization(c.Header.Get("Authorization"))
	if perr != nil {
		return "", perr
	}
	if !slices.Equal(got.signedHeaders, a.signedHeaders) {
		return "", errSignatureMismatch()
	}
	return got.signature, nil
}

// partitionOf returns the partition of a principal ARN, "" for anything
// else (a service principal).
func partitionOf(principal string) string {
	rest, ok := strings.CutPrefix(principal, "arn:")
	if !ok {
		return ""
	}
	p, _, _ := strings.Cut(rest, ":")
	return p
}
