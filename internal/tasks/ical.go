package tasks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// Calendar feed bounds: how far back and ahead it reaches, and how many
// tasks and meetings it holds at most.
const (
	CalendarPast   = 90 * 24 * time.Hour
	CalendarAhead  = 365 * 24 * time.Hour
	CalendarEvents = 1000
)

// Calendar is a user's tasks (with a due time, open or done in the last
// 90 days) and the meetings they logged (from 90 days ago to a year
// ahead) as an iCalendar file (RFC 5545). A task is an event of 30
// minutes at its due time, so that every calendar app shows it (few show
// to-dos); a meeting one of an hour.
func (s *Service) Calendar(ctx context.Context, ws, userID, workspace string) ([]byte, error) {
	p := access.Principal{WorkspaceID: ws, UserID: userID, Role: access.ReadOnly}
	now := s.now().UTC()
	from, to := now.Add(-CalendarPast).Format(time.RFC3339), now.Add(CalendarAhead).Format(time.RFC3339)
	tasks, err := s.eng.List(ctx, p, Object, records.Query{
		Filter:  fmt.Sprintf(`assignee_id = %s AND due_at >= %q AND due_at < %q`, filter.Quote(userID), from, to),
		OrderBy: "due_at, id", PageSize: CalendarEvents / 2})
	if err != nil {
		return nil, err
	}
	meetings, err := s.eng.List(ctx, p, "activities", records.Query{
		Filter:  fmt.Sprintf(`owner_id = %s AND kind = "meeting" AND occurred_at >= %q AND occurred_at < %q`, filter.Quote(userID), from, to),
		OrderBy: "occurred_at, id", PageSize: CalendarEvents / 2})
	if err != nil {
		return nil, err
	}
	var c ical
	c.line("BEGIN", "VCALENDAR")
	c.line("VERSION", "2.0")
	c.line("PRODID", "-//Rapport//Rapport CRM//EN")
	c.line("CALSCALE", "GREGORIAN")
	c.line("METHOD", "PUBLISH")
	c.line("X-WR-CALNAME", text("Rapport · "+workspace))
	c.line("REFRESH-INTERVAL;VALUE=DURATION", "PT15M")
	for _, t := range tasks.Data {
		title, _ := t["title"].(string)
		if done, _ := t["done"].(bool); done {
			title = "✓ " + title
		}
		desc, _ := t["description"].(string)
		c.event("task-"+t.ID(), timeOf(t["updated_at"]), timeOf(t["due_at"]), 30*time.Minute, title, desc, s.link("/tasks/"+t.ID()))
	}
	for _, m := range meetings.Data {
		subject, _ := m["subject"].(string)
		if subject == "" {
			subject = "Meeting"
		}
		body, _ := m["body"].(string)
		c.event("meeting-"+m.ID(), timeOf(m["updated_at"]), timeOf(m["occurred_at"]), time.Hour, subject, body, s.link("/activities/"+m.ID()))
	}
	c.line("END", "VCALENDAR")
	return []byte(c.b.String()), nil
}

// FeedPath is the path a calendar feed is served at: its secret is the
// credential, for calendar apps send no other.
func FeedPath(secret string) string { return "/ical/" + secret + ".ics" }

func (s *Service) link(path string) string {
	if s.publicURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.publicURL, "/") + path
}

// ical writes iCalendar content lines, folded at 75 octets.
type ical struct{ b strings.Builder }

func (c *ical) event(uid string, stamp, start time.Time, d time.Duration, summary, desc, url string) {
	const layout = "20060102T150405Z"
	c.line("BEGIN", "VEVENT")
	c.line("UID", text(uid+"@rapport"))
	c.line("DTSTAMP", stamp.UTC().Format(layout))
	c.line("DTSTART", start.UTC().Format(layout))
	c.line("DTEND", start.Add(d).UTC().Format(layout))
	c.line("SUMMARY", text(summary))
	if desc != "" {
		c.line("DESCRIPTION", text(desc))
	}
	if url != "" {
		c.line("URL", url)
	}
	c.line("STATUS", "CONFIRMED")
	c.line("END", "VEVENT")
}

// line writes "NAME:value" with CRLF, folding lines longer than 75
// octets (a fold is CRLF and a space; a UTF-8 character is never split).
func (c *ical) line(name, value string) {
	l := name + ":" + value
	n := 0
	for i, r := range l {
		size := len(string(r))
		if n+size > 75 {
			c.b.WriteString("\r\n ")
			n = 1
		}
		c.b.WriteString(l[i : i+size])
		n += size
	}
	c.b.WriteString("\r\n")
}

// text escapes a TEXT value: backslash, semicolon, comma, newline.
func text(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}
