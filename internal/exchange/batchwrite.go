package exchange

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// flush writes a batch in one transaction with everything it does: the
// companies it names, the updates of the records it duplicates, its new
// records with their notes, the journal and the import's progress. An
// import stopped anywhere resumes after the last batch it wrote, doing no
// row twice and leaving nothing out of its journal. Duplicates are
// updated, skipped or created as the options say.
//
// A batch is first written straight through. Should the database refuse a
// row, that attempt is rolled back and the batch written again carefully:
// each step in a savepoint, so that a refusal fails its row alone. (A
// savepoint around every batch cost a sixth of an import on SQLite, which
// copies each page a savepoint first changes.)
func (im *Importer) flush(ctx context.Context, p access.Principal, o *schema.Object, batch []pending, opt Options, res *Result, fail func(int, []string, string), companies map[string]string) error {
	names, err := im.missingCompanies(ctx, p, batch, companies)
	if err != nil {
		return err
	}
	dups, err := im.duplicates(ctx, p, o, opt.Dedupe, batch)
	if err != nil {
		return err
	}
	attempt := func(careful bool) error {
		return im.Eng.Tx(ctx, func(tx *sql.Tx) error {
			w := &batchWrite{im: im, ctx: ctx, tx: tx, p: p, opt: opt, careful: careful, known: companies, made: map[string]string{}}
			if err := w.write(o, batch, dups, names); err != nil {
				return err
			}
			// All written: now it counts.
			for _, f := range w.failed {
				fail(f.b.line, f.b.row, f.reason)
			}
			for _, c := range w.journal {
				if err := journal(opt, c.object, c.id, c.before); err != nil {
					return err
				}
			}
			for k, id := range w.made {
				companies[k] = id
			}
			res.Created += w.res.Created
			res.Updated += w.res.Updated
			res.Skipped += w.res.Skipped
			if opt.Commit == nil {
				return nil
			}
			return opt.Commit(tx, *res)
		})
	}
	if err := attempt(false); !errors.Is(err, errRefused) {
		return err
	}
	return attempt(true)
}

// batchWrite is one attempt at writing a batch. What it did (counts,
// failed rows, journal, companies made) is kept here and told only once
// it has written everything, since an attempt that meets a refusal
// without savepoints is rolled back and made again.
type batchWrite struct {
	im      *Importer
	ctx     context.Context
	tx      *sql.Tx
	p       access.Principal
	opt     Options
	careful bool // each step in a savepoint, a refusal failing its rows alone
	res     Result
	failed  []failedRow
	journal []change
	known   map[string]string // companies found before: lower-cased name → id
	made    map[string]string // and made by this attempt
}

type failedRow struct {
	b      pending
	reason string
}

type change struct {
	object, id string
	before     map[string]any
}

// errRefused stops an attempt without savepoints at the first refusal.
var errRefused = errors.New("import: a row was refused; the batch is written again row by row")

// step runs fn: in a savepoint when careful, so that a refusal takes back
// fn's writes alone; otherwise a refusal stops the attempt.
func (w *batchWrite) step(fn func() error) error {
	if w.careful {
		return w.im.Eng.Savepoint(w.ctx, w.tx, fn)
	}
	err := fn()
	if fault.As(err) != nil {
		return errRefused
	}
	return err
}

func (w *batchWrite) write(o *schema.Object, batch []pending, dups []records.Record, names []string) error {
	if err := w.makeCompanies(names); err != nil {
		return err
	}
	var creates, updates []pending
	var updateIDs []string
	for i, b := range batch {
		if b.company != "" {
			k := strings.ToLower(b.company)
			id := w.known[k]
			if id == "" {
				id = w.made[k]
			}
			if id == "" {
				w.failed = append(w.failed, failedRow{b, fmt.Sprintf("company: %q cannot be made a company's name", b.company)})
				continue
			}
			b.in["company_id"] = id
		}
		dup := dups[i]
		switch {
		case dup == nil || w.opt.OnDuplicate == "create":
			creates = append(creates, b)
		case w.opt.OnDuplicate == "skip":
			w.res.Skipped++
		case !w.careful:
			updates, updateIDs = append(updates, b), append(updateIDs, dup.ID())
		default:
			if err := w.update(o, b, dup.ID()); err != nil {
				if fault.As(err) == nil {
					return err
				}
				w.failed = append(w.failed, failedRow{b, reasonOf(err)})
				continue
			}
			w.res.Updated++
		}
	}
	if err := w.updateAll(o, updates, updateIDs); err != nil {
		return err
	}
	return w.create(o, creates)
}

// updateAll writes rows over the records they duplicate (ids[i] is
// items[i]'s) together, with their notes: the way straight through (a
// careful attempt updates one by one).
func (w *batchWrite) updateAll(o *schema.Object, items []pending, ids []string) error {
	if len(items) == 0 {
		return nil
	}
	inputs := make([]map[string]any, len(items))
	for i, b := range items {
		inputs[i] = b.in
	}
	var before, after, notes []records.Record
	err := w.step(func() error {
		var err error
		if before, after, err = w.im.Eng.UpdateManyIn(w.ctx, w.tx, w.p, o.Name, ids, inputs); err != nil {
			return err
		}
		notes, err = w.writeNotes(items, ids)
		return err
	})
	if err != nil {
		return err
	}
	for i, b := range items {
		if after[i].Version() != before[i].Version() {
			w.journal = append(w.journal, change{o.Name, ids[i], beforeOf(before[i], b.in)})
		}
	}
	w.res.Updated += len(items)
	w.created("activities", notes)
	return nil
}

// makeCompanies creates the companies named, all at once or, when that is
// refused, one by one so that a bad name fails only its rows.
func (w *batchWrite) makeCompanies(names []string) error {
	if len(names) == 0 {
		return nil
	}
	inputs := make([]map[string]any, len(names))
	for i, n := range names {
		inputs[i] = map[string]any{"name": n}
	}
	var recs []records.Record
	err := w.step(func() error {
		var err error
		recs, err = w.im.Eng.CreateManyIn(w.ctx, w.tx, w.p, "companies", inputs)
		return err
	})
	if fault.As(err) != nil {
		recs = nil
		for _, in := range inputs {
			err := w.step(func() error {
				one, err := w.im.Eng.CreateManyIn(w.ctx, w.tx, w.p, "companies", []map[string]any{in})
				recs = append(recs, one...)
				return err
			})
			if err != nil && fault.As(err) == nil {
				return err
			}
		}
	} else if err != nil {
		return err
	}
	for _, rec := range recs {
		w.made[strings.ToLower(rec["name"].(string))] = rec.ID()
	}
	w.created("companies", recs)
	return nil
}

// update writes a row over the record it duplicates, with its notes, and
// journals the values it overwrote.
func (w *batchWrite) update(o *schema.Object, b pending, id string) error {
	var before, after records.Record
	var notes []records.Record
	err := w.step(func() error {
		var err error
		if before, after, err = w.im.Eng.UpdateIn(w.ctx, w.tx, w.p, o.Name, id, b.in); err != nil {
			return err
		}
		notes, err = w.writeNotes([]pending{b}, []string{id})
		return err
	})
	if err != nil {
		return err
	}
	if after.Version() != before.Version() {
		w.journal = append(w.journal, change{o.Name, id, beforeOf(before, b.in)})
	}
	w.created("activities", notes)
	return nil
}

// create writes a batch's new records with their notes: together, or,
// when careful and they are refused together, one by one, so that each
// refusal lands on its own line.
func (w *batchWrite) create(o *schema.Object, creates []pending) error {
	if len(creates) == 0 {
		return nil
	}
	write := func(items []pending) error {
		inputs := make([]map[string]any, len(items))
		for i, b := range items {
			inputs[i] = b.in
		}
		var recs, notes []records.Record
		err := w.step(func() error {
			var err error
			if recs, err = w.im.Eng.CreateManyIn(w.ctx, w.tx, w.p, o.Name, inputs); err != nil {
				return err
			}
			ids := make([]string, len(recs))
			for i, rec := range recs {
				ids[i] = rec.ID()
			}
			notes, err = w.writeNotes(items, ids)
			return err
		})
		if err != nil {
			return err
		}
		w.res.Created += len(recs)
		w.created(o.Name, recs)
		w.created("activities", notes)
		return nil
	}
	if err := write(creates); fault.As(err) == nil {
		return err
	}
	for _, b := range creates {
		if err := write([]pending{b}); err != nil {
			if fault.As(err) == nil {
				return err
			}
			w.failed = append(w.failed, failedRow{b, reasonOf(err)})
		}
	}
	return nil
}

// created journals records the import made.
func (w *batchWrite) created(object string, recs []records.Record) {
	for _, rec := range recs {
		w.journal = append(w.journal, change{object, rec.ID(), nil})
	}
}

// writeNotes writes the notes of rows as note activities on their records
// (ids[i] is items[i]'s), all in one statement.
func (w *batchWrite) writeNotes(items []pending, ids []string) ([]records.Record, error) {
	var inputs []map[string]any
	for i, b := range items {
		for _, n := range b.notes {
			inputs = append(inputs, map[string]any{"kind": "note", "subject": "vCard note", "body": n,
				"related": []any{map[string]any{"object": "contacts", "id": ids[i]}}})
		}
	}
	if len(inputs) == 0 {
		return nil, nil
	}
	return w.im.Eng.CreateManyIn(w.ctx, w.tx, w.p, "activities", inputs)
}
