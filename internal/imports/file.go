package imports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/fault"
)

// FileRun is an import of a file on disk (the command line's), as it went.
type FileRun struct {
	*Import
	// Resumed is how many rows an earlier, interrupted run of the same
	// import had done (0 for a new import).
	Resumed int
	// Abandoned names an interrupted import of the same path that could not
	// be resumed because the file has changed since.
	Abandoned *Import
}

// ImportFile imports the file at path like an upload, without storing it:
// the import is recorded (its counts, what it changed, so that it can be
// undone, and its failed rows) a batch at a time. When an import of the
// same file (same path, size and modification time) was interrupted, this
// resumes it after the rows it had done; when the file has changed since,
// the interrupted one is marked failed and reported, and a new one starts.
// progress hears after each batch the counts of this run and how many of
// the file's bytes have been read.
func (s *Service) ImportFile(ctx context.Context, p access.Principal, object, path string, opt exchange.Options, progress func(r exchange.Result, read, size int64) error) (*FileRun, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	source := fmt.Sprintf("%s|%d|%d", abs, info.Size(), info.ModTime().UnixNano())
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	vcard := exchange.IsVCard(head)

	run := &FileRun{}
	id, abandoned, err := s.interrupted(ctx, p, object, abs, source)
	if err != nil {
		return nil, err
	}
	run.Abandoned = abandoned
	if id == "" {
		if id, err = s.startFile(ctx, p, object, abs, source, info.Size(), head, vcard, opt); err != nil {
			return nil, err
		}
	} else {
		im, err := s.Get(ctx, p, id)
		if err != nil {
			return nil, err
		}
		run.Resumed = im.RowsDone
	}
	read := &countingReader{r: f}
	tell := func(r exchange.Result) error {
		if progress == nil {
			return nil
		}
		return progress(r, read.n.Load(), info.Size())
	}
	if _, err := s.execute(ctx, p, id, read, vcard, tell); err != nil {
		return nil, err
	}
	if run.Import, err = s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	return run, nil
}

// countingReader counts the bytes read, for progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// interrupted finds an unfinished import of the file at path: its id when
// the file is the same (source), or, marked failed, the import that can no
// longer be resumed.
func (s *Service) interrupted(ctx context.Context, p access.Principal, object, path, source string) (string, *Import, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, options FROM imports WHERE workspace_id = $1 AND object = $2 AND filename = $3
		AND file IS NULL AND status IN ('queued', 'running') ORDER BY created_at DESC`, p.WorkspaceID, object, path)
	if err != nil {
		return "", nil, err
	}
	type found struct{ id, source string }
	var all []found
	for rows.Next() {
		var id, opts string
		if err := rows.Scan(&id, &opts); err != nil {
			rows.Close()
			return "", nil, err
		}
		var st stored
		_ = json.Unmarshal([]byte(opts), &st)
		all = append(all, found{id, st.Source})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	var abandoned *Import
	for _, f := range all {
		if f.source == source {
			return f.id, abandoned, nil
		}
		if _, err := s.db.Writer().ExecContext(ctx, `UPDATE imports SET status = 'failed', message = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2`,
			p.WorkspaceID, f.id, "interrupted, and not resumed: the file has changed since", s.db.Dialect().Time(s.now())); err != nil {
			return "", nil, err
		}
		if abandoned, err = s.Get(ctx, p, f.id); err != nil {
			return "", nil, err
		}
	}
	return "", abandoned, nil
}

// startFile checks a file's header and options as Submit does an upload's,
// and records a running import of it.
func (s *Service) startFile(ctx context.Context, p access.Principal, object, path, source string, size int64, head []byte, vcard bool, opt exchange.Options) (string, error) {
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return "", err
	}
	o, ok := sch.Object(object)
	if !ok {
		return "", fault.Invalid(fault.FieldError{Field: "object", Message: fmt.Sprintf("no object %q", object)})
	}
	if err := access.CanCreate(p, object); err != nil {
		return "", err
	}
	if vcard {
		if object != "contacts" {
			return "", fault.Invalid(fault.FieldError{Field: "object", Message: "vCards import into contacts"})
		}
		opt.Mapping = nil
	} else {
		cr, err := exchange.NewCSVReader(bytes.NewReader(head))
		if err != nil {
			return "", fault.Invalid(fault.FieldError{Field: "file", Message: err.Error()})
		}
		if opt.Mapping == nil {
			opt.Mapping = exchange.GuessMapping(o, cr.Header)
		}
		if err := exchange.CheckOptions(o, cr.Header, opt); err != nil {
			return "", err
		}
	}
	// The rows to come, estimated from the lines of the first 64 KiB.
	total := bytes.Count(head, []byte{'\n'})
	if vcard {
		total = bytes.Count(bytes.ToUpper(head), []byte("BEGIN:VCARD")) + 1
	}
	if len(head) > 0 && int64(len(head)) < size {
		total = int(int64(total) * size / int64(len(head)))
	}
	st, _ := json.Marshal(stored{Options: opt, Source: source, RowsTotal: max(total-1, 0)})
	id := uuid.Must(uuid.NewV7()).String()
	now := s.db.Dialect().Time(s.now().UTC())
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO imports (workspace_id, id, object, filename, options, status, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $7)`, p.WorkspaceID, id, object, path, string(st), nullable(p.UserID), now)
		return err
	})
	return id, err
}
