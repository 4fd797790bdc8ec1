package email

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestParse reads messages written the way Gmail, Outlook and Apple Mail
// write them, and a Latin-1 auto-reply: headers in encoded words, bodies
// in quoted-printable or base64 and their charsets, nested multiparts,
// inline images and attachments, threading headers.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		file string
		want map[string]string
	}{
		{"gmail.eml", map[string]string{"from": "Zoë Berg <zoe.berg@gmail.example>", "subject": "Re: Angebot für Sie", "id": "<CAF=abc123@mail.gmail.example>",
			"reply": "<01a2@rapport.example>", "refs": "<00ff@rapport.example> <01a2@rapport.example>", "to": "sales@crm.example", "cc": "ada@example.com grace@example.com",
			"text": "Danke, das passt. Grüße", "html": `<div dir="ltr">Danke, das passt. Grüße</div>`, "auto": "false", "files": ""}},
		{"outlook.eml", map[string]string{"from": "Lars Svensson <lars@outlook.example>", "subject": "Offert för vår avdelning", "text": "Hej! Priset – 10 000 kr – är bra. “Tack”",
			"html": "Hej! Priset – 10 000 kr – är bra.", "files": ""}},
		{"applemail.eml", map[string]string{"from": "Bjørn Ødegård <bjorn@icloud.example>", "subject": "Signed contract", "text": "Here it is.", "html": `<img src="cid:logo@icloud">`,
			"files": "logo.png image/png 8; Vertrag Ødegård.pdf application/pdf 19"}},
		{"outlook-tnef.eml", map[string]string{"from": "Svensson, Lars <lars@outlook.example>", "subject": "Beställning – bilaga",
			"text": "Hej!\n\nHär är beställningen – se bilagan.\n\nMed vänlig hälsning\nLars", "files": "winmail.dat application/ms-tnef 114"}},
		{"latin1.eml", map[string]string{"from": "<jurgen@latin1.example>", "text": "Grüße aus München", "auto": "true"}},
		{"bounce.eml", map[string]string{"auto": "true", "bounce": "gone@example.com 5.1.1 550-5.1.1 The email account that you tried to reach does not exist. <01a2-original@rapport.example>"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			var files, to, cc []string
			for _, a := range p.Attachments {
				files = append(files, fmt.Sprintf("%s %s %d", a.Name, a.ContentType, a.Size))
			}
			for _, a := range p.To {
				to = append(to, a.Address)
			}
			for _, a := range p.Cc {
				cc = append(cc, a.Address)
			}
			from := "<" + p.From.Address + ">"
			if p.From.Name != "" {
				from = p.From.Name + " " + from
			}
			got := map[string]string{"from": from, "subject": p.Subject, "id": p.MessageID, "reply": p.InReplyTo, "refs": strings.Join(p.References, " "),
				"to": strings.Join(to, " "), "cc": strings.Join(cc, " "), "text": strings.TrimSpace(p.Text), "auto": fmt.Sprint(p.Auto), "files": strings.Join(files, "; ")}
			if b := p.Bounce; b != nil {
				got["bounce"] = strings.Join(b.Recipients, ",") + " " + b.Status + " " + b.Diagnostic + " " + b.OriginalMessageID
			}
			for k, want := range tc.want {
				if k == "html" {
					if !strings.Contains(p.HTML, want) {
						t.Errorf("html lacks %q: %q", want, p.HTML)
					}
					continue
				}
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

// FuzzParse: no message makes the parser panic or hang, and what it reads
// is valid UTF-8.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"gmail.eml", "outlook.eml", "applemail.eml", "latin1.eml", "bounce.eml"} {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Parse(raw)
		if err != nil {
			return
		}
		for _, s := range []string{p.Subject, p.Text, p.HTML} {
			if !strings.ContainsRune(s, '\uFFFD') && !isUTF8(s) {
				t.Fatalf("not UTF-8: %q", s)
			}
		}
	})
}

func isUTF8(s string) bool { return strings.ToValidUTF8(s, "") == s }
