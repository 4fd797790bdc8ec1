package web

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md = goldmark.New(goldmark.WithExtensions(extension.GFM))
	// notePolicy keeps what notes need (emphasis, lists, links, code,
	// tables) and nothing that runs or tracks: no script, style, images or
	// event attributes; links open without the opener and are marked nofollow.
	notePolicy = func() *bluemonday.Policy {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "br", "strong", "em", "b", "i", "del", "s", "ul", "ol", "li", "blockquote", "code", "pre",
			"h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td")
		p.AllowAttrs("href").OnElements("a")
		p.AllowURLSchemes("http", "https", "mailto")
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// markdown renders a note's Markdown as sanitised HTML. Raw HTML in the
// note is escaped by the renderer; the policy then removes whatever
// survived that could run or track.
func markdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(notePolicy.SanitizeBytes(buf.Bytes()))
}
