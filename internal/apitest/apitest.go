// Package apitest runs the whole application over HTTP for tests: a real
// database on the engine under test, the real handler, one user and API key
// per role, and scenario tables that check status, body, and the events and
// jobs a request leaves.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/app"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/mail/mailtest"
	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

// Env is a running application with a workspace of its own.
type Env struct {
	T      testing.TB
	Sys    *app.System
	Server *httptest.Server
	WS     string
	Keys   map[access.Role]string
	Users  map[access.Role]string
	Vars   map[string]string
	// Clock is the system's clock: the real time unless the demo seeder
	// moves it (app.SeedDemo).
	Clock *app.DemoClock
	// Mail is the SMTP server the application sends through.
	Mail *mailtest.Server
}

// New starts the application on the engine under test, with webhooks
// allowed to reach loopback (where the tests' receivers listen).
func New(t testing.TB) *Env {
	return NewWithConfig(t, app.Config{AllowPrivateWebhooks: true})
}

// NewWithConfig starts the application with cfg.
func NewWithConfig(t testing.TB, cfg app.Config) *Env {
	t.Helper()
	return start(t, cfg, storetest.Open(t))
}

// NewInstall starts the application on a database of its own, whose first
// workspace is the test's: the one the sign-in page serves.
func NewInstall(t testing.TB) *Env {
	t.Helper()
	return start(t, app.Config{AllowPrivateWebhooks: true}, storetest.OpenFresh(t))
}

// NewInstallWithoutSMTP is NewInstall with no install-wide SMTP server
// (--smtp): mail goes out only through mail accounts. Env.Mail is still a
// running server, for accounts to point at.
func NewInstallWithoutSMTP(t testing.TB) *Env {
	t.Helper()
	return start(t, app.Config{AllowPrivateWebhooks: true, Mail: noSMTP{}}, storetest.OpenFresh(t))
}

// noSMTP marks a Config without the install's SMTP server.
type noSMTP struct{ mail.Sender }

func start(t testing.TB, cfg app.Config, db *store.DB) *Env {
	t.Helper()
	ctx := context.Background()
	smtp := mailtest.StartServer(t)
	switch cfg.Mail.(type) {
	case nil:
		sender, err := mail.ParseURL("smtp://"+smtp.Addr+"?tls=none", "Rapport <crm@rapport.example>")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Mail = sender
	case noSMTP:
		cfg.Mail = nil
	}
	clock := &app.DemoClock{}
	sys := app.Build(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Now)
	ws, err := sys.Auth.CreateWorkspace(ctx, "Test")
	if err != nil {
		t.Fatal(err)
	}
	// A test's jobs end with it: on the PostgreSQL database the tests
	// share, one queued for a time the test's clock passed would be due
	// for the next test's drain, which runs any workspace's jobs.
	t.Cleanup(func() {
		_, _ = db.Writer().ExecContext(context.Background(), `DELETE FROM jobs WHERE workspace_id = $1`, ws.ID)
	})
	e := &Env{T: t, Sys: sys, Clock: clock, Mail: smtp, WS: ws.ID, Keys: map[access.Role]string{}, Users: map[access.Role]string{}, Vars: map[string]string{}}
	for _, role := range access.Roles {
		u, err := sys.Auth.CreateUser(ctx, access.System(ws.ID), ws.ID, auth.NewUser{Email: string(role) + "@test.example", Name: string(role), Role: string(role), Password: "a long password"})
		if err != nil {
			t.Fatal(err)
		}
		_, key, err := sys.Auth.CreateAPIKey(ctx, access.System(ws.ID), u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.Keys[role], e.Users[role] = key, u.ID
		e.Vars[string(role)+"_id"] = u.ID
	}
	e.Server = httptest.NewServer(sys.Handler)
	t.Cleanup(e.Server.Close)
	return e
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// Do sends a request as role (empty: no credentials) and returns the answer.
func (e *Env) Do(role access.Role, method, path string, body string, header map[string]string) *Response {
	e.T.Helper()
	req, err := http.NewRequest(method, e.Server.URL+e.expand(path), strings.NewReader(e.expand(body)))
	if err != nil {
		e.T.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.Keys[role])
	}
	for k, v := range header {
		req.Header.Set(k, e.expand(v))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}

var varPattern = regexp.MustCompile(`\{\{(\w+)\}\}`)

func (e *Env) expand(s string) string {
	return varPattern.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-2]
		v, ok := e.Vars[name]
		if !ok {
			e.T.Fatalf("scenario uses {{%s}} before it was saved", name)
		}
		return v
	})
}

// Count counts the workspace's rows in a table (events, jobs).
func (e *Env) Count(table string) int {
	var n int
	if err := e.Sys.DB.Reader().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table+" WHERE workspace_id = $1", e.WS).Scan(&n); err != nil {
		e.T.Fatal(err)
	}
	return n
}

// Scenario is one request and what it must do.
type Scenario struct {
	Name     string
	Role     access.Role // default admin; "-" for no credentials
	Method   string
	Path     string
	Body     string
	Header   map[string]string
	Status   int
	Contains []string // substrings the body must contain
	Lacks    []string // substrings it must not contain
	Events   int      // events the request must append
	Jobs     int      // jobs it must enqueue
	Save     string   // save the response's "id" under this name
}

// Run runs scenarios in order; later ones may use {{names}} saved earlier.
func (e *Env) Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, s := range scenarios {
		role := s.Role
		switch role {
		case "":
			role = access.Admin
		case "-":
			role = ""
		}
		events, jobs := e.Count("events"), e.Count("jobs")
		r := e.Do(role, s.Method, s.Path, s.Body, s.Header)
		if r.Status != s.Status {
			t.Errorf("%s: %s %s: status %d, want %d; body %s", s.Name, s.Method, s.Path, r.Status, s.Status, r.Body)
			continue
		}
		if r.Status >= 400 {
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: error Content-Type %q, want application/problem+json", s.Name, ct)
			}
			if r.Header.Get("X-Request-Id") == "" {
				t.Errorf("%s: no X-Request-Id", s.Name)
			}
		}
		for _, c := range s.Contains {
			if !bytes.Contains(r.Body, []byte(e.expand(c))) {
				t.Errorf("%s: body lacks %s: %s", s.Name, c, r.Body)
			}
		}
		for _, c := range s.Lacks {
			if bytes.Contains(r.Body, []byte(e.expand(c))) {
				t.Errorf("%s: body has %s: %s", s.Name, c, r.Body)
			}
		}
		if got := e.Count("events") - events; got != s.Events {
			t.Errorf("%s: appended %d events, want %d", s.Name, got, s.Events)
		}
		if got := e.Count("jobs") - jobs; got != s.Jobs {
			t.Errorf("%s: enqueued %d jobs, want %d", s.Name, got, s.Jobs)
		}
		if s.Save != "" {
			id, _ := r.JSON["id"].(string)
			if id == "" {
				t.Fatalf("%s: no id to save in %s", s.Name, r.Body)
			}
			e.Vars[s.Save] = id
		}
	}
}
