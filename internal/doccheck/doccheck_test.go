package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDocCoverage is the module's doc-coverage check: every exported
// identifier of every public package has a doc comment, and every package
// has a package comment, under the rule in the package doc.
func TestDocCoverage(t *testing.T) {
	root := moduleRoot(t)
	missing, err := Module(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Error(m)
	}
	if len(missing) > 0 {
		t.Errorf("%d exported identifiers have no doc comment", len(missing))
	}
}

// TestDocCoverageSeesTheModule guards TestDocCoverage against passing by
// reading nothing: the walk reaches the public packages and leaves out the
// internal and main ones.
func TestDocCoverageSeesTheModule(t *testing.T) {
	root := moduleRoot(t)
	pkgs, err := packages(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".", "awsapi", "backend", "backend/memory", "crypto", "keystore", "kmstest", "policy"} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("packages checked = %v, want %q among them", pkgs, want)
		}
	}
	for _, p := range pkgs {
		if strings.Contains("/"+p+"/", "/internal/") || strings.HasPrefix(p, "cmd/") || strings.Contains(p, "testdata") {
			t.Errorf("package %q is checked; internal, main and testdata packages are not", p)
		}
	}
}

// packages is packageDirs(root), relative to root.
func packages(root string) ([]string, error) {
	dirs, err := packageDirs(root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range dirs {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			return nil, err
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out, nil
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// TestDirReportsExactlyTheUndocumented runs the checker on
// testdata/sample, whose identifiers say by their names whether they are
// documented: every Undoc... one must be reported, nothing else.
func TestDirReportsExactlyTheUndocumented(t *testing.T) {
	got, err := Dir("testdata/sample")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"sample.go:10: field DocType.UndocField",
		"sample.go:18: field DocType.DocNested.UndocInner",
		"sample.go:22: field DocType.UndocEmptyComment",
		"sample.go:28: type UndocType",
		"sample.go:29: field UndocType.UndocFieldOfUndocType",
		"sample.go:39: method DocType.UndocMethod",
		"sample.go:48: func UndocFunc",
		"sample.go:55: method DocGeneric.UndocGenericMethod",
		"sample.go:61: interface method DocIface.UndocM",
		"sample.go:78: const UndocConstInGroup",
		"sample.go:85: const UndocConst",
		"sample.go:89: var UndocVarInGroup",
		"sample.go:90: var UndocVarInGroup2",
		"sample.go:103: var UndocVar",
		"sample.go:109: type UndocTypeInGroup",
		"other.go:5: func UndocInOtherFile",
	}
	var have []string
	for _, m := range got {
		have = append(have, strings.TrimSuffix(m.String(), " has no doc comment"))
	}
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(have, want) {
		t.Errorf("Dir(testdata/sample) reported:\n\t%s\nwant:\n\t%s", strings.Join(have, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestDirReportsMissingPackageDoc: a package whose files have no package
// comment is reported, even when its identifiers are documented.
func TestDirReportsMissingPackageDoc(t *testing.T) {
	got, err := Dir("testdata/nopkgdoc")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != "package" || got[0].Name != "nopkgdoc" || got[0].Pos.Filename != "nopkgdoc.go" {
		t.Errorf("Dir(testdata/nopkgdoc) = %v, want only the package nopkgdoc reported", got)
	}
}

// TestModuleSkipsInternalAndMain runs Module on testdata/mod: the root and
// pub packages are checked (pub has no package doc); internal/hidden, the
// main package cmd/tool, vendor/v and the nested module nested are not;
// file names are relative to the root.
func TestModuleSkipsInternalAndMain(t *testing.T) {
	got, err := Module("testdata/mod")
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, m := range got {
		have = append(have, m.String())
	}
	want := []string{
		"doc.go:4: func UndocRoot has no doc comment",
		"pub/pub.go:1: package pub has no doc comment",
		"pub/pub.go:6: func UndocPub has no doc comment",
	}
	if !slices.Equal(have, want) {
		t.Errorf("Module(testdata/mod) reported:\n\t%s\nwant:\n\t%s", strings.Join(have, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// exampleRE matches the name of a runnable example in prose: Example,
// ExampleF, ExampleT_M, Example_suffix.
var exampleRE = regexp.MustCompile(`\bExample(?:[A-Z]\w*|_\w+)?\b`)

// TestDocExamplesExist: every example a package comment names (doc.go's
// tour names them so readers can find them) is a function of some
// _test.go file of the module, so a renamed or deleted example cannot
// leave the tour pointing at nothing.
func TestDocExamplesExist(t *testing.T) {
	root := moduleRoot(t)
	dirs, err := packageDirs(root)
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Example") {
				defined[fd.Name.Name] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, dir := range dirs {
		docs, err := packageComments(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range exampleRE.FindAllString(docs, -1) {
			named++
			if !defined[name] {
				rel, _ := filepath.Rel(root, dir)
				t.Errorf("the package comment of %s names %s, which no _test.go file of the module defines", rel, name)
			}
		}
	}
	if named == 0 {
		t.Error("no package comment names an example; the root package's tour should")
	}
}

// packageComments returns the package comments of dir's non-test files.
func packageComments(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, n), nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			return "", err
		}
		if f.Doc != nil {
			b.WriteString(f.Doc.Text())
		}
	}
	return b.String(), nil
}

// TestExampleRE: the names the tour uses are found, and the section
// heading "Examples" and words like "Exampled" are not names.
func TestExampleRE(t *testing.T) {
	got := exampleRE.FindAllString("See ExampleKMS_Encrypt, Example, ExampleClock and Example_second. # Examples; Exampled.", -1)
	want := []string{"ExampleKMS_Encrypt", "Example", "ExampleClock", "Example_second"}
	if !slices.Equal(got, want) {
		t.Errorf("exampleRE found %q, want %q", got, want)
	}
}
