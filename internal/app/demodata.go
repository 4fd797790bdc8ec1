package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// Realistic demo data: names, companies and jobs drawn from small lists
// with a seeded generator, so that runs are repeatable.
var (
	firstNames = strings.Fields(`Ada Alan Grace Linus Margaret Tim Barbara Ken Dennis Frances Edsger Donald Radia Leslie Katherine Guido
		John Hedy Annie Sophie Lukas Emma Mia Noah Léa Jonas Zoë Mateo Aiko Chen Priya Olusegun Fatima Ingrid Søren Łukasz Maja Jürgen
		Camille Hugo Isabel Diego Yara Omar Nina Paul Clara Felix Hannah Elif Mehmet Sara Tomás Anouk Bram Freya Oskar Ines Rafael`)
	lastNames = strings.Fields(`Lovelace Turing Hopper Torvalds Hamilton Berners-Lee Liskov Thompson Ritchie Allen Dijkstra Knuth Perlman
		Lamport Johnson Rossum McCarthy Lamarr Easley Wilson Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Dubois
		Martin Bernard Rossi Russo García Fernández Silva Santos Nowak Kowalski Jansen Visser Andersen Nielsen Larsen Novák Horváth
		Yamamoto Tanaka Wang Li Patel Sharma Okafor Adeyemi Haddad Öztürk Kaya Ivanova Petrov`)
	companyWords = strings.Fields(`Acme Globex Initech Umbrella Hooli Vandelay Stark Wayne Wonka Cyberdyne Soylent Tyrell Gringotts
		Aperture Oscorp Nakatomi Monarch Northwind Contoso Fabrikam Tailspin Adventure Litware Proseware Wingtip Blue Yonder Alpine
		Lucerne Margie Trey Coho Woodgrove Fourth Humongous Baltic Nordlicht Sonnen Atlas Polaris Vertex Quantum Helix Nimbus Summit`)
	companySuffixes = []string{"GmbH", "Ltd", "Inc", "SA", "BV", "AG", "Oy", "AB", "LLC", "Group"}
	industries      = []string{"Software", "Manufacturing", "Retail", "Healthcare", "Finance", "Logistics", "Education", "Energy", "Media", "Hospitality"}
	titles          = []string{"CEO", "CTO", "Head of Sales", "Account Executive", "Marketing Manager", "Procurement Lead", "Office Manager",
		"Engineer", "Product Manager", "Customer Success Manager", "CFO", "Operations Director", "Support Lead"}
	demoActivities = []struct{ kind, subject, body string }{
		{"call", "Discovery call", "Runs a team of **12**; today in spreadsheets.\n\n- wants pipeline reports\n- asked about SSO"},
		{"call", "Follow-up on the proposal", "Reviewed the quote line by line. Decision expected *next week*."},
		{"call", "Pricing questions", "Asked for annual billing and a discount for 3 years."},
		{"call", "Quarterly check-in", "Happy with support; would like a training session for new hires."},
		{"meeting", "Demo of the reporting module", "Showed dashboards and the forecast. Next: a trial with their data."},
		{"meeting", "Onsite workshop", "Mapped their sales process to stages:\n\n1. Qualify\n2. Demo\n3. Proposal\n4. Negotiation"},
		{"meeting", "Contract review", "Legal wants a DPA; sent our template."},
		{"note", "Prefers email over calls", ""},
		{"note", "Budget approved", "Budget for the next two quarters is approved — see [the plan](https://example.com/plan)."},
		{"note", "Evaluating two other vendors", "Main competitor is cheaper but lacks the API."},
		{"email", "Sent the proposal", "Attached the proposal and the security overview."},
		{"email", "Shared the case study", "Sent the logistics case study they asked about."},
	}
	sources = []string{"website", "referral", "event", "cold outreach", "partner", "webinar", "linkedin", "import"}
	cities  = []struct{ city, country string }{{"Berlin", "DE"}, {"Munich", "DE"}, {"Hamburg", "DE"}, {"Vienna", "AT"}, {"Zurich", "CH"},
		{"London", "GB"}, {"Paris", "FR"}, {"Amsterdam", "NL"}, {"Copenhagen", "DK"}, {"Warsaw", "PL"}, {"Madrid", "ES"}, {"New York", "US"}}
)

type generator struct {
	r    *rand.Rand
	used map[string]int // email local parts and domains taken in this run
}

func newGenerator(seed uint64) *generator {
	return &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), used: map[string]int{}}
}

// unique returns s the first time, then s2, s3, ...
func (g *generator) unique(s string) string {
	g.used[s]++
	if n := g.used[s]; n > 1 {
		return fmt.Sprintf("%s%d", s, n)
	}
	return s
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("äàáâ", r):
			b.WriteByte('a')
		case strings.ContainsRune("öóøô", r):
			b.WriteByte('o')
		case strings.ContainsRune("üú", r):
			b.WriteByte('u')
		case strings.ContainsRune("éèë", r):
			b.WriteByte('e')
		case strings.ContainsRune("íìî", r):
			b.WriteByte('i')
		case r == 'ñ':
			b.WriteByte('n')
		case r == 'ç':
			b.WriteByte('c')
		case r == 'ł':
			b.WriteByte('l')
		case r == 'ß':
			b.WriteString("ss")
		}
	}
	return b.String()
}

func (g *generator) company() map[string]any {
	name := g.pick(companyWords) + " " + g.pick(companyWords) + " " + g.pick(companySuffixes)
	c := g.r.IntN(len(cities))
	return map[string]any{
		"name":           name,
		"domain":         g.unique(slug(strings.Fields(name)[0]+strings.Fields(name)[1])) + ".example",
		"industry":       g.pick(industries),
		"employees":      int64(5 + g.r.IntN(5000)),
		"annual_revenue": fmt.Sprintf("%d.00", 100000+g.r.IntN(50000000)),
		"phone":          fmt.Sprintf("+49 30 %07d", g.r.IntN(10000000)),
		"address":        map[string]any{"city": cities[c].city, "country": cities[c].country},
		"tags":           []string{g.pick([]string{"enterprise", "smb", "partner", "prospect"})},
	}
}

var stageWeights = []struct {
	stage string
	w     int
}{{"subscriber", 25}, {"lead", 30}, {"mql", 12}, {"sql", 8}, {"opportunity", 8}, {"customer", 12}, {"evangelist", 2}, {"other", 3}}

func (g *generator) stage() string {
	n := g.r.IntN(100)
	for _, s := range stageWeights {
		if n < s.w {
			return s.stage
		}
		n -= s.w
	}
	return "lead"
}

func (g *generator) contact(companyID, domain string) map[string]any {
	first, last := g.pick(firstNames), g.pick(lastNames)
	if domain == "" {
		domain = "mail.example"
	}
	c := map[string]any{
		"first_name":      first,
		"last_name":       last,
		"email":           g.unique(slug(first)+"."+slug(last)) + "@" + domain,
		"phone":           fmt.Sprintf("+49 151 %08d", g.r.IntN(100000000)),
		"title":           g.pick(titles),
		"lifecycle_stage": g.stage(),
		"lead_source":     g.pick(sources),
	}
	if companyID != "" {
		c["company_id"] = companyID
	}
	if g.r.IntN(5) == 0 {
		c["tags"] = []string{g.pick([]string{"vip", "newsletter", "trial", "churn-risk", "champion"})}
	}
	return c
}

// create creates a contact; an email taken by an earlier run gets a
// number until it is free.
func (g *generator) create(ctx context.Context, eng *records.Engine, p access.Principal, in map[string]any) (records.Record, error) {
	for {
		rec, err := eng.Create(ctx, p, "contacts", in)
		if fault.KindOf(err) != fault.KindConflict {
			return rec, err
		}
		local, domain, _ := strings.Cut(in["email"].(string), "@")
		in["email"] = g.unique(strings.TrimRight(local, "0123456789")) + "@" + domain
	}
}
