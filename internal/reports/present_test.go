package reports

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/chart"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

func presenter(t *testing.T, lang string) Presenter {
	t.Helper()
	return Presenter{L: i18n.MustLoad().Get(lang), Schema: schema.Default()}
}

// TestPresentTable: headings name fields and measures in the language;
// cells carry labels for ids, options for selects, money with its row's
// currency, times in a unit that reads, shares in percent; rows keep a
// pipeline's order of stages unless the report sorts them.
func TestPresentTable(t *testing.T) {
	q := Query{Object: "deals", GroupBy: []string{"stage_id"}, Measures: []records.Measure{{Fn: "sum", Field: "amount"}, {Fn: "avg", Field: "stage_entered_at-created_at"}, {Fn: "percent", Filter: `status = "won"`}}}
	res := &Result{Aggregate: records.Aggregate{
		Columns: []string{"stage_id", "currency", "sum(amount)", "avg(stage_entered_at-created_at)", "percent(status = \"won\")"},
		Rows: [][]any{
			{"won", "EUR", "1234.50", float64(3 * 86400), 100.0},
			{"lead-in", "USD", "10.00", float64(86400 / 2), 0.0},
			{nil, "EUR", "0.00", nil, 33.3},
		}},
		Labels: map[string]map[string]string{"stage_id": {"lead-in": "Lead in", "won": "Won"}},
		order:  map[string][]string{"stage_id": {"lead-in", "won"}},
	}
	for _, c := range []struct {
		lang string
		head []string
		rows [][]string
	}{
		{"en", []string{"Stage", "Currency", "Sum of Amount", "Average Created → In stage since", `% where status = "won"`},
			[][]string{{"Lead in", "USD", "$10.00", "0.5 d", "0 %"}, {"Won", "EUR", "€1,234.50", "3 d", "100 %"}, {"(none)", "EUR", "€0.00", "—", "33.3 %"}}},
		{"de", []string{"Phase", "Währung", "Summe Betrag", "Durchschnitt Angelegt → In Phase seit", `% mit status = "won"`},
			[][]string{{"Lead in", "USD", "10,00 $", "0,5 Tage", "0 %"}, {"Won", "EUR", "1.234,50 €", "3 Tage", "100 %"}, {"(keine Angabe)", "EUR", "0,00 €", "—", "33,3 %"}}},
	} {
		tb := presenter(t, c.lang).Table(q, res)
		if !slices.Equal(tb.Head, c.head) {
			t.Errorf("%s head %q, want %q", c.lang, tb.Head, c.head)
		}
		for i, row := range tb.Rows {
			var got []string
			for _, cell := range row {
				got = append(got, cell.Text)
			}
			if !slices.Equal(got, c.rows[i]) {
				t.Errorf("%s row %d: %q, want %q", c.lang, i, got, c.rows[i])
			}
		}
	}
	q.OrderBy = "sum(amount) desc"
	if tb := presenter(t, "en").Table(q, res); tb.Rows[0][0].Text != "Won" {
		t.Errorf("a sorted report was put in stage order: %v", tb.Rows[0][0])
	}
}

// TestPresentChart: the first key makes the categories, the second the
// series, the first measure the values; a funnel over a select counts at
// each step those that got that far; a KPI compares with the period
// before.
func TestPresentChart(t *testing.T) {
	pr := presenter(t, "en")
	q := Query{Object: "deals", GroupBy: []string{"close_date:month", "status"}}
	res := &Result{Aggregate: records.Aggregate{Columns: []string{"close_date:month", "status", "count"},
		Rows: [][]any{{"2026-01", "won", int64(2)}, {"2026-01", "lost", int64(1)}, {"2026-02", "won", int64(5)}}}}
	c := pr.Chart(q, res, chart.StackedBar, "Won and lost")
	if !slices.Equal(c.Categories, []string{"2026-01", "2026-02"}) || len(c.Series) != 2 || c.Series[0].Name != "won" ||
		!slices.Equal(c.Series[0].Values, []float64{2, 5}) || !slices.Equal(c.Series[1].Values, []float64{1, 0}) {
		t.Errorf("stacked: %+v", c)
	}
	funnel := pr.Chart(Query{Object: "contacts", GroupBy: []string{"lifecycle_stage"}}, &Result{Aggregate: records.Aggregate{Columns: []string{"lifecycle_stage", "count"},
		Rows: [][]any{{"customer", int64(2)}, {"lead", int64(10)}, {"subscriber", int64(20)}, {nil, int64(99)}}}}, chart.Funnel, "Funnel")
	if !slices.Equal(funnel.Categories, []string{"subscriber", "lead", "customer"}) || !slices.Equal(funnel.Series[0].Values, []float64{32, 12, 2}) {
		t.Errorf("funnel: %v %v", funnel.Categories, funnel.Series)
	}
	kpi := pr.Chart(Query{Object: "deals", Measures: []records.Measure{{Fn: "sum", Field: "amount"}}}, &Result{
		Aggregate: records.Aggregate{Columns: []string{"sum(amount)"}, Rows: [][]any{{"1500.00"}}, Currency: "EUR"},
		Previous: &Previous{Period: Span{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
			Aggregate: records.Aggregate{Rows: [][]any{{"1000.00"}}}}}, chart.KPI, "Won")
	if kpi.Series[0].Values[0] != 1500 || kpi.Previous != 1000 || kpi.Format(1500) != "€1,500.00" || kpi.PreviousLabel != "Jan 1, 2026 – Mar 31, 2026:" {
		t.Errorf("kpi: %+v %q %q", kpi, kpi.Format(1500), kpi.PreviousLabel)
	}
	none := pr.Chart(Query{Object: "deals"}, &Result{Aggregate: records.Aggregate{Columns: []string{"count"}, Rows: [][]any{{int64(0)}}}}, chart.KPI, "None")
	if !math.IsNaN(none.Previous) {
		t.Errorf("a KPI without a period before has one: %v", none.Previous)
	}
}

// TestBuckets: a period's buckets in order, the first one holding its
// first day (a week from its Monday).
func TestBuckets(t *testing.T) {
	span := Span{From: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)}
	for bucket, want := range map[string][]string{
		"week":    {"2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"},
		"month":   {"2026-03", "2026-04"},
		"quarter": {"2026-Q1", "2026-Q2"},
		"year":    {"2026"},
	} {
		if got := Buckets(bucket, span); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", bucket, got, want)
		}
	}
	if n := len(Buckets("day", span)); n != 29 {
		t.Errorf("%d days", n)
	}
	if n := len(Buckets("day", Span{From: span.From, To: span.From.AddDate(5, 0, 0)})); n != maxBuckets {
		t.Errorf("%d days in five years", n)
	}
	pr := presenter(t, "en")
	q := Query{Object: "tickets", GroupBy: []string{"created_at:month"}}
	res := &Result{Aggregate: records.Aggregate{Columns: []string{"created_at:month", "count"}, Rows: [][]any{{"2026-04", int64(3)}}}, Period: &span}
	c := pr.Chart(q, res, chart.Line, "Tickets")
	if !slices.Equal(c.Categories, []string{"2026-03", "2026-04"}) || !slices.Equal(c.Series[0].Values, []float64{0, 3}) {
		t.Errorf("the empty month: %v %v", c.Categories, c.Series)
	}
}

// FuzzParseMeasure: a saved measure's text reads back as the measure whose
// column it names, or fails; it never panics.
func FuzzParseMeasure(f *testing.F) {
	for _, s := range []string{"count", "sum(amount)", `percent(status = "won")`, "avg(solved_at-created_at)", "sum(", "((", ")", "max(a(b))", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseMeasure(text)
		if err != nil {
			return
		}
		if back, err := ParseMeasure(m.Name()); err != nil || back != m {
			t.Fatalf("%q read as %+v, whose name %q reads as %+v, %v", text, m, m.Name(), back, err)
		}
	})
}

// FuzzPeriod: any period either resolves to a span of at least a day,
// with the one before it ending where it starts, or is a 400.
func FuzzPeriod(f *testing.F) {
	for _, s := range [][3]string{{"this_year", "", ""}, {"", "2026-01-01", "2026-12-31"}, {"", "2026-02-01", "2026-01-01"}, {"x", "", ""}, {"", "9999-12-31", "0001-01-01"}} {
		f.Add(s[0], s[1], s[2])
	}
	now := time.Date(2026, 6, 17, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, rng, from, to string) {
		cur, prev, err := (&Period{Field: "x", Range: rng, From: from, To: to}).span(now, time.UTC)
		if err != nil {
			return
		}
		if !cur.To.After(cur.From) || !prev.To.Equal(cur.From) {
			t.Fatalf("%q %q %q: %v / %v", rng, from, to, cur, prev)
		}
	})
}
