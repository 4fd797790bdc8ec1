package i18n

import (
	"strconv"
	"strings"
	"time"
)

type numberFormat struct{ group, decimal string }

type dateFormat struct{ date, dateTime string }

var numberFormats = map[string]numberFormat{
	"en": {group: ",", decimal: "."},
	"de": {group: ".", decimal: ","},
}

var dateFormats = map[string]dateFormat{
	"en": {date: "Jan 2, 2006", dateTime: "Jan 2, 2006, 15:04"},
	"de": {date: "02.01.2006", dateTime: "02.01.2006, 15:04"},
}

// Time writes an instant in UTC for reading, with the zone named.
func (l *Locale) Time(t time.Time) string {
	return t.UTC().Format(l.dates.dateTime) + " UTC"
}

// Date writes a calendar date given as YYYY-MM-DD; anything else comes back
// as it is.
func (l *Locale) Date(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return t.Format(l.dates.date)
}

// Int writes an integer with the language's digit grouping.
func (l *Locale) Int(n int64) string {
	return l.Decimal(strconv.FormatInt(n, 10))
}

// Decimal writes a decimal string ("-12500.5") with the language's digit
// grouping and decimal mark; anything that is not a plain decimal comes
// back as it is.
func (l *Locale) Decimal(s string) string {
	sign, digits := "", s
	if strings.HasPrefix(s, "-") {
		sign, digits = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(digits, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return s
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(l.numbers.group)
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString(l.numbers.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// ParseDecimal reads a number typed in this language ("12.500,50" in
// German, "12,500.50" in English) back to the API's form ("12500.50").
// Forms show numbers in the API's form, so input with only a full stop is
// taken as that form in every language. What is not a number is returned
// trimmed, for the domain to judge.
func (l *Locale) ParseDecimal(s string) string {
	s = strings.TrimSpace(s)
	if l.numbers.decimal != "." && strings.Contains(s, l.numbers.decimal) {
		s = strings.ReplaceAll(s, l.numbers.group, "")
		return strings.Replace(s, l.numbers.decimal, ".", 1)
	}
	if l.numbers.decimal == "." {
		return strings.ReplaceAll(s, l.numbers.group, "")
	}
	return s
}
