package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/tickets"
	"github.com/rapport-crm/rapport/internal/views"
)

// column is one column of a list view.
type column struct {
	Field   *schema.Field
	SortURL string
	Sorted  string // "asc", "desc" or ""
}

type row struct {
	ID      string
	Title   string
	Version int64
	Cells   []cell
}

type cell struct {
	Text    string
	Hint    string // shown on hover: the exact time of a relative one
	Link    string
	Numeric bool
	// Field and Value are set on cells that can be edited in place.
	Field string
	Kind  string
	Value string
}

// countCap is where the web app stops counting a list's matches ("1,000+"):
// counting walks every match, and beyond a thousand the number is more
// than anyone reads (BENCHMARKS.md: 10,000 cost PostgreSQL 45 ms a page).
const countCap = 1000

// inlineKinds can be edited in a list cell.
func inlineKind(f *schema.Field) bool {
	switch f.Kind {
	case schema.Text, schema.Email, schema.Phone, schema.URL, schema.Integer, schema.Number, schema.Money, schema.Date:
		return !f.ReadOnly && !f.Lower
	}
	return false
}

type listData struct {
	Object      *schema.Object
	Columns     []column
	Rows        []row
	Filter      string
	Q           string
	OrderBy     string
	FilterError string
	Total       int64
	TotalCapped bool
	NextURL     string
	FirstURL    string
	CanCreate   bool
	Views       []views.View
	ViewID      string
	CanShare    bool
	ViewError   string
	Back        string // this list's query, to come back to after a bulk action
	Chips       []chip
	Fields      []*schema.Field
	Cols        []string // chosen columns, kept by every link and form
	Choosable   []choosable
	Operators   []filter.Operator
	BulkFields  []*schema.Field
	Exports     []exportLink // the whole filtered list, streamed by the API
	Quick       []quickView  // an object's own views (tickets: mine, unassigned, breaching)
}

// quickView is a list an object offers of itself, beside the saved views.
type quickView struct {
	Name, URL string
	Current   bool
}

type exportLink struct {
	Format string
	URL    string
}

// choosable is a field in the column chooser.
type choosable struct {
	Field   *schema.Field
	Checked bool
}

// chosenColumns returns the named fields that can be columns, in order.
func chosenColumns(o *schema.Object, names []string) []*schema.Field {
	var out []*schema.Field
	for _, n := range names {
		if f, ok := o.Field(n); ok && columnKind(f) && !slicesContains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) > 12 {
		out = out[:12]
	}
	return out
}

func slicesContains(list []*schema.Field, f *schema.Field) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}

// columnKind reports whether a field can be a list's column: not the
// structured ones, not an activity's related records, not secrets.
func columnKind(f *schema.Field) bool {
	switch f.Kind {
	case schema.Address, schema.Consent, schema.Refs, schema.Ref, schema.Stages, schema.LineItems, schema.Prices:
		return false
	}
	return f.Name != "secret"
}

// chip is one AND term of the filter, with the link that removes it.
type chip struct {
	Text      string
	RemoveURL string
}

// listColumns picks a list's columns: the title fields, then the fields most
// worth a glance, up to seven.
func listColumns(o *schema.Object) []*schema.Field {
	var out []*schema.Field
	seen := map[string]bool{}
	add := func(f *schema.Field) {
		if f != nil && !seen[f.Name] && len(out) < 7 {
			seen[f.Name] = true
			out = append(out, f)
		}
	}
	for _, name := range append(append([]string{}, o.Title...), o.Subtitle) {
		f, _ := o.Field(name)
		add(f)
	}
	for _, f := range o.Fields {
		switch {
		case f.ReadOnly, f.Name == "owner_id", f.Kind == schema.LongText, !columnKind(f):
			continue
		}
		add(f)
	}
	owner, _ := o.Field("owner_id")
	add(owner)
	return out
}

func (d *Deps) list(w http.ResponseWriter, r *http.Request, sh *shell) {
	name := r.PathValue("object")
	o, ok := d.pageObject(w, r, sh, name)
	if !ok {
		return
	}
	sh.Current = name
	q := r.URL.Query()
	if field := q.Get("add_field"); field != "" {
		// The filter builder: one condition more, written as filter text and
		// ANDed to the filter, then back to the list's plain URL.
		d.addCondition(w, r, sh, o, q)
		return
	}
	if id := q.Get("view"); id != "" {
		// A saved view is its query: apply it, so the URL keeps working.
		v, err := d.Views.Get(r.Context(), sh.Identity.Principal, id)
		if err != nil || v.Object != name {
			d.notFound(w, r, sh)
			return
		}
		q.Set("filter", v.Filter)
		q.Set("q", v.Q)
		q.Set("order_by", v.OrderBy)
		q["cols"] = v.Columns
	}
	data := listData{Object: o, Filter: q.Get("filter"), Q: q.Get("q"), OrderBy: q.Get("order_by"), ViewID: q.Get("view")}
	if r.URL.RawQuery != "" {
		data.Back = "?" + r.URL.RawQuery
	}
	data.CanShare = sh.Identity.Role == "admin" || sh.Identity.Role == "manager"
	if vs, err := d.Views.List(r.Context(), sh.Identity.Principal, name); err == nil {
		data.Views = vs
	}
	data.CanCreate = sh.Identity.Role != "readonly"
	if name == tickets.Object {
		data.Quick = d.ticketViews(r, sh, data.Filter)
	}
	page, err := d.Records.List(r.Context(), sh.Identity.Principal, name, records.Query{
		Filter: data.Filter, Q: data.Q, OrderBy: data.OrderBy, PageToken: q.Get("page_token"), PageSize: 50, Count: q.Get("page_token") == "", CountLimit: countCap,
	})
	status := http.StatusOK
	if err != nil {
		fe := fault.As(err)
		if fe == nil || fe.Kind != fault.KindBadRequest {
			d.fail(w, r, err)
			return
		}
		status = http.StatusBadRequest
		data.FilterError = sh.L.Message(fe.Msg)
		page = &records.Page{}
	}
	if page.Total != nil {
		data.Total, data.TotalCapped = *page.Total, page.TotalCapped
	}
	// The fields people filter by first; system fields (id, created, ...)
	// last.
	for _, system := range []bool{false, true} {
		for _, f := range o.Fields {
			if columnKind(f) && f.Kind != schema.Refs && f.ReadOnly == system {
				data.Fields = append(data.Fields, f)
			}
		}
	}
	base := url.Values{}
	for _, k := range []string{"filter", "q"} {
		if v := q.Get(k); v != "" {
			base.Set(k, v)
		}
	}
	cols := chosenColumns(o, q["cols"])
	if len(q["cols"]) > 0 && len(cols) > 0 {
		for _, f := range cols {
			base.Add("cols", f.Name)
			data.Cols = append(data.Cols, f.Name)
		}
	} else {
		cols = listColumns(o)
	}
	for _, f := range data.Fields {
		data.Choosable = append(data.Choosable, choosable{Field: f, Checked: slicesContains(cols, f)})
	}
	if clauses, err := filter.Clauses(data.Filter); err == nil && len(clauses) > 0 {
		for i, c := range clauses {
			rest := append(append([]string{}, clauses[:i]...), clauses[i+1:]...)
			v := cloneValues(base)
			v.Del("filter")
			if len(rest) > 0 {
				v.Set("filter", strings.Join(rest, " AND "))
			}
			if data.OrderBy != "" {
				v.Set("order_by", data.OrderBy)
			}
			data.Chips = append(data.Chips, chip{Text: c, RemoveURL: "/" + name + "?" + v.Encode()})
		}
	}
	data.Operators = filter.Operators
	for _, f := range cols {
		c := column{Field: f}
		v := cloneValues(base)
		switch strings.TrimSpace(data.OrderBy) {
		case f.Name, f.Name + " asc":
			c.Sorted = "asc"
			v.Set("order_by", f.Name+" desc")
		case f.Name + " desc":
			c.Sorted = "desc"
			v.Set("order_by", f.Name)
		default:
			v.Set("order_by", f.Name)
		}
		if f.Sortable() {
			c.SortURL = "/" + name + "?" + v.Encode()
		}
		data.Columns = append(data.Columns, c)
	}
	titles := d.relatedTitles(r, sh, o, cols, page.Data)
	for _, rec := range page.Data {
		rw := row{ID: rec.ID(), Title: records.Title(o, rec), Version: rec.Version()}
		canWrite := access.CanWrite(sh.Identity.Principal, name, rec.Owner()) == nil
		for i, f := range cols {
			c := d.cell(sh, f, rec[f.Name])
			if i > 0 && canWrite && inlineKind(f) {
				c.Field, c.Kind, c.Value = f.Name, string(f.Kind), inputValue(f, rec[f.Name])
			}
			if id, ok := rec[f.Name].(string); ok && f.Kind == schema.Relation {
				c.Text = titles[f.Target+"/"+id]
				if f.Target != "users" {
					c.Link = "/" + f.Target + "/" + id
				}
			}
			rw.Cells = append(rw.Cells, c)
		}
		data.Rows = append(data.Rows, rw)
	}
	if page.NextPageToken != "" {
		v := cloneValues(base)
		if data.OrderBy != "" {
			v.Set("order_by", data.OrderBy)
		}
		v.Set("page_token", page.NextPageToken)
		data.NextURL = "/" + name + "?" + v.Encode()
	}
	if q.Get("page_token") != "" {
		v := cloneValues(base)
		if data.OrderBy != "" {
			v.Set("order_by", data.OrderBy)
		}
		data.FirstURL = "/" + name + "?" + v.Encode()
	}
	for _, format := range []string{exchange.CSV, exchange.JSON, exchange.VCard} {
		if exchange.CheckFormat(format, o) != nil {
			continue
		}
		v := url.Values{"format": {format}}
		for _, k := range []string{"filter", "q", "order_by"} {
			if s := q.Get(k); s != "" {
				v.Set(k, s)
			}
		}
		data.Exports = append(data.Exports, exportLink{Format: format, URL: "/api/v1/" + name + "/export?" + v.Encode()})
	}
	for _, f := range data.Fields {
		if bulkKind(f) {
			data.BulkFields = append(data.BulkFields, f)
		}
	}
	d.renderShell(w, status, "list.html", sh.L.ObjectLabel(o), sh, data)
}

// relatedTitles fetches the display titles of related records shown in a
// page, at most one read per distinct record.
func (d *Deps) relatedTitles(r *http.Request, sh *shell, o *schema.Object, cols []*schema.Field, recs []records.Record) map[string]string {
	out := map[string]string{}
	for _, f := range cols {
		if f.Kind != schema.Relation {
			continue
		}
		if f.Target == "users" {
			for _, rec := range recs {
				id, ok := rec[f.Name].(string)
				if key := "users/" + id; ok && out[key] == "" {
					out[key] = id
					if u, err := d.Auth.User(r.Context(), sh.Identity.WorkspaceID, id); err == nil {
						out[key] = u.Name
					}
				}
			}
			continue
		}
		target, ok := sh.Schema.Object(f.Target)
		if !ok {
			continue
		}
		var ids []string
		for _, rec := range recs {
			if id, ok := rec[f.Name].(string); ok && out[f.Target+"/"+id] == "" {
				out[f.Target+"/"+id] = id
				ids = append(ids, id)
			}
		}
		found, err := d.Records.GetMany(r.Context(), sh.Identity.Principal, f.Target, ids)
		if err != nil {
			continue
		}
		for id, rel := range found {
			out[f.Target+"/"+id] = records.Title(target, rel)
		}
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// addCondition turns the builder's field, operator and value into filter
// text and redirects to the list with it ANDed to the current filter. A
// value that does not fit the field is left to the filter's checker, whose
// message shows at the filter box.
func (d *Deps) addCondition(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, q url.Values) {
	f, ok := o.Field(q.Get("add_field"))
	op := q.Get("add_op")
	known := false
	for _, x := range filter.Operators {
		known = known || x.Op == op
	}
	v := url.Values{}
	for _, k := range []string{"q", "order_by"} {
		if s := q.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	if !ok || !known {
		v.Set("filter", q.Get("filter"))
		http.Redirect(w, r, "/"+o.Name+"?"+v.Encode(), http.StatusSeeOther)
		return
	}
	v.Set("filter", andFilter(q.Get("filter"), condition(sh, f, op, q.Get("add_value"))))
	http.Redirect(w, r, "/"+o.Name+"?"+v.Encode(), http.StatusSeeOther)
}

// andFilter adds a condition to a filter: each of its clauses and the
// condition must hold.
func andFilter(cur, cond string) string {
	cur = strings.TrimSpace(cur)
	if cur == "" {
		return cond
	}
	if clauses, err := filter.Clauses(cur); err == nil && len(clauses) > 0 {
		cur = strings.Join(clauses, " AND ")
	}
	return cur + " AND " + cond
}

// condition writes a builder's field, operator and value as filter text:
// numbers as numbers (typed the language's way), yes and no as booleans,
// lists as "has", the rest as strings.
func condition(sh *shell, f *schema.Field, op, value string) string {
	value = strings.TrimSpace(value)
	var lit string
	switch f.Kind {
	case schema.Integer, schema.Number, schema.Money:
		if n := sh.L.ParseDecimal(value); op != ":" && isNumber(n) {
			lit = n
		} else {
			lit = filter.Quote(value)
		}
	case schema.Bool:
		lit = "false"
		if b, _ := strconv.ParseBool(value); b || strings.EqualFold(value, "yes") || strings.EqualFold(value, sh.L.T("bool.yes")) {
			lit = "true"
		}
	case schema.Tags, schema.MultiSelect, schema.Relations:
		op, lit = ":", filter.Quote(value)
	default:
		lit = filter.Quote(value)
	}
	if op == ":" {
		return f.Name + ":" + lit
	}
	return f.Name + " " + op + " " + lit
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// cell writes a value for a list: times relative when recent (the exact
// one on hover), money with the workspace's currency, the rest as display
// writes it.
func (d *Deps) cell(sh *shell, f *schema.Field, v any) cell {
	c := cell{Numeric: f.Kind == schema.Integer || f.Kind == schema.Number || f.Kind == schema.Money}
	switch t := v.(type) {
	case time.Time:
		c.Text, c.Hint = sh.L.Relative(t, d.now()), sh.L.Time(t)
	case string:
		if f.Kind == schema.Money {
			c.Text = sh.L.Money(t, sh.Workspace.DefaultCurrency)
			break
		}
		c.Text = display(sh.L, f, v)
	default:
		c.Text = display(sh.L, f, v)
	}
	return c
}
