package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// demoDeal is a company the demo sells to, with its people.
type demoDeal struct {
	company  string
	name     string
	contacts []string
	since    time.Time
}

var (
	demoProducts    = []string{"Platform licence", "Renewal", "Expansion", "Onboarding package", "Support plan", "Pilot"}
	demoLostReasons = []string{"Budget cut", "Chose a competitor", "No decision", "Timing: next fiscal year", "Too expensive"}
)

// demoSellers are the demo's sales team besides the user it runs as.
var demoSellers = []auth.NewUser{
	{Email: "sam.okafor@rapport.example", Name: "Sam Okafor", Role: "sales"},
	{Email: "lena.berg@rapport.example", Name: "Lena Berg", Role: "manager"},
}

// demoTeam gives the demo workspace its sales team (once) and returns the
// ids of the users deals belong to: p's and the team's.
func demoTeam(ctx context.Context, sys *System, p access.Principal) ([]string, error) {
	var ids []string
	if p.UserID != "" {
		ids = append(ids, p.UserID)
	}
	for _, n := range demoSellers {
		u, err := sys.Auth.UserByEmail(ctx, p.WorkspaceID, n.Email)
		if fault.KindOf(err) == fault.KindNotFound {
			n.Password = rand.Text()
			if u, err = sys.Auth.CreateUser(ctx, access.System(p.WorkspaceID), p.WorkspaceID, n); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", n.Email, err)
			}
		} else if err != nil {
			return nil, err
		}
		if access.CanAssign(p, u.ID) == nil { // the demo run as a sales rep keeps its deals
			ids = append(ids, u.ID)
		}
	}
	return ids, nil
}

// seedDeals gives the demo a year of selling: deals opened with the
// companies' people, each moved stage by stage at its own pace (so that
// every move is a deal_stage event with its time in the stage before),
// about a quarter won, a fifth lost with a reason, the rest open with a
// close date ahead; and a second pipeline for partnerships.
func seedDeals(ctx context.Context, sys *System, p access.Principal, g *generator, clock *DemoClock, buyers []demoDeal, end time.Time, stdout io.Writer) error {
	eng := sys.Records
	start := end.AddDate(-1, 0, 0)
	clock.set(end) // after the workspace's Sales pipeline, which stays the first
	partners, err := eng.Create(ctx, access.System(p.WorkspaceID), deals.Pipelines, map[string]any{"name": "Partnerships", "stages": []any{
		map[string]any{"name": "Intro call", "probability": 15},
		map[string]any{"name": "Joint plan", "probability": 50},
		map[string]any{"name": "Contract", "probability": 80},
		map[string]any{"name": "Signed", "probability": 100, "kind": "won"},
		map[string]any{"name": "Dropped", "probability": 0, "kind": "lost"},
	}})
	if err != nil {
		return fmt.Errorf("demo pipeline: %w", err)
	}
	page, err := eng.List(ctx, p, deals.Pipelines, records.Query{OrderBy: "created_at", PageSize: 1})
	if err != nil || len(page.Data) == 0 {
		return fmt.Errorf("demo: no sales pipeline: %v", err)
	}
	pipelines := []records.Record{page.Data[0], partners}
	team, err := demoTeam(ctx, sys, p)
	if err != nil {
		return err
	}
	n, won, lost := 0, 0, 0
	for _, b := range buyers {
		if len(b.contacts) == 0 || n > 0 && g.r.IntN(3) == 0 {
			continue
		}
		pl := pipelines[0]
		if g.r.IntN(6) == 0 {
			pl = pipelines[1]
		}
		stages := deals.StagesOf(pl)
		var open []deals.Stage
		var wonStage, lostStage deals.Stage
		for _, st := range stages {
			switch st.Kind {
			case "open":
				open = append(open, st)
			case "won":
				wonStage = st
			case "lost":
				lostStage = st
			}
		}
		from := b.since
		if from.Before(start) {
			from = start
		}
		opened := from.Add(time.Duration(g.r.Int64N(int64(end.Sub(from)) * 3 / 4)))
		clock.set(opened)
		amount := (2 + g.r.IntN(118)) * 1000
		if g.r.IntN(4) == 0 {
			amount += 500
		}
		currency := "EUR"
		if g.r.IntN(5) == 0 {
			currency = "USD"
		}
		people := []string{b.contacts[0]}
		if len(b.contacts) > 1 && g.r.IntN(2) == 0 {
			people = append(people, b.contacts[1])
		}
		// Where the deal ends: won, lost, or still open somewhere, and then
		// expected to close in the coming months.
		outcome := g.r.IntN(20)
		last := g.r.IntN(len(open))
		closes := opened.AddDate(0, 1+g.r.IntN(5), 0)
		if outcome >= 9 {
			closes = end.AddDate(0, 0, 7+g.r.IntN(180))
		}
		rec, err := eng.Create(ctx, p, deals.Object, map[string]any{
			"name": b.name + " – " + g.pick(demoProducts), "amount": strconv.Itoa(amount) + ".00", "currency": currency,
			"pipeline_id": pl.ID(), "stage_id": open[0].ID, "company_id": b.company, "contact_ids": people,
			"close_date": closes.Format("2006-01-02"), "owner_id": team[g.r.IntN(len(team))],
		})
		if err != nil {
			return fmt.Errorf("demo deal: %w", err)
		}
		n++
		var path []deals.Stage
		switch {
		case outcome < 5:
			path = append(slices.Clone(open[1:]), wonStage)
		case outcome < 9:
			path = append(slices.Clone(open[1:1+last]), lostStage)
		default:
			path = open[1 : 1+last]
		}
		when := opened
		for _, st := range path {
			when = when.Add(time.Duration(1+g.r.IntN(21))*24*time.Hour + time.Duration(g.r.IntN(8))*time.Hour)
			if when.After(end) {
				break
			}
			clock.set(when)
			in := map[string]any{"stage_id": st.ID}
			switch st.Kind {
			case "lost":
				in["lost_reason"] = g.pick(demoLostReasons)
				lost++
			case "won":
				in["close_date"] = when.Format("2006-01-02")
				won++
			}
			if _, err := eng.Update(ctx, p, deals.Object, rec.ID(), in, nil); err != nil {
				return fmt.Errorf("demo deal move: %w", err)
			}
		}
	}
	clock.set(time.Time{})
	fmt.Fprintf(stdout, "demo: created %d deals in 2 pipelines (%d won, %d lost)\n", n, won, lost)
	return nil
}
