package quotes

import (
	"math/big"
	"strings"
	"testing"
)

// TestCompute: each line's amount, discount and tax are rounded to the
// currency's minor unit on the line (halves away from zero), and the
// quote's totals add the rounded lines.
func TestCompute(t *testing.T) {
	type line = [4]string // quantity, unit price, discount %, tax %
	for _, tc := range []struct {
		name     string
		currency string
		lines    []line
		want     string // each line "amount/discount/tax", then "subtotal discount tax total"
	}{
		{"no lines", "EUR", nil, "| 0.00 0.00 0.00 0.00"},
		{"tax rounds per line", "EUR", []line{{"3", "19.99", "0", "19"}}, "59.97/0.00/11.39 | 59.97 0.00 11.39 71.36"},
		{"a half cent rounds up", "EUR", []line{{"1", "100", "12.5", "7"}}, "87.50/12.50/6.13 | 87.50 12.50 6.13 93.63"},
		{"fractional quantity", "EUR", []line{{"1.5", "33.33", "0", "0"}}, "50.00/0.00/0.00 | 50.00 0.00 0.00 50.00"},
		{"rounding on each line, not on the sum", "EUR", []line{{"1", "0.125", "0", "0"}, {"1", "0.125", "0", "0"}},
			"0.13/0.00/0.00 0.13/0.00/0.00 | 0.26 0.00 0.00 0.26"},
		{"yen have no cents", "JPY", []line{{"3", "333", "10", "10"}}, "899/100/90 | 899 100 90 989"},
		{"dinars have three decimals", "KWD", []line{{"1", "1.2345", "0", "5"}}, "1.235/0.000/0.062 | 1.235 0.000 0.062 1.297"},
		{"everything off", "EUR", []line{{"2", "50", "100", "19"}}, "0.00/100.00/0.00 | 0.00 100.00 0.00 0.00"},
		{"nothing of it", "EUR", []line{{"0", "50", "0", "19"}}, "0.00/0.00/0.00 | 0.00 0.00 0.00 0.00"},
		{"mixed lines", "USD", []line{{"10", "9.99", "5", "8.25"}, {"1", "1200", "0", "0"}, {"2", "0.333", "33.33", "20"}},
			"94.90/5.00/7.83 1200.00/0.00/0.00 0.45/0.22/0.09 | 1295.35 5.22 7.92 1303.27"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []Line
			for _, l := range tc.lines {
				in = append(in, Line{Quantity: dec(t, l[0]), UnitPrice: dec(t, l[1]), DiscountPercent: dec(t, l[2]), TaxPercent: dec(t, l[3])})
			}
			got := Compute(in, tc.currency)
			var parts []string
			for _, l := range got.Lines {
				parts = append(parts, l.Amount+"/"+l.Discount+"/"+l.Tax)
			}
			parts = append(parts, "|", got.Subtotal, got.Discount, got.Tax, got.Total)
			if s := strings.Join(parts, " "); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

func dec(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("%q is not a decimal", s)
	}
	return r
}
