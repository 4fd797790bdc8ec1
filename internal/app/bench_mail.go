package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/jobs"
	"github.com/rapport-crm/rapport/internal/mail"
	"github.com/rapport-crm/rapport/internal/records"
)

// benchMail measures the mail layer: messages through mail.SMTP to an
// SMTP sink on loopback (kept connections, then a connection each), emails
// written and sent by the job queue end to end through a mail account,
// and received messages parsed and filed by the job queue.
func benchMail(ctx context.Context, sys *System, p access.Principal, n int, logf func(string, ...any)) ([][]string, error) {
	sink, err := startSink()
	if err != nil {
		return nil, err
	}
	defer sink.close()
	host, portText, _ := net.SplitHostPort(sink.addr)
	port, _ := strconv.Atoi(portText)
	html := "<p>Dear Ada,</p><p>thank you for your time today. As promised, the <b>proposal</b> is attached and the figures are below.</p>" +
		"<table><tr><td>Licences</td><td>25</td></tr><tr><td>Support</td><td>3 years</td></tr></table><p>Best regards,<br>Sam</p>"
	msg := func(i int) mail.Message {
		return mail.Message{To: []string{fmt.Sprintf("contact%d@example.com", i)}, Subject: fmt.Sprintf("Our proposal, Grüße %d", i),
			Text: email.Text(html), HTML: html, MessageID: fmt.Sprintf("<bench-%d@rapport.example>", i)}
	}
	var rows [][]string

	// 1. mail.SMTP with its kept connections, 4 senders.
	sender, err := mail.New(mail.Config{Host: host, Port: port, Security: "none", From: "Sam Sales <sam@rapport.example>"})
	if err != nil {
		return nil, err
	}
	defer sender.Close()
	rate, err := sendAll(ctx, n, 4, func(i int) error { return sender.Send(ctx, msg(i)) })
	if err != nil {
		return nil, err
	}
	conns := sink.conns.Load()
	logf("mail: %d messages through kept connections: %.0f msg/s over %d connections", n, rate, conns)
	rows = append(rows, []string{fmt.Sprintf("send %d messages (multipart/alternative) through mail.SMTP to an SMTP sink on loopback, 4 senders, kept connections (%d opened)", n, conns), fmt.Sprintf("%.0f msg/s", rate), "", ""})

	// 2. A connection each, for comparison.
	few := max(n/10, 100)
	rate, err = sendAll(ctx, few, 4, func(i int) error {
		s, err := mail.New(mail.Config{Host: host, Port: port, Security: "none", From: "Sam Sales <sam@rapport.example>"})
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Send(ctx, msg(i))
	})
	if err != nil {
		return nil, err
	}
	logf("mail: %d messages, a connection each: %.0f msg/s", few, rate)
	rows = append(rows, []string{fmt.Sprintf("the same, a new connection per message (%d messages)", few), fmt.Sprintf("%.0f msg/s", rate), "", ""})

	// 3. Emails as records, sent by the job queue through a mail account.
	body := []byte(fmt.Sprintf(`{"name":"Bench","address":"sam@rapport.example","per_minute":100000,"smtp":{"host":%q,"port":%d,"security":"none"}}`, host, port))
	if _, err := sys.Email.SaveAccount(ctx, p, "", func(in *email.AccountInput) error { return json.Unmarshal(body, in) }); err != nil {
		return nil, err
	}
	people, err := sys.Records.List(ctx, p, "contacts", records.Query{Filter: "email:*", PageSize: 500})
	if err != nil {
		return nil, err
	}
	if len(people.Data) == 0 {
		return nil, fmt.Errorf("bench mail: no contact with an address")
	}
	emails := max(n/5, 200)
	wstart := time.Now()
	var sentIDs []string
	for i := range emails {
		c := people.Data[i%len(people.Data)]
		e, err := sys.Records.Create(ctx, p, email.Object, map[string]any{"to": []any{c["email"]}, "subject": fmt.Sprintf("Bench %d", i), "body_html": html,
			"related": []any{map[string]any{"object": "contacts", "id": c.ID()}}})
		if err != nil {
			return nil, fmt.Errorf("write email: %w", err)
		}
		sentIDs = append(sentIDs, e["message_id"].(string))
	}
	writeRate := float64(emails) / time.Since(wstart).Seconds()
	sstart := time.Now()
	if err := drainJobs(ctx, sys.Jobs, 4); err != nil {
		return nil, err
	}
	sendRate := float64(emails) / time.Since(sstart).Seconds()
	logf("mail: %d emails written at %.0f/s, sent by the job queue at %.0f/s", emails, writeRate, sendRate)
	rows = append(rows, []string{fmt.Sprintf("write an email (the rule, the record, its event and its send job; %d, one per transaction)", emails), fmt.Sprintf("%.0f emails/s", writeRate), "", ""},
		[]string{"send them by the job queue through a mail account (4 workers: rate limit, sending mark, SMTP, status, email_out on the timeline)", fmt.Sprintf("%.0f emails/s", sendRate), "", ""})

	// 4. Received messages, parsed and filed.
	inbound := n
	for start := 0; start < inbound; start += 1000 {
		err := sys.Records.Tx(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+1000, inbound); i++ {
				c := people.Data[i%len(people.Data)]
				raw := inboundMessage(i, fmt.Sprint(c["email"]), sentIDs[i%len(sentIDs)], html)
				if err := sys.Email.Keep(ctx, tx, email.Inbound{WorkspaceID: p.WorkspaceID, From: fmt.Sprint(c["email"]), To: "sam@rapport.example", Raw: raw}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	rstart := time.Now()
	if err := drainJobs(ctx, sys.Jobs, 4); err != nil {
		return nil, err
	}
	recvRate := float64(inbound) / time.Since(rstart).Seconds()
	filed, err := sys.Records.List(ctx, access.System(p.WorkspaceID), email.Object, records.Query{Filter: `direction = "in"`, PageSize: 1, Count: true})
	if err != nil {
		return nil, err
	}
	if filed.Total == nil || *filed.Total != int64(inbound) {
		return nil, fmt.Errorf("bench mail: %v of %d received messages filed", filed.Total, inbound)
	}
	logf("mail: %d received messages parsed and filed at %.0f msg/s", inbound, recvRate)
	rows = append(rows, []string{fmt.Sprintf("parse and file %d received messages (multipart, threaded replies from known contacts: dedupe, thread, contacts, email, email_in events; 4 workers)", inbound), fmt.Sprintf("%.0f msg/s", recvRate), "", ""})
	return rows, nil
}

// inboundMessage is a reply as a mail client writes it: multipart, quoted
// text, threaded under a sent email.
func inboundMessage(i int, from, inReplyTo, html string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Contact %d <%s>\r\nTo: Sam Sales <sam@rapport.example>\r\nSubject: Re: Bench %d\r\nDate: %s\r\n", i, from, i, time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <in-%d-%s@mail.example.com>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\n", i, uuid.NewString()[:8], inReplyTo, inReplyTo)
	b.WriteString("Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.WriteString("Thanks, that looks good. Gr=C3=BC=C3=9Fe!\r\n\r\n> Dear Ada,\r\n> thank you for your time today.\r\n\r\n--b1\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n")
	b.WriteString("<div>Thanks, that looks good. Grüße!</div><blockquote>" + html + "</blockquote>\r\n--b1--\r\n")
	return b.Bytes()
}

// sendAll runs send for 0..n-1 on w goroutines and returns the rate.
func sendAll(ctx context.Context, n, w int, send func(int) error) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var first error
	var mu sync.Mutex
	start := time.Now()
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := send(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), first
}

// drainJobs runs due jobs on w workers until none is left.
func drainJobs(ctx context.Context, q *jobs.Queue, w int) error {
	var wg sync.WaitGroup
	errs := make(chan error, w)
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ran, err := q.RunOne(ctx)
				if err != nil {
					errs <- err
					return
				}
				if !ran {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// sink is an SMTP server that takes every message and keeps nothing.
type sink struct {
	addr  string
	srv   *smtp.Server
	conns atomic.Int64
}

func startSink() (*sink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{addr: l.Addr().String()}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "sink.localhost"
	s.srv.MaxRecipients = 100
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *sink) close() { _ = s.srv.Close() }

// NewSession implements smtp.Backend.
func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) {
	s.conns.Add(1)
	return sinkSession{}, nil
}

type sinkSession struct{}

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (sinkSession) Reset()        {}
func (sinkSession) Logout() error { return nil }
