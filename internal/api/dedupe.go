package api

import (
	"encoding/json"
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
)

// duplicates lists a contact's or company's likely duplicates.
func (d *Deps) duplicates(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	found, err := d.Dedupe.Find(r.Context(), id.Principal, r.PathValue("object"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": found})
	return nil
}

// merge folds duplicates into the record of the path:
// {"duplicate_ids": [...], "take": {"field": "duplicate id"}}.
func (d *Deps) merge(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	in, err := decodeObject(w, r)
	if err != nil {
		return err
	}
	var body struct {
		DuplicateIDs []string          `json:"duplicate_ids"`
		Take         map[string]string `json:"take"`
	}
	raw, _ := json.Marshal(in)
	if err := json.Unmarshal(raw, &body); err != nil {
		return fault.Invalid(fault.FieldError{Field: "duplicate_ids", Message: "want an array of record ids, and take as an object of field: duplicate id"})
	}
	for k := range in {
		if k != "duplicate_ids" && k != "take" {
			return fault.Invalid(fault.FieldError{Field: k, Message: "unknown field of a merge"})
		}
	}
	rec, err := d.Dedupe.Merge(r.Context(), id.Principal, r.PathValue("object"), r.PathValue("id"), body.DuplicateIDs, body.Take)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(rec))
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// unmerge takes back the latest merge into the record of the path.
func (d *Deps) unmerge(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	rec, err := d.Dedupe.Unmerge(r.Context(), id.Principal, r.PathValue("object"), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(rec))
	writeJSON(w, http.StatusOK, rec)
	return nil
}
