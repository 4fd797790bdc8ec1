// Package deals is the sales pipeline: pipelines of ordered stages, and
// the deals that move through them. The record engine stores both as
// built-in objects; this package keeps a deal in step with its pipeline
// (its stage, status and currency), logs each stage change with the time
// the deal spent in the stage before, puts deals on the timelines of
// their company and contacts, and gives every new workspace a sales
// pipeline.
package deals

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/money"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// The objects' names.
const (
	Object    = "deals"
	Pipelines = "pipelines"
)

// Service keeps deals and pipelines whole.
type Service struct {
	eng *records.Engine
	log *events.Log
	now func() time.Time
}

// New registers the rules and the timeline hook. Call at start-up.
func New(eng *records.Engine, log *events.Log, now func() time.Time) *Service {
	s := &Service{eng: eng, log: log, now: now}
	eng.Keep(Object, s.keepDeal)
	eng.Keep(Pipelines, s.keepPipeline)
	log.OnAppend(s.link)
	return s
}

// Stage is one step of a pipeline.
type Stage struct {
	ID          string
	Name        string
	Probability int
	Kind        string // open, won or lost
}

// StagesOf reads a pipeline record's stages, in order.
func StagesOf(pipeline records.Record) []Stage {
	list, _ := pipeline["stages"].([]map[string]any)
	out := make([]Stage, 0, len(list))
	for _, m := range list {
		st := Stage{}
		st.ID, _ = m["id"].(string)
		st.Name, _ = m["name"].(string)
		p, _ := m["probability"].(float64)
		st.Probability = int(p)
		st.Kind, _ = m["kind"].(string)
		out = append(out, st)
	}
	return out
}

func stageByID(stages []Stage, id string) (Stage, bool) {
	for _, st := range stages {
		if st.ID == id {
			return st, true
		}
	}
	return Stage{}, false
}

func firstOpen(stages []Stage) Stage {
	for _, st := range stages {
		if st.Kind == "open" {
			return st
		}
	}
	return stages[0]
}

// keepDeal fills and checks what follows from a deal's pipeline: the
// currency (the workspace's unless given), the pipeline (the first one
// unless given), the stage (the pipeline's first open stage unless given;
// when only the pipeline changes, its first open stage), the status (the
// stage's kind), a lost reason when the deal is lost, and the time it
// entered its stage. A move to another stage is a deal_stage event.
func (s *Service) keepDeal(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	var errs []fault.FieldError
	bad := func(field, format string, a ...any) {
		errs = append(errs, fault.FieldError{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	code, _ := after["currency"].(string)
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		if err := tx.QueryRowContext(ctx, `SELECT default_currency FROM workspaces WHERE id = $1`, p.WorkspaceID).Scan(&code); err != nil {
			return nil, fmt.Errorf("read the default currency: %w", err)
		}
	}
	if !money.Currency(code) {
		bad("currency", "%q is not an ISO 4217 currency code like EUR or USD", code)
	}
	after["currency"] = code
	if amount, _ := after["amount"].(string); strings.HasPrefix(amount, "-") {
		bad("amount", "must not be negative")
	}
	pid, _ := after["pipeline_id"].(string)
	if pid == "" {
		err := tx.QueryRowContext(ctx, `SELECT id FROM pipelines WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1`, p.WorkspaceID).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) {
			bad("pipeline_id", "is required: the workspace has no pipeline")
			return nil, fault.Invalid(errs...)
		}
		if err != nil {
			return nil, err
		}
		after["pipeline_id"] = pid
	}
	pipeline, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), Pipelines, pid)
	if fault.KindOf(err) == fault.KindNotFound {
		bad("pipeline_id", "no %s record with id %q", Pipelines, pid)
		return nil, fault.Invalid(errs...)
	}
	if err != nil {
		return nil, err
	}
	stages := StagesOf(pipeline)
	if len(stages) == 0 {
		return nil, fmt.Errorf("pipeline %s has no stages", pid)
	}
	sid, _ := after["stage_id"].(string)
	moved := before == nil || before["pipeline_id"] != pid || before["stage_id"] != sid
	if _, in := stageByID(stages, sid); sid == "" || before != nil && before["pipeline_id"] != pid && sid == before["stage_id"] && !in {
		sid = firstOpen(stages).ID
	}
	stage, ok := stageByID(stages, sid)
	if !ok {
		names := make([]string, len(stages))
		for i, st := range stages {
			names[i] = st.ID
		}
		bad("stage_id", "%q is not a stage of pipeline %q (its stages: %s)", sid, pipeline["name"], strings.Join(names, ", "))
		return nil, fault.Invalid(errs...)
	}
	after["stage_id"] = sid
	after["status"] = stage.Kind
	after["weighted_amount"] = weighted(after["amount"], stage.Probability)
	if err := s.source(ctx, tx, p, before, after); err != nil {
		return nil, err
	}
	if reason, _ := after["lost_reason"].(string); stage.Kind == "lost" && strings.TrimSpace(reason) == "" && (before == nil || before["status"] != "lost") {
		bad("lost_reason", "is required when a deal is lost")
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if !moved {
		return nil, nil
	}
	after["stage_entered_at"] = now
	if before == nil {
		return nil, nil
	}
	return []*events.Event{s.stageEvent(ctx, tx, p, before, after, stage, pipeline, now)}, nil
}

// weighted is an amount times a probability in percent, exact to the
// amount's four decimals (nil without an amount).
func weighted(amount any, probability int) any {
	a, _ := amount.(string)
	r, ok := new(big.Rat).SetString(a)
	if !ok {
		return nil
	}
	return schema.FormatDecimal(r.Mul(r, big.NewRat(int64(probability), 100)).FloatString(4))
}

// source gives a new deal without a lead source its first contact's.
func (s *Service) source(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) error {
	ids, _ := after["contact_ids"].([]string)
	if before != nil || after["lead_source"] != nil || len(ids) == 0 {
		return nil
	}
	c, err := s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), "contacts", ids[0])
	if fault.KindOf(err) == fault.KindNotFound {
		return nil // the engine names the missing contact
	}
	if err != nil {
		return err
	}
	if src, _ := c["lead_source"].(string); src != "" {
		after["lead_source"] = src
	}
	return nil
}

// stageEvent is the deal_stage event of a move: where from, where to, and
// how long the deal was in the stage it left.
func (s *Service) stageEvent(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record, to Stage, pipeline records.Record, now time.Time) *events.Event {
	from := map[string]any{"pipeline_id": before["pipeline_id"], "stage_id": before["stage_id"], "stage": before["stage_id"]}
	fromName, _ := before["stage_id"].(string)
	prev, err := pipeline, error(nil)
	if before["pipeline_id"] != pipeline.ID() { // a move to another pipeline: the stage left is in the old one
		prev, err = s.eng.GetIn(ctx, tx, access.System(p.WorkspaceID), Pipelines, fmt.Sprint(before["pipeline_id"]))
	}
	if err == nil {
		if st, ok := stageByID(StagesOf(prev), fromName); ok {
			fromName = st.Name
			from["stage"] = st.Name
		}
	}
	var seconds int64
	if entered, ok := before["stage_entered_at"].(time.Time); ok {
		seconds = int64(now.Sub(entered) / time.Second)
	}
	name, _ := after["name"].(string)
	var actor *string
	if p.UserID != "" {
		actor = &p.UserID
	}
	return &events.Event{
		WorkspaceID: p.WorkspaceID, ActorID: actor, Object: Object, RecordID: after.ID(), Kind: "deal_stage", Verb: "stage_changed",
		Singular: "deal", Summary: fmt.Sprintf("Moved deal %s from %s to %s", name, fromName, to.Name), Record: after,
		Data: map[string]any{
			"from":             from,
			"to":               map[string]any{"pipeline_id": after["pipeline_id"], "stage_id": to.ID, "stage": to.Name, "pipeline": pipeline["name"]},
			"status":           to.Kind,
			"probability":      to.Probability,
			"seconds_in_stage": seconds,
			"amount":           after["amount"],
			"currency":         after["currency"],
		},
	}
}
