package api

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/reports"
)

// queryReport answers a report query: group-by columns first, then the
// measures in the order asked.
func (d *Deps) queryReport(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var q reports.Query
	if err := decodeInto(w, r, &q); err != nil {
		return err
	}
	res, err := d.Reports.Run(r.Context(), id.Principal, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
