// Package doccheck finds exported identifiers that have no doc comment, so
// a test can hold the module's public API to "everything is documented".
//
// It reads source only (go/parser and go/ast, no type checking), so it runs
// in any test without building the packages it checks.
//
// # The rule
//
// In a package that is checked, each of these is reported when it has no
// doc comment:
//
//   - the package itself: no file has a package comment;
//   - an exported type, function or constant/variable name declared at
//     file level;
//   - an exported method whose receiver's base type is exported (methods
//     of unexported types do not appear in go doc);
//   - an exported field of a struct type that is itself reportable (an
//     exported type's fields, including those of struct types nested in
//     them), and an exported method of an exported interface type.
//     Embedded fields and embedded interfaces are exempt: they are
//     documented where their type is declared.
//
// What counts as documentation:
//
//   - a comment directly above the name (its doc comment), or, for a
//     struct field, an interface method or a const/var name, a comment
//     after it on the same line (go doc shows both);
//   - for a declaration that is not parenthesized (type T ..., var V = ...,
//     const C = ...), the comment above the keyword;
//   - for a parenthesized group of constants, the group's doc comment
//     documents every constant in it: such groups are enum-like (the
//     values of one type, or related limits) and go doc shows them
//     together under that comment;
//   - a parenthesized group of variables or types documents only a group
//     of one: each variable or type in a larger group is a separate thing
//     (a sentinel error, a setting) and needs its own comment.
//
// A comment that is empty or only whitespace does not count.
//
// Packages that are checked (see Module): every package under the module
// root except those named main, those with an "internal" or "testdata"
// path element, those in a vendor directory or in another module (a
// directory below the root with its own go.mod), and directories whose
// name starts with "." or "_"; _test.go files are never read. Every other .go file is read whatever its build
// constraints, so both sides of a cgo/nocgo pair are checked.
package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Missing is one exported identifier without a doc comment.
type Missing struct {
	// Pos is the identifier's position: file (relative to the directory
	// the check was given), line and column.
	Pos token.Position
	// Kind says what the identifier is: "package", "type", "func",
	// "method", "field", "interface method", "const" or "var".
	Kind string
	// Name is the identifier as go doc names it: T, F, T.M, T.Field,
	// T.Inner.Field for a field of a nested struct type, or the package
	// name for Kind "package".
	Name string
}

// String formats m as "file:line: kind name has no doc comment".
func (m Missing) String() string {
	return fmt.Sprintf("%s:%d: %s %s has no doc comment", m.Pos.Filename, m.Pos.Line, m.Kind, m.Name)
}

// Module checks every package under root (a module's root directory) that
// the rule in the package doc covers, and returns what is missing, sorted
// by file and line, with file names relative to root.
func Module(root string) ([]Missing, error) {
	dirs, err := packageDirs(root)
	if err != nil {
		return nil, err
	}
	var all []Missing
	for _, dir := range dirs {
		ms, err := Dir(dir)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if rel, err := filepath.Rel(root, filepath.Join(dir, m.Pos.Filename)); err == nil {
				m.Pos.Filename = filepath.ToSlash(rel)
			}
			all = append(all, m)
		}
	}
	sortMissing(all)
	return all, nil
}

// packageDirs returns the directories under root that hold a package
// Module checks: non-test .go files of a package other than main, in a
// directory none of whose path elements below root is "internal",
// "testdata" or "vendor" or starts with "." or "_", and not in a nested
// module (a directory below root with a go.mod of its own).
func packageDirs(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "internal" || name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		pkg, err := packageName(path)
		if err != nil {
			return err
		}
		if pkg != "" && pkg != "main" {
			dirs = append(dirs, path)
		}
		return nil
	})
	return dirs, err
}

// packageName returns the package name of the first non-test .go file in
// dir, or "" when there is none.
func packageName(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, n), nil, parser.PackageClauseOnly)
		if err != nil {
			return "", err
		}
		return f.Name.Name, nil
	}
	return "", nil
}

// Dir checks the one package in dir (its non-test .go files) and returns
// what is missing, with file names relative to dir. A directory with no
// .go files, or whose package is main, gives nothing.
func Dir(dir string) ([]Missing, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 || files[0].Name.Name == "main" {
		return nil, nil
	}
	c := &checker{fset: fset, dir: dir, seen: map[string]bool{}}
	hasPkgDoc := false
	for _, f := range files {
		if documented(f.Doc) {
			hasPkgDoc = true
		}
	}
	if !hasPkgDoc {
		c.report(files[0].Name, "package", files[0].Name.Name)
	}
	for _, f := range files {
		c.file(f)
	}
	sortMissing(c.out)
	return c.out, nil
}

type checker struct {
	fset *token.FileSet
	dir  string
	seen map[string]bool // kind+name already reported (cgo/nocgo twins)
	out  []Missing
}

func (c *checker) report(at ast.Node, kind, name string) {
	if c.seen[kind+" "+name] {
		return
	}
	c.seen[kind+" "+name] = true
	pos := c.fset.Position(at.Pos())
	if rel, err := filepath.Rel(c.dir, pos.Filename); err == nil {
		pos.Filename = filepath.ToSlash(rel)
	}
	c.out = append(c.out, Missing{Pos: pos, Kind: kind, Name: name})
}

func (c *checker) file(f *ast.File) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			c.funcDecl(d)
		case *ast.GenDecl:
			c.genDecl(d)
		}
	}
}

func (c *checker) funcDecl(d *ast.FuncDecl) {
	if !d.Name.IsExported() {
		return
	}
	if d.Recv == nil {
		if !documented(d.Doc) {
			c.report(d.Name, "func", d.Name.Name)
		}
		return
	}
	if len(d.Recv.List) == 0 {
		return
	}
	recv := baseTypeName(d.Recv.List[0].Type)
	if recv == "" || !ast.IsExported(recv) {
		return
	}
	if !documented(d.Doc) {
		c.report(d.Name, "method", recv+"."+d.Name.Name)
	}
}

// baseTypeName returns the name of a receiver's base type: T for T, *T,
// T[P] and *T[P].
func baseTypeName(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

func (c *checker) genDecl(d *ast.GenDecl) {
	grouped := d.Lparen.IsValid()
	// The declaration's own comment documents its specs when it is not
	// parenthesized, or is a group of one, or (constants only) a group.
	declDoc := documented(d.Doc) && (!grouped || len(d.Specs) == 1 || d.Tok == token.CONST)
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			if !s.Name.IsExported() {
				continue
			}
			if !declDoc && !documented(s.Doc) && !documented(s.Comment) {
				c.report(s.Name, "type", s.Name.Name)
			}
			c.typeBody(s.Name.Name, s.Type)
		case *ast.ValueSpec:
			kind := "var"
			if d.Tok == token.CONST {
				kind = "const"
			}
			for _, n := range s.Names {
				if !n.IsExported() {
					continue
				}
				if !declDoc && !documented(s.Doc) && !documented(s.Comment) {
					c.report(n, kind, n.Name)
				}
			}
		}
	}
}

// typeBody checks the fields of a struct type, and the methods of an
// interface type, declared as (or nested in) the exported type named name.
func (c *checker) typeBody(name string, x ast.Expr) {
	switch t := x.(type) {
	case *ast.StructType:
		for _, f := range t.Fields.List {
			if len(f.Names) == 0 {
				continue // embedded
			}
			for _, n := range f.Names {
				if !n.IsExported() {
					continue
				}
				if !documented(f.Doc) && !documented(f.Comment) {
					c.report(n, "field", name+"."+n.Name)
				}
				c.typeBody(name+"."+n.Name, f.Type)
			}
		}
	case *ast.InterfaceType:
		for _, m := range t.Methods.List {
			if len(m.Names) == 0 {
				continue // embedded interface or type union
			}
			for _, n := range m.Names {
				if n.IsExported() && !documented(m.Doc) && !documented(m.Comment) {
					c.report(n, "interface method", name+"."+n.Name)
				}
			}
		}
	case *ast.StarExpr:
		c.typeBody(name, t.X)
	case *ast.ArrayType:
		c.typeBody(name, t.Elt)
	case *ast.MapType:
		c.typeBody(name, t.Value)
	}
}

// documented reports whether g holds a comment with some text in it.
// Directives (//go:generate, //nolint:...) are not text.
func documented(g *ast.CommentGroup) bool {
	return g != nil && strings.TrimSpace(g.Text()) != ""
}

func sortMissing(ms []Missing) {
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i].Pos, ms[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
