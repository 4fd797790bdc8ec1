package web

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	netmail "net/mail"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/records"
)

// composer is a record page's "Write an email" form: to whom (the
// record's people), about the record.
type composer struct {
	Object, ID, To string
	// InReplyTo is the email a reply answers (on an email's page).
	InReplyTo string
	// Templates are those to start from.
	Templates []cell
}

// composeObjects are those whose pages offer to write an email.
var composeObjects = []string{"contacts", "companies", "deals", "quotes", "emails"}

// composerFor offers to write about a record: a contact to its address;
// a company or deal to its people's (deals: their contacts; companies:
// their first few people with an address).
func (d *Deps) composerFor(r *http.Request, sh *shell, object string, rec records.Record) *composer {
	if access.CanCreate(sh.Identity.Principal, email.Object) != nil || !slices.Contains(composeObjects, object) {
		return nil
	}
	var to []string
	add := func(c records.Record) {
		if a, ok := c["email"].(string); ok && a != "" && len(to) < 5 {
			to = append(to, a)
		}
	}
	replyTo := ""
	switch object {
	case "emails": // a reply: to who wrote it, or to whom it went
		replyTo = rec.ID()
		if rec["direction"] == "in" {
			if a, err := netmail.ParseAddress(fmt.Sprint(rec["from"])); err == nil {
				to = append(to, a.Address)
			}
		} else {
			to, _ = rec["to"].([]string)
		}
	case "contacts":
		add(rec)
	case "quotes":
		if c, ok := rec["contact_id"].(string); ok {
			if contact, err := d.Records.Get(r.Context(), sh.Identity.Principal, "contacts", c, false); err == nil {
				add(contact)
			}
		}
	case "deals":
		ids, _ := rec["contact_ids"].([]string)
		if people, err := d.Records.GetMany(r.Context(), sh.Identity.Principal, "contacts", ids); err == nil {
			for _, c := range people {
				add(c)
			}
		}
	case "companies":
		if page, err := d.Records.List(r.Context(), sh.Identity.Principal, "contacts", records.Query{Filter: `company_id = "` + rec.ID() + `" AND email:*`, PageSize: 3}); err == nil {
			for _, c := range page.Data {
				add(c)
			}
		}
	}
	c := &composer{Object: object, ID: rec.ID(), To: strings.Join(to, ", "), InReplyTo: replyTo}
	if page, err := d.Records.List(r.Context(), sh.Identity.Principal, email.Templates, records.Query{OrderBy: "name", PageSize: 100}); err == nil {
		for _, t := range page.Data {
			c.Templates = append(c.Templates, cell{Text: fmt.Sprint(t["name"]), Link: t.ID()})
		}
	}
	return c
}

// writeEmail sends an email written on a record's page, about that record.
func (d *Deps) writeEmail(w http.ResponseWriter, r *http.Request, sh *shell) {
	object, id := r.PostFormValue("object"), r.PostFormValue("id")
	back := safeNext("/" + object + "/" + id)
	var to []any
	for _, a := range strings.Split(r.PostFormValue("to"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			to = append(to, a)
		}
	}
	in := map[string]any{"to": to, "subject": r.PostFormValue("subject"), "body_html": email.HTML(r.PostFormValue("message")),
		"related": []any{map[string]any{"object": object, "id": id}}}
	if object == email.Object { // a reply: about what the email answered is about
		in["in_reply_to"] = id
		delete(in, "related")
	}
	if t := r.PostFormValue("template_id"); t != "" {
		in["template_id"] = t
	}
	for _, k := range []string{"to", "subject", "body_html"} {
		if v, ok := in[k].(string); ok && strings.TrimSpace(v) == "" || k == "to" && len(to) == 0 {
			delete(in, k) // empty: a template's, or a 422 at the field
		}
	}
	files, err := uploaded(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	e, err := d.Email.Write(r.Context(), sh.Identity.Principal, in, files)
	if err != nil {
		d.refusedTo(w, r, sh, back, err)
		return
	}
	d.redirectWithFlash(w, r, back, sh.L.T("email.flash.queued", strings.Join(e["to"].([]string), ", ")))
}

// uploaded are the files of a form's "attachments" input (each read up
// to one byte over the limit, which the email layer then refuses).
func uploaded(r *http.Request) ([]email.File, error) {
	var files []email.File
	if r.MultipartForm == nil {
		return nil, nil
	}
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, email.MaxAttachment+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		files = append(files, email.File{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data})
	}
	return files, nil
}

// templatePreview is a template's page's preview: filled for a contact
// picked from the latest ones.
type templatePreview struct {
	Contacts         []cell
	Contact, Subject string
	Body             template.HTML // made safe by the email policy
}

// previewFor fills a template for the contact ?preview names, or the
// latest contact.
func (d *Deps) previewFor(r *http.Request, sh *shell, id string) *templatePreview {
	pv := &templatePreview{Contact: r.URL.Query().Get("preview")}
	if page, err := d.Records.List(r.Context(), sh.Identity.Principal, "contacts", records.Query{OrderBy: "updated_at desc", PageSize: 20}); err == nil {
		o, _ := sh.Schema.Object("contacts")
		for _, c := range page.Data {
			pv.Contacts = append(pv.Contacts, cell{Text: records.Title(o, c), Link: c.ID()})
		}
	}
	if pv.Contact == "" && len(pv.Contacts) > 0 {
		pv.Contact = pv.Contacts[0].Link
	}
	object := "contacts"
	if pv.Contact == "" {
		object = ""
	}
	out, err := d.Email.Preview(r.Context(), sh.Identity.Principal, id, object, pv.Contact)
	if err != nil {
		return pv
	}
	pv.Subject, pv.Body = out["subject"], template.HTML(out["body_html"]) //nolint:gosec // sanitised by the email policy
	return pv
}

// threadItem is one email of a conversation as an email's page shows it.
type threadItem struct {
	ID, Direction, Status, From, To, Subject, When, Text string
	Current, Private                                     bool
}

// threadFor is the conversation of the email on the page, oldest first;
// nil when it is the only one.
func (d *Deps) threadFor(r *http.Request, sh *shell, id string) []threadItem {
	list, err := d.Email.Thread(r.Context(), sh.Identity.Principal, id)
	if err != nil || len(list) < 2 {
		return nil
	}
	out := make([]threadItem, 0, len(list))
	for _, e := range list {
		to, _ := e["to"].([]string)
		text, _ := e["body_text"].(string)
		if rs := []rune(text); len(rs) > 280 {
			text = string(rs[:280]) + "…"
		}
		private, _ := e["private"].(bool)
		out = append(out, threadItem{ID: e.ID(), Direction: fmt.Sprint(e["direction"]), Status: fmt.Sprint(e["status"]), From: fmt.Sprint(e["from"]),
			To: strings.Join(to, ", "), Subject: str(e["subject"]), When: sh.L.Time(email.When(e)), Text: text, Current: e.ID() == id, Private: private})
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// emailFiles lists an email's attachments on its page.
func (d *Deps) emailFiles(r *http.Request, sh *shell, id string) []email.Attachment {
	list, err := d.Email.Attachments(r.Context(), sh.Identity.Principal, id)
	if err != nil {
		return nil
	}
	return list
}

// emailAttachment downloads one of an email's files.
func (d *Deps) emailAttachment(w http.ResponseWriter, r *http.Request, sh *shell) {
	a, err := d.Email.AttachmentFile(r.Context(), sh.Identity.Principal, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	email.ServeFile(w, a)
}

// mailView is an email as its page shows it: its head and its message.
type mailView struct {
	From, To, Cc, When, Status, Error string
	Private                           bool
	Body                              template.HTML // made safe by the email policy
}

func mailViewOf(sh *shell, e records.Record) *mailView {
	to, _ := e["to"].([]string)
	cc, _ := e["cc"].([]string)
	private, _ := e["private"].(bool)
	return &mailView{From: str(e["from"]), To: strings.Join(to, ", "), Cc: strings.Join(cc, ", "), When: sh.L.Time(email.When(e)),
		Status: str(e["status"]), Error: str(e["error"]), Private: private, Body: template.HTML(email.Safe(str(e["body_html"])))}
}
