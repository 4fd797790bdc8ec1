package email

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
)

// Text is the plain-text part made from an email's HTML: paragraphs,
// line breaks and list items kept as lines, a link's address after its
// words, whitespace otherwise collapsed and entities decoded.
func Text(src string) string {
	z := xhtml.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	var href []string // the open links' addresses
	var linkText []string
	space := false
	newline := func(n int) {
		s := strings.TrimRight(b.String(), " ")
		b.Reset()
		b.WriteString(s)
		for !strings.HasSuffix(b.String(), strings.Repeat("\n", n)) && b.Len() > 0 {
			b.WriteByte('\n')
		}
		space = false
	}
	write := func(s string) {
		if s != "" && strings.TrimLeft(s, " \t\r\n") != s {
			space = true
		}
		for _, f := range strings.Fields(s) {
			if space && !strings.HasSuffix(b.String(), "\n") && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f)
			if len(linkText) > 0 {
				linkText[len(linkText)-1] += " " + f
			}
			space = true
		}
		if s != "" && strings.TrimRight(s, " \t\r\n") != s {
			space = true
		} else if strings.TrimSpace(s) != "" {
			space = false
		}
	}
	skip := 0 // inside <style> or <script>
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return strings.TrimSpace(b.String())
		case xhtml.TextToken:
			if skip == 0 {
				write(string(z.Text()))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch tag := string(name); tag {
			case "style", "script", "head":
				skip++
			case "br":
				newline(1)
			case "p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol":
				newline(2)
			case "tr":
				newline(1)
			case "td", "th":
				write(" ")
			case "li":
				newline(1)
				b.WriteString("- ")
			case "a":
				url := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						url = string(v)
					}
				}
				href = append(href, url)
				linkText = append(linkText, "")
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			switch tag := string(name); tag {
			case "style", "script", "head":
				if skip > 0 {
					skip--
				}
			case "p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol":
				newline(2)
			case "a":
				if n := len(href); n > 0 {
					url, words := href[n-1], strings.TrimSpace(linkText[n-1])
					href, linkText = href[:n-1], linkText[:n-1]
					if url != "" && url != words && !strings.HasPrefix(url, "mailto:") {
						b.WriteString(" (" + url + ")")
						space = false
					}
				}
			}
		}
	}
}

// HTML makes the HTML of a message typed as text: paragraphs at blank
// lines, line breaks kept, everything escaped.
func HTML(text string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>") + "</p>")
	}
	return b.String()
}

// Safe makes HTML safe to show in a page: what the email policy keeps
// (stored bodies are made safe when written; this is for showing them).
func Safe(html string) string { return policy.Sanitize(html) }
