package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/embedkms/kms/internal/pgtest"
)

// The tests run the command as a user does: a binary built from this
// package, started as a child process.

var binary string // the built command

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "embedkms-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "embedkms")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	pgtest.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// childEnv is the test process's environment without a root key, plus env.
func childEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, rootKeyEnv+"=") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// syncBuffer is a bytes.Buffer safe to write from the child's output
// copier while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running `embedkms serve`.
type server struct {
	t        *testing.T
	cmd      *exec.Cmd
	stderr   *syncBuffer
	endpoint string
	exited   chan struct{}
	code     int
}

var endpointRE = regexp.MustCompile(`"msg":"serving","endpoint":"(http://[^"]+)"`)

// start starts `embedkms serve -addr 127.0.0.1:0 args...` with env added
// to the environment and waits until it serves.
func start(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s := &server{t: t, stderr: &syncBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(binary, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = childEnv(env...)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := s.cmd.Wait()
		s.code = s.cmd.ProcessState.ExitCode()
		_ = err
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	deadline := time.After(60 * time.Second)
	for {
		if m := endpointRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.endpoint = m[1]
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("embedkms serve %s exited with status %d before serving:\n%s", strings.Join(args, " "), s.code, s.stderr)
		case <-deadline:
			t.Fatalf("embedkms serve %s did not start:\n%s", strings.Join(args, " "), s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for the process to exit with status 0.
func (s *server) stop() {
	s.t.Helper()
	s.stopWith(syscall.SIGTERM)
}

// stopWith sends sig and waits for the process to exit with status 0,
// having logged that it stopped.
func (s *server) stopWith(sig os.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	s.wait(0)
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		s.t.Errorf("no stopped line after %v:\n%s", sig, s.stderr)
	}
}

// wait waits for the process to exit with status want.
func (s *server) wait(want int) {
	s.t.Helper()
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		s.t.Fatalf("embedkms did not exit:\n%s", s.stderr)
	}
	if s.code != want {
		s.t.Fatalf("embedkms exited with status %d, want %d:\n%s", s.code, want, s.stderr)
	}
}

// client is an AWS SDK client for region at the server, with dummy
// credentials and no retries but of one client-side error (closedConn).
func (s *server) client(region string) *awskms.Client {
	return awskms.New(awskms.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, nil
		}),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.Retryables = []retry.IsErrorRetryable{closedConn}
			o.RateLimiter = ratelimit.None
		}),
	})
}

// closedConn retries a response whose body the SDK's client fails to read
// with "use of closed network connection": about 1 in 100 responses of
// 4 KiB or more (ListAliases) on a reused connection, with the SDK's
// client only (3,000 ListAliases with net/http's client alone read every
// body; aws/aws-sdk-go-v2 issues 1825 and 2737 report it against AWS
// itself). The SDK's default retryer retries it too; every other error
// reaches the tests as sent.
var closedConn = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	if err != nil && strings.Contains(err.Error(), "use of closed network connection") {
		return aws.TrueTernary
	}
	return aws.FalseTernary
})

// runExit runs the command with args and env until it exits, and returns
// its exit status, stdout and stderr.
func runExit(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = childEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func rootKeyB64(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func TestHelpAndVersion(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"-h"}, 0, "embedkms serve [flags]", ""},
		{[]string{"help"}, 0, "embedkms serve [flags]", ""},
		{[]string{"serve", "-h"}, 0, "", "-root-key-file"},
		{[]string{"serve", "-h"}, 0, "", rootKeyEnv},
		{[]string{"serve", "-h"}, 0, "", "-engine"},
		{[]string{"serve", "-h"}, 0, "", "-seed FILE loads the keys, aliases and grants"},
		{[]string{"version"}, 0, "embedkms ", ""},
		{nil, 2, "", "Usage"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"serve", "-engine", "sqlite"}, 2, "", `-engine "sqlite"`},
		{[]string{"serve", "-region", "moon-1"}, 2, "", `-region "moon-1" is not an AWS Region`},
		{[]string{"serve", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"serve", "-account", "12345"}, 2, "", `-account "12345" is not a 12-digit AWS account id`},
	} {
		code, stdout, stderr := runExit(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(stdout, tt.out) || !strings.Contains(stderr, tt.inErr) {
			t.Errorf("embedkms %s: status %d, stdout %q, stderr %q; want %d, %q in stdout, %q in stderr",
				strings.Join(tt.args, " "), code, stdout, stderr, tt.code, tt.out, tt.inErr)
		}
	}
}

// A durable store keeps keys across a restart, for both engines: a key
// created, the server stopped with SIGTERM and started again on the same
// directory with the same root key still has the key, its alias, and
// decrypts a ciphertext made before. The wrong root key, no root key, a
// second server on the directory and the other engine's flag are refused
// with an error that says what is wrong.
func TestDurableStoreRestart(t *testing.T) {
	for _, engine := range []string{"badger", "file"} {
		t.Run(engine, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			keyFile := filepath.Join(t.TempDir(), "root.key")
			if err := os.WriteFile(keyFile, bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
				t.Fatal(err)
			}
			// badger gets its root key from the file, file from the
			// environment; both name the same 32 bytes.
			var env []string
			args := []string{"-store", dir, "-engine", engine}
			if engine == "badger" {
				args = append(args, "-root-key-file", keyFile)
			} else {
				env = []string{rootKeyEnv + "=" + rootKeyB64(7)}
			}
			ctx := context.Background()

			s := start(t, env, args...)
			c := s.client("us-east-1")
			created, err := c.CreateKey(ctx, &awskms.CreateKeyInput{Description: aws.String("kept")})
			if err != nil {
				t.Fatal(err)
			}
			id := created.KeyMetadata.KeyId
			if _, err := c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: aws.String("alias/kept"), TargetKeyId: id}); err != nil {
				t.Fatal(err)
			}
			enc, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String("alias/kept"), Plaintext: []byte("survives restarts")})
			if err != nil {
				t.Fatal(err)
			}

			// A second server on the same directory.
			code, _, stderr := runExit(t, env, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
			if code != 1 || !strings.Contains(stderr, "store "+dir+" is in use by another process") {
				t.Errorf("second server: status %d, stderr %q", code, stderr)
			}
			s.stop()

			s = start(t, env, args...)
			c = s.client("us-east-1")
			desc, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/kept")})
			if err != nil || aws.ToString(desc.KeyMetadata.KeyId) != aws.ToString(id) || aws.ToString(desc.KeyMetadata.Description) != "kept" {
				t.Fatalf("after restart, DescribeKey alias/kept: %v", err)
			}
			dec, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			if err != nil || string(dec.Plaintext) != "survives restarts" {
				t.Fatalf("after restart, Decrypt of an earlier ciphertext: %v", err)
			}
			s.stop()

			wrong := []string{rootKeyEnv + "=" + rootKeyB64(8)}
			code, _, stderr = runExit(t, wrong, "serve", "-addr", "127.0.0.1:0", "-store", dir, "-engine", engine)
			if code != 1 || !strings.Contains(stderr, "the root key is not the one store "+dir+" was created with") {
				t.Errorf("wrong root key: status %d, stderr %q", code, stderr)
			}
			code, _, stderr = runExit(t, nil, "serve", "-addr", "127.0.0.1:0", "-store", dir, "-engine", engine)
			if code != 1 || !strings.Contains(stderr, "-store "+dir+" needs a root key") || !strings.Contains(stderr, rootKeyEnv) {
				t.Errorf("no root key: status %d, stderr %q", code, stderr)
			}
			other := map[string]string{"badger": "file", "file": "badger"}[engine]
			code, _, stderr = runExit(t, env, append([]string{"serve", "-addr", "127.0.0.1:0"}, append(args, "-engine", other)...)...)
			if code != 1 || !strings.Contains(stderr, "serve it with -engine "+engine) {
				t.Errorf("-engine %s on a %s store: status %d, stderr %q", other, engine, code, stderr)
			}
		})
	}
}

// A root key given twice, or one that is not 32 bytes of base64, is
// refused before anything is opened.
func TestRootKeyErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	keyFile := filepath.Join(t.TempDir(), "root.key")
	os.WriteFile(keyFile, bytes.Repeat([]byte{1}, 32), 0o600)
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"both", []string{rootKeyEnv + "=" + rootKeyB64(1)}, []string{"-root-key-file", keyFile}, "both -root-key-file and " + rootKeyEnv},
		{"not base64", []string{rootKeyEnv + "=not base64!"}, nil, rootKeyEnv + " is not standard base64"},
		{"16 bytes", []string{rootKeyEnv + "=" + base64.StdEncoding.EncodeToString(make([]byte, 16))}, nil, rootKeyEnv + " holds 16 bytes, want 32"},
	} {
		code, _, stderr := runExit(t, tt.env, append([]string{"serve", "-addr", "127.0.0.1:0", "-store", dir}, tt.args...)...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: status %d, stderr %q, want %q", tt.name, code, stderr, tt.want)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the store directory was created: %v", err)
	}
}

func TestHealthz(t *testing.T) {
	s := start(t, nil)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, s.endpoint+"/healthz", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || (method == http.MethodGet && string(body) != "ok\n") {
			t.Errorf("%s /healthz: %d %q", method, res.StatusCode, body)
		}
	}
	s.stopWith(os.Interrupt) // SIGINT stops it as SIGTERM does
}

// Every Region of every partition over the wire, with the AWS SDK: a key
// of us-east-1 is NotFoundException in us-west-2, whose key space is
// empty and takes keys of its own; ARNs carry the Region's partition; a
// request that is not signed acts in -region.
func TestEveryRegionOverTheWire(t *testing.T) {
	s := start(t, nil, "-region", "eu-central-1")
	ctx := context.Background()
	east := s.client("us-east-1")
	created, err := east.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	west := s.client("us-west-2")
	if _, err := west.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: created.KeyMetadata.KeyId}); errorCode(err) != "NotFoundException" {
		t.Errorf("us-west-2 DescribeKey of a us-east-1 key: %v, want NotFoundException", err)
	}
	list, err := west.ListKeys(ctx, &awskms.ListKeysInput{})
	if err != nil || len(list.Keys) != 0 {
		t.Fatalf("us-west-2 ListKeys: %v, %d keys; want none", err, len(list.Keys))
	}
	w, err := west.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil || !strings.HasPrefix(aws.ToString(w.KeyMetadata.Arn), "arn:aws:kms:us-west-2:111122223333:key/") {
		t.Fatalf("us-west-2 CreateKey: %v", err)
	}
	cn, err := s.client("cn-north-1").CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil || !strings.HasPrefix(aws.ToString(cn.KeyMetadata.Arn), "arn:aws-cn:kms:cn-north-1:111122223333:key/") {
		t.Fatalf("cn-north-1 CreateKey: %v", err)
	}
	_, err = s.client("xx-moon-1").ListKeys(ctx, &awskms.ListKeysInput{})
	if errorCode(err) != "InvalidSignatureException" {
		t.Errorf("xx-moon-1: %v, want InvalidSignatureException", err)
	}

	req, _ := http.NewRequest("POST", s.endpoint+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "TrentService.CreateKey")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ KeyMetadata struct{ Arn string } }
	json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if !strings.HasPrefix(out.KeyMetadata.Arn, "arn:aws:kms:eu-central-1:111122223333:key/") {
		t.Errorf("unsigned CreateKey: %d, ARN %q; want a key of -region eu-central-1", res.StatusCode, out.KeyMetadata.Arn)
	}
	s.stop()
}

// A client that opens a connection and sends half a request holds one
// connection, not the server: a second client is served at once. When
// stalled clients hold every connection (-max-conns), the next client
// waits for a slot, and -header-timeout frees the slots.
func TestStalledClient(t *testing.T) {
	const timeout = 2 * time.Second
	s := start(t, nil, "-max-conns", "2", "-header-timeout", timeout.String())
	addr := strings.TrimPrefix(s.endpoint, "http://")
	ctx := context.Background()
	stall := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: "+addr+"\r\nX-Amz-Target: Trent"); err != nil {
			t.Fatal(err)
		}
		return c
	}

	first := stall()
	defer first.Close()
	stalledAt := time.Now()
	time.Sleep(100 * time.Millisecond)
	begin := time.Now()
	if _, err := s.client("us-east-1").ListKeys(ctx, &awskms.ListKeysInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > timeout/2 {
		t.Errorf("a second client took %v beside a stalled one", d)
	}

	// Both slots stalled: a fresh client (its own connection) waits until
	// the header timeout closes the first stalled connection.
	second := stall()
	defer second.Close()
	time.Sleep(100 * time.Millisecond)
	fresh := s.client("us-east-1")
	fresh2 := awskms.New(fresh.Options(), func(o *awskms.Options) { o.HTTPClient = &http.Client{Transport: &http.Transport{}} })
	if _, err := fresh2.ListKeys(ctx, &awskms.ListKeysInput{}); err != nil {
		t.Fatalf("a client after the stalled ones: %v", err)
	}
	switch waited := time.Since(stalledAt); {
	case waited < timeout-200*time.Millisecond:
		t.Errorf("a client beyond -max-conns was served after %v, before the stalled connection timed out (%v)", waited, timeout)
	case waited > timeout+3*time.Second:
		t.Errorf("a client beyond -max-conns was served after %v: the stalled connections were not closed at -header-timeout %v", waited, timeout)
	}
	for i, c := range []net.Conn{first, second} {
		c.SetReadDeadline(time.Now().Add(3 * timeout))
		if _, err := io.ReadAll(c); err != nil {
			t.Errorf("stalled connection %d: %v, want closed by the server", i, err)
		}
	}
	s.stop()
}

// SIGTERM lets requests under way finish: a request whose body is still
// arriving when the signal comes is answered with 200, its key is in the
// store after a restart, and so is every key a CreateKey acknowledged
// while the server was stopping.
func TestGracefulShutdown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	env := []string{rootKeyEnv + "=" + rootKeyB64(3)}
	s := start(t, env, "-store", dir)
	addr := strings.TrimPrefix(s.endpoint, "http://")
	ctx := context.Background()

	body := `{"Description":"in flight at SIGTERM"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: TrentService.CreateKey\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:10])

	// Clients creating keys as fast as they can until the server stops.
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stopping := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			c := s.client("us-east-1")
			for {
				out, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
				if err != nil {
					select {
					case <-stopping:
						return
					default:
						t.Errorf("CreateKey before SIGTERM: %v", err)
						return
					}
				}
				mu.Lock()
				acked = append(acked, aws.ToString(out.KeyMetadata.KeyId))
				mu.Unlock()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	close(stopping)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case <-s.exited:
		t.Fatalf("the server exited with a request under way:\n%s", s.stderr)
	default:
	}
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request under way at SIGTERM: %v", err)
	}
	var out struct{ KeyMetadata struct{ KeyId string } }
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != 200 || out.KeyMetadata.KeyId == "" {
		t.Fatalf("the request under way at SIGTERM: status %d", res.StatusCode)
	}
	s.wait(0)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no CreateKey was acknowledged")
	}

	s = start(t, env, "-store", dir)
	c := s.client("us-east-1")
	for _, id := range append(acked, out.KeyMetadata.KeyId) {
		if _, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(id)}); err != nil {
			t.Errorf("acknowledged key %s after restart: %v", id, err)
		}
	}
	s.stop()
}

// The request log: one JSON line per request with the operation, key,
// caller, outcome and duration, and no plaintext, data key or ciphertext,
// raw or base64.
func TestRequestLog(t *testing.T) {
	s := start(t, nil, "-log")
	c := s.client("us-east-1")
	ctx := context.Background()
	created, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.KeyMetadata.Arn)
	plaintext := []byte("the plaintext the log must never hold")
	enc, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: created.KeyMetadata.KeyId, Plaintext: plaintext})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatal(err)
	}
	dk, err := c.GenerateDataKey(ctx, &awskms.GenerateDataKeyInput{KeyId: aws.String(arn), NumberOfBytes: aws.Int32(32)})
	if err != nil {
		t.Fatal(err)
	}
	rnd, err := c.GenerateRandom(ctx, &awskms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	if errorCode(err) != "NotFoundException" {
		t.Fatalf("DescribeKey alias/missing: %v", err)
	}
	s.stop()
	log := s.stderr.String()

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	want := []struct{ op, key, outcome, errCode string }{
		{"CreateKey", arn, "ok", ""},
		{"Encrypt", arn, "ok", ""},
		{"Decrypt", arn, "ok", ""},
		{"GenerateDataKey", arn, "ok", ""},
		{"GenerateRandom", "", "ok", ""},
		{"DescribeKey", "alias/missing", "error", "NotFoundException"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d request lines, want %d:\n%s", len(lines), len(want), log)
	}
	for i, w := range want {
		l := lines[i]
		key, _ := l["key"].(string)
		errCode, _ := l["error"].(string)
		if l["operation"] != w.op || key != w.key || l["outcome"] != w.outcome || errCode != w.errCode ||
			l["caller"] != "arn:aws:iam::111122223333:root" || l["region"] != "us-east-1" {
			t.Errorf("line %d = %v, want %s of %q, %s %s", i, l, w.op, w.key, w.outcome, w.errCode)
		}
		if _, ok := l["duration_ms"].(float64); !ok {
			t.Errorf("line %d has no duration_ms: %v", i, l)
		}
	}
	for name, secret := range map[string][]byte{
		"plaintext":         plaintext,
		"ciphertext":        enc.CiphertextBlob,
		"data key":          dk.Plaintext,
		"data key wrapped":  dk.CiphertextBlob,
		"random bytes":      rnd.Plaintext,
		"plaintext (short)": plaintext[:12],
	} {
		for _, form := range []string{string(secret), base64.StdEncoding.EncodeToString(secret), fmt.Sprintf("%x", secret)} {
			if strings.Contains(log, form) {
				t.Errorf("the log holds the %s", name)
			}
		}
	}
}

// TestServeAudit: -audit FILE appends one JSON line per operation call to
// FILE, created mode 0600, success or failure, with the response's
// request id and never the plaintext; a second run appends; health probes
// are left out.
func TestServeAudit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	ctx := context.Background()
	plaintext := []byte("the plaintext the audit log must never hold")
	var ids []string
	for run := range 2 {
		s := start(t, nil, "-audit", path)
		c := s.client("us-east-1")
		created, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		enc, err := c.Encrypt(ctx, &awskms.EncryptInput{KeyId: created.KeyMetadata.KeyId, Plaintext: plaintext})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := awsmiddleware.GetRequestIDMetadata(enc.ResultMetadata)
		ids = append(ids, id)
		if _, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/missing")}); errorCode(err) != "NotFoundException" {
			t.Fatalf("run %d: DescribeKey: %v", run, err)
		}
		// A health probe is no call of a client: not audited.
		res, err := http.Get(s.endpoint + "/healthz")
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("healthz: %v %v", res, err)
		}
		res.Body.Close()
		s.stop()
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var events []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		events = append(events, m)
	}
	want := []string{"CreateKey", "Encrypt", "DescribeKey", "CreateKey", "Encrypt", "DescribeKey"}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d:\n%s", len(events), len(want), b)
	}
	for i, e := range events {
		if e["eventName"] != want[i] || e["eventSource"] != "kms.amazonaws.com" {
			t.Errorf("event %d: %v", i, e)
		}
	}
	if events[1]["requestID"] != ids[0] || events[4]["requestID"] != ids[1] {
		t.Errorf("Encrypt request ids %v %v, responses said %v", events[1]["requestID"], events[4]["requestID"], ids)
	}
	if events[2]["errorCode"] != "NotFoundException" {
		t.Errorf("DescribeKey event %v", events[2])
	}
	for _, form := range []string{string(plaintext), base64.StdEncoding.EncodeToString(plaintext), fmt.Sprintf("%x", plaintext)} {
		if strings.Contains(string(b), form) {
			t.Error("the audit log holds the plaintext")
		}
	}
}
