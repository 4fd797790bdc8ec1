package apitest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
)

// formOf is what a browser sends for the form sel: inputs with their
// values (checkboxes only when checked), each select's chosen option,
// textareas.
func formOf(doc *goquery.Document, sel string) url.Values {
	out := url.Values{}
	form := doc.Find(sel).First()
	form.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || s.AttrOr("disabled", "x") != "x" {
			return
		}
		switch goquery.NodeName(s) {
		case "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			out.Add(name, opt.AttrOr("value", opt.Text()))
		case "textarea":
			out.Add(name, s.Text())
		default:
			t := s.AttrOr("type", "text")
			if (t == "checkbox" || t == "radio") && s.AttrOr("checked", "x") == "x" {
				return
			}
			if t == "checkbox" || t == "radio" {
				out.Add(name, s.AttrOr("value", "on")) // what a browser sends for a box without a value
				return
			}
			out.Add(name, s.AttrOr("value", ""))
		}
	})
	return out
}

// TestWebDeals: a deal's page lists its contacts (kept when the form is
// saved, one more added by name) and offers its pipeline's stages; a
// contact's page lists its deals; a pipeline's stages are edited in a
// table, a new one added by its last row, and a refusal comes back at
// the field.
func TestWebDeals(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "acme", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Save: "acme"},
		{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","last_name":"Lovelace"}`, Status: 201, Events: 1, Save: "ada"},
		{Name: "grace", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace","last_name":"Hopper"}`, Status: 201, Events: 1, Save: "grace"},
		{Name: "deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Acme renewal","amount":"12500","company_id":"{{acme}}","contact_ids":["{{ada}}"]}`,
			Status: 201, Events: 3, Save: "deal"},
	})
	b := e.browser(t, access.Sales)
	code, doc := b.get("/deals/{{deal}}")
	if code != 200 || doc.Find(`input[name=contact_ids][value="`+e.Vars["ada"]+`"][checked]`).Length() != 1 || !strings.Contains(text(doc, "fieldset"), "Ada Lovelace") {
		t.Fatalf("deal page: %d, contacts %q", code, text(doc, "fieldset"))
	}
	if doc.Find(`datalist#f-stage_id-choices option[value=qualified]`).AttrOr("label", "") != "Qualified (25 %)" {
		t.Errorf("stage choices: %q", text(doc, "datalist#f-stage_id-choices"))
	}
	form := formOf(doc, `form[action="/deals/`+e.Vars["deal"]+`"]:not(.actions)`)
	form.Set("stage_id", "qualified")
	form.Add("contact_ids", e.Vars["grace"])
	if code, doc = b.post("/deals/{{deal}}", form); code != 200 || doc.Find(".field-error").Length() != 0 {
		t.Fatalf("save: %d %q", code, text(doc, ".field-error"))
	}
	rec, err := e.Sys.Records.Get(context.Background(), access.System(e.WS), "deals", e.Vars["deal"], false)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := rec["contact_ids"].([]string); rec["stage_id"] != "qualified" || len(ids) != 2 || ids[0] != e.Vars["ada"] || ids[1] != e.Vars["grace"] {
		t.Errorf("saved deal: stage %v, contacts %v", rec["stage_id"], rec["contact_ids"])
	}
	// Unticked, a contact leaves the deal.
	_, doc = b.get("/deals/{{deal}}")
	form = formOf(doc, `form[action="/deals/`+e.Vars["deal"]+`"]:not(.actions)`)
	form["contact_ids"] = []string{e.Vars["ada"], ""}
	b.post("/deals/{{deal}}", form)
	rec, _ = e.Sys.Records.Get(context.Background(), access.System(e.WS), "deals", e.Vars["deal"], false)
	if ids, _ := rec["contact_ids"].([]string); len(ids) != 1 || ids[0] != e.Vars["ada"] {
		t.Errorf("contacts after unticking Grace: %v", rec["contact_ids"])
	}
	if _, doc = b.get("/contacts/{{ada}}"); !strings.Contains(text(doc, "aside"), "Acme renewal") {
		t.Errorf("Ada's page lacks her deal: %q", text(doc, "aside"))
	}
	// The pipeline's stages, edited by a manager.
	page, err := e.Sys.Records.List(context.Background(), access.System(e.WS), "pipelines", records.Query{Filter: `name = "Sales"`})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("sales pipeline: %v", err)
	}
	e.Vars["sales"] = page.Data[0].ID()
	m := e.browser(t, access.Manager)
	_, doc = m.get("/pipelines/{{sales}}")
	if n := doc.Find(`fieldset.stages tbody tr`).Length(); n != 8 {
		t.Fatalf("stage rows: %d, want 7 and a new one", n)
	}
	form = formOf(doc, `form[action="/pipelines/`+e.Vars["sales"]+`"]:not(.actions)`)
	names := form["stages.name"]
	names[len(names)-1] = "Trial"
	form["stages.probability"][len(names)-1] = "30"
	form["stages.name"][1] = "Qualified lead"
	if code, doc = m.post("/pipelines/{{sales}}", form); code != 200 || doc.Find(".field-error").Length() != 0 {
		t.Fatalf("save stages: %d %q", code, text(doc, ".field-error"))
	}
	p, _ := e.Sys.Records.Get(context.Background(), access.System(e.WS), "pipelines", e.Vars["sales"], false)
	stages, _ := p["stages"].([]map[string]any)
	if len(stages) != 8 || stages[1]["id"] != "qualified" || stages[1]["name"] != "Qualified lead" || stages[7]["id"] != "trial" || stages[7]["probability"] != float64(30) {
		t.Errorf("stages after the edit: %v", stages)
	}
	// A stage with a deal in it cannot go: the reason shows at the field.
	_, doc = m.get("/pipelines/{{sales}}")
	form = formOf(doc, `form[action="/pipelines/`+e.Vars["sales"]+`"]:not(.actions)`)
	form["stages.name"][1] = ""
	if _, doc = m.post("/pipelines/{{sales}}", form); !strings.Contains(text(doc, ".field-error"), `stage "Qualified lead" cannot be removed: 1 deals are in it`) {
		t.Errorf("removing a stage in use: %q", text(doc, ".field-error"))
	}
	// A refused deal form keeps its contacts.
	_, doc = b.get("/deals/{{deal}}")
	form = formOf(doc, `form[action="/deals/`+e.Vars["deal"]+`"]:not(.actions)`)
	form.Set("currency", "XYZ")
	if _, doc = b.post("/deals/{{deal}}", form); !strings.Contains(text(doc, ".field-error"), "ISO 4217") || doc.Find(`input[name=contact_ids][value="`+e.Vars["ada"]+`"][checked]`).Length() != 1 {
		t.Errorf("refused deal form: %q, contacts %q", text(doc, ".field-error"), text(doc, "fieldset"))
	}
	// Sales see the stages but cannot change them.
	if _, doc = b.get("/pipelines/{{sales}}"); doc.Find(`fieldset.stages input[name="stages.name"]:not([readonly])`).Length() != 0 {
		t.Error("sales may edit the stages")
	}
}
