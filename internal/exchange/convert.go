package exchange

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/schema"
)

// dateLayouts are the ways exports write dates, tried in order; day-first
// numeric dates (Europe) before month-first (US) when both could fit.
var dateLayouts = []string{"2006-01-02", "02.01.2006", "2.1.2006", "2006/01/02", "02/01/2006", "01/02/2006", "1/2/2006", "Jan 2, 2006", "2 Jan 2006", "January 2, 2006", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00"}

// Value turns one CSV cell into the input a field takes, or says why it
// cannot: dates in common formats, numbers with either decimal mark,
// yes/no in English and German, lists split on commas or semicolons. A
// cell's leading ' (how exports defuse spreadsheet formulas) is dropped.
func Value(f *schema.Field, cell string) (any, error) {
	s := strings.TrimSpace(cell)
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		s = s[1:]
	}
	if s == "" {
		return nil, nil
	}
	switch f.Kind {
	case schema.Integer, schema.Number, schema.Money:
		n, ok := number(s)
		if !ok {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return json.Number(n), nil
	case schema.Bool:
		switch strings.ToLower(s) {
		case "true", "yes", "y", "1", "x", "ja", "j", "wahr", "on":
			return true, nil
		case "false", "no", "n", "0", "nein", "falsch", "off":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not yes or no", s)
	case schema.Date:
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t.Format("2006-01-02"), nil
			}
		}
		return nil, fmt.Errorf("%q is not a date", s)
	case schema.DateTime:
		for _, l := range append([]string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "02.01.2006 15:04"}, dateLayouts...) {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC().Format(time.RFC3339), nil
			}
		}
		return nil, fmt.Errorf("%q is not a date and time", s)
	case schema.Tags, schema.MultiSelect, schema.Relations:
		var list []any
		for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
			if v = strings.TrimSpace(v); v != "" {
				list = append(list, v)
			}
		}
		return list, nil
	case schema.Select:
		for _, opt := range f.Options {
			if strings.EqualFold(opt, s) {
				return opt, nil
			}
		}
		return s, nil // the validator names the options
	case schema.Address, schema.Consent, schema.Refs, schema.Ref, schema.Stages, schema.LineItems, schema.Prices:
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("%q is not JSON", s)
		}
		return v, nil
	}
	return s, nil
}

// number reads "1,234.5", "1.234,5", "1234,5" or "-12" as "1234.5" and so
// on: the last of . and , is the decimal mark when both appear; a lone ,
// followed by one or two digits is one too.
func number(s string) (string, bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\u00a0", "")
	for _, sym := range []string{"€", "$", "£", "EUR", "USD", "GBP"} {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, sym), sym))
	}
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0 && comma > dot:
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	case dot >= 0 && comma >= 0:
		s = strings.ReplaceAll(s, ",", "")
	case comma >= 0 && strings.Count(s, ",") == 1 && len(s)-comma-1 <= 2:
		s = strings.Replace(s, ",", ".", 1)
	case comma >= 0:
		s = strings.ReplaceAll(s, ",", "")
	}
	if s == "" || s == "-" || strings.Trim(s, "-0123456789.") != "" || strings.Count(s, ".") > 1 || strings.LastIndexByte(s, '-') > 0 {
		return "", false
	}
	return s, true
}
