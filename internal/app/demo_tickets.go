package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/tickets"
)

// demoAgents are the demo's support team.
var demoAgents = []auth.NewUser{
	{Email: "noor.haddad@rapport.example", Name: "Noor Haddad", Role: "support"},
	{Email: "tomas.silva@rapport.example", Name: "Tomás Silva", Role: "support"},
}

var demoIssues = []struct{ subject, text, answer, priority string }{
	{"Cannot sign in since this morning", "Hello, none of us can sign in since 8 o'clock. Is something down?", "We found the cause and fixed it; please try again.", "urgent"},
	{"Invoice shows the wrong VAT", "Our last invoice has 19 % VAT but we are VAT-exempt. Could you correct it?", "Thank you, a corrected invoice is on its way.", "normal"},
	{"How do I export my contacts?", "Is there a way to export all our contacts to a spreadsheet?", "Yes: open Contacts and choose Export, as CSV or vCard.", "low"},
	{"Import stops at row 2000", "Our CSV import always stops at row 2000 with an error.", "Row 2001 has an address in the email column; fixing it lets the import finish.", "high"},
	{"Request: dark mode", "Would it be possible to have a dark theme?", "It is there already: Account → Theme → Dark.", "low"},
	{"Emails to customers bounce", "Since yesterday our emails to two customers bounce.", "Their addresses changed; the bounce marks are on the contacts.", "high"},
}

// seedTickets gives the demo a helpdesk: two agents, a support queue that
// gives tickets out in turn and a billing queue, two SLA policies over
// Berlin office hours, and tickets from the past weeks with their
// conversations — solved, waiting on the customer, open, and a few new
// urgent ones whose clock is running.
func seedTickets(ctx context.Context, sys *System, p access.Principal, g *generator, clock *DemoClock, end time.Time, stdout io.Writer) error {
	eng := sys.Records
	var agents []string
	for _, n := range demoAgents {
		u, err := sys.Auth.UserByEmail(ctx, p.WorkspaceID, n.Email)
		if fault.KindOf(err) == fault.KindNotFound {
			n.Password = rand.Text()
			if u, err = sys.Auth.CreateUser(ctx, access.System(p.WorkspaceID), p.WorkspaceID, n); err != nil {
				return fmt.Errorf("demo agent: %w", err)
			}
		} else if err != nil {
			return err
		}
		agents = append(agents, u.ID)
	}
	sys0 := access.System(p.WorkspaceID)
	for _, q := range []map[string]any{{"name": "support", "members": agents, "assignment": "round_robin"}, {"name": "billing", "members": agents[:1], "assignment": "manual"}} {
		if _, err := eng.Create(ctx, sys0, tickets.Queues, q); err != nil && fault.KindOf(err) != fault.KindConflict {
			return fmt.Errorf("demo queue: %w", err)
		}
	}
	for _, pol := range []map[string]any{
		{"name": "Urgent", "condition": `priority = "urgent" OR priority = "high"`, "rank": 1, "first_response_minutes": 60, "resolution_minutes": 480, "time_zone": "Europe/Berlin", "hours": "Mon-Fri 09:00-17:00"},
		{"name": "Standard", "rank": 10, "first_response_minutes": 480, "resolution_minutes": 2400, "time_zone": "Europe/Berlin", "hours": "Mon-Fri 09:00-17:00"},
	} {
		if _, err := eng.Create(ctx, sys0, tickets.Policies, pol); err != nil {
			return fmt.Errorf("demo SLA policy: %w", err)
		}
	}
	people, err := eng.List(ctx, p, "contacts", records.Query{Filter: "email:*", OrderBy: "created_at desc", PageSize: 40})
	if err != nil {
		return err
	}
	n, solved := 0, 0
	for i, c := range people.Data {
		if i%2 == 1 {
			continue
		}
		issue := demoIssues[n%len(demoIssues)]
		queue := "support"
		if issue.subject == "Invoice shows the wrong VAT" {
			queue = "billing"
		}
		opened := end.Add(-time.Duration(1+g.r.IntN(20*24)) * time.Hour)
		if n < 2 { // the newest: urgent, the clock running
			opened = end.Add(-time.Duration(20+g.r.IntN(90)) * time.Minute)
		}
		clock.set(opened)
		t, err := eng.Create(ctx, sys0, tickets.Object, map[string]any{"subject": issue.subject, "contact_id": c.ID(), "queue": queue, "channel": "email", "priority": issue.priority})
		if err != nil {
			return fmt.Errorf("demo ticket: %w", err)
		}
		if err := sys.Tickets.Record(ctx, p.WorkspaceID, tickets.Message{TicketID: t.ID(), AuthorContact: c.ID(), Body: issue.text, CreatedAt: opened}); err != nil {
			return err
		}
		n++
		if n <= 2 {
			continue // new, unanswered
		}
		agent := agents[n%len(agents)]
		answered := opened.Add(time.Duration(20+g.r.IntN(300)) * time.Minute)
		if answered.After(end) {
			continue
		}
		clock.set(answered)
		status := []string{"solved", "pending", "open", "solved"}[n%4]
		if err := sys.Tickets.Record(ctx, p.WorkspaceID, tickets.Message{TicketID: t.ID(), AuthorUser: agent, Body: issue.answer, CreatedAt: answered}); err != nil {
			return err
		}
		if _, err := eng.Update(ctx, access.Principal{WorkspaceID: p.WorkspaceID, UserID: agent, Role: access.Support}, tickets.Object, t.ID(),
			map[string]any{"status": status, "assignee_id": agent}, nil); err != nil {
			return fmt.Errorf("demo ticket answer: %w", err)
		}
		if status == "solved" {
			solved++
		}
	}
	// The newest requester wrote twice about the same thing; the second
	// ticket went into the first.
	if first, err := eng.List(ctx, sys0, tickets.Object, records.Query{OrderBy: "number", PageSize: 1}); err == nil && len(first.Data) == 1 {
		orig := first.Data[0]
		clock.set(end.Add(-10 * time.Minute))
		dup, err := eng.Create(ctx, sys0, tickets.Object, map[string]any{"subject": fmt.Sprint(orig["subject"]) + " (again)", "contact_id": orig["contact_id"], "channel": "email", "priority": orig["priority"]})
		if err != nil {
			return fmt.Errorf("demo duplicate ticket: %w", err)
		}
		if err := sys.Tickets.Record(ctx, p.WorkspaceID, tickets.Message{TicketID: dup.ID(), AuthorContact: fmt.Sprint(orig["contact_id"]), Body: "Writing again in case my first mail got lost.", CreatedAt: end.Add(-10 * time.Minute)}); err != nil {
			return err
		}
		if _, err := eng.Merge(ctx, access.Principal{WorkspaceID: p.WorkspaceID, UserID: agents[0], Role: access.Support}, tickets.Object, orig.ID(), []string{dup.ID()}, nil); err != nil {
			return fmt.Errorf("demo merge: %w", err)
		}
	}
	clock.set(time.Time{})
	fmt.Fprintf(stdout, "demo: created %d tickets (%d solved, 1 merged into another) in 2 queues, with 2 SLA policies and 2 agents\n", n, solved)
	return nil
}
