// Package dedupe finds records that are likely the same person or company,
// and merges them.
package dedupe

import (
	"strings"
	"unicode"

	"github.com/rapport-crm/rapport/internal/phone"
)

// Phone returns a phone number in E.164 ("+493012345678"), or "".
func Phone(s string) string { return phone.E164(s) }

// legalForms are the words a company's name may carry or leave out.
var legalForms = map[string]bool{
	"gmbh": true, "ag": true, "kg": true, "ohg": true, "ug": true, "se": true, "inc": true, "incorporated": true,
	"ltd": true, "limited": true, "llc": true, "llp": true, "plc": true, "corp": true, "corporation": true,
	"co": true, "company": true, "sa": true, "sas": true, "sarl": true, "srl": true, "spa": true, "bv": true,
	"nv": true, "oy": true, "ab": true, "as": true, "aps": true, "group": true, "holding": true, "the": true,
}

// CompanyName reduces a company's name to what identifies it: lower case,
// letters and digits, without legal forms ("ACME GmbH." → "acme").
func CompanyName(s string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&' }) {
		if !legalForms[w] {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// Name reduces a person's name part for comparison.
func Name(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// EmailDomain is the domain of an email address, or "".
func EmailDomain(s string) string {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return strings.ToLower(s[i+1:])
	}
	return ""
}
