package api

import (
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/fault"
)

var forecastParams = map[string]bool{"from": true, "to": true, "group_by": true}

// forecast sums a pipeline's open deals by close month or owner: amount,
// weighted by the stages' probabilities, and committed. Without from and
// to, the twelve months from this one.
func (d *Deps) forecast(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	for k := range q {
		if !forecastParams[k] {
			return fault.BadRequest("unknown query parameter %q (known: from, to, group_by)", k)
		}
	}
	from, to := deals.ForecastMonths(time.Now(), q.Get("from"), q.Get("to"))
	by := q.Get("group_by")
	if by == "" {
		by = "month"
	}
	rows, err := d.Deals.Forecast(r.Context(), id.Principal, r.PathValue("id"), from, to, by)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": rows, "from": from, "to": to, "group_by": by})
	return nil
}
