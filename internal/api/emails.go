package api

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
)

// sendEmail writes an email and queues it: 202 {"id", "status": "queued"}
// and the email; GET /api/v1/emails/{id} follows its delivery.
func (d *Deps) sendEmail(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	in, err := decodeObject(w, r)
	if err != nil {
		return err
	}
	rec, err := d.Records.Create(r.Context(), id.Principal, email.Object, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/emails/"+rec.ID())
	out := map[string]any{}
	for k, v := range rec {
		out[k] = v
	}
	writeJSON(w, http.StatusAccepted, out)
	return nil
}
