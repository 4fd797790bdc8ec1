package web

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/ops"
	"github.com/rapport-crm/rapport/internal/tasks"
)

type accountData struct {
	Sessions []auth.Session
	Current  string
	Errors   map[string]string
	Locales  []*i18n.Locale
	Locale   string // the user's choice, "" for the browser's
	Themes   []string
	Theme    string
	// HasCalendar says whether the user has a calendar feed; CalendarURL
	// is a new one's address, shown once.
	HasCalendar bool
	CalendarURL string
}

// account shows the signed-in user's password form and open sessions.
func (d *Deps) account(w http.ResponseWriter, r *http.Request, sh *shell) {
	d.showAccount(w, r, sh, nil, http.StatusOK)
}

func (d *Deps) showAccount(w http.ResponseWriter, r *http.Request, sh *shell, errs map[string]string, status int) {
	d.renderAccount(w, r, sh, errs, status, "")
}

func (d *Deps) renderAccount(w http.ResponseWriter, r *http.Request, sh *shell, errs map[string]string, status int, calendarURL string) {
	sessions, err := d.Auth.Sessions(r.Context(), sh.Identity.WorkspaceID, sh.Identity.UserID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	has, err := d.Auth.HasCalendarFeed(r.Context(), sh.Identity.Principal)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	sh.Current = "account"
	d.renderShell(w, status, "account.html", sh.L.T("account.heading"), sh, accountData{Sessions: sessions, Current: sh.Identity.SessionID, Errors: errs,
		Locales: d.I18n.Locales(), Locale: sh.Identity.User.Locale, Themes: auth.Themes, Theme: sh.Identity.User.Theme, HasCalendar: has, CalendarURL: calendarURL})
}

// newCalendarFeed makes the user a new calendar URL (the one before stops
// working) and shows it, once.
func (d *Deps) newCalendarFeed(w http.ResponseWriter, r *http.Request, sh *shell) {
	secret, err := d.Auth.NewCalendarFeed(r.Context(), sh.Identity.Principal)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	d.renderAccount(w, r, sh, nil, http.StatusOK, ops.BaseURL(d.PublicURL, r)+tasks.FeedPath(secret))
}

// removeCalendarFeed turns the user's calendar feed off.
func (d *Deps) removeCalendarFeed(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.RemoveCalendarFeed(r.Context(), sh.Identity.Principal); err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/account", sh.L.T("calendar.flash.removed"))
}

// changePassword checks the current password and sets a new one.
func (d *Deps) changePassword(w http.ResponseWriter, r *http.Request, sh *shell) {
	next := r.PostFormValue("new_password")
	if next != r.PostFormValue("confirm_password") {
		d.showAccount(w, r, sh, map[string]string{"confirm_password": sh.L.T("account.password_mismatch")}, http.StatusUnprocessableEntity)
		return
	}
	err := d.Auth.ChangePassword(r.Context(), sh.Identity.WorkspaceID, sh.Identity.UserID, r.PostFormValue("current_password"), next)
	if err != nil {
		fe := fault.As(err)
		if fe == nil || fe.Kind != fault.KindInvalid {
			d.fail(w, r, err)
			return
		}
		d.showAccount(w, r, sh, fieldMessages(sh.L, fe, "", ""), http.StatusUnprocessableEntity)
		return
	}
	d.redirectWithFlash(w, r, "/account", sh.L.T("flash.password_changed"))
}

// signOutEverywhere ends every session of the user, this one included.
func (d *Deps) signOutEverywhere(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.LogoutEverywhere(r.Context(), sh.Identity.WorkspaceID, sh.Identity.UserID); err != nil {
		d.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setLanguage stores the user's choice of language; "" follows the browser.
func (d *Deps) setLanguage(w http.ResponseWriter, r *http.Request, sh *shell) {
	tag := r.PostFormValue("locale")
	if tag != "" && !d.I18n.Has(tag) {
		d.showAccount(w, r, sh, map[string]string{"locale": sh.L.T("account.no_such_language")}, http.StatusUnprocessableEntity)
		return
	}
	if err := d.Auth.SetLocale(r.Context(), sh.Identity.Principal, tag); err != nil {
		d.fail(w, r, err)
		return
	}
	d.redirectWithFlash(w, r, "/account", d.I18n.Negotiate(tag, r.Header.Get("Accept-Language")).T("flash.language_changed"))
}

// setTheme stores the user's colour theme; "" follows the system.
func (d *Deps) setTheme(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.SetTheme(r.Context(), sh.Identity.Principal, r.PostFormValue("theme")); err != nil {
		if fe := fault.As(err); fe != nil && fe.Kind == fault.KindInvalid {
			d.showAccount(w, r, sh, fieldMessages(sh.L, fe, "", "theme"), http.StatusUnprocessableEntity)
			return
		}
		d.fail(w, r, err)
		return
	}
	d.redirectWithFlash(w, r, "/account", sh.L.T("flash.theme_changed"))
}
