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
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/activities"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/records"
)

// MaxReferences bounds the References a received message is threaded by.
const MaxReferences = 20

// receive reads a received message into an email: once (by Message-ID),
// threaded under the email it answers (its In-Reply-To and References,
// or the reply+<id> address it was sent to), about the records of that
// thread and the contacts (and their companies) whose addresses it
// carries; on their timelines as email_in.
func (s *Service) receive(ctx context.Context, j *jobs.Job) error {
	var pl struct {
		InboundID string `json:"inbound_id"`
		AccountID string `json:"account_id"` // read from a mailbox
	}
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(fmt.Errorf("inbound payload: %w", err))
	}
	var raw []byte
	var rcpt string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT raw, rcpt_to FROM inbound_messages WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, pl.InboundID).Scan(&raw, &rcpt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	p, err := Parse(raw)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("inbound message %s: %w", pl.InboundID, err))
	}
	sys := access.System(j.WorkspaceID)
	if p.Bounce != nil {
		return s.bounced(ctx, sys, p.Bounce)
	}
	var account *Account
	if pl.AccountID != "" {
		if account, _, err = s.account(ctx, j.WorkspaceID, pl.AccountID); err != nil && fault.KindOf(err) != fault.KindNotFound {
			return err
		}
	}
	if p.MessageID == "" {
		p.MessageID = "<" + pl.InboundID + "@inbound.rapport>"
	}
	if dup, err := s.eng.FindBy(ctx, sys, Object, "message_id", []string{p.MessageID}); err != nil {
		return err
	} else if len(dup) > 0 {
		return nil // delivered twice: kept once
	}
	in := map[string]any{"direction": "in", "status": "received", "message_id": p.MessageID, "subject": p.Subject}
	if p.From != nil {
		in["from"] = addressText(p.From.Name, strings.ToLower(p.From.Address))
	}
	var addrs []string
	list := func(as []*netmail.Address) []any {
		out := []any{}
		for _, a := range as {
			out = append(out, strings.ToLower(a.Address))
			addrs = append(addrs, strings.ToLower(a.Address))
		}
		return out
	}
	if len(p.To) > 0 {
		in["to"] = list(p.To)
	}
	if len(p.Cc) > 0 {
		in["cc"] = list(p.Cc)
	}
	if p.From != nil {
		addrs = append(addrs, strings.ToLower(p.From.Address))
	}
	html := strings.TrimSpace(policy.Sanitize(p.HTML))
	text := strings.TrimSpace(p.Text)
	if text == "" {
		text = Text(html)
	}
	if html == "" && text != "" {
		html = HTML(text)
	}
	in["body_html"], in["body_text"] = nilIfEmpty(html), nilIfEmpty(text)
	if !p.Date.IsZero() {
		in["sent_at"] = p.Date.UTC().Format(time.RFC3339)
	}
	refs := slices.Clone(p.References)
	if p.InReplyTo != "" && !slices.Contains(refs, p.InReplyTo) {
		refs = append(refs, p.InReplyTo)
	}
	if len(refs) > 0 {
		in["reference_ids"] = toAny(refs)
	}
	related := map[string]map[string]any{}
	add := func(object, id string) {
		if id != "" {
			related[object+"/"+id] = map[string]any{"object": object, "id": id}
		}
	}
	// The thread: the email it answers (In-Reply-To), else the newest it
	// names in References (at most the last MaxReferences), else the one
	// whose reply address it came to; read in one query.
	var parent records.Record
	candidates := reversed(p.References)
	if len(candidates) > MaxReferences {
		candidates = candidates[:MaxReferences]
	}
	if p.InReplyTo != "" {
		candidates = append([]string{p.InReplyTo}, candidates...)
	}
	if len(candidates) > 0 {
		found, err := s.eng.FindBy(ctx, sys, Object, "message_id", candidates)
		if err != nil {
			return err
		}
		for _, mid := range candidates { // in the order of preference
			if r, ok := found[mid]; ok {
				parent = r
				break
			}
		}
	}
	if parent == nil {
		for _, r := range strings.Split(rcpt, ",") {
			if id, ok := strings.CutPrefix(strings.SplitN(strings.ToLower(r), "@", 2)[0], "reply+"); ok {
				if rec, err := s.eng.Get(ctx, sys, Object, id, false); err == nil {
					parent = rec
				}
			}
		}
	}
	if parent == nil && p.From != nil {
		if parent, err = s.bySubject(ctx, sys, p.Subject, strings.ToLower(p.From.Address)); err != nil {
			return err
		}
	}
	if parent != nil {
		in["in_reply_to"] = parent.ID()
		for _, r := range activities.Refs(parent) {
			add(r.Object, r.ID)
		}
	}
	// Who wrote it, made a contact when the workspace says so.
	if p.From != nil && !p.Auto {
		if err := s.knowSender(ctx, sys, p.From); err != nil {
			return err
		}
	}
	// The people it was between, and their companies.
	if len(addrs) > 0 {
		people, err := s.contactsAt(ctx, sys, addrs)
		if err != nil {
			return err
		}
		for _, addr := range addrs { // in the message's order
			c, ok := people[addr]
			if !ok {
				continue
			}
			add("contacts", c.ID())
			if company, ok := c["company_id"].(string); ok {
				add("companies", company)
			}
		}
	}
	if len(related) > 0 {
		keys := make([]string, 0, len(related))
		for k := range related {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var refsIn []any
		for _, k := range keys {
			refsIn = append(refsIn, related[k])
		}
		in["related"] = refsIn
	}
	private := account != nil && account.Private
	if account != nil {
		in["account_id"] = account.ID
		if account.Personal() {
			in["owner_id"] = account.UserID
		}
	}
	var files []File
	if private {
		// Who wrote to whom, and when; not what.
		in["private"] = true
		delete(in, "subject")
		delete(in, "body_html")
		delete(in, "body_text")
	} else {
		var note string
		if files, note = keptFiles(p.Attachments); note != "" {
			in["error"] = note
		}
	}
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		var then []func(records.Record) error
		if !private {
			var err error
			if then, err = s.runHooks(ctx, tx, Incoming{WorkspaceID: j.WorkspaceID, Parent: parent, From: p.From, Subject: p.Subject,
				Text: strings.TrimSpace(text), Recipients: recipients(rcpt, p), Auto: p.Auto}, in); err != nil {
				return err
			}
		}
		recs, err := s.eng.CreateManyIn(ctx, tx, sys, Object, []map[string]any{in})
		if err != nil {
			return err
		}
		e := recs[0]
		if err := s.attach(ctx, tx, j.WorkspaceID, e.ID(), files); err != nil {
			return err
		}
		for _, fn := range then {
			if err := fn(e); err != nil {
				return err
			}
		}
		from := ""
		if p.From != nil {
			from = p.From.Address
		}
		summary := fmt.Sprintf("Received email %s from %s", p.Subject, from)
		data := map[string]any{"email_id": e.ID(), "subject": p.Subject, "from": e["from"], "to": e["to"], "status": "received"}
		if private {
			summary = fmt.Sprintf("Received a private email from %s", from)
			delete(data, "subject")
			data["private"] = true
			// Nor is the message kept as it came.
			if _, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET raw = $3 WHERE workspace_id = $1 AND id = $2`, j.WorkspaceID, pl.InboundID, []byte{}); err != nil {
				return err
			}
		}
		if err := s.onTimelines(ctx, tx, &events.Event{WorkspaceID: j.WorkspaceID, Kind: "email_in", Summary: summary, Data: data}, activities.Refs(e)); err != nil {
			return err
		}
		return s.queue.CompleteIn(ctx, tx, j)
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func reversed(list []string) []string {
	out := slices.Clone(list)
	slices.Reverse(out)
	return out
}

// bounced takes a delivery status notification: the email it reports on
// is bounced (the remote server's words kept), and the contacts at the
// addresses that failed are marked as bouncing. It is no conversation:
// no email is kept of it.
func (s *Service) bounced(ctx context.Context, sys access.Principal, b *Bounce) error {
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		if b.OriginalMessageID != "" {
			found, err := s.eng.FindBy(ctx, sys, Object, "message_id", []string{b.OriginalMessageID})
			if err != nil {
				return err
			}
			if e, ok := found[b.OriginalMessageID]; ok && e["direction"] == "out" {
				reason := strings.TrimSpace(b.Status + " " + b.Diagnostic)
				if _, _, err := s.eng.UpdateIn(ctx, tx, sys, Object, e.ID(), map[string]any{"status": "bounced", "error": reason}); err != nil {
					return err
				}
			}
		}
		for _, addr := range b.Recipients {
			people, err := s.eng.List(ctx, sys, "contacts", records.Query{Filter: "email = " + filter.Quote(addr) + " AND email_bounced = false", PageSize: 10})
			if err != nil {
				return err
			}
			for _, c := range people.Data {
				if _, _, err := s.eng.UpdateIn(ctx, tx, sys, "contacts", c.ID(), map[string]any{"email_bounced": true}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// keepContact guards a contact's bounce mark: set by Rapport when mail to
// the address bounces, cleared when the address changes, never set by
// hand.
func (s *Service) keepContact(_ context.Context, _ *sql.Tx, p access.Principal, before, after records.Record) ([]*events.Event, error) {
	if before != nil && before["email"] != after["email"] {
		after["email_bounced"] = false
		return nil, nil
	}
	if p.UserID != "" {
		was, _ := before["email_bounced"].(bool)
		if now, _ := after["email_bounced"].(bool); now != was {
			return nil, fault.Invalid(fault.FieldError{Field: "email_bounced", Message: "is set by Rapport when mail to the address bounces"})
		}
	}
	return nil, nil
}

// knowSender makes a contact of a sender nobody knows yet, when the
// workspace makes contacts from mail: the name split into first and last,
// the address, "email" as where the lead came from.
func (s *Service) knowSender(ctx context.Context, sys access.Principal, from *netmail.Address) error {
	ws, err := s.dir.Workspace(ctx, sys.WorkspaceID)
	if err != nil || !ws.MailCreatesContacts {
		return err
	}
	addr := strings.ToLower(from.Address)
	if s.replyDomain != "" && strings.HasSuffix(addr, "@"+s.replyDomain) {
		return nil // our own
	}
	if known, err := s.contactsAt(ctx, sys, []string{addr}); err != nil || len(known) > 0 {
		return err
	}
	first, last, _ := strings.Cut(strings.TrimSpace(from.Name), " ")
	in := map[string]any{"email": addr, "lead_source": "email"}
	if first != "" {
		in["first_name"] = first
	}
	if last = strings.TrimSpace(last); last != "" {
		in["last_name"] = last
	}
	_, err = s.eng.Create(ctx, sys, "contacts", in)
	return err
}

// replyPrefixes are what mail clients put before a subject they answer or
// forward, in the languages they are most used in.
var replyPrefixes = []string{"re:", "aw:", "antw:", "sv:", "vs:", "r:", "rif:", "odp:", "fwd:", "fw:", "wg:", "tr:", "rv:"}

// baseSubject is a subject without the reply and forward prefixes.
func baseSubject(s string) string {
	s = strings.TrimSpace(s)
	for {
		lower := strings.ToLower(s)
		cut := false
		for _, p := range replyPrefixes {
			if strings.HasPrefix(lower, p) {
				s, cut = strings.TrimSpace(s[len(p):]), true
				break
			}
		}
		if !cut {
			return s
		}
	}
}

// bySubject finds the email a message answers when its headers do not
// say: for a subject that answers ("Re:", "AW:" and the like), the newest
// email sent in the last 90 days with the same subject to its sender. The
// lookup goes by the index on the subject; a new subject costs nothing.
func (s *Service) bySubject(ctx context.Context, sys access.Principal, subject, from string) (records.Record, error) {
	base := baseSubject(subject)
	if base == "" || base == strings.TrimSpace(subject) {
		return nil, nil // no answer: a conversation of its own
	}
	f := `subject = ` + filter.Quote(base) + ` OR subject = ` + filter.Quote("Re: "+base)
	page, err := s.eng.List(ctx, sys, Object, records.Query{Filter: f, OrderBy: "subject", PageSize: 100})
	if err != nil {
		return nil, err
	}
	since := s.now().AddDate(0, 0, -90)
	var best records.Record
	for _, e := range page.Data {
		to, _ := e["to"].([]string)
		cc, _ := e["cc"].([]string)
		created, _ := e["created_at"].(time.Time)
		if e["direction"] != "out" || created.Before(since) || (!slices.Contains(to, from) && !slices.Contains(cc, from)) {
			continue
		}
		if best == nil || created.After(best["created_at"].(time.Time)) {
			best = e
		}
	}
	return best, nil
}

// Log keeps an email sent or received elsewhere (mail history brought in,
// the demo): the record as given — direction out with status sent, or in
// with status received — and its entry on the timelines of the records it
// is about, by actorID when it is a user's. Nothing is sent.
func (s *Service) Log(ctx context.Context, ws, actorID string, in map[string]any) (records.Record, error) {
	var out records.Record
	err := s.eng.Tx(ctx, func(tx *sql.Tx) error {
		rec, err := s.eng.CreateIn(ctx, tx, access.System(ws), Object, in)
		if err != nil {
			return err
		}
		out = rec
		var actor *string
		if actorID != "" {
			actor = &actorID
		}
		kind, summary := "email_out", fmt.Sprintf("Sent email %s to %s", rec["subject"], strings.Join(strs(rec["to"]), ", "))
		if rec["direction"] == "in" {
			kind, summary = "email_in", fmt.Sprintf("Received email %s from %s", rec["subject"], rec["from"])
		}
		data := map[string]any{"email_id": rec.ID(), "subject": rec["subject"], "from": rec["from"], "to": rec["to"], "status": rec["status"]}
		return s.onTimelines(ctx, tx, &events.Event{WorkspaceID: ws, ActorID: actor, Kind: kind, Summary: summary, Data: data}, activities.Refs(rec))
	})
	return out, err
}

// Incoming is a received message as the receive hooks see it, inside the
// transaction that files it, before its email is written.
type Incoming struct {
	WorkspaceID string
	// Parent is the email it answers, if known.
	Parent        records.Record
	From          *netmail.Address
	Subject, Text string
	// Recipients are every address it went to (the envelope's, To, Cc),
	// lower-case.
	Recipients []string
	// Auto says a machine sent it (auto-reply, list, bounce).
	Auto bool
}

// Hook files a received message further (the helpdesk makes a ticket of
// it): it returns the records the email is about too, and what to do
// once the email is written (then may be nil).
type Hook func(ctx context.Context, tx *sql.Tx, in Incoming) (refs []events.Ref, then func(email records.Record) error, err error)

// OnReceive adds a hook that every received message (not private mail)
// passes through. Call at start-up.
func (s *Service) OnReceive(h Hook) { s.hooks = append(s.hooks, h) }

// runHooks passes a message through the hooks, relates the email to be
// written (in) to what they return, and gathers what they do after.
func (s *Service) runHooks(ctx context.Context, tx *sql.Tx, in Incoming, email map[string]any) ([]func(records.Record) error, error) {
	var then []func(records.Record) error
	related, _ := email["related"].([]any)
	for _, h := range s.hooks {
		refs, fn, err := h(ctx, tx, in)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			ref := map[string]any{"object": r.Object, "id": r.ID}
			if !slices.ContainsFunc(related, func(v any) bool { m, _ := v.(map[string]any); return m["object"] == r.Object && m["id"] == r.ID }) {
				related = append(related, ref)
			}
		}
		if fn != nil {
			then = append(then, fn)
		}
	}
	if len(related) > 0 {
		email["related"] = related
	}
	return then, nil
}

// recipients are the addresses a message went to: the envelope's and its
// To and Cc, lower-case, once each.
func recipients(rcpt string, p *Parsed) []string {
	var out []string
	add := func(a string) {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, r := range strings.Split(rcpt, ",") {
		add(r)
	}
	for _, a := range append(append([]*netmail.Address{}, p.To...), p.Cc...) {
		add(a.Address)
	}
	return out
}
