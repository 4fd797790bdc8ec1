package email

import "testing"

// TestText: the text part of an HTML message reads like the message.
func TestText(t *testing.T) {
	for _, tc := range []struct{ html, want string }{
		{`<p>Hello Ada,</p><p>here is the <a href="https://example.com/q">quote</a>.</p>`, "Hello Ada,\n\nhere is the quote (https://example.com/q)."},
		{`Line one<br>Line two`, "Line one\nLine two"},
		{`<ul><li>one</li><li>two &amp; three</li></ul>`, "- one\n- two & three"},
		{`<style>p{color:red}</style><p>  spaced    out  </p>`, "spaced out"},
		{`<a href="https://x.example">https://x.example</a>`, "https://x.example"},
		{`<p>Grüße, <b>Zoë</b></p>`, "Grüße, Zoë"},
		{``, ""},
	} {
		if got := Text(tc.html); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.html, got, tc.want)
		}
	}
}

func TestBaseSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Re: The engine":           "The engine",
		"RE: AW: Fwd: The engine":  "The engine",
		"  Antw:  Angebot Q-2026 ": "Angebot Q-2026",
		"The engine":               "The engine",
		"Re:":                      "",
		"Regarding the engine":     "Regarding the engine",
		"SV: Tilbud":               "Tilbud",
	} {
		if got := baseSubject(in); got != want {
			t.Errorf("baseSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
