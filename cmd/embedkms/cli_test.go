package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the CLI tests")

// cliClock is the fixed clock of the golden tests.
const cliClock = "2026-12-01T10:00:00.123Z"

// cliRun is a directory to run `embedkms` subcommands in, on one durable
// store.
type cliRun struct {
	t   *testing.T
	dir string
	env []string
}

func newCLIRun(t *testing.T, env ...string) *cliRun {
	dir := t.TempDir()
	return &cliRun{t: t, dir: dir, env: append([]string{
		"TZ=UTC",
		storeEnv + "=" + filepath.Join(dir, "store"),
		rootKeyEnv + "=" + rootKeyB64(7),
		clockEnv + "=" + cliClock,
	}, env...)}
}

// run runs `embedkms args...` in the directory and returns its stdout,
// stderr and exit status.
func (r *cliRun) run(stdin []byte, args ...string) (stdout, stderr string, code int) {
	r.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = r.dir
	var env []string
	for _, kv := range childEnv(r.env...) {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, storeEnv+"=") || slices.Contains(r.env, kv) {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		r.t.Fatalf("embedkms %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// ok runs the subcommand and fails the test unless it exits 0.
func (r *cliRun) ok(args ...string) string {
	r.t.Helper()
	out, stderr, code := r.run(nil, args...)
	if code != 0 {
		r.t.Fatalf("embedkms %s: exit status %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

func (r *cliRun) write(name string, b []byte) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), b, 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// member returns the string member name of a JSON object output.
func member(t *testing.T, out, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, out)
	}
	for _, part := range strings.Split(name, ".") {
		v, ok := m[part]
		if !ok {
			t.Fatalf("output has no %s:\n%s", name, out)
		}
		if s, ok := v.(string); ok {
			return s
		}
		m, _ = v.(map[string]any)
	}
	t.Fatalf("%s is not a string:\n%s", name, out)
	return ""
}

// blob returns the base64 member name of a JSON output, decoded.
func blob(t *testing.T, out, name string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(member(t, out, name))
	if err != nil {
		t.Fatalf("%s is not base64: %v", name, err)
	}
	return b
}

// normalizer replaces what differs from run to run (random key ids,
// material ids, grant ids, custom key store ids) by stable placeholders,
// numbered in order of appearance, and masks the members a step names as
// random (ciphertexts, data keys, ECDSA signatures).
type normalizer struct {
	seen map[string]string
	n    map[string]int
}

var (
	uuidRE = regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	mrkRE  = regexp.MustCompile(`\bmrk-[0-9a-f]{32}\b`)
	hexRE  = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	cksRE  = regexp.MustCompile(`\bcks-[0-9a-f]{17}\b`)
)

// stable are ids of the seed, kept as they are.
var stable = map[string]bool{
	"0b5f1a3e-7c2d-4e8f-9a6b-1c2d3e4f5a6b":                             true,
	"6c1e2d3f-4a5b-4c6d-8e7f-8091a2b3c4d5":                             true,
	"7d2f3e4a-5b6c-4d7e-9f80-91a2b3c4d5e6":                             true,
	"mrk-00112233445566778899aabbccddeeff":                             true,
	"5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed": true,
}

func (n *normalizer) normalize(s string, random []string) string {
	for _, m := range random {
		re := regexp.MustCompile(`("` + m + `": )"[^"]*"`)
		s = re.ReplaceAllString(s, `$1"<random base64>"`)
	}
	for _, r := range []struct {
		re   *regexp.Regexp
		kind string
	}{{mrkRE, "mrk"}, {uuidRE, "key"}, {hexRE, "hex"}, {cksRE, "cks"}} {
		s = r.re.ReplaceAllStringFunc(s, func(id string) string {
			if stable[id] || strings.HasPrefix(id, "mrk-") && r.kind == "key" {
				return id
			}
			if p, ok := n.seen[id]; ok {
				return p
			}
			n.n[r.kind]++
			p := fmt.Sprintf("<%s-%d>", r.kind, n.n[r.kind])
			n.seen[id] = p
			return p
		})
	}
	return s
}

// goldenStep is one command of the golden scenario.
type goldenStep struct {
	name   string // golden file testdata/cli/golden/<name>.txt
	args   func(s *scenario) []string
	code   int      // expected exit status
	random []string // members whose values are random
	then   func(s *scenario, out string)
}

// scenario is the state the golden steps share.
type scenario struct {
	t    *testing.T
	r    *cliRun
	vars map[string]string
}

func fixed(args ...string) func(*scenario) []string {
	return func(*scenario) []string { return args }
}

const (
	symKey  = "0b5f1a3e-7c2d-4e8f-9a6b-1c2d3e4f5a6b"
	macKey  = "6c1e2d3f-4a5b-4c6d-8e7f-8091a2b3c4d5"
	signKey = "7d2f3e4a-5b6c-4d7e-9f80-91a2b3c4d5e6"
	mrkKey  = "mrk-00112233445566778899aabbccddeeff" // Disabled
	noKey   = "11111111-2222-4333-8444-555555555555"
)

// with is a step's arguments with variables of the scenario: {name}.
func with(args ...string) func(*scenario) []string {
	return func(s *scenario) []string {
		out := make([]string, len(args))
		for i, a := range args {
			out[i] = regexp.MustCompile(`\{[a-z0-9]+\}`).ReplaceAllStringFunc(a, func(v string) string {
				val, ok := s.vars[v[1:len(v)-1]]
				if !ok {
					s.t.Fatalf("no variable %s", v)
				}
				return val
			})
		}
		return out
	}
}

// capture saves the string member of a step's output as a variable.
func capture(variable, name string) func(*scenario, string) {
	return func(s *scenario, out string) { s.vars[variable] = member(s.t, out, name) }
}

// saveBlob writes the base64 member of a step's output to a file.
func saveBlob(file, name string) func(*scenario, string) {
	return func(s *scenario, out string) { s.r.write(file, blob(s.t, out, name)) }
}

// goldenSteps exercise every subcommand: its JSON output (or none) and
// an error, on the seed of testdata/seed.yaml.
var goldenSteps = []goldenStep{
	// Before any key with a random id: list outputs in a stable order.
	{name: "list-keys", args: fixed("list-keys")},
	{name: "list-keys-error", args: fixed("list-keys", "--limit", "0"), code: 252},
	{name: "page-max-items", args: fixed("list-keys", "--max-items", "2"), then: capture("token", "NextToken")},
	{name: "page-starting-token", args: with("list-keys", "--max-items", "2", "--starting-token", "{token}")},
	{name: "page-no-paginate", args: fixed("list-keys", "--no-paginate", "--limit", "1")},
	{name: "create-key", args: fixed("create-key", "--description", "cli golden", "--tags", "TagKey=team,TagValue=kms", "TagKey=env,TagValue=test"), then: capture("k1", "KeyMetadata.KeyId")},
	{name: "create-key-error", args: fixed("create-key", "--key-spec", "BOGUS"), code: 254},
	{name: "describe-key", args: fixed("describe-key", "--key-id", "alias/golden")},
	{name: "describe-key-error", args: fixed("describe-key", "--key-id", "alias/missing"), code: 254},
	{name: "create-alias", args: with("create-alias", "--alias-name", "alias/cli", "--target-key-id", "{k1}")},
	{name: "create-alias-error", args: with("create-alias", "--alias-name", "alias/cli", "--target-key-id", "{k1}"), code: 254},
	{name: "update-alias", args: fixed("update-alias", "--alias-name", "alias/cli", "--target-key-id", symKey)},
	{name: "update-alias-error", args: fixed("update-alias", "--alias-name", "alias/missing", "--target-key-id", symKey), code: 254},
	{name: "list-aliases", args: fixed("list-aliases", "--key-id", symKey)},
	{name: "list-aliases-error", args: fixed("list-aliases", "--key-id", noKey), code: 254},
	{name: "delete-alias", args: fixed("delete-alias", "--alias-name", "alias/cli")},
	{name: "delete-alias-error", args: fixed("delete-alias", "--alias-name", "alias/cli"), code: 254},
	{name: "encrypt", args: fixed("encrypt", "--key-id", "alias/golden", "--plaintext", "fileb://plain.bin", "--encryption-context", "purpose=golden"), random: []string{"CiphertextBlob"}, then: saveBlob("cipher.bin", "CiphertextBlob")},
	{name: "encrypt-error", args: fixed("encrypt", "--key-id", mrkKey, "--plaintext", "aGVsbG8="), code: 254},
	{name: "decrypt", args: fixed("decrypt", "--ciphertext-blob", "fileb://cipher.bin", "--encryption-context", "purpose=golden")},
	{name: "decrypt-error", args: fixed("decrypt", "--ciphertext-blob", "fileb://cipher.bin", "--encryption-context", "purpose=other"), code: 254},
	{name: "re-encrypt", args: with("re-encrypt", "--ciphertext-blob", "fileb://cipher.bin", "--source-encryption-context", "purpose=golden", "--destination-key-id", "{k1}"), random: []string{"CiphertextBlob"}},
	{name: "re-encrypt-error", args: with("re-encrypt", "--ciphertext-blob", "fileb://cipher.bin", "--destination-key-id", "{k1}"), code: 254},
	{name: "generate-data-key", args: fixed("generate-data-key", "--key-id", "alias/golden", "--key-spec", "AES_256"), random: []string{"CiphertextBlob", "Plaintext"}},
	{name: "generate-data-key-error", args: fixed("generate-data-key", "--key-id", "alias/golden", "--key-spec", "AES_256", "--number-of-bytes", "32"), code: 254},
	{name: "generate-data-key-without-plaintext", args: fixed("generate-data-key-without-plaintext", "--key-id", "alias/golden", "--number-of-bytes", "64"), random: []string{"CiphertextBlob"}},
	{name: "generate-data-key-without-plaintext-error", args: fixed("generate-data-key-without-plaintext", "--key-id", "alias/golden"), code: 254},
	{name: "generate-data-key-pair", args: fixed("generate-data-key-pair", "--key-id", "alias/golden", "--key-pair-spec", "ECC_NIST_P256"), random: []string{"PrivateKeyCiphertextBlob", "PrivateKeyPlaintext", "PublicKey"}},
	{name: "generate-data-key-pair-error", args: fixed("generate-data-key-pair", "--key-id", "alias/signer", "--key-pair-spec", "ECC_NIST_P256"), code: 254},
	{name: "generate-data-key-pair-without-plaintext", args: fixed("generate-data-key-pair-without-plaintext", "--key-id", "alias/golden", "--key-pair-spec", "RSA_2048"), random: []string{"PrivateKeyCiphertextBlob", "PublicKey"}},
	{name: "generate-data-key-pair-without-plaintext-error", args: fixed("generate-data-key-pair-without-plaintext", "--key-id", "alias/golden", "--key-pair-spec", "BOGUS"), code: 254},
	{name: "generate-random", args: fixed("generate-random", "--number-of-bytes", "16"), random: []string{"Plaintext"}},
	{name: "generate-random-error", args: fixed("generate-random", "--number-of-bytes", "1025"), code: 254},
	{name: "generate-mac", args: fixed("generate-mac", "--key-id", macKey, "--mac-algorithm", "HMAC_SHA_256", "--message", "fileb://plain.bin"), then: saveBlob("mac.bin", "Mac")},
	{name: "generate-mac-error", args: fixed("generate-mac", "--key-id", "alias/golden", "--mac-algorithm", "HMAC_SHA_256", "--message", "fileb://plain.bin"), code: 254},
	{name: "verify-mac", args: fixed("verify-mac", "--key-id", macKey, "--mac-algorithm", "HMAC_SHA_256", "--message", "fileb://plain.bin", "--mac", "fileb://mac.bin")},
	{name: "verify-mac-error", args: fixed("verify-mac", "--key-id", macKey, "--mac-algorithm", "HMAC_SHA_256", "--message", "aGVsbG8=", "--mac", "fileb://mac.bin"), code: 254},
	{name: "sign", args: fixed("sign", "--key-id", "alias/signer", "--message", "fileb://plain.bin", "--signing-algorithm", "ECDSA_SHA_256"), random: []string{"Signature"}, then: saveBlob("sig.bin", "Signature")},
	{name: "sign-error", args: fixed("sign", "--key-id", "alias/signer", "--message", "fileb://plain.bin", "--signing-algorithm", "RSASSA_PSS_SHA_256"), code: 254},
	{name: "verify", args: fixed("verify", "--key-id", "alias/signer", "--message", "fileb://plain.bin", "--signature", "fileb://sig.bin", "--signing-algorithm", "ECDSA_SHA_256")},
	{name: "verify-error", args: fixed("verify", "--key-id", "alias/signer", "--message", "aGVsbG8=", "--signature", "fileb://sig.bin", "--signing-algorithm", "ECDSA_SHA_256"), code: 254},
	{name: "get-public-key", args: fixed("get-public-key", "--key-id", "alias/signer")},
	{name: "get-public-key-error", args: fixed("get-public-key", "--key-id", "alias/golden"), code: 254},
	{name: "create-key-agreement", args: fixed("create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "KEY_AGREEMENT"), then: capture("agree", "KeyMetadata.KeyId")},
	{name: "derive-shared-secret", args: with("derive-shared-secret", "--key-id", "{agree}", "--key-agreement-algorithm", "ECDH", "--public-key", "fileb://peer.der"), random: []string{"SharedSecret"}},
	{name: "derive-shared-secret-error", args: fixed("derive-shared-secret", "--key-id", "alias/golden", "--key-agreement-algorithm", "ECDH", "--public-key", "fileb://peer.der"), code: 254},
	{name: "create-key-kem", args: fixed("create-key", "--key-spec", "ML_KEM_768", "--key-usage", "ENCAPSULATE_DECAPSULATE"), then: capture("kem", "KeyMetadata.KeyId")},
	{name: "encapsulate", args: with("encapsulate", "--key-id", "{kem}", "--encapsulation-algorithm", "ML_KEM"), random: []string{"Ciphertext", "SharedSecret", "CiphertextBlob", "SharedSecretCiphertextBlob"}, then: func(s *scenario, out string) {
		var m map[string]any
		json.Unmarshal([]byte(out), &m)
		for k, v := range m {
			if str, ok := v.(string); ok && strings.Contains(strings.ToLower(k), "ciphertext") {
				b, _ := base64.StdEncoding.DecodeString(str)
				s.r.write("kem.bin", b)
			}
		}
	}},
	{name: "encapsulate-error", args: fixed("encapsulate", "--key-id", "alias/golden", "--encapsulation-algorithm", "ML_KEM"), code: 254},
	{name: "decapsulate", args: with("decapsulate", "--key-id", "{kem}", "--encapsulation-algorithm", "ML_KEM", "--shared-secret-ciphertext-blob", "fileb://kem.bin"), random: []string{"SharedSecret", "Plaintext"}},
	{name: "decapsulate-error", args: fixed("decapsulate", "--key-id", "alias/golden", "--encapsulation-algorithm", "ML_KEM", "--shared-secret-ciphertext-blob", "fileb://kem.bin"), code: 254},
	{name: "list-retirable-grants", args: fixed("list-retirable-grants", "--retiring-principal", "arn:aws:iam::111122223333:role/admin")},
	{name: "list-retirable-grants-error", args: fixed("list-retirable-grants", "--retiring-principal", "arn:aws:iam::111122223333:role/admin", "--limit", "0"), code: 252},
	{name: "create-grant", args: with("create-grant", "--key-id", "{k1}", "--grantee-principal", "arn:aws:iam::111122223333:role/app", "--retiring-principal", "arn:aws:iam::111122223333:role/admin", "--operations", "Encrypt", "Decrypt", "--constraints", "EncryptionContextSubset={purpose=golden}", "--name", "cli"), random: []string{"GrantToken"}, then: capture("grant", "GrantId")},
	{name: "create-grant-error", args: with("create-grant", "--key-id", "{k1}", "--grantee-principal", "arn:aws:iam::111122223333:role/app", "--operations", "Bogus"), code: 254},
	{name: "list-grants", args: fixed("list-grants", "--key-id", symKey)},
	{name: "list-grants-error", args: fixed("list-grants", "--key-id", noKey), code: 254},
	{name: "revoke-grant", args: with("revoke-grant", "--key-id", "{k1}", "--grant-id", "{grant}")},
	{name: "revoke-grant-error", args: with("revoke-grant", "--key-id", "{k1}", "--grant-id", "{grant}"), code: 254},
	{name: "retire-grant", args: fixed("retire-grant", "--key-id", symKey, "--grant-id", "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed")},
	{name: "retire-grant-error", args: fixed("retire-grant", "--key-id", symKey, "--grant-id", "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"), code: 254},
	{name: "get-key-policy", args: fixed("get-key-policy", "--key-id", symKey)},
	{name: "get-key-policy-error", args: fixed("get-key-policy", "--key-id", symKey, "--policy-name", "other"), code: 254},
	{name: "put-key-policy", args: with("put-key-policy", "--key-id", "{k1}", "--policy", "file://policy.json")},
	{name: "put-key-policy-error", args: with("put-key-policy", "--key-id", "{k1}", "--policy", "{not json"), code: 254},
	{name: "list-key-policies", args: with("list-key-policies", "--key-id", "{k1}")},
	{name: "list-key-policies-error", args: fixed("list-key-policies", "--key-id", noKey), code: 254},
	{name: "tag-resource", args: with("tag-resource", "--key-id", "{k1}", "--tags", "TagKey=owner,TagValue=cli")},
	{name: "tag-resource-error", args: with("tag-resource", "--key-id", "{k1}", "--tags", "TagKey=aws:reserved,TagValue=x"), code: 254},
	{name: "untag-resource", args: with("untag-resource", "--key-id", "{k1}", "--tag-keys", "env")},
	{name: "untag-resource-error", args: fixed("untag-resource", "--key-id", noKey, "--tag-keys", "env"), code: 254},
	{name: "list-resource-tags", args: with("list-resource-tags", "--key-id", "{k1}")},
	{name: "list-resource-tags-error", args: fixed("list-resource-tags", "--key-id", noKey), code: 254},
	{name: "update-key-description", args: with("update-key-description", "--key-id", "{k1}", "--description", "renamed")},
	{name: "update-key-description-error", args: fixed("update-key-description", "--key-id", noKey, "--description", "x"), code: 254},
	{name: "enable-key-rotation", args: with("enable-key-rotation", "--key-id", "{k1}", "--rotation-period-in-days", "90")},
	{name: "enable-key-rotation-error", args: fixed("enable-key-rotation", "--key-id", macKey), code: 254},
	{name: "get-key-rotation-status", args: with("get-key-rotation-status", "--key-id", "{k1}")},
	{name: "get-key-rotation-status-error", args: fixed("get-key-rotation-status", "--key-id", noKey), code: 254},
	{name: "rotate-key-on-demand", args: with("rotate-key-on-demand", "--key-id", "{k1}")},
	{name: "rotate-key-on-demand-error", args: fixed("rotate-key-on-demand", "--key-id", macKey), code: 254},
	{name: "list-key-rotations", args: with("list-key-rotations", "--key-id", "{k1}")},
	{name: "list-key-rotations-error", args: fixed("list-key-rotations", "--key-id", macKey), code: 254},
	{name: "disable-key-rotation", args: with("disable-key-rotation", "--key-id", "{k1}")},
	{name: "disable-key-rotation-error", args: fixed("disable-key-rotation", "--key-id", macKey), code: 254},
	{name: "get-key-last-usage", args: fixed("get-key-last-usage", "--key-id", symKey)},
	{name: "get-key-last-usage-error", args: fixed("get-key-last-usage", "--key-id", noKey), code: 254},
	{name: "disable-key", args: with("disable-key", "--key-id", "{k1}")},
	{name: "disable-key-error", args: fixed("disable-key", "--key-id", noKey), code: 254},
	{name: "enable-key", args: with("enable-key", "--key-id", "{k1}")},
	{name: "enable-key-error", args: fixed("enable-key", "--key-id", noKey), code: 254},
	{name: "schedule-key-deletion", args: with("schedule-key-deletion", "--key-id", "{k1}", "--pending-window-in-days", "7")},
	{name: "schedule-key-deletion-error", args: with("schedule-key-deletion", "--key-id", "{k1}", "--pending-window-in-days", "3"), code: 254},
	{name: "cancel-key-deletion", args: with("cancel-key-deletion", "--key-id", "{k1}")},
	{name: "cancel-key-deletion-error", args: with("cancel-key-deletion", "--key-id", "{k1}"), code: 254},
	{name: "create-key-external", args: fixed("create-key", "--origin", "EXTERNAL"), then: capture("ext", "KeyMetadata.KeyId")},
	{name: "get-parameters-for-import", args: with("get-parameters-for-import", "--key-id", "{ext}", "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048"), random: []string{"ImportToken", "PublicKey"}, then: wrapMaterial},
	{name: "get-parameters-for-import-error", args: fixed("get-parameters-for-import", "--key-id", symKey, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048"), code: 254},
	{name: "import-key-material", args: with("import-key-material", "--key-id", "{ext}", "--import-token", "fileb://token.bin", "--encrypted-key-material", "fileb://wrapped.bin", "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE")},
	{name: "import-key-material-error", args: with("import-key-material", "--key-id", "{ext}", "--import-token", "fileb://token.bin", "--encrypted-key-material", "aGVsbG8=", "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"), code: 254},
	{name: "delete-imported-key-material", args: with("delete-imported-key-material", "--key-id", "{ext}")},
	{name: "delete-imported-key-material-error", args: fixed("delete-imported-key-material", "--key-id", symKey), code: 254},
	{name: "create-key-multi-region", args: fixed("create-key", "--multi-region"), then: capture("mrk", "KeyMetadata.KeyId")},
	{name: "replicate-key", args: with("replicate-key", "--key-id", "{mrk}", "--replica-region", "eu-west-1")},
	{name: "replicate-key-error", args: fixed("replicate-key", "--key-id", symKey, "--replica-region", "eu-west-1"), code: 254},
	{name: "update-primary-region", args: with("update-primary-region", "--key-id", "{mrk}", "--primary-region", "eu-west-1")},
	{name: "update-primary-region-error", args: fixed("update-primary-region", "--key-id", symKey, "--primary-region", "eu-west-1"), code: 254},
	{name: "create-custom-key-store", args: fixed("create-custom-key-store", "--custom-key-store-name", "cli-xks", "--custom-key-store-type", "EXTERNAL_KEY_STORE",
		"--xks-proxy-connectivity", "VPC_ENDPOINT_SERVICE", "--xks-proxy-uri-endpoint", "https://myproxy-private.xks.example.com", "--xks-proxy-uri-path", "/kms/xks/v1",
		"--xks-proxy-vpc-endpoint-service-name", "com.amazonaws.vpce.us-east-1.vpce-svc-example1",
		"--xks-proxy-authentication-credential", "AccessKeyId=ABCDEFGHIJKLMNOPQRST,RawSecretAccessKey=DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo="), then: capture("cks", "CustomKeyStoreId")},
	{name: "create-custom-key-store-error", args: fixed("create-custom-key-store", "--custom-key-store-name", "cli-xks", "--cloud-hsm-cluster-id", "cluster-1a23b4cdefg", "--trust-anchor-certificate", "x", "--key-store-password", "kmsPswd1"), code: 254},
	{name: "describe-custom-key-stores", args: fixed("describe-custom-key-stores")},
	{name: "describe-custom-key-stores-error", args: fixed("describe-custom-key-stores", "--custom-key-store-id", "cks-1234567890abcdef0"), code: 254},
	{name: "update-custom-key-store", args: with("update-custom-key-store", "--custom-key-store-id", "{cks}", "--new-custom-key-store-name", "cli-xks-renamed"), code: 0},
	{name: "update-custom-key-store-error", args: fixed("update-custom-key-store", "--custom-key-store-id", "cks-1234567890abcdef0", "--new-custom-key-store-name", "x"), code: 254},
	{name: "connect-custom-key-store", args: with("connect-custom-key-store", "--custom-key-store-id", "{cks}")},
	{name: "connect-custom-key-store-error", args: fixed("connect-custom-key-store", "--custom-key-store-id", "cks-1234567890abcdef0"), code: 254},
	{name: "disconnect-custom-key-store", args: with("disconnect-custom-key-store", "--custom-key-store-id", "{cks}")},
	{name: "disconnect-custom-key-store-error", args: fixed("disconnect-custom-key-store", "--custom-key-store-id", "cks-1234567890abcdef0"), code: 254},
	{name: "delete-custom-key-store", args: with("delete-custom-key-store", "--custom-key-store-id", "{cks}")},
	{name: "delete-custom-key-store-error", args: with("delete-custom-key-store", "--custom-key-store-id", "{cks}"), code: 254},
	// The AWS CLI's own errors, before any request.
	{name: "usage-missing-required", args: fixed("encrypt", "--key-id", "alias/golden"), code: 252},
	{name: "usage-unknown-option", args: fixed("list-keys", "--bogus", "x"), code: 252},
	{name: "usage-invalid-base64", args: fixed("encrypt", "--key-id", "alias/golden", "--plaintext", "not base64!"), code: 252},
	{name: "usage-missing-file", args: fixed("encrypt", "--key-id", "alias/golden", "--plaintext", "fileb://missing.bin"), code: 252},
	{name: "usage-shorthand", args: fixed("encrypt", "--key-id", "alias/golden", "--plaintext", "aGVsbG8=", "--encryption-context", "a"), code: 252},
	{name: "usage-unknown-member", args: fixed("create-key", "--tags", "TagKey=a,Foo=b"), code: 252},
	{name: "usage-int", args: fixed("list-keys", "--limit", "x"), code: 252},
	{name: "usage-dry-run", args: fixed("encrypt", "--key-id", "alias/golden", "--plaintext", "aGVsbG8=", "--dry-run"), code: 254},
	// Text output and pagination.
	{name: "text-describe-key", args: fixed("describe-key", "--key-id", "alias/golden", "--output", "text")},
	{name: "text-list-aliases", args: fixed("list-aliases", "--key-id", symKey, "--output", "text")},
	{name: "page-size", args: fixed("list-aliases", "--page-size", "1", "--query", "length(Aliases)")},
	{name: "query-text", args: fixed("list-aliases", "--key-id", symKey, "--query", "Aliases[].AliasName", "--output", "text")},
	{name: "cli-input-json", args: fixed("describe-key", "--cli-input-json", `{"KeyId": "alias/signer"}`, "--query", "KeyMetadata.KeyId")},
	{name: "skeleton-create-grant", args: fixed("create-grant", "--generate-cli-skeleton")},
	{name: "skeleton-encrypt-output", args: fixed("encrypt", "--generate-cli-skeleton", "output")},
	{name: "cli-input-json-file", args: fixed("describe-key", "--cli-input-json", "file://input.json", "--query", "KeyMetadata.KeySpec")},
}

// wrapMaterial wraps 32 bytes of key material under the public key
// get-parameters-for-import returned, for import-key-material.
func wrapMaterial(s *scenario, out string) {
	pub, err := x509.ParsePKIXPublicKey(blob(s.t, out, "PublicKey"))
	if err != nil {
		s.t.Fatal(err)
	}
	material := bytes.Repeat([]byte{0x42}, 32)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	s.r.write("wrapped.bin", wrapped)
	s.r.write("token.bin", blob(s.t, out, "ImportToken"))
}

// TestCLIGolden runs every operation subcommand, once to succeed and once
// to fail, on a seeded store with a fixed clock, and compares what it
// prints (stdout, stderr, exit status) with testdata/cli/golden: the JSON
// output as the AWS CLI v2 prints it, and the error text and exit status
// the AWS CLI gives (254 for a service error, 252 for a command line it
// refuses). Run with -update to rewrite the golden files.
func TestCLIGolden(t *testing.T) {
	r := newCLIRun(t)
	seedPath, err := filepath.Abs(testSeed)
	if err != nil {
		t.Fatal(err)
	}
	r.ok("seed", seedPath)
	setupFiles(t, r)
	s := &scenario{t: t, r: r, vars: map[string]string{}}
	n := &normalizer{seen: map[string]string{}, n: map[string]int{}}
	covered := map[string]bool{}
	for _, st := range goldenSteps {
		args := st.args(s)
		stdout, stderr, code := r.run(nil, args...)
		if code != st.code {
			t.Errorf("%s: embedkms %s: exit status %d, want %d\n%s%s", st.name, strings.Join(args, " "), code, st.code, stdout, stderr)
			continue
		}
		if code == 0 && st.then != nil {
			st.then(s, stdout)
		}
		covered[args[0]] = true
		got := n.normalize("$ embedkms "+shellJoin(args)+"\n", nil) +
			fmt.Sprintf("exit status %d\n--- stdout\n%s--- stderr\n%s", code, n.normalize(stdout, st.random), n.normalize(stderr, nil))
		path := filepath.Join("testdata", "cli", "golden", st.name+".txt")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run with -update)", st.name, err)
			continue
		}
		if got != string(want) {
			t.Errorf("%s: output differs from %s\ngot:\n%s\nwant:\n%s", st.name, path, got, want)
		}
	}
	for _, name := range commandNames() {
		if !covered[name] {
			t.Errorf("no golden step runs %s", name)
		}
	}
}

// setupFiles writes the input files the golden steps name.
func setupFiles(t *testing.T, r *cliRun) {
	r.write("plain.bin", []byte("embedkms golden\x00\xff"))
	r.write("policy.json", []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`))
	r.write("input.json", []byte(`{"KeyId": "alias/signer"}`))
	peer, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	r.write("peer.der", der)
}

// shellJoin quotes args as a shell would need them.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"{}[]!$&*;<>?|\\`") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
