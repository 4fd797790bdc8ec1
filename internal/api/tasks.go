package api

import (
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/ops"
	"github.com/rapport-crm/rapport/internal/tasks"
)

// myTasks lists the caller's open tasks: overdue, today, upcoming.
func (d *Deps) myTasks(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	mine, err := d.Tasks.Mine(r.Context(), id.Principal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mine)
	return nil
}

// notifications lists the caller's newest notifications (?unread=true:
// only those unread) and the number unread.
func (d *Deps) notifications(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	unread := r.URL.Query().Get("unread")
	if unread != "" && unread != "true" && unread != "false" {
		return fault.BadRequest("unread: want true or false, not %q", unread)
	}
	list, n, err := d.Notify.List(r.Context(), id.WorkspaceID, id.UserID, unread == "true", 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list, "unread": n})
	return nil
}

// readNotifications marks the caller's notifications read: {"ids": [...]},
// or all of them with no ids.
func (d *Deps) readNotifications(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var in struct {
		IDs []string `json:"ids"`
	}
	if r.ContentLength != 0 {
		if err := decodeInto(w, r, &in); err != nil {
			return err
		}
	}
	if err := d.Notify.MarkRead(r.Context(), id.WorkspaceID, id.UserID, in.IDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// newCalendarFeed gives the caller a new secret calendar URL (the one
// before stops working): 201 {"url"}.
func (d *Deps) newCalendarFeed(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	secret, err := d.Auth.NewCalendarFeed(r.Context(), id.Principal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"url": ops.BaseURL(d.PublicURL, r) + tasks.FeedPath(secret)})
	return nil
}

// removeCalendarFeed turns the caller's calendar feed off.
func (d *Deps) removeCalendarFeed(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := d.Auth.RemoveCalendarFeed(r.Context(), id.Principal); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// calendar serves a calendar feed: public, the secret in the path is the
// credential (calendar apps send no other).
func (d *Deps) calendar(w http.ResponseWriter, r *http.Request) error {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return fault.NotFound("no such calendar")
	}
	ws, u, err := d.Auth.CalendarFeed(r.Context(), secret)
	if err != nil {
		return err
	}
	workspace, err := d.Auth.Workspace(r.Context(), ws)
	if err != nil {
		return err
	}
	body, err := d.Tasks.Calendar(r.Context(), ws, u.ID, workspace.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, err = w.Write(body)
	return err
}
