package reports

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// labels names the ids among a result's keys: a related record's title,
// a user's name, a stage's name, by column and value.
func (s *Service) labels(ctx context.Context, p access.Principal, object string, res *Result) (map[string]map[string]string, error) {
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
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
		var names map[string]string
		switch l := s.labeler(o.Name, f.Name); {
		case l != nil:
			names, err = l(ctx, p, values)
		case f.Kind == schema.Relation:
			names, err = s.titles(ctx, p, sch, f.Target, values)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(names) > 0 {
			out[col] = names
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (s *Service) labeler(object, field string) Labeler {
	if l := s.labelers[object+"."+field]; l != nil {
		return l
	}
	return s.labelers["*."+field]
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
		for _, f := range o.Fields {
			if f.Kind == schema.Relation && (f.Relation == rel || f.Name == rel) {
				if o, ok = sch.Object(f.Target); !ok {
					return nil, nil
				}
				col = name
				break
			}
		}
	}
	f, ok := o.Field(col)
	if !ok {
		return nil, nil
	}
	return o, f
}

// titles names related records by their titles; those p may not read go
// unnamed.
func (s *Service) titles(ctx context.Context, p access.Principal, sch *schema.Schema, object string, ids []string) (map[string]string, error) {
	o, ok := sch.Object(object)
	if !ok || access.CanRead(p, object) != nil {
		return nil, nil
	}
	recs, err := s.eng.GetMany(ctx, p, object, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(recs))
	for id, r := range recs {
		out[id] = records.Title(o, r)
	}
	return out, nil
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
