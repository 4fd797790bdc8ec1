package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/schema"
)

const flashCookie = "rapport_flash"

// shell is what every signed-in page shows around its content.
type shell struct {
	Identity  *auth.Identity
	Workspace *auth.Workspace
	Nav       []*schema.Object
	Current   string // the object in view, for the navigation
	Flash     string
	Schema    *schema.Schema
}

// signedIn wraps a page handler: it resolves the session (or sends the
// visitor to sign in) and builds the shell.
func (d *Deps) signedIn(fn func(w http.ResponseWriter, r *http.Request, sh *shell)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := d.identity(r)
		if id == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if err := id.CheckCSRF(r.PostFormValue("csrf_token")); err != nil {
				d.render(w, http.StatusForbidden, "message.html", page{Title: "Not allowed", Error: "The form expired; reload the page and try again."})
				return
			}
		}
		ws, err := d.Auth.Workspace(r.Context(), id.WorkspaceID)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		s, err := d.Schemas.Get(r.Context(), id.WorkspaceID)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		sh := &shell{Identity: id, Workspace: ws, Schema: s}
		for _, o := range s.Objects() {
			if access.CanRead(id.Principal, o.Name) == nil && listed(o) {
				sh.Nav = append(sh.Nav, o)
			}
		}
		if c, err := r.Cookie(flashCookie); err == nil {
			if v, err := url.QueryUnescape(c.Value); err == nil {
				sh.Flash = v
			}
			http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
		}
		fn(w, r, sh)
	}
}

// redirectWithFlash redirects and shows msg on the next page.
func (d *Deps) redirectWithFlash(w http.ResponseWriter, r *http.Request, to, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		Secure: d.SecureCookies, SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(time.Minute)})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// listed reports whether an object has list and record pages. Webhooks are
// records too, but they hold signing secrets and are managed in Settings.
func listed(o *schema.Object) bool { return o.Name != "webhooks" }

// pageObject returns the object a page is about, or answers "not found".
func (d *Deps) pageObject(w http.ResponseWriter, r *http.Request, sh *shell, name string) (*schema.Object, bool) {
	o, ok := sh.Schema.Object(name)
	if !ok || !listed(o) {
		d.notFound(w, r, sh)
		return nil, false
	}
	return o, true
}
