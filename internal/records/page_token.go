package records

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
)

// A page token is the sort values of the last record of a page plus a hash
// of the query it belongs to, so that a token cannot be replayed against a
// different filter or order. It is opaque to clients.
type token struct {
	Shape string `json:"s"`
	Vals  []any  `json:"v"`
}

func queryShape(object string, q Query, keys []sortKey) string {
	var b strings.Builder
	b.WriteString(object + "\x00" + q.Filter + "\x00" + q.Q + "\x00")
	if q.Trashed {
		b.WriteString("trashed")
	}
	for _, k := range keys {
		b.WriteString("\x00" + k.field.Name)
		if k.desc {
			b.WriteString(" desc")
		}
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:8])
}

func encodeToken(shape string, keys []sortKey, last Record) string {
	t := token{Shape: shape}
	for _, k := range keys {
		v := last[k.field.Name]
		if tm, ok := v.(time.Time); ok {
			v = tm.Format(time.RFC3339Nano)
		}
		t.Vals = append(t.Vals, v)
	}
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s, shape string, keys []sortKey) ([]any, error) {
	bad := fault.BadRequest("page_token: not a token of this query (use next_page_token of the previous page, with the same filter, q and order_by)")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 8192 {
		return nil, bad
	}
	var t token
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&t); err != nil || t.Shape != shape || len(t.Vals) != len(keys) {
		return nil, bad
	}
	out := make([]any, len(keys))
	for i, k := range keys {
		if t.Vals[i] == nil {
			if !nullable(k.field) {
				return nil, bad
			}
			continue
		}
		v, err := schema.Convert(&schema.Field{Kind: k.field.Kind, Custom: k.field.Custom}, t.Vals[i])
		if err != nil {
			if k.field.Kind == schema.DateTime {
				if s, ok := t.Vals[i].(string); ok {
					if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
						out[i] = tm.UTC()
						continue
					}
				}
			}
			return nil, bad
		}
		if k.field.Kind == schema.Money {
			if s, ok := v.(string); ok {
				var f float64
				_ = json.Unmarshal([]byte(s), &f)
				v = f
			}
		}
		out[i] = v
	}
	return out, nil
}
