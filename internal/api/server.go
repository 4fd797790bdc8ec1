// Package api serves the public HTTP API under /api/v1: records of every
// object, the schema, search, users and keys, webhook deliveries, and the
// OpenAPI document generated from the schema and the routes.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/dedupe"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/imports"
	"github.com/rapport-crm/rapport/internal/notify"
	"github.com/rapport-crm/rapport/internal/privacy"
	"github.com/rapport-crm/rapport/internal/quotes"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/reports"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/tasks"
	"github.com/rapport-crm/rapport/internal/tickets"
	"github.com/rapport-crm/rapport/internal/webhooks"
)

// Deps are what the handlers use.
type Deps struct {
	Records *records.Engine
	Deals   *deals.Service
	Quotes  *quotes.Service
	Tasks   *tasks.Service
	Notify  *notify.Service
	Email   *email.Service
	Tickets *tickets.Service
	// PublicURL is the base of links the API hands out (calendar feeds).
	PublicURL string
	Schemas   *schema.Registry
	Auth      *auth.Service
	Events    *events.Log
	Webhooks  *webhooks.Service
	Privacy   *privacy.Service
	Dedupe    *dedupe.Service
	Imports   *imports.Service
	Reports   *reports.Service
	Log       *slog.Logger
	Version   string
	// SessionCookie is the name of the web session cookie, which the API
	// also accepts (with a CSRF token on unsafe methods).
	SessionCookie string
}

// Routes registers the API on mux.
func Routes(mux *http.ServeMux, d *Deps) {
	h := func(pattern string, fn func(w http.ResponseWriter, r *http.Request, id *auth.Identity) error) {
		mux.Handle(pattern, d.authed(fn))
	}
	mux.Handle("GET /api/v1/openapi.json", d.handle(d.openAPI))
	h("GET /api/v1/schema", d.getSchema)
	h("POST /api/v1/schema", d.createObject)
	h("POST /api/v1/schema/{object}/fields", d.addField)
	h("GET /api/v1/search", d.search)
	h("GET /api/v1/imports", d.listImports)
	h("POST /api/v1/imports", d.createImport)
	h("GET /api/v1/imports/{id}", d.getImport)
	h("GET /api/v1/imports/{id}/errors.csv", d.importErrors)
	h("POST /api/v1/imports/{id}/undo", d.undoImport)
	h("GET /api/v1/me", d.me)
	h("GET /api/v1/workspace", d.getWorkspace)
	h("PATCH /api/v1/workspace", d.patchWorkspace)
	h("GET /api/v1/users", d.listUsers)
	h("POST /api/v1/users", d.createUser)
	h("GET /api/v1/users/{id}", d.getUser)
	h("GET /api/v1/apikeys", d.listKeys)
	h("POST /api/v1/apikeys", d.createKey)
	h("DELETE /api/v1/apikeys/{id}", d.revokeKey)
	h("GET /api/v1/webhooks/{id}/deliveries", d.deliveries)
	h("GET /api/v1/pipelines/{id}/forecast", d.forecast)
	h("GET /api/v1/deals/stats", d.dealStats)
	h("GET /api/v1/tasks/mine", d.myTasks)
	h("POST /api/v1/reports/query", d.queryReport)
	h("GET /api/v1/reports/{id}/result", d.reportResult)
	h("GET /api/v1/reports/{id}/export", d.exportReport)
	h("GET /api/v1/dashboards/{ref}", d.dashboard)
	h("POST /api/v1/emails", d.sendEmail)
	h("GET /api/v1/emails/{id}/attachments", d.emailAttachments)
	h("GET /api/v1/emails/{id}/attachments/{file}", d.emailAttachment)
	h("GET /api/v1/tickets/{id}/messages", d.ticketMessages)
	h("POST /api/v1/tickets/{id}/messages", d.answerTicket)
	h("POST /api/v1/tickets/{id}/viewers", d.ticketViewers)
	h("GET /api/v1/mail-accounts", d.listMailAccounts)
	h("POST /api/v1/mail-accounts", d.saveMailAccount)
	h("GET /api/v1/mail-accounts/{id}", d.getMailAccount)
	h("PATCH /api/v1/mail-accounts/{id}", d.saveMailAccount)
	h("DELETE /api/v1/mail-accounts/{id}", d.deleteMailAccount)
	h("POST /api/v1/mail-accounts/{id}/test", d.testMailAccount)
	h("GET /api/v1/templates/{id}/preview", d.previewTemplate)
	h("GET /api/v1/notifications", d.notifications)
	h("POST /api/v1/notifications/read", d.readNotifications)
	h("POST /api/v1/me/calendar", d.newCalendarFeed)
	h("DELETE /api/v1/me/calendar", d.removeCalendarFeed)
	mux.Handle("GET /ical/{file}", d.handle(d.calendar))
	h("GET /api/v1/quotes/{id}/pdf", d.quotePDF)
	h("POST /api/v1/quotes/{id}/send", d.sendQuote)
	h("POST /api/v1/quotes/{id}/revise", d.reviseQuote)
	h("POST /api/v1/quotes/{id}/accept", d.acceptQuote)
	h("GET /api/v1/{object}", d.list)
	h("POST /api/v1/{object}", d.create)
	h("GET /api/v1/{object}/{id}", d.get)
	h("PATCH /api/v1/{object}/{id}", d.update)
	h("DELETE /api/v1/{object}/{id}", d.trash)
	h("POST /api/v1/{object}/{id}/restore", d.restore)
	h("GET /api/v1/{object}/{id}/timeline", d.timeline)
	h("GET /api/v1/contacts/{id}/gdpr-export", d.gdprExport)
	h("GET /api/v1/{object}/{id}/duplicates", d.duplicates)
	h("POST /api/v1/{object}/{id}/merge", d.merge)
	h("POST /api/v1/{object}/{id}/unmerge", d.unmerge)
	h("POST /api/v1/contacts/{id}/erase", d.erase)
	mux.Handle("/api/v1/{rest...}", d.handle(func(w http.ResponseWriter, r *http.Request) error {
		return fault.NotFound("no API endpoint %s %s", r.Method, r.URL.Path)
	}))
}

func (d *Deps) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			WriteError(w, r, d.Log, err)
		}
	})
}

type identityKey struct{}

// authed resolves the caller from a bearer API key or the session cookie.
// Cookie-authenticated unsafe requests must carry X-CSRF-Token.
func (d *Deps) authed(fn func(w http.ResponseWriter, r *http.Request, id *auth.Identity) error) http.Handler {
	return d.handle(func(w http.ResponseWriter, r *http.Request) error {
		id, err := d.identify(r)
		if err != nil {
			return err
		}
		r = r.WithContext(context.WithValue(r.Context(), identityKey{}, id))
		return fn(w, r, id)
	})
}

func (d *Deps) identify(r *http.Request) (*auth.Identity, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		key, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, fault.Unauthorized("Authorization: use \"Bearer <api key>\"")
		}
		return d.Auth.APIKey(r.Context(), strings.TrimSpace(key))
	}
	if c, err := r.Cookie(d.SessionCookie); err == nil && d.SessionCookie != "" {
		id, err := d.Auth.Session(r.Context(), c.Value)
		if err != nil {
			return nil, err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := id.CheckCSRF(r.Header.Get("X-CSRF-Token")); err != nil {
				return nil, err
			}
		}
		return id, nil
	}
	return nil, fault.Unauthorized("no credentials: send Authorization: Bearer <api key>")
}
