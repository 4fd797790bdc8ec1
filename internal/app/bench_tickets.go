package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/tickets"
)

// benchTickets seeds n tickets over 20 agents (a third still open), then
// measures an agent's "my open tickets" (the API's page and the web
// list), and the rate at which mail to support@ is filed into new
// tickets.
func benchTickets(ctx context.Context, sys *System, p access.Principal, n, mails int, measure func(string, []string) ([]string, error), logf func(string, ...any)) ([][]string, error) {
	sys0 := access.System(p.WorkspaceID)
	var agents []string
	for i := range 20 {
		u, err := sys.Auth.CreateUser(ctx, sys0, p.WorkspaceID, auth.NewUser{Email: fmt.Sprintf("agent%d@rapport.example", i), Name: fmt.Sprintf("Agent %d", i), Role: "support", Password: rand.Text()})
		if err != nil {
			return nil, err
		}
		agents = append(agents, u.ID)
	}
	if _, err := sys.Records.Create(ctx, sys0, tickets.Policies, map[string]any{"name": "Standard", "first_response_minutes": 480, "resolution_minutes": 2400,
		"time_zone": "Europe/Berlin", "hours": "Mon-Fri 09:00-17:00"}); err != nil {
		return nil, err
	}
	people, err := sys.Records.List(ctx, p, "contacts", records.Query{Filter: "email:*", PageSize: 500})
	if err != nil || len(people.Data) == 0 {
		return nil, fmt.Errorf("bench tickets: no contacts with addresses: %v", err)
	}
	statuses := []string{"new", "open", "pending", "solved", "closed", "closed", "solved", "closed", "solved"}
	g := newGenerator(11)
	start := time.Now()
	const batchSize = 5000
	for from := 0; from < n; from += batchSize {
		batch := make([]map[string]any, 0, batchSize)
		for i := from; i < min(from+batchSize, n); i++ {
			batch = append(batch, map[string]any{"subject": "Bench request " + strconv.Itoa(i), "status": statuses[g.r.IntN(len(statuses))],
				"priority": []string{"low", "normal", "normal", "high"}[g.r.IntN(4)], "assignee_id": agents[i%len(agents)],
				"contact_id": people.Data[g.r.IntN(len(people.Data))].ID(), "channel": "email"})
		}
		if _, err := sys.Records.CreateMany(ctx, sys0, tickets.Object, batch); err != nil {
			return nil, fmt.Errorf("seed tickets: %w", err)
		}
		if done := from + len(batch); done%100000 == 0 || done == n {
			el := time.Since(start)
			logf("seeded %d tickets in %s (%.0f rows/s)", done, el.Round(time.Second), float64(done)/el.Seconds())
		}
	}
	seedRate := float64(n) / time.Since(start).Seconds()
	if err := sys.DB.SearchMerged(ctx); err != nil {
		return nil, err
	}
	if _, err := sys.DB.Writer().ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, err
	}
	rows := [][]string{{fmt.Sprintf("bulk seed of %d tickets over 20 agents (5,000 per transaction: number, SLA policy and due times, events)", n), fmt.Sprintf("%.0f rows/s", seedRate), "", ""}}
	var api, web []string
	for _, a := range agents {
		mine := `assignee_id = "` + a + `" AND (status = "new" OR status = "open" OR status = "pending")`
		api = append(api, "/api/v1/tickets?"+url.Values{"filter": {mine}, "order_by": {"updated_at desc"}, "page_size": {"50"}}.Encode())
		web = append(web, "/tickets?"+url.Values{"filter": {mine}, "order_by": {"updated_at desc"}}.Encode())
	}
	r, err := measure(fmt.Sprintf("my open tickets: an agent's first page of 50 (of ~%d), newest change first", n/3/20), api)
	if err != nil {
		return nil, err
	}
	rows = append(rows, r)
	if r, err = measure("web: the same as a page (with requesters, and the count)", web); err != nil {
		return nil, err
	}
	rows = append(rows, r)

	// Mail to support@, each from a known contact: a new ticket each.
	for from := 0; from < mails; from += 1000 {
		err := sys.Records.Tx(ctx, func(tx *sql.Tx) error {
			for i := from; i < min(from+1000, mails); i++ {
				c := people.Data[i%len(people.Data)]
				raw := fmt.Sprintf("From: Customer %d <%s>\r\nTo: support@rapport.example\r\nSubject: Help with order %d\r\nMessage-ID: <support-%d-%s@mail.example.com>\r\n"+
					"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello, my order %d has not arrived yet. Could you check?\r\n", i, c["email"], i, i, uuid.NewString()[:8], i)
				if err := sys.Email.Keep(ctx, tx, email.Inbound{WorkspaceID: p.WorkspaceID, From: fmt.Sprint(c["email"]), To: "support@rapport.example", Raw: []byte(raw)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	before, err := sys.Records.List(ctx, sys0, tickets.Object, records.Query{PageSize: 1, Count: true})
	if err != nil {
		return nil, err
	}
	fstart := time.Now()
	if err := drainJobs(ctx, sys.Jobs, 4); err != nil {
		return nil, err
	}
	rate := float64(mails) / time.Since(fstart).Seconds()
	after, err := sys.Records.List(ctx, sys0, tickets.Object, records.Query{PageSize: 1, Count: true})
	if err != nil {
		return nil, err
	}
	if *after.Total-*before.Total != int64(mails) {
		return nil, fmt.Errorf("bench tickets: %d of %d support mails opened tickets", *after.Total-*before.Total, mails)
	}
	logf("tickets: %d support mails filed into new tickets at %.0f msg/s", mails, rate)
	rows = append(rows, []string{fmt.Sprintf("file %d mails to support@ into new tickets (parse, requester, ticket with its number and SLA, message, email, events; 4 workers)", mails), fmt.Sprintf("%.0f msg/s", rate), "", ""})
	return rows, nil
}
