package deals

import (
	"context"
	"sort"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// BoardPage is how many cards a board's column shows at a time.
const BoardPage = 20

// Money is an exact amount in a currency.
type Money struct {
	Currency string
	Amount   string
}

// Column is one stage of a board: how many deals the filter leaves in it,
// their sum per currency, and a page of them, most recently changed first.
type Column struct {
	Stage Stage
	Count int64
	Sums  []Money
	Cards []records.Record
	// Next is the token of the column's next page, if there is one.
	Next string
}

// Board is a pipeline's deals by stage.
type Board struct {
	Pipeline records.Record
	Stages   []Stage
	Columns  []Column
}

// BoardQuery is what a board shows: the deals a filter and a search leave,
// and where one column's cards start (its page token).
type BoardQuery struct {
	Filter, Q string
	Column    string // a stage id
	PageToken string
}

// Board reads a pipeline's board as p sees it: every stage's count and
// sums in one grouped query, and each stage's first page of cards (the
// page q asks for in its column).
func (s *Service) Board(ctx context.Context, p access.Principal, pipelineID string, q BoardQuery) (*Board, error) {
	pl, err := s.eng.Get(ctx, p, Pipelines, pipelineID, false)
	if err != nil {
		return nil, err
	}
	b := &Board{Pipeline: pl, Stages: StagesOf(pl)}
	scope := "pipeline_id = " + filter.Quote(pipelineID)
	if q.Filter != "" {
		scope = "(" + q.Filter + ") AND " + scope
	}
	totals, err := s.eng.Totals(ctx, p, Object, records.Query{Filter: scope, Q: q.Q}, []string{"stage_id", "currency"}, "amount")
	if err != nil {
		return nil, err
	}
	for _, st := range b.Stages {
		col := Column{Stage: st}
		for _, t := range totals {
			if t.Keys[0] != st.ID {
				continue
			}
			col.Count += t.Count
			currency, _ := t.Keys[1].(string)
			col.Sums = append(col.Sums, Money{Currency: currency, Amount: t.Sum})
		}
		sort.Slice(col.Sums, func(i, j int) bool { return col.Sums[i].Currency < col.Sums[j].Currency })
		if col.Count > 0 {
			lq := records.Query{Filter: scope + " AND stage_id = " + filter.Quote(st.ID), Q: q.Q, OrderBy: "updated_at desc", PageSize: BoardPage}
			if q.Column == st.ID {
				lq.PageToken = q.PageToken
			}
			page, err := s.eng.List(ctx, p, Object, lq)
			if err != nil {
				return nil, err
			}
			col.Cards, col.Next = page.Data, page.NextPageToken
		}
		b.Columns = append(b.Columns, col)
	}
	return b, nil
}
