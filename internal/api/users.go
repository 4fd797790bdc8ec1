package api

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
)

func (d *Deps) me(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	u, err := d.Auth.User(r.Context(), id.WorkspaceID, id.UserID)
	if err != nil {
		return err
	}
	ws, err := d.Auth.Workspace(r.Context(), id.WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u, "workspace": ws})
	return nil
}

func (d *Deps) listUsers(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	users, err := d.Auth.Users(r.Context(), id.WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": users, "next_page_token": ""})
	return nil
}

func (d *Deps) getUser(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	u, err := d.Auth.User(r.Context(), id.WorkspaceID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (d *Deps) createUser(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var n auth.NewUser
	if err := decodeInto(w, r, &n); err != nil {
		return err
	}
	u, err := d.Auth.CreateUser(r.Context(), id.Principal, id.WorkspaceID, n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (d *Deps) listKeys(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	user := r.URL.Query().Get("user_id")
	if user == "" {
		user = id.UserID
	}
	keys, err := d.Auth.APIKeys(r.Context(), id.Principal, user)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": keys, "next_page_token": ""})
	return nil
}

func (d *Deps) createKey(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var in struct {
		Name   string `json:"name"`
		UserID string `json:"user_id"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		return err
	}
	if in.UserID == "" {
		in.UserID = id.UserID
	}
	k, secret, err := d.Auth.CreateAPIKey(r.Context(), id.Principal, in.UserID, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		*auth.APIKey
		Key string `json:"key"`
	}{k, secret})
	return nil
}

func (d *Deps) revokeKey(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := d.Auth.RevokeAPIKey(r.Context(), id.Principal, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Deps) deliveries(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	size, err := intParam(r, "page_size", 50, 1, 500)
	if err != nil {
		return err
	}
	list, err := d.Webhooks.Deliveries(r.Context(), id.Principal, r.PathValue("id"), size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list})
	return nil
}
