package api

import (
	"encoding/json"
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/tickets"
)

// ticketMessages lists a ticket's conversation, oldest first.
func (d *Deps) ticketMessages(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	list, err := d.Tickets.Messages(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list})
	return nil
}

// answerTicket adds an agent's message: {"body", "internal", "status",
// "template_id", "seen_message_id", "attachments"} →
// 201; a public one is mailed to the requester (email_id).
func (d *Deps) answerTicket(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	raw, err := decodeObjectMax(w, r, email.MaxAttachmentTotal*4/3+MaxBody)
	if err != nil {
		return err
	}
	files, err := attachmentsOf(raw)
	if err != nil {
		return err
	}
	rest, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	var in tickets.Reply
	if err := decodeBytes(rest, &in); err != nil {
		return err
	}
	in.Files = files
	m, err := d.Tickets.Answer(r.Context(), id.Principal, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// ticketViewers says the caller has the ticket open: {"replying"} → the
// other agents who have it open.
func (d *Deps) ticketViewers(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var in struct {
		Replying bool `json:"replying"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		return err
	}
	list, err := d.Tickets.Viewing(r.Context(), id.Principal, r.PathValue("id"), in.Replying)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list})
	return nil
}
