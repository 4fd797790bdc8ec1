package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/notify"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/sla"
	"github.com/rapport-crm/rapport/internal/store"
)

// Policies is the SLA policies' object name.
const Policies = "sla_policies"

// SLAJob is the kind of the job that fires at an SLA target's warning
// time or due time.
const SLAJob = "ticket.sla"

// The SLA targets of a ticket, by the field that holds its due time.
var targets = []struct{ name, due, done string }{
	{"first_response", "first_response_due_at", "first_responded_at"},
	{"resolution", "resolution_due_at", "solved_at"},
}

// keepPolicy checks an SLA policy: its condition is a filter on tickets,
// its hours and holidays read, its zone known, its targets not negative.
func (s *Service) keepPolicy(ctx context.Context, _ *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	s.cache.forget(p.WorkspaceID)
	if after["active"] == nil {
		after["active"] = true
	}
	if after["warn_minutes"] == nil && before == nil {
		after["warn_minutes"] = int64(30)
	}
	var errs []fault.FieldError
	if c, _ := after["condition"].(string); strings.TrimSpace(c) != "" {
		sch, err := s.eng.Schema(ctx, p.WorkspaceID)
		if err != nil {
			return nil, err
		}
		o, _ := sch.Object(Object)
		if _, err := filter.Parse(c, sch, o); err != nil {
			msg := err.Error()
			if fe := fault.As(err); fe != nil {
				msg = fe.Msg
			}
			errs = append(errs, fault.FieldError{Field: "condition", Message: msg})
		}
	}
	if _, err := calendarOf(after); err != nil {
		field := "hours"
		if strings.HasPrefix(err.Error(), "time zone") {
			field = "time_zone"
		} else if strings.HasPrefix(err.Error(), "holiday") {
			field = "holidays"
		}
		errs = append(errs, fault.FieldError{Field: field, Message: err.Error()})
	}
	for _, f := range []string{"first_response_minutes", "resolution_minutes", "warn_minutes"} {
		if n, ok := after[f].(int64); ok && (n < 0 || n > 525600) {
			errs = append(errs, fault.FieldError{Field: f, Message: "must be from 0 to 525600 (a year)"})
		}
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	return nil, nil
}

// calendarOf is a policy's working calendar.
func calendarOf(policy records.Record) (*sla.Calendar, error) {
	c := &sla.Calendar{Location: time.UTC, Holidays: map[string]bool{}}
	if tz, _ := policy["time_zone"].(string); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("time zone %q is not known (an IANA name like Europe/Berlin)", tz)
		}
		c.Location = loc
	}
	hours, _ := policy["hours"].(string)
	h, err := sla.ParseHours(hours)
	if err != nil {
		return nil, err
	}
	c.Hours = h
	days, _ := policy["holidays"].([]string)
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, fmt.Errorf("holiday %q is not a date like 2026-12-25", d)
		}
		c.Holidays[d] = true
	}
	return c, nil
}

// clock keeps a ticket's SLA: the pause while it is pending, the policy
// that applies (the first active one by rank whose condition it meets),
// and the due times of its targets in the policy's working time, with a
// job at each target's warning and due time.
func (s *Service) clock(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record, now time.Time) error {
	d := s.db.Dialect()
	was, _ := before["status"].(string)
	status, _ := after["status"].(string)
	if status == "pending" && was != "pending" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_pauses (workspace_id, ticket_id, started_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			p.WorkspaceID, after.ID(), d.Time(now)); err != nil {
			return err
		}
	}
	if was == "pending" && status != "pending" {
		if _, err := tx.ExecContext(ctx, `UPDATE ticket_pauses SET ended_at = $3 WHERE workspace_id = $1 AND ticket_id = $2 AND ended_at IS NULL`,
			p.WorkspaceID, after.ID(), d.Time(now)); err != nil {
			return err
		}
	}
	if status == "solved" || status == "closed" {
		return nil // the due times stay as they were, for the record
	}
	policy, err := s.policyFor(ctx, tx, p.WorkspaceID, after)
	if err != nil {
		return err
	}
	if policy == nil {
		after["sla_policy_id"], after["first_response_due_at"], after["resolution_due_at"] = nil, nil, nil
		return nil
	}
	after["sla_policy_id"] = policy.ID()
	cal, err := calendarOf(policy)
	if err != nil {
		return err
	}
	pauses, err := s.pauses(ctx, tx, p.WorkspaceID, after.ID())
	if err != nil {
		return err
	}
	start, _ := after["created_at"].(time.Time)
	minutes := map[string]any{"first_response": policy["first_response_minutes"], "resolution": policy["resolution_minutes"]}
	warn, _ := policy["warn_minutes"].(int64)
	for _, t := range targets {
		if after[t.done] != nil {
			continue // met: its due time stays
		}
		m, ok := minutes[t.name].(int64)
		if !ok || m <= 0 {
			after[t.due] = nil
			continue
		}
		due, running, err := cal.Due(start, time.Duration(m)*time.Minute, pauses)
		if err != nil || !running {
			after[t.due] = nil // the clock stands (or never runs)
			continue
		}
		due = due.UTC().Truncate(time.Microsecond)
		after[t.due] = due
		if prev, ok := before[t.due].(time.Time); ok && prev.Equal(due) {
			continue
		}
		for level, at := range map[string]time.Time{"warning": due.Add(-time.Duration(warn) * time.Minute), "breach": due} {
			if level == "warning" && (warn <= 0 || !at.After(now)) {
				continue
			}
			if err := s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: p.WorkspaceID, Kind: SLAJob, RunAt: at,
				UniqueKey: fmt.Sprintf("ticket.sla:%s:%s:%s:%d", after.ID(), t.name, level, due.Unix()),
				Payload:   slaPayload{TicketID: after.ID(), Target: t.name, Level: level, Due: due}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// policyFor is the first active policy, by rank, whose condition the
// ticket meets.
func (s *Service) policyFor(ctx context.Context, tx *sql.Tx, ws string, ticket records.Record) (records.Record, error) {
	st, err := s.settingsOf(ctx, ws)
	if err != nil {
		return nil, err
	}
	sys := access.System(ws)
	related := func(object, id string) map[string]any {
		rec, err := s.eng.GetIn(ctx, tx, sys, object, id)
		if err != nil {
			return nil
		}
		return rec
	}
	for _, pol := range st.policies {
		if pol.bad {
			continue // a field it named was removed since: it applies to nothing
		}
		if pol.cond == nil || pol.cond.Match(ticket, related) {
			return pol.rec, nil
		}
	}
	return nil, nil
}

// live is the ticket a job is about, or nil when it has gone since (in
// the trash, merged into another): the job then has nothing to do.
func (s *Service) live(ctx context.Context, ws, id string) (records.Record, error) {
	t, err := s.eng.Get(ctx, access.System(ws), Object, id, false)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil, nil
	}
	return t, err
}

// pauses are the times a ticket waited on its customer.
func (s *Service) pauses(ctx context.Context, tx *sql.Tx, ws, ticketID string) ([]sla.Pause, error) {
	rows, err := tx.QueryContext(ctx, `SELECT started_at, ended_at FROM ticket_pauses WHERE workspace_id = $1 AND ticket_id = $2 ORDER BY started_at`, ws, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sla.Pause
	for rows.Next() {
		var from, to any
		if err := rows.Scan(&from, &to); err != nil {
			return nil, err
		}
		var p sla.Pause
		p.From, _ = store.ParseTime(from)
		if to != nil {
			p.To, _ = store.ParseTime(to)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// breach marks the write of a ticket whose SLA target has just passed.
type breach struct{}

// slaBreached says whether a ticket under an SLA missed a target:
// answered or solved after its due time, or still open when the breach
// fired. Missed stays missed; a ticket without a policy has no answer.
func slaBreached(ctx context.Context, before, after records.Record) any {
	if after["sla_policy_id"] == nil {
		return nil
	}
	if b, _ := before["sla_breached"].(bool); b || ctx.Value(breach{}) != nil {
		return true
	}
	for _, t := range targets {
		due, ok := after[t.due].(time.Time)
		done, met := after[t.done].(time.Time)
		if ok && met && done.After(due) {
			return true
		}
	}
	return false
}

type slaPayload struct {
	TicketID string    `json:"ticket_id"`
	Target   string    `json:"target"` // first_response, resolution
	Level    string    `json:"level"`  // warning, breach
	Due      time.Time `json:"due"`
}

// fire runs at a target's warning or due time: unless the target was met,
// moved or paused since, the ticket gets a ticket.sla_warning or
// ticket.sla_breached event (to its timeline and webhooks), and its
// assignee a notification.
func (s *Service) fire(ctx context.Context, j *jobs.Job) error {
	var pl slaPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	t, err := s.live(ctx, j.WorkspaceID, pl.TicketID)
	if t == nil || err != nil {
		return err
	}
	var target struct{ name, due, done string }
	for _, tg := range targets {
		if tg.name == pl.Target {
			target = tg
		}
	}
	due, _ := t[target.due].(time.Time)
	if target.name == "" || t[target.done] != nil || !due.Equal(pl.Due) || t["status"] == "pending" {
		return nil
	}
	what := map[string]string{"first_response": "First response", "resolution": "Resolution"}[target.name]
	kind, summary := "sla_breached", fmt.Sprintf("%s overdue on ticket #%v %v", what, t["number"], t["subject"])
	if pl.Level == "warning" {
		kind, summary = "sla_warning", fmt.Sprintf("%s due soon on ticket #%v %v", what, t["number"], t["subject"])
	}
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		err := s.log.Append(ctx, tx, &events.Event{WorkspaceID: j.WorkspaceID, Object: Object, RecordID: t.ID(), Kind: kind, Singular: "ticket",
			Summary: summary, Data: map[string]any{"ticket_id": t.ID(), "target": target.name, "due_at": due, "number": t["number"]}})
		if err != nil {
			return err
		}
		if pl.Level == "breach" {
			if _, _, err := s.eng.UpdateIn(context.WithValue(ctx, breach{}, breach{}), tx, access.System(j.WorkspaceID), Object, t.ID(), map[string]any{}); err != nil {
				return err
			}
		}
		if a, ok := t["assignee_id"].(string); ok && a != "" && s.notes != nil {
			return s.notes.AddIn(ctx, tx, j.WorkspaceID, a, notify.Notification{ID: j.ID, Kind: "ticket_" + kind, Title: summary, Link: "/tickets/" + t.ID()})
		}
		return nil
	})
}
