package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/dedupe"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/quotes"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/tickets"
)

type relatedList struct {
	Object *schema.Object
	Items  []row
	More   string
	// Open says the list holds only the open ones (a contact's tickets).
	Open bool
}

type recordData struct {
	Object   *schema.Object
	Record   records.Record
	ID       string
	Title    string
	Fields   []*schema.Field
	Groups   []fieldGroup
	Errors   map[string]string
	Values   map[string]any
	Version  int64
	CanWrite bool
	IsNew    bool
	Parents  []cell // the records this one points at (a contact's company)
	Related  []relatedList
	Days     []timelineDay
	Meta     []cell
	// Key shows the record's most used values in its header: an email
	// to write to, a phone to call, a website.
	Key []keyLink
	// Choices holds, per relation field, records to pick from by name;
	// for an activity's related records, those records; for a deal's
	// stage, its pipeline's stages.
	Choices map[string][]cell
	// Linked holds, per relation-list field, the records it holds.
	Linked map[string][]cell
	// CanPrivacy offers a contact's data subject requests (access, erase).
	CanPrivacy bool
	// Duplicates are the records likely the same as this one.
	Duplicates []dedupe.Candidate
	// CanLog offers the activity composer; ActivityKinds are its kinds.
	CanLog        bool
	ActivityKinds []string
	// Quote offers a quote's actions (send, new version, accepted).
	Quote *quoteActions
	// Compose offers to write an email about the record.
	Compose *composer
	// Preview is a template filled for a contact.
	Preview *templatePreview
	// Thread is an email's conversation, Files its attachments (on an
	// email's page).
	Thread []threadItem
	Files  []email.Attachment
	Mail   *mailView
	// Conversation is a ticket's messages and its reply form.
	Conversation *conversation
	// OpenTasks are the record's open tasks; FollowUp plans another.
	OpenTasks []taskRow
	FollowUp  *followUp
	// Totals are a quote's sums as saved, shown under its lines.
	Totals []cell
	// Create links to new records of other objects that point at this
	// one, filled in (a new deal from a contact, a quote from a deal).
	Create []cell
}

func (d *Deps) record(w http.ResponseWriter, r *http.Request, sh *shell) {
	if r.PathValue("id") == "new" {
		d.newPage(w, r, sh) // "/{object}/new" would conflict with "/static/{file}"
		return
	}
	o, ok := d.pageObject(w, r, sh, r.PathValue("object"))
	if !ok {
		return
	}
	rec, err := d.Records.Get(r.Context(), sh.Identity.Principal, o.Name, r.PathValue("id"), false)
	if err != nil {
		if fault.KindOf(err) == fault.KindNotFound {
			d.notFound(w, r, sh)
			return
		}
		d.fail(w, r, err)
		return
	}
	if dup := r.URL.Query().Get("merge"); dup != "" && slices.Contains(dedupe.Objects, o.Name) {
		d.mergePage(w, r, sh, o, rec, dup)
		return
	}
	d.showRecord(w, r, sh, o, rec, nil, nil, http.StatusOK)
}

func (d *Deps) showRecord(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, rec records.Record, values map[string]any, errs map[string]string, status int) {
	sh.Current = o.Name
	data := recordData{Object: o, Record: rec, ID: rec.ID(), Title: records.Title(o, rec), Fields: editable(o), Errors: errs, Values: values, Version: rec.Version()}
	data.Groups = groups(o, data.Fields)
	data.Key = keyFields(o, rec)
	data.CanLog = o.Name != "activities" && access.CanCreate(sh.Identity.Principal, "activities") == nil
	data.ActivityKinds = schema.ActivityKinds
	data.CanPrivacy = o.Name == "contacts" && access.CanErase(sh.Identity.Principal) == nil
	if slices.Contains(dedupe.Objects, o.Name) {
		data.Duplicates, _ = d.Dedupe.Find(r.Context(), sh.Identity.Principal, o.Name, rec.ID())
	}
	if data.Values == nil {
		data.Values = rec
	}
	data.CanWrite = access.CanWrite(sh.Identity.Principal, o.Name, rec.Owner()) == nil
	if o.Name == quotes.Object {
		to := ""
		if c, ok := rec["contact_id"].(string); ok {
			if contact, err := d.Records.Get(r.Context(), sh.Identity.Principal, "contacts", c, false); err == nil {
				to, _ = contact["email"].(string)
			}
		}
		data.Quote = quoteActionsOf(sh.L, sh.Identity.Principal, rec, to)
		data.CanWrite = data.CanWrite && rec["status"] == "draft" // a sent quote changes by a new version
		cur, _ := rec["currency"].(string)
		for _, k := range []string{"subtotal", "discount_total", "tax_total", "total"} {
			if f, ok := o.Field(k); ok {
				s, _ := rec[k].(string)
				data.Totals = append(data.Totals, cell{Text: sh.L.FieldLabel(f), Hint: sh.L.Money(s, cur)})
			}
		}
	}
	data.Choices = d.choices(r, sh, o, data.Values)
	data.Linked = d.linked(r, sh, o, data.Values)
	for _, f := range o.Fields {
		if f.Kind == schema.Refs {
			data.Choices[f.Name] = d.refTitles(r, sh, rec[f.Name])
		}
	}
	for _, f := range o.Fields {
		id, ok := rec[f.Name].(string)
		if f.Kind != schema.Relation || !ok || id == "" {
			continue
		}
		if f.Target == "users" {
			if u, err := d.Auth.User(r.Context(), sh.Identity.WorkspaceID, id); err == nil {
				data.Meta = append(data.Meta, cell{Text: sh.L.FieldLabel(f) + ": " + u.Name})
			}
			continue
		}
		if t, ok := sh.Schema.Object(f.Target); ok {
			if rel, err := d.Records.Get(r.Context(), sh.Identity.Principal, f.Target, id, true); err == nil {
				data.Parents = append(data.Parents, cell{Text: sh.L.FieldLabel(f) + ": " + records.Title(t, rel), Link: "/" + f.Target + "/" + id})
			}
		}
	}
	if rec["email_bounced"] == true {
		data.Meta = append(data.Meta, cell{Text: sh.L.T("email.bouncing")})
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if t, ok := rec[k].(time.Time); ok {
			data.Meta = append(data.Meta, cell{Text: sh.L.T("record."+k, sh.L.Relative(t, d.now())), Hint: sh.L.Time(t)})
		}
	}
	// Records of other objects that point at this one (a company's contacts).
	for _, other := range sh.Schema.Objects() {
		if access.CanRead(sh.Identity.Principal, other.Name) != nil || !listed(other) {
			continue
		}
		for _, f := range other.Fields {
			if f.Kind != schema.Relation && f.Kind != schema.Relations || f.Target != o.Name || f.Name == "owner_id" || f.ReadOnly {
				continue
			}
			if access.CanCreate(sh.Identity.Principal, other.Name) == nil {
				data.Create = append(data.Create, cell{Text: sh.L.T("record.create_related", sh.L.ObjectSingular(other)),
					Link: "/" + other.Name + "/new?" + url.Values{f.Name: {rec.ID()}}.Encode()})
			}
			flt := f.Name + ` = "` + rec.ID() + `"`
			if f.Kind == schema.Relations {
				flt = f.Name + `:"` + rec.ID() + `"`
			}
			open := other.Name == tickets.Object
			if open {
				flt += ` AND (status = "new" OR status = "open" OR status = "pending")`
			}
			page, err := d.Records.List(r.Context(), sh.Identity.Principal, other.Name, records.Query{Filter: flt, PageSize: 10})
			if err != nil || len(page.Data) == 0 {
				continue
			}
			rl := relatedList{Object: other, Open: open}
			for _, x := range page.Data {
				title := records.Title(other, x)
				if open {
					title = fmt.Sprintf("#%v %s · %s", x["number"], title, sh.L.T("option.status."+str(x["status"])))
				}
				rl.Items = append(rl.Items, row{ID: x.ID(), Title: title})
			}
			if page.NextPageToken != "" {
				rl.More = "/" + other.Name + "?filter=" + url.QueryEscape(flt)
			}
			data.Related = append(data.Related, rl)
		}
	}
	data.OpenTasks, data.FollowUp = d.recordTasks(r, sh, o.Name, rec.ID(), data.Title)
	data.Compose = d.composerFor(r, sh, o.Name, rec)
	if o.Name == email.Templates {
		data.Preview = d.previewFor(r, sh, rec.ID())
	}
	if o.Name == tickets.Object {
		data.Conversation = d.conversationFor(r, sh, rec)
	}
	if o.Name == email.Object {
		data.CanWrite = false // an email does not change once written
		data.Thread = d.threadFor(r, sh, rec.ID())
		data.Mail = mailViewOf(sh, rec)
		data.Files = d.emailFiles(r, sh, rec.ID())
	}
	refs := []events.Ref{{Object: o.Name, ID: rec.ID()}}
	if company, ok := rec["company_id"].(string); ok && o.Name == "contacts" && company != "" {
		refs = append(refs, events.Ref{Object: "companies", ID: company})
	}
	// The 360° view: what happened to the records that point at this one
	// (a company's people) is part of its story.
	for _, rl := range data.Related {
		for _, it := range rl.Items {
			refs = append(refs, events.Ref{Object: rl.Object.Name, ID: it.ID})
		}
	}
	if evs, err := d.Events.Timeline(r.Context(), sh.Identity.WorkspaceID, refs, "", 50); err == nil {
		data.Days = d.timeline(r, sh, evs)
	}
	d.renderShell(w, status, "record.html", data.Title, sh, data)
}

// save handles the record page's form: an update, or a move to the trash.
func (d *Deps) save(w http.ResponseWriter, r *http.Request, sh *shell) {
	o, ok := d.pageObject(w, r, sh, r.PathValue("object"))
	if !ok {
		return
	}
	id := r.PathValue("id")
	if r.PostFormValue("_action") == "merge" {
		dup := r.PostFormValue("duplicate")
		take := map[string]string{}
		for _, f := range o.Fields {
			if r.PostFormValue("take_"+f.Name) == "duplicate" {
				take[f.Name] = dup
			}
		}
		if _, err := d.Dedupe.Merge(r.Context(), sh.Identity.Principal, o.Name, id, []string{dup}, take); err != nil {
			d.refusedTo(w, r, sh, "/"+o.Name+"/"+id, err)
			return
		}
		d.redirectWithFlash(w, r, "/"+o.Name+"/"+id, sh.L.T("flash.merged"))
		return
	}
	if r.PostFormValue("_action") == "unmerge" {
		if _, err := d.Dedupe.Unmerge(r.Context(), sh.Identity.Principal, o.Name, id); err != nil {
			d.refusedTo(w, r, sh, "/"+o.Name+"/"+id, err)
			return
		}
		d.redirectWithFlash(w, r, "/"+o.Name+"/"+id, sh.L.T("flash.unmerged"))
		return
	}
	if r.PostFormValue("_action") == "erase" && o.Name == "contacts" {
		if r.PostFormValue("confirm") != "on" {
			d.redirectWithFlash(w, r, "/"+o.Name+"/"+id, sh.L.T("flash.erase_confirm"))
			return
		}
		if err := d.Privacy.Erase(r.Context(), sh.Identity.Principal, id); err != nil {
			d.failAt(w, r, sh, err)
			return
		}
		d.redirectWithFlash(w, r, "/"+o.Name, sh.L.T("flash.erased"))
		return
	}
	if action := r.PostFormValue("_action"); o.Name == tickets.Object && (action == "solve" || action == "merge_into") {
		d.ticketAction(w, r, sh, id, action)
		return
	}
	if action := r.PostFormValue("_action"); o.Name == quotes.Object && slices.Contains([]string{"send", "revise", "accept", "decline"}, action) {
		d.quoteAction(w, r, sh, id, action)
		return
	}
	if r.PostFormValue("_action") == "delete" {
		if err := d.Records.Trash(r.Context(), sh.Identity.Principal, o.Name, id); err != nil {
			d.failAt(w, r, sh, err)
			return
		}
		d.redirectWithUndo(w, r, "/"+o.Name, sh.L.T("flash.trashed", sh.L.ObjectSingular(o)), o.Name, []string{id})
		return
	}
	var version *int64
	if v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64); err == nil {
		version = &v
	}
	in := formInput(r, o, sh.L)
	if cur, err := d.Records.Get(r.Context(), sh.Identity.Principal, o.Name, id, false); err == nil {
		stampConsent(o, in, cur, d.now())
	}
	rec, err := d.Records.Update(r.Context(), sh.Identity.Principal, o.Name, id, in, version)
	if err != nil {
		cur, gerr := d.Records.Get(r.Context(), sh.Identity.Principal, o.Name, id, false)
		if gerr != nil {
			d.failAt(w, r, sh, err)
			return
		}
		d.formError(w, r, sh, o, cur, in, err)
		return
	}
	d.redirectWithFlash(w, r, "/"+o.Name+"/"+rec.ID(), sh.L.T("flash.saved"))
}

// formError shows the form again with the submitted values and each error
// at its field.
func (d *Deps) formError(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, cur records.Record, in map[string]any, err error) {
	fe := fault.As(err)
	if fe == nil {
		d.fail(w, r, err)
		return
	}
	errs := fieldMessages(sh.L, fe, "", "_form")
	values := map[string]any{}
	for k, v := range in {
		values[k] = formDisplay(v)
	}
	status := formStatus(fe.Kind)
	if fe.Kind == fault.KindStale {
		errs["_form"] = sh.L.T("record.stale")
	}
	if cur == nil {
		d.newForm(w, r, sh, o, values, errs, status)
		return
	}
	d.showRecord(w, r, sh, o, cur, values, errs, status)
}

// formDisplay keeps a submitted value printable in the form.
func formDisplay(v any) any {
	switch t := v.(type) {
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if _, ok := x.(map[string]any); ok {
				return t // rows of an editor: a quote's lines, a pipeline's stages
			}
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case map[string]any:
		return t
	case nil:
		return nil
	case bool:
		return t
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func (d *Deps) newPage(w http.ResponseWriter, r *http.Request, sh *shell) {
	o, ok := d.pageObject(w, r, sh, r.PathValue("object"))
	if !ok {
		return
	}
	d.newForm(w, r, sh, o, prefill(r, o), nil, http.StatusOK)
}

// prefill takes a new record's first values from the page's query: a new
// deal from a contact's page holds the contact (?contact_ids=…), a quote
// from a deal's page the deal (?deal_id=…).
func prefill(r *http.Request, o *schema.Object) map[string]any {
	values := map[string]any{}
	for _, f := range editable(o) {
		v := r.URL.Query()[f.Name]
		if len(v) == 0 || f.Kind != schema.Relation && f.Kind != schema.Relations && f.Kind != schema.Text && f.Kind != schema.Select {
			continue
		}
		if f.Kind == schema.Relations {
			values[f.Name] = v
			continue
		}
		values[f.Name] = v[0]
	}
	return values
}

func (d *Deps) newForm(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, values map[string]any, errs map[string]string, status int, dups ...dedupe.Candidate) {
	sh.Current = o.Name
	data := recordData{Object: o, Title: sh.L.T("record.new_title", sh.L.ObjectSingular(o)), Fields: editable(o), Values: values, Errors: errs, CanWrite: true, IsNew: true,
		Groups:  groups(o, editable(o)),
		Choices: d.choices(r, sh, o, values), Linked: d.linked(r, sh, o, values)}
	data.Duplicates = dups
	d.renderShell(w, status, "record.html", data.Title, sh, data)
}

func (d *Deps) create(w http.ResponseWriter, r *http.Request, sh *shell) {
	o, ok := d.pageObject(w, r, sh, r.PathValue("object"))
	if !ok {
		return
	}
	in := formInput(r, o, sh.L)
	stampConsent(o, in, nil, d.now())
	for k, v := range in {
		if v == nil {
			delete(in, k) // an empty field on a new record is simply absent
		}
	}
	back := r.PostFormValue("back")
	if back == "" && r.PostFormValue("confirm_duplicate") != "on" && slices.Contains(dedupe.Objects, o.Name) {
		// A likely duplicate is shown before it is made; the user may
		// still create it.
		if dups, err := d.Dedupe.Candidates(r.Context(), sh.Identity.Principal, o.Name, records.Record(in)); err == nil && len(dups) > 0 {
			values := map[string]any{}
			for k, v := range in {
				values[k] = formDisplay(v)
			}
			d.newForm(w, r, sh, o, values, nil, http.StatusConflict, dups...)
			return
		}
	}
	rec, err := d.Records.Create(r.Context(), sh.Identity.Principal, o.Name, in)
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.Contains(back, "\\") {
		back = ""
	}
	if err != nil {
		if back != "" {
			// The activity composer of a record page: its errors return
			// there, as a flash, rather than to an empty activity form.
			d.refusedTo(w, r, sh, back, err)
			return
		}
		d.formError(w, r, sh, o, nil, in, err)
		return
	}
	if back != "" {
		d.redirectWithFlash(w, r, back, sh.L.T("flash.activity_logged", sh.L.T("activity."+fmt.Sprint(rec["kind"]))))
		return
	}
	d.redirectWithFlash(w, r, "/"+o.Name+"/"+rec.ID(), sh.L.T("flash.created", sh.L.ObjectSingular(o)))
}

func (d *Deps) notFound(w http.ResponseWriter, r *http.Request, sh *shell) {
	d.renderShell(w, http.StatusNotFound, "notfound.html", sh.L.T("notfound.heading"), sh, nil)
}

func (d *Deps) failAt(w http.ResponseWriter, r *http.Request, sh *shell, err error) {
	switch fault.KindOf(err) {
	case fault.KindNotFound:
		d.notFound(w, r, sh)
	case fault.KindForbidden:
		d.redirectWithFlash(w, r, r.URL.Path, sh.L.Message(fault.As(err).Msg))
	default:
		d.fail(w, r, err)
	}
}

// shellPage is the data of a signed-in page.
type shellPage struct {
	Title   string
	Shell   *shell
	CSRF    string
	Data    any
	Version string
	Lang    string
}

func (d *Deps) renderShell(w http.ResponseWriter, status int, name, title string, sh *shell, data any) {
	securityHeaders(w)
	w.WriteHeader(status)
	if err := d.tmpl[sh.L.Tag].ExecuteTemplate(w, name, shellPage{Title: title, Shell: sh, CSRF: sh.Identity.CSRFToken, Data: data, Version: d.Version, Lang: sh.L.Tag}); err != nil {
		d.Log.Error("render page", "page", name, "err", err)
	}
}

// maxChoices bounds the records offered in a relation field's list.
const maxChoices = 500

// keyLink is a value in a record's header and where it leads.
type keyLink struct {
	Text string
	URL  template.URL
}

// keyFields are the header's values that lead somewhere: email addresses,
// phone numbers and websites, each as a link. Only http(s), mailto and
// tel links are made, the last from a validated number's digits.
func keyFields(o *schema.Object, rec records.Record) []keyLink {
	var out []keyLink
	for _, f := range o.Fields {
		v, ok := rec[f.Name].(string)
		if !ok || v == "" {
			continue
		}
		switch {
		case f.Kind == schema.Email:
			out = append(out, keyLink{Text: v, URL: template.URL("mailto:" + url.PathEscape(v))})
		case f.Kind == schema.Phone:
			out = append(out, keyLink{Text: v, URL: template.URL("tel:" + telDigits(v))})
		case f.Kind == schema.URL:
			if strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://") {
				out = append(out, keyLink{Text: v, URL: template.URL(v)})
			}
		case f.Name == "domain" && !f.Custom:
			out = append(out, keyLink{Text: v, URL: template.URL("https://" + url.PathEscape(v))})
		}
		if len(out) == 4 {
			break
		}
	}
	return out
}

// telDigits keeps a phone number's leading + and its digits.
func telDigits(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// timelineItem is an event as the timeline shows it.
type timelineItem struct {
	events.Event
	Object *schema.Object // the object of the event's record
	When   string         // "3 hours ago", or the time of day
	Exact  string
	// Activity is set on the items of notes, calls, meetings and emails.
	Activity *activityView
	// Unmerge offers to take this merge back (the newest one, not taken
	// back yet).
	Unmerge bool
}

// timelineDay is the events of one calendar day, newest first.
type timelineDay struct {
	Label string // "Today", "Yesterday", a date
	Items []timelineItem
}

// activityView is an activity as a timeline shows it: as it is now, not
// as it was logged.
type activityView struct {
	ID      string
	Kind    string
	Subject string
	Body    template.HTML // sanitised Markdown
}

// timeline groups events, newest first, by day. An activity's items show
// the activity as it is now; one moved to the trash is left out.
func (d *Deps) timeline(r *http.Request, sh *shell, evs []events.Event) []timelineDay {
	var ids []string
	for _, ev := range evs {
		if id, ok := ev.Data["activity_id"].(string); ok {
			ids = append(ids, id)
		}
	}
	acts := map[string]records.Record{}
	if len(ids) > 0 {
		if found, err := d.Records.GetMany(r.Context(), sh.Identity.Principal, "activities", ids); err == nil {
			acts = found
		}
	}
	now := d.now()
	var days []timelineDay
	mergeSeen := false        // the newest merged or unmerged event decides
	seen := map[string]bool{} // an email or activity about several records shows once
	for _, ev := range evs {
		o, ok := sh.Schema.Object(ev.Object)
		if !ok {
			continue
		}
		if key := sharedKey(ev); key != "" {
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		ev.Singular = o.Singular
		it := timelineItem{Event: ev, Object: o, Exact: sh.L.Time(ev.At), When: ev.At.UTC().Format("15:04")}
		if id, ok := ev.Data["activity_id"].(string); ok {
			a, found := acts[id]
			if !found {
				continue
			}
			subject, _ := a["subject"].(string)
			body, _ := a["body"].(string)
			kind, _ := a["kind"].(string)
			it.Activity = &activityView{ID: id, Kind: kind, Subject: subject, Body: markdown(body)}
		}
		if now.Sub(ev.At) < 24*time.Hour {
			it.When = sh.L.Relative(ev.At, now)
		}
		if (ev.Kind == "merged" || ev.Kind == "unmerged") && !mergeSeen {
			mergeSeen = true
			it.Unmerge = ev.Kind == "merged"
		}
		label := sh.L.Day(ev.At, now)
		if len(days) == 0 || days[len(days)-1].Label != label {
			days = append(days, timelineDay{Label: label})
		}
		days[len(days)-1].Items = append(days[len(days)-1].Items, it)
	}
	return days
}

// sharedKey names what an event shows that other events of the same
// timeline may show too (one email on a deal's and on its contact's
// timeline): an email's or an activity's id with the event's kind.
func sharedKey(ev events.Event) string {
	for _, k := range []string{"email_id", "activity_id"} {
		if id, ok := ev.Data[k].(string); ok {
			return ev.Kind + "/" + id
		}
	}
	return ""
}

// refusedTo redirects to a page with the reason of a refusal as its flash
// (the first field's message, named); other errors fail the request.
func (d *Deps) refusedTo(w http.ResponseWriter, r *http.Request, sh *shell, to string, err error) {
	fe := fault.As(err)
	if fe == nil {
		d.fail(w, r, err)
		return
	}
	msg := sh.L.Message(fe.Msg)
	if len(fe.Fields) > 0 {
		msg = fe.Fields[0].Field + ": " + sh.L.Message(fe.Fields[0].Message)
	}
	d.redirectWithFlash(w, r, to, msg)
}

// stampConsent dates a consent the form changed: when a channel's state
// differs from the stored one, the consent's time becomes now (the form
// has no field for it; the API takes it as given).
func stampConsent(o *schema.Object, in map[string]any, cur records.Record, now time.Time) {
	for _, f := range o.Fields {
		next, ok := in[f.Name].(map[string]any)
		if f.Kind != schema.Consent || !ok {
			continue
		}
		prev, _ := cur[f.Name].(map[string]any)
		for _, ch := range schema.ConsentChannels {
			if fmt.Sprint(next[ch]) != fmt.Sprint(prev[ch]) && next[ch] != nil {
				next["at"] = now.UTC().Format(time.RFC3339)
				break
			}
		}
	}
}
