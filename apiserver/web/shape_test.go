package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestTransportsNeverWrite holds the web package to its shape: it parses
// requests, calls the application layer's steps and shows their results.
// None of its files (tests aside) opens a transaction, writes with bun, or
// calls a function of the packages that keep the data — store, authz, audit,
// tenancy — that writes to the database, directly or through another of its
// own functions. What writes is found from those packages' source, so a new
// writing function is caught without this test knowing its name.
func TestTransportsNeverWrite(t *testing.T) {
	writers := map[string]map[string]bool{}
	for _, pkg := range []string{"store", "authz", "audit", "tenancy"} {
		writers[pkg] = writingFuncs(t, filepath.Join("..", pkg))
		if len(writers[pkg]) == 0 && pkg != "tenancy" {
			t.Fatalf("found no writing function in %s: the analysis is broken", pkg)
		}
	}
	for _, must := range []string{"store.InsertProposal", "store.Commit", "authz.AddGrant", "authz.TokenPrincipal", "audit.Append"} {
		pkg, name, _ := strings.Cut(must, ".")
		if !writers[pkg][name] {
			t.Fatalf("%s is not found to write: the analysis is broken", must)
		}
	}

	fset := token.NewFileSet()
	var problems []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		local := map[string]string{} // import name in this file → package of interest
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for pkg := range writers {
				if p == "pilar.id/pilar/apiserver/"+pkg {
					name := pkg
					if imp.Name != nil {
						name = imp.Name.Name
					}
					local[name] = pkg
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if transactionOpeners[sel.Sel.Name] || databaseWriters[sel.Sel.Name] || rawWrite(sel.Sel.Name, call.Args) {
				problems = append(problems, fset.Position(call.Pos()).String()+": calls "+sel.Sel.Name)
			}
			if id, ok := sel.X.(*ast.Ident); ok {
				if pkg, ok := local[id.Name]; ok && writers[pkg][sel.Sel.Name] {
					problems = append(problems, fset.Position(call.Pos()).String()+": calls "+pkg+"."+sel.Sel.Name+", which writes")
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// transactionOpeners and databaseWriters are the bun methods that open a
// transaction or write.
var (
	transactionOpeners = map[string]bool{"RunInTx": true, "BeginTx": true, "Begin": true}
	databaseWriters    = map[string]bool{"NewInsert": true, "NewUpdate": true, "NewDelete": true, "NewMerge": true, "NewCreateTable": true,
		"NewDropTable": true, "Exec": true, "ExecContext": true}
)

// rawWrite reports whether a call that runs written-out SQL — QueryContext,
// QueryRowContext, NewRaw — runs anything but a SELECT (or a WITH query).
func rawWrite(method string, args []ast.Expr) bool {
	var query ast.Expr
	switch method {
	case "QueryContext", "QueryRowContext":
		if len(args) > 1 {
			query = args[1]
		}
	case "NewRaw":
		if len(args) > 0 {
			query = args[0]
		}
	default:
		return false
	}
	for {
		b, ok := query.(*ast.BinaryExpr) // "SELECT ..." + columns + "..."
		if !ok {
			break
		}
		query = b.X
	}
	lit, ok := query.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return true // SQL made elsewhere: assume the worst
	}
	text, err := strconv.Unquote(lit.Value)
	if err != nil {
		return true
	}
	word, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(text)), " ")
	return word != "SELECT" && word != "WITH"
}

// writingFuncs returns the exported functions of the package in dir that
// write to the database: those that call a bun writer, and those that call
// one of the package's functions that does. A package-level variable bound
// to a function or a method (var InsertX = xTable.add) counts as a function
// that calls it.
func writingFuncs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string][]string{} // function → package functions it calls
	writes := map[string]bool{}
	for _, path := range entries {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.VAR {
				for _, spec := range gen.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, v := range vs.Values {
						switch v := v.(type) {
						case *ast.Ident:
							calls[vs.Names[i].Name] = append(calls[vs.Names[i].Name], v.Name)
						case *ast.SelectorExpr:
							calls[vs.Names[i].Name] = append(calls[vs.Names[i].Name], "(method)."+v.Sel.Name)
						}
					}
				}
			}
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil {
				name = "(method)." + name // methods count through the functions that call them
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch f := call.Fun.(type) {
				case *ast.Ident:
					calls[name] = append(calls[name], f.Name)
				case *ast.SelectorExpr:
					if databaseWriters[f.Sel.Name] || rawWrite(f.Sel.Name, call.Args) {
						writes[name] = true
					}
					calls[name] = append(calls[name], "(method)."+f.Sel.Name)
				case *ast.IndexExpr: // a generic function instantiated
					if id, ok := f.X.(*ast.Ident); ok {
						calls[name] = append(calls[name], id.Name)
					}
				}
				return true
			})
		}
	}
	for changed := true; changed; {
		changed = false
		for fn, callees := range calls {
			if !writes[fn] && slices.ContainsFunc(callees, func(c string) bool { return writes[c] }) {
				writes[fn], changed = true, true
			}
		}
	}
	out := map[string]bool{}
	for fn := range writes {
		if !strings.HasPrefix(fn, "(method).") && ast.IsExported(fn) {
			out[fn] = true
		}
	}
	return out
}
