// Package exchange reads and writes records in the files people move data
// with: CSV, JSON lines and vCard.
package exchange

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

// The formats of an export.
const (
	CSV   = "csv"
	JSON  = "json" // one JSON object per line
	VCard = "vcf"  // contacts only
)

// ContentType is the media type of a format.
func ContentType(format string) string {
	switch format {
	case JSON:
		return "application/x-ndjson"
	case VCard:
		return "text/vcard; charset=utf-8"
	}
	return "text/csv; charset=utf-8"
}

// Writer writes one object's records in a format.
type Writer interface {
	Write(rec records.Record) error
	// Close flushes what is buffered; the underlying writer stays open.
	Close() error
}

// Lookup gives the title of a related record (a contact's company for a
// vCard's ORG), or "".
type Lookup func(object, id string) string

// Titles looks related records up through the engine, as p, each once.
func Titles(ctx context.Context, eng *records.Engine, p access.Principal) Lookup {
	cache := map[string]string{}
	return func(object, id string) string {
		key := object + "/" + id
		if t, ok := cache[key]; ok {
			return t
		}
		t := ""
		if rec, err := eng.Get(ctx, p, object, id, false); err == nil {
			if s, err := eng.Schema(ctx, p.WorkspaceID); err == nil {
				if o, ok := s.Object(object); ok {
					t = records.Title(o, rec)
				}
			}
		}
		cache[key] = t
		return t
	}
}

// CheckFormat refuses a format the object cannot be written in.
func CheckFormat(format string, o *schema.Object) error {
	switch format {
	case CSV, JSON:
		return nil
	case VCard:
		if o.Name != "contacts" {
			return fault.BadRequest("format: vcf is for contacts only")
		}
		return nil
	}
	return fault.BadRequest("format: want csv, json or vcf, not %q", format)
}

// NewWriter returns a writer of format for o's records on w.
func NewWriter(w io.Writer, format string, o *schema.Object, lookup Lookup) (Writer, error) {
	if err := CheckFormat(format, o); err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case JSON:
		return newJSONWriter(bw), nil
	case VCard:
		return &vcardWriter{bw: bw, lookup: lookup}, nil
	}
	cw := &csvWriter{bw: bw, w: csv.NewWriter(bw), fields: Fields(o)}
	head := make([]string, len(cw.fields))
	for i, f := range cw.fields {
		head[i] = f.Name
	}
	if err := cw.w.Write(head); err != nil {
		return nil, err
	}
	return cw, nil
}

// Fields are the columns of a CSV export: every field but secrets and the
// record's version, the id first.
func Fields(o *schema.Object) []*schema.Field {
	var out []*schema.Field
	for _, f := range o.Fields {
		if f.Name != "secret" && f.Name != "version" {
			out = append(out, f)
		}
	}
	return out
}

type csvWriter struct {
	bw     *bufio.Writer
	w      *csv.Writer
	fields []*schema.Field
	line   []string
}

func (c *csvWriter) Write(rec records.Record) error {
	c.line = c.line[:0]
	for _, f := range c.fields {
		c.line = append(c.line, Cell(rec[f.Name]))
	}
	return c.w.Write(c.line)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// Cell writes a value as one CSV cell the way the API writes it: lists
// joined by ", ", times in RFC 3339, structured values as JSON. A text that
// a spreadsheet would run as a formula (=, +, -, @ first, and more than
// digits and phone punctuation) gets a leading '; the importer takes that '
// off again.
func Cell(v any) string {
	var s string
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		s = t
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	case []string:
		s = strings.Join(t, ", ")
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) && strings.Trim(s, "0123456789 +-()./") != "" {
		s = "'" + s // a formula to a spreadsheet; numbers and phone numbers are not
	}
	return s
}

// vcardWriter writes contacts as vCard 3.0, the version every phone and
// mail program reads.
type vcardWriter struct {
	bw     *bufio.Writer
	lookup Lookup
}

func (v *vcardWriter) Close() error { return v.bw.Flush() }

func (v *vcardWriter) Write(rec records.Record) error {
	str := func(k string) string { s, _ := rec[k].(string); return s }
	first, last := str("first_name"), str("last_name")
	fn := strings.TrimSpace(first + " " + last)
	if fn == "" {
		fn = str("email")
	}
	v.line("BEGIN:VCARD")
	v.line("VERSION:3.0")
	v.line("UID:urn:uuid:" + escape(rec.ID()))
	v.line("FN:" + escape(fn))
	v.line("N:" + escape(last) + ";" + escape(first) + ";;;")
	if s := str("email"); s != "" {
		v.line("EMAIL;TYPE=INTERNET:" + escape(s))
	}
	if s := str("phone"); s != "" {
		v.line("TEL;TYPE=CELL:" + escape(s))
	}
	if s := str("title"); s != "" {
		v.line("TITLE:" + escape(s))
	}
	if id := str("company_id"); id != "" && v.lookup != nil {
		if org := v.lookup("companies", id); org != "" {
			v.line("ORG:" + escape(org))
		}
	}
	if a, ok := rec["address"].(map[string]any); ok {
		part := func(k string) string { s, _ := a[k].(string); return escape(s) }
		v.line("ADR;TYPE=WORK:;;" + part("street") + ";" + part("city") + ";" + part("region") + ";" + part("postal_code") + ";" + part("country"))
	}
	if tags, ok := rec["tags"].([]string); ok && len(tags) > 0 {
		esc := make([]string, len(tags))
		for i, t := range tags {
			esc[i] = escape(t)
		}
		v.line("CATEGORIES:" + strings.Join(esc, ","))
	}
	if t, ok := rec["updated_at"].(time.Time); ok {
		v.line("REV:" + t.UTC().Format("20060102T150405Z"))
	}
	v.line("END:VCARD")
	return nil
}

// line writes a content line folded at 75 octets (RFC 2425), never inside
// a UTF-8 sequence, ending in CRLF.
func (v *vcardWriter) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		v.bw.WriteString(s[:cut])
		v.bw.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the continuation's leading space counts
	}
	v.bw.WriteString(s)
	v.bw.WriteString("\r\n")
}

// escape writes a text value of vCard 3.0: backslash, comma, semicolon and
// newlines escaped.
func escape(s string) string {
	if !strings.ContainsAny(s, "\\,;\n\r") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', ',', ';':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
