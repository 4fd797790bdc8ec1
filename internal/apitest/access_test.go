package apitest

import (
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestRolesOverHTTP checks the permission model end to end, per role.
func TestRolesOverHTTP(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "admin's company", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Admin Co"}`, Status: 201, Events: 1, Save: "adminco"},
		{Name: "sales' company", Role: "sales", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Sales Co"}`, Status: 201, Events: 1, Save: "salesco",
			Contains: []string{`"owner_id":"{{sales_id}}"`}},
		{Name: "sales may not give it away", Role: "sales", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"X","owner_id":"{{admin_id}}"}`, Status: 403},
		{Name: "manager may assign", Role: "manager", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Y","owner_id":"{{sales_id}}"}`, Status: 201, Events: 1},
		{Name: "owner must exist", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Z","owner_id":"nobody"}`, Status: 422, Contains: []string{`"field":"owner_id"`}},
	})
	type check struct {
		role                     access.Role
		readAdminCo, editAdminCo int
		editOwn, trashAdminCo    int
		create, webhooks, users  int
	}
	for _, c := range []check{
		{access.Admin, 200, 200, 200, 204, 201, 200, 201},
		{access.Manager, 200, 200, 200, 204, 201, 403, 403},
		{access.Sales, 200, 403, 200, 403, 201, 403, 403},
		{access.Support, 200, 403, 403, 403, 201, 403, 403},
		{access.Marketing, 200, 403, 403, 403, 201, 403, 403},
		{access.ReadOnly, 200, 403, 403, 403, 403, 403, 403},
	} {
		r := c.role
		e.Vars["victim"] = e.Do(access.Admin, "POST", "/api/v1/companies", `{"name":"Victim"}`, nil).JSON["id"].(string)
		e.Run(t, []Scenario{
			{Name: string(r) + " reads", Role: r, Method: "GET", Path: "/api/v1/companies/{{adminco}}", Status: c.readAdminCo},
			{Name: string(r) + " edits admin's", Role: r, Method: "PATCH", Path: "/api/v1/companies/{{adminco}}", Body: `{"industry":"` + string(r) + `"}`, Status: c.editAdminCo, Events: b(c.editAdminCo == 200)},
			{Name: string(r) + " edits sales'", Role: r, Method: "PATCH", Path: "/api/v1/companies/{{salesco}}", Body: `{"industry":"` + string(r) + `"}`, Status: c.editOwn, Events: b(c.editOwn == 200)},
			{Name: string(r) + " trashes", Role: r, Method: "DELETE", Path: "/api/v1/companies/{{victim}}", Status: c.trashAdminCo, Events: b(c.trashAdminCo == 204)},
			{Name: string(r) + " creates", Role: r, Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"` + string(r) + `"}`, Status: c.create, Events: b(c.create == 201)},
			{Name: string(r) + " lists webhooks", Role: r, Method: "GET", Path: "/api/v1/webhooks", Status: c.webhooks},
			{Name: string(r) + " creates users", Role: r, Method: "POST", Path: "/api/v1/users", Body: `{"email":"new-` + string(r) + `@x.example","name":"N","role":"sales","password":"a long password"}`, Status: c.users},
		})
	}
}

func b(ok bool) int {
	if ok {
		return 1
	}
	return 0
}
