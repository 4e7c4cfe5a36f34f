package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLISeedBackupRestore: seed loads a seed file into a store through
// the CLI (twice changes nothing), backup writes the store to a file and
// to stdout, and restore into a new, empty store brings back every key
// and alias: a ciphertext made before the backup decrypts from the
// restored store, and a restore into a store that is not empty is
// refused.
func TestCLISeedBackupRestore(t *testing.T) {
	r := newCLIRun(t)
	seedPath, err := filepath.Abs(testSeed)
	if err != nil {
		t.Fatal(err)
	}
	r.ok("seed", seedPath)
	r.ok("seed", seedPath)
	if got := strings.TrimSpace(r.ok("list-keys", "--query", "length(Keys)")); got != "4" {
		t.Fatalf("after seeding twice, %s keys; want the seed's 4", got)
	}
	r.write("plain.bin", []byte("backed up"))
	ct := r.ok("encrypt", "--key-id", "alias/golden", "--plaintext", "fileb://plain.bin", "--query", "CiphertextBlob", "--output", "text")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ct))
	if err != nil {
		t.Fatal(err)
	}
	r.write("cipher.bin", raw)
	r.ok("create-alias", "--alias-name", "alias/after-seed", "--target-key-id", seedKeyID)

	r.ok("backup", "store.bak")
	toStdout := r.ok("backup")
	fromFile, err := os.ReadFile(filepath.Join(r.dir, "store.bak"))
	if err != nil || len(fromFile) == 0 || len(toStdout) == 0 {
		t.Fatalf("backup wrote %d bytes to the file (%v), %d to stdout", len(fromFile), err, len(toStdout))
	}
	if _, _, code := r.run(nil, "backup", "store.bak"); code == 0 {
		t.Error("backup over an existing file succeeded; want it refused")
	}

	for i, restore := range []struct {
		args  []string
		stdin []byte
	}{
		{[]string{"restore", "store.bak"}, nil},
		{[]string{"restore"}, []byte(toStdout)},
	} {
		dir := filepath.Join(r.dir, "restored"+string(rune('a'+i)))
		args := append(append([]string{}, restore.args...), "--store", dir)
		if out, stderr, code := r.run(restore.stdin, args...); code != 0 {
			t.Fatalf("%v: exit status %d\n%s%s", restore.args, code, out, stderr)
		}
		out := r.ok("decrypt", "--store", dir, "--ciphertext-blob", "fileb://cipher.bin", "--query", "Plaintext", "--output", "text")
		if pt, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(out)); string(pt) != "backed up" {
			t.Errorf("%v: decrypt from the restored store printed %q", restore.args, out)
		}
		if got := r.ok("list-aliases", "--store", dir, "--key-id", seedKeyID, "--query", "Aliases[].AliasName", "--output", "text"); got != "alias/after-seed\talias/golden\n" {
			t.Errorf("%v: the restored store's aliases of the golden key: %q", restore.args, got)
		}
		if _, stderr, code := r.run(nil, args...); code == 0 || !strings.Contains(stderr, "not empty") {
			t.Errorf("%v again into the restored store: exit status %d, %q; want it refused", restore.args, code, stderr)
		}
	}

	// A seed that contradicts the store: refused, naming the entry.
	text, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	r.write("conflict.yaml", bytes.Replace(text, []byte("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="), []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), 1))
	if _, stderr, code := r.run(nil, "seed", "conflict.yaml"); code != exitOther || !strings.Contains(stderr, "keyMaterial: conflicts with what the store holds") {
		t.Errorf("a conflicting seed: exit status %d, %q", code, stderr)
	}
}

// TestCLIRewrapRootKey: rewrap-root-key moves a store to a new root key;
// afterwards the old root key is refused (exit status 253, as an invalid
// configuration) and the new one reads every key, whose ciphertexts still
// decrypt.
func TestCLIRewrapRootKey(t *testing.T) {
	r := newCLIRun(t)
	seedPath, _ := filepath.Abs(testSeed)
	r.ok("seed", seedPath)
	r.write("plain.bin", []byte("rewrapped"))
	ct := r.ok("encrypt", "--key-id", "alias/golden", "--plaintext", "fileb://plain.bin", "--query", "CiphertextBlob", "--output", "text")
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(ct))
	r.write("cipher.bin", raw)

	newKey := bytes.Repeat([]byte{8}, 32)
	r.write("new.key", newKey)
	if _, stderr, code := r.run(nil, "rewrap-root-key"); code != exitUsage || !strings.Contains(stderr, "needs the new root key") {
		t.Errorf("rewrap-root-key without a new key: exit status %d, %q", code, stderr)
	}
	r.ok("rewrap-root-key", "--new-root-key-file", "new.key")

	if _, stderr, code := r.run(nil, "list-keys"); code != exitConfig || !strings.Contains(stderr, "the root key is not the one store") {
		t.Errorf("the old root key after rewrap: exit status %d, %q; want 253", code, stderr)
	}
	r.env = append(r.env, rootKeyEnv+"="+base64.StdEncoding.EncodeToString(newKey))
	out := r.ok("decrypt", "--ciphertext-blob", "fileb://cipher.bin", "--query", "Plaintext", "--output", "text")
	if pt, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(out)); string(pt) != "rewrapped" {
		t.Errorf("decrypt under the new root key printed %q", out)
	}
	if got := strings.TrimSpace(r.ok("list-keys", "--query", "length(Keys)")); got != "4" {
		t.Errorf("under the new root key: %s keys, want 4", got)
	}
}

// TestProgressBar: the bar is drawn in place with the count, redrawn only
// when it moves, and ended with a newline at the total.
func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := progressBar(&b, "seeding")
	p(0, 4)
	p(1, 4)
	p(1, 4) // no move: not redrawn
	p(4, 4)
	want := "\rseeding [>                             ] 0/4" +
		"\rseeding [=======>                      ] 1/4" +
		"\rseeding [==============================] 4/4\n"
	if b.String() != want {
		t.Errorf("progress bar drew %q, want %q", b.String(), want)
	}
}

// TestCLIHelp: `embedkms help` lists every operation subcommand and every
// local one; `embedkms <operation> help` lists its parameters as
// --kebab-case flags, required ones marked.
func TestCLIHelp(t *testing.T) {
	r := newCLIRun(t)
	help := r.ok("help")
	for _, name := range append(commandNames(), "rewrap-root-key", "backup", "restore", "seed") {
		if !strings.Contains(help, "\t"+name+"\n") && !strings.Contains(help, "\t"+name+" ") {
			t.Errorf("embedkms help does not list %s", name)
		}
	}
	enc := r.ok("encrypt", "help")
	for _, want := range []string{"--key-id <string> (required)", "--plaintext <blob: base64 or fileb://FILE> (required)", "--encryption-context <k=v,k2=v2 or JSON>", "--dry-run | --no-dry-run"} {
		if !strings.Contains(enc, want) {
			t.Errorf("embedkms encrypt help lacks %q:\n%s", want, enc)
		}
	}
	if out := r.ok("backup", "help"); !strings.Contains(out, "embedkms backup [options] [FILE]") {
		t.Errorf("embedkms backup help: %q", out)
	}
}

// TestCLINoRootKey: a durable store without a root key, and stdin not a
// terminal to type a passphrase on, is an invalid configuration (253),
// saying how to give one; nothing is created.
func TestCLINoRootKey(t *testing.T) {
	r := newCLIRun(t, rootKeyEnv+"=")
	_, stderr, code := r.run(nil, "list-keys")
	if code != exitConfig || !strings.Contains(stderr, "needs its root key: give --root-key-file FILE, set EMBEDKMS_ROOT_KEY, or run on a terminal") {
		t.Errorf("no root key: exit status %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "store")); err == nil {
		t.Error("the store was created without a root key")
	}
}

// TestCLIIntOptions checks --max-items and --page-size refuse a value that
// is not an integer as the AWS CLI's argument parser does: a usage error
// (exit status 252) naming the option and the value.
func TestCLIIntOptions(t *testing.T) {
	r := newCLIRun(t)
	for _, opt := range []string{"--max-items", "--page-size"} {
		_, stderr, code := r.run(nil, "list-keys", opt, "ten")
		want := "embedkms: error: argument " + opt + ": invalid int value: 'ten'"
		if code != 252 || !strings.Contains(stderr, want) {
			t.Errorf("list-keys %s ten: exit %d, stderr %q; want 252 and %q", opt, code, stderr, want)
		}
	}
}
