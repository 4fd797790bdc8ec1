package deals

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"sort"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// Stats is one line of the deals closed over a span of months, for an
// owner or a pipeline: how many were won and lost, the share won, how
// long the won ones took from creation to won, and their amounts per
// currency. A deal closes when it enters a won or lost stage.
type Stats struct {
	OwnerID    *string `json:"owner_id"`
	PipelineID *string `json:"pipeline_id"`
	Won        int64   `json:"won"`
	Lost       int64   `json:"lost"`
	// WinRate is the percentage of closed deals won, to one decimal;
	// null when none closed.
	WinRate *float64 `json:"win_rate"`
	// CycleDays is the average time from creation to won, in days to
	// one decimal; null when none was won.
	CycleDays *float64     `json:"cycle_days"`
	Amounts   []WonAmounts `json:"won_amounts"`
}

// WonAmounts sums the won deals of a Stats line in one currency; the
// average deal size is exact, rounded to cents.
type WonAmounts struct {
	Currency string `json:"currency"`
	Count    int64  `json:"count"`
	Total    string `json:"total"`
	Average  string `json:"average"`
}

// StatsMonths fills in the span of closed deals to look at: the twelve
// months that end with this one (now's).
func StatsMonths(now time.Time, from, to string) (string, string) {
	if to == "" {
		to = now.UTC().Format("2006-01")
	}
	if from == "" {
		if end, err := time.Parse("2006-01", to); err == nil {
			from = end.AddDate(0, -11, 0).Format("2006-01")
		}
	}
	return from, to
}

// Stats reads the deals closed from month from to month to (both
// "2026-03", inclusive) by owner or by pipeline (groupBy "owner" or
// "pipeline"), in one pipeline when pipelineID is set.
func (s *Service) Stats(ctx context.Context, p access.Principal, pipelineID, from, to, groupBy string) ([]Stats, error) {
	start, end, err := months(from, to, 120)
	if err != nil {
		return nil, err
	}
	key := map[string]string{"owner": "owner_id", "pipeline": "pipeline_id"}[groupBy]
	if key == "" {
		return nil, fault.BadRequest("group_by: want owner or pipeline, not %q", groupBy)
	}
	flt := fmt.Sprintf(`stage_entered_at >= %q AND stage_entered_at < %q`, start.Format(time.RFC3339), end.Format(time.RFC3339))
	if pipelineID != "" {
		if _, err := s.eng.Get(ctx, p, Pipelines, pipelineID, false); err != nil {
			return nil, err
		}
		flt += " AND pipeline_id = " + filter.Quote(pipelineID)
	}
	closed := records.Query{Filter: flt + ` AND (status = "won" OR status = "lost")`}
	totals, err := s.eng.Totals(ctx, p, Object, closed, []string{key, "status", "currency"}, "amount")
	if err != nil {
		return nil, err
	}
	spans, err := s.eng.Spans(ctx, p, Object, records.Query{Filter: flt + ` AND status = "won"`}, []string{key}, "created_at", "stage_entered_at")
	if err != nil {
		return nil, err
	}
	type acc struct {
		row  Stats
		won  map[string]*big.Rat
		wonN map[string]int64
	}
	lines := map[string]*acc{}
	line := func(group string) *acc {
		a := lines[group]
		if a == nil {
			a = &acc{won: map[string]*big.Rat{}, wonN: map[string]int64{}}
			if group != "" {
				g := group
				if groupBy == "owner" {
					a.row.OwnerID = &g
				} else {
					a.row.PipelineID = &g
				}
			}
			lines[group] = a
		}
		return a
	}
	for _, t := range totals {
		group, _ := t.Keys[0].(string)
		status, _ := t.Keys[1].(string)
		currency, _ := t.Keys[2].(string)
		a := line(group)
		if status == "lost" {
			a.row.Lost += t.Count
			continue
		}
		a.row.Won += t.Count
		sum, ok := new(big.Rat).SetString(t.Sum)
		if !ok {
			return nil, fmt.Errorf("stats: the sum %q is not a decimal", t.Sum)
		}
		if a.won[currency] == nil {
			a.won[currency] = new(big.Rat)
		}
		a.won[currency].Add(a.won[currency], sum)
		a.wonN[currency] += t.Count
	}
	for _, sp := range spans {
		group, _ := sp.Keys[0].(string)
		if a := lines[group]; a != nil && sp.Count > 0 {
			days := tenths(float64(sp.Seconds) / float64(sp.Count) / 86400)
			a.row.CycleDays = &days
		}
	}
	out := make([]Stats, 0, len(lines))
	for _, a := range lines {
		if closed := a.row.Won + a.row.Lost; closed > 0 {
			rate := tenths(float64(a.row.Won) * 100 / float64(closed))
			a.row.WinRate = &rate
		}
		a.row.Amounts = []WonAmounts{}
		for currency, sum := range a.won {
			avg := new(big.Rat).Quo(sum, big.NewRat(a.wonN[currency], 1))
			a.row.Amounts = append(a.row.Amounts, WonAmounts{Currency: currency, Count: a.wonN[currency], Total: sum.FloatString(2), Average: avg.FloatString(2)})
		}
		sort.Slice(a.row.Amounts, func(i, j int) bool { return a.row.Amounts[i].Currency < a.row.Amounts[j].Currency })
		out = append(out, a.row)
	}
	sort.Slice(out, func(i, j int) bool {
		return str(out[i].OwnerID)+str(out[i].PipelineID) < str(out[j].OwnerID)+str(out[j].PipelineID)
	})
	return out, nil
}

// tenths rounds x to one decimal.
func tenths(x float64) float64 {
	return math.Round(x*10) / 10
}

// months reads a span of months, from and to inclusive ("2026-03"), of at
// most max months, as the start of the first and the end of the last.
func months(from, to string, max int) (time.Time, time.Time, error) {
	start, err := time.Parse("2006-01", from)
	if err != nil {
		return time.Time{}, time.Time{}, fault.BadRequest("from: want a month like 2026-03, not %q", from)
	}
	last, err := time.Parse("2006-01", to)
	if err != nil {
		return time.Time{}, time.Time{}, fault.BadRequest("to: want a month like 2026-03, not %q", to)
	}
	if last.Before(start) || last.After(start.AddDate(0, max-1, 0)) {
		return time.Time{}, time.Time{}, fault.BadRequest("to: must be from %s to %d months after it", from, max-1)
	}
	return start, last.AddDate(0, 1, 0), nil
}
