package exchange

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
)

// IsVCard reports whether a file looks like vCards (its first line).
func IsVCard(head []byte) bool {
	s := strings.TrimLeft(string(head), "\ufeff \r\n\t")
	return len(s) >= 11 && strings.EqualFold(s[:11], "BEGIN:VCARD")
}

// ImportVCard reads vCards into contacts like ImportCSV reads rows: each
// card is checked on its own, bad ones go to errs (line, reason, name,
// email), the company named in ORG is linked or created, NOTEs become
// notes on the contact's timeline, and what has no field (a photo, a
// birthday, a second email) is named in a note too, never lost silently.
func (im *Importer) ImportVCard(ctx context.Context, p access.Principal, src io.Reader, opt Options, errs io.Writer, progress func(Result) error) (Result, error) {
	s, err := im.Eng.Schema(ctx, p.WorkspaceID)
	if err != nil {
		return Result{}, err
	}
	o, _ := s.Object("contacts")
	if err := access.CanCreate(p, "contacts"); err != nil {
		return Result{}, err
	}
	if err := CheckOptions(o, nil, Options{Dedupe: opt.Dedupe, OnDuplicate: opt.OnDuplicate}); err != nil {
		return Result{}, err
	}
	r := im.newRun(ctx, p, o, opt, errs, []string{"name", "email"}, progress)
	vr := NewVCardReader(src)
	for {
		c, err := vr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r.res, fault.BadRequest("file: %v", err)
		}
		if r.skip() {
			continue
		}
		row := append(c.Summary, "", "")[:2]
		if len(c.In) == 0 {
			r.fail(c.Line, row, "the card holds no name, email or phone")
			continue
		}
		if _, err := schema.Validate(o, c.In, true); err != nil {
			r.fail(c.Line, row, reasonOf(err))
			continue
		}
		notes := c.Notes
		if len(c.Dropped) > 0 { // kept as a note rather than lost
			notes = append(notes, "Not imported from the vCard (no field for it): "+strings.Join(c.Dropped, "; "))
		}
		if err := r.add(pending{line: c.Line, row: row, in: c.In, company: c.Company, notes: notes}); err != nil {
			return r.res, err
		}
	}
	return r.finish()
}
