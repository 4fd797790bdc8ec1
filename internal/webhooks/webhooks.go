// Package webhooks delivers events to subscribers' URLs: every appended
// event that a webhook subscribes to becomes a delivery job in the same
// transaction (event → job → delivery), signed with the webhook's secret,
// retried with backoff, and logged.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/store"
)

// JobKind is the kind of delivery jobs.
const JobKind = "webhook.deliver"

// Service wires webhooks into the event log and the job queue.
type Service struct {
	db           *store.DB
	queue        *jobs.Queue
	now          func() time.Time
	log          *slog.Logger
	client       *http.Client
	allowPrivate bool
}

// Options configure the service.
type Options struct {
	// AllowPrivate lets webhooks target loopback and private addresses.
	AllowPrivate bool
	Timeout      time.Duration
}

// New returns the service and registers its event hook, job handler and
// record validator.
func New(db *store.DB, log *events.Log, queue *jobs.Queue, eng *records.Engine, now func() time.Time, logger *slog.Logger, opt Options) *Service {
	if opt.Timeout == 0 {
		opt.Timeout = 10 * time.Second
	}
	s := &Service{db: db, queue: queue, now: now, log: logger, allowPrivate: opt.AllowPrivate}
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: s.checkDial}
	s.client = &http.Client{
		Timeout:   opt.Timeout,
		Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer, not a new target
		},
	}
	log.OnAppend(s.onEvents)
	queue.Handle(JobKind, s.deliver)
	eng.Validate("webhooks", s.validate)
	return s
}

// checkDial refuses private and loopback targets at connect time, after
// DNS resolution, so that a name cannot point somewhere it should not.
func (s *Service) checkDial(network, address string, _ syscall.RawConn) error {
	if s.allowPrivate {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || private(ip) {
		return fmt.Errorf("webhook target %s is a private or loopback address", host)
	}
	return nil
}

func private(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
}

// validate checks a webhook record before it is written.
func (s *Service) validate(ctx context.Context, _ *sql.Tx, p access.Principal, rec records.Record) error {
	if err := access.CanAdminister(p); err != nil {
		return err
	}
	var errs []fault.FieldError
	if raw, _ := rec["url"].(string); raw != "" && !s.allowPrivate {
		u, _ := url.Parse(raw)
		host := u.Hostname()
		ip := net.ParseIP(host)
		if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") || (ip != nil && private(ip)) {
			errs = append(errs, fault.FieldError{Field: "url", Message: "targets a private or loopback address (allowed only with --webhooks-allow-private)"})
		}
	}
	evs, _ := rec["events"].([]string)
	if len(evs) == 0 {
		errs = append(errs, fault.FieldError{Field: "events", Message: "subscribe to at least one event type, e.g. contact.created, or *"})
	}
	for _, e := range evs {
		if e != "*" && !validType(e) {
			errs = append(errs, fault.FieldError{Field: "events", Message: fmt.Sprintf("%q is not an event type like contact.created", e)})
		}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	if sec, _ := rec["secret"].(string); sec == "" {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		rec["secret"] = "whsec_" + hex.EncodeToString(b)
	}
	return nil
}

func validType(t string) bool {
	obj, verb, ok := strings.Cut(t, ".")
	if !ok || obj == "" || verb == "" {
		return false
	}
	for _, r := range obj + verb {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Body is what a delivery posts.
type Body struct {
	ID       string         `json:"id"`
	Type     string         `json:"type"`
	At       time.Time      `json:"at"`
	Object   string         `json:"object"`
	RecordID string         `json:"record_id"`
	Data     map[string]any `json:"data"`
}

type payload struct {
	WebhookID string          `json:"webhook_id"`
	EventID   string          `json:"event_id"`
	Type      string          `json:"type"`
	Body      json.RawMessage `json:"body"`
}

// onEvents enqueues one delivery job per subscribed webhook and event, in
// the transaction of the events.
func (s *Service) onEvents(ctx context.Context, tx *sql.Tx, evs []*events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, events FROM webhooks WHERE workspace_id = $1 AND deleted_at IS NULL AND active = $2`, //nolint

		evs[0].WorkspaceID, s.db.Dialect().Bool(true))
	if err != nil {
		return fmt.Errorf("find webhooks: %w", err)
	}
	type hook struct {
		id   string
		subs []string
	}
	var hooks []hook
	for rows.Next() {
		var h hook
		var raw []byte
		if err := rows.Scan(&h.id, &raw); err != nil {
			rows.Close()
			return err
		}
		_ = json.Unmarshal(raw, &h.subs)
		hooks = append(hooks, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(hooks) == 0 {
		return err
	}
	for _, ev := range evs {
		if ev.Object == "webhooks" {
			continue // a webhook's own changes are not delivered (they hold secrets)
		}
		typ := ev.Type()
		var body []byte
		for _, h := range hooks {
			if !slices.Contains(h.subs, typ) && !slices.Contains(h.subs, "*") {
				continue
			}
			if body == nil {
				if body, err = eventBody(ev); err != nil {
					return err
				}
			}
			if err := s.queue.Enqueue(ctx, tx, jobs.New{
				WorkspaceID: ev.WorkspaceID, Kind: JobKind, UniqueKey: "webhook:" + h.id + ":" + ev.ID, MaxAttempts: 8,
				Payload: payload{WebhookID: h.id, EventID: ev.ID, Type: typ, Body: body},
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// eventBody is the JSON posted for an event: the record after the change,
// with the changes of an update under data.changes.
func eventBody(ev *events.Event) ([]byte, error) {
	data := map[string]any{}
	for k, v := range ev.Record {
		data[k] = v
	}
	if ch, ok := ev.Data["changes"]; ok {
		data["changes"] = ch
	}
	return json.Marshal(Body{ID: ev.ID, Type: ev.Type(), At: ev.At, Object: ev.Object, RecordID: ev.RecordID, Data: data})
}

// Sign returns the X-Rapport-Signature value for body at time t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// deliver posts one event to one webhook and logs the attempt.
func (s *Service) deliver(ctx context.Context, j *jobs.Job) error {
	var p payload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("webhook payload: %w", err))
	}
	var rawURL, secret string
	var active bool
	err := s.db.Reader().QueryRowContext(ctx, `SELECT url, COALESCE(secret, ''), active FROM webhooks WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL`,
		j.WorkspaceID, p.WebhookID).Scan(&rawURL, &secret, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return nil // deleted or paused since: nothing to deliver
	}
	if err != nil {
		return err
	}
	start := s.now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(p.Body))
	if err != nil {
		return jobs.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Rapport-Webhooks/1")
	req.Header.Set("X-Rapport-Event", p.Type)
	req.Header.Set("X-Rapport-Delivery", p.EventID)
	req.Header.Set("X-Rapport-Signature", Sign(secret, start, p.Body))
	resp, err := s.client.Do(req)
	status, respBody, errText := 0, "", ""
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		errText = err.Error()
	} else {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		resp.Body.Close()
		status, respBody = resp.StatusCode, string(b)
		if status < 200 || status > 299 {
			errText = fmt.Sprintf("target answered %d", status)
		}
	}
	d := s.db.Dialect()
	if _, lerr := s.db.Writer().ExecContext(context.WithoutCancel(ctx), `INSERT INTO webhook_deliveries
		(workspace_id, id, webhook_id, event_id, event_type, attempt, status_code, error, response_body, duration_ms, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		j.WorkspaceID, uuid.Must(uuid.NewV7()).String(), p.WebhookID, p.EventID, p.Type, j.Attempt, status, errText, respBody,
		s.now().Sub(start).Milliseconds(), d.Time(start)); lerr != nil {
		s.log.Error("log webhook delivery", "err", lerr)
	}
	if errText != "" {
		return errors.New(errText)
	}
	return nil
}

// Delivery is one logged attempt.
type Delivery struct {
	ID           string    `json:"id"`
	EventID      string    `json:"event_id"`
	EventType    string    `json:"event_type"`
	Attempt      int       `json:"attempt"`
	StatusCode   int       `json:"status_code"`
	Error        string    `json:"error"`
	ResponseBody string    `json:"response_body"`
	DurationMS   int64     `json:"duration_ms"`
	At           time.Time `json:"at"`
	OK           bool      `json:"ok"`
}

// Deliveries lists a webhook's delivery attempts, newest first.
func (s *Service) Deliveries(ctx context.Context, p access.Principal, webhookID string, limit int) ([]Delivery, error) {
	if err := access.CanAdminister(p); err != nil {
		return nil, err
	}
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM webhooks WHERE workspace_id = $1 AND id = $2`, p.WorkspaceID, webhookID).Scan(&n); err != nil || n == 0 {
		return nil, fault.NotFound("no webhook with id %q", webhookID)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, event_id, event_type, attempt, status_code, error, response_body, duration_ms, at
		FROM webhook_deliveries WHERE workspace_id = $1 AND webhook_id = $2 ORDER BY id DESC LIMIT $3`, p.WorkspaceID, webhookID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var dl Delivery
		var at store.NullTime
		if err := rows.Scan(&dl.ID, &dl.EventID, &dl.EventType, &dl.Attempt, &dl.StatusCode, &dl.Error, &dl.ResponseBody, &dl.DurationMS, &at); err != nil {
			return nil, err
		}
		dl.At, dl.OK = at.Time, dl.Error == ""
		out = append(out, dl)
	}
	return out, rows.Err()
}
