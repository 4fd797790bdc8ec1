package apitest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestImportsList: GET /api/v1/imports pages through the imports newest
// first, uploads and command-line runs alike (drafts of the wizard left
// out); the web's imports page lists them with their counts, and calls a
// command-line import that stopped half-way interrupted, saying how to
// resume it.
func TestImportsList(t *testing.T) {
	e := New(t)
	var uploads []string
	for _, name := range []string{"first.csv", "second.csv"} {
		csv := "First Name,Email\nAda,ada@" + name + ".example\nBad,nope\n"
		r := e.upload(t, access.Sales, "/api/v1/imports", map[string]string{"object": "contacts"}, name, []byte(csv))
		if r.Status != 202 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		uploads = append(uploads, jsonField(t, r.Body, "id"))
	}
	drain(t, e)
	// A command-line import killed after 500 rows ten minutes ago, and a
	// draft the wizard never started.
	ctx := context.Background()
	d := e.Sys.DB.Dialect()
	cli, draft := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	old := d.Time(time.Now().Add(-10 * time.Minute))
	if _, err := e.Sys.DB.Writer().ExecContext(ctx, `INSERT INTO imports (workspace_id, id, object, filename, options, status, rows_done, created, created_at, updated_at)
		VALUES ($1, $2, 'contacts', '/srv/exports/all.csv', '{"rows_total":2000}', 'running', 500, 500, $3, $3), ($1, $4, 'contacts', 'draft.csv', '{}', 'draft', 0, 0, $3, $3)`,
		e.WS, cli, old, draft); err != nil {
		t.Fatal(err)
	}

	type page struct {
		Data []struct {
			ID, Filename, Source, Status string
			Failed                       int
		}
		Next string `json:"next_page_token"`
	}
	list := func(query string) page {
		t.Helper()
		r := e.Do(access.ReadOnly, "GET", "/api/v1/imports"+query, "", nil)
		if r.Status != 200 {
			t.Fatalf("list%s: %d %s", query, r.Status, r.Body)
		}
		var p page
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	all := list("")
	var got []string
	for _, im := range all.Data {
		got = append(got, im.ID+" "+im.Filename+" "+im.Source+" "+im.Status)
	}
	want := []string{cli + " /srv/exports/all.csv command line running", uploads[1] + " second.csv upload done", uploads[0] + " first.csv upload done"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || all.Next != "" || all.Data[1].Failed != 1 {
		t.Fatalf("imports:\n%s\nwant:\n%s (next %q)", strings.Join(got, "\n"), strings.Join(want, "\n"), all.Next)
	}
	first := list("?page_size=2")
	if len(first.Data) != 2 || first.Next != uploads[1] {
		t.Fatalf("first page: %+v", first)
	}
	if rest := list("?page_size=2&page_token=" + first.Next); len(rest.Data) != 1 || rest.Data[0].ID != uploads[0] || rest.Next != "" {
		t.Fatalf("second page: %+v", rest)
	}
	e.Run(t, []Scenario{
		{Name: "bad token", Method: "GET", Path: "/api/v1/imports?page_token=yesterday", Status: 422, Contains: []string{`"field":"page_token"`}},
		{Name: "unknown parameter", Method: "GET", Path: "/api/v1/imports?status=done", Status: 400, Contains: []string{`unknown query parameter \"status\"`}},
		{Name: "page size", Method: "GET", Path: "/api/v1/imports?page_size=0", Status: 400},
	})

	b := e.browser(t, access.Sales)
	_, doc := b.get("/imports")
	rows := doc.Find("table.records tbody tr")
	if rows.Length() != 3 {
		t.Fatalf("imports page: %q", text(doc, "main"))
	}
	if got := rows.Eq(0).Text(); !strings.Contains(got, "/srv/exports/all.csv") || !strings.Contains(got, "command line") || !strings.Contains(got, "Interrupted") {
		t.Errorf("the interrupted import: %q", got)
	}
	if got := rows.Eq(1).Text(); !strings.Contains(got, "second.csv") || !strings.Contains(got, "Done") {
		t.Errorf("an upload: %q", got)
	}
	if href, _ := rows.Eq(1).Find("a[download]").Attr("href"); href != "/api/v1/imports/"+uploads[1]+"/errors.csv" {
		t.Errorf("failed rows link: %q", href)
	}
	if doc.Find(`meta[http-equiv=refresh]`).Length() != 0 {
		t.Error("the page reloads itself with nothing running")
	}
	_, doc = b.get("/imports/" + cli)
	if got := text(doc, ".import"); !strings.Contains(got, "Interrupted") || !strings.Contains(got, "after 500 rows") || doc.Find(`meta[http-equiv=refresh]`).Length() != 0 {
		t.Errorf("the interrupted import's page: %q", got)
	}
}
