package awsapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

// ownSign signs r with SigV4, computed here independently of the SDK's
// signer so that a test can sign over any list of headers: the canonical
// request lists exactly the headers canon names, in that order, and the
// Authorization header claims signed (canon joined with ";" if empty) as
// SignedHeaders.
func ownSign(t *testing.T, r *http.Request, body string, s sigSpec, canon []string, signed string) {
	t.Helper()
	if s.at.IsZero() {
		s.at = time.Now()
	}
	at := s.at.UTC()
	r.Header.Set("X-Amz-Date", at.Format("20060102T150405Z"))
	if s.token != "" {
		r.Header.Set("X-Amz-Security-Token", s.token)
	}
	var headers strings.Builder
	for _, name := range canon {
		var v string
		switch strings.ToLower(name) {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.Itoa(len(body))
		default:
			v = strings.Join(r.Header.Values(name), ",")
		}
		headers.WriteString(name + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	list := strings.Join(canon, ";")
	if signed == "" {
		signed = list
	}
	hash := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	mac := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	canonical := strings.Join([]string{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, headers.String(), list, hash(body)}, "\n")
	scope := at.Format("20060102") + "/" + s.region + "/" + s.service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + at.Format("20060102T150405Z") + "\n" + scope + "\n" + hash(canonical)
	key := []byte("AWS4" + s.secret)
	for _, part := range []string{at.Format("20060102"), s.region, s.service, "aws4_request"} {
		key = mac(key, part)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.key+"/"+scope+", SignedHeaders="+signed+", Signature="+hex.EncodeToString(mac(key, toSign)))
}

// sigAllHeaders are the headers every AWS SDK signs on a KMS request,
// sorted as SignedHeaders lists them.
var sigAllHeaders = []string{"content-length", "content-type", "host", "x-amz-date", "x-amz-target"}

func sigWithout(name string) []string {
	return slices.DeleteFunc(slices.Clone(sigAllHeaders), func(n string) bool { return n == name })
}

// The SignedHeaders list of a signed request is checked: each header the
// handler reads to serve the request must be signed (AWS answers
// InvalidSignatureException "'Host' or ':authority' must be a
// 'SignedHeader' in the AWS Authorization.", recorded in mhart/dynalite
// and dacut/scratchstack-aws-signature), and the list must be exactly the
// one the signature covers, in SigV4's canonical form.
func TestSigV4SignedHeaders(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k, awsapi.WithCredentials(sigCreds))
	body := `{"KeyId":"` + rawCreateKey(t, k).Arn + `"}`
	temp := sigSpec{key: sigTempKey, secret: sigTempSecret, token: sigTempToken, region: "us-east-1", service: "kms"}
	const mismatch = "The request signature we calculated does not match"
	missing := func(name string) string { return name + " must be a 'SignedHeader' in the AWS Authorization." }

	tests := []struct {
		name   string
		spec   sigSpec
		canon  []string // the headers the signature covers
		signed string   // SignedHeaders claimed, if not canon
		after  func(r *http.Request)
		code   string // "" for success
		msg    string
	}{
		// The independent signer agrees with the handler.
		{name: "every header", spec: sigAlice, canon: sigAllHeaders},
		{name: "content-length is not required", spec: sigAlice, canon: sigWithout("content-length")},
		{name: "session token signed", spec: temp, canon: []string{"content-length", "content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target"}},
		// AWS does not require the token signed on every service; its value
		// is checked against the credential's anyway.
		{name: "session token not signed", spec: temp, canon: sigAllHeaders},
		{name: "session token not signed, wrong", spec: sigWith(temp, func(s *sigSpec) { s.token = "other" }), canon: sigAllHeaders,
			code: "UnrecognizedClientException", msg: "security token"},

		// One row per required header left out of an otherwise good signature.
		{name: "host not signed", spec: sigAlice, canon: sigWithout("host"),
			code: "InvalidSignatureException", msg: missing("'Host' or ':authority'")},
		{name: "x-amz-date not signed", spec: sigAlice, canon: sigWithout("x-amz-date"),
			code: "InvalidSignatureException", msg: missing("'X-Amz-Date'")},
		{name: "x-amz-target not signed", spec: sigAlice, canon: sigWithout("x-amz-target"),
			code: "InvalidSignatureException", msg: missing("'X-Amz-Target'")},
		{name: "content-type not signed", spec: sigAlice, canon: sigWithout("content-type"),
			code: "InvalidSignatureException", msg: missing("'Content-Type'")},
		{name: "only host and x-amz-date signed", spec: sigAlice, canon: []string{"host", "x-amz-date"},
			code: "InvalidSignatureException", msg: missing("'X-Amz-Target'")},

		// Signed headers changed after signing.
		{name: "X-Amz-Target changed after signing", spec: sigAlice, canon: sigAllHeaders,
			after: func(r *http.Request) { r.Header.Set("X-Amz-Target", "TrentService.DisableKey") },
			code:  "InvalidSignatureException", msg: mismatch},
		{name: "Content-Type changed after signing", spec: sigAlice, canon: sigAllHeaders,
			after: func(r *http.Request) { r.Header.Set("Content-Type", rawJSONType+"; charset=utf-8") },
			code:  "InvalidSignatureException", msg: mismatch},

		// The list must be the one the signature covers, in canonical form.
		{name: "list not sorted", spec: sigAlice, canon: []string{"x-amz-target", "content-length", "content-type", "host", "x-amz-date"},
			code: "InvalidSignatureException", msg: mismatch},
		{name: "list not sorted, signature over the sorted list", spec: sigAlice, canon: sigAllHeaders,
			signed: "x-amz-target;content-length;content-type;host;x-amz-date",
			code:   "InvalidSignatureException", msg: mismatch},
		// AWS matches Host without regard to case (dynalite's notes), so
		// this is not a missing Host but a list not in canonical form.
		{name: "Host capitalised, signature over lowercase", spec: sigAlice, canon: sigAllHeaders,
			signed: "content-length;content-type;Host;x-amz-date;x-amz-target",
			code:   "InvalidSignatureException", msg: mismatch},
		{name: "header listed twice, signature over it once", spec: sigAlice, canon: sigAllHeaders,
			signed: "content-length;content-type;host;host;x-amz-date;x-amz-target",
			code:   "InvalidSignatureException", msg: mismatch},
		{name: "empty name in list", spec: sigAlice, canon: sigAllHeaders,
			signed: "content-length;content-type;;host;x-amz-date;x-amz-target",
			code:   "InvalidSignatureException", msg: mismatch},
		{name: "listed header not sent, signature without it", spec: sigAlice, canon: sigAllHeaders,
			signed: "content-length;content-type;host;x-amz-date;x-amz-meta;x-amz-target",
			code:   "InvalidSignatureException", msg: mismatch},
		{name: "User-Agent listed, signature without it", spec: sigAlice, canon: sigAllHeaders,
			signed: "content-length;content-type;host;user-agent;x-amz-date;x-amz-target",
			after:  func(r *http.Request) { r.Header.Set("User-Agent", "test") },
			code:   "InvalidSignatureException", msg: mismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawRequest("DescribeKey", body)
			ownSign(t, r, body, tt.spec, tt.canon, tt.signed)
			if tt.after != nil {
				tt.after(r)
			}
			res := serveRaw(t, h, r)
			if tt.code == "" {
				res.wantOK(t)
				return
			}
			res.wantError(t, tt.code, 400)
			if msg, _ := res.body["message"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not contain %q", msg, tt.msg)
			}
		})
	}
}

// The request an independent review found accepted: DescribeKey signed
// over content-length;host;x-amz-date only, its X-Amz-Target then changed
// to DisableKey. It is refused and the key stays enabled.
func TestSigV4TargetChangedAfterSigning(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k, awsapi.WithCredentials(sigCreds))
	for _, canon := range [][]string{{"content-length", "host", "x-amz-date"}, sigAllHeaders} {
		t.Run(strings.Join(canon, ";"), func(t *testing.T) {
			md := rawCreateKey(t, k)
			body := `{"KeyId":"` + md.Arn + `"}`
			r := rawRequest("DescribeKey", body)
			ownSign(t, r, body, sigAlice, canon, "")
			r.Header.Set("X-Amz-Target", "TrentService.DisableKey")
			serveRaw(t, h, r).wantError(t, "InvalidSignatureException", 400)
			out, err := k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: md.KeyId})
			if err != nil || !out.KeyMetadata.Enabled {
				t.Fatalf("after the refused request: %+v, %v; want the key enabled", out, err)
			}
		})
	}
}

// The SDK's client with temporary credentials (a session token) is
// verified; TestSigV4SDKClient covers long-term keys.
func TestSigV4SDKClientSessionToken(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k, awsapi.WithCredentials(sigCreds))
	client := func(token string) *awskms.Client {
		return awsapi.NewClient(k, func(o *awskms.Options) {
			o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: sigTempKey, SecretAccessKey: sigTempSecret, SessionToken: token}, nil
			})
			o.HTTPClient = awsapi.NewHTTPClient(h)
		})
	}
	if _, err := client(sigTempToken).ListKeys(t.Context(), &awskms.ListKeysInput{}); err != nil {
		t.Fatalf("with the session token: %v", err)
	}
	_, err := client("other").ListKeys(t.Context(), &awskms.ListKeysInput{})
	var apiErr interface{ ErrorCode() string }
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnrecognizedClientException" {
		t.Fatalf("with another session token: %v, want UnrecognizedClientException", err)
	}
}

// The real AWS CLI (botocore's signer) is verified, with long-term and
// temporary credentials, and a wrong secret is refused.
func TestSigV4AWSCLI(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws CLI is not installed")
	}
	k, _ := kmstest.New(t)
	srv := httptest.NewServer(awsapi.NewHandler(k, awsapi.WithCredentials(sigCreds)))
	defer srv.Close()
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(key, secret, token string, args ...string) (string, string, error) {
		env := []string{
			"AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + secret,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
			"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
			"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
		}
		if token != "" {
			env = append(env, "AWS_SESSION_TOKEN="+token)
		}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(strings.ToLower(kv), "no_proxy=") {
				env = append(env, kv)
			}
		}
		cmd := exec.Command(bin, append([]string{"kms", "--endpoint-url", srv.URL, "--output", "text"}, args...)...)
		cmd.Env, cmd.Dir = env, dir
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return strings.TrimSpace(out.String()), errb.String(), err
	}

	id, stderr, err := run(sigAliceKey, sigAliceSecret, "", "create-key", "--query", "KeyMetadata.KeyId")
	if err != nil || len(id) != 36 {
		t.Fatalf("create-key: %q, %v, %s", id, err, stderr)
	}
	if out, stderr, err := run(sigTempKey, sigTempSecret, sigTempToken, "generate-data-key", "--key-id", id, "--number-of-bytes", "16", "--query", "KeyId"); err != nil || !strings.HasSuffix(out, id) {
		t.Fatalf("generate-data-key with a session token: %q, %v, %s", out, err, stderr)
	}
	if _, stderr, err := run(sigAliceKey, "wrong", "", "list-keys"); err == nil || !strings.Contains(stderr, "InvalidSignatureException") {
		t.Fatalf("list-keys with a wrong secret: %v, %s", err, stderr)
	}
}
