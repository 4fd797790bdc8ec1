package api

import (
	"mime"
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/quotes"
)

// quotePDF draws a quote as a PDF, in the language the request asks for.
func (d *Deps) quotePDF(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	doc, err := d.Quotes.Document(r.Context(), id.Principal, r.PathValue("id"), "")
	if err != nil {
		return err
	}
	pdf, err := quotes.PDF(doc, localeOf(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": quotes.FileName(doc.Quote)}))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(pdf)
	return err
}

// sendQuote marks a quote sent and queues the mail with its PDF: 202.
func (d *Deps) sendQuote(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var in quotes.Sending
	if r.ContentLength != 0 {
		if err := decodeInto(w, r, &in); err != nil {
			return err
		}
	}
	q, mail, err := d.Quotes.Send(r.Context(), id.Principal, r.PathValue("id"), in, localeOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": q.ID(), "status": "queued", "email_id": mail.ID(), "to": mail["to"], "cc": mail["cc"], "subject": mail["subject"], "quote": q})
	return nil
}

// reviseQuote makes a new version of a sent quote: 201 with the draft.
func (d *Deps) reviseQuote(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q, err := d.Quotes.Revise(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/quotes/"+q.ID())
	writeJSON(w, http.StatusCreated, q)
	return nil
}

// acceptQuote marks a quote accepted and, unless {"win_deal": false},
// moves its open deal to won.
func (d *Deps) acceptQuote(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	in := struct {
		WinDeal *bool `json:"win_deal"`
	}{}
	if r.ContentLength != 0 {
		if err := decodeInto(w, r, &in); err != nil {
			return err
		}
	}
	q, err := d.Quotes.Accept(r.Context(), id.Principal, r.PathValue("id"), in.WinDeal == nil || *in.WinDeal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}
