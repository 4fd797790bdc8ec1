package apitest

import "testing"

func TestSchemaAndCustomObjectsAPI(t *testing.T) {
	e := New(t)
	e.Run(t, []Scenario{
		{Name: "schema", Method: "GET", Path: "/api/v1/schema", Status: 200,
			Contains: []string{`"name":"contacts"`, `"singular":"contact"`, `"name":"lifecycle_stage"`, `"kind":"select"`, `"options":["subscriber"`, `"target":"companies"`}},
		{Name: "sales cannot add fields", Role: "sales", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"shoe_size","kind":"integer"}`, Status: 403},
		{Name: "add field", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"shoe_size","label":"Shoe size","kind":"integer","indexed":true}`,
			Status: 201, Contains: []string{`"kind":"integer"`, `"custom":true`}},
		{Name: "add select", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"tier","kind":"select","options":["gold","silver"]}`, Status: 201},
		{Name: "add unique", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"badge","kind":"text","unique":true}`, Status: 201},
		{Name: "add again", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"shoe_size","kind":"integer"}`, Status: 422, Contains: []string{"already has"}},
		{Name: "select without options", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"mood","kind":"select"}`, Status: 422, Contains: []string{`"field":"options"`}},
		{Name: "relation to nothing", Method: "POST", Path: "/api/v1/schema/contacts/fields", Body: `{"name":"pet","kind":"relation","target":"dragons"}`, Status: 422, Contains: []string{`"field":"target"`}},
		{Name: "custom values", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","shoe_size":38,"tier":"gold","badge":"B1"}`,
			Status: 201, Contains: []string{`"shoe_size":38`, `"tier":"gold"`}, Events: 1, Save: "ada"},
		{Name: "custom wrong type", Method: "POST", Path: "/api/v1/contacts", Body: `{"shoe_size":"big","tier":"bronze"}`, Status: 422, Contains: []string{`"field":"shoe_size"`, `"field":"tier"`}},
		{Name: "custom unique", Method: "POST", Path: "/api/v1/contacts", Body: `{"badge":"B1"}`, Status: 409, Contains: []string{`"field":"badge"`}},
		{Name: "custom filter and order", Method: "GET", Path: "/api/v1/contacts?filter=shoe_size%20%3E%2030%20AND%20tier%20%3D%20%22gold%22&order_by=shoe_size%20desc", Status: 200, Contains: []string{"{{ada}}"}},
		{Name: "custom field in schema", Method: "GET", Path: "/api/v1/schema", Status: 200, Contains: []string{`"name":"shoe_size"`, `"label":"Shoe size"`}},
		{Name: "create object", Method: "POST", Path: "/api/v1/schema", Body: `{"name":"projects","label":"Projects","fields":[{"name":"name","kind":"text","required":true},{"name":"budget","kind":"money"},{"name":"client","kind":"relation","target":"companies"},{"name":"lead","kind":"relation","target":"contacts"},{"name":"starts","kind":"date"}]}`,
			Status: 201, Contains: []string{`"name":"projects"`, `"singular":"project"`}},
		{Name: "object exists", Method: "POST", Path: "/api/v1/schema", Body: `{"name":"projects"}`, Status: 422, Contains: []string{"exists"}},
		{Name: "reserved object", Method: "POST", Path: "/api/v1/schema", Body: `{"name":"deals"}`, Status: 422},
		{Name: "create project", Method: "POST", Path: "/api/v1/projects", Body: `{"name":"Apollo","budget":"1500.5","lead":"{{ada}}","starts":"2026-03-01"}`,
			Status: 201, Contains: []string{`"budget":"1500.50"`, `"starts":"2026-03-01"`}, Events: 1, Save: "apollo"},
		{Name: "project required", Method: "POST", Path: "/api/v1/projects", Body: `{"budget":"1"}`, Status: 422, Contains: []string{`"field":"name"`}},
		{Name: "project bad date", Method: "POST", Path: "/api/v1/projects", Body: `{"name":"x","starts":"2026-02-30"}`, Status: 422, Contains: []string{`"field":"starts"`}},
		{Name: "list projects", Method: "GET", Path: "/api/v1/projects?filter=budget%20%3E%201000&q=apol", Status: 200, Contains: []string{"{{apollo}}"}},
		{Name: "project timeline", Method: "GET", Path: "/api/v1/projects/{{apollo}}/timeline", Status: 200, Contains: []string{`"kind":"created"`, `"object":"projects"`}},
		{Name: "search finds projects", Method: "GET", Path: "/api/v1/search?q=apollo", Status: 200, Contains: []string{`"object":"projects"`}},
		{Name: "openapi has the custom object", Method: "GET", Path: "/api/v1/openapi.json", Status: 200,
			Contains: []string{`"openapi":"3.1.0"`, `"/api/v1/projects/{id}"`, `"Project"`, `"shoe_size"`}},
		{Name: "public openapi has the built-ins", Role: "-", Method: "GET", Path: "/api/v1/openapi.json", Status: 200, Contains: []string{`"/api/v1/contacts"`}, Lacks: []string{"projects"}},
	})
}
