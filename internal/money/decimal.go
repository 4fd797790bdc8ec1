package money

import (
	"math/big"
	"strings"
)

// Hundred is 100, for percentages.
var Hundred = big.NewRat(100, 1)

// Parse reads a decimal string ("12.50", "-3") exactly.
func Parse(s string) (*big.Rat, bool) {
	if s == "" || strings.ContainsAny(s, "eE/") {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// Round rounds r to places decimals, halves away from zero (1.005 → 1.01,
// -1.005 → -1.01), as invoices do.
func Round(r *big.Rat, places int) *big.Rat {
	out, _ := new(big.Rat).SetString(r.FloatString(places))
	return out
}

// Trim writes r as a short decimal: no trailing zeros, no point when whole
// ("2.50" → "2.5", "3.000" → "3"). r must have a finite decimal form.
func Trim(r *big.Rat) string {
	s := r.FloatString(12)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
