package exchange

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/schema"
)

// run is one import under way, whatever the file: it collects good rows
// into batches, writes them, reports bad ones to the errors file, and
// tells progress after each batch.
type run struct {
	im        *Importer
	ctx       context.Context
	p         access.Principal
	o         *schema.Object
	opt       Options
	res       Result
	ew        *csv.Writer
	progress  func(Result) error
	companies map[string]string // lower-cased name → id
	batch     []pending
	inBatch   map[string]bool // dedupe keys of the batch
}

// defaultBatchSize is how many rows an import writes a transaction: a
// batch takes about half a second at a million contacts, which is how
// long other writers then wait on SQLite's single writer (2,000 a batch
// took 1M rows in 107 s, 5,000 in 90 s, 10,000 in 86 s).
const defaultBatchSize = 5000

func (im *Importer) newRun(ctx context.Context, p access.Principal, o *schema.Object, opt Options, errs io.Writer, head []string, progress func(Result) error) *run {
	if opt.OnDuplicate == "" {
		opt.OnDuplicate = "update"
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = defaultBatchSize
	}
	r := &run{im: im, ctx: ctx, p: p, o: o, opt: opt, ew: csv.NewWriter(errs), progress: progress,
		companies: map[string]string{}, inBatch: map[string]bool{}, res: Result{Mapping: opt.Mapping}}
	if opt.Skip == 0 {
		_ = r.ew.Write(append([]string{"line", "reason"}, head...))
	}
	if commit := opt.Commit; commit != nil {
		r.opt.Commit = func(tx *sql.Tx, res Result) error {
			r.ew.Flush() // the batch's failed rows go with its progress
			return commit(tx, res)
		}
	}
	return r
}

// fail reports a row that cannot be taken. Rows counts the rows dealt
// with: failed ones, and those in batches (counted as they join one).
func (r *run) fail(line int, row []string, reason string) {
	r.res.Failed++
	r.res.Rows++
	_ = r.ew.Write(append([]string{strconv.Itoa(line), reason}, row...))
}

// failQueued reports a row of a batch (counted already) that could not
// be written.
func (r *run) failQueued(line int, row []string, reason string) {
	r.res.Failed++
	_ = r.ew.Write(append([]string{strconv.Itoa(line), reason}, row...))
}

// skip reports whether a row was done by an earlier, interrupted run.
func (r *run) skip() bool {
	if r.opt.Skip > 0 {
		r.opt.Skip--
		return true
	}
	return false
}

// add queues a good row; a row whose dedupe key an earlier row of the
// batch has waits for that one to be written.
func (r *run) add(b pending) error {
	k := dedupeKey(b.in, r.opt.Dedupe)
	if k != "" && r.inBatch[k] {
		if err := r.flush(); err != nil {
			return err
		}
	}
	if k != "" {
		r.inBatch[k] = true
	}
	r.res.Rows++
	r.batch = append(r.batch, b)
	if len(r.batch) >= r.opt.BatchSize {
		return r.flush()
	}
	return nil
}

// flush writes the batch and tells progress.
func (r *run) flush() error {
	if len(r.batch) == 0 {
		return nil
	}
	if err := r.im.flush(r.ctx, r.p, r.o, r.batch, r.opt, &r.res, r.failQueued, r.companies); err != nil {
		return err
	}
	r.batch, r.inBatch = r.batch[:0], map[string]bool{}
	r.ew.Flush()
	if r.progress != nil {
		return r.progress(r.res)
	}
	return nil
}

// finish writes what is left.
func (r *run) finish() (Result, error) {
	if err := r.flush(); err != nil {
		return r.res, err
	}
	r.ew.Flush()
	return r.res, r.ew.Error()
}
