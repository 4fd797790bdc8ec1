package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/records"
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
	sys := Build(db, Config{}, newLogger(io.Discard), time.Now)
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
	return SeedDemo(ctx, sys.Records, p, contacts, stdout)
}

// SeedDemo fills a workspace through the record engine, so that every
// record has its events and timeline like one made by a person.
func SeedDemo(ctx context.Context, eng *records.Engine, p access.Principal, contacts int, stdout io.Writer) error {
	g := newGenerator(uint64(time.Now().UnixNano()))
	nCompanies := max(1, contacts/8)
	type co struct{ id, domain string }
	var companies []co
	for i := 0; i < nCompanies; i++ {
		rec, err := eng.Create(ctx, p, "companies", g.company(i))
		if err != nil {
			return fmt.Errorf("demo company: %w", err)
		}
		companies = append(companies, co{rec.ID(), rec["domain"].(string)})
	}
	start := time.Now()
	for i := 0; i < contacts; i++ {
		c := companies[g.r.IntN(len(companies))]
		if g.r.IntN(6) == 0 {
			c = co{}
		}
		rec, err := eng.Create(ctx, p, "contacts", g.contact(int(start.Unix()%100000)*1000+i, c.id, c.domain))
		if err != nil {
			return fmt.Errorf("demo contact: %w", err)
		}
		if i%7 == 0 {
			if _, err := eng.Update(ctx, p, "contacts", rec.ID(), map[string]any{"lifecycle_stage": "customer"}, nil); err != nil {
				return fmt.Errorf("demo update: %w", err)
			}
		}
	}
	fmt.Fprintf(stdout, "demo: created %d companies and %d contacts\n", nCompanies, contacts)
	return nil
}
