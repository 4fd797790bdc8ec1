package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"net/mail"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/records"
)

// DigestJob mails a scheduled report or dashboard.
const DigestJob = "report.digest"

// SendHour is the hour of the workspace's day at which digests go out:
// daily every morning, weekly on Monday morning, monthly on the first.
const SendHour = 7

// nextSend is the first time after t that a schedule sends, in loc.
func nextSend(schedule string, t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	at := time.Date(l.Year(), l.Month(), l.Day(), SendHour, 0, 0, 0, loc)
	switch schedule {
	case "weekly":
		at = at.AddDate(0, 0, -((int(at.Weekday()) + 6) % 7)) // this week's Monday
		for !at.After(t) {
			at = at.AddDate(0, 0, 7)
		}
	case "monthly":
		at = time.Date(l.Year(), l.Month(), 1, SendHour, 0, 0, 0, loc)
		for !at.After(t) {
			at = at.AddDate(0, 1, 0)
		}
	default:
		for !at.After(t) {
			at = at.AddDate(0, 0, 1)
		}
	}
	return at
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// digestPayload names what a digest job mails, and when it was due.
type digestPayload struct {
	Object string    `json:"object"`
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
}

// sent marks the write that records a digest's sending.
type sent struct{ at time.Time }

// keepSchedule checks a report's or dashboard's recipients, and queues
// its next digest when its schedule is set or changed; a digest's job
// records the time it sent.
func (s *Service) keepSchedule(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	if v, ok := ctx.Value(sent{}).(sent); ok {
		after["last_sent_at"] = v.at
		return nil, nil
	}
	var errs []fault.FieldError
	for _, a := range strsOf(after["email_to"]) {
		if addr, err := mail.ParseAddress(a); err != nil || addr.Address != a {
			errs = append(errs, fault.FieldError{Field: "email_to", Message: fmt.Sprintf("%q is not an email address", a)})
		}
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	sched := str(after["schedule"])
	if sched == "" || s.opt.Queue == nil || before != nil && str(before["schedule"]) == sched {
		return nil, nil
	}
	reg, err := s.region(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	object := Reports
	if _, ok := after["report_ids"]; ok {
		object = Dashboards
	}
	return nil, s.queueDigest(ctx, tx, p.WorkspaceID, object, after.ID(), nextSend(sched, s.now(), reg.Zone))
}

func (s *Service) queueDigest(ctx context.Context, tx *sql.Tx, ws, object, id string, at time.Time) error {
	return s.opt.Queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: ws, Kind: DigestJob, RunAt: at,
		UniqueKey: fmt.Sprintf("%s:%s:%s:%d", DigestJob, object, id, at.Unix()), Payload: digestPayload{Object: object, ID: id, At: at}})
}

func strsOf(v any) []string {
	s, _ := v.([]string)
	return s
}

// digest mails a report or dashboard as its schedule says, and queues the
// next one: unless it was trashed, or its schedule changed since (the
// change queued its own).
func (s *Service) digest(ctx context.Context, j *jobs.Job) error {
	var pl digestPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	sys := access.System(j.WorkspaceID)
	rec, err := s.eng.Get(ctx, sys, pl.Object, pl.ID, false)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	reg, err := s.region(ctx, j.WorkspaceID)
	if err != nil {
		return err
	}
	sched := str(rec["schedule"])
	if sched == "" || !nextSend(sched, pl.At.Add(-time.Second), reg.Zone).Equal(pl.At) {
		return nil
	}
	// The digest shows what its owner sees, in the owner's language, and
	// goes to its addresses, or to the owner when it names none.
	p, l, to := sys, s.opt.Catalog.Get(i18n.Default), strsOf(rec["email_to"])
	if owner := rec.Owner(); owner != "" {
		u, err := s.opt.Directory.User(ctx, j.WorkspaceID, owner)
		if err != nil && fault.KindOf(err) != fault.KindNotFound {
			return err
		}
		if err == nil && u.Active {
			p = access.Principal{WorkspaceID: j.WorkspaceID, UserID: u.ID, Role: u.Role}
			l = s.opt.Catalog.Negotiate(u.Locale, "")
			if len(to) == 0 {
				to = []string{u.Email}
			}
		}
	}
	msg, files, err := s.compose(ctx, p, l, pl.Object, rec, sched)
	if err != nil {
		return err
	}
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		if len(to) > 0 {
			toAny := make([]any, len(to))
			for i, a := range to {
				toAny[i] = a
			}
			msg["to"] = toAny
			if _, err := s.opt.Mail.WriteIn(ctx, tx, p, msg, files); err != nil {
				return err
			}
		}
		if _, _, err := s.eng.UpdateIn(context.WithValue(ctx, sent{}, sent{s.now().UTC().Truncate(time.Microsecond)}), tx, sys, pl.Object, rec.ID(), map[string]any{}); err != nil {
			return err
		}
		// The next one after this one, or after now when this one ran
		// late (a node was down): missed mornings are not sent in a row.
		if err := s.queueDigest(ctx, tx, j.WorkspaceID, pl.Object, rec.ID(), nextSend(sched, later(pl.At, s.now()), reg.Zone)); err != nil {
			return err
		}
		return s.opt.Queue.CompleteIn(ctx, tx, j)
	})
}

// compose writes a digest: its subject, an HTML body with each report's
// chart inline and its table, and the same as a PDF.
func (s *Service) compose(ctx context.Context, p access.Principal, l *i18n.Locale, object string, rec records.Record, sched string) (map[string]any, []email.File, error) {
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, nil, err
	}
	pr := Presenter{L: l, Schema: sch}
	var saved []Saved
	link := strings.TrimRight(s.opt.PublicURL, "/")
	if object == Dashboards {
		v, err := s.Dashboard(ctx, p, rec.ID(), ViewOptions{Fresh: true})
		if err != nil {
			return nil, nil, err
		}
		for _, c := range v.Cards {
			if c.Result != nil {
				saved = append(saved, Saved{Report: c.Report, Query: c.Query, Result: c.Result})
			}
		}
		link += "/dashboards/" + rec.ID()
	} else {
		sv, err := s.RunSaved(ctx, p, rec.ID(), "", true)
		if err != nil {
			return nil, nil, err
		}
		saved = append(saved, *sv)
		link += "/reports/" + rec.ID()
	}
	name := str(rec["name"])
	var b strings.Builder
	fmt.Fprintf(&b, "<h1>%s</h1>", html.EscapeString(name))
	var files []email.File
	for i, sv := range saved {
		title := str(sv.Report["name"])
		fmt.Fprintf(&b, "<h2>%s</h2>", html.EscapeString(title))
		if p := sv.Result.Period; p != nil {
			fmt.Fprintf(&b, "<p>%s – %s</p>", html.EscapeString(l.Date(p.From.Format(time.DateOnly))), html.EscapeString(l.Date(p.To.AddDate(0, 0, -1).Format(time.DateOnly))))
		}
		if str(sv.Report["chart"]) != "table" {
			png, err := pr.Chart(sv.Query, sv.Result, KindOf(sv.Report), title).PNG()
			if err != nil {
				return nil, nil, err
			}
			cid := fmt.Sprintf("chart-%d@rapport", i+1)
			files = append(files, email.File{Name: fmt.Sprintf("chart-%d.png", i+1), ContentType: "image/png", ContentID: cid, Data: png})
			fmt.Fprintf(&b, `<p><img src="cid:%s" alt="%s" width="640"></p>`, cid, html.EscapeString(title))
		}
		b.WriteString(tableHTML(pr.Table(sv.Query, sv.Result), 20))
	}
	if s.opt.PublicURL != "" {
		fmt.Fprintf(&b, `<p><a href="%s">%s</a></p>`, html.EscapeString(link), html.EscapeString(l.T("digest.open")))
	}
	pdf, err := digestPDF(pr, name, saved)
	if err != nil {
		return nil, nil, err
	}
	files = append(files, email.File{Name: FileName(name) + ".pdf", ContentType: "application/pdf", Data: pdf})
	return map[string]any{"subject": l.T("digest.subject."+sched, name), "body_html": b.String()}, files, nil
}

// tableHTML writes at most max rows of a table as HTML for mail.
func tableHTML(t Table, max int) string {
	if len(t.Rows) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<table style="border-collapse: collapse"><tr>`)
	for i, h := range t.Head {
		fmt.Fprintf(&b, `<th style="text-align: %s; padding: 4px 8px; border-bottom: 1px solid #e3e4e8">%s</th>`, align(t, i), html.EscapeString(h))
	}
	b.WriteString("</tr>")
	for n, row := range t.Rows {
		if n == max {
			break
		}
		b.WriteString("<tr>")
		for i, c := range row {
			fmt.Fprintf(&b, `<td style="text-align: %s; padding: 4px 8px">%s</td>`, align(t, i), html.EscapeString(c.Text))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

func align(t Table, i int) string {
	if t.Numeric[i] {
		return "right"
	}
	return "left"
}

// FileName makes a name a file's: letters, digits and dashes.
func FileName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	if s := strings.Trim(b.String(), "-"); s != "" {
		return s
	}
	return "report"
}
