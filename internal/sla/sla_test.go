package sla

import (
	"testing"
	"time"
)

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDue is the SLA clock's table: working hours in Berlin, Monday to
// Friday 09:00–17:00 (with a lunch break on one calendar), across
// weekends, holidays, the changes of daylight saving time and pauses.
func TestDue(t *testing.T) {
	loc := berlin(t)
	week := func(spans ...Span) [7][]Span {
		var h [7][]Span
		for d := time.Monday; d <= time.Friday; d++ {
			h[d] = spans
		}
		return h
	}
	office := &Calendar{Location: loc, Hours: week(Span{9 * 60, 17 * 60}), Holidays: map[string]bool{"2026-12-25": true, "2026-12-24": false}}
	lunch := &Calendar{Location: loc, Hours: week(Span{9 * 60, 12 * 60}, Span{13 * 60, 17 * 60})}
	always := &Calendar{Location: loc}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name   string
		cal    *Calendar
		start  string
		target time.Duration
		pauses []Pause
		due    string // local; "" when the clock stands
	}{
		{"within the day", office, "2026-03-02 10:00", 4 * time.Hour, nil, "2026-03-02 14:00"},
		{"to the minute the day ends", office, "2026-03-02 10:00", 7 * time.Hour, nil, "2026-03-02 17:00"},
		{"into the next day", office, "2026-03-02 16:00", 2 * time.Hour, nil, "2026-03-03 10:00"},
		{"over the weekend", office, "2026-03-06 16:00", 2 * time.Hour, nil, "2026-03-09 10:00"},
		{"opened on a Saturday", office, "2026-03-07 12:00", time.Hour, nil, "2026-03-09 10:00"},
		{"opened before hours", office, "2026-03-02 07:00", time.Hour, nil, "2026-03-02 10:00"},
		{"opened after hours", office, "2026-03-02 19:30", 30 * time.Minute, nil, "2026-03-03 09:30"},
		{"over Christmas (a holiday on Friday)", office, "2026-12-24 16:00", 2 * time.Hour, nil, "2026-12-28 10:00"},
		{"a week of working time", office, "2026-03-02 09:00", 40 * time.Hour, nil, "2026-03-06 17:00"},
		{"lunch is not working time", lunch, "2026-03-02 11:00", 2 * time.Hour, nil, "2026-03-02 14:00"},
		{"over the spring change (Friday to Monday)", office, "2026-03-27 16:00", 2 * time.Hour, nil, "2026-03-30 10:00"},
		{"over the autumn change", office, "2026-10-23 16:30", 2 * time.Hour, nil, "2026-10-26 10:30"},
		{"always open, across the spring change", always, "2026-03-29 01:30", 2 * time.Hour, nil, "2026-03-29 04:30"},
		{"always open, across the autumn change (an hour twice)", always, "2026-10-25 01:30", 3 * time.Hour, nil, "2026-10-25 03:30"},
		{"a pause overnight", office, "2026-03-02 10:00", 4 * time.Hour,
			[]Pause{{From: at("2026-03-02 11:00"), To: at("2026-03-03 09:30")}}, "2026-03-03 12:30"},
		{"a pause outside working hours changes nothing", office, "2026-03-02 10:00", 4 * time.Hour,
			[]Pause{{From: at("2026-03-02 18:00"), To: at("2026-03-03 08:00")}}, "2026-03-02 14:00"},
		{"two pauses", office, "2026-03-02 09:00", 3 * time.Hour,
			[]Pause{{From: at("2026-03-02 10:00"), To: at("2026-03-02 11:00")}, {From: at("2026-03-02 12:00"), To: at("2026-03-02 15:00")}}, "2026-03-02 16:00"},
		{"a pause before the start", office, "2026-03-02 10:00", time.Hour,
			[]Pause{{From: at("2026-03-01 10:00"), To: at("2026-03-02 11:00")}}, "2026-03-02 12:00"},
		{"paused still, before it is due", office, "2026-03-02 10:00", 4 * time.Hour,
			[]Pause{{From: at("2026-03-02 11:00")}}, ""},
		{"paused still, but due before the pause", office, "2026-03-02 10:00", time.Hour,
			[]Pause{{From: at("2026-03-02 15:00")}}, "2026-03-02 11:00"},
		{"no target: due at once", office, "2026-03-07 12:00", 0, nil, "2026-03-07 12:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due, ok, err := tc.cal.Due(at(tc.start), tc.target, tc.pauses)
			if err != nil {
				t.Fatal(err)
			}
			if tc.due == "" {
				if ok {
					t.Fatalf("due %s, want the clock standing", due.In(loc))
				}
				return
			}
			if !ok || !due.Equal(at(tc.due)) {
				t.Fatalf("due %s (ok %v), want %s", due.In(loc).Format("2006-01-02 15:04 MST"), ok, tc.due)
			}
			// Elapsed is Due's inverse.
			if got := tc.cal.Elapsed(at(tc.start), due, tc.pauses); got != tc.target {
				t.Errorf("elapsed to the due time: %s, want %s", got, tc.target)
			}
		})
	}
}

func TestCalendar(t *testing.T) {
	never := &Calendar{Hours: [7][]Span{time.Sunday: {{9 * 60, 17 * 60}}}, Holidays: map[string]bool{}}
	// Every Sunday a holiday for the next years: no working time ahead.
	day := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
	for range 3 * 53 {
		never.Holidays[day.Format(time.DateOnly)] = true
		day = day.AddDate(0, 0, 7)
	}
	if _, _, err := never.Due(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Hour, nil); err != ErrNeverOpen {
		t.Errorf("a calendar never open: %v", err)
	}
	for _, bad := range [][]Span{{{17 * 60, 9 * 60}}, {{0, 25 * 60}}, {{9 * 60, 12 * 60}, {11 * 60, 13 * 60}}} {
		c := &Calendar{Hours: [7][]Span{time.Monday: bad}}
		if c.Check() == nil {
			t.Errorf("Check passed %v", bad)
		}
	}
	if err := (&Calendar{Hours: [7][]Span{time.Monday: {{13 * 60, 17 * 60}, {9 * 60, 12 * 60}}}}).Check(); err != nil {
		t.Errorf("Check of two spans out of order: %v", err)
	}
}

func TestParseHours(t *testing.T) {
	for _, tc := range []struct {
		text string
		want map[time.Weekday][]Span
		bad  bool
	}{
		{"", map[time.Weekday][]Span{}, false},
		{"Mon-Fri 09:00-17:00", map[time.Weekday][]Span{time.Monday: {{540, 1020}}, time.Friday: {{540, 1020}}, time.Wednesday: {{540, 1020}}}, false},
		{"mon-fri 09:00-12:00, 13:00-17:00; Sat 10:00-14:00", map[time.Weekday][]Span{time.Tuesday: {{540, 720}, {780, 1020}}, time.Saturday: {{600, 840}}}, false},
		{"Sat-Sun 00:00-24:00", map[time.Weekday][]Span{time.Saturday: {{0, 1440}}, time.Sunday: {{0, 1440}}, time.Monday: nil}, false},
		{"Fri-Mon 08:00-09:00", map[time.Weekday][]Span{time.Friday: {{480, 540}}, time.Monday: {{480, 540}}, time.Tuesday: nil}, false},
		{"Mon,Wed 09:00-10:00", map[time.Weekday][]Span{time.Monday: {{540, 600}}, time.Wednesday: {{540, 600}}, time.Tuesday: nil}, false},
		{"Monday 09:00-17:00", nil, true},
		{"Mon 9-17", nil, true},
		{"Mon 17:00-09:00", nil, true},
		{"Mon 09:00-12:00, 11:00-13:00", nil, true},
		{"Mon-Fri", nil, true},
		{"Mon 25:00-26:00", nil, true},
	} {
		hours, err := ParseHours(tc.text)
		if (err != nil) != tc.bad {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		for d, want := range tc.want {
			if got := hours[d]; len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) || (len(want) > 1 && got[1] != want[1]) {
				t.Errorf("%q: %s = %v, want %v", tc.text, d, got, want)
			}
		}
	}
}
