// Package phone reads phone numbers as people write them.
package phone

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the country assumed for numbers written without their
// +country code.
const DefaultRegion = "DE"

// E164 returns a phone number in E.164 ("+493012345678"), or "" when it is
// not a possible number. Parsing costs about 25 µs (as much as writing a
// row), so recent answers are remembered: an import reads each number on
// one core and its writer asks again for the search index on another.
func E164(s string) string {
	if strings.TrimSpace(s) == "" || len(s) > 64 {
		return ""
	}
	if e, ok := recent.get(s); ok {
		return e
	}
	e := ""
	if n, err := phonenumbers.Parse(s, DefaultRegion); err == nil && phonenumbers.IsPossibleNumber(n) {
		e = phonenumbers.Format(n, phonenumbers.E164)
	}
	recent.put(s, e)
	return e
}

// memo keeps the last memoSize to 2×memoSize answers, in two
// generations: when the new one fills up, the old one is dropped.
type memo struct {
	mu       sync.Mutex
	new, old map[string]string
}

const memoSize = 20000

var recent = &memo{new: map[string]string{}}

func (c *memo) get(s string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.new[s]; ok {
		return e, true
	}
	e, ok := c.old[s]
	return e, ok
}

func (c *memo) put(s, e string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.new) >= memoSize {
		c.old, c.new = c.new, make(map[string]string, memoSize)
	}
	c.new[s] = e
}
