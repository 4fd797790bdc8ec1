// Package imports runs CSV imports as durable jobs: the upload is stored
// with its options, a job reads it in batches and records how far it got
// after each, so that an import whose process died resumes where it
// stopped, and anyone can watch its progress.
package imports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/store"
)

// JobKind is the kind of import jobs.
const JobKind = "import"

// MaxFile bounds an uploaded file.
const MaxFile = 256 << 20

// Import is an import's state, as the API shows it.
type Import struct {
	ID        string            `json:"id"`
	Object    string            `json:"object"`
	Filename  string            `json:"filename"`
	Status    string            `json:"status"` // draft (web wizard), queued, running, done, failed, undone
	RowsTotal int               `json:"rows_total"`
	RowsDone  int               `json:"rows_done"`
	Created   int               `json:"created"`
	Updated   int               `json:"updated"`
	Skipped   int               `json:"skipped"`
	Failed    int               `json:"failed"`
	Message   string            `json:"message,omitempty"`
	Mapping   map[string]string `json:"mapping"`
	// Source is "upload" (through the API or the web, run as a job that
	// resumes by itself) or "command line" (rapport import, resumed by
	// running the same command again).
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Interrupted reports whether a command-line import stopped half-way: it
// says running, but has recorded no batch for a minute (a running one
// records a batch every second or so).
func (im *Import) Interrupted(now time.Time) bool {
	return im.Source == "command line" && (im.Status == "running" || im.Status == "queued") && now.Sub(im.UpdatedAt) > time.Minute
}

// Service submits, runs and reports imports.
type Service struct {
	db    *store.DB
	eng   *records.Engine
	queue *jobs.Queue
	now   func() time.Time
}

// New registers the job handler. Call at start-up.
func New(db *store.DB, eng *records.Engine, queue *jobs.Queue, now func() time.Time) *Service {
	s := &Service{db: db, eng: eng, queue: queue, now: now}
	queue.Handle(JobKind, s.run)
	return s
}

type stored struct {
	Options   exchange.Options `json:"options"`
	RowsTotal int              `json:"rows_total"`
	// Source tells a file on disk (path, size, modification time) that an
	// interrupted run of the command line may resume.
	Source string `json:"source,omitempty"`
}

// Submit checks an upload (the object, the caller's right to create its
// records, the header and the mapping) and queues its import, in one
// transaction; the rows are read by the job.
func (s *Service) Submit(ctx context.Context, p access.Principal, object, filename string, data []byte, opt exchange.Options) (*Import, error) {
	return s.store(ctx, p, object, filename, data, opt, true)
}

// Draft stores an upload without starting it, for the web's import wizard
// to show the guessed mapping and a preview before Start.
func (s *Service) Draft(ctx context.Context, p access.Principal, object, filename string, data []byte) (*Import, error) {
	return s.store(ctx, p, object, filename, data, exchange.Options{}, false)
}

// Preview is a draft's header, its first rows and the guessed mapping.
type Preview struct {
	Header []string
	Rows   [][]string
}

// Preview reads a draft's header and first rows.
func (s *Service) Preview(ctx context.Context, p access.Principal, id string, n int) (*Preview, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	var data []byte
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT file FROM imports WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id).Scan(&data); err != nil {
		return nil, err
	}
	cr, err := exchange.NewCSVReader(bytes.NewReader(data))
	if err != nil {
		return nil, fault.Invalid(fault.FieldError{Field: "file", Message: err.Error()})
	}
	out := &Preview{Header: cr.Header}
	for len(out.Rows) < n {
		_, row, err := cr.Read()
		if err != nil {
			break
		}
		out.Rows = append(out.Rows, slices.Clone(row))
	}
	return out, nil
}

// Start queues a draft with the options the user confirmed.
func (s *Service) Start(ctx context.Context, p access.Principal, id string, opt exchange.Options) (*Import, error) {
	im, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if im.Status != "draft" {
		return nil, fault.Conflict("", "import %s has started already", id)
	}
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	o, _ := sch.Object(im.Object)
	pv, err := s.Preview(ctx, p, id, 0)
	if err != nil {
		return nil, err
	}
	if err := exchange.CheckOptions(o, pv.Header, opt); err != nil {
		return nil, err
	}
	var opts string
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT options FROM imports WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id).Scan(&opts); err != nil {
		return nil, err
	}
	var st stored
	_ = json.Unmarshal([]byte(opts), &st)
	st.Options = opt
	b, _ := json.Marshal(st)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'queued', options = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2 AND status = 'draft'`,
			p.WorkspaceID, id, string(b), s.db.Dialect().Time(s.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.Conflict("", "import %s has started already", id)
		}
		return s.enqueue(ctx, tx, p, id)
	})
	if err != nil {
		return nil, err
	}
	s.queue.Kick()
	return s.Get(ctx, p, id)
}

func (s *Service) store(ctx context.Context, p access.Principal, object, filename string, data []byte, opt exchange.Options, start bool) (*Import, error) {
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	o, ok := sch.Object(object)
	if !ok {
		return nil, fault.Invalid(fault.FieldError{Field: "object", Message: fmt.Sprintf("no object %q", object)})
	}
	if err := access.CanCreate(p, object); err != nil {
		return nil, err
	}
	if len(data) > MaxFile {
		return nil, fault.TooLarge("file: at most %d MiB", MaxFile>>20)
	}
	var header []string
	if exchange.IsVCard(data[:min(len(data), 64)]) {
		if object != "contacts" {
			return nil, fault.Invalid(fault.FieldError{Field: "object", Message: "vCards import into contacts"})
		}
		opt.Mapping = nil
	} else {
		cr, err := exchange.NewCSVReader(bytes.NewReader(data))
		if err != nil {
			return nil, fault.Invalid(fault.FieldError{Field: "file", Message: err.Error()})
		}
		header = cr.Header
		if opt.Mapping == nil {
			opt.Mapping = exchange.GuessMapping(o, header)
		}
	}
	if err := exchange.CheckOptions(o, header, opt); err != nil {
		return nil, err
	}
	status := "queued"
	if !start {
		status = "draft"
	}
	total := bytes.Count(data, []byte{'\n'}) // an estimate: quoted newlines count too
	if header == nil {
		total = bytes.Count(bytes.ToUpper(data), []byte("BEGIN:VCARD")) + 1 // cards, plus the "header" taken off below
	}
	st, _ := json.Marshal(stored{Options: opt, RowsTotal: max(total-1, 0)})
	id := uuid.Must(uuid.NewV7()).String()
	now := s.now().UTC()
	d := s.db.Dialect()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO imports (workspace_id, id, object, filename, options, file, status, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $9, $7, $8, $8)`, p.WorkspaceID, id, object, filename, string(st), data, nullable(p.UserID), d.Time(now), status); err != nil {
			return err
		}
		if !start {
			return nil
		}
		return s.enqueue(ctx, tx, p, id)
	})
	if err != nil {
		return nil, err
	}
	s.queue.Kick()
	return s.Get(ctx, p, id)
}

// enqueue queues an import's job; the job acts as the user who started it.
func (s *Service) enqueue(ctx context.Context, tx *sql.Tx, p access.Principal, id string) error {
	return s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: p.WorkspaceID, Kind: JobKind, UniqueKey: "import:" + id,
		Payload: map[string]string{"import_id": id, "user_id": p.UserID, "role": string(p.Role)}, MaxAttempts: 5})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Get reads an import's state.
func (s *Service) Get(ctx context.Context, p access.Principal, id string) (*Import, error) {
	im, err := scanImport(s.db.Reader().QueryRowContext(ctx, `SELECT `+importColumns+` FROM imports WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("no import with id %q", id)
	}
	if err != nil {
		return nil, err
	}
	if err := access.CanRead(p, im.Object); err != nil {
		return nil, err
	}
	return im, nil
}

// List returns the workspace's imports that p may see, newest first, a
// page at a time: after is the last id of the page before, and next is
// "" on the last page.
func (s *Service) List(ctx context.Context, p access.Principal, after string, size int) (list []Import, next string, err error) {
	if after != "" {
		if _, err := uuid.Parse(after); err != nil {
			return nil, "", fault.Invalid(fault.FieldError{Field: "page_token", Message: "is not one this list gave (use next_page_token of the page before)"})
		}
	}
	list = []Import{}
	for {
		rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+importColumns+` FROM imports WHERE workspace_id = $1 AND ($2 = '' OR id < $2) AND status <> 'draft'
			ORDER BY id DESC LIMIT $3`, p.WorkspaceID, after, size+1)
		if err != nil {
			return nil, "", err
		}
		read := 0
		for rows.Next() {
			read++
			im, err := scanImport(rows)
			if err != nil {
				rows.Close()
				return nil, "", err
			}
			after = im.ID
			if access.CanRead(p, im.Object) == nil && len(list) <= size {
				list = append(list, *im)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, "", err
		}
		if len(list) > size {
			return list[:size], list[size-1].ID, nil
		}
		if read <= size {
			return list, "", nil
		}
	}
}

const importColumns = `id, object, filename, options, file IS NULL, status, rows_done, created, updated, skipped, failed, message, created_at, updated_at`

// scanImport reads a row of importColumns.
func scanImport(row interface{ Scan(...any) error }) (*Import, error) {
	var im Import
	var opts string
	var fromDisk bool
	var created, updated store.NullTime
	err := row.Scan(&im.ID, &im.Object, &im.Filename, &opts, &fromDisk, &im.Status, &im.RowsDone, &im.Created, &im.Updated, &im.Skipped, &im.Failed, &im.Message, &created, &updated)
	if err != nil {
		return nil, err
	}
	var st stored
	_ = json.Unmarshal([]byte(opts), &st)
	im.Mapping, im.RowsTotal = st.Options.Mapping, max(st.RowsTotal, im.RowsDone)
	im.CreatedAt, im.UpdatedAt = created.Time, updated.Time
	im.Source = "upload"
	if fromDisk {
		im.Source = "command line"
	}
	return &im, nil
}

// Errors returns an import's failed rows as CSV: line, reason, the row.
func (s *Service) Errors(ctx context.Context, p access.Principal, id string) (string, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return "", err
	}
	var out string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT errors FROM imports WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id).Scan(&out)
	return out, err
}

// run is the job: it reads the stored file past the rows done already.
func (s *Service) run(ctx context.Context, j *jobs.Job) error {
	var pl struct {
		ImportID string `json:"import_id"`
		UserID   string `json:"user_id"`
		Role     string `json:"role"`
	}
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	p := access.Principal{WorkspaceID: j.WorkspaceID, UserID: pl.UserID, Role: access.Role(pl.Role)}
	var data []byte
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT file FROM imports WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, pl.ImportID).Scan(&data); err != nil {
		return jobs.Permanent(fmt.Errorf("import %s: %w", pl.ImportID, err))
	}
	_, err := s.execute(ctx, p, pl.ImportID, bytes.NewReader(data), exchange.IsVCard(data[:min(len(data), 64)]),
		func(exchange.Result) error { return s.queue.Heartbeat(ctx, j) })
	if err != nil && ctx.Err() != nil {
		// Stopping: whatever failed, failed for that (a statement cut
		// short, a transaction rolled back under it). The job is released
		// and the import resumes after its last batch.
		return ctx.Err()
	}
	if fault.As(err) != nil {
		return jobs.Permanent(err)
	}
	return err // retried: it resumes after the last batch recorded
}

// execute reads an import's file (src) past the rows done already, and
// after each batch records the counts, what it changed and the new failed
// rows, in the transaction that wrote the batch. progress hears of each
// batch. A refusal of the whole file fails the import; any other error
// leaves it to be resumed.
func (s *Service) execute(ctx context.Context, p access.Principal, id string, src io.Reader, vcard bool, progress func(exchange.Result) error) (exchange.Result, error) {
	var object, opts, status string
	var done, created, updated, skipped, failed int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT object, options, status, rows_done, created, updated, skipped, failed FROM imports WHERE workspace_id = $1 AND id = $2`,
		p.WorkspaceID, id).Scan(&object, &opts, &status, &done, &created, &updated, &skipped, &failed)
	if errors.Is(err, sql.ErrNoRows) {
		return exchange.Result{}, fault.NotFound("no import with id %q", id)
	}
	if err != nil {
		return exchange.Result{}, err
	}
	if status == "done" || status == "failed" || status == "draft" || status == "undone" {
		return exchange.Result{}, nil
	}
	var st stored
	if err := json.Unmarshal([]byte(opts), &st); err != nil {
		return exchange.Result{}, err
	}
	st.Options.Skip = done
	d := s.db.Dialect()
	if _, err := s.db.Writer().ExecContext(ctx, `UPDATE imports SET status = 'running', updated_at = $3 WHERE workspace_id = $1 AND id = $2`,
		p.WorkspaceID, id, d.Time(s.now())); err != nil {
		return exchange.Result{}, err
	}
	var errBuf bytes.Buffer
	var changes []change
	st.Options.Journal = func(object, id string, before map[string]any) error {
		changes = append(changes, change{object: object, id: id, before: before})
		return nil
	}
	var seq int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM import_changes WHERE workspace_id = $1 AND import_id = $2`, p.WorkspaceID, id).Scan(&seq); err != nil {
		return exchange.Result{}, err
	}
	// commit records progress: the journal, the counts and the failed rows
	// of what was written, in the transaction that wrote it when there is
	// one.
	commit := func(tx *sql.Tx, r exchange.Result, status string) error {
		write := func(tx *sql.Tx) error {
			if err := s.journal(ctx, tx, p.WorkspaceID, id, seq, changes); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE imports SET rows_done = $3, created = $4, updated = $5, skipped = $6, failed = $7, status = $8,
				errors = errors || $9, updated_at = $10 WHERE workspace_id = $1 AND id = $2`,
				p.WorkspaceID, id, done+r.Rows, created+r.Created, updated+r.Updated, skipped+r.Skipped, failed+r.Failed, status, errBuf.String(), d.Time(s.now()))
			return err
		}
		var err error
		if tx == nil {
			err = s.db.Tx(ctx, write)
		} else {
			err = write(tx)
		}
		// Whatever happened, these are written or will be read again.
		seq += len(changes)
		changes = changes[:0]
		errBuf.Reset()
		return err
	}
	st.Options.Commit = func(tx *sql.Tx, r exchange.Result) error { return commit(tx, r, "running") }
	im := &exchange.Importer{Eng: s.eng}
	var res exchange.Result
	if vcard {
		res, err = im.ImportVCard(ctx, p, src, st.Options, &errBuf, progress)
	} else {
		res, err = im.ImportCSV(ctx, p, object, src, st.Options, &errBuf, progress)
	}
	if err != nil {
		if fault.As(err) != nil && ctx.Err() == nil {
			_, _ = s.db.Writer().ExecContext(context.WithoutCancel(ctx), `UPDATE imports SET status = 'failed', message = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2`,
				p.WorkspaceID, id, err.Error(), d.Time(s.now()))
		}
		return res, err
	}
	return res, commit(nil, res, "done")
}

// journal writes what a batch changed, numbered on from seq, a few hundred
// rows a statement.
func (s *Service) journal(ctx context.Context, tx *sql.Tx, ws, id string, seq int, changes []change) error {
	const perStatement = 500
	d := s.db.Dialect()
	for start := 0; start < len(changes); start += perStatement {
		batch := changes[start:min(start+perStatement, len(changes))]
		var b strings.Builder
		b.WriteString(`INSERT INTO import_changes (workspace_id, import_id, seq, object, record_id, before) VALUES `)
		args := make([]any, 0, 6*len(batch))
		for i, c := range batch {
			var before any
			if c.before != nil {
				j, _ := json.Marshal(c.before)
				before = string(j)
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for k := range 6 {
				if k > 0 {
					b.WriteString(", ")
				}
				b.WriteString(d.Positional(len(args) + k + 1))
			}
			b.WriteString(")")
			args = append(args, ws, id, seq+start+i+1, c.object, c.id, before)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("import journal: %w", err)
		}
	}
	return nil
}

type change struct {
	object, id string
	before     map[string]any
}

// Undo takes an import back: the records it created go to the trash (the
// companies and notes it made too), and the values it overwrote are put
// back. Records changed since keep those later changes only where the
// import did not write.
func (s *Service) Undo(ctx context.Context, p access.Principal, id string) (*Import, error) {
	im, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if im.Status != "done" && im.Status != "failed" {
		return nil, fault.Conflict("", "import %s is %s: only a finished import can be undone", id, im.Status)
	}
	if err := access.CanCreate(p, im.Object); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT object, record_id, before FROM import_changes WHERE workspace_id = $1 AND import_id = $2 ORDER BY seq DESC`, p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	var todo []change
	for rows.Next() {
		var c change
		var before sql.NullString
		if err := rows.Scan(&c.object, &c.id, &before); err != nil {
			rows.Close()
			return nil, err
		}
		if before.Valid {
			d := json.NewDecoder(bytes.NewReader([]byte(before.String)))
			d.UseNumber()
			_ = d.Decode(&c.before)
		}
		todo = append(todo, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range todo {
		if c.before == nil {
			err = s.eng.Trash(ctx, p, c.object, c.id)
		} else {
			_, err = s.eng.Update(ctx, p, c.object, c.id, c.before, nil)
		}
		if err != nil && fault.As(err) == nil {
			return nil, err // refusals (gone since, a value taken since) leave that record as it is
		}
	}
	if _, err := s.db.Writer().ExecContext(ctx, `UPDATE imports SET status = 'undone', updated_at = $3 WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id, s.db.Dialect().Time(s.now())); err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}
