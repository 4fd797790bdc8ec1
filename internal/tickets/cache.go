package tickets

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
)

// settingsTTL is how long a node trusts what it read of a workspace's
// queues and SLA policies; a change made on the node itself applies at
// once, one made on another node within this time.
const settingsTTL = 10 * time.Second

// settings are what every ticket write consults: the queues and the
// active SLA policies by rank, with their conditions parsed.
type settings struct {
	at       time.Time
	queues   []records.Record
	names    []string
	policies []policy
	// mailboxes are the queues' own addresses: address → queue.
	mailboxes map[string]string
}

type policy struct {
	rec  records.Record
	cond *filter.Filter // nil: every ticket
	bad  bool           // its condition no longer parses: it applies to nothing
}

type settingsCache struct {
	mu sync.Mutex
	ws map[string]*settings
}

// forget drops what the node knows of a workspace's settings.
func (c *settingsCache) forget(ws string) {
	c.mu.Lock()
	delete(c.ws, ws)
	c.mu.Unlock()
}

// settingsOf reads a workspace's queues and policies, or what the node
// read of them a moment ago.
func (s *Service) settingsOf(ctx context.Context, ws string) (*settings, error) {
	s.cache.mu.Lock()
	if st, ok := s.cache.ws[ws]; ok && time.Since(st.at) < settingsTTL {
		s.cache.mu.Unlock()
		return st, nil
	}
	s.cache.mu.Unlock()
	sys := access.System(ws)
	st := &settings{at: time.Now(), names: []string{DefaultQueue}}
	qs, err := s.eng.List(ctx, sys, Queues, records.Query{OrderBy: "name", PageSize: 500})
	if err != nil {
		return nil, err
	}
	st.queues = qs.Data
	st.mailboxes = map[string]string{}
	for _, q := range qs.Data {
		n, _ := q["name"].(string)
		if n != "" && n != DefaultQueue {
			st.names = append(st.names, strings.ToLower(n))
		}
		if m, _ := q["mailbox"].(string); m != "" && n != "" {
			st.mailboxes[strings.ToLower(m)] = strings.ToLower(n)
		}
	}
	ps, err := s.eng.List(ctx, sys, Policies, records.Query{Filter: "active = true", OrderBy: "rank, created_at", PageSize: 100})
	if err != nil {
		return nil, err
	}
	if len(ps.Data) > 0 {
		sch, err := s.eng.Schema(ctx, ws)
		if err != nil {
			return nil, err
		}
		o, _ := sch.Object(Object)
		for _, p := range ps.Data {
			pol := policy{rec: p}
			if c, _ := p["condition"].(string); strings.TrimSpace(c) != "" {
				if pol.cond, err = filter.Parse(c, sch, o); err != nil {
					pol.bad = true
				}
			}
			st.policies = append(st.policies, pol)
		}
	}
	s.cache.mu.Lock()
	if s.cache.ws == nil {
		s.cache.ws = map[string]*settings{}
	}
	s.cache.ws[ws] = st
	s.cache.mu.Unlock()
	return st, nil
}
