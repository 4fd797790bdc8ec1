package sla

import (
	"fmt"
	"strings"
	"time"
)

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseHours reads working hours as people write them: clauses separated
// by ";", each days (a day, a range "Mon-Fri" or a list "Mon,Wed") and
// one or more spans "09:00-12:00, 13:00-17:00". The empty text is always
// open.
func ParseHours(text string) ([7][]Span, error) {
	var hours [7][]Span
	for _, clause := range strings.Split(text, ";") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		daysText, spansText, ok := strings.Cut(clause, " ")
		if !ok {
			return hours, fmt.Errorf("%q: want days and hours, like \"Mon-Fri 09:00-17:00\"", clause)
		}
		days, err := parseDays(daysText)
		if err != nil {
			return hours, fmt.Errorf("%q: %w", clause, err)
		}
		for _, st := range strings.Split(spansText, ",") {
			sp, err := parseSpan(strings.TrimSpace(st))
			if err != nil {
				return hours, fmt.Errorf("%q: %w", clause, err)
			}
			for _, d := range days {
				hours[d] = append(hours[d], sp)
			}
		}
	}
	c := Calendar{Hours: hours}
	return hours, c.Check()
}

func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		from, to, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, ok := dayNames[from]
		if !ok {
			return nil, fmt.Errorf("%q is no day (Mon, Tue, … Sun)", from)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, ok := dayNames[to]
		if !ok {
			return nil, fmt.Errorf("%q is no day (Mon, Tue, … Sun)", to)
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func parseSpan(s string) (Span, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("%q: want a span like 09:00-17:00", s)
	}
	a, err := minutes(from)
	if err != nil {
		return Span{}, err
	}
	b, err := minutes(to)
	if err != nil {
		return Span{}, err
	}
	return Span{a, b}, nil
}

func minutes(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m > 0) {
		return 0, fmt.Errorf("%q is no time of day like 09:00", s)
	}
	return h*60 + m, nil
}
