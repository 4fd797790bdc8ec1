package api

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
)

// getWorkspace reads the caller's workspace.
func (d *Deps) getWorkspace(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	ws, err := d.Auth.Workspace(r.Context(), id.WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

// patchWorkspace changes the workspace's name, default currency and time
// zone (admins): {"name", "default_currency", "time_zone"}, each optional.
func (d *Deps) patchWorkspace(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var in struct {
		Name                *string `json:"name"`
		DefaultCurrency     string  `json:"default_currency"`
		TimeZone            string  `json:"time_zone"`
		MailCreatesContacts *bool   `json:"mail_creates_contacts"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		return err
	}
	if in.Name == nil && in.DefaultCurrency == "" && in.TimeZone == "" && in.MailCreatesContacts == nil {
		return fault.BadRequest("body: give name, default_currency, time_zone or mail_creates_contacts")
	}
	if in.MailCreatesContacts != nil {
		if err := d.Auth.SetMailCreatesContacts(r.Context(), id.Principal, *in.MailCreatesContacts); err != nil {
			return err
		}
	}
	if err := d.Auth.SetRegion(r.Context(), id.Principal, in.DefaultCurrency, in.TimeZone); err != nil {
		return err
	}
	if in.Name != nil {
		if err := d.Auth.RenameWorkspace(r.Context(), id.Principal, *in.Name); err != nil {
			return err
		}
	}
	return d.getWorkspace(w, r, id)
}
