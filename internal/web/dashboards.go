package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/reports"
	"github.com/rapport-crm/rapport/internal/schema"
)

// dashboardData is a dashboard's page: its cards over one period, the
// other dashboards as tabs, and, when editing, its settings and the
// reports that may join it.
type dashboardData struct {
	Dashboard  records.Record
	Ref        string
	Range      string
	Ranges     []string
	OwnerID    string
	Owners     []*auth.User
	Cards      []cardView
	Tabs       []records.Record
	CanEdit    bool
	Editing    bool
	Available  []records.Record
	Roles      []string
	Schedules  []string
	EmailTo    string
	ShareRoles []string
}

// dashboard shows a dashboard's reports, each as its chart, over the
// dashboard's period or the one chosen.
func (d *Deps) dashboard(w http.ResponseWriter, r *http.Request, sh *shell) {
	sh.Current = reports.Reports
	q := r.URL.Query()
	rng := q.Get("range")
	if rng != "" && !slices.Contains(reports.Ranges, rng) {
		rng = ""
	}
	v, err := d.Reports.Dashboard(r.Context(), sh.Identity.Principal, r.PathValue("ref"), reports.ViewOptions{Range: rng, OwnerID: q.Get("owner_id"), Fresh: q.Get("fresh") == "1"})
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	db := v.Dashboard
	data := dashboardData{Dashboard: db, Ref: dashboardRef(db), Range: v.Range, Ranges: reports.Ranges, OwnerID: v.OwnerID,
		CanEdit: access.CanWrite(sh.Identity.Principal, reports.Dashboards, db.Owner()) == nil, Roles: schema.ReportRoles, Schedules: schema.ReportSchedules,
		EmailTo: strings.Join(strs(db["email_to"]), ", "), ShareRoles: strs(db["share_roles"])}
	data.Editing = data.CanEdit && q.Get("edit") == "1"
	if data.Owners, err = d.Auth.Users(r.Context(), sh.Identity.WorkspaceID); err != nil {
		d.fail(w, r, err)
		return
	}
	fresh := r.URL.Query()
	fresh.Set("fresh", "1")
	for _, c := range v.Cards {
		if c.Error != "" {
			data.Cards = append(data.Cards, cardView{Report: c.Report, Title: str(c.Report["name"]), Error: sh.L.Message(c.Error), Link: "/reports/" + c.Report.ID()})
			continue
		}
		card := d.card(sh, reports.Saved{Report: c.Report, Query: c.Query, Result: c.Result}, "/reports/"+c.Report.ID(), false)
		card.Refresh = fresh.Encode()
		data.Cards = append(data.Cards, card)
	}
	data.Tabs, err = d.Records.All(r.Context(), sh.Identity.Principal, reports.Dashboards, records.Query{OrderBy: "created_at"})
	if err == nil && data.Editing {
		var all []records.Record
		all, err = d.Records.All(r.Context(), sh.Identity.Principal, reports.Reports, records.Query{OrderBy: "name"})
		on := strs(db["report_ids"])
		for _, rec := range all {
			if !slices.Contains(on, rec.ID()) {
				data.Available = append(data.Available, rec)
			}
		}
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.renderShell(w, http.StatusOK, "dashboard.html", str(db["name"]), sh, data)
}

// dashboards leads to the reports page, which lists the dashboards.
func (d *Deps) dashboards(w http.ResponseWriter, r *http.Request, sh *shell) {
	http.Redirect(w, r, "/reports", http.StatusSeeOther)
}

// newDashboard makes a dashboard of the user's own and opens it to be
// filled.
func (d *Deps) newDashboard(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := parseForm(w, r); err != nil {
		d.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	rec, err := d.Records.Create(r.Context(), sh.Identity.Principal, reports.Dashboards, map[string]any{"name": name, "period_range": "this_year"})
	if fe := fault.As(err); fe != nil && fe.Kind != fault.KindInternal {
		d.redirectWithFlash(w, r, "/reports", formError(sh, fe))
		return
	} else if err != nil {
		d.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/dashboards/"+rec.ID()+"?edit=1", http.StatusSeeOther)
}

// formError is a refused change as one line: the field and why.
func formError(sh *shell, fe *fault.Error) string {
	if len(fe.Fields) > 0 {
		return sh.L.T("reports.not_saved", fe.Fields[0].Field, sh.L.Message(fe.Fields[0].Message))
	}
	return sh.L.Message(fe.Msg)
}

// editDashboard changes a dashboard: its settings, or its cards (add one,
// take one off, move one up or down).
func (d *Deps) editDashboard(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := parseForm(w, r); err != nil {
		d.fail(w, r, err)
		return
	}
	db, err := d.Reports.Find(r.Context(), sh.Identity.Principal, r.PathValue("ref"))
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	f := r.PostForm
	ids := slices.Clone(strs(db["report_ids"]))
	in := map[string]any{}
	switch id, at := f.Get("report_id"), slices.Index(ids, f.Get("report_id")); f.Get("_action") {
	case "add":
		if id != "" && at < 0 {
			in["report_ids"] = append(ids, id)
		}
	case "remove":
		if at >= 0 {
			in["report_ids"] = slices.Delete(ids, at, at+1)
		}
	case "up", "down":
		to := at - 1
		if f.Get("_action") == "down" {
			to = at + 1
		}
		if at >= 0 && to >= 0 && to < len(ids) {
			ids[at], ids[to] = ids[to], ids[at]
			in["report_ids"] = ids
		}
	default:
		in = map[string]any{"name": strings.TrimSpace(f.Get("name")), "period_range": nilIfEmpty(f.Get("period_range")),
			"share_roles": append([]string{}, f["share_roles"]...), "schedule": nilIfEmpty(f.Get("schedule")), "email_to": splitList(f.Get("email_to"))}
	}
	back := "/dashboards/" + dashboardRef(db) + "?edit=1"
	if len(in) > 0 {
		if _, err := d.Records.Update(r.Context(), sh.Identity.Principal, reports.Dashboards, db.ID(), in, nil); err != nil {
			if fe := fault.As(err); fe != nil && fe.Kind != fault.KindInternal {
				d.redirectWithFlash(w, r, back, formError(sh, fe))
				return
			}
			d.fail(w, r, err)
			return
		}
	}
	if f.Get("_action") == "" {
		d.redirectWithFlash(w, r, "/dashboards/"+dashboardRef(db), sh.L.T("reports.dashboard_saved"))
		return
	}
	http.Redirect(w, r, back+"&"+url.Values{"focus": {f.Get("report_id")}}.Encode(), http.StatusSeeOther)
}
