package web

import (
	"net/http"
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
}

// composeObjects are those whose pages offer to write an email.
var composeObjects = []string{"contacts", "companies", "deals", "quotes"}

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
	switch object {
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
	return &composer{Object: object, ID: rec.ID(), To: strings.Join(to, ", ")}
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
	if len(to) == 0 {
		delete(in, "to")
	}
	e, err := d.Records.Create(r.Context(), sh.Identity.Principal, email.Object, in)
	if err != nil {
		d.refusedTo(w, r, sh, back, err)
		return
	}
	d.redirectWithFlash(w, r, back, sh.L.T("email.flash.queued", strings.Join(e["to"].([]string), ", ")))
}
