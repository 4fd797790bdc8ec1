package api

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
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

// previewTemplate fills a template for a record (?object=contacts&id=…),
// as the caller would send it: {"subject", "body_html", "body_text"}.
func (d *Deps) previewTemplate(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, map[string]bool{"object": true, "id": true}); err != nil {
		return err
	}
	if (q.Get("object") == "") != (q.Get("id") == "") {
		return fault.BadRequest("object and id: give both, or neither")
	}
	out, err := d.Email.Preview(r.Context(), id.Principal, r.PathValue("id"), q.Get("object"), q.Get("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
