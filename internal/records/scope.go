package records

import (
	"context"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Scoper gives the records of an object that p may see as a filter
// ("owner_id = \"u1\" OR share_roles:\"sales\""), or "" for all of them.
type Scoper func(p access.Principal) string

// Scope limits what users see of an object's records: a saved report is
// its owner's and those it is shared with. Lists, exports, aggregates
// and reads by id apply the scope, and so do changes: a record outside it
// is not found. Call at start-up.
func (e *Engine) Scope(object string, s Scoper) { e.scopes[object] = s }

// ScopeOf is p's scope of an object as filter text ("" when p sees
// every record): what, besides the question, decides an answer.
func (e *Engine) ScopeOf(p access.Principal, object string) string { return e.scoped(p, object, "") }

// scoped adds p's scope of object to a filter's text.
func (e *Engine) scoped(p access.Principal, object, text string) string {
	s := e.scopes[object]
	if s == nil {
		return text
	}
	sc := s(p)
	switch {
	case sc == "":
		return text
	case text == "":
		return sc
	}
	return "(" + sc + ") AND (" + text + ")"
}

// parseFilter parses a list's filter with p's scope of o: errors name
// positions in the text the user wrote.
func (e *Engine) parseFilter(s *schema.Schema, p access.Principal, o *schema.Object, text string) (*filter.Filter, error) {
	flt, err := filter.Parse(text, s, o)
	if err != nil {
		return nil, err
	}
	if sc := e.scoped(p, o.Name, text); sc != text {
		return filter.Parse(sc, s, o)
	}
	return flt, nil
}

// visible checks that p may see rec, a record of o, under its scope.
func (e *Engine) visible(ctx context.Context, p access.Principal, o *schema.Object, rec Record) error {
	text := e.scoped(p, o.Name, "")
	if text == "" {
		return nil
	}
	s, err := e.schemas.Get(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	flt, err := filter.Parse(text, s, o)
	if err != nil {
		return err
	}
	if !flt.Match(rec, nil) {
		return fault.NotFound("no %s with id %q", o.Singular, rec.ID())
	}
	return nil
}
