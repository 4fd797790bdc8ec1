package apitest

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/app"
	"github.com/rapport-crm/rapport/internal/auth"
)

// chromium finds the browser, or skips (loudly) — or fails under CI=true.
func chromium(t *testing.T) string {
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium installed and CI=true: the browser tests must run (.ci/run installs chromium)")
	}
	t.Skip("\n#####\n## SKIPPING the browser tests: no chromium on PATH (apt-get install chromium)\n#####")
	return ""
}

// newTab starts a headless Chromium for the test.
func newTab(t *testing.T) context.Context {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// shot saves a screenshot of the page when RAPPORT_SCREENSHOTS names a folder
// (make screenshots).
func shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		dir := os.Getenv("RAPPORT_SCREENSHOTS")
		if dir == "" {
			return nil
		}
		buf, err := chromedp.CaptureScreenshot()(ctx, tg) // the viewport, as PNG
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// settle lets a navigation that a click or a submit started replace the
// page before the next step queries it (the old page's nodes vanish under a
// query otherwise).
var settle = chromedp.Sleep(400 * time.Millisecond)

// signInAt opens url, which sends a signed-out visitor to sign in, and
// signs in as the admin adminTab makes (the page then comes back to url).
func signInAt(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ada@acme.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a long password"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		settle,
	)
}

// readActive reads what has the focus: a link's href, else the element's id.
func readActive(dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		s, err := chromedp.Evaluate[string](`(document.activeElement.getAttribute("href") || document.activeElement.id || "")`)(ctx, tg)
		*dst = s
		return err
	})
}

// textOf reads an element's text into dst.
func textOf(sel string, dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		s, err := chromedp.Text(chromedp.CSS(sel))(ctx, tg)
		*dst = s
		return err
	})
}

// TestBrowserJourney signs in, creates a contact, edits a field and sees the
// change on the timeline, filters the list and saves the view, searches from
// the shell as it types, adds a custom field and sees it on the form, and
// switches to German, in a real Chromium.
func TestBrowserJourney(t *testing.T) {
	ctx := newTab(t)
	e := NewInstall(t)
	if _, err := e.Sys.Auth.CreateUser(context.Background(), access.System(e.WS), e.WS, auth.NewUser{Email: "ada@acme.example", Name: "Ada Admin", Role: "admin", Password: "a long password"}); err != nil {
		t.Fatal(err)
	}
	// Realistic data around the journey, so that the screenshots show a CRM in use.
	owner := access.Principal{WorkspaceID: e.WS, UserID: e.Users[access.Sales], Role: access.Sales}
	if err := app.SeedDemo(context.Background(), e.Sys, owner, 60, io.Discard, e.Clock); err != nil {
		t.Fatal(err)
	}
	base := e.Server.URL
	var title, timeline, rows, hits, who, view, firstRow, afterSlash, live, liveFocus, tierLabel, flashDe, listDe, imported string
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/contacts"), // signed out: the sign-in page, then back here
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		shot("login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ada@acme.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a long password"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.sidebar .user`)),
		textOf(`.sidebar .user`, &who),
		chromedp.WaitVisible(chromedp.CSS(`table.records`)),
		shot("contacts"),
		chromedp.Click(chromedp.CSS(`a[href="/contacts/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-first_name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-first_name`), "Grace"),
		chromedp.SendKeys(chromedp.CSS(`#f-last_name`), "Hopper"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "grace@navy.example"),
		chromedp.SetValue(chromedp.CSS(`#f-lifecycle_stage`), "lead"),
		shot("contact-new"),
		chromedp.Click(chromedp.CSS(`.fields form button[type=submit]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.timeline`)),
		textOf(`h1`, &title),
		// Edit a field in the form and see the change on the timeline.
		chromedp.SetValue(chromedp.CSS(`#f-lifecycle_stage`), "customer"),
		chromedp.Click(chromedp.CSS(`.fields form button[type=submit]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textOf(`.timeline`, &timeline),
		shot("contact-page"),
		// Filter the list.
		chromedp.Navigate(base+"/contacts"),
		chromedp.WaitVisible(chromedp.CSS(`.filters input[name=filter]`)),
		chromedp.SendKeys(chromedp.CSS(`.filters input[name=filter]`), `lifecycle_stage = "customer" AND last_name = "Hopper"`),
		chromedp.Submit(chromedp.CSS(`.filters input[name=filter]`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`table.records`)),
		textOf(`table.records tbody`, &rows),
		chromedp.SendKeys(chromedp.CSS(`#view-name`), "Hopper customers"),
		chromedp.Submit(chromedp.CSS(`#view-name`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.views a[aria-current="page"]`)),
		textOf(`.views a[aria-current="page"]`, &view),
		shot("contacts-filtered"),
		// Keyboard: "j" focuses the first row, "/" the search box.
		chromedp.KeyEvent("j"),
		readActive(&firstRow),
		chromedp.KeyEvent("/"),
		readActive(&afterSlash),
		chromedp.KeyEvent(kb.Backspace), // CDP's key event also types the "/" that a real keyboard's would not
		// Search from the shell: hits appear as one types; Down moves into
		// them; Enter in the box opens the full search page.
		chromedp.SendKeys(chromedp.CSS(`#global-search`), "hop"),
		chromedp.WaitVisible(chromedp.CSS(`#search-popup .hits`)),
		textOf(`#search-popup`, &live),
		shot("search-live"),
		chromedp.KeyEvent(kb.ArrowDown),
		readActive(&liveFocus),
		chromedp.SendKeys(chromedp.CSS(`#global-search`), "\n"),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`main .hits, .main .hits`)),
		textOf(`.main .hits`, &hits),
		shot("search"),
		// A custom field added in Settings appears in the forms.
		chromedp.Navigate(base+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(`#nf-name`)),
		chromedp.SetValue(chromedp.CSS(`#nf-object`), "contacts"),
		chromedp.SendKeys(chromedp.CSS(`#nf-name`), "tier"),
		chromedp.SendKeys(chromedp.CSS(`#nf-label`), "Tier"),
		chromedp.SetValue(chromedp.CSS(`#nf-kind`), "select"),
		chromedp.SendKeys(chromedp.CSS(`#nf-options`), "gold, silver"),
		chromedp.Submit(chromedp.CSS(`#nf-options`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		shot("settings"),
		chromedp.Navigate(base+"/contacts/new"),
		chromedp.WaitVisible(chromedp.CSS(`#f-tier`)),
		textOf(`label[for="f-tier"]`, &tierLabel),
		// A company of the demo: its people and two years of history.
		chromedp.Navigate(base+"/companies?order_by=created_at"),
		chromedp.WaitVisible(chromedp.CSS(`table.records tbody th a`)),
		chromedp.Click(chromedp.CSS(`table.records tbody tr:first-child th a`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.timeline .day`)),
		shot("company-page"),
		// The demo's import on the imports page.
		chromedp.Navigate(base+"/imports"),
		chromedp.WaitVisible(chromedp.CSS(`table.records tbody tr`)),
		textOf(`table.records tbody tr:first-child`, &imported),
		shot("imports"),
		// Switch to German.
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.CSS(`#locale`)),
		chromedp.SetValue(chromedp.CSS(`#locale`), "de"),
		chromedp.Submit(chromedp.CSS(`#locale`)),
		settle,
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textOf(`.flash`, &flashDe),
		chromedp.Navigate(base+"/contacts"),
		chromedp.WaitVisible(chromedp.CSS(`table.records`)),
		textOf(`h1`, &listDe),
		shot("contacts-de"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(who, "Ada Admin") {
		t.Errorf("signed in as %q", who)
	}
	if strings.TrimSpace(title) != "Grace Hopper" {
		t.Errorf("record page title %q", title)
	}
	if !strings.Contains(timeline, "lead → customer") {
		t.Errorf("timeline lacks the change: %q", timeline)
	}
	if !strings.Contains(rows, "Grace") {
		t.Errorf("filtered list: %q", rows)
	}
	if !strings.Contains(firstRow, "/contacts/") || afterSlash != "global-search" {
		t.Errorf("keyboard: j focused %q, / focused %q", firstRow, afterSlash)
	}
	if strings.TrimSpace(view) != "Hopper customers" {
		t.Errorf("saved view tab %q", view)
	}
	if !strings.Contains(hits, "Grace Hopper") {
		t.Errorf("search: %q", hits)
	}
	if !strings.Contains(live, "Grace Hopper") || !strings.Contains(liveFocus, "/contacts/") {
		t.Errorf("search as you type: %q, Down focused %q", live, liveFocus)
	}
	if !strings.Contains(imported, "trade-show-leads.csv") || !strings.Contains(imported, "Done") {
		t.Errorf("the imports page: %q", imported)
	}
	if strings.TrimSpace(tierLabel) != "Tier" {
		t.Errorf("the new field on the form: %q", tierLabel)
	}
	if strings.TrimSpace(flashDe) != "Sprache geändert" || !strings.HasPrefix(strings.TrimSpace(listDe), "Kontakte") {
		t.Errorf("German: flash %q, list heading %q", flashDe, listDe)
	}
}

// TestBrowserInlineEdit edits a list cell in place: Enter saves it through
// the API, a bad value shows its error under the cell.
// adminTab starts Chromium with a time limit, and an install whose admin
// is ada@acme.example ("a long password"), acting as p.
// demoTab is adminTab on a demo workspace of that many contacts, so that
// pages (and their screenshots) show a workspace in use.
func demoTab(t *testing.T, limit time.Duration, contacts int) (context.Context, *Env, access.Principal) {
	ctx, e, p := adminTab(t, limit)
	if err := app.SeedDemo(context.Background(), e.Sys, p, contacts, io.Discard, e.Clock); err != nil {
		t.Fatal(err)
	}
	return ctx, e, p
}

func adminTab(t *testing.T, limit time.Duration) (ctx context.Context, e *Env, p access.Principal) {
	ctx = newTab(t)
	ctx, cancel := context.WithTimeout(ctx, limit)
	t.Cleanup(cancel)
	e = NewInstall(t)
	u, err := e.Sys.Auth.CreateUser(context.Background(), access.System(e.WS), e.WS, auth.NewUser{Email: "ada@acme.example", Name: "Ada Admin", Role: "admin", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, e, access.Principal{WorkspaceID: e.WS, UserID: u.ID, Role: access.Admin}
}

func TestBrowserInlineEdit(t *testing.T) {
	ctx, e, p := adminTab(t, 20*time.Second)
	rec, err := e.Sys.Records.Create(context.Background(), p, "contacts",
		map[string]any{"first_name": "Grace", "phone": "+1 202 555 0100"})
	if err != nil {
		t.Fatal(err)
	}
	base := e.Server.URL
	cell := `td[data-field="phone"]`
	var saved, errText string
	err = chromedp.Do(ctx,
		signInAt(base+"/contacts?cols=first_name&cols=phone"),
		chromedp.WaitVisible(chromedp.CSS(cell)),
		chromedp.DoubleClick(chromedp.CSS(cell)),
		chromedp.WaitVisible(chromedp.CSS(cell+` input`)),
		chromedp.SetValue(chromedp.CSS(cell+` input`), "+49 30 1234567"),
		chromedp.SendKeys(chromedp.CSS(cell+` input`), "\r"),
		chromedp.WaitNotPresent(chromedp.CSS(cell+` input`)),
		textOf(cell, &saved),
		chromedp.DoubleClick(chromedp.CSS(cell)),
		chromedp.WaitVisible(chromedp.CSS(cell+` input`)),
		chromedp.SetValue(chromedp.CSS(cell+` input`), "call me"),
		chromedp.SendKeys(chromedp.CSS(cell+` input`), "\r"),
		chromedp.WaitVisible(chromedp.CSS(cell+` .field-error`)),
		textOf(cell+` .field-error`, &errText),
		shot("inline-edit-error"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(saved) != "+49 30 1234567" {
		t.Errorf("cell after saving: %q", saved)
	}
	if !strings.Contains(errText, "not a valid phone number") {
		t.Errorf("error under the cell: %q", errText)
	}
	got, err := e.Sys.Records.Get(context.Background(), access.System(e.WS), "contacts", rec.ID(), false)
	if err != nil || got["phone"] != "+49 30 1234567" || got.Version() != 2 {
		t.Fatalf("stored: %v version %d (%v)", got["phone"], got.Version(), err)
	}
}
