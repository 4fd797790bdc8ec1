package apitest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestQuotesAPI: products carry prices per currency and a tax rate; a
// quote of a deal is numbered Q-YYYY-NNNN, takes its company, contact and
// currency from the deal and each line's price and tax from its product,
// and works out its totals exactly, rounded per line; bad lines are a 422
// naming the line and the key. Sent, it mails its PDF (through a real SMTP
// server) and lands on the deal's and contact's timelines; it then changes
// only by a new version, and accepting it wins the deal.
func TestQuotesAPI(t *testing.T) {
	e := NewInstall(t) // a database of its own: the test runs the job queue
	e.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	e.Run(t, []Scenario{
		{Name: "a licence", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Status: 201, Events: 1, Save: "licence",
			Body:     `{"name":"Platform licence","sku":"PL-1","prices":{"EUR":"1200","usd":1300.5},"tax_percent":19}`,
			Contains: []string{`"prices":{"EUR":"1200.00","USD":"1300.50"}`, `"active":true`}},
		{Name: "onboarding", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Status: 201, Events: 1, Save: "onboarding",
			Body: `{"name":"Onboarding","sku":"ON-1","prices":{"EUR":"499.99"},"tax_percent":7}`},
		{Name: "a product no longer sold", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Status: 201, Events: 1, Save: "legacy",
			Body: `{"name":"Legacy","sku":"LG-1","prices":{"EUR":"10"},"active":false}`},
		{Name: "sales may not change the catalogue", Role: access.Sales, Method: "POST", Path: "/api/v1/products", Body: `{"name":"Mine"}`, Status: 403},
		{Name: "a SKU taken", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Body: `{"name":"Again","sku":"PL-1"}`, Status: 409},
		{Name: "a price in no currency", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Body: `{"name":"X","prices":{"EURO":"1"}}`,
			Status: 422, Contains: []string{`"field":"prices"`, `\"EURO\" is not an ISO 4217 currency code`}},
		{Name: "a negative price", Role: access.Manager, Method: "POST", Path: "/api/v1/products", Body: `{"name":"X","prices":{"EUR":"-1"}}`,
			Status: 422, Contains: []string{`"field":"prices"`, "EUR: must not be negative"}},
		{Name: "a company", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Bjørn & Søn AS"}`, Status: 201, Events: 1, Save: "company"},
		{Name: "a contact", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Zoë","last_name":"Łukasz-Müller","email":"zoe@example.com","company_id":"{{company}}"}`,
			Status: 201, Events: 1, Save: "zoe"},
		{Name: "a deal", Role: access.Sales, Method: "POST", Path: "/api/v1/deals", Body: `{"name":"Fjord rollout","amount":"3000","company_id":"{{company}}","contact_ids":["{{zoe}}"]}`,
			Status: 201, Events: 3, Save: "deal"},
		{Name: "a quote", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Status: 201, Events: 1, Save: "quote",
			Body: `{"deal_id":"{{deal}}","terms":"Payment within 30 days.","line_items":[{"product_id":"{{licence}}","quantity":2,"discount_percent":"10"},` +
				`{"product_id":"{{onboarding}}"},{"name":"Travel","quantity":"1.5","unit_price":"80","tax_percent":"19"}]}`,
			Contains: []string{`"number":"Q-2026-0001"`, `"revision":1`, `"status":"draft"`, `"currency":"EUR"`, `"company_id":"{{company}}"`, `"contact_id":"{{zoe}}"`,
				`"name":"Fjord rollout"`, `"valid_until":"2026-04-09"`,
				`{"amount":"2160.00","discount":"240.00","discount_percent":"10","name":"Platform licence","product_id":"{{licence}}","quantity":"2","tax":"410.40","tax_percent":"19","unit_price":"1200.00"}`,
				`{"amount":"499.99","discount":"0.00","name":"Onboarding","product_id":"{{onboarding}}","quantity":"1","tax":"35.00","tax_percent":"7","unit_price":"499.99"}`,
				`"subtotal":"2779.99"`, `"discount_total":"240.00"`, `"tax_total":"468.20"`, `"total":"3248.19"`}},
		{Name: "the next number", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Status: 201, Events: 1, Save: "second",
			Body: `{"deal_id":"{{deal}}","currency":"usd","line_items":[{"product_id":"{{licence}}"}]}`, Contains: []string{`"number":"Q-2026-0002"`, `"total":"1547.60"`}},
		{Name: "a negative quantity", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","line_items":[{"name":"X","unit_price":"1","quantity":"-2"}]}`,
			Status: 422, Contains: []string{`"field":"line_items"`, "line 0: quantity: must not be negative"}},
		{Name: "a discount over 100 %", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","line_items":[{"name":"X","unit_price":"1"},{"name":"Y","unit_price":"1","discount_percent":150}]}`,
			Status: 422, Contains: []string{"line 1: discount_percent: want 0 to 100, not 150"}},
		{Name: "too many decimals", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","line_items":[{"name":"X","unit_price":"1.23456"}]}`,
			Status: 422, Contains: []string{`line 0: unit_price: \"1.23456\" is not a decimal`}},
		{Name: "an unknown currency", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","currency":"XYZ"}`,
			Status: 422, Contains: []string{`"field":"currency"`, "ISO 4217"}},
		{Name: "no price in the currency", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","currency":"USD","line_items":[{"product_id":"{{onboarding}}"}]}`,
			Status: 422, Contains: []string{"line 0: unit_price: Onboarding has no price in USD; give one"}},
		{Name: "a product no longer sold", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","line_items":[{"product_id":"{{legacy}}"}]}`,
			Status: 422, Contains: []string{"line 0: product_id: Legacy is no longer sold"}},
		{Name: "a line of nothing", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","line_items":[{"quantity":1}]}`,
			Status: 422, Contains: []string{"line 0: want a product_id or a name"}},
		{Name: "an unknown key", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","line_items":[{"name":"X","price":1}]}`,
			Status: 422, Contains: []string{`line 0: unknown key \"price\"`}},
		{Name: "no deal", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"line_items":[]}`, Status: 422, Contains: []string{`"field":"deal_id"`}},
		{Name: "not born sent", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes", Body: `{"deal_id":"{{deal}}","status":"sent"}`, Status: 422, Contains: []string{`"field":"status"`}},
		{Name: "a draft is edited", Role: access.Sales, Method: "PATCH", Path: "/api/v1/quotes/{{second}}", Body: `{"line_items":[{"product_id":"{{licence}}","discount_percent":100}]}`,
			Status: 200, Events: 1, Contains: []string{`"total":"0.00"`, `"discount_total":"1300.50"`}},
	})

	// The PDF draws every name as it is written, and the workspace's logo.
	var logo bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 120, 40))
	for x := range 120 {
		for y := range 40 {
			img.Set(x, y, color.RGBA{R: 79, G: 70, B: uint8(180 + x%60), A: 255})
		}
	}
	if err := png.Encode(&logo, img); err != nil {
		t.Fatal(err)
	}
	if err := e.Sys.Auth.SetLogo(context.Background(), access.Principal{WorkspaceID: e.WS, UserID: e.Users[access.Admin], Role: access.Admin}, logo.Bytes()); err != nil {
		t.Fatal(err)
	}
	r := e.Do(access.Sales, "GET", "/api/v1/quotes/{{quote}}/pdf", "", map[string]string{"Accept-Language": "de"})
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) ||
		r.Header.Get("Content-Disposition") != `inline; filename=Q-2026-0001.pdf` {
		t.Fatalf("pdf: %d %s %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
	}
	if images, ok := pdfTool(t, "pdfimages", r.Body, "-list", "{}"); ok && !strings.Contains(images, "image     120    40  rgb") {
		t.Errorf("the PDF's images (want the logo):\n%s", images)
	}
	text, ok := pdfText(t, r.Body)
	for _, want := range []string{"Angebot Q-2026-0001", "Bjørn & Søn AS", "Zoë Łukasz-Müller", "Platform licence", "2.160,00 €", "3.248,19 €", "Payment within 30 days.", "Test"} {
		if ok && !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}

	e.Clock.Set(time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC))
	e.Run(t, []Scenario{
		{Name: "send", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes/{{quote}}/send", Status: 202, Events: 2, Jobs: 2, // the quote and its email; the mail, and the expiry
			Contains: []string{`"status":"queued"`, `"to":["zoe@example.com"]`, `"subject":"Quote Q-2026-0001: Fjord rollout"`, `"sent_at":"2026-03-11T09:00:00Z"`, `"email_id":"`}},
		{Name: "a bad address", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes/{{second}}/send", Body: `{"to":["nobody"]}`,
			Status: 422, Contains: []string{`"field":"to"`, `item 0: \"nobody\" is not an email address`}},
	})
	if ran, err := e.Sys.Jobs.RunOne(context.Background()); !ran || err != nil {
		t.Fatalf("the send job: %v %v", ran, err)
	}
	msgs := e.Mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "zoe@example.com" {
		t.Fatalf("mail: %+v", msgs)
	}
	for _, want := range []string{`filename="Q-2026-0001.pdf"`, "Content-Type: application/pdf", "Reply-To: \"sales\" <sales@test.example>", "Subject: Quote Q-2026-0001: Fjord rollout"} {
		if !strings.Contains(msgs[0].Data, want) {
			t.Errorf("the mail lacks %q", want)
		}
	}
	e.Run(t, []Scenario{
		{Name: "on the deal's timeline", Method: "GET", Path: "/api/v1/deals/{{deal}}/timeline", Status: 200,
			Contains: []string{`"kind":"email_out"`, `"summary":"Sent email Quote Q-2026-0001: Fjord rollout to zoe@example.com"`}},
		{Name: "on Zoë's", Method: "GET", Path: "/api/v1/contacts/{{zoe}}/timeline", Status: 200, Contains: []string{`"kind":"email_out"`}},
		{Name: "a sent quote keeps its lines", Role: access.Sales, Method: "PATCH", Path: "/api/v1/quotes/{{quote}}", Body: `{"line_items":[{"name":"Cheaper","unit_price":"1"}],"name":"New"}`,
			Status: 422, Contains: []string{`"field":"line_items"`, `"field":"name"`, "quote Q-2026-0001 v1 was sent: make a new version to change it"}},
		{Name: "and is no draft again", Role: access.Sales, Method: "PATCH", Path: "/api/v1/quotes/{{quote}}", Body: `{"status":"draft"}`, Status: 422, Contains: []string{`"field":"status"`}},
		{Name: "a draft has no new version", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes/{{second}}/revise", Status: 422},
		{Name: "a new version", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes/{{quote}}/revise", Status: 201, Events: 1, Save: "v2",
			Contains: []string{`"number":"Q-2026-0001"`, `"revision":2`, `"status":"draft"`, `"previous_id":"{{quote}}"`, `"total":"3248.19"`, `"terms":"Payment within 30 days."`}},
		{Name: "the new version changes", Role: access.Sales, Method: "PATCH", Path: "/api/v1/quotes/{{v2}}", Body: `{"line_items":[{"product_id":"{{licence}}","quantity":3}]}`,
			Status: 200, Events: 1, Contains: []string{`"total":"4284.00"`}},
		{Name: "only the newest version is revised", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes/{{quote}}/revise", Status: 409},
		{Name: "its PDF is named by its version", Role: access.Sales, Method: "GET", Path: "/api/v1/quotes/{{v2}}/pdf", Status: 200},
		{Name: "accepted", Role: access.Sales, Method: "POST", Path: "/api/v1/quotes/{{quote}}/accept", Status: 200, Events: 5, // the quote; the deal updated, its stage, and on its company's and Zoë's timelines
			Contains: []string{`"status":"accepted"`}},
		{Name: "the deal is won", Method: "GET", Path: "/api/v1/deals/{{deal}}", Status: 200, Contains: []string{`"status":"won"`, `"stage_id":"won"`}},
		{Name: "an accepted quote stays", Role: access.Sales, Method: "PATCH", Path: "/api/v1/quotes/{{quote}}", Body: `{"status":"declined"}`, Status: 422,
			Contains: []string{"the quote was accepted: make a new version to offer again"}},
		{Name: "quotes of a deal", Method: "GET", Path: `/api/v1/quotes?filter=number%20%3D%20%22Q-2026-0001%22%20AND%20status%20%3D%20%22draft%22`, Status: 200,
			Contains: []string{`"revision":2`}, Lacks: []string{`"revision":1,`}},
	})
	// A quote sent by other means expires the day after it is valid until.
	e.Run(t, []Scenario{
		{Name: "sent by hand", Role: access.Sales, Method: "PATCH", Path: "/api/v1/quotes/{{second}}", Body: `{"status":"sent"}`, Status: 200, Events: 1, Jobs: 1},
	})
	e.Clock.Set(time.Date(2026, 4, 9, 23, 0, 0, 0, time.UTC))
	if ran, err := e.Sys.Jobs.RunOne(context.Background()); ran || err != nil {
		t.Fatalf("an expiry ran before its day: %v %v", ran, err)
	}
	e.Clock.Set(time.Date(2026, 4, 10, 0, 0, 1, 0, time.UTC))
	for range 2 { // the accepted quote's expiry changes nothing
		if ran, err := e.Sys.Jobs.RunOne(context.Background()); !ran || err != nil {
			t.Fatalf("expiry: %v %v", ran, err)
		}
	}
	e.Run(t, []Scenario{
		{Name: "expired", Method: "GET", Path: "/api/v1/quotes/{{second}}", Status: 200, Contains: []string{`"status":"expired"`}},
		{Name: "the accepted one stays", Method: "GET", Path: "/api/v1/quotes/{{quote}}", Status: 200, Contains: []string{`"status":"accepted"`}},
	})
	r = e.Do(access.Sales, "GET", "/api/v1/quotes/{{v2}}/pdf", "", nil)
	if text, ok := pdfText(t, r.Body); r.Header.Get("Content-Disposition") != `inline; filename=Q-2026-0001-v2.pdf` || ok && !strings.Contains(text, "Version 2") {
		t.Errorf("the second version's PDF: %q\n%s", r.Header.Get("Content-Disposition"), text)
	}
}

// pdfText is a PDF's text as poppler's pdftotext reads it: what a reader
// sees, not what the drawing code meant. Without pdftotext it says so
// loudly and reports false — or fails under CI=true.
func pdfText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	return pdfTool(t, "pdftotext", pdf, "-layout", "{}", "-")
}

// pdfTool runs one of poppler's tools on a PDF (its path where args say
// {}) and returns what it prints.
func pdfTool(t *testing.T, tool string, pdf []byte, flags ...string) (string, bool) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(tool + " is not installed and CI=true (.ci/run installs poppler-utils)")
		}
		t.Log("\n#####\n## SKIPPING the PDF checks: no " + tool + " (apt-get install poppler-utils)\n#####")
		return "", false
	}
	path := filepath.Join(t.TempDir(), "quote.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args := slices.Clone(flags)
	for i, a := range args {
		if a == "{}" {
			args[i] = path
		}
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out), true
}
