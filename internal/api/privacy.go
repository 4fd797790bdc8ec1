package api

import (
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/internal/auth"
)

// gdprExport answers a data subject's access request: everything held on
// the contact, as one JSON document to download.
func (d *Deps) gdprExport(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	out, err := d.Privacy.Access(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="contact-`+r.PathValue("id")+"-"+time.Now().UTC().Format("20060102")+`.json"`)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// erase answers a data subject's erasure request.
func (d *Deps) erase(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := d.Privacy.Erase(r.Context(), id.Principal, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
