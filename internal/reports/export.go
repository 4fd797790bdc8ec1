package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/chart"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// Saved is a saved report with its answer.
type Saved struct {
	Report records.Record
	Query  Query
	Result *Result
}

// RunSaved answers a saved report p may see, over another period when
// rng names one; a kept answer will do unless fresh.
func (s *Service) RunSaved(ctx context.Context, p access.Principal, id, rng string, fresh bool) (*Saved, error) {
	rec, err := s.eng.Get(ctx, p, Reports, id, false)
	if err != nil {
		return nil, err
	}
	q, err := QueryOf(rec)
	if err != nil {
		return nil, err
	}
	q = q.on(rng, "", true)
	res, err := s.Answer(ctx, p, q, fresh)
	if err != nil {
		return nil, err
	}
	return &Saved{Report: rec, Query: q, Result: res}, nil
}

// KindOf is the chart a saved report is drawn as; a table draws as bars
// where a picture is asked for.
func KindOf(rec records.Record) chart.Kind {
	k, _ := rec["chart"].(string)
	if k == "" || k == "table" {
		return chart.Bar
	}
	return chart.Kind(k)
}

// Formats are the ways a saved report exports.
var Formats = map[string]string{"csv": "text/csv; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"}

// Export writes a saved report's answer as CSV (its table: the keys as
// people read them, the measures as numbers a spreadsheet takes, times in
// seconds) or as its chart in SVG or PNG.
func (pr Presenter) Export(sv *Saved, format string) ([]byte, error) {
	title, _ := sv.Report["name"].(string)
	switch format {
	case "svg":
		return pr.Chart(sv.Query, sv.Result, KindOf(sv.Report), title).SVG(), nil
	case "png":
		return pr.Chart(sv.Query, sv.Result, KindOf(sv.Report), title).PNG()
	case "csv":
	default:
		return nil, fault.BadRequest("format: want csv, svg or png, not %q", format)
	}
	t := pr.Table(sv.Query, sv.Result)
	cols := pr.columns(sv.Query, sv.Result)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := make([]string, len(t.Head))
	for i, h := range t.Head {
		head[i] = h
		if cols[i].span {
			head[i] += " (s)"
		}
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	for _, row := range t.Rows {
		line := make([]string, len(row))
		for i, c := range row {
			switch v := c.Raw.(type) {
			case nil:
			case float64:
				line[i] = strconv.FormatFloat(v, 'f', -1, 64)
			default:
				if cols[i].key {
					line[i] = c.Text
				} else {
					line[i] = valueText(v)
				}
			}
		}
		if err := w.Write(line); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}
