package exchange

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"Ada", "Ada"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"+49 30 1234567", "+49 30 1234567"},
		{"-12.5", "-12.5"},
		{"+1 (202) 555-0100", "+1 (202) 555-0100"},
		{[]string{"vip", "speaker"}, "vip, speaker"},
		{true, "true"},
		{int64(42), "42"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05Z"},
		{map[string]any{"city": "Berlin"}, `{"city":"Berlin"}`},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestVCardWriter: escaping, folding at 75 octets without splitting a
// UTF-8 sequence, CRLF line ends, and the company as ORG.
func TestVCardWriter(t *testing.T) {
	var b strings.Builder
	o := contacts(t)
	w, err := NewWriter(&b, VCard, o, func(object, id string) string { return "Acme; Inc" })
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Ü", 100) // 200 octets: three lines
	if err := w.Write(records.Record{"id": "c1", "first_name": "Ada", "last_name": "Lovelace, Countess", "email": "ada@example.com",
		"phone": "+44 20 7946 0000", "company_id": "x", "title": long, "tags": []string{"vip", "a,b"},
		"address": map[string]any{"city": "London", "country": "GB"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"BEGIN:VCARD\r\nVERSION:3.0\r\n", "FN:Ada Lovelace\\, Countess\r\n", "N:Lovelace\\, Countess;Ada;;;\r\n",
		"EMAIL;TYPE=INTERNET:ada@example.com\r\n", "TEL;TYPE=CELL:+44 20 7946 0000\r\n", "ORG:Acme\\; Inc\r\n",
		"ADR;TYPE=WORK:;;;London;;;GB\r\n", "CATEGORIES:vip,a\\,b\r\n", "END:VCARD\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("vCard lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8Valid(line) {
			t.Errorf("a fold split a character: %q", line)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func contacts(t *testing.T) *schema.Object {
	t.Helper()
	for _, o := range schema.Builtins() {
		if o.Name == "contacts" {
			return o
		}
	}
	t.Fatal("no contacts object")
	return nil
}
