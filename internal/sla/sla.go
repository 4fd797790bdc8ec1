// Package sla computes service-level clocks in business time: when a
// target of so many working hours falls due, counted from a start, over a
// calendar of working hours in a time zone, skipping weekends, holidays
// and the times the clock was paused (a ticket waiting on its customer).
// It is pure: no database, no clock of its own.
package sla

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Span is a stretch of working time in a day, in minutes after local
// midnight: Start < End, End at most 24*60.
type Span struct{ Start, End int }

// Calendar is when a team works.
type Calendar struct {
	// Location is the calendar's time zone (nil: UTC).
	Location *time.Location
	// Hours are the working spans of each weekday, indexed by
	// time.Weekday. A calendar with no hours at all is always open.
	Hours [7][]Span
	// Holidays are the local dates ("2026-12-25") with no work.
	Holidays map[string]bool
}

// Pause is a time the clock stood still; To zero: it still stands.
type Pause struct{ From, To time.Time }

// horizon bounds how far ahead a clock looks for working time.
const horizon = 3 * 366

// ErrNeverOpen is Due's error for a calendar with no working time ahead.
var ErrNeverOpen = errors.New("sla: the calendar has no working time")

// Check reports a calendar's first mistake: a span out of the day, or
// ending before it starts, or overlapping the one before.
func (c *Calendar) Check() error {
	for day, spans := range c.Hours {
		prev := -1
		for _, s := range sorted(spans) {
			if s.Start < 0 || s.End > 24*60 || s.Start >= s.End {
				return fmt.Errorf("%s: %s is no span of a day", time.Weekday(day), s)
			}
			if s.Start < prev {
				return fmt.Errorf("%s: %s overlaps the span before", time.Weekday(day), s)
			}
			prev = s.End
		}
	}
	return nil
}

func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60)
}

func sorted(spans []Span) []Span {
	out := append([]Span(nil), spans...)
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func (c *Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

func (c *Calendar) alwaysOpen() bool {
	for _, spans := range c.Hours {
		if len(spans) > 0 {
			return false
		}
	}
	return true
}

// open calls fn with each stretch of working time from `from` on, in
// order, until fn returns false or the horizon is reached. Working hours
// are local: 09:00 stays 09:00 across a change of daylight saving time.
func (c *Calendar) open(from time.Time, fn func(start, end time.Time) bool) {
	if c.alwaysOpen() {
		fn(from, from.AddDate(horizon/366, 0, 0))
		return
	}
	loc := c.loc()
	local := from.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for range horizon {
		if !c.Holidays[day.Format(time.DateOnly)] {
			for _, s := range sorted(c.Hours[day.Weekday()]) {
				start := time.Date(day.Year(), day.Month(), day.Day(), s.Start/60, s.Start%60, 0, 0, loc)
				end := time.Date(day.Year(), day.Month(), day.Day(), s.End/60, s.End%60, 0, 0, loc)
				if !end.After(from) {
					continue
				}
				if start.Before(from) {
					start = from
				}
				if !fn(start, end) {
					return
				}
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	}
}

// running calls fn with each stretch of working time from `from` on that
// no pause covers. An open pause ends the clock: fn is not called past it.
func (c *Calendar) running(from time.Time, pauses []Pause, fn func(start, end time.Time) bool) {
	ps := append([]Pause(nil), pauses...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].From.Before(ps[j].From) })
	c.open(from, func(start, end time.Time) bool {
		for _, p := range ps {
			if !start.Before(end) {
				return true
			}
			if p.To.IsZero() { // still paused: nothing after its start runs
				if !p.From.After(start) {
					return false
				}
				if p.From.Before(end) {
					fn(start, p.From)
					return false
				}
				continue // it starts after this stretch
			}
			if !p.To.After(start) || !p.From.Before(end) {
				continue // outside this stretch
			}
			if p.From.After(start) && !fn(start, p.From) {
				return false
			}
			start = p.To
		}
		if start.Before(end) {
			return fn(start, end)
		}
		return true
	})
}

// Due is when `target` of working time has run since start, the pauses
// not counted. ok is false while the clock stands in an open pause before
// it is due (the due time is unknown until the pause ends).
func (c *Calendar) Due(start time.Time, target time.Duration, pauses []Pause) (due time.Time, ok bool, err error) {
	if target <= 0 {
		return start, true, nil
	}
	left := target
	c.running(start, pauses, func(s, e time.Time) bool {
		if span := e.Sub(s); span < left {
			left -= span
			return true
		}
		due, ok = s.Add(left), true
		return false
	})
	if ok {
		return due, true, nil
	}
	for _, p := range pauses {
		if p.To.IsZero() {
			return time.Time{}, false, nil
		}
	}
	return time.Time{}, false, ErrNeverOpen
}

// Elapsed is the working time between from and to, the pauses not
// counted.
func (c *Calendar) Elapsed(from, to time.Time, pauses []Pause) time.Duration {
	var total time.Duration
	c.running(from, pauses, func(s, e time.Time) bool {
		if !s.Before(to) {
			return false
		}
		if e.After(to) {
			e = to
		}
		total += e.Sub(s)
		return true
	})
	return total
}
