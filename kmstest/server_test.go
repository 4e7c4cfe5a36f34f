package kmstest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

// urlClient is an SDK client configured the way code that insists on an
// endpoint URL is: by URL, with the given credentials.
func urlClient(s *kmstest.Server, accessKey, secret string) *awskms.Client {
	return awskms.New(awskms.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

// The server serves the handle over loopback TCP and checks signatures
// against its credentials.
func TestServer(t *testing.T) {
	k, _ := kmstest.New(t, kmstest.WithRegion("eu-north-1"))
	key := kmstest.Key(t, k)
	s := kmstest.NewServer(t, k)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || strings.HasSuffix(s.URL, "/") {
		t.Fatalf("URL %q, want http://127.0.0.1:port", s.URL)
	}
	if s.Region != "eu-north-1" || s.AccessKeyID != kmstest.ServerAccessKeyID || len(s.SecretAccessKey) < 20 {
		t.Fatalf("server %+v", s)
	}
	if other := kmstest.NewServer(t, k); other.SecretAccessKey == s.SecretAccessKey || other.URL == s.URL {
		t.Fatalf("two servers share a secret or a URL: %+v, %+v", s, other)
	}
	ctx := context.Background()
	out, err := urlClient(s, s.AccessKeyID, s.SecretAccessKey).DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil || aws.ToString(out.KeyMetadata.KeyId) != key {
		t.Fatalf("DescribeKey over the server: %+v, %v", out, err)
	}
	_, err = urlClient(s, s.AccessKeyID, "wrong").ListKeys(ctx, &awskms.ListKeysInput{})
	if err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") {
		t.Fatalf("a wrong secret: %v, want InvalidSignatureException", err)
	}
	_, err = urlClient(s, "AKIAIOSFODNN7EXAMPLE", s.SecretAccessKey).ListKeys(ctx, &awskms.ListKeysInput{})
	if err == nil || !strings.Contains(err.Error(), "UnrecognizedClientException") {
		t.Fatalf("another access key: %v, want UnrecognizedClientException", err)
	}
}

// Options given to NewServer reach the handler.
func TestServerHandlerOptions(t *testing.T) {
	k, _ := kmstest.New(t)
	ops := make(chan string, 1)
	s := kmstest.NewServer(t, k, awsapi.WithRequestLog(func(_ context.Context, r awsapi.RequestRecord) { ops <- r.Operation }))
	if _, err := urlClient(s, s.AccessKeyID, s.SecretAccessKey).ListKeys(context.Background(), &awskms.ListKeysInput{}); err != nil {
		t.Fatal(err)
	}
	// The handler logs just after it answers; no record after a long
	// wait means the option never reached it (a bound against a hang, not
	// a timing assertion).
	select {
	case op := <-ops:
		if op != "ListKeys" {
			t.Fatalf("request log %q, want ListKeys", op)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request log option given to NewServer was not used")
	}
}

// The server is closed when the test that started it ends, and Close may
// be called before that.
func TestServerClosedAtCleanup(t *testing.T) {
	var url string
	t.Run("user", func(t *testing.T) {
		k, _ := kmstest.New(t)
		url = kmstest.NewServer(t, k).URL
		if res, err := http.Post(url, "application/x-amz-json-1.1", nil); err != nil {
			t.Fatal(err)
		} else {
			res.Body.Close()
		}
	})
	if res, err := http.Post(url, "application/x-amz-json-1.1", nil); err == nil {
		res.Body.Close()
		t.Fatalf("the server at %s still answers after its test ended", url)
	}
	k, _ := kmstest.New(t)
	s := kmstest.NewServer(t, k)
	s.Close()
	if res, err := http.Post(s.URL, "application/x-amz-json-1.1", nil); err == nil {
		res.Body.Close()
		t.Fatalf("the server answers after Close")
	}
}

func TestServerEnv(t *testing.T) {
	k, _ := kmstest.New(t, kmstest.WithRegion("sa-east-1"))
	s := kmstest.NewServer(t, k)
	want := []string{
		"AWS_ENDPOINT_URL_KMS=" + s.URL,
		"AWS_ACCESS_KEY_ID=" + kmstest.ServerAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretAccessKey,
		"AWS_REGION=sa-east-1",
		"AWS_DEFAULT_REGION=sa-east-1",
	}
	if got := s.Env(); !slices.Equal(got, want) {
		t.Fatalf("Env:\n%q\nwant\n%q", got, want)
	}

	// Environ drops the host's AWS settings, keeps the rest, and bypasses
	// a proxy for the loopback address.
	t.Setenv("AWS_PROFILE", "production")
	t.Setenv("AWS_SESSION_TOKEN", "host-token")
	t.Setenv("AWS_ENDPOINT_URL", "https://elsewhere.example")
	t.Setenv("KMSTEST_KEPT", "yes")
	t.Setenv("NO_PROXY", "internal.example")
	t.Setenv("no_proxy", "internal.example")
	env := s.Environ()
	get := func(name string) (values []string) {
		for _, kv := range env {
			if n, v, _ := strings.Cut(kv, "="); n == name {
				values = append(values, v)
			}
		}
		return values
	}
	for _, name := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		if v := get(name); v != nil {
			t.Errorf("Environ keeps %s=%q", name, v)
		}
	}
	for _, kv := range append(want,
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
		"KMSTEST_KEPT=yes",
		"NO_PROXY=internal.example,127.0.0.1", "no_proxy=internal.example,127.0.0.1") {
		name, value, _ := strings.Cut(kv, "=")
		if v := get(name); !slices.Equal(v, []string{value}) {
			t.Errorf("Environ has %s=%q, want once %q", name, v, value)
		}
	}
}

// Environ without NO_PROXY in the process's environment sets it to the
// loopback address alone.
func TestServerEnvironNoProxy(t *testing.T) {
	k, _ := kmstest.New(t)
	s := kmstest.NewServer(t, k)
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	env := s.Environ()
	for _, kv := range []string{"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1"} {
		if !slices.Contains(env, kv) {
			t.Errorf("Environ lacks %s", kv)
		}
	}
}

// The real AWS CLI, given nothing but Environ, reaches the handle (through
// AWS_ENDPOINT_URL_KMS, the credentials and the Region), and a wrong
// secret in that environment is refused.
func TestServerAWSCLI(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws CLI is not installed (scripts/test.sh installs it)")
	}
	k, _ := kmstest.New(t, kmstest.WithRegion("eu-west-3"))
	s := kmstest.NewServer(t, k)
	dir := t.TempDir()
	aws := func(env []string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"kms"}, args...)...)
		cmd.Env, cmd.Dir = env, dir
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			return "", errors.New(err.Error() + ": " + stderr.String())
		}
		return strings.TrimSpace(out.String()), nil
	}

	keyID, err := aws(s.Environ(), "create-key", "--description", "from the CLI", "--query", "KeyMetadata.KeyId", "--output", "text")
	if err != nil {
		t.Fatalf("aws kms create-key: %v", err)
	}
	if md := describe(t, k, keyID); md.Description != "from the CLI" {
		t.Fatalf("the CLI's key in the handle: %+v", md)
	}
	if err := os.WriteFile(filepath.Join(dir, "pt"), []byte("from the CLI"), 0o600); err != nil {
		t.Fatal(err)
	}
	b64, err := aws(s.Environ(), "encrypt", "--key-id", keyID, "--plaintext", "fileb://pt", "--encryption-context", "app=cli",
		"--query", "CiphertextBlob", "--output", "text")
	if err != nil {
		t.Fatalf("aws kms encrypt: %v", err)
	}
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("CiphertextBlob %q: %v", b64, err)
	}
	dec, err := k.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"app": "cli"}})
	if err != nil || string(dec.Plaintext) != "from the CLI" {
		t.Fatalf("the handle decrypted the CLI's ciphertext to %+v, %v", dec, err)
	}

	wrong := slices.Clone(s.Environ())
	for i, kv := range wrong {
		if strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
			wrong[i] = "AWS_SECRET_ACCESS_KEY=wrong"
		}
	}
	if _, err := aws(wrong, "list-keys"); err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") {
		t.Fatalf("aws kms list-keys with a wrong secret: %v, want InvalidSignatureException", err)
	}
}
