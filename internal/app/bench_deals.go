package app

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/reports"
)

// benchDeals seeds n deals across five pipelines (the workspace's Sales
// pipeline and four more of seven stages), with amounts in two currencies
// and close dates over two years around today, then measures what the
// board and the forecast ask of the database: a kanban column's first
// page, a whole board page, and a pipeline's forecast over twelve months.
func benchDeals(ctx context.Context, sys *System, p access.Principal, n int, companyIDs []string,
	measureN func(string, []string, int) ([]string, error), logf func(string, ...any)) ([][]string, error) {
	measure := func(name string, paths []string) ([]string, error) { return measureN(name, paths, 0) }
	page, err := sys.Records.List(ctx, p, deals.Pipelines, records.Query{})
	if err != nil || len(page.Data) == 0 {
		return nil, fmt.Errorf("bench deals: no pipeline: %v", err)
	}
	pipelines := []records.Record{page.Data[0]}
	for i := 2; i <= 5; i++ {
		pl, err := sys.Records.Create(ctx, p, deals.Pipelines, map[string]any{"name": "Pipeline " + strconv.Itoa(i), "stages": deals.DefaultPipeline()["stages"]})
		if err != nil {
			return nil, err
		}
		pipelines = append(pipelines, pl)
	}
	stages := deals.StagesOf(pipelines[0])
	sources := []string{"Website", "Referral", "Event", "Partner", "Cold call", "Ads"}
	g := newGenerator(7)
	today := time.Now().UTC()
	seedStart := time.Now()
	const batchSize = 5000
	for start := 0; start < n; start += batchSize {
		batch := make([]map[string]any, 0, batchSize)
		for i := start; i < min(start+batchSize, n); i++ {
			st := stages[g.r.IntN(len(stages)-2)] // open mostly
			if g.r.IntN(10) == 0 {
				st = stages[len(stages)-2+g.r.IntN(2)]
			}
			in := map[string]any{"name": "Deal " + strconv.Itoa(i), "amount": strconv.Itoa(1000+g.r.IntN(99000)) + "." + fmt.Sprintf("%02d", g.r.IntN(100)),
				"pipeline_id": pipelines[i%len(pipelines)].ID(), "stage_id": st.ID, "company_id": companyIDs[g.r.IntN(len(companyIDs))],
				"close_date": today.AddDate(0, 0, g.r.IntN(730)-365).Format("2006-01-02")}
			if st.Kind == "lost" {
				in["lost_reason"] = "Budget"
			}
			if g.r.IntN(5) == 0 {
				in["currency"] = "USD"
			}
			in["lead_source"] = sources[g.r.IntN(len(sources))]
			batch = append(batch, in)
		}
		if _, err := sys.Records.CreateMany(ctx, p, deals.Object, batch); err != nil {
			return nil, fmt.Errorf("seed deals: %w", err)
		}
		if done := start + len(batch); done%100000 == 0 || done == n {
			el := time.Since(seedStart)
			logf("seeded %d deals in %s (%.0f rows/s)", done, el.Round(time.Second), float64(done)/el.Seconds())
		}
	}
	seedRate := float64(n) / time.Since(seedStart).Seconds()
	if err := sys.DB.SearchMerged(ctx); err != nil {
		return nil, err
	}
	if _, err := sys.DB.Writer().ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, err
	}
	rows := [][]string{{fmt.Sprintf("bulk seed of %d deals across 5 pipelines (5,000 per transaction, with their events)", n), fmt.Sprintf("%.0f rows/s", seedRate), "", ""}}
	var columns, boards, forecasts []string
	for _, pl := range pipelines {
		for _, st := range stages[:5] {
			columns = append(columns, "/api/v1/deals?"+url.Values{"filter": {`pipeline_id = "` + pl.ID() + `" AND stage_id = "` + st.ID + `"`},
				"order_by": {"updated_at desc"}, "page_size": {strconv.Itoa(deals.BoardPage)}}.Encode())
		}
		boards = append(boards, "/pipelines/"+pl.ID()+"/board")
		forecasts = append(forecasts, "/api/v1/pipelines/"+pl.ID()+"/forecast?from="+today.Format("2006-01")+"&to="+today.AddDate(0, 11, 0).Format("2006-01"))
	}
	for _, m := range []struct {
		name  string
		paths []string
	}{
		{fmt.Sprintf("kanban column: first page of %d deals of a stage, newest change first (~%d deals a column)", deals.BoardPage, n/len(pipelines)/len(stages)), columns},
		{"web: a pipeline's whole board (7 columns' counts, sums and first pages)", boards},
		{"forecast of one pipeline over 12 months, by month", forecasts},
	} {
		r, err := measure(m.name, m.paths)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	more, err := benchReports(ctx, sys, p, measureN)
	if err != nil {
		return nil, err
	}
	return append(rows, more...), nil
}

// benchReports measures the reports over the deals: a two-level group-by
// with a sum over a year (API.md's example: count and amount by stage and
// close month), and the sales dashboard's page, each worked out live and
// served kept.
func benchReports(ctx context.Context, sys *System, p access.Principal, measureN func(string, []string, int) ([]string, error)) ([][]string, error) {
	rep, err := sys.Records.Create(ctx, p, reports.Reports, map[string]any{"name": "Deals by stage and close month", "object": deals.Object,
		"group_by": []string{"stage_id", "close_date:month"}, "measures": []string{"count", "sum(amount)"}, "period_field": "close_date", "period_range": "this_year", "chart": "stacked_bar"})
	if err != nil {
		return nil, err
	}
	result := "/api/v1/reports/" + rep.ID() + "/result"
	var rows [][]string
	// Live answers take seconds on SQLite: 20 of them make the figure.
	for _, m := range []struct {
		name string
		path string
		n    int
	}{
		{"report: count and sum of amount by stage and close month over this year, worked out live (fresh)", result + "?fresh=true", 20},
		{"the same report, kept (served what was worked out at most 5 minutes before)", result, 0},
		{"web: the sales dashboard, 7 reports drawn, worked out live (fresh)", "/dashboards/sales?fresh=1", 20},
		{"web: the sales dashboard, kept", "/dashboards/sales", 0},
	} {
		r, err := measureN(m.name, []string{m.path}, m.n)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}
