// Package i18n holds the user interface's languages: a catalogue of strings
// per language (locales/*.json), the translation of the domain's messages
// (locales/*.messages.json), the choice of language for a request, and how
// dates and numbers are written in each.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

//go:embed locales/*.json
var files embed.FS

// Locale is one language of the interface.
type Locale struct {
	Tag  string // "en", "de"
	Name string // the language's own name: "English", "Deutsch"

	strings  map[string]string
	messages []pattern
	fallback *Locale
	numbers  numberFormat
	dates    dateFormat
}

// pattern translates a domain message written from a format string such
// as `%q is not a valid email address`.
type pattern struct {
	re    *regexp.Regexp
	to    string // the translation, its verbs made %s
	verbs []byte // the original's verbs, in order: 'q', 'd', 's', ...
}

// Catalog is every language the interface speaks.
type Catalog struct {
	byTag map[string]*Locale
	tags  []string
}

// Default is the language used when nothing else decides.
const Default = "en"

// Load reads the embedded catalogues. It fails only if a file is broken,
// which a test rules out.
func Load() (*Catalog, error) {
	c := &Catalog{byTag: map[string]*Locale{}}
	for _, tag := range []string{"en", "de"} {
		l := &Locale{Tag: tag, numbers: numberFormats[tag], dates: dateFormats[tag]}
		if err := readJSON(tag+".json", &l.strings); err != nil {
			return nil, err
		}
		l.Name = l.strings["language.name"]
		var msgs map[string]string
		if err := readJSON(tag+".messages.json", &msgs); err != nil {
			return nil, err
		}
		// The most specific pattern first: "filter: %s at position %d"
		// before "filter: %s".
		keys := make([]string, 0, len(msgs))
		for k := range msgs {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if la, lb := len(verb.ReplaceAllString(a, "")), len(verb.ReplaceAllString(b, "")); la != lb {
				return lb - la
			}
			return strings.Compare(a, b)
		})
		for _, from := range keys {
			p, err := compilePattern(from, msgs[from])
			if err != nil {
				return nil, fmt.Errorf("%s.messages.json: %q: %w", tag, from, err)
			}
			l.messages = append(l.messages, p)
		}
		c.byTag[tag] = l
		c.tags = append(c.tags, tag)
	}
	for _, l := range c.byTag {
		if l.Tag != Default {
			l.fallback = c.byTag[Default]
		}
	}
	return c, nil
}

// MustLoad is Load for program start.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func readJSON(name string, into any) error {
	b, err := files.ReadFile("locales/" + name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Locales lists the languages, default first.
func (c *Catalog) Locales() []*Locale {
	out := make([]*Locale, len(c.tags))
	for i, t := range c.tags {
		out[i] = c.byTag[t]
	}
	return out
}

// Get returns the language with the tag, or the default.
func (c *Catalog) Get(tag string) *Locale {
	if l, ok := c.byTag[tag]; ok {
		return l
	}
	return c.byTag[Default]
}

// Has reports whether the interface speaks the language.
func (c *Catalog) Has(tag string) bool { _, ok := c.byTag[tag]; return ok }

// Negotiate picks a language: the user's choice when set, else the best
// of the browser's Accept-Language that we speak, else the default.
func (c *Catalog) Negotiate(chosen, acceptLanguage string) *Locale {
	if l, ok := c.byTag[chosen]; ok {
		return l
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		lang, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
		if _, ok := c.byTag[base]; ok && q > bestQ {
			best, bestQ = base, q
		}
	}
	return c.Get(best)
}

// T returns the string for key, formatted with args when given. A key
// missing from this language falls back to English; a key missing from
// English comes back as itself in brackets, which tests catch.
func (l *Locale) T(key string, args ...any) string {
	s, ok := l.strings[key]
	if !ok && l.fallback != nil {
		s, ok = l.fallback.strings[key]
	}
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// N returns the singular or plural form of key for n: the keys key.one and
// key.other, formatted with n and then args.
func (l *Locale) N(key string, n int64, args ...any) string {
	form := ".other"
	if n == 1 {
		form = ".one"
	}
	return l.T(key+form, append([]any{l.Int(n)}, args...)...)
}

// Maybe returns the string for key, or ok=false when no language has it
// (labels of built-in fields and options are translated; users' own are
// not).
func (l *Locale) Maybe(key string) (string, bool) {
	if s, ok := l.strings[key]; ok {
		return s, true
	}
	if l.fallback != nil {
		if s, ok := l.fallback.strings[key]; ok {
			return s, true
		}
	}
	return "", false
}

// Has reports whether this language itself (not its fallback) has key.
func (l *Locale) Has(key string) bool { _, ok := l.strings[key]; return ok }

// Keys lists this language's own keys.
func (l *Locale) Keys() []string {
	keys := make([]string, 0, len(l.strings))
	for k := range l.strings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Message translates a message of the domain (a validation message, a
// refusal) that was written in English from a format string; one that no
// pattern matches is returned as it is.
//
// What a pattern's %s captured is translated in turn, so that "filter:
// %s at position %d" carries the translation of the message inside it.
func (l *Locale) Message(msg string) string { return l.message(msg, 3) }

func (l *Locale) message(msg string, depth int) string {
	if depth == 0 {
		return msg
	}
	for _, p := range l.messages {
		if m := p.re.FindStringSubmatch(msg); m != nil {
			args := make([]any, len(m)-1)
			for i, s := range m[1:] {
				if p.verbs[i] == 's' || p.verbs[i] == 'v' {
					s = l.message(s, depth-1)
				}
				args[i] = s
			}
			return fmt.Sprintf(p.to, args...)
		}
	}
	return msg
}

// HasMessage reports whether the language has a translation for the
// format string from (tests check every domain message has one).
func (l *Locale) HasMessage(from string) bool {
	for _, p := range l.messages {
		if p.re.String() == patternSource(from) {
			return true
		}
	}
	return false
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func patternSource(from string) string {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range verb.FindAllStringIndex(from, -1) {
		b.WriteString(regexp.QuoteMeta(from[last:loc[0]]))
		switch v := from[loc[0]:loc[1]]; v[len(v)-1] {
		case '%':
			b.WriteString("%")
		case 'q':
			b.WriteString(`("(?:[^"\\]|\\.)*")`)
		case 'd':
			b.WriteString(`(-?[0-9]+)`)
		default:
			b.WriteString(`(.+?)`)
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(from[last:]))
	b.WriteString("$")
	return b.String()
}

func compilePattern(from, to string) (pattern, error) {
	re, err := regexp.Compile(patternSource(from))
	if err != nil {
		return pattern{}, err
	}
	if n, m := len(verb.FindAllString(from, -1)), len(verb.FindAllString(to, -1)); n != m {
		return pattern{}, fmt.Errorf("the translation has %d verbs, the original %d", m, n)
	}
	// Each captured argument is already text: every verb becomes %s,
	// keeping an explicit index ("%[2]s") so a translation may reorder.
	out := verb.ReplaceAllStringFunc(to, func(v string) string {
		if v == "%%" {
			return v
		}
		if i := strings.Index(v, "]"); i > 0 {
			return v[:i+1] + "s"
		}
		return "%s"
	})
	var verbs []byte
	for _, v := range verb.FindAllString(from, -1) {
		if v != "%%" {
			verbs = append(verbs, v[len(v)-1])
		}
	}
	return pattern{re: re, to: out, verbs: verbs}, nil
}
