package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/ops"
	"github.com/rapport-crm/rapport/internal/records"
)

// The customer portal (/portal): a customer signs in by a link mailed to
// them, sees their own requests with the public part of each
// conversation, answers them and opens new ones. Nothing of the CRM's
// shell, and nothing of another customer.

const portalCookie = "rapport_portal"

type portalData struct {
	SignedIn bool
	Sent     bool // a link was asked for
	Tickets  []portalTicket
	Ticket   *portalTicket
	Messages []portalMessage
}

type portalTicket struct {
	ID, Subject, Status, When string
	Number                    any
	Closed                    bool
}

type portalMessage struct {
	Mine       bool
	When, Body string
}

func ticketView(sh interface{ Time(time.Time) string }, t records.Record) portalTicket {
	created, _ := t["created_at"].(time.Time)
	return portalTicket{ID: t.ID(), Subject: str(t["subject"]), Status: str(t["status"]), When: sh.Time(created), Number: t["number"], Closed: t["status"] == "closed"}
}

// portalContact is the contact the request's portal session is for.
func (d *Deps) portalContact(r *http.Request) (ws, contact string, ok bool) {
	w, err := d.workspace(r.Context())
	if err != nil {
		return "", "", false
	}
	c, err := r.Cookie(portalCookie)
	if err != nil || c.Value == "" {
		return w.ID, "", false
	}
	contact, err = d.Portal.Contact(r.Context(), w.ID, c.Value)
	return w.ID, contact, err == nil
}

func (d *Deps) portalRender(w http.ResponseWriter, r *http.Request, status int, name string, data portalData, errText string) {
	d.render(w, r, status, name, page{Title: "portal.title", Error: errText, CSRF: d.formToken(w, r), Data: data})
}

// portalHome is the sign-in form, or the customer's requests.
func (d *Deps) portalHome(w http.ResponseWriter, r *http.Request) {
	ws, contact, ok := d.portalContact(r)
	if !ok {
		d.portalRender(w, r, http.StatusOK, "portal.html", portalData{}, "")
		return
	}
	list, err := d.Tickets.Of(r.Context(), ws, contact)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	l := d.locale(r)
	data := portalData{SignedIn: true}
	for _, t := range list {
		data.Tickets = append(data.Tickets, ticketView(l, t))
	}
	d.portalRender(w, r, http.StatusOK, "portal.html", data, "")
}

// portalLink mails a sign-in link; the answer is the same whether the
// address is known or not.
func (d *Deps) portalLink(w http.ResponseWriter, r *http.Request) {
	ws, err := d.workspace(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if !d.checkFormToken(r) {
		d.portalRender(w, r, http.StatusForbidden, "portal.html", portalData{}, "The form expired; please try again.")
		return
	}
	if err := d.Portal.RequestLink(r.Context(), ws.ID, r.PostFormValue("email"), ops.BaseURL(d.PublicURL, r)); err != nil {
		if fe := fault.As(err); fe != nil {
			d.portalRender(w, r, http.StatusUnprocessableEntity, "portal.html", portalData{}, fe.Fields[0].Message)
			return
		}
		d.fail(w, r, err)
		return
	}
	d.portalRender(w, r, http.StatusOK, "portal.html", portalData{Sent: true}, "")
}

// portalLogin takes a link's token and starts the session.
func (d *Deps) portalLogin(w http.ResponseWriter, r *http.Request) {
	ws, err := d.workspace(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	session, _, err := d.Portal.SignIn(r.Context(), ws.ID, r.URL.Query().Get("token"))
	if err != nil {
		if fe := fault.As(err); fe != nil {
			d.portalRender(w, r, http.StatusUnauthorized, "portal.html", portalData{}, fe.Msg)
			return
		}
		d.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: session, Path: "/portal", HttpOnly: true, Secure: d.SecureCookies, SameSite: http.SameSiteLaxMode,
		Expires: time.Now().Add(30 * 24 * time.Hour)})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

func (d *Deps) portalLogout(w http.ResponseWriter, r *http.Request) {
	if ws, err := d.workspace(r.Context()); err == nil && d.checkFormToken(r) {
		if c, err := r.Cookie(portalCookie); err == nil {
			_ = d.Portal.SignOut(r.Context(), ws.ID, c.Value)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: "", Path: "/portal", MaxAge: -1, HttpOnly: true, Secure: d.SecureCookies})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

// portalTicketPage is one of the customer's requests.
func (d *Deps) portalTicketPage(w http.ResponseWriter, r *http.Request) {
	ws, contact, ok := d.portalContact(r)
	if !ok {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return
	}
	t, msgs, err := d.Tickets.Theirs(r.Context(), ws, contact, r.PathValue("id"))
	if err != nil {
		d.portalRender(w, r, http.StatusNotFound, "portal.html", portalData{SignedIn: true}, fault.As(err).Msg)
		return
	}
	l := d.locale(r)
	tv := ticketView(l, t)
	data := portalData{SignedIn: true, Ticket: &tv}
	for _, m := range msgs {
		data.Messages = append(data.Messages, portalMessage{Mine: m.AuthorContact == contact, When: l.Time(m.CreatedAt), Body: m.Body})
	}
	d.portalRender(w, r, http.StatusOK, "portal_ticket.html", data, "")
}

// portalAsk opens a request; portalAnswer answers one.
func (d *Deps) portalAsk(w http.ResponseWriter, r *http.Request) {
	ws, contact, ok := d.portalContact(r)
	if !ok || !d.checkFormToken(r) {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return
	}
	t, err := d.Tickets.Ask(r.Context(), ws, contact, r.PostFormValue("subject"), r.PostFormValue("body"))
	if err != nil {
		d.portalRender(w, r, http.StatusUnprocessableEntity, "portal.html", portalData{SignedIn: true}, portalError(err))
		return
	}
	http.Redirect(w, r, "/portal/tickets/"+t.ID(), http.StatusSeeOther)
}

func (d *Deps) portalAnswer(w http.ResponseWriter, r *http.Request) {
	ws, contact, ok := d.portalContact(r)
	if !ok || !d.checkFormToken(r) {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return
	}
	id := r.PathValue("id")
	if err := d.Tickets.Add(r.Context(), ws, contact, id, r.PostFormValue("body")); err != nil {
		status := http.StatusUnprocessableEntity
		if fault.KindOf(err) == fault.KindNotFound {
			status = http.StatusNotFound
		}
		d.portalRender(w, r, status, "portal.html", portalData{SignedIn: true}, portalError(err))
		return
	}
	http.Redirect(w, r, "/portal/tickets/"+id, http.StatusSeeOther)
}

func portalError(err error) string {
	fe := fault.As(err)
	if fe == nil {
		return err.Error()
	}
	if len(fe.Fields) > 0 {
		return strings.TrimSpace(fe.Fields[0].Field + " " + fe.Fields[0].Message)
	}
	return fe.Msg
}
