package web

// The merge page: a record beside its duplicate, field by field.

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// mergeRow is one field of the merge page.
type mergeRow struct {
	Field      *schema.Field
	Kept, Dup  string
	Choose     bool // both have a value and they differ
	FilledFrom bool // only the duplicate has one: it is taken
}

type mergeData struct {
	Object       *schema.Object
	Kept, Dup    records.Record
	KeptTitle    string
	DupTitle     string
	Rows         []mergeRow
	DuplicateURL string
}

// mergePage compares a record with a duplicate field by field, for the
// user to choose which values to keep before merging.
func (d *Deps) mergePage(w http.ResponseWriter, r *http.Request, sh *shell, o *schema.Object, rec records.Record, dupID string) {
	dup, err := d.Records.Get(r.Context(), sh.Identity.Principal, o.Name, dupID, false)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	sh.Current = o.Name
	data := mergeData{Object: o, Kept: rec, Dup: dup, KeptTitle: records.Title(o, rec), DupTitle: records.Title(o, dup), DuplicateURL: "/" + o.Name + "/" + dupID}
	for _, f := range editable(o) {
		if f.Kind == schema.Refs {
			continue
		}
		a, b := display(sh.L, f, rec[f.Name]), display(sh.L, f, dup[f.Name])
		if a == "" && b == "" {
			continue
		}
		data.Rows = append(data.Rows, mergeRow{Field: f, Kept: a, Dup: b, Choose: a != "" && b != "" && a != b, FilledFrom: a == "" && b != ""})
	}
	d.renderShell(w, http.StatusOK, "merge.html", sh.L.T("merge.title", data.KeptTitle), sh, data)
}
