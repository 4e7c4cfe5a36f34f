package kms

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzSeed feeds arbitrary text to the seed parser and the seed checks:
// they never panic, every error is a *SeedError, and a seed that applies
// applies again without error and without changing the number of keys,
// aliases and grants (idempotence).
func FuzzSeed(f *testing.F) {
	if b, err := os.ReadFile("testdata/seed.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"keys: []\n",
		"keys:\n  - id: 11111111-2222-4333-8444-555555555555\n",
		"keys:\n  - id: mrk-00112233445566778899aabbccddeeff\n    keySpec: HMAC_224\n    keyUsage: GENERATE_VERIFY_MAC\n    keyMaterial: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==\n",
		"keys:\n  - id: 11111111-2222-4333-8444-555555555555\n    policy: {Version: 2012-10-17, Statement: [{Effect: Allow, Principal: '*', Action: 'kms:*', Resource: '*'}]}\n",
		"keys:\n  - id: 11111111-2222-4333-8444-555555555555\naliases:\n  - {name: alias/a, targetKeyId: 11111111-2222-4333-8444-555555555555}\ngrants:\n  - {keyId: 11111111-2222-4333-8444-555555555555, granteePrincipal: 'arn:aws:iam::111122223333:role/r', operations: [Encrypt]}\n",
		"a: &a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := ParseSeed(bytes.NewReader(data))
		var se *SeedError
		if err != nil {
			if !errors.As(err, &se) {
				t.Fatalf("ParseSeed error %T %v is not a *SeedError", err, err)
			}
			return
		}
		k, err := New(Options{Clock: systemClockAt{}})
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		for _, key := range sf.Keys {
			if strings.HasPrefix(string(key.KeySpec), "RSA_") && key.KeyMaterial == nil {
				return // generating RSA keys is too slow to fuzz
			}
		}
		if err := k.ApplySeed(ctx, sf); err != nil {
			if !errors.As(err, &se) {
				t.Fatalf("ApplySeed error %T %v is not a *SeedError", err, err)
			}
			return
		}
		count := func() [3]int {
			keys, err := k.ListKeys(ctx, &ListKeysInput{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			al, err := k.ListAliases(ctx, &ListAliasesInput{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			grants := 0
			for _, key := range keys.Keys {
				g, err := k.ListGrants(ctx, &ListGrantsInput{KeyId: key.KeyId, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				grants += len(g.Grants)
			}
			return [3]int{len(keys.Keys), len(al.Aliases), grants}
		}
		before := count()
		if err := k.ApplySeed(ctx, sf); err != nil {
			t.Fatalf("applying a seed that applied again: %v", err)
		}
		if after := count(); after != before {
			t.Fatalf("applying a seed again changed the store: %v -> %v", before, after)
		}
	})
}

// systemClockAt is the system clock given as Options.Clock, so the
// fuzzed handles run no background goroutine.
type systemClockAt struct{ systemClock }
