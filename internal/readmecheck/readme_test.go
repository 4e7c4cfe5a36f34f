// Package readmecheck compiles every Go code block of the module's
// README.md, so the README cannot show code that no longer builds.
//
// A block that parses as a whole Go file (it has a package clause) is
// compiled as its own package: with `go test -c` when it declares Test or
// Example functions, with `go build` otherwise. A block of top-level
// declarations (func TestX(t *testing.T) {...}) is compiled the same way
// with a package clause and the imports its identifiers name (the table
// below). Any other block is a fragment: it is compiled as the body of
//
//	func _(ctx context.Context, t *testing.T, k *kms.KMS)
//
// in a block of its own (so it may declare its own k), with the imports its
// identifiers name, from the table below (so the SDK's kms package is
// written awskms in fragments, and ours kms). A fragment must use what it
// declares, as any Go function body must.
//
// The blocks are compiled in place through go's -overlay flag, as packages
// under this directory that exist only in the overlay: nothing is written
// into the module.
package readmecheck

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
)

// fragmentImports maps the package names a fragment may use to their
// import paths.
var fragmentImports = map[string]string{
	"kms":      "github.com/embedkms/kms",
	"awsapi":   "github.com/embedkms/kms/awsapi",
	"kmstest":  "github.com/embedkms/kms/kmstest",
	"keystore": "github.com/embedkms/kms/keystore",
	"backend":  "github.com/embedkms/kms/backend",
	"badger":   "github.com/embedkms/kms/backend/badger",
	"file":     "github.com/embedkms/kms/backend/file",
	"memory":   "github.com/embedkms/kms/backend/memory",
	"postgres": "github.com/embedkms/kms/backend/postgres",
	"policy":   "github.com/embedkms/kms/policy",
	"tinkkms":  "github.com/embedkms/kms/tinkkms",
	"aws":      "github.com/aws/aws-sdk-go-v2/aws",
	"awskms":   "github.com/aws/aws-sdk-go-v2/service/kms",
	"types":    "github.com/aws/aws-sdk-go-v2/service/kms/types",
	"bytes":    "bytes",
	"context":  "context",
	"exec":     "os/exec",
	"testing":  "testing",
	"errors":   "errors",
	"fmt":      "fmt",
	"http":     "net/http",
	"io":       "io",
	"log":      "log",
	"os":       "os",
	"slog":     "log/slog",
	"strings":  "strings",
	"time":     "time",
}

// block is one fenced Go code block of the README.
type block struct {
	line int // 1-based line of its opening fence
	code string
}

// goBlocks returns the ```go blocks of the markdown file at path.
func goBlocks(t *testing.T, path string) []block { return fenced(t, path, "go") }

// fenced returns the blocks of the markdown file at path fenced as
// ```lang.
func fenced(t *testing.T, path, lang string) []block {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		blocks []block
		cur    *block
		body   strings.Builder
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```"+lang:
			cur = &block{line: n}
			body.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.code = body.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: a ```%s block is never closed", path, cur.line, lang)
	}
	return blocks
}

// qualifiers returns the identifiers x of the selectors x.y in code, in
// code only (not in comments or strings).
func qualifiers(code string) []string {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("block.go", -1, len(code)), []byte(code), nil, 0)
	var names []string
	var prev [2]string // the two tokens before this one: an identifier and "."
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return names
		}
		if tok == token.IDENT && prev[1] == "." && prev[0] != "" {
			names = append(names, prev[0])
		}
		switch tok {
		case token.IDENT:
			prev = [2]string{prev[1], lit}
		case token.PERIOD:
			prev = [2]string{prev[1], "."}
		default:
			prev = [2]string{prev[1], ""}
		}
	}
}

// source returns the Go file that compiles b, and whether it is a test
// file.
func source(b block) (code string, test bool) {
	tests := regexp.MustCompile(`(?m)^func (Test|Example|Benchmark|Fuzz)`).MatchString(b.code)
	if _, err := parser.ParseFile(token.NewFileSet(), "block.go", b.code, parser.PackageClauseOnly); err == nil {
		return b.code, tests
	}
	used := map[string]bool{}
	for _, name := range qualifiers(b.code) {
		if _, ok := fragmentImports[name]; ok {
			used[name] = true
		}
	}
	// Top-level declarations (func TestX(t *testing.T) {...}) make a file
	// of their own; anything else is a function body.
	_, err := parser.ParseFile(token.NewFileSet(), "block.go", "package p\n"+b.code, parser.SkipObjectResolution)
	decls := err == nil
	if !decls {
		used["context"], used["testing"], used["kms"] = true, true, true
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	var s strings.Builder
	s.WriteString("package readmeblock\n\n")
	if len(names) > 0 {
		s.WriteString("import (\n")
		for _, n := range names {
			fmt.Fprintf(&s, "\t%s %q\n", n, fragmentImports[n])
		}
		s.WriteString(")\n\n")
	}
	if decls {
		s.WriteString(b.code)
		return s.String(), tests
	}
	s.WriteString("// The parameters may go unused.\n")
	s.WriteString("func _(ctx context.Context, t *testing.T, k *kms.KMS) {\n\t_, _, _ = ctx, t, k\n\t{\n")
	s.WriteString(b.code)
	s.WriteString("\t}\n}\n")
	return s.String(), false
}

// TestREADMEGoBlocksCompile compiles every Go block of README.md.
func TestREADMEGoBlocksCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the README's blocks with the go command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(t, filepath.Join(root, "README.md"))
	if len(blocks) < 3 {
		t.Fatalf("README.md has %d Go blocks; this test expects the quickstart and the other examples", len(blocks))
	}
	tmp := t.TempDir()
	for i, b := range blocks {
		code, test := source(b)
		name := "block.go"
		if test {
			name = "block_test.go"
		}
		src := filepath.Join(tmp, fmt.Sprintf("%02d.go", i))
		if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := fmt.Sprintf("internal/readmecheck/line%04d", b.line)
		overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, dir, name): src}})
		ov := filepath.Join(tmp, fmt.Sprintf("%02d.json", i))
		if err := os.WriteFile(ov, overlay, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"build", "-overlay", ov, "-o", os.DevNull, "./" + dir}
		if test {
			args = []string{"test", "-c", "-vet=off", "-overlay", ov, "-o", os.DevNull, "./" + dir}
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README.md:%d: the Go block does not compile:\n%s\n--- compiled as:\n%s", b.line, out, numbered(code))
		}
	}
}

func numbered(code string) string {
	var s strings.Builder
	for i, l := range strings.Split(strings.TrimRight(code, "\n"), "\n") {
		fmt.Fprintf(&s, "%3d  %s\n", i+1, l)
	}
	return s.String()
}

// TestFragmentWrapper checks the fragment rule on blocks of its own: one
// that compiles, one that does not (it calls a method that does not
// exist), so a checker that compiled nothing would fail here.
func TestFragmentWrapper(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	good, _ := source(block{code: "out, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: \"alias/x\", Plaintext: []byte(\"p\")})\nfmt.Println(out, err, time.Second) // not awsapi.NewClient\n"})
	for _, imp := range []string{`fmt "fmt"`, `time "time"`, `kms "github.com/embedkms/kms"`} {
		if !strings.Contains(good, imp) {
			t.Errorf("fragment source lacks import %s:\n%s", imp, good)
		}
	}
	if strings.Contains(good, `"github.com/embedkms/kms/awsapi"`) {
		t.Errorf("fragment source imports a package only a comment names:\n%s", good)
	}
	bad, _ := source(block{code: "k.NoSuchOperation(ctx)\n"})
	root, _ := filepath.Abs("../..")
	for _, c := range []struct {
		code string
		ok   bool
	}{{good, true}, {bad, false}} {
		src := filepath.Join(t.TempDir(), "b.go")
		os.WriteFile(src, []byte(c.code), 0o644)
		overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, "internal/readmecheck/probe/block.go"): src}})
		ov := src + ".json"
		os.WriteFile(ov, overlay, 0o644)
		cmd := exec.Command("go", "build", "-overlay", ov, "-o", os.DevNull, "./internal/readmecheck/probe")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if (err == nil) != c.ok {
			t.Errorf("compiling\n%s\ngave err=%v, want ok=%v:\n%s", numbered(c.code), err, c.ok, out)
		}
	}
}

// TestREADMEDataBlocks parses the README's other example inputs with the
// code that reads them: the YAML block is a seed file (kms.ParseSeed),
// the JSON block a principals file (awsapi.ParsePrincipals). The CLI
// walkthrough's sh blocks are run by cmd/embedkms's TestCLIWalkthrough.
func TestREADMEDataBlocks(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(root, "README.md")
	yamls, jsons := fenced(t, readme, "yaml"), fenced(t, readme, "json")
	if len(yamls) == 0 || len(jsons) == 0 {
		t.Fatalf("README.md has %d YAML and %d JSON blocks; want the seed and principals examples", len(yamls), len(jsons))
	}
	for _, b := range yamls {
		f, err := kms.ParseSeed(strings.NewReader(b.code))
		if err != nil {
			t.Errorf("README.md:%d: the seed example does not parse: %v", b.line, err)
			continue
		}
		k, err := kms.New(kms.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := k.ApplySeed(context.Background(), f); err != nil {
			t.Errorf("README.md:%d: the seed example does not load: %v", b.line, err)
		}
		k.Close()
	}
	for _, b := range jsons {
		if _, err := awsapi.ParsePrincipals(strings.NewReader(b.code)); err != nil {
			t.Errorf("README.md:%d: the principals example does not parse: %v", b.line, err)
		}
	}
}
