package reports

import (
	"context"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// labels names the ids among a result's keys: a related record's title,
// a user's name, a stage's name, by column and value.
func (s *Service) labels(ctx context.Context, p access.Principal, object string, res *Result) error {
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	for i, col := range res.Columns {
		o, f := keyField(sch, object, col)
		if f == nil {
			continue
		}
		values := distinct(i, res.Rows)
		if res.Previous != nil {
			values = append(values, distinct(i, res.Previous.Rows)...)
		}
		if len(values) == 0 {
			continue
		}
		var names []Label
		switch l := s.labeler(o.Name, f); {
		case l != nil:
			names, err = l(ctx, p, values)
		case f.Kind == schema.Relation:
			names, err = s.titles(ctx, p, sch, f.Target, values)
		default:
			continue
		}
		if err != nil {
			return err
		}
		if len(names) == 0 {
			continue
		}
		if res.Labels == nil {
			res.Labels, res.order = map[string]map[string]string{}, map[string][]string{}
		}
		res.Labels[col] = map[string]string{}
		for _, l := range names {
			res.Labels[col][l.Value] = l.Name
			res.order[col] = append(res.order[col], l.Value)
		}
	}
	return nil
}

// labeler is the labeler of an object's field: its own, or every
// object's of that name ("*.owner_id"), which also names relations to
// users ("*.users": an assignee).
func (s *Service) labeler(object string, f *schema.Field) Labeler {
	if l := s.labelers[object+"."+f.Name]; l != nil {
		return l
	}
	if f.Kind == schema.Relation && f.Target == "users" {
		return s.labelers["*.owner_id"]
	}
	return s.labelers["*."+f.Name]
}

// keyField finds the field a key column reads, through a relation
// ("company.owner_id"); a bucketed date or a measure has none.
func keyField(sch *schema.Schema, object, col string) (*schema.Object, *schema.Field) {
	if strings.ContainsAny(col, ":(") {
		return nil, nil
	}
	o, ok := sch.Object(object)
	if !ok {
		return nil, nil
	}
	if rel, name, ok := strings.Cut(col, "."); ok {
		via, ok := o.RelationNamed(rel)
		if !ok {
			return nil, nil
		}
		if o, ok = sch.Object(via.Target); !ok {
			return nil, nil
		}
		col = name
	}
	f, ok := o.Field(col)
	if !ok {
		return nil, nil
	}
	return o, f
}

// titles names related records by their titles, in their order; those p
// may not read go unnamed.
func (s *Service) titles(ctx context.Context, p access.Principal, sch *schema.Schema, object string, ids []string) ([]Label, error) {
	o, ok := sch.Object(object)
	if !ok || access.CanRead(p, object) != nil {
		return nil, nil
	}
	recs, err := s.eng.GetMany(ctx, p, object, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Label, 0, len(recs))
	for id, r := range recs {
		out = append(out, Label{id, records.Title(o, r)})
	}
	SortLabels(out)
	return out, nil
}

// SortLabels puts labels in the order of their names.
func SortLabels(ls []Label) {
	slices.SortFunc(ls, func(a, b Label) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
}

// distinct lists the text values of a column.
func distinct(i int, rows [][]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, row := range rows {
		if v, ok := row[i].(string); ok && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
