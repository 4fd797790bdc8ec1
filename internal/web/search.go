package web

import (
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/internal/schema"
)

type searchHit struct {
	Object   *schema.Object
	ID       string
	Title    string
	Subtitle string
}

// action is a command the search palette offers: go to a list, create a
// record, open settings.
type action struct {
	Label string
	URL   string
}

type searchData struct {
	Q       string
	Hits    []searchHit
	Actions []action
}

// search shows what matches q across every object. With partial=1 it
// answers only the list of hits and actions, which the shell's search box
// shows below itself as the user types (app.js).
func (d *Deps) search(w http.ResponseWriter, r *http.Request, sh *shell) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	partial := r.URL.Query().Get("partial") == "1"
	limit := 50
	if partial {
		limit = 8
	}
	data := searchData{Q: q}
	if q != "" {
		hits, err := d.Records.Search(r.Context(), sh.Identity.Principal, q, limit)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		for _, h := range hits {
			if o, ok := sh.Schema.Object(h.Object); ok && listed(o) {
				data.Hits = append(data.Hits, searchHit{Object: o, ID: h.ID, Title: h.Title, Subtitle: h.Subtitle})
			}
		}
		data.Actions = d.actions(sh, q)
	}
	if partial {
		securityHeaders(w)
		if err := d.tmpl[sh.L.Tag].ExecuteTemplate(w, "hits", data); err != nil {
			d.Log.Error("render search hits", "err", err)
		}
		return
	}
	d.renderShell(w, http.StatusOK, "search.html", sh.L.T("search.heading"), sh, data)
}

// actions are the palette's commands whose label contains q.
func (d *Deps) actions(sh *shell, q string) []action {
	var all []action
	canCreate := sh.Identity.Role != "readonly"
	for _, o := range sh.Nav {
		all = append(all, action{Label: sh.L.T("search.go_to", sh.L.ObjectLabel(o)), URL: "/" + o.Name})
		if canCreate {
			all = append(all, action{Label: sh.L.T("list.new", sh.L.ObjectSingular(o)), URL: "/" + o.Name + "/new"})
		}
	}
	all = append(all, action{Label: sh.L.T("shell.settings"), URL: "/settings"}, action{Label: sh.L.T("account.heading"), URL: "/account"})
	lq := strings.ToLower(q)
	var out []action
	for _, a := range all {
		if strings.Contains(strings.ToLower(a.Label), lq) {
			out = append(out, a)
		}
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}
