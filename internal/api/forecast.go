package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/fault"
)

var (
	forecastParams = map[string]bool{"from": true, "to": true, "group_by": true}
	statsParams    = map[string]bool{"from": true, "to": true, "group_by": true, "pipeline_id": true}
)

// forecast sums a pipeline's open deals by close month or owner: amount,
// weighted by the stages' probabilities, and committed. Without from and
// to, the twelve months from this one.
func (d *Deps) forecast(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, forecastParams); err != nil {
		return err
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

// dealStats reads the deals closed over a span of months by owner or by
// pipeline: won, lost, win rate, sales cycle and won amounts. Without
// from and to, the twelve months up to this one.
func (d *Deps) dealStats(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, statsParams); err != nil {
		return err
	}
	from, to := deals.StatsMonths(time.Now(), q.Get("from"), q.Get("to"))
	by := q.Get("group_by")
	if by == "" {
		by = "owner"
	}
	rows, err := d.Deals.Stats(r.Context(), id.Principal, q.Get("pipeline_id"), from, to, by)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": rows, "from": from, "to": to, "group_by": by})
	return nil
}

// knownParams refuses a query parameter that is not known.
func knownParams(q url.Values, known map[string]bool) error {
	for k := range q {
		if !known[k] {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			slices.Sort(names)
			return fault.BadRequest("unknown query parameter %q (known: %s)", k, strings.Join(names, ", "))
		}
	}
	return nil
}
