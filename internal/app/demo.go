package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
)

func demo(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var c common
	var contacts int
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	c.register(fs)
	fs.IntVar(&contacts, "contacts", 200, "how many contacts")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("demo takes no arguments")
	}
	if contacts < 1 || contacts > 100000 {
		return usagef("--contacts must be 1 to 100000 (use rapport bench for more)")
	}
	c.resolve(getenv)
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	clock := &DemoClock{}
	sys := Build(db, Config{}, newLogger(io.Discard), clock.Now)
	ws, err := sys.Auth.DefaultWorkspace(ctx)
	if err != nil {
		return err
	}
	p := access.System(ws.ID)
	if u, err := sys.Auth.UserByEmail(ctx, ws.ID, "demo.sales@rapport.example"); err == nil {
		p.UserID = u.ID
	} else {
		u, err := sys.Auth.CreateUser(ctx, p, ws.ID, auth.NewUser{Email: "demo.sales@rapport.example", Name: "Dana Demo", Role: "sales", Password: "demo-password-" + strconv.Itoa(int(time.Now().Unix()))})
		if err != nil {
			return err
		}
		p.UserID = u.ID
	}
	return SeedDemo(ctx, sys, p, contacts, stdout, clock)
}

// DemoClock is the time the demo's writes happen at. The demo moves it
// through the past two years, so that records and their timelines look
// lived in; unset, it is the real time.
type DemoClock struct {
	mu sync.Mutex
	at time.Time
}

// Now is the clock's time.
func (c *DemoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// Set stops the clock at t (the zero time lets it run again): the demo
// seeder dates its history this way, and tests measure time in stages.
func (c *DemoClock) Set(t time.Time) { c.set(t) }

func (c *DemoClock) set(t time.Time) {
	if c != nil {
		c.mu.Lock()
		c.at = t
		c.mu.Unlock()
	}
}

// demoFields are the custom fields a demo workspace shows off.
var demoFields = map[string][]schema.NewField{
	"companies": {
		{Name: "tier", Label: "Tier", Kind: schema.Select, Options: []string{"gold", "silver", "bronze"}, Indexed: true},
		{Name: "renewal_date", Label: "Renewal date", Kind: schema.Date},
	},
	"contacts": {
		{Name: "preferred_language", Label: "Preferred language", Kind: schema.Select, Options: []string{"English", "Deutsch", "Français", "Español"}},
		{Name: "linkedin", Label: "LinkedIn", Kind: schema.URL},
		{Name: "interests", Label: "Interests", Kind: schema.MultiSelect, Options: []string{"analytics", "automation", "integrations", "mobile", "security"}},
	},
}

// stageOrder is the funnel a contact moves down over time.
var stageOrder = []string{"subscriber", "lead", "mql", "sql", "opportunity", "customer", "evangelist"}

// SeedDemo fills a workspace through the record engine, so that every
// record has its events and timeline like one made by a person. With a
// clock (the one the system was built with), companies appear over the
// first year of the past two, contacts over both, and many contacts move
// down the funnel, change jobs or get tags later on, with calls, meetings,
// notes and emails logged along the way.
func SeedDemo(ctx context.Context, sys *System, p access.Principal, contacts int, stdout io.Writer, clock *DemoClock) error {
	eng := sys.Records
	for object, fields := range demoFields {
		for _, nf := range fields {
			if _, err := sys.Schemas.AddField(ctx, p.WorkspaceID, object, nf); err != nil && fault.KindOf(err) != fault.KindInvalid && fault.KindOf(err) != fault.KindConflict {
				return fmt.Errorf("demo field %s.%s: %w", object, nf.Name, err)
			}
		}
	}
	g := newGenerator(uint64(time.Now().UnixNano()))
	end := time.Now().UTC()
	start := end.AddDate(-2, 0, 0)
	span := end.Sub(start)
	at := func(from time.Time, upTo time.Duration) time.Time {
		return from.Add(time.Duration(g.r.Int64N(int64(upTo))))
	}
	times := func(n int, from time.Time, upTo time.Duration) []time.Time {
		out := make([]time.Time, n)
		for i := range out {
			out[i] = at(from, upTo)
		}
		slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
		return out
	}
	nCompanies := max(1, contacts/8)
	type co struct {
		id, domain string
		since      time.Time
	}
	var companies []co
	var buyers []demoDeal
	people := map[string][]string{} // company id → its contacts
	for _, t := range times(nCompanies, start, span/2) {
		clock.set(t)
		in := g.company()
		in["tier"] = g.pick([]string{"gold", "silver", "silver", "bronze", "bronze", "bronze"})
		in["renewal_date"] = end.AddDate(0, g.r.IntN(18)-3, g.r.IntN(28)).Format("2006-01-02")
		rec, err := eng.Create(ctx, p, "companies", in)
		if err != nil {
			return fmt.Errorf("demo company: %w", err)
		}
		companies = append(companies, co{rec.ID(), rec["domain"].(string), t})
		buyers = append(buyers, demoDeal{company: rec.ID(), name: rec["name"].(string), since: t})
	}
	updates, activities := 0, 0
	imported := min(len(demoLeads), contacts/4) // the rest come in by an import, now
	for _, t := range times(contacts-imported, start.Add(span/24), span-span/24) {
		c := companies[g.r.IntN(len(companies))]
		if g.r.IntN(6) == 0 || c.since.After(t) {
			c = co{}
		}
		in := g.contact(c.id, c.domain)
		in["preferred_language"] = g.pick([]string{"English", "English", "Deutsch", "Deutsch", "Français", "Español"})
		if g.r.IntN(3) == 0 {
			in["linkedin"] = "https://www.linkedin.com/in/" + slug(in["first_name"].(string)+in["last_name"].(string))
		}
		if g.r.IntN(2) == 0 {
			in["interests"] = []string{g.pick(demoFields["contacts"][2].Options)}
		}
		// Created further up the funnel than it is today; the steps down
		// come later, each its own update on the timeline.
		final := in["lifecycle_stage"].(string)
		steps := stageSteps(g, final)
		in["lifecycle_stage"] = steps[0]
		clock.set(t)
		rec, err := g.create(ctx, eng, p, in)
		if err != nil {
			return fmt.Errorf("demo contact: %w", err)
		}
		if c.id != "" {
			people[c.id] = append(people[c.id], rec.ID())
		}
		when := t
		for _, stage := range steps[1:] {
			when = at(when, max(end.Sub(when)/3, time.Minute))
			clock.set(when)
			if _, err := eng.Update(ctx, p, "contacts", rec.ID(), map[string]any{"lifecycle_stage": stage}, nil); err != nil {
				return fmt.Errorf("demo update: %w", err)
			}
			updates++
		}
		// Calls, meetings, notes and emails over the contact's life.
		acts := g.r.IntN(4)
		if g.r.IntN(3) == 0 {
			acts = 0
		}
		for range acts {
			a := demoActivities[g.r.IntN(len(demoActivities))]
			happened := at(t, max(end.Sub(t), time.Minute))
			clock.set(happened)
			if _, err := eng.Create(ctx, p, "activities", map[string]any{
				"kind": a.kind, "subject": a.subject, "body": a.body, "occurred_at": happened.Format(time.RFC3339),
				"related": []any{map[string]any{"object": "contacts", "id": rec.ID()}},
			}); err != nil {
				return fmt.Errorf("demo activity: %w", err)
			}
			activities++
		}
		if g.r.IntN(8) == 0 {
			clock.set(at(when, max(end.Sub(when), time.Minute)))
			change := map[string]any{"title": g.pick(titles)}
			if g.r.IntN(2) == 0 {
				change = map[string]any{"tags": []string{g.pick([]string{"vip", "newsletter", "champion", "churn-risk"}), "event-2026"}}
			}
			if _, err := eng.Update(ctx, p, "contacts", rec.ID(), change, nil); err != nil {
				return fmt.Errorf("demo update: %w", err)
			}
			updates++
		}
	}
	clock.set(time.Time{})
	fmt.Fprintf(stdout, "demo: created %d companies and %d contacts, with %d later changes and %d activities over two years\n", nCompanies, contacts, updates, activities)
	for i := range buyers {
		buyers[i].contacts = people[buyers[i].company]
	}
	if err := seedDeals(ctx, sys, p, g, clock, buyers, end, stdout); err != nil {
		return err
	}
	if err := seedQuotes(ctx, sys, p, g, clock, end, stdout); err != nil {
		return err
	}
	if err := seedTasks(ctx, sys, p, g, clock, end, stdout); err != nil {
		return err
	}
	if err := seedEmails(ctx, sys, p, g, clock, end, stdout); err != nil {
		return err
	}
	if err := seedTickets(ctx, sys, p, g, clock, end, stdout); err != nil {
		return err
	}
	if err := seedReports(ctx, sys, p, stdout); err != nil {
		return err
	}
	if imported == 0 {
		return nil
	}
	im, err := demoImport(ctx, sys, p, imported)
	if err != nil {
		return fmt.Errorf("demo import: %w", err)
	}
	fmt.Fprintf(stdout, "demo: imported %s: created %d, updated %d, failed %d\n", im.Filename, im.Created, im.Updated, im.Failed)
	return nil
}

// stageSteps is the path to a final lifecycle stage: where the contact
// started and each stage after it.
func stageSteps(g *generator, final string) []string {
	i := slices.Index(stageOrder, final)
	if i < 0 {
		return []string{final}
	}
	from := max(0, i-g.r.IntN(3))
	return stageOrder[from : i+1]
}
