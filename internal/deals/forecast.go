package deals

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// CommitProbability is the probability from which an open deal's stage
// counts as committed in a forecast: the deal is expected to close.
const CommitProbability = 80

// MaxForecastMonths bounds a forecast's span.
const MaxForecastMonths = 36

// ForecastRow is one line of a forecast: a close month or an owner, in one
// currency. Amount sums the open deals, Weighted each amount times its
// stage's probability, Committed the amounts of deals in stages of at
// least CommitProbability; all exact, rounded to cents at the end.
type ForecastRow struct {
	Period    *string `json:"period"`
	OwnerID   *string `json:"owner_id"`
	Currency  string  `json:"currency"`
	Count     int64   `json:"count"`
	Amount    string  `json:"amount"`
	Weighted  string  `json:"weighted"`
	Committed string  `json:"committed"`
}

// ForecastMonths fills in a forecast's span: from this month (now's), to
// eleven months after from.
func ForecastMonths(now time.Time, from, to string) (string, string) {
	if from == "" {
		from = now.UTC().Format("2006-01")
	}
	if to == "" {
		if start, err := time.Parse("2006-01", from); err == nil {
			to = start.AddDate(0, 11, 0).Format("2006-01")
		}
	}
	return from, to
}

// Forecast sums a pipeline's open deals that close from month from to
// month to (both "2026-03", inclusive), by close month or by owner
// (groupBy "month" or "owner") and currency.
func (s *Service) Forecast(ctx context.Context, p access.Principal, pipelineID, from, to, groupBy string) ([]ForecastRow, error) {
	start, end, err := months(from, to, MaxForecastMonths)
	if err != nil {
		return nil, err
	}
	if groupBy != "month" && groupBy != "owner" {
		return nil, fault.BadRequest("group_by: want month or owner, not %q", groupBy)
	}
	pl, err := s.eng.Get(ctx, p, Pipelines, pipelineID, false)
	if err != nil {
		return nil, err
	}
	prob := map[string]int{}
	for _, st := range StagesOf(pl) {
		prob[st.ID] = st.Probability
	}
	flt := fmt.Sprintf(`pipeline_id = %s AND status = "open" AND close_date >= %q AND close_date < %q`,
		filter.Quote(pipelineID), start.Format("2006-01-02"), end.Format("2006-01-02"))
	key := "close_date:month"
	if groupBy == "owner" {
		key = "owner_id"
	}
	totals, err := s.eng.Totals(ctx, p, Object, records.Query{Filter: flt}, []string{key, "currency", "stage_id"}, "amount")
	if err != nil {
		return nil, err
	}
	type acc struct {
		row                         ForecastRow
		amount, weighted, committed big.Rat
	}
	rows := map[string]*acc{}
	for _, t := range totals {
		group, _ := t.Keys[0].(string)
		currency, _ := t.Keys[1].(string)
		stage, _ := t.Keys[2].(string)
		a := rows[group+"\x00"+currency]
		if a == nil {
			a = &acc{row: ForecastRow{Currency: currency}}
			if group != "" {
				g := group
				if groupBy == "month" {
					a.row.Period = &g
				} else {
					a.row.OwnerID = &g
				}
			}
			rows[group+"\x00"+currency] = a
		}
		var sum big.Rat
		if _, ok := sum.SetString(t.Sum); !ok {
			return nil, fmt.Errorf("forecast: the sum %q is not a decimal", t.Sum)
		}
		a.row.Count += t.Count
		a.amount.Add(&a.amount, &sum)
		a.weighted.Add(&a.weighted, new(big.Rat).Mul(&sum, big.NewRat(int64(prob[stage]), 100)))
		if prob[stage] >= CommitProbability {
			a.committed.Add(&a.committed, &sum)
		}
	}
	out := make([]ForecastRow, 0, len(rows))
	for _, a := range rows {
		a.row.Amount, a.row.Weighted, a.row.Committed = a.amount.FloatString(2), a.weighted.FloatString(2), a.committed.FloatString(2)
		out = append(out, a.row)
	}
	sort.Slice(out, func(i, j int) bool {
		gi, gj := str(out[i].Period)+str(out[i].OwnerID), str(out[j].Period)+str(out[j].OwnerID)
		if gi != gj {
			return gi < gj
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
