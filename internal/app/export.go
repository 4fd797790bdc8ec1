package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/records"
)

// export writes every record of an object that a filter matches, as CSV,
// JSON lines or vCard, to a file or stdout; the count goes to stderr.
func export(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c common
	var format, filter, out string
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&format, "format", exchange.CSV, "csv, json or vcf")
	fs.StringVar(&filter, "filter", "", "an AIP-160 filter")
	fs.StringVar(&out, "o", "", "the file to write (default stdout)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("export takes one object, e.g. rapport export contacts --format vcf")
	}
	object := pos[0]
	c.resolve(getenv)
	sys, ws, err := openSystem(ctx, c)
	if err != nil {
		return err
	}
	defer sys.DB.Close()
	p := access.System(ws.ID)
	s, err := sys.Schemas.Get(ctx, ws.ID)
	if err != nil {
		return err
	}
	o, ok := s.Object(object)
	if !ok {
		return usagef("no object %q", object)
	}
	if err := exchange.CheckFormat(format, o); err != nil {
		return usagef("%v", err)
	}
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	ew, err := exchange.NewWriter(w, format, o, exchange.Titles(ctx, sys.Records, p))
	if err != nil {
		return err
	}
	start, n := time.Now(), 0
	if err := sys.Records.Each(ctx, p, object, records.Query{Filter: filter}, func(rec records.Record) error {
		n++
		return ew.Write(rec)
	}); err != nil {
		return err
	}
	if err := ew.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d %s in %s\n", n, object, time.Since(start).Round(time.Millisecond))
	return nil
}

// openSystem opens the database and wires the whole system for a command
// that works on the install's workspace through it (export, import).
func openSystem(ctx context.Context, c common) (*System, *auth.Workspace, error) {
	db, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	sys := Build(db, Config{}, newLogger(io.Discard), time.Now)
	ws, err := sys.Auth.DefaultWorkspace(ctx)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return sys, ws, nil
}
