package kmstest

import (
	"crypto/rand"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
)

// ServerAccessKeyID is the access key id of the credentials a Server
// accepts (its secret is random, per server).
const ServerAccessKeyID = "AKIAKMSTESTSERVER000"

// Server is awsapi's wire handler for a handle, listening on a loopback
// port, for code that insists on an endpoint URL: another language's SDK
// or the AWS CLI run by a test, or a Go client configured by URL. It
// verifies each request's SigV4 signature against its credentials
// (AccessKeyID, SecretAccessKey), and requests act as the root of the
// handle's account.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:port, with no trailing slash.
	URL string
	// Region is the handle's Region, which requests must be signed for.
	Region string
	// AccessKeyID and SecretAccessKey are the credentials the server
	// accepts.
	AccessKeyID, SecretAccessKey string

	srv *httptest.Server
}

// NewServer starts serving k (awsapi.NewHandler) on 127.0.0.1 at a port
// the system picks, and closes the server when the test ends. opts are
// given to awsapi.NewHandler after the server's own credentials (a
// WithCredentials among them replaces those). A failure to listen ends
// the test (t.Fatal).
func NewServer(t testing.TB, k *kms.KMS, opts ...awsapi.Option) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("kmstest.NewServer: %v", err)
	}
	s := &Server{Region: k.Region(), AccessKeyID: ServerAccessKeyID, SecretAccessKey: rand.Text()}
	creds := awsapi.WithCredentials(map[string]awsapi.Credential{s.AccessKeyID: {SecretAccessKey: s.SecretAccessKey}})
	s.srv = httptest.NewUnstartedServer(awsapi.NewHandler(k, append([]awsapi.Option{creds}, opts...)...))
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close shuts the server down, waiting for the requests in flight. The
// test's cleanup calls it; calling it again does nothing.
func (s *Server) Close() { s.srv.Close() }

// Env returns the environment variables that point an AWS SDK or the AWS
// CLI at the server, as "NAME=value": AWS_ENDPOINT_URL_KMS (the endpoint
// of the KMS service only), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_REGION and AWS_DEFAULT_REGION. For a child process, Environ is
// usually what to use.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_KMS=" + s.URL,
		"AWS_ACCESS_KEY_ID=" + s.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretAccessKey,
		"AWS_REGION=" + s.Region,
		"AWS_DEFAULT_REGION=" + s.Region,
	}
}

// Environ returns an environment for a child process (exec.Cmd.Env) that
// talks to the server and to no AWS account: the process's environment
// without any AWS_ variable (profiles, session tokens, other endpoints),
// then Env, empty AWS config and credentials files (os.DevNull), no
// instance metadata lookups (AWS_EC2_METADATA_DISABLED), no pager, and
// 127.0.0.1 added to NO_PROXY so that a proxy set in the environment is
// bypassed.
func (s *Server) Environ() []string {
	var env []string
	noProxy := ""
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "AWS_"):
		case strings.EqualFold(name, "NO_PROXY"):
			if value != "" && noProxy == "" {
				noProxy = value + ","
			}
		default:
			env = append(env, kv)
		}
	}
	env = append(env, s.Env()...)
	return append(env,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"NO_PROXY="+noProxy+"127.0.0.1",
		"no_proxy="+noProxy+"127.0.0.1",
	)
}
