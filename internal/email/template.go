package email

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/vanng822/go-premailer/premailer"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/activities"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Templates is the templates' object name.
const Templates = "templates"

// mergeFields are the records a template's fields come from, and the
// object each is: {{contact.first_name}}, {{company.name}},
// {{deal.name}}, {{user.name}} (user: name, email, signature).
var mergeFields = map[string]string{"contact": "contacts", "company": "companies", "deal": "deals", "user": "users"}

// userFields are what a template may say of the user who sends it.
var userFields = []string{"name", "email", "signature"}

// mergeField is {{ object.field }} or {{ object.field | "fallback" }}.
var mergeField = regexp.MustCompile(`\{\{\s*([a-z_]+)\.([a-z0-9_]+)\s*(?:\|\s*"((?:[^"\\{}]|\\.)*)"\s*)?\}\}`)

// anyBraces is whatever stands between {{ and }}.
var anyBraces = regexp.MustCompile(`\{\{[^{}]*\}\}`)

// Merge is what a template is filled from: the records, by the names a
// template calls them (contact, company, deal), and the sender.
type Merge struct {
	Records map[string]records.Record
	Schema  *schema.Schema
	User    map[string]string
}

// CheckTemplate finds what a template text names that cannot be filled:
// a {{ that opens no merge field, an unknown record or field; each with
// its line and column.
func CheckTemplate(text string, sch *schema.Schema) []string {
	var problems []string
	at := func(i int) string {
		line := strings.Count(text[:i], "\n") + 1
		col := i - strings.LastIndex(text[:i], "\n")
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	known := mergeField.FindAllStringSubmatchIndex(text, -1)
	covered := func(i int) bool {
		for _, m := range known {
			if i >= m[0] && i < m[1] {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(text)-1; i++ {
		if text[i] == '{' && text[i+1] == '{' && !covered(i) {
			problems = append(problems, fmt.Sprintf("%s: want {{object.field}} or {{object.field | \"fallback\"}}", at(i)))
			i++
		}
	}
	for _, m := range known {
		object, field := text[m[2]:m[3]], text[m[4]:m[5]]
		name, ok := mergeFields[object]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: unknown record %q (known: contact, company, deal, user)", at(m[0]), object))
		case object == "user":
			if !contains(userFields, field) {
				problems = append(problems, fmt.Sprintf("%s: unknown field %q of user (known: name, email, signature)", at(m[0]), field))
			}
		default:
			if o, ok := sch.Object(name); !ok || !hasField(o, field) {
				problems = append(problems, fmt.Sprintf("%s: unknown field %q of %s", at(m[0]), field, object))
			}
		}
	}
	return problems
}

func hasField(o *schema.Object, name string) bool {
	_, ok := o.Field(name)
	return ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Fill fills a template text's merge fields from m: each value as the
// record holds it (escaped for HTML when escape is set), its fallback
// when the record or the value is missing.
func Fill(text string, m Merge, escape bool) string {
	// Made safe, a template's HTML holds a fallback's quotes as entities.
	text = anyBraces.ReplaceAllStringFunc(text, html.UnescapeString)
	return mergeField.ReplaceAllStringFunc(text, func(s string) string {
		g := mergeField.FindStringSubmatch(s)
		object, field, fallback := g[1], g[2], strings.ReplaceAll(g[3], `\"`, `"`)
		var v string
		if object == "user" {
			v = m.User[field]
		} else if rec, ok := m.Records[object]; ok {
			v = valueText(rec[field])
		}
		if strings.TrimSpace(v) == "" {
			v = fallback
		}
		if escape {
			return html.EscapeString(v)
		}
		return v
	})
}

func valueText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []string:
		return strings.Join(t, ", ")
	}
	return fmt.Sprint(v)
}

// Inline moves a message's <style> rules into its elements' style
// attributes, which is what mail clients read.
func Inline(doc string) string {
	if !strings.Contains(strings.ToLower(doc), "<style") {
		return doc
	}
	p, err := premailer.NewPremailerFromString(doc, premailer.NewOptions())
	if err != nil {
		return doc
	}
	out, err := p.Transform()
	if err != nil {
		return doc
	}
	return out
}

// keepTemplate checks a template's merge fields (each problem with its
// line and column) and keeps its message as mail clients read it: CSS
// inlined, then made safe.
func (s *Service) keepTemplate(ctx context.Context, _ *sql.Tx, p access.Principal, _, after records.Record) ([]*events.Event, error) {
	sch, err := s.schemas.Get(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	var errs []fault.FieldError
	for _, f := range []string{"subject", "body_html"} {
		text, _ := after[f].(string)
		for _, problem := range CheckTemplate(text, sch) {
			errs = append(errs, fault.FieldError{Field: f, Message: problem})
		}
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	if body, ok := after["body_html"].(string); ok {
		after["body_html"] = strings.TrimSpace(policy.Sanitize(Inline(body)))
	}
	if after["language"] == nil {
		after["language"] = "en"
	}
	return nil, nil
}

// fromTemplate fills an email's subject and message (where it gives
// none) from a template, with the records it is about: the first contact
// (or the contact at its first address), that contact's company, the
// first deal; and the user who sends it.
func (s *Service) fromTemplate(ctx context.Context, tx *sql.Tx, p access.Principal, id string, e records.Record) error {
	t, err := s.eng.GetIn(ctx, tx, p, Templates, id)
	if fault.KindOf(err) == fault.KindNotFound {
		return fault.Invalid(fault.FieldError{Field: "template_id", Message: fmt.Sprintf("no template with id %q", id)})
	}
	if err != nil {
		return err
	}
	m, err := s.merge(ctx, tx, p, activities.Refs(e), strs(e["to"]))
	if err != nil {
		return err
	}
	if e["subject"] == nil {
		e["subject"] = Fill(str(t["subject"]), m, false)
	}
	if e["body_html"] == nil {
		e["body_html"] = Fill(str(t["body_html"]), m, true)
	}
	return nil
}

// merge gathers what a template is filled from for an email about refs
// to the addresses to, sent by p.
func (s *Service) merge(ctx context.Context, tx *sql.Tx, p access.Principal, refs []events.Ref, to []string) (Merge, error) {
	m := Merge{Records: map[string]records.Record{}, User: map[string]string{}}
	get := func(object, id string) records.Record {
		rec, err := s.eng.GetIn(ctx, tx, p, object, id)
		if err != nil {
			return nil
		}
		return rec
	}
	for _, r := range refs {
		for name, object := range mergeFields {
			if object == r.Object && m.Records[name] == nil {
				if rec := get(r.Object, r.ID); rec != nil {
					m.Records[name] = rec
				}
			}
		}
	}
	if m.Records["contact"] == nil && len(to) > 0 {
		if found, err := s.eng.List(ctx, p, "contacts", records.Query{Filter: "email = " + filter.Quote(to[0]), PageSize: 1}); err == nil && len(found.Data) > 0 {
			m.Records["contact"] = found.Data[0]
		}
	}
	if c := m.Records["contact"]; c != nil && m.Records["company"] == nil {
		if id, ok := c["company_id"].(string); ok {
			if rec := get("companies", id); rec != nil {
				m.Records["company"] = rec
			}
		}
	}
	if u, err := s.dir.User(ctx, p.WorkspaceID, p.UserID); err == nil {
		m.User["name"], m.User["email"] = u.Name, u.Email
		m.User["signature"] = u.Name + "\n" + u.Email
	}
	return m, nil
}

// Preview fills a template for a record (a contact, company or deal), as
// p would send it: the subject, the message and its text part.
func (s *Service) Preview(ctx context.Context, p access.Principal, templateID, object, id string) (map[string]string, error) {
	t, err := s.eng.Get(ctx, p, Templates, templateID, false)
	if err != nil {
		return nil, err
	}
	var out map[string]string
	err = s.eng.Tx(ctx, func(tx *sql.Tx) error {
		var refs []events.Ref
		if object != "" {
			if _, err := s.eng.GetIn(ctx, tx, p, object, id); err != nil {
				return err
			}
			refs = append(refs, events.Ref{Object: object, ID: id})
		}
		m, err := s.merge(ctx, tx, p, refs, nil)
		if err != nil {
			return err
		}
		body := strings.TrimSpace(policy.Sanitize(Fill(str(t["body_html"]), m, true)))
		out = map[string]string{"subject": Fill(str(t["subject"]), m, false), "body_html": body, "body_text": Text(body)}
		return nil
	})
	return out, err
}
