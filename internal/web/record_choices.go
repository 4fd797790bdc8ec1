package web

// What a record's form offers to pick from: records for its relations by
// name, a deal's stages, the products of a quote's lines, the records a
// relation list or an activity holds.

import (
	"fmt"
	"net/http"

	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/quotes"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// choices lists, for each relation field of o, the most recently updated
// records of its target, as the options of a datalist: the browser filters
// them as the user types, with no script.
func (d *Deps) choices(r *http.Request, sh *shell, o *schema.Object, values map[string]any) map[string][]cell {
	out := map[string][]cell{}
	if o.Name == deals.Object {
		out["stage_id"] = d.stageChoices(r, sh, values)
	}
	for _, f := range editable(o) {
		if f.Kind == schema.LineItems { // the products on sale, to pick a line's from
			page, err := d.Records.List(r.Context(), sh.Identity.Principal, quotes.Products, records.Query{Filter: "active = true", OrderBy: "name", PageSize: maxChoices})
			if err == nil {
				for _, p := range page.Data {
					text, _ := p["name"].(string)
					if sku, ok := p["sku"].(string); ok {
						text += " (" + sku + ")"
					}
					out[f.Name] = append(out[f.Name], cell{Text: text, Link: p.ID()})
				}
			}
			continue
		}
		if f.Kind != schema.Relation && f.Kind != schema.Relations || f.Target == "users" {
			continue
		}
		t, ok := sh.Schema.Object(f.Target)
		if !ok {
			continue
		}
		page, err := d.Records.List(r.Context(), sh.Identity.Principal, f.Target, records.Query{OrderBy: "updated_at desc", PageSize: maxChoices})
		if err != nil {
			continue
		}
		for _, rec := range page.Data {
			out[f.Name] = append(out[f.Name], cell{Text: records.Title(t, rec), Link: rec.ID()})
		}
	}
	return out
}

// stageChoices are the stages of a deal's pipeline (the first pipeline's
// for a new deal), to pick its stage from by name.
func (d *Deps) stageChoices(r *http.Request, sh *shell, values map[string]any) []cell {
	pid, _ := values["pipeline_id"].(string)
	q := records.Query{OrderBy: "created_at", PageSize: 1}
	if pid != "" {
		q.Filter = "id = " + filter.Quote(pid)
	}
	page, err := d.Records.List(r.Context(), sh.Identity.Principal, deals.Pipelines, q)
	if err != nil || len(page.Data) == 0 {
		return nil
	}
	var out []cell
	for _, st := range deals.StagesOf(page.Data[0]) {
		out = append(out, cell{Text: fmt.Sprintf("%s (%d %%)", st.Name, st.Probability), Link: st.ID})
	}
	return out
}

// linked are the records each relation-list field of values holds (a
// deal's contacts), by title.
func (d *Deps) linked(r *http.Request, sh *shell, o *schema.Object, values map[string]any) map[string][]cell {
	out := map[string][]cell{}
	for _, f := range editable(o) {
		ids, _ := values[f.Name].([]string)
		if typed, ok := values[f.Name].([]any); ok { // a form sent back with an error
			for _, x := range typed {
				if id, ok := x.(string); ok {
					ids = append(ids, id)
				}
			}
		}
		t, ok := sh.Schema.Object(f.Target)
		if f.Kind != schema.Relations || len(ids) == 0 || !ok {
			continue
		}
		recs, err := d.Records.GetMany(r.Context(), sh.Identity.Principal, f.Target, ids)
		if err != nil {
			continue
		}
		for _, id := range ids {
			title := id
			if rec, ok := recs[id]; ok {
				title = records.Title(t, rec)
			}
			out[f.Name] = append(out[f.Name], cell{Text: title, Link: id})
		}
	}
	return out
}

// refTitles are an activity's related records as links: "object/id" and
// the record's title (those the user may not see are left out).
func (d *Deps) refTitles(r *http.Request, sh *shell, v any) []cell {
	refs, _ := v.([]map[string]any)
	var out []cell
	for _, m := range refs {
		object, _ := m["object"].(string)
		id, _ := m["id"].(string)
		o, ok := sh.Schema.Object(object)
		if !ok {
			continue
		}
		rec, err := d.Records.Get(r.Context(), sh.Identity.Principal, object, id, false)
		if err != nil {
			continue
		}
		out = append(out, cell{Text: sh.L.ObjectSingular(o) + ": " + records.Title(o, rec), Link: object + "/" + id})
	}
	return out
}
