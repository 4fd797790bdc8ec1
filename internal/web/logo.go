package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
)

// logo answers the workspace's logo, cached by the version in its URL.
func (d *Deps) logo(w http.ResponseWriter, r *http.Request, sh *shell) {
	data, typ, err := d.Auth.Logo(r.Context(), sh.Identity.WorkspaceID)
	if err != nil {
		if fault.KindOf(err) == fault.KindNotFound {
			http.NotFound(w, r)
			return
		}
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(data)
}

// uploadLogo stores an image as the workspace's logo (admins).
func (d *Deps) uploadLogo(w http.ResponseWriter, r *http.Request, sh *shell) {
	file, _, err := r.FormFile("logo")
	var data []byte
	if err == nil {
		defer file.Close()
		data, err = io.ReadAll(io.LimitReader(file, auth.MaxLogoBytes+1))
	}
	if err != nil && !errors.Is(err, http.ErrMissingFile) {
		d.showSettings(w, r, sh, settingsData{Errors: map[string]string{"logo": sh.L.T("settings.logo_unreadable")}}, http.StatusBadRequest)
		return
	}
	if err := d.Auth.SetLogo(r.Context(), sh.Identity.Principal, data); err != nil {
		fe := fault.As(err)
		if fe == nil {
			d.fail(w, r, err)
			return
		}
		d.showSettings(w, r, sh, settingsData{Errors: fieldMessages(sh.L, fe, "", "logo")}, formStatus(fe.Kind))
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.logo_saved"))
}

// removeLogo removes the workspace's logo (admins).
func (d *Deps) removeLogo(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.RemoveLogo(r.Context(), sh.Identity.Principal); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.logo_removed"))
}
