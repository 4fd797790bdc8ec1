package web

import (
	"math"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// forecastData is a pipeline's forecast page: a chart of the months in
// one currency, and tables by month and by owner.
type forecastData struct {
	Pipeline   records.Record
	From, To   string
	Currency   string
	Chart      barChart
	Months     []forecastLine
	Owners     []forecastLine
	Error      string
	Currencies []string
	// Closed is the span of the results: the deals won and lost in the
	// twelve months up to this one, by owner in this pipeline and by
	// pipeline.
	Closed            string
	ByOwner, ByStages []statsLine
}

// statsLine is a row of the results tables, formatted.
type statsLine struct {
	Label, Link       string
	Won, Lost         int64
	WinRate, Cycle    string
	Average, WonTotal []string
}

// forecastLine is a row of a forecast table, formatted.
type forecastLine struct {
	Label, Currency             string
	Count                       int64
	Amount, Weighted, Committed string
}

// barChart is an SVG chart of two bars a month (the pipeline's amount and
// its weighted part), with nice ticks; sizes in SVG units.
type barChart struct {
	Width, Height, Left, Bottom int
	Groups                      []barGroup
	Ticks                       []barTick
}

type barGroup struct {
	Label            string
	X                int
	Amount, Weighted bar
}

type bar struct {
	X, Y, W, H int
	Title      string
}

type barTick struct {
	Y     int
	Label string
}

// forecast shows a pipeline's weighted forecast over months (this one
// and the eleven after it unless asked), as a chart and as tables.
func (d *Deps) forecast(w http.ResponseWriter, r *http.Request, sh *shell) {
	sh.Current = deals.Object
	q := r.URL.Query()
	data := forecastData{Currency: q.Get("currency")}
	data.From, data.To = deals.ForecastMonths(d.now(), q.Get("from"), q.Get("to"))
	pl, err := d.Records.Get(r.Context(), sh.Identity.Principal, deals.Pipelines, r.PathValue("id"), false)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	data.Pipeline = pl
	months, err := d.Deals.Forecast(r.Context(), sh.Identity.Principal, pl.ID(), data.From, data.To, "month")
	if fe := fault.As(err); fe != nil && fe.Kind == fault.KindBadRequest {
		data.Error = sh.L.Message(fe.Msg)
		data.From, data.To = deals.ForecastMonths(d.now(), "", "")
		months, err = d.Deals.Forecast(r.Context(), sh.Identity.Principal, pl.ID(), data.From, data.To, "month")
	}
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	owners, err := d.Deals.Forecast(r.Context(), sh.Identity.Principal, pl.ID(), data.From, data.To, "owner")
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	seen := map[string]bool{}
	for _, m := range months {
		if !seen[m.Currency] {
			seen[m.Currency] = true
			data.Currencies = append(data.Currencies, m.Currency)
		}
	}
	if !seen[data.Currency] {
		data.Currency = sh.Workspace.DefaultCurrency
		if !seen[data.Currency] && len(data.Currencies) > 0 {
			data.Currency = data.Currencies[0]
		}
	}
	line := func(label string, row deals.ForecastRow) forecastLine {
		return forecastLine{Label: label, Currency: row.Currency, Count: row.Count, Amount: sh.L.Money(row.Amount, row.Currency),
			Weighted: sh.L.Money(row.Weighted, row.Currency), Committed: sh.L.Money(row.Committed, row.Currency)}
	}
	for _, m := range months {
		data.Months = append(data.Months, line(monthLabel(sh, *m.Period), m))
	}
	for _, o := range owners {
		name := sh.L.T("forecast.no_owner")
		if o.OwnerID != nil {
			if u, err := d.Auth.User(r.Context(), sh.Identity.WorkspaceID, *o.OwnerID); err == nil {
				name = u.Name
			}
		}
		data.Owners = append(data.Owners, line(name, o))
	}
	data.Chart = forecastChart(sh, months, data.From, data.To, data.Currency)
	if err := d.forecastStats(r, sh, pl, &data); err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	d.renderShell(w, http.StatusOK, "forecast.html", sh.L.T("forecast.title", pl["name"]), sh, data)
}

// forecastStats fills in the results of the twelve months up to this
// one: per owner in the pipeline, and per pipeline.
func (d *Deps) forecastStats(r *http.Request, sh *shell, pl records.Record, data *forecastData) error {
	from, to := deals.StatsMonths(d.now(), "", "")
	data.Closed = monthLabel(sh, from) + " – " + monthLabel(sh, to)
	owners, err := d.Deals.Stats(r.Context(), sh.Identity.Principal, pl.ID(), from, to, "owner")
	if err != nil {
		return err
	}
	pipelines, err := d.Deals.Stats(r.Context(), sh.Identity.Principal, "", from, to, "pipeline")
	if err != nil {
		return err
	}
	line := func(label, link string, st deals.Stats) statsLine {
		l := statsLine{Label: label, Link: link, Won: st.Won, Lost: st.Lost, WinRate: "–", Cycle: "–"}
		if st.WinRate != nil {
			l.WinRate = sh.L.T("stats.percent", sh.L.Decimal(strconv.FormatFloat(*st.WinRate, 'f', 1, 64)))
		}
		if st.CycleDays != nil {
			l.Cycle = sh.L.T("stats.days", sh.L.Decimal(strconv.FormatFloat(*st.CycleDays, 'f', 1, 64)))
		}
		for _, a := range st.Amounts {
			l.Average = append(l.Average, sh.L.Money(a.Average, a.Currency))
			l.WonTotal = append(l.WonTotal, sh.L.Money(a.Total, a.Currency))
		}
		return l
	}
	for _, st := range owners {
		name := sh.L.T("forecast.no_owner")
		if st.OwnerID != nil {
			if u, err := d.Auth.User(r.Context(), sh.Identity.WorkspaceID, *st.OwnerID); err == nil {
				name = u.Name
			}
		}
		data.ByOwner = append(data.ByOwner, line(name, "", st))
	}
	for _, st := range pipelines {
		if st.PipelineID == nil {
			continue
		}
		name := *st.PipelineID
		if p, err := d.Records.Get(r.Context(), sh.Identity.Principal, deals.Pipelines, name, false); err == nil {
			name, _ = p["name"].(string)
		}
		data.ByStages = append(data.ByStages, line(name, "/pipelines/"+*st.PipelineID+"/forecast", st))
	}
	return nil
}

func monthLabel(sh *shell, period string) string {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	return sh.L.T("month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// forecastChart draws every month from from to to in one currency: the
// open amount and, in front of it, its weighted part.
func forecastChart(sh *shell, rows []deals.ForecastRow, from, to, currency string) barChart {
	amount, weighted := map[string]float64{}, map[string]float64{}
	label := map[string][2]string{}
	top := 0.0
	for _, r := range rows {
		if r.Currency != currency {
			continue
		}
		a, w := decimal(r.Amount), decimal(r.Weighted)
		amount[*r.Period], weighted[*r.Period] = a, w
		label[*r.Period] = [2]string{sh.L.Money(r.Amount, currency), sh.L.Money(r.Weighted, currency)}
		top = math.Max(top, a)
	}
	step, ticks := niceTicks(top)
	c := barChart{Width: 720, Height: 260, Left: 72, Bottom: 28}
	plot := c.Height - c.Bottom - 8
	scale := func(v float64) int { return int(math.Round(v / (step * float64(ticks)) * float64(plot))) }
	for i := 0; i <= ticks; i++ {
		v := step * float64(i)
		c.Ticks = append(c.Ticks, barTick{Y: 8 + plot - scale(v), Label: sh.L.Money(strconv.FormatFloat(v, 'f', 0, 64), currency)})
	}
	start, _ := time.Parse("2006-01", from)
	end, _ := time.Parse("2006-01", to)
	n := 0
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		n++
	}
	slot := (c.Width - c.Left) / max(n, 1)
	i := 0
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		p := t.Format("2006-01")
		x := c.Left + i*slot
		g := barGroup{Label: sh.L.T("month.short." + strconv.Itoa(int(t.Month()))), X: x + slot/2}
		w := max(slot*2/3, 4)
		ha, hw := scale(amount[p]), scale(weighted[p])
		g.Amount = bar{X: x + (slot-w)/2, Y: 8 + plot - ha, W: w, H: ha, Title: monthLabel(sh, p) + ": " + label[p][0]}
		g.Weighted = bar{X: x + (slot-w)/2 + w/4, Y: 8 + plot - hw, W: w / 2, H: hw, Title: monthLabel(sh, p) + ": " + label[p][1]}
		c.Groups = append(c.Groups, g)
		i++
	}
	return c
}

// niceTicks divides 0..top into four or five steps of 1, 2 or 5 times a
// power of ten.
func niceTicks(top float64) (step float64, n int) {
	if top <= 0 {
		return 1000, 4
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	return step, int(math.Ceil(top / step))
}

// decimal reads a decimal string for drawing (the tables show it exactly).
func decimal(s string) float64 {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0
	}
	f, _ := r.Float64()
	return f
}
