package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/records"
)

// demoTemplates are the demo's email templates: merge fields with
// fallbacks, a signature, CSS to inline.
var demoTemplates = []map[string]any{
	{"name": "Introduction", "subject": "{{company.name | \"Your team\"}} and Rapport",
		"body_html": "<style>p { line-height: 1.5 }</style><p>Hello {{contact.first_name | \"there\"}},</p><p>thank you for your interest. I would be glad to show " +
			"you how teams like yours keep sales, marketing and service on one record.</p><p>Would a short call this week suit you?</p><p>{{user.signature}}</p>"},
	{"name": "Proposal follow-up", "subject": "Re: {{deal.name}}",
		"body_html": "<p>Hello {{contact.first_name | \"there\"}},</p><p>I wanted to check whether the proposal for <b>{{deal.name}}</b> answers your questions. " +
			"Happy to walk your team through it.</p><p>{{user.signature}}</p>"},
}

var demoOpenings = []string{"Thank you for the call today.", "As promised, here is a summary of where we are.", "Following up on our meeting last week.",
	"I have put together the figures you asked for."}

var demoAnswers = []string{"Thanks, that looks good. Let us talk on Thursday.", "Could you send the security documentation as well?",
	"We need a few more days to decide internally.", "Great, I have forwarded it to our CFO.", "Can we move the start date to next quarter?"}

// seedEmails gives the demo its mail: two templates, and for the open
// deals a conversation with their first contact — an email from the
// deal's owner, often an answer threaded under it, sometimes the owner's
// reply — on the timelines of the deal and the contact. It is history:
// nothing is sent.
func seedEmails(ctx context.Context, sys *System, p access.Principal, g *generator, clock *DemoClock, end time.Time, stdout io.Writer) error {
	eng := sys.Records
	for _, t := range demoTemplates {
		if _, err := eng.Create(ctx, p, email.Templates, t); err != nil {
			return fmt.Errorf("demo template: %w", err)
		}
	}
	page, err := eng.List(ctx, p, deals.Object, records.Query{Filter: `status = "open"`, PageSize: 60})
	if err != nil {
		return fmt.Errorf("demo mail: %w", err)
	}
	var ids []string
	for _, d := range page.Data {
		if c, _ := d["contact_ids"].([]string); len(c) > 0 {
			ids = append(ids, c[0])
		}
	}
	people, err := eng.GetMany(ctx, p, "contacts", ids)
	if err != nil {
		return err
	}
	sent, received := 0, 0
	for _, deal := range page.Data {
		cs, _ := deal["contact_ids"].([]string)
		if len(cs) == 0 {
			continue
		}
		c, ok := people[cs[0]]
		addr, _ := c["email"].(string)
		if !ok || addr == "" {
			continue
		}
		owner, err := sys.Auth.User(ctx, p.WorkspaceID, deal.Owner())
		if err != nil {
			continue
		}
		name := strings.TrimSpace(fmt.Sprint(c["first_name"]))
		related := []any{map[string]any{"object": deals.Object, "id": deal.ID()}, map[string]any{"object": "contacts", "id": c.ID()}}
		if company, ok := c["company_id"].(string); ok {
			related = append(related, map[string]any{"object": "companies", "id": company})
		}
		from := fmt.Sprintf("%s <%s>", owner.Name, owner.Email)
		them := fmt.Sprintf("%s <%s>", strings.TrimSpace(name+" "+fmt.Sprint(c["last_name"])), addr)
		at := end.AddDate(0, 0, -2-g.r.IntN(20)).Add(-time.Duration(g.r.IntN(8)) * time.Hour)
		subject := fmt.Sprintf("%s: next steps", deal["name"])
		body := fmt.Sprintf("Hello %s,\n\n%s The next step for %s is a short review with your team.\n\nBest regards,\n%s", name, g.pick(demoOpenings), deal["name"], owner.Name)
		write := func(when time.Time, actor string, in map[string]any) (records.Record, error) {
			if latest := end.Add(-time.Minute); when.After(latest) {
				when = latest
			}
			clock.set(when)
			in["sent_at"] = when.Format(time.RFC3339)
			in["related"] = related
			return sys.Email.Log(ctx, p.WorkspaceID, actor, in)
		}
		first, err := write(at, owner.ID, map[string]any{"direction": "out", "status": "sent", "from": from, "to": []any{addr}, "subject": subject,
			"body_html": email.HTML(body), "body_text": body, "message_id": "<" + uuid.NewString() + "@rapport.example>", "owner_id": owner.ID})
		if err != nil {
			return fmt.Errorf("demo mail: %w", err)
		}
		sent++
		if g.r.IntN(5) < 2 {
			continue // no answer yet
		}
		answer := fmt.Sprintf("Hi %s,\n\n%s\n\n%s", strings.Fields(owner.Name)[0], g.pick(demoAnswers), name)
		answered := at.Add(time.Duration(3+g.r.IntN(40)) * time.Hour)
		reply, err := write(answered, "", map[string]any{"direction": "in", "status": "received", "from": them, "to": []any{owner.Email},
			"subject": "Re: " + subject, "body_html": email.HTML(answer), "body_text": answer, "message_id": "<" + uuid.NewString() + "@mail.example.com>",
			"in_reply_to": first.ID(), "reference_ids": []any{first["message_id"]}})
		if err != nil {
			return fmt.Errorf("demo mail: %w", err)
		}
		received++
		if g.r.IntN(2) == 0 {
			continue
		}
		back := fmt.Sprintf("Hello %s,\n\nthank you, noted. I will come back to you shortly.\n\n%s", name, owner.Name)
		if _, err := write(answered.Add(time.Duration(1+g.r.IntN(20))*time.Hour), owner.ID, map[string]any{"direction": "out", "status": "sent",
			"from": from, "to": []any{addr}, "subject": "Re: " + subject, "body_html": email.HTML(back), "body_text": back,
			"message_id": "<" + uuid.NewString() + "@rapport.example>", "in_reply_to": reply.ID(), "reference_ids": []any{first["message_id"], reply["message_id"]},
			"owner_id": owner.ID}); err != nil {
			return fmt.Errorf("demo mail: %w", err)
		}
		sent++
	}
	clock.set(time.Time{})
	fmt.Fprintf(stdout, "demo: logged %d emails sent and %d received, in their conversations, and %d templates\n", sent, received, len(demoTemplates))
	return nil
}
