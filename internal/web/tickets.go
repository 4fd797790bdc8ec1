package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/tickets"
)

// conversation is a ticket's page's conversation and what an agent may
// write on it.
type conversation struct {
	Messages []messageView
	CanWrite bool
	// Statuses are those a reply may leave the ticket in.
	Statuses []string
	Status   string // the ticket's now
	// Canned are the templates a reply may start from.
	Canned []cell
	// Viewers are the other agents who have the ticket open now.
	Viewers []tickets.Viewer
	// Seen is the last message shown, which a reply answers.
	Seen string
	// Draft is what was typed, shown again with Problem when a reply was
	// refused.
	Draft, DraftKind, Problem string
	// Number is the ticket's, for the merge form.
	Number string
}

type messageView struct {
	Author, When, Body string
	Internal, Customer bool
	EmailID            string
	// Files are those of the message's email.
	Files []email.Attachment
}

// conversationFor reads a ticket's messages with their authors' names.
func (d *Deps) conversationFor(r *http.Request, sh *shell, t records.Record) *conversation {
	list, err := d.Tickets.Messages(r.Context(), sh.Identity.Principal, t.ID())
	if err != nil {
		return nil
	}
	var contactIDs []string
	for _, m := range list {
		if m.AuthorContact != "" {
			contactIDs = append(contactIDs, m.AuthorContact)
		}
	}
	people, _ := d.Records.GetMany(r.Context(), sh.Identity.Principal, "contacts", contactIDs)
	users := map[string]string{}
	if all, err := d.Auth.Users(r.Context(), sh.Identity.WorkspaceID); err == nil {
		for _, u := range all {
			users[u.ID] = u.Name
		}
	}
	c := &conversation{CanWrite: access.CanWrite(sh.Identity.Principal, tickets.Object, t.Owner()) == nil,
		Statuses: []string{"open", "pending", "solved"}, Status: fmt.Sprint(t["status"])}
	if page, err := d.Records.List(r.Context(), sh.Identity.Principal, email.Templates, records.Query{OrderBy: "name", PageSize: 100}); err == nil {
		for _, tpl := range page.Data {
			c.Canned = append(c.Canned, cell{Text: fmt.Sprint(tpl["name"]), Link: tpl.ID()})
		}
	}
	c.Viewers, _ = d.Tickets.Viewing(r.Context(), sh.Identity.Principal, t.ID(), false)
	if len(list) > 0 {
		c.Seen = list[len(list)-1].ID
	}
	c.Number = fmt.Sprint(t["number"])
	if r.Method == http.MethodPost {
		c.Draft, c.DraftKind = r.PostFormValue("body"), r.PostFormValue("kind")
		if p, ok := r.Context().Value(refusal{}).(string); ok {
			c.Problem = p
		}
	}
	for _, m := range list {
		v := messageView{When: sh.L.Time(m.CreatedAt), Body: m.Body, Internal: m.Internal, EmailID: m.EmailID}
		if m.EmailID != "" {
			v.Files = d.emailFiles(r, sh, m.EmailID)
		}
		switch {
		case m.AuthorContact != "":
			v.Customer = true
			if p, ok := people[m.AuthorContact]; ok {
				v.Author = strings.TrimSpace(fmt.Sprint(p["first_name"]) + " " + str(p["last_name"]))
				if v.Author == "" || v.Author == "<nil>" {
					v.Author = str(p["email"])
				}
			}
		default:
			v.Author = users[m.AuthorUser]
		}
		c.Messages = append(c.Messages, v)
	}
	return c
}

// answerTicket posts an agent's reply or internal note from the ticket's
// page.
func (d *Deps) answerTicket(w http.ResponseWriter, r *http.Request, sh *shell) {
	id := r.PathValue("id")
	back := "/tickets/" + id
	in := tickets.Reply{Body: r.PostFormValue("body"), Internal: r.PostFormValue("kind") == "note", Status: r.PostFormValue("status"),
		TemplateID: r.PostFormValue("template_id"), SeenMessageID: r.PostFormValue("seen")}
	files, err := uploaded(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	in.Files = files
	if _, err := d.Tickets.Answer(r.Context(), sh.Identity.Principal, id, in); err != nil {
		fe := fault.As(err)
		t, gerr := d.Records.Get(r.Context(), sh.Identity.Principal, tickets.Object, id, false)
		if fe == nil || len(fe.Fields) == 0 || gerr != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		// The page again, with the conversation as it is now and what was
		// typed kept in the form.
		o, _ := sh.Schema.Object(tickets.Object)
		ctx := context.WithValue(r.Context(), refusal{}, sh.L.Message(fe.Fields[0].Message))
		d.showRecord(w, r.WithContext(ctx), sh, o, t, nil, nil, formStatus(fe.Kind))
		return
	}
	msg := sh.L.T("ticket.flash.replied")
	if in.Internal {
		msg = sh.L.T("ticket.flash.noted")
	}
	d.redirectWithFlash(w, r, back, msg)
}

// refusal carries why a reply was refused to the page shown again.
type refusal struct{}

// ticketAction handles the ticket page's own buttons: solve it, or merge
// it into another ticket by number.
func (d *Deps) ticketAction(w http.ResponseWriter, r *http.Request, sh *shell, id, action string) {
	back := "/tickets/" + id
	p := sh.Identity.Principal
	switch action {
	case "solve":
		if _, err := d.Records.Update(r.Context(), p, tickets.Object, id, map[string]any{"status": "solved"}, nil); err != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		d.redirectWithFlash(w, r, back, sh.L.T("ticket.flash.solved"))
	case "merge_into":
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("into")), "#"), 10, 64)
		if err != nil {
			d.redirectWithFlash(w, r, back, sh.L.T("ticket.flash.merge_number"))
			return
		}
		kept, err := d.Tickets.MergeInto(r.Context(), p, id, n)
		if err != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		d.redirectWithFlash(w, r, "/tickets/"+kept.ID(), sh.L.T("ticket.flash.merged", n))
	}
}

// ticketViews are the helpdesk's own lists: the agent's open tickets, the
// unassigned ones of their queues (of every queue, when they are in
// none), and those whose SLA is breached or due within two hours.
func (d *Deps) ticketViews(r *http.Request, sh *shell, current string) []quickView {
	const open = `(status = "new" OR status = "open" OR status = "pending")`
	mine := `assignee_id = ` + filter.Quote(sh.Identity.UserID) + ` AND ` + open
	var queues []string
	if page, err := d.Records.List(r.Context(), sh.Identity.Principal, tickets.Queues, records.Query{PageSize: 500}); err == nil {
		for _, q := range page.Data {
			if members, _ := q["members"].([]string); slices.Contains(members, sh.Identity.UserID) {
				queues = append(queues, "queue = "+filter.Quote(str(q["name"])))
			}
		}
	}
	unassigned := `NOT assignee_id:* AND (status = "new" OR status = "open")`
	if len(queues) > 0 {
		unassigned += " AND (" + strings.Join(queues, " OR ") + ")"
	}
	soon := filter.Quote(d.now().Add(2 * time.Hour).UTC().Format(time.RFC3339))
	breaching := `(status = "new" OR status = "open") AND ((first_response_due_at < ` + soon + ` AND NOT first_responded_at:*) OR resolution_due_at < ` + soon + `)`
	view := func(key, flt, order string) quickView {
		return quickView{Name: sh.L.T(key), URL: "/tickets?" + url.Values{"filter": {flt}, "order_by": {order}}.Encode(), Current: current == flt}
	}
	return []quickView{view("ticket.view.mine", mine, "updated_at desc"), view("ticket.view.unassigned", unassigned, "created_at"),
		view("ticket.view.breaching", breaching, "resolution_due_at")}
}
