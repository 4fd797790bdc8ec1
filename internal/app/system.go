package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/internal/activities"
	"github.com/rapport-crm/rapport/internal/api"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/dedupe"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/imports"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/notify"
	"github.com/rapport-crm/rapport/internal/ops"
	"github.com/rapport-crm/rapport/internal/portal"
	"github.com/rapport-crm/rapport/internal/privacy"
	"github.com/rapport-crm/rapport/internal/quotes"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/reports"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/secret"
	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/tasks"
	"github.com/rapport-crm/rapport/internal/tickets"
	"github.com/rapport-crm/rapport/internal/views"
	"github.com/rapport-crm/rapport/internal/web"
	"github.com/rapport-crm/rapport/internal/webhooks"
)

// Config is what serve needs beyond the database.
type Config struct {
	Addr                 string
	PublicURL            string
	AllowPrivateWebhooks bool
	// SecureCookies marks cookies Secure (when served over HTTPS).
	SecureCookies bool
	// Mail sends mail (quotes); nil when no mail server is set up.
	Mail mail.Sender
	// DKIM signs outgoing mail of its domain; MailDomain is where
	// Message-IDs are made (else the sender's domain).
	DKIM       *mail.DKIM
	MailDomain string
	// SecretKey seals the passwords of mail accounts (else a key per
	// workspace, kept in the database).
	SecretKey string
}

// System is every service, wired: the composition root's product.
type System struct {
	DB       *store.DB
	Schemas  *schema.Registry
	Events   *events.Log
	Records  *records.Engine
	Jobs     *jobs.Queue
	Auth     *auth.Service
	Webhooks *webhooks.Service
	Views    *views.Service
	Privacy  *privacy.Service
	Dedupe   *dedupe.Service
	Imports  *imports.Service
	Deals    *deals.Service
	Quotes   *quotes.Service
	Tasks    *tasks.Service
	Notify   *notify.Service
	Email    *email.Service
	Tickets  *tickets.Service
	Portal   *portal.Service
	Reports  *reports.Service
	Metrics  *ops.Metrics
	Log      *slog.Logger
	Handler  http.Handler
}

// Build wires the services over an open, migrated database.
func Build(db *store.DB, cfg Config, log *slog.Logger, now func() time.Time) *System {
	s := &System{DB: db, Log: log}
	s.Schemas = schema.NewRegistry(db)
	s.Events = events.NewLog(db, now)
	s.Records = records.New(db, s.Schemas, s.Events, now)
	s.Jobs = jobs.NewQueue(db, now, log)
	s.Jobs.Around = schema.Snapshot // a job reads each schema once
	s.Auth = auth.New(db, now)
	s.Webhooks = webhooks.New(db, s.Events, s.Jobs, s.Records, now, log, webhooks.Options{AllowPrivate: cfg.AllowPrivateWebhooks})
	s.Views = views.New(db, s.Records, now)
	activities.New(s.Records, s.Events, s.Schemas)
	s.Deals = deals.New(s.Records, s.Events, now)
	s.Auth.OnWorkspaceCreated(s.Deals.CreateDefault)
	catalog := i18n.MustLoad()
	s.Notify = notify.New(db, now)
	s.Email = email.New(db, s.Records, s.Schemas, s.Events, s.Jobs, s.Auth,
		email.Options{Send: cfg.Mail, Secrets: secret.New(db, cfg.SecretKey), DKIM: cfg.DKIM, Domain: cfg.MailDomain}, now)
	s.Quotes = quotes.New(s.Records, s.Events, s.Jobs, s.Auth, s.Email, catalog, now)
	s.Tickets = tickets.New(db, s.Records, s.Events, s.Jobs, s.Notify, s.Email, s.Auth, now)
	s.Tickets.SetBaseURL(cfg.PublicURL)
	s.Portal = portal.New(db, s.Records, s.Jobs, s.Email, now)
	s.Tasks = tasks.New(s.Records, tasks.Options{Schemas: s.Schemas, Queue: s.Jobs, Notify: s.Notify, Directory: s.Auth, Mail: s.Email, Catalog: catalog, PublicURL: cfg.PublicURL}, now)
	s.Privacy = privacy.New(s.Records, s.Events, now)
	s.Dedupe = dedupe.New(s.Records)
	s.Imports = imports.New(db, s.Records, s.Jobs, now)
	s.Reports = newReports(s, catalog, cfg.PublicURL, now)
	s.Auth.OnWorkspaceCreated(s.Reports.CreateBuiltins)
	s.Metrics = ops.NewMetrics(ops.Stats{DB: db, JobDepth: s.Jobs.Depth})

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", ops.Health())
	mux.Handle("GET /readyz", ops.Ready(db))
	mux.Handle("GET /metrics", s.Metrics.Handler())
	api.Routes(mux, &api.Deps{
		Records: s.Records, Deals: s.Deals, Quotes: s.Quotes, Tasks: s.Tasks, Notify: s.Notify, Email: s.Email, Tickets: s.Tickets, PublicURL: cfg.PublicURL, Schemas: s.Schemas, Auth: s.Auth, Events: s.Events, Webhooks: s.Webhooks, Privacy: s.Privacy, Dedupe: s.Dedupe, Imports: s.Imports,
		Reports: s.Reports, Log: log, Version: Version, SessionCookie: web.SessionCookie,
	})
	web.Routes(mux, &web.Deps{Now: now, Deals: s.Deals, Reports: s.Reports, Quotes: s.Quotes, Tasks: s.Tasks, Notify: s.Notify, Email: s.Email, Tickets: s.Tickets, Portal: s.Portal, Privacy: s.Privacy, Dedupe: s.Dedupe, Imports: s.Imports, PublicURL: cfg.PublicURL, Webhooks: s.Webhooks, Auth: s.Auth, Records: s.Records, Events: s.Events, Views: s.Views, Schemas: s.Schemas, Log: log, SecureCookies: cfg.SecureCookies, Version: Version})
	s.Handler = snapshots(s.Metrics.Middleware(log, securityHeaders(mux))) // outermost: the mux names the route on the request the metrics hold
	return s
}

// snapshots gives each request its own snapshot of the schemas: read once,
// the same throughout.
func snapshots(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(schema.Snapshot(r.Context())))
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
