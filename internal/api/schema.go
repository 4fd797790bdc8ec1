package api

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
)

// object checks that the object exists and the caller may read it.
func (d *Deps) object(r *http.Request, id *auth.Identity, name string) (*schema.Schema, *schema.Object, error) {
	s, err := d.Schemas.Get(r.Context(), id.WorkspaceID)
	if err != nil {
		return nil, nil, err
	}
	o, ok := s.Object(name)
	if !ok {
		return nil, nil, fault.NotFound("no object %q (GET /api/v1/schema lists them)", name)
	}
	if err := access.CanRead(id.Principal, name); err != nil {
		return nil, nil, err
	}
	return s, o, nil
}

func (d *Deps) getSchema(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	s, err := d.Schemas.Get(r.Context(), id.WorkspaceID)
	if err != nil {
		return err
	}
	var out []*schema.Object
	for _, o := range s.Objects() {
		if access.CanRead(id.Principal, o.Name) == nil {
			out = append(out, o)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

func (d *Deps) addField(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := access.CanAdminister(id.Principal); err != nil {
		return err
	}
	object := r.PathValue("object")
	if _, _, err := d.object(r, id, object); err != nil {
		return err
	}
	var nf schema.NewField
	if err := decodeInto(w, r, &nf); err != nil {
		return err
	}
	f, err := d.Schemas.AddField(r.Context(), id.WorkspaceID, object, nf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (d *Deps) createObject(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := access.CanAdminister(id.Principal); err != nil {
		return err
	}
	var no schema.NewObject
	if err := decodeInto(w, r, &no); err != nil {
		return err
	}
	o, err := d.Schemas.CreateObject(r.Context(), id.WorkspaceID, no)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/"+o.Name)
	writeJSON(w, http.StatusCreated, o)
	return nil
}
