package web

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/imports"
	"github.com/rapport-crm/rapport/internal/schema"
)

type importData struct {
	Object  *schema.Object
	Import  *imports.Import
	Preview *imports.Preview
	Fields  []*schema.Field
	ByName  bool // the object links companies by name
	Percent int
	// Interrupted: a command-line import that stopped half-way.
	Interrupted bool
	Error       string
	// The rules chosen on the mapping step, and what a dry run with them
	// found.
	Dedupe, OnDuplicate string
	DryRun              *imports.DryRunReport
}

// importRow is an import in the list of imports.
type importRow struct {
	*imports.Import
	Label              string // the object's, in the page's language
	Started, StartedAt string // relative, and exact for the tooltip
	Percent            int
	Interrupted        bool
}

// importsPage lists the imports, newest first: uploads and command-line
// runs, with their state and counts (the page reloads itself while one
// runs).
func (d *Deps) importsPage(w http.ResponseWriter, r *http.Request, sh *shell) {
	list, next, err := d.Imports.List(r.Context(), sh.Identity.Principal, r.URL.Query().Get("after"), 50)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	now := d.now()
	rows := make([]importRow, 0, len(list))
	for i := range list {
		im := &list[i]
		row := importRow{Import: im, Label: im.Object, Started: sh.L.Relative(im.CreatedAt, now), StartedAt: sh.L.Time(im.CreatedAt),
			Percent: percent(im), Interrupted: im.Interrupted(now)}
		if o, ok := sh.Schema.Object(im.Object); ok {
			row.Label = sh.L.ObjectLabel(o)
		}
		if (im.Status == "queued" || im.Status == "running") && !row.Interrupted {
			sh.Refresh = 2
		}
		rows = append(rows, row)
	}
	d.renderShell(w, http.StatusOK, "imports.html", sh.L.T("imports.title"), sh, struct {
		Imports []importRow
		Next    string
	}{rows, next})
}

// percent is how far an import got.
func percent(im *imports.Import) int {
	if im.RowsTotal == 0 {
		return 0
	}
	return min(100, im.RowsDone*100/im.RowsTotal)
}

// importNew is the wizard's first step: choose a file.
func (d *Deps) importNew(w http.ResponseWriter, r *http.Request, sh *shell) {
	o, ok := d.pageObject(w, r, sh, r.URL.Query().Get("object"))
	if !ok {
		return
	}
	sh.Current = o.Name
	d.renderShell(w, http.StatusOK, "import.html", sh.L.T("import.title", sh.L.ObjectLabel(o)), sh, importData{Object: o})
}

// importUpload stores the file as a draft and goes on to the mapping.
func (d *Deps) importUpload(w http.ResponseWriter, r *http.Request, sh *shell) {
	o, ok := d.pageObject(w, r, sh, r.PostFormValue("object"))
	if !ok {
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		d.renderShell(w, http.StatusUnprocessableEntity, "import.html", sh.L.T("import.title", sh.L.ObjectLabel(o)), sh, importData{Object: o, Error: sh.L.T("import.choose_file")})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	draft := d.Imports.Draft
	if exchange.IsVCard(data[:min(len(data), 64)]) {
		// vCards have no columns to map: straight to the import, by email.
		draft = func(ctx context.Context, p access.Principal, object, name string, data []byte) (*imports.Import, error) {
			return d.Imports.Submit(ctx, p, object, name, data, exchange.Options{Dedupe: "email"})
		}
	}
	im, err := draft(r.Context(), sh.Identity.Principal, o.Name, hdr.Filename, data)
	if err != nil {
		d.refusedTo(w, r, sh, "/imports/new?object="+url.QueryEscape(o.Name), err)
		return
	}
	http.Redirect(w, r, "/imports/"+im.ID, http.StatusSeeOther)
}

// importPage is the mapping step of a draft, and the progress of an
// import under way (the page reloads itself every two seconds).
func (d *Deps) importPage(w http.ResponseWriter, r *http.Request, sh *shell) {
	d.showImport(w, r, sh, r.PathValue("id"), nil)
}

// showImport renders an import's page. Given the options of a dry run, a
// draft's mapping step shows them chosen and what the import would do.
func (d *Deps) showImport(w http.ResponseWriter, r *http.Request, sh *shell, id string, dry *exchange.Options) {
	im, err := d.Imports.Get(r.Context(), sh.Identity.Principal, id)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	o, ok := d.pageObject(w, r, sh, im.Object)
	if !ok {
		return
	}
	sh.Current = o.Name
	data := importData{Object: o, Import: im}
	if dry != nil {
		im.Mapping, data.Dedupe, data.OnDuplicate = dry.Mapping, dry.Dedupe, dry.OnDuplicate
		if data.DryRun, err = d.Imports.DryRunDraft(r.Context(), sh.Identity.Principal, id, *dry); err != nil {
			d.refusedTo(w, r, sh, "/imports/"+id, err)
			return
		}
	}
	if im.Status == "draft" {
		if err := d.draftData(r, sh, o, &data); err != nil {
			d.failAt(w, r, sh, err)
			return
		}
	}
	data.Interrupted = im.Interrupted(d.now())
	if (im.Status == "queued" || im.Status == "running") && !data.Interrupted {
		sh.Refresh = 2
	}
	data.Percent = percent(im)
	d.renderShell(w, http.StatusOK, "import.html", sh.L.T("import.title", sh.L.ObjectLabel(o)), sh, data)
}

// draftData fills in the mapping step: the first rows, the fields to map
// to, the rules (email dedupe, update, unless chosen otherwise).
func (d *Deps) draftData(r *http.Request, sh *shell, o *schema.Object, data *importData) error {
	var err error
	if data.Preview, err = d.Imports.Preview(r.Context(), sh.Identity.Principal, data.Import.ID, 5); err != nil {
		return err
	}
	for _, f := range o.Fields {
		if !f.ReadOnly && f.Kind != schema.Refs && f.Name != "owner_id" {
			data.Fields = append(data.Fields, f)
		}
	}
	_, data.ByName = o.Field("company_id")
	if data.Dedupe == "" {
		data.Dedupe = "none"
		if data.ByName {
			data.Dedupe = "email"
		}
	}
	if data.OnDuplicate == "" {
		data.OnDuplicate = "update"
	}
	return nil
}

// importStart starts a draft with the mapping and rules confirmed, or,
// asked for a dry run, shows the mapping step again with what the import
// would do.
func (d *Deps) importStart(w http.ResponseWriter, r *http.Request, sh *shell) {
	id := r.PathValue("id")
	if r.PostFormValue("_action") == "undo" {
		if _, err := d.Imports.Undo(r.Context(), sh.Identity.Principal, id); err != nil {
			d.refusedTo(w, r, sh, "/imports/"+id, err)
			return
		}
		d.redirectWithFlash(w, r, "/imports/"+id, sh.L.T("flash.import_undone"))
		return
	}
	pv, err := d.Imports.Preview(r.Context(), sh.Identity.Principal, id, 0)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	opt := exchange.Options{Mapping: map[string]string{}, Dedupe: r.PostFormValue("dedupe"), OnDuplicate: r.PostFormValue("on_duplicate")}
	for i, h := range pv.Header {
		if field := r.PostFormValue("map_" + itoa(i)); field != "" {
			opt.Mapping[h] = field
		}
	}
	if r.PostFormValue("_action") == "dry_run" {
		d.showImport(w, r, sh, id, &opt)
		return
	}
	if _, err := d.Imports.Start(r.Context(), sh.Identity.Principal, id, opt); err != nil {
		d.refusedTo(w, r, sh, "/imports/"+id, err)
		return
	}
	http.Redirect(w, r, "/imports/"+id, http.StatusSeeOther)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
