package exchange

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Card is one vCard as Rapport reads it: a contact's fields, the company
// to link by name, and what had nowhere to go.
type Card struct {
	Line    int            // where the card begins
	In      map[string]any // fields of a contact
	Company string
	Notes   []string // NOTE values: logged as notes on the contact
	Dropped []string // properties kept nowhere (a photo, a birthday, more emails)
	Summary []string // name and email, for the errors file
}

// VCardReader reads vCards 2.1, 3.0 and 4.0 as phones and mail programs
// write them: folded lines, quoted-printable with soft line breaks,
// charsets, grouped properties (item1.EMAIL), bare 2.1 parameters, base64
// photos (dropped, noted).
type VCardReader struct {
	sc   *bufio.Scanner
	line int
	// a line read ahead while unfolding
	next    string
	hasNext bool
}

// NewVCardReader reads cards from r.
func NewVCardReader(r io.Reader) *VCardReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	return &VCardReader{sc: sc}
}

// raw returns the next physical line without its line end.
func (v *VCardReader) raw() (string, bool) {
	if v.hasNext {
		v.hasNext = false
		return v.next, true
	}
	if !v.sc.Scan() {
		return "", false
	}
	v.line++
	return strings.TrimRight(v.sc.Text(), "\r"), true
}

// logical returns the next content line, unfolded: a following line that
// starts with a space or tab continues it (RFC 2425), and so does one after
// a quoted-printable line that ends in "=" (vCard 2.1).
func (v *VCardReader) logical() (string, int, bool) {
	s, ok := v.raw()
	if !ok {
		return "", 0, false
	}
	start := v.line
	qp := strings.Contains(strings.ToUpper(beforeColon(s)), "QUOTED-PRINTABLE")
	for {
		if qp && strings.HasSuffix(s, "=") {
			n, ok := v.raw()
			if !ok {
				break
			}
			s = s[:len(s)-1] + "=\r\n" + strings.TrimLeft(n, " \t")
			continue
		}
		n, ok := v.raw()
		if !ok {
			break
		}
		if strings.HasPrefix(n, " ") || strings.HasPrefix(n, "\t") {
			s += n[1:]
			continue
		}
		v.next, v.hasNext = n, true
		break
	}
	return s, start, true
}

func beforeColon(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i]
	}
	return s
}

// Read returns the next card; io.EOF after the last. A card without END
// is returned as far as it went.
func (v *VCardReader) Read() (*Card, error) {
	var c *Card
	for {
		l, at, ok := v.logical()
		if !ok {
			if c != nil {
				return c, nil
			}
			if err := v.sc.Err(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		name, params, value, ok := parseProperty(l)
		if !ok {
			continue
		}
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VCARD"):
			c = &Card{Line: at, In: map[string]any{}}
			continue
		case c == nil:
			continue
		case name == "END":
			return c, nil
		}
		c.add(name, params, decode(params, value))
	}
}

// parseProperty splits "item1.EMAIL;TYPE=INTERNET:ada@example.com".
func parseProperty(l string) (name string, params map[string][]string, value string, ok bool) {
	head, value, ok := cutUnquoted(l, ':')
	if !ok {
		return "", nil, "", false
	}
	parts := strings.Split(head, ";")
	name = strings.ToUpper(parts[0])
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // the group (item1.) does not matter here
	}
	params = map[string][]string{}
	for _, p := range parts[1:] {
		k, val, has := strings.Cut(p, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		if !has { // vCard 2.1: ;WORK;QUOTED-PRINTABLE
			switch k {
			case "QUOTED-PRINTABLE", "BASE64", "B":
				params["ENCODING"] = append(params["ENCODING"], k)
			default:
				params["TYPE"] = append(params["TYPE"], k)
			}
			continue
		}
		for _, x := range strings.Split(strings.Trim(val, `"`), ",") {
			params[k] = append(params[k], strings.ToUpper(x))
		}
	}
	return name, params, value, true
}

// cutUnquoted cuts at the first sep outside double quotes.
func cutUnquoted(s string, sep byte) (string, string, bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// decode undoes quoted-printable and base64, and reads the charset.
func decode(params map[string][]string, value string) string {
	enc := strings.Join(params["ENCODING"], ",")
	b := []byte(value)
	switch {
	case strings.Contains(enc, "QUOTED-PRINTABLE"):
		if out, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(value))); err == nil {
			b = out
		}
	case enc == "B" || enc == "BASE64":
		if out, err := base64.StdEncoding.DecodeString(value); err == nil {
			b = out
		}
	}
	cs := strings.Join(params["CHARSET"], "")
	if cs == "" && !bytes.Equal(bytes.ToValidUTF8(b, nil), b) {
		cs = "WINDOWS-1252"
	}
	switch cs {
	case "ISO-8859-1", "LATIN1", "WINDOWS-1252", "CP1252":
		if out, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
			b = out
		}
	case "ISO-8859-15":
		if out, err := charmap.ISO8859_15.NewDecoder().Bytes(b); err == nil {
			b = out
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// unescape reads a vCard text value: \, \; \n \\ (and splits on unescaped
// sep when sep is not 0).
func unescape(s string, sep byte) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
		case sep != 0 && c == sep:
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

func (c *Card) add(name string, params map[string][]string, value string) {
	text := func() string { return strings.TrimSpace(unescape(value, 0)[0]) }
	set := func(field, v string) {
		if v == "" {
			return
		}
		if _, taken := c.In[field]; taken {
			c.Dropped = append(c.Dropped, name+": "+v)
			return
		}
		c.In[field] = v
	}
	switch name {
	case "N":
		parts := unescape(value, ';')
		if len(parts) > 0 {
			set("last_name", strings.TrimSpace(parts[0]))
		}
		if len(parts) > 1 {
			set("first_name", strings.TrimSpace(parts[1]))
		}
	case "FN":
		c.Summary = append([]string{text()}, c.Summary...)
		if _, ok := c.In["first_name"]; !ok {
			if _, ok := c.In["last_name"]; !ok {
				if first, last, ok := strings.Cut(text(), " "); ok {
					c.In["first_name"], c.In["last_name"] = first, last
				} else if t := text(); t != "" {
					c.In["last_name"] = t
				}
			}
		}
	case "EMAIL":
		set("email", text())
		c.Summary = append(c.Summary, text())
	case "TEL":
		set("phone", strings.TrimPrefix(text(), "tel:"))
	case "TITLE":
		set("title", text())
	case "ORG":
		if c.Company == "" {
			c.Company = strings.TrimSpace(unescape(value, ';')[0])
		}
	case "ADR":
		parts := unescape(value, ';')
		for len(parts) < 7 {
			parts = append(parts, "")
		}
		addr := map[string]any{}
		for k, i := range map[string]int{"street": 2, "city": 3, "region": 4, "postal_code": 5, "country": 6} {
			if v := strings.TrimSpace(parts[i]); v != "" {
				addr[k] = v
			}
		}
		if _, taken := c.In["address"]; !taken && len(addr) > 0 {
			c.In["address"] = addr
		}
	case "CATEGORIES":
		var tags []any
		for _, t := range unescape(value, ',') {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
		if len(tags) > 0 {
			c.In["tags"] = tags
		}
	case "NOTE":
		if t := text(); t != "" {
			c.Notes = append(c.Notes, t)
		}
	case "PHOTO", "LOGO", "SOUND", "KEY":
		c.Dropped = append(c.Dropped, name+" (not kept)")
	case "BDAY", "ANNIVERSARY", "URL", "NICKNAME", "IMPP":
		if t := text(); t != "" {
			c.Dropped = append(c.Dropped, name+": "+t)
		}
	}
}
