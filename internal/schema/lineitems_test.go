package schema

import (
	"bytes"
	"encoding/json"
	"math/big"
	"testing"
)

// FuzzLineItems: any JSON is either refused with an error or read into
// lines that hold only known keys, a product or a name, and decimals that
// are not negative (percentages at most 100); reading those lines again
// gives the same lines.
func FuzzLineItems(f *testing.F) {
	for _, s := range []string{
		`[{"name":"A","quantity":2,"unit_price":"10.5","discount_percent":"10","tax_percent":19}]`,
		`[{"product_id":"p1"},{"name":"B","quantity":"-1"}]`,
		`[{"name":"C","discount_percent":150}]`, `[{"name":"D","amount":"5"}]`, `{}`, `[1]`, `[{"name":""}]`,
		`[{"name":"E","unit_price":"1e3"}]`, `[{"name":"F","quantity":1.23456}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		out, err := toLineItems(v)
		if err != nil {
			return
		}
		lines := out.([]map[string]any)
		back := make([]any, len(lines))
		for i, l := range lines {
			if l["product_id"] == nil && l["name"] == nil {
				t.Fatalf("line %d has neither product nor name: %v", i, l)
			}
			for k, x := range l {
				switch k {
				case "product_id", "name", "description":
				case "quantity", "unit_price", "discount_percent", "tax_percent":
					r, ok := new(big.Rat).SetString(x.(string))
					if !ok || r.Sign() < 0 || k != "quantity" && k != "unit_price" && r.Cmp(big.NewRat(100, 1)) > 0 {
						t.Fatalf("line %d: %s = %v", i, k, x)
					}
				default:
					t.Fatalf("line %d: unknown key %q kept", i, k)
				}
			}
			c := map[string]any{}
			for k, x := range l {
				c[k] = x
			}
			back[i] = c
		}
		again, err := toLineItems(back)
		if err != nil {
			t.Fatalf("lines read once are refused the second time: %v", err)
		}
		a, _ := json.Marshal(lines)
		b, _ := json.Marshal(again)
		if !bytes.Equal(a, b) {
			t.Fatalf("read twice: %s, then %s", a, b)
		}
	})
}
