package app

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/store/storetest"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestCommandLine(t *testing.T) {
	dbURL := storetest.FreshURL(t)
	env := map[string]string{"RAPPORT_DB": dbURL}
	if r := runCmd(t, env, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "rapport ") {
		t.Fatalf("version: %+v", r)
	}
	if r := runCmd(t, env, "", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("unknown command: %+v", r)
	}
	if r := runCmd(t, env, "", "user", "create", "--email", "a@b.example"); r.code != 2 {
		t.Fatalf("missing flags: %+v", r)
	}
	if r := runCmd(t, env, "", "user", "create", "--bogus", "x"); r.code != 2 || !strings.Contains(r.stderr, "--bogus") {
		t.Fatalf("unknown flag: %+v", r)
	}
	if r := runCmd(t, env, "", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "schema version") {
		t.Fatalf("migrate: %+v", r)
	}
	// Flags stand anywhere after the command name; the password comes on stdin.
	r := runCmd(t, env, "a long password\n", "user", "create", "--email", "Ada@Example.com", "--password-stdin", "--name", "Ada Lovelace", "--role", "admin")
	if r.code != 0 || !strings.Contains(r.stdout, "ada@example.com") {
		t.Fatalf("user create: %+v", r)
	}
	if r := runCmd(t, env, "short\n", "user", "create", "--email", "b@example.com", "--name", "B", "--role", "sales", "--password-stdin"); r.code != 1 || !strings.Contains(r.stderr, "password") {
		t.Fatalf("short password: %+v", r)
	}
	if r := runCmd(t, env, "a long password\n", "user", "create", "--email", "ada@example.com", "--name", "A", "--role", "sales", "--password-stdin"); r.code != 1 {
		t.Fatalf("duplicate user: %+v", r)
	}
	// --db beats RAPPORT_DB.
	bad := map[string]string{"RAPPORT_DB": "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"}
	r = runCmd(t, bad, "", "apikey", "create", "--email", "ada@example.com", "--name", "laptop", "--db", dbURL)
	if r.code != 0 || !regexp.MustCompile(`^rk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}\n$`).MatchString(r.stdout) {
		t.Fatalf("apikey create: %+v", r)
	}
	if r := runCmd(t, env, "", "apikey", "create", "--email", "nobody@example.com", "--name", "x"); r.code != 1 || r.stdout != "" {
		t.Fatalf("apikey for nobody: %+v", r)
	}
}

// TestServeSetupAndSignIn starts serve on a free port, follows the printed
// setup link with a browser-like client, signs out and in again, and stops
// the server by cancelling its context (as SIGINT does).
func TestServeSetupAndSignIn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	env := map[string]string{"RAPPORT_DB": storetest.FreshURL(t), "RAPPORT_ADDR": "127.0.0.1:0"}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base, setup string
	for setup == "" && lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "Stop") {
			break
		}
		if m := regexp.MustCompile(`running at (http://\S+)`).FindStringSubmatch(line); m != nil {
			base = m[1]
			continue
		}
		if base != "" && !strings.Contains(line, "/setup?token=") {
			t.Fatalf("the line after the URL is not the setup link: %q", line)
		}
		if m := regexp.MustCompile(`open (http://\S+/setup\?token=\S+)`).FindStringSubmatch(line); m != nil {
			setup = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" || setup == "" {
		t.Fatalf("serve printed no URL or setup link (base %q, setup %q)", base, setup)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) (int, string) {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(u string, form url.Values) (int, string) {
		resp, err := c.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	csrf := func(page string) string {
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token in %s", page)
		}
		return m[1]
	}
	if code, _ := get(base + "/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code, _ := get(base + "/setup?token=wrong"); code != 403 {
		t.Fatalf("setup with a wrong token: %d", code)
	}
	code, page := get(setup)
	if code != 200 || !strings.Contains(page, "Welcome to Rapport") {
		t.Fatalf("setup page %d", code)
	}
	token := strings.SplitN(setup, "token=", 2)[1]
	form := url.Values{"csrf_token": {csrf(page)}, "token": {token}, "workspace_name": {"Acme Ltd"}, "name": {"Ada"}, "email": {"ada@acme.example"}, "password": {"short"}}
	if code, page := post(base+"/setup", form); code != 422 || !strings.Contains(page, "must be 10 to 1000 characters") {
		t.Fatalf("setup with a short password: %d", code)
	}
	form.Set("password", "a long password")
	code, page = post(base+"/setup", form)
	if code != 200 || !strings.Contains(page, "Acme Ltd") || !strings.Contains(page, "Ada") {
		t.Fatalf("after setup: %d %.300s", code, page)
	}
	if code, _ := get(setup); code != 403 {
		t.Fatalf("the setup link works twice: %d", code)
	}
	if code, _ := post(base+"/logout", url.Values{"csrf_token": {"forged"}}); code != 403 {
		t.Fatalf("logout with a forged CSRF token: %d", code)
	}
	if code, _ := post(base+"/logout", url.Values{"csrf_token": {csrf(page)}}); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	code, page = get(base + "/")
	if !strings.Contains(page, "Sign in to Rapport") {
		t.Fatalf("home after logout is not the sign-in page: %d", code)
	}
	if code, _ := post(base+"/login", url.Values{"csrf_token": {csrf(page)}, "email": {"ada@acme.example"}, "password": {"wrong password"}}); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	_, page = get(base + "/login")
	if code, page := post(base+"/login", url.Values{"csrf_token": {csrf(page)}, "email": {"ada@acme.example"}, "password": {"a long password"}}); code != 200 || !strings.Contains(page, "Acme Ltd") {
		t.Fatalf("sign in: %d", code)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestDemoAndExport: the demo fills a workspace with two years of history
// and activities; export writes what it holds as CSV, JSON lines or vCard
// to a file, and refuses what it cannot write.
func TestDemoAndExport(t *testing.T) {
	env := map[string]string{"RAPPORT_DB": storetest.FreshURL(t)}
	r := runCmd(t, env, "", "demo", "--contacts", "40")
	if r.code != 0 || !regexp.MustCompile(`created 5 companies and 40 contacts, with \d+ later changes and \d+ activities over two years`).MatchString(r.stdout) ||
		!regexp.MustCompile(`demo: created [1-9]\d* deals in 2 pipelines \(\d+ won, \d+ lost\)`).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "demo: imported trade-show-leads.csv: created 10, updated 3, failed 2\n") {
		t.Fatalf("demo: %+v", r)
	}
	out := filepath.Join(t.TempDir(), "contacts.vcf")
	if r := runCmd(t, env, "", "export", "contacts", "--format", "vcf", "-o", out); r.code != 0 || !strings.Contains(r.stderr, "exported 40 contacts") {
		t.Fatalf("export vcf: %+v", r)
	}
	b, err := os.ReadFile(out)
	if err != nil || strings.Count(string(b), "BEGIN:VCARD") != 40 {
		t.Fatalf("vcf file: %v, %d cards", err, strings.Count(string(b), "BEGIN:VCARD"))
	}
	if r := runCmd(t, env, "", "export", "activities", "--format", "json", "--filter", `kind = "call"`); r.code != 0 || !strings.Contains(r.stdout, `"kind":"call"`) || strings.Contains(r.stdout, `"kind":"note"`) {
		t.Fatalf("export json: %+v", r)
	}
	if r := runCmd(t, env, "", "export", "companies", "--format", "vcf"); r.code != 2 || !strings.Contains(r.stderr, "contacts only") {
		t.Fatalf("vcf of companies: %+v", r)
	}
	if r := runCmd(t, env, "", "export", "companies", "--filter", "nope = 1"); r.code != 1 || !strings.Contains(r.stderr, "unknown field") {
		t.Fatalf("bad filter: %+v", r)
	}
}

// TestImport: real exports in, bad rows explained with their line, the
// company linked or created by name, a row repeating an email updating the
// record an earlier row made, and the last line counting it all; a second
// run with --on-duplicate skip changes nothing; blank rows are passed over.
func TestImport(t *testing.T) {
	env := map[string]string{"RAPPORT_DB": storetest.FreshURL(t)}
	dir := t.TempDir()
	src, err := os.ReadFile("../exchange/testdata/hubspot-contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "hubspot.csv")
	if err := os.WriteFile(file, src, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, env, "", "import", "contacts", file, "--dedupe", "email")
	if r.code != 0 || r.stdout != "created 2, updated 1, skipped 0, failed 2\n" {
		t.Fatalf("import: %+v", r)
	}
	errs, err := os.ReadFile(file + ".errors.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"line,reason,First Name", `5,"email: ""not-an-email"" is not a valid email address"`, `6,"lifecycle_stage: ""nonsense-stage"" is not one of`} {
		if !strings.Contains(string(errs), want) {
			t.Errorf("errors file lacks %q:\n%s", want, errs)
		}
	}
	out := filepath.Join(dir, "out.json")
	runCmd(t, env, "", "export", "contacts", "--format", "json", "-o", out)
	b, _ := os.ReadFile(out)
	got := string(b)
	for _, want := range []string{`"email":"ada@acme.example"`, `"lifecycle_stage":"evangelist"`, `"title":"Countess"`, `"email":"grace@navy.example"`, "Rear Admiral,\\r\\nUS Navy"} {
		if !strings.Contains(got, want) && !strings.Contains(got, strings.ReplaceAll(want, `\r`, "")) {
			t.Errorf("after import lacks %s:\n%s", want, got)
		}
	}
	runCmd(t, env, "", "export", "companies", "--format", "json", "-o", out)
	if b, _ = os.ReadFile(out); strings.Count(string(b), "\n") != 2 || !strings.Contains(string(b), `"name":"Acme Ltd"`) {
		t.Errorf("companies created by name: %s", b)
	}
	r = runCmd(t, env, "", "import", "contacts", file, "--dedupe", "email", "--on-duplicate", "skip")
	if r.code != 0 || r.stdout != "created 0, updated 0, skipped 3, failed 2\n" {
		t.Fatalf("second import: %+v", r)
	}
	// Without dedupe the taken emails are refused by the database, row by
	// row, each counted once.
	r = runCmd(t, env, "", "import", "contacts", file, "--dedupe", "none")
	if r.code != 0 || r.stdout != "created 0, updated 0, skipped 0, failed 5\n" || !strings.Contains(r.stderr, "5 rows in") {
		t.Fatalf("third import: %+v", r)
	}
	// A batch with a taken email and a new one: the batch is written again
	// row by row, and only the taken one fails.
	mixed := filepath.Join(dir, "mixed.csv")
	_ = os.WriteFile(mixed, []byte("First Name,Email,Company\nNew,new@acme.example,Fresh Co\nTaken,ada@acme.example,Other Co\n"), 0o600)
	r = runCmd(t, env, "", "import", "contacts", mixed, "--dedupe", "none")
	if r.code != 0 || r.stdout != "created 1, updated 0, skipped 0, failed 1\n" {
		t.Fatalf("mixed import: %+v", r)
	}
	if errs, _ := os.ReadFile(mixed + ".errors.csv"); !strings.Contains(string(errs), "3,email: email is already taken,Taken") {
		t.Errorf("mixed import's errors: %s", errs)
	}
	runCmd(t, env, "", "export", "companies", "--format", "json", "-o", out)
	if b, _ = os.ReadFile(out); !strings.Contains(string(b), `"name":"Fresh Co"`) || strings.Count(string(b), "\n") != 4 {
		t.Errorf("companies after the mixed import: %s", b)
	}
	// Latin-1 with semicolons, German headers, a mapping given by hand.
	src, _ = os.ReadFile("../exchange/testdata/pipedrive-latin1.csv")
	file = filepath.Join(dir, "pipedrive.csv")
	_ = os.WriteFile(file, src, 0o600)
	r = runCmd(t, env, "", "import", "contacts", file, "--map", "Person - Vorname=first_name", "--map", "Person - Nachname=last_name",
		"--map", "Person - E-Mail=email", "--map", "Organisation - Name=company_id:name", "--map", "Person - Labels=tags")
	if r.code != 0 || r.stdout != "created 2, updated 0, skipped 0, failed 0\n" {
		t.Fatalf("latin-1 import: %+v", r)
	}
	runCmd(t, env, "", "export", "contacts", "--format", "json", "--filter", `last_name = "Müller"`, "-o", out)
	if b, _ = os.ReadFile(out); !strings.Contains(string(b), `"first_name":"Jürgen"`) || !strings.Contains(string(b), `"tags":["vip","partner"]`) {
		t.Errorf("latin-1 row: %s", b)
	}
	if r := runCmd(t, env, "", "import", "contacts", file, "--map", "Nope=first_name"); r.code != 1 || !strings.Contains(r.stderr, `no column "Nope"`) {
		t.Errorf("bad mapping: %+v", r)
	}
	if r := runCmd(t, env, "", "import", "contacts"); r.code != 2 {
		t.Errorf("no file: %+v", r)
	}
}

// TestImportVCards: cards as an iPhone, Outlook (2.1, quoted-printable,
// Windows-1252) and Android write them become contacts with their
// companies; notes and what had no field land on the timeline as notes; an
// empty card is reported; vCards go into contacts only.
func TestImportVCards(t *testing.T) {
	env := map[string]string{"RAPPORT_DB": storetest.FreshURL(t)}
	dir := t.TempDir()
	var all []byte
	for _, name := range []string{"iphone.vcf", "outlook-21.vcf", "android-mixed.vcf"} {
		b, err := os.ReadFile("../exchange/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	file := filepath.Join(dir, "phone.vcf")
	_ = os.WriteFile(file, all, 0o600)
	if r := runCmd(t, env, "", "import", "companies", file); r.code != 2 || !strings.Contains(r.stderr, "contacts") {
		t.Fatalf("vcards into companies: %+v", r)
	}
	r := runCmd(t, env, "", "import", "contacts", file, "--dedupe", "email")
	if r.code != 0 || r.stdout != "created 4, updated 0, skipped 0, failed 1\n" {
		t.Fatalf("import: %+v", r)
	}
	out := filepath.Join(dir, "out.json")
	runCmd(t, env, "", "export", "contacts", "--format", "json", "-o", out)
	b, _ := os.ReadFile(out)
	for _, want := range []string{`"first_name":"Jürgen"`, `"street":"Hauptstraße 1"`, `"title":"Geschäftsführer"`, `"first_name":"Zoë"`, `"email":"grace@navy.example"`, `"tags":["vip","speaker"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("contacts lack %s:\n%s", want, b)
		}
	}
	runCmd(t, env, "", "export", "activities", "--format", "json", "-o", out)
	b, _ = os.ReadFile(out)
	for _, want := range []string{"Met at the Royal Society", "Not imported from the vCard", "PHOTO (not kept)", "BDAY: 1815-12-10", "nächsten Zeile"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("notes lack %q:\n%s", want, b)
		}
	}
	runCmd(t, env, "", "export", "companies", "--format", "json", "-o", out)
	if b, _ = os.ReadFile(out); !strings.Contains(string(b), `"name":"Müller & Söhne GmbH"`) || !strings.Contains(string(b), `"name":"Analytical Engines Ltd"`) {
		t.Errorf("companies from ORG: %s", b)
	}
	// Exported as vCards and read back: the same people.
	vcf := filepath.Join(dir, "back.vcf")
	runCmd(t, env, "", "export", "contacts", "--format", "vcf", "-o", vcf)
	env2 := map[string]string{"RAPPORT_DB": storetest.FreshURL(t)}
	if r := runCmd(t, env2, "", "import", "contacts", vcf); r.code != 0 || r.stdout != "created 4, updated 0, skipped 0, failed 0\n" {
		t.Fatalf("round trip: %+v", r)
	}
}
