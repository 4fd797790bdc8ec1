package records_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/events"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/filter"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

type fixture struct {
	db      *store.DB
	eng     *records.Engine
	schemas *schema.Registry
	admin   access.Principal
}

func setup(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	ws := uuid.Must(uuid.NewV7()).String()
	user := uuid.Must(uuid.NewV7()).String()
	d := db.Dialect()
	now := d.Time(time.Now())
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ($1, 'Test', $2)`, ws, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO users (workspace_id, id, email, name, role, created_at, updated_at) VALUES ($1, $2, 'a@example.com', 'A', 'admin', $3, $3)`, ws, user, now); err != nil {
		t.Fatal(err)
	}
	reg := schema.NewRegistry(db)
	eng := records.New(db, reg, events.NewLog(db, time.Now), time.Now)
	return &fixture{db: db, eng: eng, schemas: reg, admin: access.Principal{WorkspaceID: ws, UserID: user, Role: access.Admin}}
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

func TestCreateReadUpdateTrashRestore(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	c, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, `{"first_name":"Ada","last_name":"Lovelace","email":"  Ada@Example.COM ","tags":["vip"],"address":{"city":"London"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c["email"] != "ada@example.com" || c.Version() != 1 || c.Owner() != f.admin.UserID {
		t.Fatalf("created %v", c)
	}
	got, err := f.eng.Get(ctx, f.admin, "contacts", c.ID(), false)
	if err != nil || got["last_name"] != "Lovelace" || !slices.Equal(got["tags"].([]string), []string{"vip"}) {
		t.Fatalf("get: %v %v", got, err)
	}
	if _, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, `{"email":"ada@example.com"}`)); fault.KindOf(err) != fault.KindConflict {
		t.Fatalf("duplicate email: got %v, want conflict", err)
	}
	stale := int64(7)
	if _, err := f.eng.Update(ctx, f.admin, "contacts", c.ID(), decode(t, `{"title":"Countess"}`), &stale); fault.KindOf(err) != fault.KindStale {
		t.Fatalf("stale update: got %v", err)
	}
	one := int64(1)
	up, err := f.eng.Update(ctx, f.admin, "contacts", c.ID(), decode(t, `{"title":"Countess","tags":null}`), &one)
	if err != nil || up.Version() != 2 || up["title"] != "Countess" || up["tags"] != nil {
		t.Fatalf("update: %v %v", up, err)
	}
	if err := f.eng.Trash(ctx, f.admin, "contacts", c.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Get(ctx, f.admin, "contacts", c.ID(), false); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("get trashed: %v", err)
	}
	page, err := f.eng.List(ctx, f.admin, "contacts", records.Query{Trashed: true})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("list trashed: %v %v", page, err)
	}
	if _, err := f.eng.Restore(ctx, f.admin, "contacts", c.ID()); err != nil {
		t.Fatal(err)
	}
	evs, err := events.NewLog(f.db, time.Now).Timeline(ctx, f.admin.WorkspaceID, []events.Ref{{Object: "contacts", ID: c.ID()}}, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"restored", "deleted", "updated", "created"}; !slices.Equal(kinds, want) {
		t.Fatalf("timeline kinds %v, want %v", kinds, want)
	}
	ch := evs[2].Data["changes"].(map[string]any)["title"].([]any)
	if ch[0] != nil || ch[1] != "Countess" {
		t.Fatalf("changes %v", evs[2].Data)
	}
}

func TestValidationNamesEveryBadField(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	_, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, `{"email":"nope","lifecycle_stage":"king","score":5,"colour":"red","company_id":"missing","tags":"vip"}`))
	fe := fault.As(err)
	if fe == nil || fe.Kind != fault.KindInvalid {
		t.Fatalf("got %v, want invalid", err)
	}
	var fields []string
	for _, e := range fe.Fields {
		fields = append(fields, e.Field)
	}
	sort.Strings(fields)
	if want := []string{"colour", "email", "lifecycle_stage", "score", "tags"}; !slices.Equal(fields, want) {
		t.Fatalf("bad fields %v, want %v", fields, want)
	}
	_, err = f.eng.Create(ctx, f.admin, "contacts", decode(t, `{"company_id":"missing"}`))
	if fe := fault.As(err); fe == nil || fe.Kind != fault.KindInvalid || fe.Fields[0].Field != "company_id" {
		t.Fatalf("missing relation: %v", err)
	}
	var n int
	_ = f.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE workspace_id = $1`, f.admin.WorkspaceID).Scan(&n)
	if n != 0 {
		t.Fatalf("rejected writes left %d events", n)
	}
}

func TestPermissionsInTheEngine(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	co, err := f.eng.Create(ctx, f.admin, "companies", decode(t, `{"name":"Acme"}`))
	if err != nil {
		t.Fatal(err)
	}
	sales := access.Principal{WorkspaceID: f.admin.WorkspaceID, UserID: "someone-else", Role: access.Sales}
	if _, err := f.eng.Update(ctx, sales, "companies", co.ID(), decode(t, `{"name":"Mine"}`), nil); !errors.Is(err, fault.ErrForbidden) {
		t.Fatalf("sales editing another's company: %v", err)
	}
	if err := f.eng.Trash(ctx, sales, "companies", co.ID()); !errors.Is(err, fault.ErrForbidden) {
		t.Fatalf("sales trashing another's company: %v", err)
	}
	ro := access.Principal{WorkspaceID: f.admin.WorkspaceID, UserID: f.admin.UserID, Role: access.ReadOnly}
	if _, err := f.eng.Create(ctx, ro, "companies", decode(t, `{"name":"X"}`)); !errors.Is(err, fault.ErrForbidden) {
		t.Fatalf("readonly create: %v", err)
	}
	if _, err := f.eng.Get(ctx, ro, "companies", co.ID(), false); err != nil {
		t.Fatalf("readonly read: %v", err)
	}
}

func TestKeysetPagingVisitsEveryRecordOnce(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	names := []string{"delta", "", "alpha", "charlie", "", "bravo", "alpha", "echo"}
	for _, n := range names {
		in := map[string]any{"first_name": "x"}
		if n != "" {
			in["last_name"] = n
		}
		if _, err := f.eng.Create(ctx, f.admin, "contacts", in); err != nil {
			t.Fatal(err)
		}
	}
	for _, order := range []string{"", "last_name", "last_name desc", "created_at", "first_name, last_name desc", "id"} {
		for _, size := range []int{1, 3} {
			var got []string
			token := ""
			for i := 0; ; i++ {
				page, err := f.eng.List(ctx, f.admin, "contacts", records.Query{OrderBy: order, PageSize: size, PageToken: token})
				if err != nil {
					t.Fatalf("order %q: %v", order, err)
				}
				for _, r := range page.Data {
					got = append(got, r.ID())
				}
				if token = page.NextPageToken; token == "" || i > 20 {
					break
				}
			}
			all, _ := f.eng.List(ctx, f.admin, "contacts", records.Query{OrderBy: order, PageSize: 100})
			var want []string
			for _, r := range all.Data {
				want = append(want, r.ID())
			}
			if !slices.Equal(got, want) || len(want) != len(names) {
				t.Errorf("order %q size %d: paged %d ids, one page %d; equal=%v", order, size, len(got), len(want), slices.Equal(got, want))
			}
		}
	}
	page, _ := f.eng.List(ctx, f.admin, "contacts", records.Query{OrderBy: "last_name", PageSize: 100})
	var order []any
	for _, r := range page.Data {
		order = append(order, r["last_name"])
	}
	if order[0] != nil || order[1] != nil || order[2] != "alpha" || order[7] != "echo" {
		t.Errorf("last_name order %v: want NULLs first, then alphabetical", order)
	}
	if _, err := f.eng.List(ctx, f.admin, "contacts", records.Query{OrderBy: "last_name", PageToken: page.NextPageToken + "x"}); fault.KindOf(err) != fault.KindBadRequest {
		t.Errorf("bad token: %v", err)
	}
	other, _ := f.eng.List(ctx, f.admin, "contacts", records.Query{OrderBy: "created_at", PageSize: 2})
	if _, err := f.eng.List(ctx, f.admin, "contacts", records.Query{OrderBy: "last_name", PageToken: other.NextPageToken}); fault.KindOf(err) != fault.KindBadRequest {
		t.Errorf("token of another order: %v", err)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	for _, in := range []string{`{"first_name":"Ada","last_name":"Lovelace","email":"ada@analytical.example"}`, `{"first_name":"Adam","last_name":"Smith"}`, `{"first_name":"Grace","last_name":"Hopper"}`} {
		if _, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, in)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.eng.Create(ctx, f.admin, "companies", decode(t, `{"name":"Adalbert GmbH","domain":"adalbert.example"}`)); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"ada": 2, "ada love": 1, "analytical": 1, "hop": 1, "zzz": 0, `"*(`: 0} {
		page, err := f.eng.List(ctx, f.admin, "contacts", records.Query{Q: q})
		if err != nil || len(page.Data) != want {
			t.Errorf("q %q: %d results (err %v), want %d", q, len(page.Data), err, want)
		}
	}
	for i := 0; i < 5; i++ {
		if _, err := f.eng.Create(ctx, f.admin, "contacts", map[string]any{"first_name": "Adalind", "last_name": fmt.Sprint("N", i)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	token := ""
	for i := 0; i < 10; i++ {
		page, err := f.eng.List(ctx, f.admin, "contacts", records.Query{Q: "adal", PageSize: 2, PageToken: token, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if *page.Total != 5 {
			t.Fatalf("total %d, want 5", *page.Total)
		}
		for _, r := range page.Data {
			if seen[r.ID()] {
				t.Fatalf("search page %d repeats %s", i, r.ID())
			}
			seen[r.ID()] = true
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("search paging visited %d records, want 5", len(seen))
	}
	capped, err := f.eng.List(ctx, f.admin, "contacts", records.Query{Filter: `first_name = "Adalind"`, Count: true, CountLimit: 3})
	if err != nil || *capped.Total != 3 || !capped.TotalCapped {
		t.Fatalf("capped count: %v %v %v", capped.Total, capped.TotalCapped, err)
	}
	exact, err := f.eng.List(ctx, f.admin, "contacts", records.Query{Filter: `first_name = "Adalind"`, Count: true, CountLimit: 10})
	if err != nil || *exact.Total != 5 || exact.TotalCapped {
		t.Fatalf("count under the cap: %v %v %v", exact.Total, exact.TotalCapped, err)
	}
	many, err := f.eng.GetMany(ctx, f.admin, "contacts", []string{page0ID(t, f), "missing"})
	if err != nil || len(many) != 1 {
		t.Fatalf("GetMany: %d records, err %v", len(many), err)
	}
	hits, err := f.eng.Search(ctx, f.admin, "ada", 20)
	if err != nil || len(hits) != 8 {
		t.Fatalf("search across objects: %v %v", hits, err)
	}
}

func TestCustomFieldsAndObjects(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ws := f.admin.WorkspaceID
	if _, err := f.schemas.AddField(ctx, ws, "contacts", schema.NewField{Name: "shoe_size", Kind: schema.Integer, Indexed: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.schemas.AddField(ctx, ws, "contacts", schema.NewField{Name: "badge", Kind: schema.Text, Unique: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.schemas.AddField(ctx, ws, "contacts", schema.NewField{Name: "shoe_size", Kind: schema.Text}); fault.KindOf(err) != fault.KindInvalid {
		t.Fatalf("duplicate field: %v", err)
	}
	c, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, `{"first_name":"A","shoe_size":42,"badge":"B-1"}`))
	if err != nil || c["shoe_size"] != int64(42) {
		t.Fatalf("create with custom: %v %v", c, err)
	}
	if _, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, `{"badge":"B-1"}`)); fault.KindOf(err) != fault.KindConflict || fault.As(err).Fields[0].Field != "badge" {
		t.Fatalf("unique custom: %v", err)
	}
	if _, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, `{"shoe_size":"big"}`)); fault.KindOf(err) != fault.KindInvalid {
		t.Fatalf("wrong type custom: %v", err)
	}
	o, err := f.schemas.CreateObject(ctx, ws, schema.NewObject{Name: "projects", Label: "Projects", Fields: []schema.NewField{
		{Name: "name", Kind: schema.Text, Required: true},
		{Name: "budget", Kind: schema.Money},
		{Name: "client", Kind: schema.Relation, Target: "companies"},
		{Name: "phase", Kind: schema.Select, Options: []string{"plan", "build"}},
	}})
	if err != nil || o.Singular != "project" {
		t.Fatalf("create object: %v %v", o, err)
	}
	p, err := f.eng.Create(ctx, f.admin, "projects", decode(t, `{"name":"Apollo","budget":"1500.5","phase":"plan"}`))
	if err != nil || p["budget"] != "1500.50" {
		t.Fatalf("create project: %v %v", p, err)
	}
	page, err := f.eng.List(ctx, f.admin, "projects", records.Query{Filter: `budget > 1000 AND phase = "plan"`, OrderBy: "budget desc", Q: "apollo"})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("list projects: %v %v", page, err)
	}
	if _, err := f.eng.Create(ctx, f.admin, "projects", decode(t, `{"budget":"1"}`)); fault.KindOf(err) != fault.KindInvalid {
		t.Fatalf("required custom field: %v", err)
	}
}

// TestFilterSQLAndMemoryAgree runs every operator through both back-ends
// of the filter package, on the engine under test, and checks they pick the
// same records, and the number the case expects.
func TestFilterSQLAndMemoryAgree(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ws := f.admin.WorkspaceID
	for _, nf := range []schema.NewField{
		{Name: "shoe_size", Kind: schema.Integer, Indexed: true},
		{Name: "height", Kind: schema.Number},
		{Name: "budget", Kind: schema.Money},
		{Name: "vip", Kind: schema.Bool},
		{Name: "met_at", Kind: schema.DateTime},
		{Name: "birthday", Kind: schema.Date},
		{Name: "tier", Kind: schema.Select, Options: []string{"gold", "silver"}},
		{Name: "skills", Kind: schema.MultiSelect, Options: []string{"go", "sql", "css"}},
		{Name: "nickname", Kind: schema.Text},
	} {
		if _, err := f.schemas.AddField(ctx, ws, "contacts", nf); err != nil {
			t.Fatal(err)
		}
	}
	acme, _ := f.eng.Create(ctx, f.admin, "companies", decode(t, `{"name":"Acme","employees":50,"annual_revenue":"2500000.00"}`))
	globex, _ := f.eng.Create(ctx, f.admin, "companies", decode(t, `{"name":"Globex","employees":5}`))
	people := []string{
		`{"first_name":"ada","last_name":"lovelace","email":"ada@acme.com","lifecycle_stage":"lead","tags":["vip","speaker"],"address":{"city":"london"},"do_not_contact":false,
		  "company_id":"` + acme.ID() + `","shoe_size":38,"height":1.65,"budget":"100.50","vip":true,"met_at":"2026-03-01T10:00:00Z","birthday":"1815-12-10","tier":"gold","skills":["go","sql"],"nickname":"countess"}`,
		`{"first_name":"grace","last_name":"hopper","email":"grace@navy.mil","lifecycle_stage":"customer","tags":["speaker"],"address":{"city":"new york"},"do_not_contact":true,
		  "company_id":"` + globex.ID() + `","shoe_size":40,"height":1.6,"budget":"2000","vip":false,"met_at":"2026-06-01T10:00:00Z","tier":"silver","skills":["css"]}`,
		`{"first_name":"alan","last_name":"turing","email":"alan@acme.com","lifecycle_stage":"lead","shoe_size":44,"company_id":"` + acme.ID() + `","met_at":"2025-12-31T23:59:59Z"}`,
		`{"first_name":"edsger","lifecycle_stage":"other","nickname":"ewd"}`,
		`{"first_name":"barbara","last_name":"liskov","email":"barbara@mit.edu","tags":[],"shoe_size":38,"budget":"99.99","vip":true}`,
	}
	var all []records.Record
	for _, in := range people {
		r, err := f.eng.Create(ctx, f.admin, "contacts", decode(t, in))
		if err != nil {
			t.Fatalf("create %s: %v", in, err)
		}
		all = append(all, r)
	}
	cases := []struct {
		filter string
		want   int
	}{
		{`lifecycle_stage = "lead"`, 2},
		{`lifecycle_stage != "lead"`, 2},
		{`NOT lifecycle_stage = "lead"`, 2},
		{`-lifecycle_stage = "lead"`, 2},
		{`last_name < "m"`, 3},
		{`last_name <= "lovelace"`, 3},
		{`last_name > "lovelace"`, 1},
		{`last_name >= "hopper"`, 4},
		{`email = "*@acme.com"`, 2},
		{`email = "ADA@ACME.COM"`, 1},
		{`email != "*@acme.com"`, 2},
		{`email = "a*"`, 2},
		{`first_name:"ar"`, 1},
		{`email:*`, 4},
		{`NOT email:*`, 1},
		{`tags:"vip"`, 1},
		{`tags:"speaker"`, 2},
		{`NOT tags:"speaker"`, 3},
		{`tags:*`, 2},
		{`address.city = "london"`, 1},
		{`address:city`, 2},
		{`do_not_contact = true`, 1},
		{`do_not_contact = false`, 4},
		{`do_not_contact`, 1},
		{`score >= 0`, 5},
		{`company.name = "Acme"`, 2},
		{`company.employees < 10`, 1},
		{`NOT company.name = "Acme"`, 1}, // no company: unknown, as in SQL
		{`company.annual_revenue > 1000000`, 2},
		{`company_id = "` + acme.ID() + `"`, 2},
		{`shoe_size = 38`, 2},
		{`shoe_size > 38 AND shoe_size <= 44`, 2},
		{`shoe_size != 40`, 3},
		{`height > 1.62`, 1},
		{`height < 2`, 2},
		{`budget > 100`, 2},
		{`budget <= 99.99`, 1},
		{`vip = true`, 2},
		{`vip != true`, 1},
		{`vip`, 2},
		{`met_at > "2026-01-01T00:00:00Z"`, 2},
		{`met_at:*`, 3},
		{`NOT met_at:*`, 2},
		{`birthday:*`, 1},
		{`met_at <= "2026-03-01T10:00:00Z"`, 2},
		{`birthday < "1900-01-01"`, 1},
		{`tier = "gold" OR tier = "silver"`, 2},
		{`skills:"go"`, 1},
		{`skills:"css" OR skills:"sql"`, 2},
		{`NOT skills:"go"`, 4},
		{`nickname:"OUNT"`, 1},
		{`nickname = "e*"`, 1},
		{`created_at > "2000-01-01T00:00:00Z"`, 5},
		{`(lifecycle_stage = "lead" OR lifecycle_stage = "customer") AND NOT tags:"vip"`, 2},
		{`lifecycle_stage = "lead" shoe_size = 44`, 1},
		{`first_name = "ada" OR (shoe_size = 38 AND vip)`, 2},
	}
	s, _ := f.schemas.Get(ctx, ws)
	o, _ := s.Object("contacts")
	related := func(object, id string) map[string]any {
		r, err := f.eng.Get(ctx, f.admin, object, id, false)
		if err != nil {
			return nil
		}
		return r
	}
	for _, c := range cases {
		page, err := f.eng.List(ctx, f.admin, "contacts", records.Query{Filter: c.filter, PageSize: 100})
		if err != nil {
			t.Errorf("%s: SQL: %v", c.filter, err)
			continue
		}
		var sqlIDs, memIDs []string
		for _, r := range page.Data {
			sqlIDs = append(sqlIDs, r.ID())
		}
		flt, err := filter.Parse(c.filter, s, o)
		if err != nil {
			t.Fatalf("%s: parse: %v", c.filter, err)
		}
		for _, r := range all {
			cur, _ := f.eng.Get(ctx, f.admin, "contacts", r.ID(), false)
			if flt.Match(cur, related) {
				memIDs = append(memIDs, r.ID())
			}
		}
		sort.Strings(sqlIDs)
		sort.Strings(memIDs)
		if !slices.Equal(sqlIDs, memIDs) {
			t.Errorf("%s: SQL picked %d, memory picked %d: they disagree", c.filter, len(sqlIDs), len(memIDs))
		}
		if len(sqlIDs) != c.want {
			t.Errorf("%s: SQL picked %d, want %d", c.filter, len(sqlIDs), c.want)
		}
	}
}

// FuzzListFilter feeds arbitrary filters, orders and page tokens to List:
// each must either work or be a 400 naming the problem, never an internal
// error (which would mean invalid SQL or a crash).
func FuzzListFilter(f *testing.F) {
	for _, s := range []string{`lifecycle_stage = "lead"`, `email = "*@x.com" AND NOT tags:"vip"`, `company.name = "A" OR score > 3`,
		`address.city:"x"`, `created_at > "2026-01-01T00:00:00Z"`, `(a`, `x = `, `score = "a"`, `tags = "a"`, `-first_name:*`,
		`first_name = "\"'); DROP TABLE contacts; --"`, `score > 1.5`, `do_not_contact`, `email:*`, `a.b.c = 1`, `first_name = last_name`} {
		f.Add(s, "last_name desc", "")
	}
	fx := setup(f)
	ctx := context.Background()
	if _, err := fx.eng.Create(ctx, fx.admin, "contacts", map[string]any{"first_name": "Ada", "tags": []any{"vip"}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, flt, order, token string) {
		_, err := fx.eng.List(ctx, fx.admin, "contacts", records.Query{Filter: flt, OrderBy: order, PageToken: token, PageSize: 5})
		if err != nil && fault.KindOf(err) != fault.KindBadRequest {
			t.Fatalf("filter %q order %q token %q: %v (kind %d), want success or bad request", flt, order, token, err, fault.KindOf(err))
		}
	})
}

func page0ID(t *testing.T, f *fixture) string {
	page, err := f.eng.List(context.Background(), f.admin, "contacts", records.Query{PageSize: 1})
	if err != nil || len(page.Data) != 1 {
		t.Fatalf("first contact: %v", err)
	}
	return page.Data[0].ID()
}

// TestSearchIndexTakesBulkWritesInLargeSteps checks the full-text settings
// of migration 0009 on a built-in table and on a custom object's table
// (SQLite; PostgreSQL's GIN indexes keep their defaults).
func TestSearchIndexTakesBulkWritesInLargeSteps(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if f.db.Dialect() != store.SQLite {
		t.Skip("FTS5 settings: SQLite only")
	}
	o, err := f.schemas.CreateObject(ctx, f.admin.WorkspaceID, schema.NewObject{Name: "boats", Label: "Boats", Fields: []schema.NewField{{Name: "name", Kind: schema.Text}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"contacts", "companies", "activities", o.Table} {
		for k, want := range map[string]int{"hashsize": 16 << 20, "automerge": 16} {
			var got int
			if err := f.db.Reader().QueryRowContext(ctx, "SELECT v FROM "+table+"_fts_config WHERE k = $1", k).Scan(&got); err != nil || got != want {
				t.Errorf("%s_fts %s = %d (%v), want %d", table, k, got, err, want)
			}
		}
	}
}
