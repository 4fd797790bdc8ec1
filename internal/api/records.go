package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

// queryParams are the list parameters the API knows; others are refused so
// that a typo does not silently list everything.
var listParams = map[string]bool{"filter": true, "order_by": true, "page_size": true, "page_token": true, "q": true, "count": true, "trashed": true}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fault.BadRequest("%s: must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

func boolParam(r *http.Request, name string) (bool, error) {
	switch strings.ToLower(r.URL.Query().Get(name)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, fault.BadRequest("%s: must be true or false", name)
}

func (d *Deps) list(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	for k := range r.URL.Query() {
		if !listParams[k] {
			return fault.BadRequest("unknown query parameter %q (known: filter, order_by, page_size, page_token, q, count, trashed)", k)
		}
	}
	size, err := intParam(r, "page_size", 50, 1, records.MaxPageSize)
	if err != nil {
		return err
	}
	count, err := boolParam(r, "count")
	if err != nil {
		return err
	}
	trashed, err := boolParam(r, "trashed")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := d.Records.List(r.Context(), id.Principal, r.PathValue("object"), records.Query{
		Filter: q.Get("filter"), OrderBy: q.Get("order_by"), PageSize: size, PageToken: q.Get("page_token"), Q: q.Get("q"), Count: count, Trashed: trashed,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (d *Deps) create(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	object := r.PathValue("object")
	if _, _, err := d.object(r, id, object); err != nil {
		return err
	}
	in, err := decodeObject(w, r)
	if err != nil {
		return err
	}
	rec, err := d.Records.Create(r.Context(), id.Principal, object, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/"+object+"/"+rec.ID())
	w.Header().Set("ETag", etag(rec))
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

func etag(rec records.Record) string { return `"` + strconv.FormatInt(rec.Version(), 10) + `"` }

func (d *Deps) get(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if r.PathValue("id") == "export" {
		// Its own pattern would conflict with /api/v1/users/{id} and the
		// like in Go's mux; record ids are never "export".
		return d.export(w, r, id)
	}
	trashed, err := boolParam(r, "trashed")
	if err != nil {
		return err
	}
	rec, err := d.Records.Get(r.Context(), id.Principal, r.PathValue("object"), r.PathValue("id"), trashed)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(rec))
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// ifMatch reads If-Match: a version number, bare or as an ETag.
func ifMatch(r *http.Request) (*int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return nil, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return nil, fault.BadRequest("If-Match: want the record's version number, e.g. If-Match: 3, not %q", h)
	}
	return &n, nil
}

func (d *Deps) update(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	object := r.PathValue("object")
	if _, _, err := d.object(r, id, object); err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	in, err := decodeObject(w, r)
	if err != nil {
		return err
	}
	rec, err := d.Records.Update(r.Context(), id.Principal, object, r.PathValue("id"), in, version)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(rec))
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (d *Deps) trash(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := d.Records.Trash(r.Context(), id.Principal, r.PathValue("object"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Deps) restore(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	rec, err := d.Records.Restore(r.Context(), id.Principal, r.PathValue("object"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (d *Deps) timeline(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	object, recID := r.PathValue("object"), r.PathValue("id")
	rec, err := d.Records.Get(r.Context(), id.Principal, object, recID, true)
	if err != nil {
		return err
	}
	size, err := intParam(r, "page_size", 50, 1, 200)
	if err != nil {
		return err
	}
	cursor := r.URL.Query().Get("page_token")
	if err := events.ValidCursor(cursor); err != nil {
		return err
	}
	refs := []events.Ref{{Object: object, ID: recID}}
	// A contact's timeline includes what happened on its company.
	if company, ok := rec["company_id"].(string); ok && object == "contacts" && company != "" {
		refs = append(refs, events.Ref{Object: "companies", ID: company})
	}
	evs, err := d.Events.Timeline(r.Context(), id.WorkspaceID, refs, cursor, size+1)
	if err != nil {
		return err
	}
	next := ""
	if len(evs) > size {
		evs = evs[:size]
		next = evs[size-1].ID
	}
	if evs == nil {
		evs = []events.Event{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": evs, "next_page_token": next})
	return nil
}

func (d *Deps) search(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	size, err := intParam(r, "page_size", 20, 1, 100)
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		return fault.BadRequest("q: give the text to search for")
	}
	if len(q) > 200 {
		return fault.BadRequest("q: at most 200 bytes")
	}
	hits, err := d.Records.Search(r.Context(), id.Principal, q, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": hits})
	return nil
}
