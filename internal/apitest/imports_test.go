package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
)

func (e *Env) upload(t *testing.T, role access.Role, path string, fields map[string]string, filename string, data []byte) *Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := mw.CreateFormFile("file", filename)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.Server.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.Keys[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// TestImportAPI: an upload is checked at once and imported by a job; its
// state shows the counts, its errors download as CSV; an import stopped
// half-way resumes after the rows it had done, without doing them twice.
func TestImportAPI(t *testing.T) {
	e := New(t)
	csv := "First Name,Last Name,Email,Company\nAda,Lovelace,ada@acme.example,Acme\nBad,Row,not-an-email,\nGrace,Hopper,grace@navy.example,US Navy\n"
	if r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "sometimes"}, "c.csv", []byte(csv)); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"dedupe"`) {
		t.Fatalf("bad dedupe: %d %s", r.Status, r.Body)
	}
	if r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts", "mapping": `{"Nope":"email"}`}, "c.csv", []byte(csv)); r.Status != 422 || !strings.Contains(string(r.Body), `no column \"Nope\"`) {
		t.Fatalf("bad mapping: %d %s", r.Status, r.Body)
	}
	if r := e.upload(t, access.ReadOnly, "/api/v1/imports", map[string]string{"object": "contacts"}, "c.csv", []byte(csv)); r.Status != 403 {
		t.Fatalf("readonly: %d %s", r.Status, r.Body)
	}
	if r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts"}, "", nil); r.Status != 422 {
		t.Fatalf("no file: %d %s", r.Status, r.Body)
	}
	r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "email"}, "c.csv", []byte(csv))
	if r.Status != 202 || !strings.Contains(string(r.Body), `"status":"queued"`) || !strings.Contains(string(r.Body), `"Company":"company_id:name"`) {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	id := jsonField(t, r.Body, "id")
	drain(t, e)
	e.Vars["import"] = id
	e.Run(t, []Scenario{
		{Name: "state", Role: access.Sales, Method: "GET", Path: "/api/v1/imports/{{import}}", Status: 200,
			Contains: []string{`"status":"done"`, `"rows_done":3`, `"created":2`, `"failed":1`}},
		{Name: "errors", Role: access.Sales, Method: "GET", Path: "/api/v1/imports/{{import}}/errors.csv", Status: 200,
			Contains: []string{"line,reason,First Name", `3,"email: ""not-an-email"" is not a valid email address",Bad,Row`}},
		{Name: "created", Method: "GET", Path: "/api/v1/contacts?count=true", Status: 200, Contains: []string{`"total":2`, "Grace"}},
		{Name: "no such import", Method: "GET", Path: "/api/v1/imports/nope", Status: 404},
	})
	// Resume: mark the import as stopped after its first row, run the job
	// again: the first row is not written twice.
	ctx := context.Background()
	if _, err := e.Sys.DB.Writer().ExecContext(ctx, `UPDATE imports SET status = 'running', rows_done = 1, created = 1, failed = 0, errors = '' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	// The row done after the stop is undone (erased, so its email is free).
	found, err := e.Sys.Records.FindBy(ctx, access.System(e.WS), "contacts", "email", []string{"grace@navy.example"})
	if err != nil || len(found) != 1 {
		t.Fatalf("grace: %v %v", found, err)
	}
	if err := e.Sys.Records.Erase(ctx, access.System(e.WS), "contacts", found["grace@navy.example"].ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sys.DB.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'available', attempt = 0 WHERE kind = 'import' AND workspace_id = $1`, e.WS); err != nil {
		t.Fatal(err)
	}
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "resumed", Role: access.Sales, Method: "GET", Path: "/api/v1/imports/{{import}}", Status: 200, Contains: []string{`"status":"done"`, `"rows_done":3`, `"created":2`, `"failed":1`}},
		{Name: "once each", Method: "GET", Path: "/api/v1/contacts?count=true", Status: 200, Contains: []string{`"total":2`}},
	})
	if t.Failed() {
		t.Logf("errors: %s", e.Do(access.Sales, "GET", "/api/v1/imports/{{import}}/errors.csv", "", nil).Body)
	}
}

// TestImportDryRun: dry_run=true counts what the import would do (an
// existing record and a repeated row as updates or skips, a bad row with
// its line, a company to be made) and stores nothing.
func TestImportDryRun(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@acme.example"}`, Status: 201, Events: 1},
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1},
	})
	csv := "First Name,Email,Company\nAda,ADA@acme.example,Acme\nGrace,grace@navy.example,US Navy\nGrace again,grace@navy.example,US Navy\nBad,not-an-email,\nLinus,linus@kernel.example,acme\n"
	r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "email", "dry_run": "true"}, "c.csv", []byte(csv))
	if r.Status != 200 {
		t.Fatalf("dry run: %d %s", r.Status, r.Body)
	}
	for _, want := range []string{`"rows":5`, `"created":2`, `"updated":2`, `"skipped":0`, `"failed":1`, `"companies_created":1`, `{"line":5,"reason":"email: \"not-an-email\" is not a valid email address"}`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("dry run lacks %s: %s", want, r.Body)
		}
	}
	r = e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "email", "on_duplicate": "skip", "dry_run": "true"}, "c.csv", []byte(csv))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"created":2,"updated":0,"skipped":2,"failed":1`) {
		t.Errorf("dry run, skipping duplicates: %d %s", r.Status, r.Body)
	}
	if r := e.upload(t, access.ReadOnly, "/api/v1/imports", map[string]string{"object": "contacts", "dry_run": "true"}, "c.csv", []byte(csv)); r.Status != 403 {
		t.Errorf("readonly dry run: %d %s", r.Status, r.Body)
	}
	if r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "nope", "dry_run": "true"}, "c.csv", []byte(csv)); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"object"`) {
		t.Errorf("dry run into no object: %d %s", r.Status, r.Body)
	}
	e.Run(t, []Scenario{
		{Name: "no contact written", Method: "GET", Path: "/api/v1/contacts?count=true", Status: 200, Contains: []string{`"total":1`}},
		{Name: "no company written", Method: "GET", Path: "/api/v1/companies?count=true", Status: 200, Contains: []string{`"total":1`}},
	})
	var n int
	if err := e.Sys.DB.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM imports WHERE workspace_id = $1`, e.WS).Scan(&n); err != nil || n != 0 {
		t.Errorf("a dry run stored %d imports (%v)", n, err)
	}
}

func jsonField(t *testing.T, body []byte, k string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	s, _ := m[k].(string)
	return s
}

// TestWebImportWizard: upload, check the guessed columns against a
// preview, start, watch the progress page until it is done.
func TestWebImportWizard(t *testing.T) {
	e := New(t)
	b := e.browser(t, access.Sales)
	csv := "First Name,Last Name,E-Mail,Company,Notes\nAda,Lovelace,ada@acme.example,Acme,x\nBad,Row,nope,,y\n"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", b.csrf)
	_ = mw.WriteField("object", "contacts")
	fw, _ := mw.CreateFormFile("file", "people.csv")
	_, _ = fw.Write([]byte(csv))
	_ = mw.Close()
	resp, err := b.c.Post(e.Server.URL+"/imports/new", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	_, doc := b.doc(resp, nil)
	if doc.Find(`select#map-0 option[value=first_name][selected]`).Length() != 1 || doc.Find(`select#map-2 option[value=email][selected]`).Length() != 1 ||
		doc.Find(`select#map-3 option[value="company_id:name"][selected]`).Length() != 1 || doc.Find(`select#map-4 option[value=""][selected], select#map-4:not(:has(option[selected]))`).Length() == 0 {
		t.Fatalf("mapping step: %q", text(doc, "table.preview thead"))
	}
	if !strings.Contains(text(doc, "table.preview tbody"), "ada@acme.example") {
		t.Errorf("preview: %q", text(doc, "table.preview tbody"))
	}
	action, _ := doc.Find(`form[action^="/imports/"]`).Attr("action")
	// A dry run first: the counts, the failed row with its line, the
	// choices kept, nothing written.
	_, doc = b.post(action, url.Values{"_action": {"dry_run"}, "map_0": {"first_name"}, "map_1": {"last_name"}, "map_2": {"email"}, "map_3": {"company_id:name"}, "dedupe": {"email"}, "on_duplicate": {"skip"}})
	if got := text(doc, ".dry-run"); !strings.Contains(got, "Would create1") || !strings.Contains(got, "Would fail1") || !strings.Contains(got, "New companies1") || !strings.Contains(got, "3email") {
		t.Errorf("dry run: %q", got)
	}
	if doc.Find(`select#imp-dup option[value=skip][selected]`).Length() != 1 || doc.Find(`select#map-4 option[selected]`).Length() != 0 || doc.Find(`select#map-2 option[value=email][selected]`).Length() != 1 {
		t.Errorf("the dry run forgot the choices: %q", text(doc, "form"))
	}
	if r := e.Do(access.Sales, "GET", "/api/v1/contacts?count=true", "", nil); !strings.Contains(string(r.Body), `"total":0`) {
		t.Errorf("the dry run wrote: %s", r.Body)
	}
	_, doc = b.post(action, url.Values{"map_0": {"first_name"}, "map_1": {"last_name"}, "map_2": {"email"}, "map_3": {"company_id:name"}, "dedupe": {"email"}, "on_duplicate": {"update"}})
	if doc.Find(`meta[http-equiv=refresh]`).Length() != 1 || doc.Find("progress").Length() != 1 {
		t.Fatalf("progress page: %q", text(doc, ".import"))
	}
	drain(t, e)
	_, doc = b.get(action)
	if got := text(doc, ".import"); !strings.Contains(got, "Done") || !strings.Contains(got, "Created1") || !strings.Contains(got, "Failed1") || doc.Find(`meta[http-equiv=refresh]`).Length() != 0 {
		t.Errorf("done: %q", got)
	}
	if href, _ := doc.Find(`.import a[download]`).Attr("href"); !strings.HasSuffix(href, "/errors.csv") {
		t.Errorf("errors link: %q", href)
	}
	// A started import cannot be started again.
	if _, doc = b.post(action, url.Values{"map_0": {"first_name"}}); !strings.Contains(text(doc, ".flash"), "has started already") {
		t.Errorf("second start: %q", text(doc, ".flash"))
	}
}

// TestImportUndo: undoing an import trashes what it created (the company
// it made by name too) and puts back what it overwrote.
func TestImportUndo(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@acme.example","title":"Analyst","tags":["old"]}`, Status: 201, Events: 1, Save: "ada"},
	})
	csv := "Email,Job Title,Tags,First Name,Company\nada@acme.example,Countess,\"vip, speaker\",Ada,\ngrace@navy.example,Admiral,,Grace,US Navy\n"
	r := e.upload(t, access.Manager, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "email"}, "c.csv", []byte(csv))
	if r.Status != 202 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	e.Vars["import"] = jsonField(t, r.Body, "id")
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "imported", Method: "GET", Path: "/api/v1/imports/{{import}}", Status: 200, Contains: []string{`"created":1`, `"updated":1`}},
		{Name: "ada changed", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 200, Contains: []string{`"title":"Countess"`, `"tags":["vip","speaker"]`}},
		{Name: "sales may not undo", Role: access.ReadOnly, Method: "POST", Path: "/api/v1/imports/{{import}}/undo", Status: 403},
		{Name: "undo", Role: access.Manager, Method: "POST", Path: "/api/v1/imports/{{import}}/undo", Status: 200, Events: 3, Contains: []string{`"status":"undone"`}}, // grace and her company trashed, ada put back
		{Name: "ada put back", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 200, Contains: []string{`"title":"Analyst"`, `"tags":["old"]`}},
		{Name: "grace gone", Method: "GET", Path: `/api/v1/contacts?filter=email%20%3D%20%22grace%40navy.example%22&count=true`, Status: 200, Contains: []string{`"total":0`}},
		{Name: "her company gone", Method: "GET", Path: `/api/v1/companies?count=true`, Status: 200, Contains: []string{`"total":0`}},
		{Name: "twice", Role: access.Manager, Method: "POST", Path: "/api/v1/imports/{{import}}/undo", Status: 409},
	})
}

// TestImportStoppedMidFile: an import job stopped in the middle (its
// context cancelled, as on SIGTERM, while batches commit) and run again
// ends with every row written exactly once: each batch commits with its
// progress.
func TestImportStoppedMidFile(t *testing.T) {
	e := New(t)
	var csv strings.Builder
	csv.WriteString("First Name,Email\n")
	const rows = 3000
	for i := range rows {
		fmt.Fprintf(&csv, "P%d,p%d@example.com\n", i, i)
	}
	r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "none"}, "big.csv", []byte(csv.String()))
	if r.Status != 202 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	id := jsonField(t, r.Body, "id")
	ctx := context.Background()
	// Small batches, so that the stop falls between two of them.
	if _, err := e.Sys.DB.Writer().ExecContext(ctx, `UPDATE imports SET options = REPLACE(options, '"BatchSize":0', '"BatchSize":50') WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	stop, cancel := context.WithCancel(ctx)
	go func() {
		for stop.Err() == nil {
			var done int
			_ = e.Sys.DB.Reader().QueryRowContext(ctx, `SELECT rows_done FROM imports WHERE id = $1`, id).Scan(&done)
			if done >= 200 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	_, _ = e.Sys.Jobs.RunOne(stop)
	cancel()
	var done int
	_ = e.Sys.DB.Reader().QueryRowContext(ctx, `SELECT rows_done FROM imports WHERE id = $1`, id).Scan(&done)
	if done == 0 || done >= rows {
		t.Fatalf("the stop did not fall in the middle: %d rows done", done)
	}
	drain(t, e)
	e.Vars["import"] = id
	e.Run(t, []Scenario{
		{Name: "finished", Method: "GET", Path: "/api/v1/imports/{{import}}", Status: 200, Contains: []string{`"status":"done"`, fmt.Sprintf(`"rows_done":%d`, rows), fmt.Sprintf(`"created":%d`, rows)}},
		{Name: "each once", Method: "GET", Path: "/api/v1/contacts?count=true", Status: 200, Contains: []string{fmt.Sprintf(`"total":%d`, rows)}},
		// Both runs' rows are in the search index, each under its own record.
		{Name: "first row found", Method: "GET", Path: "/api/v1/contacts?q=P0", Status: 200, Contains: []string{`"email":"p0@example.com"`}, Lacks: []string{`"email":"p1@example.com"`}},
		{Name: "last row found", Method: "GET", Path: "/api/v1/contacts?q=p2999%40example.com", Status: 200, Contains: []string{`"first_name":"P2999"`}, Lacks: []string{`"first_name":"P2998"`}},
	})
}

// TestImportDedupeByPhone: with dedupe by phone, a row finds the record
// whose number is the same in E.164 however either was written; a number
// that only some other field's words contain (an email of digits) is no
// duplicate; a number twice in the file updates the same record twice.
func TestImportDedupeByPhone(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","phone":"+49 30 1234567"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "bob", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Bob","phone":"+44 20 7946 0000"}`, Status: 201, Events: 1, Save: "bob"},
		{Name: "carl", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Carl","email":"4930555000@numbers.example"}`, Status: 201, Events: 1, Save: "carl"},
		{Name: "bob by name", Method: "GET", Path: "/api/v1/contacts?q=Bob&count=true", Status: 200, Contains: []string{`"total":1`}},
	})
	csv := "First Name,Phone,Job Title\nAda,030 1234567,Countess\nRobert,+44 (20) 7946-0000,Engineer\nDora,030 555000,Pilot\nEve,,Nobody\nAda Again,+49301234567,Twice\n"
	r := e.upload(t, access.Manager, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "phone"}, "phones.csv", []byte(csv))
	if r.Status != 202 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	e.Vars["import"] = jsonField(t, r.Body, "id")
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "counts", Method: "GET", Path: "/api/v1/imports/{{import}}", Status: 200, Contains: []string{`"status":"done"`, `"created":2`, `"updated":3`, `"failed":0`}},
		{Name: "ada updated twice", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 200, Contains: []string{`"first_name":"Ada Again"`, `"title":"Twice"`}},
		{Name: "bob updated", Method: "GET", Path: "/api/v1/contacts/{{bob}}", Status: 200, Contains: []string{`"first_name":"Robert"`, `"title":"Engineer"`}},
		{Name: "carl left alone", Method: "GET", Path: "/api/v1/contacts/{{carl}}", Status: 200, Contains: []string{`"first_name":"Carl"`}, Lacks: []string{"Pilot"}},
		{Name: "dora and eve created", Method: "GET", Path: "/api/v1/contacts?count=true", Status: 200, Contains: []string{`"total":5`, `"first_name":"Dora"`, `"first_name":"Eve"`}},
		// The updated records' search entries were replaced, a batch at a time.
		{Name: "found by the new name", Method: "GET", Path: "/api/v1/contacts?q=Robert", Status: 200, Contains: []string{`"id":"{{bob}}"`}},
		{Name: "not by the old one", Method: "GET", Path: "/api/v1/contacts?q=Bob&count=true", Status: 200, Contains: []string{`"total":0`}},
		{Name: "nor twice", Method: "GET", Path: "/api/v1/contacts?q=Again&count=true", Status: 200, Contains: []string{`"total":1`, `"id":"{{ada}}"`}},
	})
	// A sales user may not change others' records: the batch is refused,
	// written again row by row, and only the row updating Ada fails.
	r = e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts", "dedupe": "phone"}, "spy.csv", []byte("First Name,Phone,Job Title\nAda,030 1234567,Spy\nFay,+33 1 23 45 67 89,Agent\n"))
	if r.Status != 202 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	e.Vars["import"] = jsonField(t, r.Body, "id")
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "one refused", Method: "GET", Path: "/api/v1/imports/{{import}}", Status: 200, Contains: []string{`"created":1`, `"updated":0`, `"failed":1`}},
		{Name: "why", Method: "GET", Path: "/api/v1/imports/{{import}}/errors.csv", Status: 200, Contains: []string{"2,a sales may change only records they own,Ada"}},
		{Name: "ada as she was", Method: "GET", Path: "/api/v1/contacts/{{ada}}", Status: 200, Contains: []string{`"title":"Twice"`}},
	})
}
