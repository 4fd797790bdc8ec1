package tasks

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestICalLines: values are escaped, and long lines fold at 75 octets
// without splitting a character; unfolding gives the line back.
func TestICalLines(t *testing.T) {
	var c ical
	long := strings.Repeat("Grüße, Zoë; ", 12)
	c.line("SUMMARY", text(long))
	c.event("task-1", time.Unix(0, 0), time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), 30*time.Minute, "Call back, then\nwrite", "", "")
	out := c.b.String()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line of %d octets (valid UTF-8: %v): %q", len(l), utf8.ValidString(l), l)
		}
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	if !strings.Contains(unfolded, "SUMMARY:"+strings.Repeat(`Grüße\, Zoë\; `, 12)+"\r\n") {
		t.Errorf("unfolded: %q", unfolded)
	}
	for _, want := range []string{"DTSTART:20260310T090000Z\r\n", "DTEND:20260310T093000Z\r\n", `SUMMARY:Call back\, then\nwrite` + "\r\n", "UID:task-1@rapport\r\n"} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("lacks %q", want)
		}
	}
}
