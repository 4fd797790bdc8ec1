// Package mailtest runs a real SMTP server (go-smtp) on a loopback port
// for tests, keeping what it is sent.
package mailtest

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Server is an SMTP server on a loopback port that keeps what it is sent.
type Server struct {
	Addr   string
	mu     sync.Mutex
	msgs   []Received
	refuse int
}

// Received is a delivered message.
type Received struct {
	From string
	To   []string
	Data string
}

// StartServer starts a Server for the test.
func StartServer(t testing.TB) *Server {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String()}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Refuse makes the server refuse recipients with code.
func (s *Server) Refuse(code int) { s.mu.Lock(); s.refuse = code; s.mu.Unlock() }

// Messages are those delivered so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv *Server
	msg Received
}

func (ss *session) Reset()        { ss.msg = Received{} }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.msg.From = from
	return nil
}
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.srv.mu.Lock()
	code := ss.srv.refuse
	ss.srv.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, Message: "refused"}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.msg.Data = string(b)
	ss.srv.mu.Lock()
	ss.srv.msgs = append(ss.srv.msgs, ss.msg)
	ss.srv.mu.Unlock()
	return nil
}
