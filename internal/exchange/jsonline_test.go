package exchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/records"
)

// encodingJSON is what the writer must match: encoding/json without HTML
// escaping.
func encodingJSON(t testing.TB, rec records.Record) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeJSONLines(t testing.TB, recs ...records.Record) string {
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	w := newJSONWriter(bw)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestJSONLinesAsEncodingJSON: every kind of value a record holds, and
// strings that need escaping, come out as encoding/json writes them.
func TestJSONLinesAsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 4, 21, 5, 7, 123456000, time.UTC)
	recs := []records.Record{
		{"id": "a", "first_name": "Ada", "score": int64(42), "vip": true, "closed": false, "owner_id": nil, "created_at": at},
		{"id": "b", "first_name": "Zoë \"Z\" <b>&amp;</b>", "score": int64(-7), "vip": false, "closed": true, "owner_id": "u", "created_at": at.In(time.FixedZone("CET", 3600))},
		{"id": "c", "note": "tab\tnewline\ncr\rbell\abs\\ \b \f \x00 \x1f", "odd": "bad \xff utf8 \u2028 \u2029 😀 ü"},
		{"id": "d", "amount": 12.5, "ratio": 1e21, "tags": []string{"vip", "a\"b"}, "address": map[string]any{"city": "Köln", "zip": "50667"}, "n": json.Number("3.10")},
		{"id": "e", "tags": []string(nil), "when": time.Time{}, "list": []map[string]any{{"k": "v"}}},
	}
	var want string
	for _, r := range recs {
		want += encodingJSON(t, r)
	}
	// The same records twice: the second round reuses the kept keys.
	if got := writeJSONLines(t, append(recs, recs...)...); got != want+want {
		t.Fatalf("got\n%s\nwant\n%s", got, want+want)
	}
}

func FuzzJSONLine(f *testing.F) {
	for _, s := range []string{"Ada", "\x00\xff\u2028\"\\", "<&>", "😀\t\n"} {
		f.Add(s, int64(1))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		rec := records.Record{s: s, "n": n, "s": s}
		if got, want := writeJSONLines(t, rec), encodingJSON(t, rec); got != want {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
