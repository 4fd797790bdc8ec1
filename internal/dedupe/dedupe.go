package dedupe

import (
	"context"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// Service finds and merges duplicates of contacts and companies.
type Service struct{ eng *records.Engine }

// New returns the service.
func New(eng *records.Engine) *Service { return &Service{eng: eng} }

// Candidate is a record that is likely the same as another, and why.
type Candidate struct {
	Record  records.Record `json:"record"`
	Reasons []string       `json:"reasons"` // phone, name_company, name_email_domain, domain, name
}

// maxCandidates bounds the records read to judge one record's duplicates.
const maxCandidates = 200

// Objects are the objects with a duplicate finder.
var Objects = []string{"contacts", "companies"}

// Mergeable are the objects whose records merge: those with a duplicate
// finder, and tickets (the same request made twice).
var Mergeable = []string{"contacts", "companies", "tickets"}

// Find lists the live records that are likely duplicates of a record:
// contacts with the same phone (compared in E.164), or the same name at the
// same company or email domain; companies with the same domain or the same
// name once legal forms and punctuation are set aside.
func (s *Service) Find(ctx context.Context, p access.Principal, object, id string) ([]Candidate, error) {
	if object != "contacts" && object != "companies" {
		return nil, fault.NotFound("no duplicate finder for %s", object)
	}
	rec, err := s.eng.Get(ctx, p, object, id, false)
	if err != nil {
		return nil, err
	}
	return s.Candidates(ctx, p, object, rec)
}

// Candidates lists the live records likely the same as rec, which need
// not be stored yet (a warning before creating one); rec's own id, if it
// has one, is left out.
func (s *Service) Candidates(ctx context.Context, p access.Principal, object string, rec records.Record) ([]Candidate, error) {
	if object != "contacts" && object != "companies" {
		return nil, nil
	}
	id, _ := rec["id"].(string)
	str := func(r records.Record, k string) string { v, _ := r[k].(string); return v }
	var queries []records.Query
	if object == "contacts" {
		if v := str(rec, "last_name"); v != "" {
			queries = append(queries, records.Query{Filter: "last_name = " + filter.Quote(v), PageSize: maxCandidates})
		}
		if e := Phone(str(rec, "phone")); e != "" {
			queries = append(queries, records.Query{Q: e[1:], PageSize: maxCandidates}) // the search index holds the E.164 digits
		}
	} else {
		if v := str(rec, "domain"); v != "" {
			queries = append(queries, records.Query{Filter: "domain = " + filter.Quote(v), PageSize: maxCandidates})
		}
		if words := strings.Fields(str(rec, "name")); len(words) > 0 {
			queries = append(queries, records.Query{Filter: "name = " + filter.Quote(strings.Trim(words[0], `*"\`)+"*"), PageSize: maxCandidates})
		}
	}
	seen := map[string]bool{id: true}
	var out []Candidate
	for _, q := range queries {
		page, err := s.eng.List(ctx, p, object, q)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Data {
			if seen[c.ID()] {
				continue
			}
			seen[c.ID()] = true
			if reasons := why(object, rec, c); len(reasons) > 0 {
				out = append(out, Candidate{Record: c, Reasons: reasons})
			}
		}
	}
	return out, nil
}

// why says what makes two records likely the same, if anything.
func why(object string, a, b records.Record) []string {
	str := func(r records.Record, k string) string { v, _ := r[k].(string); return v }
	var reasons []string
	if object == "companies" {
		if d := str(a, "domain"); d != "" && d == str(b, "domain") {
			reasons = append(reasons, "domain")
		}
		if n := CompanyName(str(a, "name")); n != "" && n == CompanyName(str(b, "name")) {
			reasons = append(reasons, "name")
		}
		return reasons
	}
	if ph := Phone(str(a, "phone")); ph != "" && ph == Phone(str(b, "phone")) {
		reasons = append(reasons, "phone")
	}
	first, last := Name(str(a, "first_name")), Name(str(a, "last_name"))
	if first != "" && last != "" && first == Name(str(b, "first_name")) && last == Name(str(b, "last_name")) {
		if c := str(a, "company_id"); c != "" && c == str(b, "company_id") {
			reasons = append(reasons, "name_company")
		}
		if d := EmailDomain(str(a, "email")); d != "" && d == EmailDomain(str(b, "email")) {
			reasons = append(reasons, "name_email_domain")
		}
	}
	return reasons
}

// Merge folds duplicates into the record kept (records.Engine.Merge);
// take maps a field to the duplicate whose value wins over the kept one.
func (s *Service) Merge(ctx context.Context, p access.Principal, object, keepID string, dupIDs []string, take map[string]string) (records.Record, error) {
	if !slices.Contains(Mergeable, object) {
		return nil, fault.NotFound("no merge for %s", object)
	}
	return s.eng.Merge(ctx, p, object, keepID, dupIDs, take)
}

// Unmerge takes back the latest merge into a record.
func (s *Service) Unmerge(ctx context.Context, p access.Principal, object, id string) (records.Record, error) {
	if !slices.Contains(Mergeable, object) {
		return nil, fault.NotFound("no merge for %s", object)
	}
	return s.eng.Unmerge(ctx, p, object, id)
}
