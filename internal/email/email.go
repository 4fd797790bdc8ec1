// Package email is mail as records: what users write from the CRM, sent
// by a job through the mail layer, with its delivery status, on the
// timeline of every record it is about. (Receiving, templates and
// per-workspace accounts build on it.)
package email

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/activities"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/secret"
	"github.com/rapport-crm/rapport/internal/store"
)

// Object is the emails' object name.
const Object = "emails"

// SendJob is the kind of the job that sends an email.
const SendJob = "email.send"

// MaxRecipients bounds an email's to and cc together.
const MaxRecipients = 50

// Directory is what email reads of users.
type Directory interface {
	User(ctx context.Context, ws, id string) (*auth.User, error)
	Workspace(ctx context.Context, ws string) (*auth.Workspace, error)
}

// Service keeps emails whole and sends them.
type Service struct {
	db      *store.DB
	eng     *records.Engine
	schemas *schema.Registry
	log     *events.Log
	queue   *jobs.Queue
	dir     Directory
	send    mail.Sender // the install's server; nil: none is set up
	box     *secret.Box
	dkim    *mail.DKIM
	now     func() time.Time
	// domain is where Message-IDs are made (the mail domain), when set.
	domain string
	// replyDomain, when the receiver takes mail for it, is where replies
	// come back: Reply-To reply+<email id>@replyDomain.
	replyDomain string

	mu      sync.Mutex
	senders map[string]cachedSender
	readers chan struct{} // wakes the IMAP readers
	hooks   []Hook        // what received mail passes through
}

// Options are what the email service needs beyond its peers.
type Options struct {
	// Send is the install's SMTP server (--smtp); nil: none.
	Send mail.Sender
	// Secrets seals the passwords of mail accounts.
	Secrets *secret.Box
	// DKIM signs what goes out from its domain, through any account.
	DKIM *mail.DKIM
	// Domain is the mail domain: of Message-IDs (else the sender's).
	Domain string
}

// RepliesTo makes mail sent from now on ask for replies at
// reply+<email id>@domain, which the receiver takes: answers thread onto
// the email and its records even when the client drops the headers.
func (s *Service) RepliesTo(domain string) { s.replyDomain = strings.ToLower(domain) }

// New registers the rule and the send job. Call at start-up.
func New(db *store.DB, eng *records.Engine, schemas *schema.Registry, log *events.Log, queue *jobs.Queue, dir Directory, opt Options, now func() time.Time) *Service {
	s := &Service{db: db, eng: eng, schemas: schemas, log: log, queue: queue, dir: dir, send: opt.Send, box: opt.Secrets, dkim: opt.DKIM,
		domain: strings.ToLower(opt.Domain), now: now, senders: map[string]cachedSender{}, readers: make(chan struct{}, 1)}
	if s.box == nil {
		s.box = secret.New(db, "")
	}
	eng.Keep(Object, s.keep)
	eng.Keep("contacts", s.keepContact)
	eng.Keep(Templates, s.keepTemplate)
	queue.Handle(SendJob, s.deliver)
	queue.Handle(ReceiveJob, s.receive)
	queue.Handle(TestJob, s.test)
	return s
}

// policy is what HTML an email may carry: what user-generated content
// may (links, lists, tables, images by URL or by an inline part's cid:),
// and inline styles of text, colour, spacing and borders (a template's
// CSS is inlined first).
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("cid")
	p.AllowStyles("color", "background-color", "font-family", "font-size", "font-weight", "font-style", "text-align", "text-decoration",
		"line-height", "margin", "margin-top", "margin-bottom", "margin-left", "margin-right", "padding", "padding-top", "padding-bottom",
		"padding-left", "padding-right", "border", "border-top", "border-bottom", "border-collapse", "width", "max-width", "vertical-align").Globally()
	return p
}()

// keep fills and checks an email. What a user writes goes out: from the
// install's sender on the user's behalf (replies go to the user), to
// checked addresses, its HTML made safe and a text part made from it, a
// Message-ID on the mail domain, threaded under the email it answers;
// queued, and a job sends it. The system (the job, the receiver) writes
// the rest; nobody changes an email after.
func (s *Service) keep(ctx context.Context, tx *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	system := p.UserID == ""
	if before != nil {
		if system {
			return nil, nil
		}
		var errs []fault.FieldError
		for _, f := range []string{"direction", "status", "from", "to", "cc", "subject", "body_html", "body_text", "related", "in_reply_to", "message_id", "reference_ids", "error", "sent_at", "template_id", "marketing", "account_id", "private"} {
			if fmt.Sprint(before[f]) != fmt.Sprint(after[f]) {
				errs = append(errs, fault.FieldError{Field: f, Message: "an email does not change once written"})
			}
		}
		if len(errs) > 0 {
			return nil, fault.Invalid(errs...)
		}
		return nil, nil
	}
	if system {
		return nil, nil
	}
	var errs []fault.FieldError
	bad := func(field, format string, a ...any) {
		errs = append(errs, fault.FieldError{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	for _, f := range []string{"direction", "status", "from", "body_text", "message_id", "reference_ids", "error", "sent_at", "account_id", "private"} {
		if v := after[f]; v != nil && v != false {
			bad(f, "is set by Rapport")
		}
	}
	account, err := s.sharedAccount(ctx, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if account == nil {
		if account, err = s.sendingAccount(ctx, p.WorkspaceID, p.UserID); err != nil {
			return nil, err
		}
	}
	if account == nil && s.send == nil {
		return nil, fault.Conflict("", "no mail server is set up: add a mail account in Settings, or start Rapport with --smtp")
	}
	after["to"] = addresses(after["to"], "to", bad)
	after["cc"] = addresses(after["cc"], "cc", bad)
	to, _ := after["to"].([]string)
	cc, _ := after["cc"].([]string)
	if len(to) == 0 {
		bad("to", "is required: at least one address")
	}
	if len(to)+len(cc) > MaxRecipients {
		bad("to", "at most %d addresses in to and cc together", MaxRecipients)
	}
	var parent records.Record
	if id, ok := after["in_reply_to"].(string); ok {
		if parent, err = s.eng.GetIn(ctx, tx, p, Object, id); err != nil {
			if fault.KindOf(err) != fault.KindNotFound {
				return nil, err
			}
			bad("in_reply_to", "no email with id %q", id)
		}
	}
	if tid, ok := after["template_id"].(string); ok {
		if err := s.fromTemplate(ctx, tx, p, tid, after); err != nil {
			return nil, err
		}
	}
	subject, _ := after["subject"].(string)
	if subject = strings.TrimSpace(subject); subject == "" && parent != nil {
		subject = replySubject(fmt.Sprint(parent["subject"]))
	}
	if subject == "" {
		bad("subject", "is required")
	}
	html, _ := after["body_html"].(string)
	html = strings.TrimSpace(policy.Sanitize(html))
	if html == "" {
		bad("body_html", "is required: the message")
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	if after["related"] == nil && parent != nil {
		after["related"] = parent["related"]
	}
	if marketing, _ := after["marketing"].(bool); marketing {
		if err := s.checkConsent(ctx, p, append(slices.Clone(to), cc...)); err != nil {
			return nil, err
		}
	}
	if err := activities.CheckRefs(ctx, tx, s.eng, s.schemas, p, activities.Refs(after), Object); err != nil {
		return nil, err
	}
	u, err := s.dir.User(ctx, p.WorkspaceID, p.UserID)
	if err != nil {
		return nil, err
	}
	var fromAddr string
	if account != nil {
		fromAddr = account.Address
		after["account_id"] = account.ID
	} else {
		from, err := netmail.ParseAddress(s.send.From())
		if err != nil {
			return nil, fmt.Errorf("the sender address: %w", err)
		}
		fromAddr = from.Address
	}
	domain := s.domain
	if domain == "" {
		_, domain, _ = strings.Cut(fromAddr, "@")
	}
	after["direction"], after["status"] = "out", "queued"
	after["from"] = addressText(u.Name, fromAddr)
	after["subject"], after["body_html"], after["body_text"] = subject, html, Text(html)
	after["message_id"] = "<" + after.ID() + "@" + domain + ">"
	if parent != nil {
		refs, _ := parent["reference_ids"].([]string)
		if mid, ok := parent["message_id"].(string); ok && mid != "" {
			refs = append(slices.Clone(refs), mid)
		}
		if len(refs) > 0 {
			after["reference_ids"] = refs
		}
	}
	return nil, s.queue.Enqueue(ctx, tx, jobs.New{WorkspaceID: p.WorkspaceID, Kind: SendJob, MaxAttempts: 8,
		Payload: map[string]string{"email_id": after.ID(), "user_id": p.UserID}})
}

// addresses reads a list of email addresses, lower-cased, each checked.
func addresses(v any, field string, bad func(field, format string, a ...any)) any {
	list, _ := v.([]string)
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for i, s := range list {
		a, err := netmail.ParseAddress(s)
		if err != nil {
			bad(field, "item %d: %q is not an email address", i, s)
			continue
		}
		if addr := strings.ToLower(a.Address); !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	return out
}

// replySubject is "Re: " and the subject answered, once.
func replySubject(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "re:") {
		return s
	}
	return "Re: " + s
}

// deliver sends a queued email and records how it went: sent, or failed
// with the server's reply (at once on a 5xx, after the last try on
// anything else); either way it goes on the timelines of the records it
// is about, as email_out with its status.
//
// It is sent at most once: the email is marked sending (committed)
// before the server is given it, and back to queued when the server
// refuses for now. A run that finds it still sending follows one that
// died while handing it over, which may have got through; it is not sent
// again but failed, saying so.
func (s *Service) deliver(ctx context.Context, j *jobs.Job) error {
	var pl struct {
		EmailID string `json:"email_id"`
		UserID  string `json:"user_id"`
	}
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(fmt.Errorf("email payload: %w", err))
	}
	sys := access.System(j.WorkspaceID)
	e, err := s.eng.Get(ctx, sys, Object, pl.EmailID, false)
	if fault.KindOf(err) == fault.KindNotFound {
		return nil // trashed before it went
	}
	if err != nil {
		return err
	}
	switch e["status"] {
	case "queued":
	case "sending":
		return s.finish(ctx, j.WorkspaceID, pl.UserID, e, "failed", Interrupted)
	default:
		return nil
	}
	var account *Account
	if id := str(e["account_id"]); id != "" {
		if account, _, err = s.account(ctx, j.WorkspaceID, id); fault.KindOf(err) == fault.KindNotFound {
			return s.finish(ctx, j.WorkspaceID, pl.UserID, e, "failed", "the mail account it was to go through was deleted")
		} else if err != nil {
			return err
		}
	}
	sender, err := s.senderOf(ctx, j.WorkspaceID, account)
	if errors.Is(err, ErrNoServer) {
		return s.finish(ctx, j.WorkspaceID, pl.UserID, e, "failed", "no mail server is set up")
	}
	if err != nil {
		return err
	}
	if wait, err := s.take(ctx, j.WorkspaceID, account); err != nil {
		return err
	} else if wait > 0 {
		return jobs.Snooze(wait)
	}
	replyTo := ""
	if u, err := s.dir.User(ctx, j.WorkspaceID, pl.UserID); err == nil {
		switch {
		case account != nil && account.Reads():
			// Replies come to the mailbox, which Rapport reads.
		case s.replyDomain != "":
			replyTo = (&netmail.Address{Name: u.Name, Address: "reply+" + e.ID() + "@" + s.replyDomain}).String()
		case account == nil || !account.Personal():
			replyTo = (&netmail.Address{Name: u.Name, Address: u.Email}).String()
		}
	}
	to, _ := e["to"].([]string)
	cc, _ := e["cc"].([]string)
	refs, _ := e["reference_ids"].([]string)
	m := mail.Message{From: str(e["from"]), To: to, Cc: cc, ReplyTo: replyTo, Subject: str(e["subject"]),
		Text: str(e["body_text"]), HTML: str(e["body_html"]), MessageID: str(e["message_id"]), References: refs}
	if len(refs) > 0 {
		m.InReplyTo = refs[len(refs)-1]
	}
	if m.Attachments, err = s.files(ctx, j.WorkspaceID, e.ID()); err != nil {
		return err
	}
	if _, err := s.eng.Update(ctx, sys, Object, e.ID(), map[string]any{"status": "sending"}, nil); err != nil {
		return err
	}
	err = sender.Send(ctx, m)
	// What the server said is written even when the node is stopping:
	// left "sending", the email would not go again.
	wctx := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		return s.finish(wctx, j.WorkspaceID, pl.UserID, e, "sent", "")
	case mail.Permanent(err) || j.Attempt >= j.MaxAttempts:
		return s.finish(wctx, j.WorkspaceID, pl.UserID, e, "failed", mail.Reply(err))
	}
	// Refused for now (or the server was not reached, or the node is
	// stopping): queued again, and the job retries after its backoff.
	if _, uerr := s.eng.Update(wctx, sys, Object, e.ID(), map[string]any{"status": "queued", "error": mail.Reply(err)}, nil); uerr != nil {
		return uerr
	}
	return err
}

// Interrupted is the error of an email whose sending was cut off.
const Interrupted = "Rapport stopped while handing this message to the mail server; it may have gone out, so it was not sent again"

// finish records an email's outcome and puts it on its records' timelines.
func (s *Service) finish(ctx context.Context, ws, userID string, e records.Record, status, reply string) error {
	sys := access.System(ws)
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		in := map[string]any{"status": status}
		if status == "sent" {
			in["sent_at"] = s.now().UTC().Format(time.RFC3339Nano)
			in["error"] = nil
		}
		if reply != "" {
			in["error"] = reply
		}
		_, after, err := s.eng.UpdateIn(ctx, tx, sys, Object, e.ID(), in)
		if err != nil {
			return err
		}
		var actor *string
		if userID != "" {
			actor = &userID
		}
		summary := fmt.Sprintf("Sent email %s to %s", after["subject"], strings.Join(strs(after["to"]), ", "))
		if status == "failed" {
			summary = fmt.Sprintf("Email %s to %s failed: %s", after["subject"], strings.Join(strs(after["to"]), ", "), reply)
		}
		data := map[string]any{"email_id": e.ID(), "subject": after["subject"], "to": after["to"], "cc": after["cc"], "status": status, "error": after["error"]}
		return s.onTimelines(ctx, tx, &events.Event{WorkspaceID: ws, ActorID: actor, Kind: "email_out", Summary: summary, Data: data}, activities.Refs(after))
	})
}

// onTimelines appends ev (kind, summary, data) on the timeline of each
// record an email is about.
func (s *Service) onTimelines(ctx context.Context, tx *sql.Tx, ev *events.Event, refs []events.Ref) error {
	if len(refs) == 0 {
		return nil
	}
	sch, err := s.schemas.Get(ctx, ev.WorkspaceID)
	if err != nil {
		return err
	}
	evs := make([]*events.Event, 0, len(refs))
	for _, r := range refs {
		e := *ev
		e.Object, e.RecordID, e.Singular = r.Object, r.ID, r.Object
		if o, ok := sch.Object(r.Object); ok {
			e.Singular = o.Singular
		}
		evs = append(evs, &e)
	}
	return s.log.AppendMany(ctx, tx, evs)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	s, _ := v.([]string)
	return s
}

// addressText writes an address as people read it ("Zoë Berg
// <zoe@example.com>"), the name quoted when it holds specials; a mail
// header encodes it when it is sent.
func addressText(name, addr string) string {
	if name = strings.TrimSpace(name); name == "" {
		return addr
	}
	if strings.ContainsAny(name, `"(),.:;<>@[\]`) {
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + addr + ">"
}

// checkConsent refuses marketing mail to contacts who do not take it:
// marked do not contact, or who denied consent to email marketing.
// (Transactional mail goes to them still.)
func (s *Service) checkConsent(ctx context.Context, p access.Principal, addrs []string) error {
	people, err := s.contactsAt(ctx, access.System(p.WorkspaceID), addrs)
	if err != nil {
		return err
	}
	var errs []fault.FieldError
	for _, addr := range addrs {
		c, ok := people[addr]
		if !ok {
			continue
		}
		consent, _ := c["consent"].(map[string]any)
		if c["do_not_contact"] == true || consent["email_marketing"] == "denied" {
			errs = append(errs, fault.FieldError{Field: "to", Message: fmt.Sprintf("%s takes no marketing mail (do not contact, or consent denied)", addr)})
		}
	}
	if len(errs) > 0 {
		return fault.Invalid(errs...)
	}
	return nil
}

// contactsAt reads the contacts at the (lower-case) addresses, by address,
// in one lookup of the index on their address.
func (s *Service) contactsAt(ctx context.Context, p access.Principal, addrs []string) (map[string]records.Record, error) {
	return s.eng.FindBy(ctx, p, "contacts", "email", addrs)
}
