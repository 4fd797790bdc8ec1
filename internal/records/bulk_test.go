package records_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestBulkStoresWhatACreateStores: a record made by CreateMany (multi-row
// statements on SQLite, arrays per column on PostgreSQL) reads back the
// same as one made by Create from the same input, in every kind of
// built-in column: text, numbers, money, booleans, times, lists, JSON;
// and so does its created event.
func TestBulkStoresWhatACreateStores(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	company, err := f.eng.Create(ctx, f.admin, "companies", decode(t, `{"name":"Acme"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ object, input string }{
		{"contacts", `{"first_name":"Zoë","last_name":"O'Brien","email":"zoe@example.com","phone":"+49 30 1234567","title":"CTO",
			"company_id":"` + company.ID() + `","lifecycle_stage":"customer","lead_source":"web","tags":["vip","berlin"],
			"address":{"street":"Unter den Linden 1","city":"Berlin","postal_code":"10117","country":"DE"},"do_not_contact":true}`},
		{"contacts", `{"first_name":"Bare"}`},
		{"companies", `{"name":"Globex","domain":"globex.example","industry":"Energy","employees":1200,"annual_revenue":"1234567.89",
			"phone":"+1 212 555 0100","tags":["partner"]}`},
		{"activities", `{"kind":"call","subject":"Renewal","occurred_at":"2026-11-30T14:05:06.123456Z","body":"Talked *a lot*",
			"related":[{"object":"companies","id":"` + company.ID() + `"}]}`},
	} {
		one, err := f.eng.Create(ctx, f.admin, tc.object, decode(t, tc.input))
		if err != nil {
			t.Fatalf("%s: create: %v", tc.object, err)
		}
		// The same input but for the email, which must be unique, 64 times:
		// enough for the events to go to PostgreSQL as arrays too.
		var inputs []map[string]any
		for n := range 64 {
			inputs = append(inputs, decode(t, strings.Replace(tc.input, "zoe@", fmt.Sprintf("zoe.%d@", n), 1)))
		}
		many, err := f.eng.CreateMany(ctx, f.admin, tc.object, inputs)
		if err != nil {
			t.Fatalf("%s: create many: %v", tc.object, err)
		}
		a, err := f.eng.Get(ctx, f.admin, tc.object, one.ID(), false)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.eng.Get(ctx, f.admin, tc.object, many[0].ID(), false)
		if err != nil {
			t.Fatal(err)
		}
		if b["email"] == "zoe.0@example.com" {
			b["email"] = a["email"]
		}
		for _, k := range []string{"id", "created_at", "updated_at"} {
			delete(a, k)
			delete(b, k)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s:\n create      %v\n create many %v", tc.object, a, b)
		}
		// And their created events say the same.
		ea, eb := createdEvent(t, f, one.ID()), createdEvent(t, f, many[0].ID())
		if !reflect.DeepEqual(ea, eb) {
			t.Errorf("%s events:\n create      %v\n create many %v", tc.object, ea, eb)
		}
	}
}

// createdEvent is a record's created event: kind, summary and the record
// it carries, without the values that differ between two records.
func createdEvent(t *testing.T, f *fixture, id string) map[string]any {
	t.Helper()
	var kind, summary, data string
	if err := f.db.Reader().QueryRowContext(context.Background(), `SELECT kind, summary, data FROM events WHERE workspace_id = $1 AND record_id = $2`,
		f.admin.WorkspaceID, id).Scan(&kind, &summary, &data); err != nil {
		t.Fatal(err)
	}
	var d struct {
		Record map[string]any `json:"record"`
	}
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "created_at", "updated_at", "email"} {
		delete(d.Record, k)
	}
	return map[string]any{"kind": kind, "summary": summary, "record": d.Record}
}
