package i18n

import (
	"testing"
	"time"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCatalogsAreComplete: every language has every key English has, and
// no key English lacks; no string is left empty.
func TestCatalogsAreComplete(t *testing.T) {
	c := load(t)
	en := c.Get("en")
	for _, l := range c.Locales() {
		for _, k := range en.Keys() {
			if !l.Has(k) {
				t.Errorf("%s lacks %q", l.Tag, k)
			} else if l.T(k) == "" {
				t.Errorf("%s: %q is empty", l.Tag, k)
			}
		}
		for _, k := range l.Keys() {
			if !en.Has(k) {
				t.Errorf("%s has %q, which English lacks", l.Tag, k)
			}
		}
	}
	if got := c.Get("de").Name; got != "Deutsch" {
		t.Errorf("de's name = %q", got)
	}
}

func TestNegotiate(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ chosen, header, want string }{
		{"", "", "en"},
		{"", "de-DE,de;q=0.9,en;q=0.8", "de"},
		{"", "fr-FR, de;q=0.5, en;q=0.7", "en"},
		{"", "fr-FR, de;q=0.5", "de"},
		{"", "fr, es", "en"},
		{"en", "de", "en"},
		{"de", "en", "de"},
		{"xx", "de-AT", "de"},
		{"", "de;q=bad, en;q=0.1", "en"},
		{"", "DE", "de"},
	} {
		if got := c.Negotiate(tc.chosen, tc.header).Tag; got != tc.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", tc.chosen, tc.header, got, tc.want)
		}
	}
}

func TestT(t *testing.T) {
	c := load(t)
	de, en := c.Get("de"), c.Get("en")
	if got := de.T("list.new", "Kontakt"); got != "Kontakt anlegen" {
		t.Errorf("de list.new = %q", got)
	}
	if got := en.T("no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key = %q", got)
	}
	if got := de.N("flash.bulk_trashed", 1); got != "1 Datensatz in den Papierkorb verschoben." {
		t.Errorf("de one = %q", got)
	}
	if got := de.N("flash.bulk_trashed", 1200); got != "1.200 Datensätze in den Papierkorb verschoben." {
		t.Errorf("de other = %q", got)
	}
	if got := en.N("flash.bulk_updated", 0); got != "0 records updated." {
		t.Errorf("en zero = %q", got)
	}
}

func TestMessage(t *testing.T) {
	de := load(t).Get("de")
	for _, tc := range []struct{ in, want string }{
		{"is required", "ist erforderlich"},
		{`"x@y" is not a valid email address`, `"x@y" ist keine gültige E-Mail-Adresse`},
		{`filter: unknown field "shoe" of contacts at position 7`, `Filter: unbekanntes Feld "shoe" von Kontakte an Position 7`},
		{`filter: nested deeper than 5 levels at position 1`, `Filter: tiefer als 5 Ebenen verschachtelt an Position 1`},
		{"want a string, got a number", "erwartet wird ein Text, nicht eine Zahl"},
		{`no contact with id "abc"`, `kein Datensatz (Kontakt) mit der ID "abc"`},
		{"something no pattern knows", "something no pattern knows"},
		{`"a \"quoted\" one" is not a valid date`, `"a \"quoted\" one" ist kein gültiges Datum`},
		{"", ""},
	} {
		if got := de.Message(tc.in); got != tc.want {
			t.Errorf("Message(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := load(t).Get("en").Message("is required"); got != "is required" {
		t.Errorf("en Message changed the text: %q", got)
	}
}

func TestFormats(t *testing.T) {
	c := load(t)
	de, en := c.Get("de"), c.Get("en")
	at := time.Date(2026, 12, 4, 9, 5, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{de.Time(at), "04.12.2026, 09:05 UTC"},
		{en.Time(at), "Dec 4, 2026, 09:05 UTC"},
		{de.Date("2026-03-01"), "01.03.2026"},
		{en.Date("2026-03-01"), "Mar 1, 2026"},
		{de.Date("not a date"), "not a date"},
		{de.Decimal("1234567.50"), "1.234.567,50"},
		{en.Decimal("1234567.50"), "1,234,567.50"},
		{en.Decimal("-1000"), "-1,000"},
		{en.Decimal("999"), "999"},
		{en.Decimal("1e9"), "1e9"},
		{de.Int(10000), "10.000"},
		{de.ParseDecimal("12.500,50"), "12500.50"},
		{de.ParseDecimal("12500.50"), "12500.50"},
		{de.ParseDecimal(" 7 "), "7"},
		{en.ParseDecimal("12,500.50"), "12500.50"},
		{en.ParseDecimal("abc"), "abc"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func FuzzMessage(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	de := c.Get("de")
	f.Add(`filter: unknown field "x" of contacts at position 3`)
	f.Add(`"" is not one of a, b`)
	f.Fuzz(func(t *testing.T, s string) {
		_ = de.Message(s) // must not panic or loop
		_ = de.ParseDecimal(s)
		_ = de.Decimal(s)
	})
}

func TestRelativeDayMoney(t *testing.T) {
	c := load(t)
	de, en := c.Get("de"), c.Get("en")
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{en.Relative(now.Add(-30*time.Second), now), "just now"},
		{en.Relative(now.Add(-time.Minute), now), "1 minute ago"},
		{de.Relative(now.Add(-5*time.Minute), now), "vor 5 Minuten"},
		{en.Relative(now.Add(-3*time.Hour), now), "3 hours ago"},
		{de.Relative(now.Add(-26*time.Hour), now), "vor 1 Tag"},
		{en.Relative(now.Add(-6*24*time.Hour), now), "6 days ago"},
		{en.Relative(now.Add(-8*24*time.Hour), now), "Nov 26, 2026"},
		{de.Relative(now.Add(time.Hour), now), "04.12.2026, 13:00 UTC"},
		{en.Day(now.Add(-time.Hour), now), "Today"},
		{de.Day(now.Add(-13*time.Hour), now), "Gestern"},
		{de.Day(now.Add(-50*time.Hour), now), "02.12.2026"},
		{en.Money("1234.50", "EUR"), "€1,234.50"},
		{de.Money("1234.50", "EUR"), "1.234,50 €"},
		{en.Money("-5.00", "USD"), "-$5.00"},
		{de.Money("99.00", "CHF"), "CHF 99,00"},
		{en.Money("7.00", ""), "7.00"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
