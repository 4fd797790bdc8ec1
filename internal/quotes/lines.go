package quotes

import (
	"math/big"

	"github.com/rapport-crm/rapport/internal/money"
)

// Line is one line of a quote, its numbers exact.
type Line struct {
	Quantity, UnitPrice, DiscountPercent, TaxPercent *big.Rat
}

// LineTotals are a line's figures, rounded to the currency's minor unit:
// its amount after the discount and before tax, the discount, the tax.
type LineTotals struct {
	Amount, Discount, Tax string
}

// Totals are a quote's figures: per line, and summed. Subtotal is the sum
// of the lines' amounts (after their discounts, before tax); Total adds
// the tax.
type Totals struct {
	Lines                          []LineTotals
	Subtotal, Discount, Tax, Total string
}

// Compute works out a quote's figures in a currency. Each line is rounded
// on its own, halves away from zero, as an invoice prints it: its gross
// (quantity × unit price), its discount, and the tax on what is left; the
// totals add the rounded lines, so that they match what the lines show.
func Compute(lines []Line, currency string) Totals {
	places := money.Places(currency)
	var sub, disc, tax big.Rat
	out := Totals{Lines: make([]LineTotals, 0, len(lines))}
	for _, l := range lines {
		gross := money.Round(new(big.Rat).Mul(l.Quantity, l.UnitPrice), places)
		d := money.Round(percent(gross, l.DiscountPercent), places)
		net := new(big.Rat).Sub(gross, d)
		t := money.Round(percent(net, l.TaxPercent), places)
		sub.Add(&sub, net)
		disc.Add(&disc, d)
		tax.Add(&tax, t)
		out.Lines = append(out.Lines, LineTotals{Amount: net.FloatString(places), Discount: d.FloatString(places), Tax: t.FloatString(places)})
	}
	total := new(big.Rat).Add(&sub, &tax)
	out.Subtotal, out.Discount, out.Tax, out.Total = sub.FloatString(places), disc.FloatString(places), tax.FloatString(places), total.FloatString(places)
	return out
}

// percent is p % of r (p nil is none).
func percent(r, p *big.Rat) *big.Rat {
	if p == nil {
		return new(big.Rat)
	}
	out := new(big.Rat).Mul(r, p)
	return out.Quo(out, money.Hundred)
}
