package main

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
)

// The repository's test seed and the ciphertext frozen under its first
// key (see the root package's seed_test.go).
const (
	testSeed   = "../../testdata/seed.yaml"
	seedKeyID  = "0b5f1a3e-7c2d-4e8f-9a6b-1c2d3e4f5a6b"
	goldenBlob = "020c3131313132323232333333330975732d656173742d312430623566316133652d376332642d346538662d396136622d3163326433653466356136625aa049d2f19a44beea710d73485355cd42f65a34b54a8102ed793fc769164ab17dc1eada5e13f55d33308972a55ce6fa010cb5287950d273ba6ad50335fd1cfe2ae9168cd22feb227ae7f6849f55c13f88cde5cee88574e8a7e15b198ee72fee58ecee"
)

// decryptGolden decrypts the frozen ciphertext over the wire.
func decryptGolden(t *testing.T, c *awskms.Client) {
	t.Helper()
	blob, _ := hex.DecodeString(goldenBlob)
	out, err := c.Decrypt(context.Background(), &awskms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"purpose": "golden"}})
	if err != nil {
		t.Fatalf("Decrypt of the golden blob: %v", err)
	}
	if string(out.Plaintext) != "embedkms seed golden vector" || aws.ToString(out.KeyId) != "arn:aws:kms:us-east-1:111122223333:key/"+seedKeyID {
		t.Fatalf("Decrypt of the golden blob = %q under %s", out.Plaintext, aws.ToString(out.KeyId))
	}
}

// TestServeSeed: `embedkms serve -seed FILE` serves the seed's keys,
// aliases and grants in -account and -region (another Region stays
// empty), and a ciphertext frozen under a seeded key decrypts over the
// wire. On a durable store, every start seeds again: nothing is added
// twice and the key still decrypts. A seed that is invalid, missing or
// contradicts the store stops the server before it serves, saying which
// entry and field, and writes nothing.
func TestServeSeed(t *testing.T) {
	ctx := context.Background()
	s := start(t, nil, "-seed", testSeed)
	c := s.client("us-east-1")
	decryptGolden(t, c)
	d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String("alias/golden")})
	if err != nil || aws.ToString(d.KeyMetadata.KeyId) != seedKeyID || aws.ToString(d.KeyMetadata.Description) != "golden" {
		t.Fatalf("DescribeKey alias/golden = %+v, %v", d, err)
	}
	g, err := c.ListGrants(ctx, &awskms.ListGrantsInput{KeyId: aws.String(seedKeyID)})
	if err != nil || len(g.Grants) != 1 || aws.ToString(g.Grants[0].Name) != "app-decrypt" {
		t.Fatalf("ListGrants = %+v, %v", g, err)
	}
	if keys, err := s.client("us-west-2").ListKeys(ctx, &awskms.ListKeysInput{}); err != nil || len(keys.Keys) != 0 {
		t.Fatalf("us-west-2 ListKeys = %+v, %v; the seed loads into -region only", keys, err)
	}
	if !strings.Contains(s.stderr.String(), `"msg":"seeded","file":"`+testSeed+`"`) {
		t.Errorf("no seeded line:\n%s", s.stderr)
	}
	s.stop()

	// A durable store, seeded at every start.
	dir := filepath.Join(t.TempDir(), "store")
	env := []string{rootKeyEnv + "=" + rootKeyB64(9)}
	args := []string{"-store", dir, "-engine", "file", "-seed", testSeed}
	for run := range 2 {
		s := start(t, env, args...)
		c := s.client("us-east-1")
		decryptGolden(t, c)
		keys, err := c.ListKeys(ctx, &awskms.ListKeysInput{})
		if err != nil || len(keys.Keys) != 4 {
			t.Fatalf("start %d: ListKeys = %d keys, %v; want the seed's 4", run+1, len(keys.Keys), err)
		}
		al, err := c.ListAliases(ctx, &awskms.ListAliasesInput{})
		if err != nil {
			t.Fatalf("start %d: ListAliases: %v\nserver:\n%s", run+1, err, s.stderr)
		}
		// Besides the seed's 2, ListAliases lists the predefined
		// alias/aws/* aliases, without a target key.
		seeded := withTarget(al.Aliases)
		if err != nil || seeded != 2 || len(al.Aliases) != 2+len(kms.ManagedKeyServices()) {
			t.Fatalf("start %d: ListAliases = %d aliases (%d with a key), %v; want the seed's 2 and the predefined ones", run+1, len(al.Aliases), seeded, err)
		}
		s.stop()
	}

	seedText, err := os.ReadFile(testSeed)
	if err != nil {
		t.Fatal(err)
	}
	write := func(text string) string {
		p := filepath.Join(t.TempDir(), "seed.yaml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Other material for the HMAC key, and an alias more.
	conflicting := write(strings.Replace(strings.Replace(string(seedText),
		"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1),
		"aliases:\n", "aliases:\n  - {name: alias/extra, targetKeyId: "+seedKeyID+"}\n", 1))
	invalid := write("keys:\n  - id: 11111111-2222-4333-8444-555555555555\n    keyMaterial: AAAA\n")
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"invalid", nil, []string{"-seed", invalid}, `-seed ` + invalid + `: seed: keys[0] "11111111-2222-4333-8444-555555555555", line 2: keyMaterial: 3 bytes; SYMMETRIC_DEFAULT material is 32 bytes`},
		{"missing", nil, []string{"-seed", invalid + ".missing"}, "-seed: open " + invalid + ".missing"},
		{"conflicting", env, []string{"-store", dir, "-engine", "file", "-seed", conflicting}, `keys[2] "6c1e2d3f-4a5b-4c6d-8e7f-8091a2b3c4d5", line 21: keyMaterial: conflicts with what the store holds`},
	} {
		code, _, stderr := runExit(t, tt.env, append([]string{"serve", "-addr", "127.0.0.1:0"}, tt.args...)...)
		if code != 1 || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, `"msg":"serving"`) {
			t.Errorf("%s seed: status %d, stderr %q; want status 1 before serving, with %q", tt.name, code, stderr, tt.want)
		}
	}
	// The refused seed wrote nothing.
	s = start(t, env, "-store", dir, "-engine", "file")
	al, err := s.client("us-east-1").ListAliases(ctx, &awskms.ListAliasesInput{})
	if err != nil || withTarget(al.Aliases) != 2 {
		t.Fatalf("after a refused seed: %d aliases with a key, %v; want the first seed's 2", withTarget(al.Aliases), err)
	}
	s.stop()
}

// withTarget counts the aliases that point at a key (ListAliases also lists
// the predefined alias/aws/* aliases of AWS managed keys not created yet).
func withTarget(as []types.AliasListEntry) int {
	n := 0
	for _, a := range as {
		if a.TargetKeyId != nil {
			n++
		}
	}
	return n
}
