package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/imports"
)

// createImport takes a multipart upload (file, object, mapping as JSON,
// dedupe, on_duplicate) and queues its import: 202 with its state. With
// dry_run=true it only counts what the import would do: 200 with the
// counts and the first failed rows, nothing stored.
func (d *Deps) createImport(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	r.Body = http.MaxBytesReader(w, r.Body, imports.MaxFile+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fault.TooLarge("file: at most %d MiB", imports.MaxFile>>20)
		}
		return fault.BadRequest("want a multipart form with file, object, and optionally mapping, dedupe, on_duplicate: %v", err)
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return fault.Invalid(fault.FieldError{Field: "file", Message: "is required"})
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return fault.BadRequest("file: %v", err)
	}
	opt := exchange.Options{Dedupe: r.FormValue("dedupe"), OnDuplicate: r.FormValue("on_duplicate")}
	if m := r.FormValue("mapping"); m != "" {
		if err := json.Unmarshal([]byte(m), &opt.Mapping); err != nil {
			return fault.Invalid(fault.FieldError{Field: "mapping", Message: `want a JSON object {"CSV column": "field"}`})
		}
	}
	if r.FormValue("dry_run") == "true" {
		rep, err := d.Imports.DryRun(r.Context(), id.Principal, r.FormValue("object"), data, opt)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rep)
		return nil
	}
	im, err := d.Imports.Submit(r.Context(), id.Principal, r.FormValue("object"), hdr.Filename, data, opt)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/imports/"+im.ID)
	writeJSON(w, http.StatusAccepted, im)
	return nil
}

// listImports pages through the imports, newest first.
func (d *Deps) listImports(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	for k := range r.URL.Query() {
		if k != "page_size" && k != "page_token" {
			return fault.BadRequest("unknown query parameter %q (known: page_size, page_token)", k)
		}
	}
	size, err := intParam(r, "page_size", 50, 1, 200)
	if err != nil {
		return err
	}
	list, next, err := d.Imports.List(r.Context(), id.Principal, r.URL.Query().Get("page_token"), size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list, "next_page_token": next})
	return nil
}

func (d *Deps) getImport(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	im, err := d.Imports.Get(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, im)
	return nil
}

func (d *Deps) importErrors(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	out, err := d.Imports.Errors(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="import-`+r.PathValue("id")+`-errors.csv"`)
	_, _ = io.WriteString(w, out)
	return nil
}

func (d *Deps) undoImport(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	im, err := d.Imports.Undo(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, im)
	return nil
}
