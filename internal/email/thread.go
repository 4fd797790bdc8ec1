package email

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// MaxThread bounds a conversation as it is shown.
const MaxThread = 100

// Thread is the conversation an email is part of, oldest first: the
// emails it answers, back to the first, and every email that answers
// one of those, however deep.
func (s *Service) Thread(ctx context.Context, p access.Principal, id string) ([]records.Record, error) {
	e, err := s.eng.Get(ctx, p, Object, id, false)
	if err != nil {
		return nil, err
	}
	// Up to the first email.
	root := e
	for range MaxThread {
		parent, _ := root["in_reply_to"].(string)
		if parent == "" {
			break
		}
		up, err := s.eng.Get(ctx, p, Object, parent, false)
		if err != nil {
			break // trashed, or not the user's to see: the thread starts here
		}
		root = up
	}
	// Down, a level a query (twenty parents a query).
	out := []records.Record{root}
	seen := map[string]bool{root.ID(): true}
	level := []string{root.ID()}
	for len(level) > 0 && len(out) < MaxThread {
		var next []string
		for start := 0; start < len(level); start += 20 {
			chunk := level[start:min(start+20, len(level))]
			terms := make([]string, len(chunk))
			for i, pid := range chunk {
				terms[i] = "in_reply_to = " + filter.Quote(pid)
			}
			page, err := s.eng.List(ctx, p, Object, records.Query{Filter: strings.Join(terms, " OR "), PageSize: MaxThread})
			if err != nil {
				return nil, err
			}
			for _, r := range page.Data {
				if !seen[r.ID()] && len(out) < MaxThread {
					seen[r.ID()] = true
					out = append(out, r)
					next = append(next, r.ID())
				}
			}
		}
		level = next
	}
	slices.SortStableFunc(out, func(a, b records.Record) int { return When(a).Compare(When(b)) })
	return out, nil
}

// When is when an email was sent (or, for one not sent, written).
func When(e records.Record) time.Time {
	if t, ok := e["sent_at"].(time.Time); ok {
		return t
	}
	t, _ := e["created_at"].(time.Time)
	return t
}
