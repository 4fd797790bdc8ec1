package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/tickets"
)

// maxBulk bounds the rows one bulk action takes: a list page's worth.
const maxBulk = 200

// bulkKind reports whether a field can be set on many records at once from
// one text box: not unique ones (one value cannot fit many records, emails
// among them), not relations (one text box has no record picker), not
// structured ones.
func bulkKind(f *schema.Field) bool {
	if f.ReadOnly || f.Unique || f.Lower || f.Name == "owner_id" {
		return false
	}
	switch f.Kind {
	case schema.Address, schema.Consent, schema.LongText, schema.Relation:
		return false
	}
	return true
}

// bulk applies an action to the selected rows of a list: export them as
// CSV, set one field on all of them, or move them to the trash. Rows the
// user may not change are counted and left.
func (d *Deps) bulk(w http.ResponseWriter, r *http.Request, sh *shell) {
	object := r.PostFormValue("object")
	o, ok := d.pageObject(w, r, sh, object)
	if !ok {
		return
	}
	back := "/" + object
	if rest := r.PostFormValue("back"); strings.HasPrefix(rest, "?") {
		back += rest
	}
	ids := r.PostForm["ids"]
	if len(ids) == 0 {
		d.redirectWithFlash(w, r, back, sh.L.T("flash.select_first"))
		return
	}
	if len(ids) > maxBulk {
		d.redirectWithFlash(w, r, back, sh.L.T("flash.too_many", maxBulk))
		return
	}
	switch r.PostFormValue("action") {
	case "export":
		d.exportSelection(w, r, sh, o, ids)
	case "edit":
		d.bulkEdit(w, r, sh, o, ids, back)
	case "trash", "":
		var done []string
		refused := 0
		for _, id := range ids {
			switch err := d.Records.Trash(r.Context(), sh.Identity.Principal, object, id); {
			case err == nil:
				done = append(done, id)
			case fault.KindOf(err) == fault.KindForbidden || fault.KindOf(err) == fault.KindNotFound:
				refused++
			default:
				d.fail(w, r, err)
				return
			}
		}
		d.redirectWithUndo(w, r, back, d.bulkOutcome(sh, "flash.bulk_trashed", len(done), refused), object, done)
	case "assign_me":
		if object != tickets.Object {
			d.redirectWithFlash(w, r, back, sh.L.T("flash.unknown_action"))
			return
		}
		f, _ := o.Field("assignee_id")
		d.bulkApply(w, r, sh, o, ids, back, f, sh.Identity.UserID)
	case "merge":
		if object != tickets.Object {
			d.redirectWithFlash(w, r, back, sh.L.T("flash.unknown_action"))
			return
		}
		kept, err := d.Tickets.MergeSelected(r.Context(), sh.Identity.Principal, ids)
		if err != nil {
			d.refusedTo(w, r, sh, back, err)
			return
		}
		d.redirectWithFlash(w, r, "/tickets/"+kept.ID(), sh.L.N("flash.bulk_merged", int64(len(ids)-1)))
	default:
		d.redirectWithFlash(w, r, back, sh.L.T("flash.unknown_action"))
	}
}

func (d *Deps) bulkOutcome(sh *shell, key string, done, refused int) string {
	msg := sh.L.N(key, int64(done))
	if refused > 0 {
		msg += " " + sh.L.N("flash.bulk_refused", int64(refused))
	}
	return msg
}

// bulkEdit sets one field to one value on every selected record. The value
// is checked once against the field first, so a bad value changes nothing.
func (d *Deps) bulkEdit(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, ids []string, back string) {
	f, ok := o.Field(r.PostFormValue("set_field"))
	if !ok || !bulkKind(f) {
		d.redirectWithFlash(w, r, back, sh.L.T("flash.bulk_no_field"))
		return
	}
	form := url.Values{f.Name: {r.PostFormValue("set_value")}}
	if f.Kind == schema.Bool {
		v := strings.ToLower(strings.TrimSpace(r.PostFormValue("set_value")))
		if v == "true" || v == "1" || v == "yes" || v == strings.ToLower(sh.L.T("bool.yes")) {
			form.Set(f.Name, "on")
		} else {
			form.Del(f.Name)
		}
	}
	if f.Kind == schema.MultiSelect {
		var list []string
		for _, v := range strings.Split(r.PostFormValue("set_value"), ",") {
			list = append(list, strings.TrimSpace(v))
		}
		form[f.Name] = list
	}
	value := fieldInput(f, form, sh.L)
	if _, err := schema.Convert(f, value); err != nil {
		d.redirectWithFlash(w, r, back, label(sh, f)+": "+sh.L.Message(err.Error()))
		return
	}
	d.bulkApply(w, r, sh, o, ids, back, f, value)
}

// bulkApply sets field f to value on each selected record; the records
// the user may not change are counted and left, and a value a record
// refuses stops there, saying how far it came.
func (d *Deps) bulkApply(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, ids []string, back string, f *schema.Field, value any) {
	done, refused := 0, 0
	for _, id := range ids {
		_, err := d.Records.Update(r.Context(), sh.Identity.Principal, o.Name, id, map[string]any{f.Name: value}, nil)
		switch {
		case err == nil:
			done++
		case fault.KindOf(err) == fault.KindForbidden || fault.KindOf(err) == fault.KindNotFound:
			refused++
		case fault.KindOf(err) == fault.KindInvalid || fault.KindOf(err) == fault.KindConflict:
			fe := fault.As(err)
			msg := fe.Msg
			if len(fe.Fields) > 0 {
				msg = fe.Fields[0].Message
			}
			d.redirectWithFlash(w, r, back, d.bulkOutcome(sh, "flash.bulk_updated", done, refused)+" "+label(sh, f)+": "+sh.L.Message(msg))
			return
		default:
			d.fail(w, r, err)
			return
		}
	}
	d.redirectWithFlash(w, r, back, d.bulkOutcome(sh, "flash.bulk_updated", done, refused))
}

func label(sh *shell, f *schema.Field) string { return sh.L.FieldLabel(f) }

// exportSelection answers the selected records as a CSV file, with the
// list's columns (the API's field names as headers, values as the API
// writes them, so the file imports back).
func (d *Deps) exportSelection(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, ids []string) {
	cols := chosenColumns(o, r.PostForm["cols"])
	if len(cols) == 0 {
		cols = listColumns(o)
	}
	found, err := d.Records.GetMany(r.Context(), sh.Identity.Principal, o.Name, ids)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, o.Name, time.Now().UTC().Format("20060102-150405")))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	head := []string{"id"}
	for _, f := range cols {
		head = append(head, f.Name)
	}
	_ = cw.Write(head)
	for _, id := range ids {
		rec, ok := found[id]
		if !ok {
			continue
		}
		line := []string{id}
		for _, f := range cols {
			line = append(line, exchange.Cell(rec[f.Name]))
		}
		_ = cw.Write(line)
	}
	cw.Flush()
}
