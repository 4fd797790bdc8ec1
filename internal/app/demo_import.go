package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/imports"
	"github.com/rapport-crm/rapport/internal/records"
)

// demoLeads are the new people of the demo's import: a list from a trade
// show, with companies the workspace does not know yet.
var demoLeads = [][3]string{
	{"Lena", "Fischer", "Nordlicht Logistik GmbH"}, {"Tomás", "Ruiz", "Blue Harbor Ltd"}, {"Ingrid", "Dahl", "Fjordvik AS"},
	{"Kenji", "Sato", "Sakura Components"}, {"Amélie", "Laurent", "Maison Laurent SARL"}, {"Piotr", "Wiśniewski", "Wisła Trade"},
	{"Chloe", "Bennett", "Blue Harbor Ltd"}, {"Jonas", "Weber", "Nordlicht Logistik GmbH"}, {"Aisha", "Okafor", "Lagos Digital"},
	{"Mateo", "Rossi", "Officine Rossi"}, {"Sofia", "Lindqvist", "Fjordvik AS"}, {"Noah", "Keller", "Keller & Söhne"},
}

// demoImport imports a trade-show list as a user would: new people with
// their companies, some the workspace knows already (by email: they are
// updated), and two rows that fail with their reasons, so that the
// imports page, an import's counts, its failed rows and its undo have
// something to show. It creates n contacts.
func demoImport(ctx context.Context, sys *System, p access.Principal, n int) (*imports.Import, error) {
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Company Name,Job Title,Lifecycle Stage\n")
	for i := range n {
		l := demoLeads[i%len(demoLeads)]
		email := strings.ToLower(fmt.Sprintf("%s.%s.%d@leads.example", l[0], l[1], i))
		fmt.Fprintf(&b, "%s,%s,%s,%s,Buyer,lead\n", l[0], l[1], email, l[2])
	}
	known, err := sys.Records.List(ctx, p, "contacts", records.Query{PageSize: 20})
	if err != nil {
		return nil, err
	}
	updates := 0
	for _, rec := range known.Data {
		if email, _ := rec["email"].(string); email != "" && updates < 3 {
			fmt.Fprintf(&b, "%s,%s,%s,,Head of Purchasing,\n", rec["first_name"], rec["last_name"], email)
			updates++
		}
	}
	b.WriteString("Max,Mustermann,max.mustermann@,Muster AG,Buyer,lead\n")
	b.WriteString("Erika,Musterfrau,erika@muster.example,Muster AG,Buyer,hot\n")
	im, err := sys.Imports.Submit(ctx, p, "contacts", "trade-show-leads.csv", []byte(b.String()), exchange.Options{Dedupe: "email"})
	if err != nil {
		return nil, err
	}
	for range 10000 { // the job, and whatever is due before it (reminders, SLA clocks, mail)
		if im, err = sys.Imports.Get(ctx, p, im.ID); err != nil || im.Status == "done" || im.Status == "failed" {
			return im, err
		}
		ran, err := sys.Jobs.RunOne(ctx)
		if err != nil {
			return nil, err
		}
		if !ran {
			break
		}
	}
	return im, fmt.Errorf("demo import %s did not finish", im.ID)
}
