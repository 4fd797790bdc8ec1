package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
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
}

type messageView struct {
	Author, When, Body string
	Internal, Customer bool
	EmailID            string
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
	for _, m := range list {
		v := messageView{When: sh.L.Time(m.CreatedAt), Body: m.Body, Internal: m.Internal, EmailID: m.EmailID}
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
	in := tickets.Reply{Body: r.PostFormValue("body"), Internal: r.PostFormValue("kind") == "note", Status: r.PostFormValue("status")}
	if _, err := d.Tickets.Answer(r.Context(), sh.Identity.Principal, id, in); err != nil {
		d.refusedTo(w, r, sh, back, err)
		return
	}
	msg := sh.L.T("ticket.flash.replied")
	if in.Internal {
		msg = sh.L.T("ticket.flash.noted")
	}
	d.redirectWithFlash(w, r, back, msg)
}
