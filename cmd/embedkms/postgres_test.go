package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/embedkms/kms/internal/pgtest"
)

// TestServePostgres: two servers on one PostgreSQL database share keys; a
// key disabled through one is refused by the other within -staleness; a
// server restarted finds its keys; a root key is required, and the
// database's password never reaches the log.
func TestServePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	// A password the server does not need (trust authentication or the
	// test server's own) still must not be logged.
	if _, has := u.User.Password(); !has {
		u.User = url.UserPassword(u.User.Username(), "s3cret-never-logged")
		if pgtest.External() {
			u = nil // the external server may check passwords
		}
	}
	if u != nil {
		dsn = u.String()
	}
	const staleness = 500 * time.Millisecond
	env := []string{rootKeyEnv + "=" + rootKeyB64(5)}
	args := []string{"-store", dsn, "-staleness", staleness.String()}
	ctx := context.Background()

	a, b := start(t, env, args...), start(t, env, args...)
	ca, cb := a.client("us-east-1"), b.client("us-east-1")
	created, err := ca.CreateKey(ctx, &awskms.CreateKeyInput{Description: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	id := created.KeyMetadata.KeyId
	enc, err := ca.Encrypt(ctx, &awskms.EncryptInput{KeyId: id, Plaintext: []byte("shared secret")})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := cb.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "shared secret" {
		t.Fatalf("the other server's Decrypt: %v", err)
	}

	if _, err := cb.DisableKey(ctx, &awskms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	disabled := time.Now()
	for {
		_, err := ca.Encrypt(ctx, &awskms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
		if errorCode(err) == "DisabledException" {
			break
		}
		if err != nil {
			t.Fatalf("Encrypt after the other server disabled the key: %v, want DisabledException or success within %v", err, staleness)
		}
		if time.Since(disabled) > staleness {
			t.Errorf("Encrypt still succeeds %v after the other server disabled the key (bound %v)", time.Since(disabled), staleness)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	a.stop()
	a = start(t, env, args...)
	desc, err := a.client("us-east-1").DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: id})
	if err != nil || aws.ToString(desc.KeyMetadata.Description) != "shared" || desc.KeyMetadata.Enabled {
		t.Fatalf("after restart, DescribeKey: %v", err)
	}
	a.stop()
	b.stop()
	for _, s := range []*server{a, b} {
		log := s.stderr.String()
		if strings.Contains(log, "s3cret-never-logged") {
			t.Errorf("the log holds the database password:\n%s", log)
		}
		if !strings.Contains(log, "staleness 500ms") {
			t.Errorf("the log does not give the bound:\n%s", log)
		}
	}

	code, _, stderr := runExit(t, nil, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	if code != 1 || !strings.Contains(stderr, "needs a root key") || strings.Contains(stderr, "s3cret-never-logged") {
		t.Errorf("no root key: status %d, stderr %q", code, stderr)
	}
	code, _, stderr = runExit(t, []string{rootKeyEnv + "=" + rootKeyB64(6)}, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	if code != 1 || !strings.Contains(stderr, "the root key is not the one store") {
		t.Errorf("wrong root key: status %d, stderr %q", code, stderr)
	}
}
