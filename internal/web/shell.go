package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/schema"
)

const (
	flashCookie = "rapport_flash"
	// undoCookie names records just moved to the trash ("contacts:id,id"),
	// for the flash's Undo button.
	undoCookie = "rapport_undo"
	// maxUndo bounds the records one Undo brings back (a cookie's size).
	maxUndo = 50
)

// undo is what the flash's Undo button restores.
type undo struct {
	Object string
	IDs    []string
}

// shell is what every signed-in page shows around its content.
type shell struct {
	Identity  *auth.Identity
	Workspace *auth.Workspace
	Nav       []*schema.Object
	Current   string // the object in view, for the navigation
	Flash     string
	Undo      *undo
	Schema    *schema.Schema
	// L is the language the page is written in.
	L *i18n.Locale
	// Refresh reloads the page after that many seconds (progress pages).
	Refresh int
	// Unread is how many notifications the user has not seen (the bell).
	Unread int
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
		l := d.I18n.Negotiate(id.User.Locale, r.Header.Get("Accept-Language"))
		r = withLocale(r, l)
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				d.render(w, r, http.StatusRequestEntityTooLarge, "message.html", page{Title: "title.not_allowed", Error: "The form is too large (at most 1 MiB)."})
				return
			}
			if err := id.CheckCSRF(r.PostFormValue("csrf_token")); err != nil {
				d.render(w, r, http.StatusForbidden, "message.html", page{Title: "title.not_allowed", Error: "The form expired; reload the page and try again."})
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
		sh := &shell{Identity: id, Workspace: ws, Schema: s, L: l}
		if d.Notify != nil {
			sh.Unread, _ = d.Notify.Unread(r.Context(), id.WorkspaceID, id.UserID)
		}
		for _, o := range s.Objects() {
			if access.CanRead(id.Principal, o.Name) == nil && listed(o) && o.Name != "dashboards" { // on the reports page
				sh.Nav = append(sh.Nav, o)
			}
		}
		if c, err := r.Cookie(flashCookie); err == nil {
			if v, err := url.QueryUnescape(c.Value); err == nil {
				sh.Flash = v
			}
			http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
			if c, err := r.Cookie(undoCookie); err == nil {
				if object, ids, ok := strings.Cut(c.Value, ":"); ok && ids != "" {
					sh.Undo = &undo{Object: object, IDs: strings.Split(ids, ",")}
				}
				http.SetCookie(w, &http.Cookie{Name: undoCookie, Value: "", Path: "/", MaxAge: -1})
			}
		}
		fn(w, r, sh)
	}
}

// redirectWithFlash redirects and shows msg, in the user's language, on the
// next page.
func (d *Deps) redirectWithFlash(w http.ResponseWriter, r *http.Request, to, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		Secure: d.SecureCookies, SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(time.Minute)})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// redirectWithUndo redirects with a flash that offers to bring back the
// records just moved to the trash.
func (d *Deps) redirectWithUndo(w http.ResponseWriter, r *http.Request, to, msg, object string, ids []string) {
	if len(ids) > 0 && len(ids) <= maxUndo {
		http.SetCookie(w, &http.Cookie{Name: undoCookie, Value: object + ":" + strings.Join(ids, ","), Path: "/", HttpOnly: true,
			Secure: d.SecureCookies, SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(time.Minute)})
	}
	d.redirectWithFlash(w, r, to, msg)
}

// restore brings back records from the trash: the flash's Undo.
func (d *Deps) restore(w http.ResponseWriter, r *http.Request, sh *shell) {
	object := r.PostFormValue("object")
	if _, ok := d.pageObject(w, r, sh, object); !ok {
		return
	}
	ids := r.PostForm["ids"]
	if len(ids) > maxUndo {
		ids = ids[:maxUndo]
	}
	done, refused := 0, 0
	for _, id := range ids {
		switch _, err := d.Records.Restore(r.Context(), sh.Identity.Principal, object, id); {
		case err == nil:
			done++
		case fault.KindOf(err) == fault.KindForbidden || fault.KindOf(err) == fault.KindNotFound || fault.KindOf(err) == fault.KindConflict:
			refused++
		default:
			d.fail(w, r, err)
			return
		}
	}
	d.redirectWithFlash(w, r, "/"+object, d.bulkOutcome(sh, "flash.restored", done, refused))
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

// maxFormBytes bounds a submitted form, files included.
const maxFormBytes = 1 << 20

// maxUploadBytes bounds a file upload (imports).
const maxUploadBytes = 256 << 20

// parseForm reads a posted form, plain or multipart, up to maxFormBytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	limit := int64(maxFormBytes)
	switch r.URL.Path {
	case "/imports/new":
		limit = maxUploadBytes
	case "/emails/write": // with its attachments
		limit = email.MaxAttachmentTotal + maxFormBytes
	}
	if strings.HasPrefix(r.URL.Path, "/tickets/") && strings.HasSuffix(r.URL.Path, "/messages") { // a reply with its files
		limit = email.MaxAttachmentTotal + maxFormBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxFormBytes) // beyond that in memory, files go to disk
	}
	return r.ParseForm()
}
