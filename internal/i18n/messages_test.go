package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// domainPackages are the packages whose messages reach users' screens.
var domainPackages = []string{"access", "activities", "auth", "deals", "email", "tasks", "notify", "dedupe", "exchange", "imports", "privacy", "portal", "quotes", "tickets", "filter", "records", "schema", "views", "webhooks", "web", "reports"}

// domainMessages finds the format strings of every message the domain
// packages give users: fault constructors, field errors, fmt.Errorf
// without %w (those wrap internal errors), and pages' Error texts.
func domainMessages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, pkg := range domainPackages {
		files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			add := func(e ast.Expr) {
				if call, ok := e.(*ast.CallExpr); ok && isCall(call, "fmt", "Sprintf") && len(call.Args) > 0 {
					e = call.Args[0]
				}
				lit, ok := e.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil || strings.Contains(s, "%w") || s == "" {
					return
				}
				out[s] = fset.Position(lit.Pos()).String()
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					for _, name := range []string{"NotFound", "BadRequest", "Forbidden", "Unauthorized", "Stale", "TooLarge"} {
						if isCall(n, "fault", name) && len(n.Args) > 0 {
							add(n.Args[0])
						}
					}
					if (isCall(n, "fault", "Conflict") || isCall(n, "fault", "RateLimited")) && len(n.Args) > 1 {
						add(n.Args[1])
					}
					if isCall(n, "fmt", "Errorf") && len(n.Args) > 0 {
						add(n.Args[0])
					}
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "at" && len(n.Args) > 1 {
						add(n.Args[1]) // the filter's errors at a position
					}
					if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "bad" && len(n.Args) >= 2 {
						add(n.Args[1])
					}
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "Message" || k.Name == "Error" || k.Name == "Msg") {
						add(n.Value)
					}
				}
				return true
			})
		}
	}
	return out
}

func isCall(c *ast.CallExpr, pkg, name string) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// TestEveryDomainMessageIsTranslated: each language but English has a
// translation of every message the domain can show a user.
func TestEveryDomainMessageIsTranslated(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	msgs := domainMessages(t)
	if len(msgs) < 50 {
		t.Fatalf("found only %d domain messages; is the scan broken?", len(msgs))
	}
	keys := make([]string, 0, len(msgs))
	for k := range msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, l := range c.Locales() {
		if l.Tag == Default {
			continue
		}
		for _, m := range keys {
			if !l.HasMessage(m) {
				t.Errorf("%s: no translation of %q (%s)", l.Tag, m, msgs[m])
			}
		}
	}
}
