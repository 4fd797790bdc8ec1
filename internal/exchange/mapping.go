package exchange

import (
	"strings"
	"unicode"

	"github.com/rapport-crm/rapport/internal/schema"
)

// Relation columns name a related record by its title rather than its id:
// "company" maps to company_id and links (or creates) the company by name.
const companyByName = "company_id:name"

// synonyms are header labels other CRMs export, by the field they hold
// (HubSpot, Salesforce, Pipedrive, Zoho, and spreadsheets people make).
var synonyms = map[string][]string{
	"first_name":      {"first name", "firstname", "given name", "vorname", "person first name", "contact first name"},
	"last_name":       {"last name", "lastname", "surname", "family name", "nachname", "person last name", "contact last name"},
	"email":           {"email", "e mail", "email address", "e mail address", "person email", "primary email", "work email", "emailadresse", "e mail adresse"},
	"phone":           {"phone", "phone number", "telephone", "mobile", "mobile phone", "mobile phone number", "person phone", "work phone", "telefon", "handy", "mobil"},
	"title":           {"title", "job title", "position", "jobtitle", "person job title", "designation"},
	"lifecycle_stage": {"lifecycle stage", "lifecyclestage", "lead status", "stage"},
	"lead_source":     {"lead source", "source", "original source", "original source type"},
	"tags":            {"tags", "labels", "label", "person labels"},
	"do_not_contact":  {"do not contact", "email opt out", "unsubscribed", "opt out"},
	companyByName:     {"company", "company name", "account name", "organization", "organisation", "organization name", "organisation name", "person organization", "firma", "account"},
	"name":            {"name", "company name", "account name", "organization name", "organization - name", "firmenname"},
	"domain":          {"domain", "company domain name", "website", "web site", "organization website"},
	"industry":        {"industry", "branche"},
	"employees":       {"employees", "number of employees", "no of employees", "mitarbeiter"},
	"annual_revenue":  {"annual revenue", "revenue", "umsatz"},
}

// key reduces a header label for matching: lower case, words of letters
// and digits ("Person - First Name" → "person first name").
func key(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// GuessMapping maps each header column to a field of o, or leaves it out:
// by field name, by label, by what other CRMs call the field; "Person -
// Email" style prefixes are tried without their first word. A column
// named like a relation ("Company") maps to linking by name.
func GuessMapping(o *schema.Object, header []string) map[string]string {
	out := map[string]string{}
	taken := map[string]bool{}
	lookup := map[string]string{}
	for _, f := range o.Fields {
		if f.ReadOnly && f.Name != "id" {
			continue
		}
		lookup[key(f.Name)] = f.Name
		lookup[key(f.Label)] = f.Name
	}
	for field, words := range synonyms {
		target := field
		if field == companyByName {
			if _, ok := o.Field("company_id"); !ok {
				continue
			}
		} else if _, ok := o.Field(field); !ok {
			continue
		}
		for _, w := range words {
			if _, exists := lookup[key(w)]; !exists || field == companyByName {
				lookup[key(w)] = target
			}
		}
	}
	for _, h := range header {
		k := key(h)
		field, ok := lookup[k]
		if !ok {
			if _, rest, cut := strings.Cut(k, " "); cut {
				field, ok = lookup[rest]
			}
		}
		if ok && !taken[field] && field != "id" {
			out[h], taken[field] = field, true
		}
	}
	return out
}
