// Package phone reads phone numbers as people write them.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the country assumed for numbers written without their
// +country code.
const DefaultRegion = "DE"

// E164 returns a phone number in E.164 ("+493012345678"), or "" when it is
// not a possible number.
func E164(s string) string {
	if strings.TrimSpace(s) == "" || len(s) > 64 {
		return ""
	}
	n, err := phonenumbers.Parse(s, DefaultRegion)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}
