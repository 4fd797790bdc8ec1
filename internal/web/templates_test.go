package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/schema"
)

var (
	tmplAction = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	word       = regexp.MustCompile(`[A-Za-z]{2,}`)
	// attributes people read
	readable = map[string]bool{"placeholder": true, "aria-label": true, "title": true, "alt": true, "label": true}
	// Literals that are not words of a language: the filter language's
	// operators and an example of its syntax, product names, sample values
	// that are code (names in snake_case, URLs, event types).
	allowed = map[string]bool{
		"Rapport": true, "AND": true, "OR": true, "NOT": true, "OK": true, "UTC": true,
		`lifecycle_stage = "lead" AND email = "*@acme.com"`: true,
		"laptop": true, "https://example.com/hooks/rapport": true, "contact.created, contact.updated": true,
		"projects": true, "shoe_size": true, "companies": true, "name": true,
	}
)

// TestTemplatesHaveNoLiteralText: every word a page shows comes from the
// catalogue (t), so that each language is complete. Each template's
// actions are blanked out and what is left is read as HTML: its text and
// its readable attributes must hold no words.
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, name := range files {
		src, _ := fs.ReadFile(templateFS, name)
		z := html.NewTokenizer(strings.NewReader(tmplAction.ReplaceAllString(string(src), "§")))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.TextToken:
				check(t, name, tok.Data)
			case html.StartTagToken, html.SelfClosingTagToken:
				for _, a := range tok.Attr {
					if readable[a.Key] {
						check(t, name, a.Val)
					}
				}
			}
		}
	}
}

func check(t *testing.T, file, text string) {
	t.Helper()
	text = strings.TrimSpace(text)
	if text == "" || allowed[text] || strings.HasPrefix(text, "rapport ") { // a command to type
		return
	}
	for _, w := range strings.Fields(text) {
		w = strings.Trim(w, "§.,:;()\"'")
		if w != "" && !allowed[w] && word.MatchString(w) && !strings.HasPrefix(w, "/api/v1") {
			t.Errorf("%s: %q is not translated (in %q)", file, w, text)
		}
	}
}

var (
	keyUse   = regexp.MustCompile(`[{(]t "([a-z_.0-9]+)"`)
	goKeyUse = regexp.MustCompile(`(?:\.(T|N)\(|bulkOutcome\(sh, )"([a-z_.0-9]+)"[,)]`)
)

// TestEveryKeyIsInTheCatalogue: the keys the templates and handlers use,
// and the families of keys built at run time (roles, kinds, operators,
// built-in fields, objects, options), are all in the catalogue.
func TestEveryKeyIsInTheCatalogue(t *testing.T) {
	c := i18n.MustLoad()
	en := c.Get("en")
	var keys []string
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, name := range files {
		src, _ := fs.ReadFile(templateFS, name)
		for _, m := range keyUse.FindAllStringSubmatch(string(src), -1) {
			keys = append(keys, m[1])
		}
	}
	goFiles, _ := filepath.Glob("*.go")
	for _, name := range goFiles {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKeyUse.FindAllStringSubmatch(string(src), -1) {
			if m[1] == "N" || strings.HasPrefix(m[0], "bulkOutcome") {
				keys = append(keys, m[2]+".one", m[2]+".other")
			} else {
				keys = append(keys, m[2])
			}
		}
	}
	if len(keys) < 200 {
		t.Fatalf("found only %d keys; is the scan broken?", len(keys))
	}
	for _, r := range access.Roles {
		keys = append(keys, "role."+string(r))
	}
	for _, k := range schema.CustomKinds {
		keys = append(keys, "kind."+string(k))
	}
	for _, op := range filter.Operators {
		keys = append(keys, "op."+op.Name)
	}
	for _, k := range []string{"street", "city", "postal_code", "region", "country"} {
		keys = append(keys, "address."+k)
	}
	for _, k := range []string{"granted", "denied", "unknown"} {
		keys = append(keys, "consent."+k)
	}
	keys = append(keys, "record.created_at", "record.updated_at", "format.csv", "format.json", "format.vcf")
	for _, r := range []string{"phone", "name_company", "name_email_domain", "domain", "name"} {
		keys = append(keys, "dup.reason."+r)
	}
	keys = append(keys, "event.merged", "event.unmerged")
	for _, st := range []string{"draft", "queued", "running", "done", "failed", "undone"} {
		keys = append(keys, "import.status."+st)
	}
	for _, th := range auth.Themes {
		keys = append(keys, "theme."+th)
	}
	for _, k := range []string{"created", "updated", "deleted", "restored", "erased"} {
		keys = append(keys, "event."+k)
	}
	reg := schema.Builtins()
	for _, o := range reg {
		keys = append(keys, "object."+o.Name, "object."+o.Name+".one")
		for _, f := range o.Fields {
			keys = append(keys, "field."+f.Name)
			for _, opt := range f.Options {
				keys = append(keys, "option."+f.Name+"."+opt)
			}
		}
	}
	for _, k := range keys {
		if !en.Has(k) {
			t.Errorf("the catalogue lacks %q", k)
		}
	}
}
