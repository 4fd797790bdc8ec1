package email

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"
)

// MaxParts bounds the parts of a message read (nested multiparts too).
const MaxParts = 100

// Parsed is what Rapport keeps of a received message.
type Parsed struct {
	MessageID  string
	InReplyTo  string
	References []string
	From       *netmail.Address
	To, Cc     []*netmail.Address
	Subject    string
	Date       time.Time
	Text, HTML string
	// Attachments are the files the message carried.
	Attachments []AttachmentInfo
	// Auto says the message was sent by a machine (an auto-reply, a list,
	// a bounce): RFC 3834 Auto-Submitted, Precedence bulk/junk/list.
	Auto bool
	// Bounce is set when the message is a delivery status notification
	// (RFC 3464) that some recipients failed.
	Bounce *Bounce
}

// Bounce is what a failed delivery's notification says: to whom the
// message could not go, why, and which message it was.
type Bounce struct {
	Recipients        []string
	Status            string // "5.1.1"
	Diagnostic        string // the remote server's reply
	OriginalMessageID string
}

// AttachmentInfo is a file a message carried.
type AttachmentInfo struct {
	Name, ContentType string
	Size              int
	// ContentID names an inline part (an image the HTML shows by cid:).
	ContentID string
	Data      []byte
}

var words = &mime.WordDecoder{CharsetReader: charsetReader}

// charsetReader decodes a charset that Go does not know by itself
// (ISO-8859-1, Windows-1252, …).
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(strings.ToLower(strings.TrimSpace(charset)))
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(r), nil
}

// Parse reads a message as mail clients send it: headers (encoded words
// in any charset), and the text and HTML bodies from whichever parts hold
// them (multipart/alternative inside multipart/mixed or related, quoted-
// printable or base64, in their charsets); other parts are attachments.
func Parse(raw []byte) (*Parsed, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read the message: %w", err)
	}
	h := m.Header
	p := &Parsed{MessageID: strings.TrimSpace(h.Get("Message-Id")), InReplyTo: firstID(h.Get("In-Reply-To"))}
	p.References = ids(h.Get("References"))
	if s, err := words.DecodeHeader(h.Get("Subject")); err == nil {
		p.Subject = strings.TrimSpace(s)
	} else {
		p.Subject = strings.TrimSpace(h.Get("Subject"))
	}
	parser := netmail.AddressParser{WordDecoder: words}
	if p.From, err = parser.Parse(h.Get("From")); err != nil {
		return nil, fmt.Errorf("the From header: %w", err)
	}
	for _, f := range []struct {
		name string
		dst  *[]*netmail.Address
	}{{"To", &p.To}, {"Cc", &p.Cc}} {
		if v := h.Get(f.name); strings.TrimSpace(v) != "" {
			if *f.dst, err = parser.ParseList(v); err != nil {
				return nil, fmt.Errorf("the %s header: %w", f.name, err)
			}
		}
	}
	p.Date, _ = h.Date()
	auto := strings.ToLower(h.Get("Auto-Submitted"))
	prec := strings.ToLower(h.Get("Precedence"))
	p.Auto = auto != "" && auto != "no" || prec == "bulk" || prec == "junk" || prec == "list"
	parts := 0
	if err := p.walk(h, m.Body, &parts, 0); err != nil {
		return nil, err
	}
	return p, nil
}

// header is what a part's headers say.
type header interface{ Get(string) string }

// walk reads one part: a multipart's parts in turn, a text or HTML body
// (the first of each that is not an attachment), or an attachment.
func (p *Parsed) walk(h header, body io.Reader, parts *int, depth int) error {
	if *parts++; *parts > MaxParts || depth > 10 {
		return errors.New("too many parts")
	}
	ctype, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ctype, params = "text/plain", map[string]string{"charset": "us-ascii"}
	}
	if ctype == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") && p.Bounce == nil {
		p.Bounce = &Bounce{}
		p.Auto = true
	}
	if strings.HasPrefix(ctype, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("a %s part: %w", ctype, err)
			}
			if err := p.walk(part.Header, part, parts, depth+1); err != nil {
				return err
			}
		}
	}
	content, err := decode(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if name != "" {
		if n, err := words.DecodeHeader(name); err == nil {
			name = n
		}
	}
	attached := disp == "attachment" || name != "" && !strings.HasPrefix(ctype, "text/")
	switch {
	case p.Bounce != nil && ctype == "message/delivery-status":
		p.Bounce.read(content)
	case p.Bounce != nil && (ctype == "message/rfc822" || ctype == "text/rfc822-headers" || ctype == "message/rfc822-headers"):
		if orig, err := netmail.ReadMessage(bytes.NewReader(append(bytes.Clone(content), "\r\n\r\n"...))); err == nil {
			p.Bounce.OriginalMessageID = strings.TrimSpace(orig.Header.Get("Message-Id"))
		}
	case !attached && ctype == "text/plain" && p.Text == "":
		p.Text = strings.ReplaceAll(text(content, params["charset"]), "\r\n", "\n")
	case !attached && ctype == "text/html" && p.HTML == "":
		p.HTML = text(content, params["charset"])
	default:
		if name == "" {
			name = "unnamed"
		}
		p.Attachments = append(p.Attachments, AttachmentInfo{Name: name, ContentType: ctype, Size: len(content),
			ContentID: strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>"), Data: content})
	}
	return nil
}

// decode undoes a part's transfer encoding.
func decode(enc string, r io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64Reader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decode a %s part: %w", enc, err)
	}
	return b, nil
}

// text is a body in its charset, as UTF-8 (as is, when the charset is
// unknown).
func text(b []byte, charset string) string {
	cs := strings.ToLower(charset)
	if cs == "" || cs == "utf-8" || cs == "us-ascii" {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	r, err := charsetReader(cs, bytes.NewReader(b))
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// ids reads a list of message ids ("<a@x> <b@y>").
func ids(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if strings.HasPrefix(f, "<") && strings.HasSuffix(f, ">") {
			out = append(out, f)
		}
	}
	return out
}

func firstID(s string) string {
	if list := ids(s); len(list) > 0 {
		return list[0]
	}
	return ""
}

// read takes the per-recipient fields of a delivery-status part: the
// recipients whose Action is failed, their Status and Diagnostic-Code.
func (b *Bounce) read(content []byte) {
	for _, block := range strings.Split(strings.ReplaceAll(string(content), "\r\n", "\n"), "\n\n") {
		fields := map[string]string{}
		var last string
		for _, line := range strings.Split(block, "\n") {
			if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && last != "" {
				fields[last] += " " + strings.TrimSpace(line)
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			last = strings.ToLower(strings.TrimSpace(k))
			fields[last] = strings.TrimSpace(v)
		}
		if !strings.EqualFold(fields["action"], "failed") {
			continue
		}
		rcpt := fields["final-recipient"]
		if _, addr, ok := strings.Cut(rcpt, ";"); ok {
			rcpt = addr
		}
		if rcpt = strings.ToLower(strings.Trim(strings.TrimSpace(rcpt), "<>")); rcpt != "" {
			b.Recipients = append(b.Recipients, rcpt)
		}
		b.Status = fields["status"]
		if d := fields["diagnostic-code"]; d != "" {
			if _, text, ok := strings.Cut(d, ";"); ok {
				d = strings.TrimSpace(text)
			}
			b.Diagnostic = d
		}
	}
}
