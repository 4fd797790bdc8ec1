package records

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/store"
)

// Hit is one result of a search across objects.
type Hit struct {
	Object   string    `json:"object"`
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Subtitle string    `json:"subtitle"`
	at       time.Time // for merging
}

// searchable objects, in the order they are searched.
var searchObjects = []string{"contacts", "companies", "deals", "tickets"}

// Search finds records across objects whose words start with the words of
// q, newest first, at most limit. Results are a cheap order (creation time),
// not a ranking: ranking every match of a short prefix is what makes search
// slow at a million rows.
func (e *Engine) Search(ctx context.Context, p access.Principal, q string, limit int) ([]Hit, error) {
	s, err := e.schemas.Get(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	names := append([]string{}, searchObjects...)
	for _, o := range s.Objects() {
		if o.Custom {
			names = append(names, o.Name)
		}
	}
	d := e.db.Dialect()
	var hits []Hit
	for _, name := range names {
		o, ok := s.Object(name)
		if !ok || access.CanRead(p, name) != nil {
			continue
		}
		cond, arg, ok := matchCondition(d, o.Table, q, 2)
		if !ok {
			return []Hit{}, nil
		}
		query := "SELECT " + selectList(o, "t") + " FROM " + store.QuoteIdent(o.Table) + " t WHERE t.workspace_id = " + d.Placeholder(1) + " AND t.deleted_at IS NULL AND " +
			cond + " ORDER BY t.created_at DESC, t.id DESC LIMIT " + d.Placeholder(3)
		rows, err := e.db.Reader().QueryContext(ctx, query, p.WorkspaceID, arg, limit)
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", name, err)
		}
		for rows.Next() {
			rec, _, err := scanRecord(o, rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			sub, _ := rec[o.Subtitle].(string)
			hits = append(hits, Hit{Object: name, ID: rec.ID(), Title: Title(o, rec), Subtitle: sub, at: rec["created_at"].(time.Time)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].at.After(hits[j].at) })
	if len(hits) > limit {
		hits = hits[:limit]
	}
	if hits == nil {
		hits = []Hit{}
	}
	return hits, nil
}
