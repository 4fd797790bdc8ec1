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

// Relative writes how long ago t was, as people say it ("3 days ago"),
// for the last week; older instants get their date.
func (l *Locale) Relative(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return l.Time(t)
	case d < time.Minute:
		return l.T("time.just_now")
	case d < time.Hour:
		return l.N("time.minutes_ago", int64(d/time.Minute))
	case d < 24*time.Hour:
		return l.N("time.hours_ago", int64(d/time.Hour))
	case d < 7*24*time.Hour:
		return l.N("time.days_ago", int64(d/(24*time.Hour)))
	}
	return t.UTC().Format(l.dates.date)
}

// Day names the calendar day of t relative to now: today, yesterday, or
// its date.
func (l *Locale) Day(t, now time.Time) string {
	y1, m1, d1 := t.UTC().Date()
	y2, m2, d2 := now.UTC().Date()
	day := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	today := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	switch today.Sub(day) {
	case 0:
		return l.T("time.today")
	case 24 * time.Hour:
		return l.T("time.yesterday")
	}
	return day.Format(l.dates.date)
}

var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

// Money writes an amount (a decimal string) with its currency the
// language's way: "€1,234.50" in English, "1.234,50 €" in German.
func (l *Locale) Money(amount, currency string) string {
	n := l.Decimal(amount)
	sym, ok := currencySymbols[currency]
	if !ok {
		if currency == "" {
			return n
		}
		return currency + " " + n
	}
	if l.numbers.decimal == "," {
		return n + " " + sym
	}
	if strings.HasPrefix(n, "-") {
		return "-" + sym + n[1:]
	}
	return sym + n
}
