package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/reports"
	"github.com/rapport-crm/rapport/internal/schema"
)

// reportsData is the reports page: the dashboards and the saved reports
// the user can see.
type reportsData struct {
	Dashboards []records.Record
	Reports    []reportRow
}

type reportRow struct {
	Report records.Record
	Object string
	Shared []string
}

// reportsPage lists the dashboards and saved reports the user can see.
func (d *Deps) reportsPage(w http.ResponseWriter, r *http.Request, sh *shell) {
	sh.Current = reports.Reports
	var data reportsData
	var err error
	data.Dashboards, err = d.Records.All(r.Context(), sh.Identity.Principal, reports.Dashboards, records.Query{OrderBy: "created_at"})
	var saved []records.Record
	if err == nil {
		saved, err = d.Records.All(r.Context(), sh.Identity.Principal, reports.Reports, records.Query{OrderBy: "name"})
	}
	ro, _ := sh.Schema.Object(reports.Reports)
	roles, _ := ro.Field("share_roles")
	for _, rec := range saved {
		row := reportRow{Report: rec, Object: str(rec["object"])}
		if o, ok := sh.Schema.Object(row.Object); ok {
			row.Object = sh.L.ObjectLabel(o)
		}
		for _, role := range strs(rec["share_roles"]) {
			row.Shared = append(row.Shared, sh.L.OptionLabel(roles, role))
		}
		data.Reports = append(data.Reports, row)
	}
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	d.renderShell(w, http.StatusOK, "reports.html", sh.L.T("reports.title"), sh, data)
}

func strs(v any) []string {
	s, _ := v.([]string)
	return s
}

// builderData is the report builder: the question as a form, the choices
// for the chosen object, and the answer as a chart and a table.
type builderData struct {
	Report  records.Record // nil until saved
	Form    builderForm
	Object  *schema.Object
	Objects []*schema.Object
	// Keys are what a report groups by; Numbers what it sums; Dates what
	// its period may cover.
	Keys, Numbers, Dates []choice
	Fields               []*schema.Field
	Operators            []filter.Operator
	Chips                []chip
	Ranges, Charts       []string
	Roles, Schedules     []string
	Error                string
	Preview              *cardView
	CanSave              bool
	Dashboards           []records.Record
}

type choice struct{ Value, Label string }

// builderForm is the builder's state, from the URL or a saved report.
type builderForm struct {
	Object, Filter, OrderBy string
	Group                   [records.MaxGroupBy]string
	Measures                [3]measureForm
	Limit                   string
	PeriodField             string
	PeriodRange             string
	Compare                 bool
	Chart                   string
	Name                    string
	ShareRoles              []string
	Schedule, EmailTo       string
}

type measureForm struct{ Fn, Field, Where string }

// readBuilder reads the builder's state from a query or a posted form.
func readBuilder(v url.Values) builderForm {
	f := builderForm{Object: v.Get("object"), Filter: strings.TrimSpace(v.Get("filter")), OrderBy: v.Get("order_by"), Limit: v.Get("limit"),
		PeriodField: v.Get("period_field"), PeriodRange: v.Get("period_range"), Compare: v.Get("compare") == "on", Chart: v.Get("chart"),
		Name: strings.TrimSpace(v.Get("name")), ShareRoles: v["share_roles"], Schedule: v.Get("schedule"), EmailTo: v.Get("email_to")}
	for i, g := range v["group"] {
		if i < len(f.Group) {
			f.Group[i] = g
		}
	}
	fns, fields, wheres := v["m_fn"], v["m_field"], v["m_where"]
	for i := range f.Measures {
		if i < len(fns) {
			f.Measures[i].Fn = fns[i]
		}
		if i < len(fields) {
			f.Measures[i].Field = fields[i]
		}
		if i < len(wheres) {
			f.Measures[i].Where = wheres[i]
		}
	}
	if f.Chart == "" {
		f.Chart = "bar"
	}
	return f
}

// builderOf fills the builder from a saved report.
func builderOf(rec records.Record) builderForm {
	f := builderForm{Object: str(rec["object"]), Filter: str(rec["filter"]), OrderBy: str(rec["order_by"]), PeriodField: str(rec["period_field"]),
		PeriodRange: str(rec["period_range"]), Chart: str(rec["chart"]), Name: str(rec["name"]), ShareRoles: strs(rec["share_roles"]),
		Schedule: str(rec["schedule"]), EmailTo: strings.Join(strs(rec["email_to"]), ", ")}
	f.Compare, _ = rec["compare"].(bool)
	if n, ok := rec["row_limit"].(int64); ok {
		f.Limit = strconv.FormatInt(n, 10)
	}
	copy(f.Group[:], strs(rec["group_by"]))
	for i, text := range strs(rec["measures"]) {
		if i >= len(f.Measures) {
			break
		}
		m, _ := reports.ParseMeasure(text)
		f.Measures[i] = measureForm{Fn: m.Fn, Field: m.Field, Where: m.Filter}
	}
	return f
}

// values writes the builder's question (not its name and sharing) as a
// URL query.
func (f builderForm) values() url.Values {
	v := url.Values{"object": {f.Object}, "chart": {f.Chart}}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("filter", f.Filter)
	set("order_by", f.OrderBy)
	set("limit", f.Limit)
	set("period_field", f.PeriodField)
	set("period_range", f.PeriodRange)
	if f.Compare {
		v.Set("compare", "on")
	}
	for _, g := range f.Group {
		v.Add("group", g)
	}
	for _, m := range f.Measures {
		v.Add("m_fn", m.Fn)
		v.Add("m_field", m.Field)
		v.Add("m_where", m.Where)
	}
	return v
}

// within drops what the builder cannot offer for the object chosen (the
// keys and fields of the object before): a new object starts afresh.
func (f builderForm) within(keys, numbers, dates []choice) builderForm {
	offered := func(list []choice, v string) bool {
		return v == "" || slices.ContainsFunc(list, func(c choice) bool { return c.Value == v })
	}
	for i, g := range f.Group {
		if !offered(keys, g) {
			f.Group[i] = ""
		}
	}
	for i, m := range f.Measures {
		if !offered(numbers, m.Field) && !offered(keys, m.Field) {
			f.Measures[i].Field = ""
		}
	}
	if !offered(dates, f.PeriodField) {
		f.PeriodField = ""
	}
	return f
}

// measures writes the measures as a saved report keeps them.
func (f builderForm) measures() []string {
	var out []string
	for _, m := range f.Measures {
		switch {
		case m.Fn == "":
		case m.Fn == "percent":
			out = append(out, "percent("+m.Where+")")
		case m.Field == "":
			out = append(out, m.Fn)
		default:
			out = append(out, m.Fn+"("+m.Field+")")
		}
	}
	if len(out) == 0 {
		out = []string{"count"}
	}
	return out
}

func (f builderForm) groups() []string {
	var out []string
	for _, g := range f.Group {
		if g != "" {
			out = append(out, g)
		}
	}
	return out
}

// record is the saved report's input.
func (f builderForm) record() map[string]any {
	in := map[string]any{"name": f.Name, "object": f.Object, "filter": nilIfEmpty(f.Filter), "group_by": f.groups(), "measures": f.measures(),
		"order_by": nilIfEmpty(f.OrderBy), "period_field": nilIfEmpty(f.PeriodField), "period_range": nilIfEmpty(f.PeriodRange),
		"compare": f.Compare, "chart": f.Chart, "share_roles": f.ShareRoles, "schedule": nilIfEmpty(f.Schedule), "email_to": splitList(f.EmailTo),
		"row_limit": nil}
	if n, err := strconv.ParseInt(f.Limit, 10, 64); err == nil {
		in["row_limit"] = n
	}
	if f.ShareRoles == nil {
		in["share_roles"] = []string{}
	}
	return in
}

func nilIfEmpty(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}

// splitList reads addresses typed with commas, semicolons or spaces.
func splitList(s string) []string {
	return append([]string{}, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' })...)
}

// query is the builder's question, for a preview.
func (f builderForm) query() (reports.Query, error) {
	rec := records.Record(f.record())
	return reports.QueryOf(rec)
}

// newReport shows the builder for a new report; a condition added with
// the builder's condition row is folded into the filter first.
func (d *Deps) newReport(w http.ResponseWriter, r *http.Request, sh *shell) {
	d.builder(w, r, sh, nil)
}

// reportPage shows a saved report: its chart and table, and the builder
// with its question for those who may change it.
func (d *Deps) reportPage(w http.ResponseWriter, r *http.Request, sh *shell) {
	rec, err := d.Records.Get(r.Context(), sh.Identity.Principal, reports.Reports, r.PathValue("id"), false)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	d.builder(w, r, sh, rec)
}

func (d *Deps) builder(w http.ResponseWriter, r *http.Request, sh *shell, rec records.Record) {
	sh.Current = reports.Reports
	q := r.URL.Query()
	form := readBuilder(q)
	if rec != nil {
		saved := builderOf(rec)
		if q.Get("object") == "" {
			form = saved
		} else {
			// A question changed in the builder keeps the report's name and
			// sharing until saved.
			if form.Name == "" {
				form.Name = saved.Name
			}
			form.ShareRoles, form.Schedule, form.EmailTo = saved.ShareRoles, saved.Schedule, saved.EmailTo
		}
	}
	if form.Object == "" {
		form.Object = "deals"
	}
	if f := q.Get("add_field"); f != "" {
		d.addReportCondition(w, r, sh, rec, form, q)
		return
	}
	o, ok := sh.Schema.Object(form.Object)
	if !ok || access.CanRead(sh.Identity.Principal, o.Name) != nil || !listed(o) {
		form.Object = "deals"
		o, _ = sh.Schema.Object("deals")
	}
	data := builderData{Report: rec, Form: form, Object: o, Operators: filter.Operators, Ranges: reports.Ranges, Charts: schema.ReportCharts,
		Roles: schema.ReportRoles, Schedules: schema.ReportSchedules, CanSave: access.CanCreate(sh.Identity.Principal, reports.Reports) == nil}
	if rec != nil {
		data.CanSave = access.CanWrite(sh.Identity.Principal, reports.Reports, rec.Owner()) == nil
	}
	for _, obj := range sh.Nav {
		if obj.Name != reports.Reports && obj.Name != reports.Dashboards {
			data.Objects = append(data.Objects, obj)
		}
	}
	data.Keys, data.Numbers, data.Dates, data.Fields = reportChoices(sh, o)
	form = form.within(data.Keys, data.Numbers, data.Dates)
	data.Form = form
	base := form.values()
	if clauses, err := filter.Clauses(form.Filter); err == nil {
		for i, c := range clauses {
			v := cloneValues(base)
			v.Set("filter", strings.Join(slices.Delete(slices.Clone(clauses), i, i+1), " AND "))
			data.Chips = append(data.Chips, chip{Text: c, RemoveURL: r.URL.Path + "?" + v.Encode()})
		}
	}
	status := http.StatusOK
	query, err := form.query()
	var res *reports.Result
	if err == nil {
		res, err = d.Reports.Answer(r.Context(), sh.Identity.Principal, query, q.Get("fresh") == "1")
	}
	if fe := fault.As(err); fe != nil && fe.Kind != fault.KindInternal {
		data.Error, status = sh.L.Message(fe.Msg), http.StatusBadRequest
	} else if err != nil {
		d.fail(w, r, err)
		return
	} else {
		name := form.Name
		if name == "" {
			name = sh.L.T("reports.untitled")
		}
		card := d.card(sh, reports.Saved{Report: records.Record{"name": name, "chart": form.Chart}, Query: query, Result: res}, "", true)
		fresh := form.values()
		fresh.Set("fresh", "1")
		card.Refresh = fresh.Encode()
		data.Preview = &card
	}
	if rec != nil {
		all, err := d.Records.All(r.Context(), sh.Identity.Principal, reports.Dashboards, records.Query{OrderBy: "name"})
		if err != nil {
			d.fail(w, r, err)
			return
		}
		for _, db := range all {
			if access.CanWrite(sh.Identity.Principal, reports.Dashboards, db.Owner()) == nil {
				data.Dashboards = append(data.Dashboards, db)
			}
		}
	}
	title := sh.L.T("reports.new")
	if rec != nil {
		title = str(rec["name"])
	}
	d.renderShell(w, status, "report.html", title, sh, data)
}

// addReportCondition folds the condition row into the builder's filter
// and comes back to the builder with it.
func (d *Deps) addReportCondition(w http.ResponseWriter, r *http.Request, sh *shell, rec records.Record, form builderForm, q url.Values) {
	v := form.values()
	if o, ok := sh.Schema.Object(form.Object); ok {
		f, ok := o.Field(q.Get("add_field"))
		op := q.Get("add_op")
		if ok && slices.ContainsFunc(filter.Operators, func(x filter.Operator) bool { return x.Op == op }) {
			v.Set("filter", andFilter(form.Filter, condition(sh, f, op, q.Get("add_value"))))
		}
	}
	path := "/reports/new"
	if rec != nil {
		path = "/reports/" + rec.ID()
	}
	http.Redirect(w, r, path+"?"+v.Encode(), http.StatusSeeOther)
}

// reportChoices are what the builder offers for an object: the keys to
// group by (fields, dates by day to year, a related record's fields), the
// numbers to measure, the dates a period may cover, and the fields a
// condition may test.
func reportChoices(sh *shell, o *schema.Object) (keys, numbers, dates []choice, fields []*schema.Field) {
	groupable := func(f *schema.Field) bool {
		return f.Sortable() && f.Kind != schema.LineItems && f.Kind != schema.ID && f.Kind != schema.Email && f.Kind != schema.Phone && f.Kind != schema.URL
	}
	for _, f := range o.Fields {
		label := sh.L.FieldLabel(f)
		switch {
		case f.Kind == schema.Date || f.Kind == schema.DateTime:
			dates = append(dates, choice{f.Name, label})
			if created, ok := o.Field("created_at"); ok && f.Kind == schema.DateTime && f.Name != "created_at" {
				// The time from a record's creation to this moment: a
				// ticket's resolution time, a deal's sales cycle.
				numbers = append(numbers, choice{f.Name + "-created_at", sh.L.T("report.span", sh.L.FieldLabel(created), label)})
			}
			for _, b := range records.Buckets {
				keys = append(keys, choice{f.Name + ":" + b, sh.L.T("report.bucket."+b, label)})
			}
		case f.Kind == schema.Money || f.Kind == schema.Number || f.Kind == schema.Integer:
			numbers = append(numbers, choice{f.Name, label})
			keys = append(keys, choice{f.Name, label})
		case groupable(f):
			keys = append(keys, choice{f.Name, label})
		}
		if columnKind(f) && f.Kind != schema.Refs {
			fields = append(fields, f)
		}
	}
	for _, f := range o.Fields {
		target, ok := sh.Schema.Object(f.Target)
		if f.Kind != schema.Relation || !ok || access.CanRead(sh.Identity.Principal, target.Name) != nil {
			continue
		}
		for _, tf := range target.Fields {
			if tf.Kind == schema.Text || tf.Kind == schema.Select || tf.Kind == schema.Bool || tf.Name == "owner_id" {
				keys = append(keys, choice{f.Name + "." + tf.Name, sh.L.FieldLabel(f) + " › " + sh.L.FieldLabel(tf)})
			}
		}
	}
	return keys, numbers, dates, fields
}

// saveReport saves the builder's report: a new one, or the changes to one
// the user may change; a report that would not run comes back with the
// error at its field.
func (d *Deps) saveReport(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := parseForm(w, r); err != nil {
		d.fail(w, r, err)
		return
	}
	form := readBuilder(r.PostForm)
	id := r.PathValue("id")
	var rec records.Record
	var err error
	if id == "" {
		rec, err = d.Records.Create(r.Context(), sh.Identity.Principal, reports.Reports, form.record())
	} else {
		rec, err = d.Records.Update(r.Context(), sh.Identity.Principal, reports.Reports, id, form.record(), nil)
	}
	if err != nil {
		back := "/reports/new"
		if id != "" {
			back = "/reports/" + id
		}
		fe := fault.As(err)
		if fe == nil || fe.Kind == fault.KindInternal {
			d.fail(w, r, err)
			return
		}
		msg := sh.L.Message(fe.Msg)
		if len(fe.Fields) > 0 {
			msg = sh.L.T("reports.not_saved", fieldName(sh, fe.Fields[0].Field), sh.L.Message(fe.Fields[0].Message))
		}
		v := form.values()
		v.Set("name", form.Name)
		d.redirectWithFlash(w, r, back+"?"+v.Encode(), msg)
		return
	}
	d.redirectWithFlash(w, r, "/reports/"+rec.ID(), sh.L.T("reports.saved", str(rec["name"])))
}

// fieldName is a saved report's field as the builder labels it.
func fieldName(sh *shell, name string) string {
	o, _ := sh.Schema.Object(reports.Reports)
	if f, ok := o.Field(name); ok {
		return sh.L.FieldLabel(f)
	}
	return name
}

// addToDashboard puts a saved report on a dashboard the user may change.
func (d *Deps) addToDashboard(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := parseForm(w, r); err != nil {
		d.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	db, err := d.Records.Get(r.Context(), sh.Identity.Principal, reports.Dashboards, r.PostFormValue("dashboard_id"), false)
	if err == nil {
		ids := strs(db["report_ids"])
		if !slices.Contains(ids, id) {
			ids = append(slices.Clone(ids), id)
		}
		_, err = d.Records.Update(r.Context(), sh.Identity.Principal, reports.Dashboards, db.ID(), map[string]any{"report_ids": ids}, nil)
	}
	if fe := fault.As(err); fe != nil && fe.Kind != fault.KindInternal {
		d.redirectWithFlash(w, r, "/reports/"+id, sh.L.Message(fe.Msg))
		return
	} else if err != nil {
		d.fail(w, r, err)
		return
	}
	d.redirectWithFlash(w, r, "/dashboards/"+dashboardRef(db), sh.L.T("reports.added", str(db["name"])))
}

// dashboardRef is a dashboard's address: its key, else its id.
func dashboardRef(db records.Record) string {
	if k := str(db["key"]); k != "" {
		return k
	}
	return db.ID()
}

// cardView is a report drawn for a page: its chart (or a KPI), its table,
// or its error.
type cardView struct {
	Report records.Record
	Title  string
	Kind   string
	SVG    template.HTML
	Table  *reports.Table
	Error  string
	Period string
	// AsOf says how old a kept answer is ("" for a live one).
	AsOf string
	// Refresh is the query of the page with live answers.
	Refresh string
	// Link leads to the report.
	Link string
}

// card draws a report's answer as its kind of chart, and as a table; a
// wide card spans the page (the builder's preview).
func (d *Deps) card(sh *shell, sv reports.Saved, link string, wide bool) cardView {
	pr := reports.Presenter{L: sh.L, Schema: sh.Schema}
	c := cardView{Report: sv.Report, Title: str(sv.Report["name"]), Kind: str(sv.Report["chart"]), Link: link}
	if c.Kind == "" {
		c.Kind = "table"
	}
	t := pr.Table(sv.Query, sv.Result)
	c.Table = &t
	if c.Kind != "table" {
		ch := pr.Chart(sv.Query, sv.Result, reports.KindOf(sv.Report), c.Title)
		// Drawn at the size the card shows it, so that its text reads at
		// the size it was set in.
		switch {
		case c.Kind == "kpi":
			ch.Width, ch.Height = 440, 150
		case wide || c.Kind == "line" || c.Kind == "stacked_bar":
			ch.Width, ch.Height = 900, 280
		default:
			ch.Width, ch.Height = 440, 260
		}
		c.SVG = template.HTML(ch.SVG()) // the chart package escapes every text it writes
	}
	if at := sv.Result.AsOf; at != nil {
		c.AsOf = sh.L.T("reports.as_of", sh.L.Relative(*at, d.now()))
	}
	if p := sv.Result.Period; p != nil {
		c.Period = sh.L.Date(p.From.Format("2006-01-02")) + " – " + sh.L.Date(p.To.AddDate(0, 0, -1).Format("2006-01-02"))
	}
	return c
}
