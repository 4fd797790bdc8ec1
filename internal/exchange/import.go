package exchange

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/phone"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// Options says how an import maps and dedupes.
type Options struct {
	// Mapping maps CSV columns to fields ("company_id:name" links a
	// company by its name); nil guesses it from the header.
	Mapping     map[string]string
	Dedupe      string // email, phone or none
	OnDuplicate string // update, skip or create
	BatchSize   int    // rows per transaction; 0 for 5,000
	// Skip passes over the first rows (not counting blank ones): those an
	// interrupted run of the same import wrote already.
	Skip int `json:"skip,omitempty"`
	// Journal, when set, hears of every record the import creates (before
	// is nil) or changes (before holds the values it overwrote), so that
	// the import can be undone.
	Journal func(object, id string, before map[string]any) error `json:"-"`
	// Commit, when set, records an import's progress (the counts so far,
	// the journal, the failed rows) in the transaction that writes a
	// batch and all it does. A batch and its progress commit together, so
	// an import resumed after a crash does no row twice and leaves nothing
	// out of its journal.
	Commit func(tx *sql.Tx, r Result) error `json:"-"`
}

// Result counts what an import did.
type Result struct {
	Rows, Created, Updated, Skipped, Failed int
	Mapping                                 map[string]string
}

// String is the CLI's last line.
func (r Result) String() string {
	return fmt.Sprintf("created %d, updated %d, skipped %d, failed %d", r.Created, r.Updated, r.Skipped, r.Failed)
}

// Importer writes rows of a CSV file as records through the engine.
type Importer struct {
	Eng *records.Engine
}

type pending struct {
	line int
	row  []string
	in   map[string]any
	// notes become note activities on the row's record, written with it
	// (a vCard's NOTEs and what it had no field for).
	notes []string
	// company is the name of the company to link the row to, found or
	// created for the whole batch at once (only for rows that are good).
	company string
}

// ImportCSV reads a CSV file and creates or updates a record per row: each
// row is converted and checked on its own, so bad rows are reported (to
// errs, as CSV: line, reason, then the row) and never stop the import.
// Good rows are written in batches, each in one transaction with its
// events; progress is called after each batch with the counts so far (the
// errors of the batch flushed to errs), and an error from it stops the
// import.
func (im *Importer) ImportCSV(ctx context.Context, p access.Principal, object string, src io.Reader, opt Options, errs io.Writer, progress func(Result) error) (Result, error) {
	o, cr, err := im.open(ctx, p, object, src, &opt)
	if err != nil {
		return Result{}, err
	}
	r := im.newRun(ctx, p, o, opt, errs, cr.Header, progress)
	err = eachRow(ctx, cr, o, opt, r.opt.BatchSize, func(it row) error {
		if it.reason != "" {
			r.fail(it.line, it.cells, it.reason)
			return nil
		}
		return r.add(it.pending)
	})
	if err != nil {
		return r.res, err
	}
	return r.finish()
}

// open checks the object, the caller's right to create its records, the
// header and the options, guessing the mapping when there is none.
func (im *Importer) open(ctx context.Context, p access.Principal, object string, src io.Reader, opt *Options) (*schema.Object, *CSVReader, error) {
	s, err := im.Eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return nil, nil, err
	}
	o, ok := s.Object(object)
	if !ok {
		return nil, nil, fault.NotFound("no object %q", object)
	}
	if err := access.CanCreate(p, object); err != nil {
		return nil, nil, err
	}
	cr, err := NewCSVReader(src)
	if err != nil {
		return nil, nil, fault.BadRequest("file: %v", err)
	}
	if opt.Mapping == nil {
		opt.Mapping = GuessMapping(o, cr.Header)
	}
	if err := CheckOptions(o, cr.Header, *opt); err != nil {
		return nil, nil, err
	}
	return o, cr, nil
}

// row is one row of the file, read and checked: good (pending) or not,
// with the reason.
type row struct {
	pending
	cells  []string
	reason string
}

// chunkSize is how many rows readRows sends at a time.
const chunkSize = 256

// eachRow hands the file's rows to fn in order while readRows reads them
// on another goroutine, up to ahead rows in advance: as many as a batch,
// so that the next batch is ready by the time one is written. The first
// error, fn's or the file's, stops both.
func eachRow(ctx context.Context, cr *CSVReader, o *schema.Object, opt Options, ahead int, fn func(row) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows := make(chan []row, ahead/chunkSize+1)
	var readErr error
	go func() {
		defer close(rows)
		readErr = readRows(ctx, cr, o, opt, rows)
	}()
	for chunk := range rows {
		for _, it := range chunk {
			if err := fn(it); err != nil {
				cancel()
				for range rows { // let the reader stop
				}
				return err
			}
		}
	}
	return readErr
}

// readRows reads, converts and checks the file's rows and sends them in
// order, a few hundred at a time: the work of one core while another
// writes the batches. Rows an interrupted run did (opt.Skip) are passed
// over; the error is one of reading the file itself.
func readRows(ctx context.Context, cr *CSVReader, o *schema.Object, opt Options, out chan<- []row) error {
	skip := opt.Skip
	chunk := make([]row, 0, chunkSize)
	send := func() bool {
		select {
		case out <- chunk:
			chunk = make([]row, 0, chunkSize)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		line, cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parse *csv.ParseError
		if err != nil && !errors.As(err, &parse) {
			return fault.BadRequest("file: %v", err)
		}
		if err == nil && blank(cells) {
			continue // an empty line, or a row of empty cells
		}
		if skip > 0 {
			skip--
			continue
		}
		chunk = append(chunk, check(o, cr.Header, line, cells, err, opt.Mapping))
		if len(chunk) == chunkSize && !send() {
			return nil
		}
	}
	if len(chunk) > 0 {
		send()
	}
	return nil
}

// check converts and validates one row.
func check(o *schema.Object, header []string, line int, cells []string, err error, mapping map[string]string) row {
	r := row{pending: pending{line: line, row: cells}, cells: cells}
	if err != nil {
		r.reason = err.Error()
		return r
	}
	in, company, reason := convert(o, header, cells, mapping)
	if reason != "" {
		r.reason = reason
		return r
	}
	if _, err := schema.Validate(o, in, true); err != nil {
		r.reason = reasonOf(err)
		return r
	}
	for _, f := range o.Fields {
		if s, ok := in[f.Name].(string); ok && f.Kind == schema.Phone {
			phone.E164(s) // remembered for the search index the writer builds
		}
	}
	r.in, r.company = in, company
	return r
}

// CheckOptions refuses dedupe and duplicate rules that do not exist, and
// a mapping that names columns the file lacks or fields the object lacks.
func CheckOptions(o *schema.Object, header []string, opt Options) error {
	var bad []fault.FieldError
	switch opt.Dedupe {
	case "", "none":
	case "email", "phone":
		if _, ok := o.Field(opt.Dedupe); !ok {
			bad = append(bad, fault.FieldError{Field: "dedupe", Message: fmt.Sprintf("%s have no %s", o.Name, opt.Dedupe)})
		}
	default:
		bad = append(bad, fault.FieldError{Field: "dedupe", Message: "must be email, phone or none"})
	}
	switch opt.OnDuplicate {
	case "", "update", "skip", "create":
	default:
		bad = append(bad, fault.FieldError{Field: "on_duplicate", Message: "must be update, skip or create"})
	}
	cols := make([]string, 0, len(opt.Mapping))
	for c := range opt.Mapping {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, column := range cols {
		field := opt.Mapping[column]
		if indexOf(header, column) < 0 {
			bad = append(bad, fault.FieldError{Field: "mapping", Message: fmt.Sprintf("the file has no column %q", column)})
		}
		if f, ok := o.Field(strings.TrimSuffix(field, ":name")); !ok || f.ReadOnly || (strings.HasSuffix(field, ":name") && field != companyByName) {
			bad = append(bad, fault.FieldError{Field: "mapping", Message: fmt.Sprintf("%s have no field %q", o.Name, field)})
		}
	}
	if len(bad) > 0 {
		return fault.Invalid(bad...)
	}
	return nil
}

// convert maps and converts one row; company is the name of the company
// to link it to, and a reason says why the row cannot be taken.
func convert(o *schema.Object, header, row []string, mapping map[string]string) (in map[string]any, company, reason string) {
	in = map[string]any{}
	cols := make([]string, 0, len(mapping))
	for c := range mapping {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, column := range cols {
		field := mapping[column]
		i := indexOf(header, column)
		if i < 0 || i >= len(row) {
			continue
		}
		if field == companyByName {
			company = strings.TrimSpace(row[i])
			continue
		}
		f, _ := o.Field(field)
		v, err := Value(f, row[i])
		if err != nil {
			return nil, "", column + ": " + err.Error()
		}
		if v != nil {
			in[field] = v
		}
	}
	return in, company, ""
}

// missingCompanies looks up, in one query, the companies a batch names
// that the cache does not know yet, notes those found, and returns the
// names still to be made.
func (im *Importer) missingCompanies(ctx context.Context, p access.Principal, batch []pending, cache map[string]string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for _, b := range batch {
		if k := strings.ToLower(b.company); b.company != "" && cache[k] == "" && !seen[k] {
			seen[k] = true
			names = append(names, b.company)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	found, err := im.Eng.FindBy(ctx, p, "companies", "name", names)
	if err != nil {
		return nil, err
	}
	for name, rec := range found {
		cache[strings.ToLower(name)] = rec.ID()
	}
	missing := names[:0]
	for _, n := range names {
		if cache[strings.ToLower(n)] == "" {
			missing = append(missing, n)
		}
	}
	return missing, nil
}

// duplicates finds, for each row of a batch, the record it duplicates by
// the dedupe rule (nil where none), in one query: by email, or by phone
// through the search index (which holds each number in E.164).
func (im *Importer) duplicates(ctx context.Context, p access.Principal, o *schema.Object, dedupe string, batch []pending) ([]records.Record, error) {
	out := make([]records.Record, len(batch))
	if dedupe != "email" && dedupe != "phone" {
		return out, nil
	}
	var keys []string
	for _, b := range batch {
		if k := dedupeKey(b.in, dedupe); k != "" {
			keys = append(keys, k)
		}
	}
	find := im.Eng.FindBy
	if dedupe == "phone" {
		find = im.Eng.FindByPhone
	}
	existing, err := find(ctx, p, o.Name, dedupe, keys)
	if err != nil {
		return nil, err
	}
	for i, b := range batch {
		out[i] = existing[dedupeKey(b.in, dedupe)]
	}
	return out, nil
}

func dedupeKey(in map[string]any, by string) string {
	s, _ := in[by].(string)
	switch by {
	case "email":
		return strings.ToLower(strings.TrimSpace(s))
	case "phone":
		return phone.E164(s)
	}
	return ""
}

// reasonOf writes a refusal as one line: the fields and their messages.
func reasonOf(err error) string {
	fe := fault.As(err)
	if fe == nil || len(fe.Fields) == 0 {
		return err.Error()
	}
	parts := make([]string, len(fe.Fields))
	for i, f := range fe.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func journal(opt Options, object, id string, before map[string]any) error {
	if opt.Journal == nil {
		return nil
	}
	return opt.Journal(object, id, before)
}

// beforeOf is what an update overwrites: the record's values of the
// fields in the input, as an update takes them back (null for empty).
func beforeOf(rec records.Record, in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k := range in {
		out[k] = inputValue(rec[k])
	}
	return out
}

// inputValue turns a stored value back into what an update takes.
func inputValue(v any) any {
	switch t := v.(type) {
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case int64:
		return json.Number(strconv.FormatInt(t, 10))
	case float64:
		return json.Number(strconv.FormatFloat(t, 'f', -1, 64))
	case time.Time:
		return t.UTC().Format(time.RFC3339Nano)
	case []map[string]any:
		out := make([]any, len(t))
		for i, m := range t {
			out[i] = m
		}
		return out
	}
	return v
}
