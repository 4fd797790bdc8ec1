package imports

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/fault"
)

// DryRunReport is what an import of a file would do, and its first failed
// rows.
type DryRunReport struct {
	Rows      int          `json:"rows"`
	Created   int          `json:"created"`
	Updated   int          `json:"updated"`
	Skipped   int          `json:"skipped"`
	Failed    int          `json:"failed"`
	Companies int          `json:"companies_created"`
	Errors    []FailedLine `json:"errors"`
}

// FailedLine is one failed row: its line in the file and why.
type FailedLine struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// maxDryRunErrors bounds the failed rows a dry run lists.
const maxDryRunErrors = 20

// DryRun counts what importing data (a CSV file) into object with opt
// would do, and writes nothing.
func (s *Service) DryRun(ctx context.Context, p access.Principal, object string, data []byte, opt exchange.Options) (*DryRunReport, error) {
	if exchange.IsVCard(data[:min(len(data), 64)]) {
		return nil, fault.Invalid(fault.FieldError{Field: "file", Message: "a dry run reads CSV files; vCards import by email straight away"})
	}
	sch, err := s.eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if _, ok := sch.Object(object); !ok {
		return nil, fault.Invalid(fault.FieldError{Field: "object", Message: fmt.Sprintf("no object %q", object)})
	}
	errs := &firstLines{max: 4 * maxDryRunErrors} // the header, then the rows
	im := &exchange.Importer{Eng: s.eng}
	res, err := im.DryRun(ctx, p, object, bytes.NewReader(data), opt, errs)
	if err != nil {
		return nil, err
	}
	out := &DryRunReport{Rows: res.Rows, Created: res.Created, Updated: res.Updated, Skipped: res.Skipped, Failed: res.Failed, Companies: res.Companies, Errors: []FailedLine{}}
	cr := csv.NewReader(bytes.NewReader(errs.buf.Bytes()))
	cr.FieldsPerRecord = -1
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if err != nil {
			break // the end, or a row cut off with the rest
		}
		if i > 0 && len(rec) >= 2 && len(out.Errors) < maxDryRunErrors {
			line, _ := strconv.Atoi(rec[0])
			out.Errors = append(out.Errors, FailedLine{Line: line, Reason: rec[1]})
		}
	}
	return out, nil
}

// DryRunDraft is DryRun over a draft's file.
func (s *Service) DryRunDraft(ctx context.Context, p access.Principal, id string, opt exchange.Options) (*DryRunReport, error) {
	im, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var data []byte
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT file FROM imports WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, id).Scan(&data); err != nil {
		return nil, err
	}
	return s.DryRun(ctx, p, im.Object, data, opt)
}

// firstLines keeps the first max lines written to it: of CSV, at most that
// many records, the last perhaps cut off at a quoted newline.
type firstLines struct {
	buf   bytes.Buffer
	max   int
	lines int
}

func (f *firstLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && f.lines < f.max {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			f.buf.Write(p)
			break
		}
		f.buf.Write(p[:i+1])
		p = p[i+1:]
		f.lines++
	}
	return n, nil
}

var _ io.Writer = (*firstLines)(nil)
