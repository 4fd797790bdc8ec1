package exchange

import (
	"context"
	"encoding/csv"
	"hash/maphash"
	"io"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
)

// DryRun is what an import would do.
type DryRun struct {
	Result
	// Companies is how many companies would be known by name.
	Companies int
}

// DryRun reads a file as ImportCSV does and counts what the import would
// do, writing nothing to the database: the rows that fail (reported to
// errs as ImportCSV reports them), those that duplicate a record or an
// earlier row and would be updated, skipped or created as the options say,
// the rest created, and the companies that linking by name would make. A
// row the database itself refuses at write time (a unique custom field
// taken) shows only in the real run.
func (im *Importer) DryRun(ctx context.Context, p access.Principal, object string, src io.Reader, opt Options, errs io.Writer) (DryRun, error) {
	o, cr, err := im.open(ctx, p, object, src, &opt)
	if err != nil {
		return DryRun{}, err
	}
	if opt.OnDuplicate == "" {
		opt.OnDuplicate = "update"
	}
	ew := csv.NewWriter(errs)
	_ = ew.Write(append([]string{"line", "reason"}, cr.Header...))
	var out DryRun
	out.Mapping = opt.Mapping
	// Keys seen earlier in the file and company names met (found or to be
	// made), by a 64-bit hash: memory stays small however long the file.
	seed := maphash.MakeSeed()
	seen, known := map[uint64]bool{}, map[uint64]bool{}
	hash := func(s string) uint64 { return maphash.String(seed, s) }
	var batch []pending
	count := func() error {
		var names []string
		for _, b := range batch {
			if b.company != "" && !known[hash(strings.ToLower(b.company))] {
				names = append(names, b.company)
			}
		}
		if len(names) > 0 {
			found, err := im.Eng.FindBy(ctx, p, "companies", "name", names)
			if err != nil {
				return err
			}
			for name := range found {
				known[hash(strings.ToLower(name))] = true // there already
			}
			for _, n := range names {
				if h := hash(strings.ToLower(n)); !known[h] {
					known[h] = true
					out.Companies++
				}
			}
		}
		dups, err := im.duplicates(ctx, p, o, opt.Dedupe, batch)
		if err != nil {
			return err
		}
		for i, b := range batch {
			k := dedupeKey(b.in, opt.Dedupe)
			dup := dups[i] != nil || (k != "" && seen[hash(k)])
			if k != "" {
				seen[hash(k)] = true
			}
			switch {
			case !dup || opt.OnDuplicate == "create":
				out.Created++
			case opt.OnDuplicate == "skip":
				out.Skipped++
			default:
				out.Updated++
			}
		}
		batch = batch[:0]
		return nil
	}
	err = eachRow(ctx, cr, o, Options{Mapping: opt.Mapping}, chunkSize, func(it row) error {
		out.Rows++
		if it.reason != "" {
			out.Failed++
			return ew.Write(append([]string{strconv.Itoa(it.line), it.reason}, it.cells...))
		}
		batch = append(batch, it.pending)
		if len(batch) == defaultBatchSize {
			return count()
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	if err := count(); err != nil {
		return out, err
	}
	ew.Flush()
	return out, ew.Error()
}
