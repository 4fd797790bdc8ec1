package web

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/tickets"
)

// The rating page a solved ticket's requester reaches from the mail: the
// click on good or bad rates the ticket; a comment may follow.

type csatData struct {
	Token  string
	Ticket *tickets.RatingTicket
	Thanks bool
}

func (d *Deps) csat(w http.ResponseWriter, r *http.Request) {
	ws, err := d.workspace(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	token := r.PathValue("token")
	value, comment := r.URL.Query().Get("rating"), ""
	if r.Method == http.MethodPost {
		if !d.checkFormToken(r) {
			d.render(w, r, http.StatusForbidden, "csat.html", page{Title: "csat.title", Error: "The form expired; please try again.", CSRF: d.formToken(w, r), Data: csatData{Token: token}})
			return
		}
		value, comment = r.PostFormValue("rating"), r.PostFormValue("comment")
	}
	t, err := d.Tickets.Rate(r.Context(), ws.ID, token, value, comment)
	if err != nil {
		fe := fault.As(err)
		if fe == nil {
			d.fail(w, r, err)
			return
		}
		status := http.StatusNotFound
		if fe.Kind == fault.KindInvalid {
			status = http.StatusUnprocessableEntity
		}
		d.render(w, r, status, "csat.html", page{Title: "csat.title", Error: fe.Msg, CSRF: d.formToken(w, r), Data: csatData{Token: token}})
		return
	}
	d.render(w, r, http.StatusOK, "csat.html", page{Title: "csat.title", CSRF: d.formToken(w, r), Data: csatData{Token: token, Ticket: t, Thanks: t.Rating != ""}})
}
