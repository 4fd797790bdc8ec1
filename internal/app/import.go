package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
)

// mappings collects repeated --map "CSV column=field" flags.
type mappings map[string]string

func (m mappings) String() string { return fmt.Sprint(map[string]string(m)) }

func (m mappings) Set(s string) error {
	column, field, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(column) == "" || strings.TrimSpace(field) == "" {
		return fmt.Errorf("want \"CSV column=field\", not %q", s)
	}
	m[strings.TrimSpace(column)] = strings.TrimSpace(field)
	return nil
}

// importCmd reads a CSV file into an object, or vCards into contacts: a progress bar on a terminal
// (rows/s, ETA from the bytes read), the failed rows in FILE.errors.csv,
// and a last line "created N, updated N, skipped N, failed N". It exits 0
// when the file was read to the end, even if rows failed.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c common
	var dedupe, onDup string
	maps := mappings{}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	c.register(fs)
	fs.Var(maps, "map", `"CSV column=field" (repeat; without it the columns are matched by name)`)
	fs.StringVar(&dedupe, "dedupe", "none", "email, phone or none")
	fs.StringVar(&onDup, "on-duplicate", "update", "update, skip or create")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("import takes an object and a file, e.g. rapport import contacts people.csv")
	}
	object, path := pos[0], pos[1]
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if exchange.IsVCard(head[:n]) && object != "contacts" {
		return usagef("vCards import into contacts, not %s", object)
	}
	c.resolve(getenv)
	sys, ws, err := openSystem(ctx, c)
	if err != nil {
		return err
	}
	defer sys.DB.Close()
	opt := exchange.Options{Dedupe: dedupe, OnDuplicate: onDup}
	if len(maps) > 0 {
		opt.Mapping = maps
	}
	start := time.Now()
	bar := newProgress(stderr, start)
	run, err := sys.Imports.ImportFile(ctx, access.System(ws.ID), object, path, opt, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	if a := run.Abandoned; a != nil {
		fmt.Fprintf(stderr, "import %s of this file stopped after %d rows and cannot be resumed: the file has changed since (undo it from Settings → Imports if its rows should go)\n", a.ID, a.RowsDone)
	}
	if run.Resumed > 0 {
		fmt.Fprintf(stderr, "resumed import %s after the %d rows it had done\n", run.ID, run.Resumed)
	}
	errPath := path + ".errors.csv"
	_ = os.Remove(errPath)
	if run.Failed > 0 {
		errs, err := sys.Imports.Errors(ctx, access.System(ws.ID), run.ID)
		if err != nil {
			return err
		}
		if err := os.WriteFile(errPath, []byte(errs), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "failed rows, with their line and reason: %s\n", errPath)
	}
	rows := run.RowsDone - run.Resumed
	fmt.Fprintf(stderr, "%d rows in %s (%.0f rows/s); import %s\n", rows, time.Since(start).Round(time.Millisecond), float64(rows)/time.Since(start).Seconds(), run.ID)
	fmt.Fprintln(stdout, exchange.Result{Created: run.Created, Updated: run.Updated, Skipped: run.Skipped, Failed: run.Failed}.String())
	return nil
}

// progress draws a bar on a terminal; elsewhere it stays quiet (the last
// line says it all).
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, start time.Time) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), start: start}
}

func (p *progress) update(r exchange.Result, read, size int64) error {
	rows := r.Rows
	if !p.tty || time.Since(p.last) < 200*time.Millisecond {
		return nil
	}
	p.last = time.Now()
	frac := 0.0
	if size > 0 {
		frac = min(1, float64(read)/float64(size))
	}
	el := time.Since(p.start)
	eta := "?"
	if frac > 0 {
		eta = (time.Duration(float64(el)/frac) - el).Round(time.Second).String()
	}
	const width = 30
	filled := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d rows  %.0f rows/s  ETA %s   ", strings.Repeat("#", filled), strings.Repeat(" ", width-filled),
		frac*100, rows, float64(rows)/el.Seconds(), eta)
	return nil
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
