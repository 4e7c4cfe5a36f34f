package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the real AWS CLI against one endpoint, isolated from the host's
// AWS configuration.
type cli struct {
	t        *testing.T
	bin, dir string
	env      []string
}

func newCLI(t *testing.T) *cli {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws CLI is not installed (scripts/test.sh installs it)")
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	for _, f := range []string{config, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+config,
		"AWS_SHARED_CREDENTIALS_FILE="+creds,
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
	)
	return &cli{t: t, bin: bin, dir: dir, env: env}
}

// run runs `aws kms args...` and returns its stdout, stderr and exit code.
func (c *cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"kms"}, args...)...)
	cmd.Env = c.env
	cmd.Dir = c.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		c.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// ok runs the command and fails the test unless it succeeds.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, stderr, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws kms %s: exit status %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return strings.TrimSpace(out)
}

// file writes b to a file in the CLI's working directory and returns a
// fileb:// argument for it.
func (c *cli) file(name string, b []byte) string {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), b, 0o600); err != nil {
		c.t.Fatal(err)
	}
	return "fileb://" + name
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("not base64: %q", s)
	}
	return b
}

// The walkthrough of examples/awscli/README.md, run with the real AWS CLI
// against a built `embedkms serve`: keys, aliases, encryption with a
// context, errors as AWS sends them, and a second Region with a key space
// of its own.
func TestAWSCLIWalkthrough(t *testing.T) {
	aws := newCLI(t)
	s := start(t, nil)
	ep := "--endpoint-url=" + s.endpoint
	keyID := aws.ok("create-key", ep, "--description", "demo", "--output", "text", "--query", "KeyMetadata.KeyId")
	if len(keyID) != 36 {
		t.Fatalf("create-key printed %q, want a key id", keyID)
	}
	aws.ok("create-alias", ep, "--alias-name", "alias/demo", "--target-key-id", keyID)

	var desc struct {
		KeyMetadata struct{ KeyId, Arn, KeyState, KeySpec, Description string }
	}
	if err := json.Unmarshal([]byte(aws.ok("describe-key", ep, "--key-id", "alias/demo", "--output", "json")), &desc); err != nil {
		t.Fatal(err)
	}
	if md := desc.KeyMetadata; md.KeyId != keyID || md.KeyState != "Enabled" || md.KeySpec != "SYMMETRIC_DEFAULT" || md.Description != "demo" ||
		!strings.HasPrefix(md.Arn, "arn:aws:kms:us-east-1:111122223333:key/") {
		t.Errorf("describe-key: %+v", md)
	}

	plaintext := []byte("db-password\x00\xff")
	ct := aws.ok("encrypt", ep, "--key-id", "alias/demo", "--plaintext", aws.file("secret.txt", plaintext),
		"--encryption-context", "app=billing", "--output", "text", "--query", "CiphertextBlob")
	blob := b64(t, ct)
	pt := aws.ok("decrypt", ep, "--ciphertext-blob", aws.file("secret.enc", blob),
		"--encryption-context", "app=billing", "--output", "text", "--query", "Plaintext")
	if got := b64(t, pt); !bytes.Equal(got, plaintext) {
		t.Errorf("decrypt printed %q, want %q", got, plaintext)
	}
	_, stderr, code := aws.run("decrypt", ep, "--ciphertext-blob", "fileb://secret.enc", "--encryption-context", "app=other")
	if code == 0 || !strings.Contains(stderr, "InvalidCiphertextException") {
		t.Errorf("decrypt with another context: exit status %d, stderr %q", code, stderr)
	}

	var dk struct{ Plaintext, CiphertextBlob, KeyId string }
	if err := json.Unmarshal([]byte(aws.ok("generate-data-key", ep, "--key-id", "alias/demo", "--key-spec", "AES_256", "--output", "json")), &dk); err != nil {
		t.Fatal(err)
	}
	if len(b64(t, dk.Plaintext)) != 32 || dk.KeyId != desc.KeyMetadata.Arn {
		t.Errorf("generate-data-key: %d bytes of key, KeyId %s", len(b64(t, dk.Plaintext)), dk.KeyId)
	}

	var list struct {
		Keys []struct{ KeyId, KeyArn string }
	}
	if err := json.Unmarshal([]byte(aws.ok("list-keys", ep, "--output", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Keys) != 1 || list.Keys[0].KeyId != keyID || list.Keys[0].KeyArn != desc.KeyMetadata.Arn {
		t.Errorf("list-keys: %+v", list.Keys)
	}
	if got := aws.ok("list-aliases", ep, "--key-id", keyID, "--output", "text", "--query", "Aliases[].AliasName"); got != "alias/demo" {
		t.Errorf("list-aliases printed %q", got)
	}

	// AWS CLI v2 exits with 254 for a service error, v1 with 255.
	_, stderr, code = aws.run("describe-key", ep, "--key-id", "alias/missing")
	if (code != 254 && code != 255) || !strings.Contains(stderr, "NotFoundException") {
		t.Errorf("describe-key of an unknown alias: exit status %d, stderr %q", code, stderr)
	}

	// Another Region: its own, empty key space.
	if got := aws.ok("list-keys", ep, "--region", "eu-west-1", "--output", "text", "--query", "length(Keys)"); got != "0" {
		t.Errorf("list-keys in eu-west-1 printed %q, want 0", got)
	}
	_, stderr, code = aws.run("describe-key", ep, "--region", "eu-west-1", "--key-id", keyID)
	if code == 0 || !strings.Contains(stderr, "NotFoundException") {
		t.Errorf("describe-key in eu-west-1 of a us-east-1 key: exit status %d, stderr %q", code, stderr)
	}
	westARN := aws.ok("create-key", ep, "--region", "eu-west-1", "--output", "text", "--query", "KeyMetadata.Arn")
	if !strings.HasPrefix(westARN, "arn:aws:kms:eu-west-1:111122223333:key/") {
		t.Errorf("create-key in eu-west-1 printed %q", westARN)
	}
	if got := aws.ok("list-keys", ep, "--output", "text", "--query", "length(Keys)"); got != "1" {
		t.Errorf("list-keys in us-east-1 printed %q after a key was made in eu-west-1, want 1", got)
	}

	aws.ok("disable-key", ep, "--key-id", keyID)
	_, stderr, code = aws.run("encrypt", ep, "--key-id", "alias/demo", "--plaintext", "fileb://secret.txt")
	if code == 0 || !strings.Contains(stderr, "DisabledException") {
		t.Errorf("encrypt under a disabled key: exit status %d, stderr %q", code, stderr)
	}
	aws.ok("enable-key", ep, "--key-id", keyID)
	aws.ok("schedule-key-deletion", ep, "--key-id", keyID, "--pending-window-in-days", "7")
	s.stop()
}
