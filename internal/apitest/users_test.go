package apitest

import (
	"strings"
	"testing"
)

func TestUsersAndKeysAPI(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "me", Role: "sales", Method: "GET", Path: "/api/v1/me", Status: 200, Contains: []string{`"role":"sales"`, `"name":"Test"`}},
		{Name: "list users", Role: "readonly", Method: "GET", Path: "/api/v1/users", Status: 200, Contains: []string{`"email":"admin@test.example"`}, Lacks: []string{"password"}},
		{Name: "create user", Method: "POST", Path: "/api/v1/users", Body: `{"email":"New@X.example","name":"New","role":"support","password":"a long password"}`,
			Status: 201, Contains: []string{`"email":"new@x.example"`}, Lacks: []string{"password"}, Save: "newuser"},
		{Name: "user exists", Method: "POST", Path: "/api/v1/users", Body: `{"email":"new@x.example","name":"New","role":"support","password":"a long password"}`, Status: 409},
		{Name: "bad user", Method: "POST", Path: "/api/v1/users", Body: `{"email":"x","name":"","role":"king","password":"short"}`, Status: 422,
			Contains: []string{`"field":"email"`, `"field":"name"`, `"field":"role"`, `"field":"password"`}},
		{Name: "read user", Method: "GET", Path: "/api/v1/users/{{newuser}}", Status: 200},
		{Name: "own key", Role: "sales", Method: "POST", Path: "/api/v1/apikeys", Body: `{"name":"laptop"}`, Status: 201, Contains: []string{`"key":"rk_`}, Save: "salesKey"},
		{Name: "key for another", Role: "sales", Method: "POST", Path: "/api/v1/apikeys", Body: `{"name":"x","user_id":"{{admin_id}}"}`, Status: 403},
		{Name: "list keys shows no secret", Role: "sales", Method: "GET", Path: "/api/v1/apikeys", Status: 200, Contains: []string{`"name":"laptop"`, `"last_used_at"`}, Lacks: []string{`"key"`}},
		{Name: "revoke", Role: "sales", Method: "DELETE", Path: "/api/v1/apikeys/{{salesKey}}", Status: 204},
	})
}

func TestOperationsEndpoints(t *testing.T) {
	e := New(t)
	e.Do("admin", "GET", "/api/v1/contacts", "", nil)
	for _, c := range []struct {
		path, want string
	}{
		{"/healthz", `"status":"ok"`},
		{"/readyz", `"status":"ready"`},
		{"/metrics", `rapport_http_requests_total{method="GET",route="GET /api/v1/{object}",status="200"} 1`},
		{"/metrics", `rapport_jobs{state="available"}`},
		{"/metrics", `rapport_db_connections_open{pool="writer"}`},
	} {
		r := e.Do("", "GET", c.path, "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("GET %s: %d, want 200 with %s; got %.400s", c.path, r.Status, c.want, r.Body)
		}
	}
	r := e.Do("admin", "GET", "/api/v1/contacts", "", map[string]string{"X-Request-Id": "client-chosen-id-1"})
	if r.Header.Get("X-Request-Id") != "client-chosen-id-1" {
		t.Errorf("request id not echoed: %q", r.Header.Get("X-Request-Id"))
	}
	r = e.Do("", "GET", "/api/v1/contacts", "", nil)
	if id := r.Header.Get("X-Request-Id"); id == "" || !strings.Contains(string(r.Body), id) {
		t.Errorf("problem lacks the request id %q: %s", id, r.Body)
	}
}
