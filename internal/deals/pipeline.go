package deals

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// DefaultPipeline is the pipeline a new workspace gets: the steps of a
// B2B sale, each with the chance that a deal in it is won.
func DefaultPipeline() map[string]any {
	return map[string]any{"name": "Sales", "stages": []any{
		map[string]any{"id": "lead-in", "name": "Lead in", "probability": 10, "kind": "open"},
		map[string]any{"id": "qualified", "name": "Qualified", "probability": 25, "kind": "open"},
		map[string]any{"id": "demo", "name": "Demo", "probability": 40, "kind": "open"},
		map[string]any{"id": "proposal", "name": "Proposal", "probability": 60, "kind": "open"},
		map[string]any{"id": "negotiation", "name": "Negotiation", "probability": 80, "kind": "open"},
		map[string]any{"id": "won", "name": "Won", "probability": 100, "kind": "won"},
		map[string]any{"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"},
	}}
}

// CreateDefault gives a new workspace the default pipeline
// (auth.Service.OnWorkspaceCreated).
func (s *Service) CreateDefault(ctx context.Context, ws string) error {
	return s.eng.Tx(ctx, func(tx *sql.Tx) error { return s.createDefault(ctx, tx, ws) })
}

func (s *Service) createDefault(ctx context.Context, tx *sql.Tx, ws string) error {
	_, err := s.eng.CreateManyIn(ctx, tx, access.System(ws), Pipelines, []map[string]any{DefaultPipeline()})
	return err
}

// EnsurePipelines gives the default pipeline to every workspace that has
// never had one (those made before pipelines existed). Run at start-up.
func (s *Service) EnsurePipelines(ctx context.Context) error {
	return s.eng.Furnish(ctx, Pipelines, s.createDefault)
}

// keepPipeline refuses to take away a stage that deals are in, or to
// change its kind under them (their status would no longer follow it):
// move the deals first.
func (s *Service) keepPipeline(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	if before == nil {
		return nil, nil
	}
	next := StagesOf(after)
	for _, st := range StagesOf(before) {
		now, kept := stageByID(next, st.ID)
		if kept && now.Kind == st.Kind {
			continue
		}
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deals WHERE workspace_id = $1 AND pipeline_id = $2 AND stage_id = $3 AND deleted_at IS NULL`,
			p.WorkspaceID, before.ID(), st.ID).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		msg := fmt.Sprintf("stage %q cannot be removed: %d deals are in it (move them first)", st.Name, n)
		if kept {
			msg = fmt.Sprintf("stage %q cannot become %s: %d deals are in it (move them first)", st.Name, now.Kind, n)
		}
		return nil, fault.Invalid(fault.FieldError{Field: "stages", Message: msg})
	}
	// A stage's new probability weighs its deals anew: the weighted
	// amount is derived, so it changes without an event of its own.
	for _, st := range next {
		if old, ok := stageByID(StagesOf(before), st.ID); ok && old.Probability == st.Probability {
			continue
		}
		_, err := tx.ExecContext(ctx, `UPDATE deals SET weighted_amount = amount * $1 / 100.0 WHERE workspace_id = $2 AND pipeline_id = $3 AND stage_id = $4 AND amount IS NOT NULL`,
			st.Probability, p.WorkspaceID, before.ID(), st.ID)
		if err != nil {
			return nil, fmt.Errorf("weigh the deals of stage %s: %w", st.ID, err)
		}
	}
	return nil, nil
}

// StageNames names the stages of every pipeline p may read, in their
// order (ids and names, for reports grouped by stage); several
// pipelines' stages are told apart by their pipeline's name.
func (s *Service) StageNames(ctx context.Context, p access.Principal) ([][2]string, error) {
	pipelines, err := s.eng.All(ctx, p, Pipelines, records.Query{OrderBy: "created_at"})
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, pl := range pipelines {
		for _, st := range StagesOf(pl) {
			name := st.Name
			if len(pipelines) > 1 {
				name = fmt.Sprintf("%s · %s", pl["name"], st.Name)
			}
			out = append(out, [2]string{st.ID, name})
		}
	}
	return out, nil
}
