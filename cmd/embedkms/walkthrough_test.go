package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const (
	walkthroughStart = "<!-- cli-walkthrough -->"
	walkthroughEnd   = "<!-- /cli-walkthrough -->"
)

// walkthroughCommands returns the command lines of the ```sh blocks of the
// CLI walkthrough: README.md's section when README.md has one, else
// testdata/walkthrough.md's.
func walkthroughCommands(t *testing.T) (source string, lines []string) {
	t.Helper()
	for _, source = range []string{filepath.Join("..", "..", "README.md"), filepath.Join("testdata", "walkthrough.md")} {
		b, err := os.ReadFile(source)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), walkthroughStart)
		if !ok {
			continue
		}
		section, _, ok := strings.Cut(rest, walkthroughEnd)
		if !ok {
			t.Fatalf("%s: %s without %s", source, walkthroughStart, walkthroughEnd)
		}
		for _, block := range strings.Split(section, "```sh\n")[1:] {
			code, _, _ := strings.Cut(block, "```")
			for _, l := range strings.Split(code, "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					lines = append(lines, l)
				}
			}
		}
		return source, lines
	}
	t.Fatal("no CLI walkthrough section")
	return "", nil
}

// shellWords splits a command line as sh does for the walkthrough's
// commands: words, 'single' and "double" quotes, $VAR expansion.
func shellWords(line string, vars map[string]string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(s string) string {
		return regexp.MustCompile(`\$[A-Z_]+`).ReplaceAllStringFunc(s, func(v string) string { return vars[v[1:]] })
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			cur.WriteString(expand(line[i+1 : i+1+j]))
			i += j + 1
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '$':
			j := i + 1
			for j < len(line) && (line[j] == '_' || line[j] >= 'A' && line[j] <= 'Z') {
				j++
			}
			cur.WriteString(vars[line[i+1:j]])
			i = j - 1
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// walkStep is what one walkthrough command printed.
type walkStep struct {
	line   string
	stdout string
}

// runWalkthrough runs the walkthrough's lines in dir: `embedkms ARGS` runs
// run(ARGS); NAME=$(...) captures its output; `| base64 --decode > FILE`
// and `> FILE` write its output to a file; printf 'x' > FILE writes x; a
// command commented "# fails: Code" must exit 254 with that error code.
func runWalkthrough(t *testing.T, dir string, lines []string, run func(env map[string]string, args []string) (string, string, int)) []walkStep {
	t.Helper()
	vars := map[string]string{}
	env := map[string]string{}
	var steps []walkStep
	for _, line := range lines {
		cmd, comment, _ := strings.Cut(line, "#")
		cmd = strings.TrimSpace(cmd)
		wantFail := ""
		if c, ok := strings.CutPrefix(strings.TrimSpace(comment), "fails: "); ok {
			wantFail = c
		}
		if rest, ok := strings.CutPrefix(cmd, "export "); ok {
			name, val, _ := strings.Cut(rest, "=")
			env[name] = strings.TrimSpace(val)
			continue
		}
		capture := ""
		if m := regexp.MustCompile(`^([A-Z_]+)=\$\((.*)\)$`).FindStringSubmatch(cmd); m != nil {
			capture, cmd = m[1], m[2]
		}
		outFile, decode := "", false
		if before, file, ok := strings.Cut(cmd, " | base64 --decode > "); ok {
			cmd, outFile, decode = before, strings.TrimSpace(file), true
		} else if before, file, ok := strings.Cut(cmd, " > "); ok {
			cmd, outFile = before, strings.TrimSpace(file)
		}
		words := shellWords(cmd, vars)
		var stdout, stderr string
		var code int
		switch words[0] {
		case "printf":
			stdout = words[1]
		case "embedkms":
			stdout, stderr, code = run(env, words[1:])
		default:
			t.Fatalf("walkthrough: cannot run %q", line)
		}
		switch {
		case wantFail != "":
			if code != 254 || !strings.Contains(stderr, "An error occurred ("+wantFail+")") {
				t.Errorf("walkthrough %q: exit status %d, stderr %q; want 254 and %s", line, code, stderr, wantFail)
			}
		case code != 0:
			t.Fatalf("walkthrough %q: exit status %d\n%s", line, code, stderr)
		}
		if capture != "" {
			vars[capture] = strings.TrimSpace(stdout)
		}
		if outFile != "" {
			data := []byte(stdout)
			if decode {
				var err error
				if data, err = base64.StdEncoding.DecodeString(strings.TrimSpace(stdout)); err != nil {
					t.Fatalf("walkthrough %q: output is not base64: %q", line, stdout)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, outFile), data, 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		steps = append(steps, walkStep{line: line, stdout: stdout})
	}
	return steps
}

// TestCLIWalkthrough runs the CLI walkthrough (README.md's section, or
// testdata/walkthrough.md until README.md has it) against the built
// binary: every command succeeds, or fails as its comment says, and the
// plaintext decrypted is the one encrypted.
func TestCLIWalkthrough(t *testing.T) {
	source, lines := walkthroughCommands(t)
	r := newCLIRun(t)
	steps := runWalkthrough(t, r.dir, lines, func(env map[string]string, args []string) (string, string, int) {
		saved := r.env
		defer func() { r.env = saved }()
		for k, v := range env {
			if k == storeEnv {
				v = filepath.Join(r.dir, v)
			}
			r.env = append(r.env, k+"="+v)
		}
		return r.run(nil, args...)
	})
	var decrypted bool
	for _, s := range steps {
		if strings.HasPrefix(s.line, "embedkms decrypt") && !strings.Contains(s.line, "fails:") {
			decrypted = true
			if pt := member(t, s.stdout, "Plaintext"); pt != base64.StdEncoding.EncodeToString([]byte("db-password")) {
				t.Errorf("%s: decrypt printed Plaintext %q", source, pt)
			}
		}
	}
	if !decrypted || len(steps) < 10 {
		t.Errorf("%s: the walkthrough ran %d commands, decrypt: %v", source, len(steps), decrypted)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "kms-store")); err != nil {
		t.Errorf("the walkthrough's store is not where EMBEDKMS_STORE says: %v", err)
	}
}

var (
	isoDateRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d`)
	base64RE  = regexp.MustCompile(`[A-Za-z0-9+/]{40,}={0,2}`)
)

// normalizeRun replaces what differs between two runs of the same
// commands: key ids, material ids, dates and ciphertexts.
func normalizeRun(s string) string {
	s = mrkRE.ReplaceAllString(s, "<mrk>")
	s = uuidRE.ReplaceAllString(s, "<uuid>")
	s = hexRE.ReplaceAllString(s, "<hex>")
	s = isoDateRE.ReplaceAllString(s, "<date>")
	return base64RE.ReplaceAllString(s, "<base64>")
}

// TestCLIWalkthroughMatchesAWSCLI runs the walkthrough twice: with the
// built binary on a store, and with the real AWS CLI (aws kms
// --endpoint-url) against embedkms serve. Every command prints the same,
// modulo ids, ARNs, dates and ciphertexts. The installed AWS CLI may be
// version 1: it is told to print timestamps as ISO 8601, as version 2
// does by default, and its exit status 255 for a service error counts as
// version 2's 254. The error text is the same in both.
func TestCLIWalkthroughMatchesAWSCLI(t *testing.T) {
	aws := newCLI(t)
	if err := os.WriteFile(filepath.Join(aws.dir, "config"), []byte("[default]\ncli_timestamp_format = iso8601\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, lines := walkthroughCommands(t)
	srv := start(t, nil)
	viaAWS := runWalkthrough(t, aws.dir, lines, func(_ map[string]string, args []string) (string, string, int) {
		stdout, stderr, code := aws.run(append(args, "--endpoint-url", srv.endpoint)...)
		if code == 255 && strings.HasPrefix(stderr, "\nAn error occurred (") {
			code = 254 // AWS CLI version 1's status for a service error
		}
		return stdout, stderr, code
	})
	srv.stop()

	r := newCLIRun(t)
	viaCLI := runWalkthrough(t, r.dir, lines, func(env map[string]string, args []string) (string, string, int) {
		saved := r.env
		defer func() { r.env = saved }()
		for k, v := range env {
			if k == storeEnv {
				v = filepath.Join(r.dir, v)
			}
			r.env = append(r.env, k+"="+v)
		}
		return r.run(nil, args...)
	})
	if len(viaAWS) != len(viaCLI) {
		t.Fatalf("%d commands through the AWS CLI, %d through embedkms", len(viaAWS), len(viaCLI))
	}
	for i := range viaAWS {
		if a, e := normalizeRun(viaAWS[i].stdout), normalizeRun(viaCLI[i].stdout); a != e {
			t.Errorf("%s:\naws kms printed:\n%s\nembedkms printed:\n%s", viaAWS[i].line, a, e)
		}
	}
}
