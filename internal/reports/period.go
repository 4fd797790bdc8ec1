package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Period limits a report to the records whose date or datetime field
// falls in a span of the workspace's days: a named range relative to
// today ("this_quarter"), or From and To, both inclusive ("2026-01-01").
type Period struct {
	Field string `json:"field"`
	Range string `json:"range,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	// pinned says a saved report named its range: a dashboard's period
	// does not change it (a forecast looks ahead whatever the period).
	pinned bool
}

// Ranges are the named periods (the saved reports' choices).
var Ranges = schema.ReportRanges

// Span is a resolved period: its first day and the day after its last,
// in the workspace's zone.
type Span struct {
	From time.Time
	To   time.Time // exclusive
}

// MarshalJSON writes the span as its inclusive days.
func (s Span) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"from":%q,"to":%q}`, s.From.Format(time.DateOnly), s.To.AddDate(0, 0, -1).Format(time.DateOnly)), nil
}

// UnmarshalJSON reads a span written by MarshalJSON (a kept answer's).
func (s *Span) UnmarshalJSON(b []byte) error {
	var days struct{ From, To string }
	if err := json.Unmarshal(b, &days); err != nil {
		return err
	}
	from, err1 := time.Parse(time.DateOnly, days.From)
	to, err2 := time.Parse(time.DateOnly, days.To)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	s.From, s.To = from, to.AddDate(0, 0, 1)
	return nil
}

// span resolves the period on the day now is in the zone loc, and the
// period before it: the calendar unit before a calendar range, else as
// many days just before.
func (p *Period) span(now time.Time, loc *time.Location) (cur, prev Span, err error) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	day := func(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	quarter := time.Date(now.Year(), (now.Month()-1)/3*3+1, 1, 0, 0, 0, 0, loc)
	year := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
	monday := day(today, -(int(today.Weekday())+6)%7)
	months := func(from time.Time, n, back int) (Span, Span) {
		s := Span{from, from.AddDate(0, n, 0)}
		return s, Span{from.AddDate(0, -back, 0), from.AddDate(0, n-back, 0)}
	}
	days := func(from time.Time, n int) (Span, Span) {
		return Span{from, day(from, n)}, Span{day(from, -n), from}
	}
	if p.Range != "" && (p.From != "" || p.To != "") {
		return cur, prev, fault.BadRequest("period: give a range or from and to, not both")
	}
	switch p.Range {
	case "":
		from, err1 := time.ParseInLocation(time.DateOnly, p.From, loc)
		to, err2 := time.ParseInLocation(time.DateOnly, p.To, loc)
		switch {
		case err1 != nil:
			return cur, prev, fault.BadRequest("period.from: want a date like 2026-01-01, not %q", p.From)
		case err2 != nil:
			return cur, prev, fault.BadRequest("period.to: want a date like 2026-12-31, not %q", p.To)
		case to.Before(from):
			return cur, prev, fault.BadRequest("period.to: %s is before period.from %s", p.To, p.From)
		case to.Sub(from) > 100*366*24*time.Hour:
			return cur, prev, fault.BadRequest("period: at most a hundred years")
		}
		n := int(to.Sub(from).Hours()/24+0.5) + 1
		cur, prev = days(from, n)
	case "today":
		cur, prev = days(today, 1)
	case "this_week":
		cur, prev = days(monday, 7)
	case "last_week":
		cur, prev = days(day(monday, -7), 7)
	case "this_month":
		cur, prev = months(month, 1, 1)
	case "last_month":
		cur, prev = months(month.AddDate(0, -1, 0), 1, 1)
	case "this_quarter":
		cur, prev = months(quarter, 3, 3)
	case "last_quarter":
		cur, prev = months(quarter.AddDate(0, -3, 0), 3, 3)
	case "this_year":
		cur, prev = months(year, 12, 12)
	case "last_year":
		cur, prev = months(year.AddDate(-1, 0, 0), 12, 12)
	case "last_7_days", "last_30_days", "last_90_days", "last_365_days":
		var n int
		fmt.Sscanf(p.Range, "last_%d_days", &n)
		cur, prev = days(day(today, 1-n), n)
	case "next_12_months":
		cur, prev = months(month, 12, 12)
	default:
		return cur, prev, fault.BadRequest("period.range: want one of %s, not %q", strings.Join(Ranges, ", "), p.Range)
	}
	return cur, prev, nil
}
