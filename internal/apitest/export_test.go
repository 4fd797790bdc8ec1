package apitest

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestExport: every matching record, streamed as CSV, JSON lines or vCard,
// with the filter applied and permissions kept; bad requests are refused
// before anything is sent.
func TestExport(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme; Inc"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","company_id":"{{acme}}","lifecycle_stage":"customer","tags":["vip"],"title":"=1+1"}`, Status: 201, Events: 1},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace","last_name":"Hopper","lifecycle_stage":"lead","phone":"+1 202 555 0100"}`, Status: 201, Events: 1},
		{Name: "bad format", Method: "GET", Path: "/api/v1/contacts/export?format=xls", Status: 400, Contains: []string{"format: want csv, json or vcf"}},
		{Name: "vcf of companies", Method: "GET", Path: "/api/v1/companies/export?format=vcf", Status: 400, Contains: []string{"vcf is for contacts only"}},
		{Name: "bad filter", Method: "GET", Path: "/api/v1/contacts/export?filter=shoe%3D1", Status: 400, Contains: []string{"unknown field"}},
		{Name: "unknown param", Method: "GET", Path: "/api/v1/contacts/export?page_size=1", Status: 400},
		{Name: "webhooks are admin's", Role: access.Sales, Method: "GET", Path: "/api/v1/webhooks/export", Status: 403},
	})
	r := e.Do(access.Sales, "GET", "/api/v1/contacts/export", "", nil)
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(rows) != 3 {
		t.Fatalf("csv: %d %v %q\n%s", r.Status, err, r.Header.Get("Content-Type"), r.Body)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if rows[1][col["first_name"]] != "Ada" || rows[1][col["title"]] != "'=1+1" || rows[1][col["tags"]] != "vip" || rows[2][col["phone"]] != "+1 202 555 0100" {
		t.Errorf("csv rows: %q", rows)
	}
	r = e.Do(access.Sales, "GET", `/api/v1/contacts/export?format=json&filter=lifecycle_stage%20%3D%20%22customer%22`, "", nil)
	sc := bufio.NewScanner(strings.NewReader(string(r.Body)))
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("json line: %v: %s", err, sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) != 1 || lines[0]["email"] != "ada@example.com" {
		t.Errorf("json lines: %s", r.Body)
	}
	r = e.Do(access.Sales, "GET", "/api/v1/contacts/export?format=vcf&q=ada", "", nil)
	if got := string(r.Body); !strings.HasPrefix(got, "BEGIN:VCARD\r\nVERSION:3.0\r\n") || !strings.Contains(got, "ORG:Acme\\; Inc\r\n") || strings.Count(got, "BEGIN:VCARD") != 1 ||
		r.Header.Get("Content-Type") != "text/vcard; charset=utf-8" || !strings.Contains(r.Header.Get("Content-Disposition"), ".vcf") {
		t.Errorf("vcf: %q\n%s", r.Header, got)
	}
	// The list page links to the export of what it shows.
	_, doc := e.browser(t, access.Sales).get(`/contacts?filter=lifecycle_stage%20%3D%20%22lead%22`)
	if href, _ := doc.Find(`.exports a[href*="format=vcf"]`).Attr("href"); !strings.HasPrefix(href, "/api/v1/contacts/export?") || !strings.Contains(href, "filter=lifecycle_stage") {
		t.Errorf("export link: %q", href)
	}
}
