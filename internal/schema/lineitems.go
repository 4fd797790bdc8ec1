package schema

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rapport-crm/rapport/internal/money"
)

// MaxLineItems bounds a quote's lines.
const MaxLineItems = 200

// LineItemKeys are what a quote's line holds: a product or a name, and
// its numbers as decimal strings. LineItemTotals are what the quote works
// out for each line and a client may send back unchanged: the line's
// amount after its discount and before tax, the discount and the tax.
var (
	LineItemKeys   = []string{"product_id", "name", "description", "quantity", "unit_price", "discount_percent", "tax_percent"}
	LineItemTotals = []string{"amount", "discount", "tax"}
)

// toLineItems reads a quote's lines: an array of objects with a product
// or a name, a quantity (1 unless given; not negative), a unit price (not
// negative, at most four decimals; a product's price when left out), a
// discount and a tax rate in percent (0 to 100). Numbers may be JSON
// numbers or decimal strings; they are kept as decimal strings. The
// totals a line was sent back with are dropped: the quote works them out.
func toLineItems(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, wantType(`an array of {"product_id" or "name", "quantity", "unit_price", "discount_percent", "tax_percent"}`, v)
	}
	if len(list) > MaxLineItems {
		return nil, fmt.Errorf("more than %d lines", MaxLineItems)
	}
	out := make([]map[string]any, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("line %d: %s", i, wantType("an object", x))
		}
		line := map[string]any{}
		for k, val := range m {
			switch {
			case slices.Contains(LineItemTotals, k):
				continue
			case !slices.Contains(LineItemKeys, k):
				return nil, fmt.Errorf("line %d: unknown key %q (known: %s)", i, k, strings.Join(LineItemKeys, ", "))
			case val == nil:
				continue
			}
			switch k {
			case "product_id", "name", "description":
				s, ok := val.(string)
				if !ok {
					return nil, fmt.Errorf("line %d: %s: %w", i, k, wantType("a string", val))
				}
				if s = strings.TrimSpace(s); len(s) > 4000 || k != "description" && len(s) > 200 {
					return nil, fmt.Errorf("line %d: %s: too long", i, k)
				}
				if s != "" {
					line[k] = s
				}
			default:
				d, err := lineDecimal(k, val)
				if err != nil {
					return nil, fmt.Errorf("line %d: %s: %w", i, k, err)
				}
				if k == "unit_price" {
					d = FormatDecimal(d) // a price reads as money: "80.00"
				}
				line[k] = d
			}
		}
		if line["product_id"] == nil && line["name"] == nil {
			return nil, fmt.Errorf("line %d: want a product_id or a name", i)
		}
		if line["quantity"] == nil {
			line["quantity"] = "1"
		}
		out = append(out, line)
	}
	return out, nil
}

// lineDecimal reads one number of a line: a decimal, not negative, with
// at most four decimals; a percentage at most 100.
func lineDecimal(key string, v any) (string, error) {
	s, ok := decimalText(v)
	if !ok {
		switch v.(type) {
		case float64, int, int64: // from Go code rather than JSON
			s = fmt.Sprint(v)
		default:
			return "", wantType(`a decimal like "12.50"`, v)
		}
	}
	if !moneyPattern.MatchString(s) {
		return "", fmt.Errorf("%q is not a decimal like \"12.50\" (at most 4 decimals)", s)
	}
	r, _ := money.Parse(s)
	if r.Sign() < 0 {
		return "", fmt.Errorf("must not be negative")
	}
	if strings.HasSuffix(key, "_percent") && r.Cmp(money.Hundred) > 0 {
		return "", fmt.Errorf("want 0 to 100, not %s", s)
	}
	return money.Trim(r), nil
}

// toPrices reads a product's prices: an object of ISO 4217 codes and
// amounts ({"EUR": "100.00", "USD": "110"}), none negative.
func toPrices(v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, wantType(`an object of currencies and prices like {"EUR": "100.00"}`, v)
	}
	codes := make([]string, 0, len(m))
	for k := range m {
		codes = append(codes, k)
	}
	sort.Strings(codes)
	out := map[string]any{}
	for _, k := range codes {
		code := strings.ToUpper(strings.TrimSpace(k))
		if !money.Currency(code) {
			return nil, fmt.Errorf("%q is not an ISO 4217 currency code like EUR or USD", k)
		}
		if m[k] == nil {
			continue
		}
		d, err := lineDecimal("price", m[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", code, err)
		}
		out[code] = FormatDecimal(d)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
