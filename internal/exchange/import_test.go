package exchange

import (
	"os"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/schema"
)

func object(t testing.TB, name string) *schema.Object {
	t.Helper()
	for _, o := range schema.Builtins() {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no object %s", name)
	return nil
}

// TestCSVReader: BOM, CRLF, quoted newlines; semicolons and Latin-1.
func TestCSVReader(t *testing.T) {
	f, _ := os.Open("testdata/hubspot-contacts.csv")
	defer f.Close()
	r, err := NewCSVReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if r.Header[0] != "First Name" || r.Comma != ',' {
		t.Fatalf("header %q comma %q", r.Header, r.Comma)
	}
	r.Read()
	line, row, err := r.Read()
	if err != nil || line != 3 || row[4] != "Rear Admiral,\r\nUS Navy" && row[4] != "Rear Admiral,\nUS Navy" {
		t.Fatalf("quoted newline: line %d %q %v", line, row, err)
	}
	line, _, _ = r.Read()
	if line != 5 {
		t.Errorf("the row after a quoted newline starts on line %d, want 5", line)
	}
	g, _ := os.Open("testdata/pipedrive-latin1.csv")
	defer g.Close()
	r, err = NewCSVReader(g)
	if err != nil {
		t.Fatal(err)
	}
	_, row, _ = r.Read()
	if r.Comma != ';' || row[0] != "Jürgen Müller" || row[5] != "Müller & Söhne GmbH" || row[6] != "vip; partner" {
		t.Fatalf("latin-1 semicolons: %q %q", r.Comma, row)
	}
}

func TestGuessMapping(t *testing.T) {
	got := GuessMapping(object(t, "contacts"), []string{"First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name", "Lifecycle Stage", "Create Date"})
	want := map[string]string{"First Name": "first_name", "Last Name": "last_name", "Email": "email", "Phone Number": "phone", "Job Title": "title", "Company Name": companyByName, "Lifecycle Stage": "lifecycle_stage"}
	if len(got) != len(want) {
		t.Errorf("hubspot: %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("hubspot %q → %q, want %q", k, got[k], v)
		}
	}
	got = GuessMapping(object(t, "contacts"), []string{"Person - Name", "Person - Vorname", "Person - Nachname", "Person - E-Mail", "Person - Telefon", "Organisation - Name", "Person - Labels"})
	for k, v := range map[string]string{"Person - Vorname": "first_name", "Person - Nachname": "last_name", "Person - E-Mail": "email", "Person - Telefon": "phone", "Organisation - Name": companyByName, "Person - Labels": "tags"} {
		if got[k] != v {
			t.Errorf("pipedrive %q → %q, want %q (%v)", k, got[k], v, got)
		}
	}
	got = GuessMapping(object(t, "contacts"), []string{"First Name", "Last Name", "Email", "Title", "Account Name", "Mailing City"})
	if got["Account Name"] != companyByName || got["Title"] != "title" {
		t.Errorf("salesforce: %v", got)
	}
	got = GuessMapping(object(t, "companies"), []string{"Company name", "Company Domain Name", "Industry", "Number of Employees", "Annual Revenue"})
	if got["Company name"] != "name" || got["Company Domain Name"] != "domain" || got["Number of Employees"] != "employees" || got["Annual Revenue"] != "annual_revenue" {
		t.Errorf("hubspot companies: %v", got)
	}
}

func TestValue(t *testing.T) {
	f := func(k schema.Kind, opts ...string) *schema.Field { return &schema.Field{Kind: k, Options: opts} }
	for _, tc := range []struct {
		field *schema.Field
		in    string
		want  string
	}{
		{f(schema.Money), "1.234,56", "1234.56"},
		{f(schema.Money), "1,234.56", "1234.56"},
		{f(schema.Money), "€ 12.500,00", "12500.00"},
		{f(schema.Number), "3.141", "3.141"},
		{f(schema.Number), "3,5", "3.5"},
		{f(schema.Integer), "1,000", "1000"},
		{f(schema.Integer), "-7", "-7"},
		{f(schema.Bool), "Ja", "true"},
		{f(schema.Bool), "no", "false"},
		{f(schema.Date), "31.12.2026", "2026-12-31"},
		{f(schema.Date), "2026/12/31", "2026-12-31"},
		{f(schema.Date), "12/31/2026", "2026-12-31"},
		{f(schema.Date), "Dec 31, 2026", "2026-12-31"},
		{f(schema.DateTime), "2024-03-01 10:00", "2024-03-01T10:00:00Z"},
		{f(schema.Tags), "vip; partner, gold", "[vip partner gold]"},
		{f(schema.Select, "lead", "customer"), "Customer", "customer"},
		{f(schema.Text), "'=1+1", "=1+1"},
		{f(schema.Text), "  ", "<nil>"},
	} {
		got, err := Value(tc.field, tc.in)
		if err != nil {
			t.Errorf("Value(%s, %q): %v", tc.field.Kind, tc.in, err)
			continue
		}
		if s := strings.Trim(strings.ReplaceAll(fmtValue(got), "\"", ""), " "); s != tc.want {
			t.Errorf("Value(%s, %q) = %s, want %s", tc.field.Kind, tc.in, s, tc.want)
		}
	}
	for _, bad := range []struct {
		k  schema.Kind
		in string
	}{{schema.Money, "12 apples"}, {schema.Integer, "1-2"}, {schema.Bool, "maybe"}, {schema.Date, "someday"}, {schema.Address, "{not json"}} {
		if _, err := Value(f(bad.k), bad.in); err == nil {
			t.Errorf("Value(%s, %q) took it", bad.k, bad.in)
		}
	}
}

func fmtValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "<nil>"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = x.(string)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return strings.TrimSpace(strings.Trim(fmtAny(v), "\""))
}

func fmtAny(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	}
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

func FuzzCSVReader(f *testing.F) {
	for _, name := range []string{"testdata/hubspot-contacts.csv", "testdata/pipedrive-latin1.csv"} {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte("a;b\n\"x\ny\";\xff\n"))
	contacts := object(f, "contacts")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewCSVReader(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		m := GuessMapping(contacts, r.Header)
		for i := 0; i < 1000; i++ {
			_, row, err := r.Read()
			if err != nil && row == nil {
				if strings.Contains(err.Error(), "EOF") {
					return
				}
				continue
			}
			for j, cell := range row {
				if j < len(r.Header) {
					if field, ok := m[r.Header[j]]; ok && field != companyByName {
						fl, _ := contacts.Field(field)
						_, _ = Value(fl, cell) // must not panic
					}
				}
			}
		}
	})
}
