// Package web is the server-rendered UI: first-run setup and sign-in, the app
// shell, list and record pages for every object built from the schema,
// search, account and settings.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/dedupe"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/imports"
	"github.com/rapport-crm/rapport/internal/notify"
	"github.com/rapport-crm/rapport/internal/portal"
	"github.com/rapport-crm/rapport/internal/privacy"
	"github.com/rapport-crm/rapport/internal/quotes"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/reports"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/tasks"
	"github.com/rapport-crm/rapport/internal/tickets"
	"github.com/rapport-crm/rapport/internal/views"
	"github.com/rapport-crm/rapport/internal/webhooks"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "rapport_session"

// formCookie carries the double-submit CSRF token of pages shown before
// sign-in (setup and login).
const formCookie = "rapport_form"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the pages use.
type Deps struct {
	Auth          *auth.Service
	Records       *records.Engine
	Deals         *deals.Service
	Reports       *reports.Service
	Quotes        *quotes.Service
	Tasks         *tasks.Service
	Notify        *notify.Service
	Email         *email.Service
	Tickets       *tickets.Service
	Portal        *portal.Service
	Events        *events.Log
	Views         *views.Service
	Privacy       *privacy.Service
	Dedupe        *dedupe.Service
	Imports       *imports.Service
	Webhooks      *webhooks.Service
	Schemas       *schema.Registry
	Log           *slog.Logger
	SecureCookies bool
	Version       string
	// PublicURL is the base of links shown to be sent to others (invitations).
	PublicURL string
	// Now is the clock (relative times); nil is the real one.
	Now func() time.Time
	// I18n is the interface's languages; nil loads the built-in ones.
	I18n *i18n.Catalog
	tmpl map[string]*template.Template
}

// Routes registers the pages on mux.
func Routes(mux *http.ServeMux, d *Deps) {
	fm := template.FuncMap{
		"fieldCtx": func(f *schema.Field, rd recordData) fieldCtx {
			cur, _ := rd.Values["currency"].(string)
			fc := fieldCtx{Field: f, Value: rd.Values[f.Name], Error: rd.Errors[f.Name], CanWrite: rd.CanWrite, Choices: rd.Choices[f.Name], Linked: rd.Linked[f.Name], Currency: cur}
			if f.Kind == schema.LineItems {
				fc.Totals = rd.Totals
			}
			return fc
		},
		"list": func(s ...string) []string { return s },
		"taskList": func(rows []taskRow, csrf, back string) taskListCtx {
			return taskListCtx{Rows: rows, CSRF: csrf, Back: back}
		},
		"accountForm": func(f mailAccountForm, csrf, prefix string, isNew, isAdmin bool) accountFormCtx {
			return accountFormCtx{Form: f, CSRF: csrf, Prefix: prefix, New: isNew, IsAdmin: isAdmin}
		},
	}
	for k, v := range funcs {
		fm[k] = v
	}
	if d.I18n == nil {
		d.I18n = i18n.MustLoad()
	}
	d.parseTemplates(fm)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/{file}", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /setup", d.setupPage)
	mux.HandleFunc("GET /csat/{token}", d.csat)
	mux.HandleFunc("POST /csat/{token}", d.csat)
	mux.HandleFunc("GET /portal", d.portalHome)
	mux.HandleFunc("POST /portal/link", d.portalLink)
	mux.HandleFunc("GET /portal/login", d.portalLogin)
	mux.HandleFunc("POST /portal/logout", d.portalLogout)
	mux.HandleFunc("POST /portal/tickets", d.portalAsk)
	mux.HandleFunc("GET /portal/tickets/{id}", d.portalTicketPage)
	mux.HandleFunc("POST /portal/tickets/{id}/messages", d.portalAnswer)
	mux.HandleFunc("POST /setup", d.setupSubmit)
	mux.HandleFunc("GET /login", d.loginPage)
	mux.HandleFunc("POST /login", d.loginSubmit)
	mux.HandleFunc("POST /logout", d.logout)
	mux.HandleFunc("GET /{$}", d.signedIn(d.home))
	mux.HandleFunc("GET /search", d.signedIn(d.search))
	mux.HandleFunc("GET /logo", d.signedIn(d.logo))
	mux.HandleFunc("POST /settings/logo", d.signedIn(d.uploadLogo))
	mux.HandleFunc("POST /settings/logo/delete", d.signedIn(d.removeLogo))
	mux.HandleFunc("POST /settings/fields/move", d.signedIn(d.moveField))
	mux.HandleFunc("POST /account/language", d.signedIn(d.setLanguage))
	mux.HandleFunc("POST /account/theme", d.signedIn(d.setTheme))
	mux.HandleFunc("POST /views", d.signedIn(d.saveView))
	mux.HandleFunc("POST /bulk", d.signedIn(d.bulk))
	mux.HandleFunc("POST /restore", d.signedIn(d.restore))
	mux.HandleFunc("GET /imports", d.signedIn(d.importsPage))
	mux.HandleFunc("GET /imports/new", d.signedIn(d.importNew))
	mux.HandleFunc("POST /imports/new", d.signedIn(d.importUpload))
	mux.HandleFunc("GET /imports/{id}", d.signedIn(d.importPage))
	mux.HandleFunc("POST /imports/{id}", d.signedIn(d.importStart))
	mux.HandleFunc("POST /views/delete", d.signedIn(d.deleteView))
	mux.HandleFunc("GET /account", d.signedIn(d.account))
	mux.HandleFunc("GET /settings", d.signedIn(d.settings))
	mux.HandleFunc("POST /settings/keys", d.signedIn(d.createKey))
	mux.HandleFunc("POST /settings/keys/revoke", d.signedIn(d.revokeKey))
	mux.HandleFunc("POST /settings/fields", d.signedIn(d.addField))
	mux.HandleFunc("POST /settings/fields/label", d.signedIn(d.renameField))
	mux.HandleFunc("POST /settings/fields/delete", d.signedIn(d.deleteField))
	mux.HandleFunc("POST /settings/workspace", d.signedIn(d.renameWorkspace))
	mux.HandleFunc("POST /settings/region", d.signedIn(d.setRegion))
	mux.HandleFunc("POST /settings/mail", d.signedIn(d.setMailContacts))
	mux.HandleFunc("POST /settings/webhooks", d.signedIn(d.addWebhook))
	mux.HandleFunc("POST /settings/webhooks/delete", d.signedIn(d.deleteWebhook))
	mux.HandleFunc("POST /settings/objects", d.signedIn(d.addObject))
	mux.HandleFunc("POST /settings/objects/label", d.signedIn(d.renameObject))
	mux.HandleFunc("POST /settings/objects/delete", d.signedIn(d.deleteObject))
	mux.HandleFunc("POST /settings/users/invite", d.signedIn(d.invite))
	mux.HandleFunc("POST /settings/users/role", d.signedIn(d.setRole))
	mux.HandleFunc("POST /settings/users/active", d.signedIn(d.setActive))
	mux.HandleFunc("GET /invite", d.invitePage)
	mux.HandleFunc("POST /invite", d.acceptInvite)
	mux.HandleFunc("POST /account/password", d.signedIn(d.changePassword))
	mux.HandleFunc("POST /account/sign-out-everywhere", d.signedIn(d.signOutEverywhere))
	mux.HandleFunc("GET /pipelines/{id}/board", d.signedIn(d.board))
	mux.HandleFunc("GET /pipelines/{id}/forecast", d.signedIn(d.forecast))
	mux.HandleFunc("GET /deals/board", d.signedIn(d.firstBoard))
	mux.HandleFunc("POST /deals/{id}/move", d.signedIn(d.moveDeal))
	mux.HandleFunc("GET /tasks/mine", d.signedIn(d.myTasks))
	mux.HandleFunc("POST /tasks/{id}/done", d.signedIn(d.completeTask))
	mux.HandleFunc("POST /tasks/follow-up", d.signedIn(d.planFollowUp))
	mux.HandleFunc("POST /emails/write", d.signedIn(d.writeEmail))
	mux.HandleFunc("GET /notifications", d.signedIn(d.notifications))
	mux.HandleFunc("GET /mail-accounts", d.signedIn(d.mailAccounts))
	mux.HandleFunc("POST /tickets/{id}/messages", d.signedIn(d.answerTicket))
	mux.HandleFunc("GET /emails/{id}/attachments/{file}", d.signedIn(d.emailAttachment))
	mux.HandleFunc("POST /mail-accounts", d.signedIn(d.saveMailAccount))
	mux.HandleFunc("POST /mail-accounts/{id}", d.signedIn(d.saveMailAccount))
	mux.HandleFunc("POST /mail-accounts/{id}/test", d.signedIn(d.testMailAccount))
	mux.HandleFunc("POST /mail-accounts/{id}/delete", d.signedIn(d.deleteMailAccount))
	mux.HandleFunc("POST /account/calendar", d.signedIn(d.newCalendarFeed))
	mux.HandleFunc("POST /account/calendar/delete", d.signedIn(d.removeCalendarFeed))
	mux.HandleFunc("GET /reports", d.signedIn(d.reportsPage))
	mux.HandleFunc("GET /reports/new", d.signedIn(d.newReport))
	mux.HandleFunc("POST /reports/new", d.signedIn(d.saveReport))
	mux.HandleFunc("GET /reports/{id}", d.signedIn(d.reportPage))
	mux.HandleFunc("POST /reports/{id}", d.signedIn(d.saveReport))
	mux.HandleFunc("POST /reports/{id}/dashboard", d.signedIn(d.addToDashboard))
	mux.HandleFunc("GET /dashboards", d.signedIn(d.dashboards))
	mux.HandleFunc("POST /dashboards", d.signedIn(d.newDashboard))
	mux.HandleFunc("GET /dashboards/{ref}", d.signedIn(d.dashboard))
	mux.HandleFunc("POST /dashboards/{ref}", d.signedIn(d.editDashboard))
	mux.HandleFunc("GET /{object}", d.signedIn(d.list))
	mux.HandleFunc("POST /{object}", d.signedIn(d.create))
	mux.HandleFunc("GET /{object}/{id}", d.signedIn(d.record))
	mux.HandleFunc("POST /{object}/{id}", d.signedIn(d.save))
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

type page struct {
	Title     string
	Error     string
	Fields    map[string]string
	Form      map[string]string
	CSRF      string
	Workspace *auth.Workspace
	User      *auth.User
	Data      any
	Version   string
	Lang      string
}

// securityHeaders are sent with every page.
func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

func (d *Deps) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	l := d.locale(r)
	p.Version, p.Lang = d.Version, l.Tag
	p.Title, p.Error = l.T(p.Title), l.Message(p.Error)
	for k, v := range p.Fields {
		p.Fields[k] = l.Message(v)
	}
	securityHeaders(w)
	w.WriteHeader(status)
	if err := d.tmpl[l.Tag].ExecuteTemplate(w, name, p); err != nil {
		d.Log.Error("render page", "page", name, "err", err)
	}
}

// formToken returns the pre-sign-in CSRF token, setting its cookie.
func (d *Deps) formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(formCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: formCookie, Value: tok, Path: "/", HttpOnly: true, Secure: d.SecureCookies, SameSite: http.SameSiteStrictMode})
	return tok
}

func (d *Deps) checkFormToken(r *http.Request) bool {
	c, err := r.Cookie(formCookie)
	return err == nil && c.Value != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) == 1
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (d *Deps) startSession(w http.ResponseWriter, sess *auth.Session) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", HttpOnly: true, Secure: d.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(d.Auth.SessionTTL)})
}

func (d *Deps) identity(r *http.Request) *auth.Identity {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil
	}
	id, err := d.Auth.Session(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	return id
}

// fieldMessages maps a fault's field errors to messages by field name, each
// name given a prefix (forms that share a page keep their errors apart);
// with no field errors the fault's message goes under fallback.
// Messages are in the language l.
func fieldMessages(l *i18n.Locale, fe *fault.Error, prefix, fallback string) map[string]string {
	errs := map[string]string{}
	for _, f := range fe.Fields {
		errs[prefix+f.Field] = l.Message(f.Message)
	}
	if len(errs) == 0 && fallback != "" {
		errs[fallback] = l.Message(fe.Msg)
	}
	return errs
}

// formStatus is the status of a page that shows a form again after a
// refused submission.
func formStatus(k fault.Kind) int {
	switch k {
	case fault.KindForbidden:
		return http.StatusForbidden
	case fault.KindNotFound:
		return http.StatusNotFound
	case fault.KindConflict:
		return http.StatusConflict
	case fault.KindStale:
		return http.StatusPreconditionFailed
	}
	return http.StatusUnprocessableEntity
}

func fieldErrors(err error) (string, map[string]string) {
	fe := fault.As(err)
	if fe == nil {
		return "Something went wrong; please try again.", nil
	}
	fields := map[string]string{}
	for _, f := range fe.Fields {
		fields[f.Field] = f.Message
	}
	if len(fields) > 0 {
		return "Please correct the fields marked below.", fields
	}
	return fe.Msg, nil
}

func (d *Deps) workspace(ctx context.Context) (*auth.Workspace, error) {
	return d.Auth.DefaultWorkspace(ctx)
}

func (d *Deps) setupPage(w http.ResponseWriter, r *http.Request) {
	ws, err := d.workspace(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	tok := r.URL.Query().Get("token")
	if err := d.Auth.CheckSetupToken(r.Context(), ws.ID, tok); err != nil {
		d.render(w, r, http.StatusForbidden, "message.html", page{Title: "title.setup", Error: fault.As(err).Msg})
		return
	}
	d.render(w, r, http.StatusOK, "setup.html", page{Title: "title.setup", CSRF: d.formToken(w, r), Form: map[string]string{"token": tok, "workspace_name": ws.Name}})
}

func (d *Deps) setupSubmit(w http.ResponseWriter, r *http.Request) {
	ws, err := d.workspace(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if !d.checkFormToken(r) {
		d.render(w, r, http.StatusForbidden, "message.html", page{Title: "title.setup", Error: "The form expired; open the setup link again."})
		return
	}
	form := map[string]string{"token": r.PostFormValue("token"), "workspace_name": r.PostFormValue("workspace_name"),
		"name": r.PostFormValue("name"), "email": r.PostFormValue("email")}
	u, err := d.Auth.Setup(r.Context(), ws.ID, form["token"], form["workspace_name"],
		auth.NewUser{Email: form["email"], Name: form["name"], Password: r.PostFormValue("password")})
	if err != nil {
		if fe := fault.As(err); fe != nil && fe.Kind == fault.KindInvalid {
			msg, fields := fieldErrors(err)
			d.render(w, r, http.StatusUnprocessableEntity, "setup.html", page{Title: "title.setup", Error: msg, Fields: fields, Form: form, CSRF: d.formToken(w, r)})
			return
		}
		d.fail(w, r, err)
		return
	}
	sess, err := d.Auth.NewSession(r.Context(), ws.ID, u.ID, clientIP(r), r.UserAgent())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.startSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (d *Deps) loginPage(w http.ResponseWriter, r *http.Request) {
	if d.identity(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d.render(w, r, http.StatusOK, "login.html", page{Title: "title.login", CSRF: d.formToken(w, r), Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}})
}

func safeNext(s string) string {
	u, err := url.Parse(s)
	if err != nil || s == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return "/"
	}
	return s
}

func (d *Deps) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ws, err := d.workspace(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	form := map[string]string{"email": r.PostFormValue("email"), "next": safeNext(r.PostFormValue("next"))}
	if !d.checkFormToken(r) {
		d.render(w, r, http.StatusForbidden, "login.html", page{Title: "title.login", Error: "The form expired; please sign in again.", Form: form, CSRF: d.formToken(w, r)})
		return
	}
	sess, err := d.Auth.Login(r.Context(), ws.ID, form["email"], r.PostFormValue("password"), clientIP(r), r.UserAgent())
	if err != nil {
		status := http.StatusUnauthorized
		if fe := fault.As(err); fe != nil && fe.Kind == fault.KindRateLimited {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", "900")
		} else if fe == nil {
			d.fail(w, r, err)
			return
		}
		d.render(w, r, status, "login.html", page{Title: "title.login", Error: fault.As(err).Msg, Form: form, CSRF: d.formToken(w, r)})
		return
	}
	d.startSession(w, sess)
	http.Redirect(w, r, form["next"], http.StatusSeeOther)
}

func (d *Deps) logout(w http.ResponseWriter, r *http.Request) {
	if id := d.identity(r); id != nil {
		if id.CheckCSRF(r.PostFormValue("csrf_token")) != nil {
			http.Error(w, "missing or wrong CSRF token", http.StatusForbidden)
			return
		}
		c, _ := r.Cookie(SessionCookie)
		_ = d.Auth.Logout(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type objectCount struct {
	Object *schema.Object
	Count  int64
	Capped bool // there are more than Count
}

// fieldCtx is what the field template needs.
type fieldCtx struct {
	Field    *schema.Field
	Value    any
	Error    string
	CanWrite bool
	Choices  []cell
	Linked   []cell
	// Currency is the record's, and Totals its worked-out sums, for a
	// quote's lines.
	Currency string
	Totals   []cell
}

func (d *Deps) home(w http.ResponseWriter, r *http.Request, sh *shell) {
	var counts []objectCount
	for _, o := range sh.Nav {
		page, err := d.Records.List(r.Context(), sh.Identity.Principal, o.Name, records.Query{Count: true, CountLimit: countCap, PageSize: 1})
		if err != nil {
			continue
		}
		counts = append(counts, objectCount{Object: o, Count: *page.Total, Capped: page.TotalCapped})
	}
	d.renderShell(w, http.StatusOK, "home.html", sh.L.T("shell.home"), sh, counts)
}

func (d *Deps) fail(w http.ResponseWriter, r *http.Request, err error) {
	d.Log.Error("page failed", "path", r.URL.Path, "err", err)
	d.render(w, r, http.StatusInternalServerError, "message.html", page{Title: "title.error", Error: "Something went wrong on our side. Please try again."})
}
