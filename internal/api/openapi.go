package api

import (
	"net/http"
	"slices"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/dedupe"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/reports"
	"github.com/rapport-crm/rapport/internal/schema"
)

type obj = map[string]any

// openAPI serves the OpenAPI 3.1 document. With credentials it describes
// the caller's workspace, custom objects and fields included; without, the
// built-in objects.
func (d *Deps) openAPI(w http.ResponseWriter, r *http.Request) error {
	s := schema.Default()
	var p *access.Principal
	if id, err := d.identify(r); err == nil {
		ws, err := d.Schemas.Get(r.Context(), id.WorkspaceID)
		if err != nil {
			return err
		}
		s, p = ws, &id.Principal
	}
	writeJSON(w, http.StatusOK, OpenAPI(s, p, d.Version))
	return nil
}

// fieldSchema is the JSON Schema of one field's value.
func fieldSchema(f *schema.Field) obj {
	var out obj
	switch f.Kind {
	case schema.Integer:
		out = obj{"type": "integer", "format": "int64"}
	case schema.Number:
		out = obj{"type": "number"}
	case schema.Money:
		out = obj{"type": "string", "pattern": `^-?[0-9]+\.[0-9]{2,4}$`, "description": "decimal amount"}
	case schema.Bool:
		out = obj{"type": "boolean"}
	case schema.Date:
		out = obj{"type": "string", "format": "date"}
	case schema.DateTime:
		out = obj{"type": "string", "format": "date-time"}
	case schema.Email:
		out = obj{"type": "string", "format": "email"}
	case schema.URL:
		out = obj{"type": "string", "format": "uri"}
	case schema.Select:
		out = obj{"type": "string", "enum": f.Options}
	case schema.MultiSelect:
		out = obj{"type": "array", "items": obj{"type": "string", "enum": f.Options}}
	case schema.Tags:
		out = obj{"type": "array", "items": obj{"type": "string"}}
	case schema.Address:
		props := obj{}
		for _, k := range []string{"street", "city", "postal_code", "region", "country"} {
			props[k] = obj{"type": "string"}
		}
		out = obj{"type": "object", "properties": props, "additionalProperties": false}
	case schema.Consent:
		out = obj{"type": "object", "additionalProperties": false, "properties": obj{
			"email_marketing": obj{"type": "string", "enum": schema.ConsentValues},
			"sms_marketing":   obj{"type": "string", "enum": schema.ConsentValues},
			"phone_marketing": obj{"type": "string", "enum": schema.ConsentValues},
			"at":              obj{"type": "string", "format": "date-time"}, "source": obj{"type": "string"}}}
	case schema.Refs:
		out = obj{"type": "array", "maxItems": schema.MaxRefs, "description": "the records this is about", "items": obj{
			"type": "object", "required": []string{"object", "id"}, "additionalProperties": false,
			"properties": obj{"object": obj{"type": "string"}, "id": obj{"type": "string"}}}}
	case schema.Relations:
		out = obj{"type": "array", "maxItems": schema.MaxRelations, "items": obj{"type": "string"}}
	case schema.Ref:
		out = obj{"type": "object", "description": "the record this is about", "required": []string{"object", "id"}, "additionalProperties": false,
			"properties": obj{"object": obj{"type": "string"}, "id": obj{"type": "string"}}}
	case schema.Stages:
		out = obj{"type": "array", "minItems": 1, "maxItems": schema.MaxStages, "description": "ordered stages; an id is made from the name when left out", "items": obj{
			"type": "object", "required": []string{"name", "probability"}, "additionalProperties": false,
			"properties": obj{"id": obj{"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,47}$"}, "name": obj{"type": "string"},
				"probability": obj{"type": "integer", "minimum": 0, "maximum": 100}, "kind": obj{"type": "string", "enum": schema.StageKinds}}}}
	case schema.LineItems:
		dec := obj{"type": "string", "description": "decimal"}
		out = obj{"type": "array", "maxItems": schema.MaxLineItems, "description": "a product's price and tax rate are a line's defaults; amount (after the discount, before tax), discount and tax are worked out", "items": obj{
			"type": "object", "properties": obj{"product_id": obj{"type": "string"}, "name": obj{"type": "string"}, "description": obj{"type": "string"},
				"quantity": dec, "unit_price": dec, "discount_percent": dec, "tax_percent": dec,
				"amount": obj{"type": "string", "readOnly": true}, "discount": obj{"type": "string", "readOnly": true}, "tax": obj{"type": "string", "readOnly": true}}}}
	case schema.Prices:
		out = obj{"type": "object", "description": "price per ISO 4217 currency", "additionalProperties": obj{"type": "string", "description": "decimal"}}
	default:
		out = obj{"type": "string"}
	}
	if f.Kind == schema.Relations {
		out["description"] = "ids of " + f.Target + " records"
	} else if f.Target != "" {
		out["description"] = "id of a " + f.Target + " record"
	}
	if f.ReadOnly {
		out["readOnly"] = true
	}
	if !f.Required {
		out["type"] = []any{out["type"], "null"}
	}
	out["title"] = f.Label
	return out
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func jsonBody(schemaRef obj) obj {
	return obj{"required": true, "content": obj{"application/json": obj{"schema": schemaRef}}}
}

func jsonResponse(desc string, schemaRef obj) obj {
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": schemaRef}}}
}

var problemResponse = obj{"description": "Problem details (RFC 9457)", "content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}

// OpenAPI builds the document for a schema (p, when not nil, limits it to
// the objects the principal may read).
func OpenAPI(s *schema.Schema, p *access.Principal, version string) obj {
	schemas := obj{
		"Problem": obj{"type": "object", "properties": obj{
			"type": obj{"type": "string"}, "title": obj{"type": "string"}, "status": obj{"type": "integer"}, "detail": obj{"type": "string"},
			"errors": obj{"type": "array", "items": obj{"type": "object", "properties": obj{"field": obj{"type": "string"}, "message": obj{"type": "string"}}}},
		}},
		"TimelineItem": obj{"type": "object", "properties": obj{
			"id": obj{"type": "string"}, "at": obj{"type": "string", "format": "date-time"}, "kind": obj{"type": "string"},
			"actor_id": obj{"type": []any{"string", "null"}}, "object": obj{"type": "string"}, "record_id": obj{"type": "string"},
			"summary": obj{"type": "string"}, "data": obj{"type": "object"}}},
		"SearchHit": obj{"type": "object", "properties": obj{"object": obj{"type": "string"}, "id": obj{"type": "string"}, "title": obj{"type": "string"}, "subtitle": obj{"type": "string"}}},
	}
	paths := obj{
		"/api/v1/schema": obj{
			"get":  obj{"summary": "Every object and its fields", "operationId": "getSchema", "responses": obj{"200": obj{"description": "The schema"}, "default": problemResponse}},
			"post": obj{"summary": "Create a custom object", "operationId": "createObject", "requestBody": jsonBody(obj{"type": "object"}), "responses": obj{"201": obj{"description": "Created"}, "default": problemResponse}},
		},
		"/api/v1/schema/{object}/fields": obj{
			"post": obj{"summary": "Add a custom field", "operationId": "addField", "parameters": []any{pathParam("object")},
				"requestBody": jsonBody(obj{"type": "object", "properties": obj{"name": obj{"type": "string"}, "label": obj{"type": "string"},
					"kind": obj{"type": "string", "enum": schema.CustomKinds}, "options": obj{"type": "array", "items": obj{"type": "string"}},
					"required": obj{"type": "boolean"}, "unique": obj{"type": "boolean"}, "indexed": obj{"type": "boolean"}, "target": obj{"type": "string"}}}),
				"responses": obj{"201": obj{"description": "Created"}, "default": problemResponse}},
		},
		"/api/v1/search": obj{"get": obj{"summary": "Search across objects", "operationId": "search",
			"parameters": []any{queryParam("q", "string", true), queryParam("page_size", "integer", false)},
			"responses":  obj{"200": jsonResponse("Matches", obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": ref("SearchHit")}}}), "default": problemResponse}}},
		"/api/v1/reports/query": obj{"post": obj{"summary": "Measures of an object's records in groups: group-by columns first, then the measures in the order asked (money as decimal strings, per currency)",
			"operationId": "queryReport", "tags": []string{"Reports"},
			"requestBody": jsonBody(obj{"type": "object", "required": []string{"object"}, "additionalProperties": false, "properties": obj{
				"object": obj{"type": "string"}, "filter": obj{"type": "string", "description": "AIP-160"},
				"group_by": obj{"type": "array", "maxItems": records.MaxGroupBy, "items": obj{"type": "string"},
					"description": "field, field:day|week|month|quarter|year (dates, in the workspace's zone), or relation.field"},
				"measures": obj{"type": "array", "items": obj{"type": "object", "required": []string{"fn"}, "properties": obj{
					"fn":     obj{"type": "string", "enum": []string{"count", "count_distinct", "sum", "avg", "min", "max", "percent"}},
					"field":  obj{"type": "string", "description": "a field, or to-from for the seconds between two datetimes"},
					"filter": obj{"type": "string", "description": "percent: the share of the group's records this AIP-160 filter matches"}}}},
				"order_by": obj{"type": "string", "description": "columns of the result, e.g. \"sum(amount) desc\""},
				"limit":    obj{"type": "integer", "maximum": records.MaxGroups},
				"period": obj{"type": "object", "required": []string{"field"}, "properties": obj{"field": obj{"type": "string"},
					"range": obj{"type": "string", "enum": reports.Ranges}, "from": obj{"type": "string", "format": "date"}, "to": obj{"type": "string", "format": "date"}}},
				"compare": obj{"type": "boolean", "description": "also the period before"},
				"fresh":   obj{"type": "boolean", "description": "work the answer out now rather than serve a kept one (as_of)"}}}),
			"responses": obj{"200": jsonResponse("The groups", obj{"type": "object", "properties": obj{
				"columns": obj{"type": "array", "items": obj{"type": "string"}}, "rows": obj{"type": "array", "items": obj{"type": "array"}},
				"currency": obj{"type": "string"}, "truncated": obj{"type": "boolean"}, "labels": obj{"type": "object"},
				"period": obj{"type": "object"}, "previous": obj{"type": "object"},
				"as_of": obj{"type": "string", "format": "date-time", "description": "when a kept answer was worked out"}}}), "default": problemResponse}}},
		"/api/v1/users": obj{"get": obj{"summary": "List users", "operationId": "listUsers", "responses": obj{"200": obj{"description": "Users"}, "default": problemResponse}},
			"post": obj{"summary": "Create a user (admins)", "operationId": "createUser", "requestBody": jsonBody(obj{"type": "object"}), "responses": obj{"201": obj{"description": "Created"}, "default": problemResponse}}},
		"/api/v1/apikeys": obj{"get": obj{"summary": "List API keys", "operationId": "listAPIKeys", "responses": obj{"200": obj{"description": "Keys"}, "default": problemResponse}},
			"post": obj{"summary": "Create an API key (shown once)", "operationId": "createAPIKey", "requestBody": jsonBody(obj{"type": "object"}), "responses": obj{"201": obj{"description": "Created"}, "default": problemResponse}}},
		"/api/v1/webhooks/{id}/deliveries": obj{"get": obj{"summary": "A webhook's delivery log", "operationId": "listWebhookDeliveries", "parameters": []any{pathParam("id")},
			"responses": obj{"200": obj{"description": "Deliveries"}, "default": problemResponse}}},
		"/api/v1/imports": obj{"get": obj{"summary": "Imports, newest first (uploads and command-line runs)", "operationId": "listImports",
			"parameters": []any{queryParam("page_size", "integer", false), queryParam("page_token", "string", false)},
			"responses": obj{"200": jsonResponse("Imports", obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": ref("Import")},
				"next_page_token": obj{"type": "string"}}}), "default": problemResponse}},
			"post": obj{"summary": "Import a CSV file (any object) or vCards (contacts) as a background job", "operationId": "createImport",
				"requestBody": obj{"required": true, "content": obj{"multipart/form-data": obj{"schema": obj{"type": "object", "required": []string{"file", "object"}, "properties": obj{
					"file": obj{"type": "string", "format": "binary"}, "object": obj{"type": "string"}, "mapping": obj{"type": "string", "description": `JSON: {"CSV column": "field"}; "company_id:name" links a company by name`},
					"dedupe": obj{"type": "string", "enum": []string{"email", "phone", "none"}}, "on_duplicate": obj{"type": "string", "enum": []string{"update", "skip", "create"}},
					"dry_run": obj{"type": "string", "enum": []string{"true", "false"}, "description": "true: count what the import would do (200), store and write nothing"}}}}}},
				"responses": obj{"202": jsonResponse("Queued", ref("Import")), "200": jsonResponse("A dry run's counts", ref("ImportDryRun")), "default": problemResponse}}},
		"/api/v1/imports/{id}": obj{"get": obj{"summary": "An import's state and counts", "operationId": "getImport", "parameters": []any{pathParam("id")},
			"responses": obj{"200": jsonResponse("The import", ref("Import")), "default": problemResponse}}},
		"/api/v1/imports/{id}/errors.csv": obj{"get": obj{"summary": "An import's failed rows: line, reason, the row", "operationId": "getImportErrors", "parameters": []any{pathParam("id")},
			"responses": obj{"200": obj{"description": "CSV", "content": obj{"text/csv": obj{"schema": obj{"type": "string"}}}}, "default": problemResponse}}},
		"/api/v1/imports/{id}/undo": obj{"post": obj{"summary": "Take a finished import back", "operationId": "undoImport", "parameters": []any{pathParam("id")},
			"responses": obj{"200": jsonResponse("The import, undone", ref("Import")), "default": problemResponse}}},
		"/api/v1/workspace": obj{
			"get": obj{"summary": "The caller's workspace: name, default currency, time zone", "operationId": "getWorkspace",
				"responses": obj{"200": jsonResponse("The workspace", ref("Workspace")), "default": problemResponse}},
			"patch": obj{"summary": "Change the workspace's name, default currency (ISO 4217; new deals take it) or time zone (IANA) (admins)", "operationId": "patchWorkspace",
				"requestBody": jsonBody(obj{"type": "object", "properties": obj{"name": obj{"type": "string"}, "default_currency": obj{"type": "string"}, "time_zone": obj{"type": "string"},
					"mail_creates_contacts": obj{"type": "boolean", "description": "make contacts of unknown people who write in"}}}),
				"responses": obj{"200": jsonResponse("The workspace", ref("Workspace")), "default": problemResponse}}},
		"/api/v1/notifications": obj{"get": obj{"summary": "The caller's newest notifications (task reminders), and how many are unread", "operationId": "listNotifications",
			"parameters": []any{queryParam("unread", "boolean", false)},
			"responses": obj{"200": jsonResponse("Notifications", obj{"type": "object", "properties": obj{"unread": obj{"type": "integer"}, "data": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
				"id": obj{"type": "string"}, "kind": obj{"type": "string"}, "title": obj{"type": "string"}, "body": obj{"type": "string"}, "link": obj{"type": "string"},
				"created_at": obj{"type": "string", "format": "date-time"}, "read_at": obj{"type": []any{"string", "null"}, "format": "date-time"}}}}}}), "default": problemResponse}}},
		"/api/v1/notifications/read": obj{"post": obj{"summary": "Mark the caller's notifications read: those named, or all", "operationId": "readNotifications",
			"requestBody": jsonBody(obj{"type": "object", "properties": obj{"ids": obj{"type": "array", "items": obj{"type": "string"}}}}),
			"responses":   obj{"204": obj{"description": "Read"}, "default": problemResponse}}},
		"/api/v1/mail-accounts": obj{
			"get": obj{"summary": "The mail accounts the caller may see: the workspace's and their own (all, for admins)", "operationId": "listMailAccounts",
				"responses": obj{"200": jsonResponse("Accounts", obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": ref("MailAccount")}}}), "default": problemResponse}},
			"post": obj{"summary": "Add a mail account: the workspace's (admins) or, with personal: true, the caller's own", "operationId": "createMailAccount",
				"requestBody": jsonBody(ref("MailAccountInput")), "responses": obj{"201": jsonResponse("Created", ref("MailAccount")), "default": problemResponse}}},
		"/api/v1/mail-accounts/{id}": obj{
			"parameters": []any{pathParam("id")},
			"get":        obj{"summary": "A mail account (passwords are never shown)", "operationId": "getMailAccount", "responses": obj{"200": jsonResponse("The account", ref("MailAccount")), "default": problemResponse}},
			"patch": obj{"summary": "Change a mail account: the fields given replace those there are; a password given replaces the one kept", "operationId": "patchMailAccount",
				"requestBody": jsonBody(ref("MailAccountInput")), "responses": obj{"200": jsonResponse("The account", ref("MailAccount")), "default": problemResponse}},
			"delete": obj{"summary": "Remove a mail account; the mail it sent and read stays", "operationId": "deleteMailAccount",
				"responses": obj{"204": obj{"description": "Removed"}, "default": problemResponse}}},
		"/api/v1/mail-accounts/{id}/test": obj{"post": obj{"summary": "Test a mail account as a job: a message through its SMTP server to the caller, a login to its IMAP folder; the account shows tested_at and test_error",
			"operationId": "testMailAccount", "parameters": []any{pathParam("id")},
			"responses": obj{"202": obj{"description": "Testing"}, "default": problemResponse}}},
		"/api/v1/me/calendar": obj{
			"post": obj{"summary": "A new secret URL of the caller's calendar feed (tasks and meetings, iCalendar); the one before stops working", "operationId": "newCalendarFeed",
				"responses": obj{"201": jsonResponse("The feed", obj{"type": "object", "properties": obj{"url": obj{"type": "string"}}}), "default": problemResponse}},
			"delete": obj{"summary": "Turn the caller's calendar feed off", "operationId": "removeCalendarFeed",
				"responses": obj{"204": obj{"description": "Off"}, "default": problemResponse}}},
	}
	schemas["Workspace"] = obj{"type": "object", "properties": obj{"id": obj{"type": "string"}, "name": obj{"type": "string"},
		"default_currency": obj{"type": "string"}, "time_zone": obj{"type": "string"}, "has_logo": obj{"type": "boolean"}, "mail_creates_contacts": obj{"type": "boolean"}}}
	server := obj{"type": "object", "properties": obj{"host": obj{"type": "string"}, "port": obj{"type": "integer"}, "security": obj{"type": "string", "enum": []string{"tls", "starttls", "none"}},
		"username": obj{"type": "string"}, "password": obj{"type": "string", "writeOnly": true}, "has_password": obj{"type": "boolean", "readOnly": true},
		"folder": obj{"type": "string", "description": "IMAP: the folder read (INBOX)"}}}
	schemas["MailAccount"] = obj{"type": "object", "properties": obj{"id": obj{"type": "string"}, "user_id": obj{"type": "string", "description": "the owner of a personal account; absent: the workspace's"},
		"name": obj{"type": "string"}, "address": obj{"type": "string", "format": "email"}, "smtp": server, "imap": server,
		"private":    obj{"type": "boolean", "description": "mail read from the mailbox keeps who wrote to whom and when, not what"},
		"per_minute": obj{"type": "integer", "description": "at most this many messages a minute go out through it"},
		"tested_at":  obj{"type": []any{"string", "null"}, "format": "date-time"}, "test_error": obj{"type": "string"},
		"imap_polled_at": obj{"type": []any{"string", "null"}, "format": "date-time"}, "imap_error": obj{"type": "string"},
		"created_at": obj{"type": "string", "format": "date-time"}, "updated_at": obj{"type": "string", "format": "date-time"}}}
	schemas["MailAccountInput"] = obj{"type": "object", "additionalProperties": false, "properties": obj{"personal": obj{"type": "boolean"}, "name": obj{"type": "string"},
		"address": obj{"type": "string", "format": "email"}, "smtp": server, "imap": server, "private": obj{"type": "boolean"}, "per_minute": obj{"type": "integer", "minimum": 1}}}
	schemas["Import"] = obj{"type": "object", "properties": obj{"id": obj{"type": "string"}, "object": obj{"type": "string"}, "filename": obj{"type": "string"},
		"status": obj{"type": "string", "enum": []string{"draft", "queued", "running", "done", "failed", "undone"}}, "rows_total": obj{"type": "integer"}, "rows_done": obj{"type": "integer"},
		"created": obj{"type": "integer"}, "updated": obj{"type": "integer"}, "skipped": obj{"type": "integer"}, "failed": obj{"type": "integer"},
		"message": obj{"type": "string"}, "mapping": obj{"type": "object"}, "source": obj{"type": "string", "enum": []string{"upload", "command line"}},
		"created_at": obj{"type": "string", "format": "date-time"}, "updated_at": obj{"type": "string", "format": "date-time"}}}
	schemas["ImportDryRun"] = obj{"type": "object", "properties": obj{"rows": obj{"type": "integer"}, "created": obj{"type": "integer"}, "updated": obj{"type": "integer"},
		"skipped": obj{"type": "integer"}, "failed": obj{"type": "integer"}, "companies_created": obj{"type": "integer"},
		"errors": obj{"type": "array", "description": "the first 20 failed rows", "items": obj{"type": "object", "properties": obj{"line": obj{"type": "integer"}, "reason": obj{"type": "string"}}}}}}
	for _, o := range s.Objects() {
		if p != nil && access.CanRead(*p, o.Name) != nil {
			continue
		}
		name := schemaName(o)
		props, input := obj{}, obj{}
		var required []string
		for _, f := range o.Fields {
			props[f.Name] = fieldSchema(f)
			if !f.ReadOnly {
				input[f.Name] = fieldSchema(f)
				if f.Required {
					required = append(required, f.Name)
				}
			}
		}
		if o.Name == "emails" {
			input["attachments"] = obj{"type": "array", "maxItems": 20, "items": obj{"type": "object", "required": []string{"name", "content_base64"}, "additionalProperties": false,
				"properties": obj{"name": obj{"type": "string"}, "content_type": obj{"type": "string"}, "content_base64": obj{"type": "string", "format": "byte"}}}}
		}
		schemas[name] = obj{"type": "object", "title": o.Label, "properties": props}
		in := obj{"type": "object", "properties": input, "additionalProperties": false}
		if len(required) > 0 {
			in["required"] = required
		}
		schemas[name+"Input"] = in
		list := obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": ref(name)}, "next_page_token": obj{"type": "string"}, "total": obj{"type": "integer"}}}
		base := "/api/v1/" + o.Name
		paths[base] = obj{
			"get": obj{"summary": "List " + o.Label, "operationId": "list_" + o.Name, "tags": []string{o.Label},
				"parameters": []any{queryParam("filter", "string", false), queryParam("order_by", "string", false), queryParam("page_size", "integer", false),
					queryParam("page_token", "string", false), queryParam("q", "string", false), queryParam("count", "boolean", false), queryParam("trashed", "boolean", false)},
				"responses": obj{"200": jsonResponse("A page of records", list), "default": problemResponse}},
			"post": obj{"summary": "Create a " + o.Singular, "operationId": "create_" + o.Name, "tags": []string{o.Label}, "requestBody": jsonBody(ref(name + "Input")),
				"responses": obj{"201": jsonResponse("Created", ref(name)), "default": problemResponse}},
		}
		if o.Name == "emails" { // written, then sent by a job
			paths[base+"/{id}/attachments"] = obj{"get": obj{"summary": "An email's attachments (sent or received)", "operationId": "listEmailAttachments", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "responses": obj{"200": jsonResponse("Attachments", obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": obj{"type": "object",
					"properties": obj{"id": obj{"type": "string"}, "name": obj{"type": "string"}, "content_type": obj{"type": "string"}, "size": obj{"type": "integer"}, "content_id": obj{"type": "string"}}}}}}),
					"default": problemResponse}}}
			paths[base+"/{id}/attachments/{file}"] = obj{"get": obj{"summary": "Download one of an email's attachments", "operationId": "getEmailAttachment", "tags": []string{o.Label},
				"parameters": []any{pathParam("id"), pathParam("file")}, "responses": obj{"200": obj{"description": "The file, as a download"}, "default": problemResponse}}}
			paths[base].(obj)["post"] = obj{"summary": "Write an email and queue it for sending (to, cc, subject, body_html, related, in_reply_to; attachments: [{name, content_type, content_base64}], at most 20 files, 10 MiB each, 25 MiB in all); GET it for its delivery status",
				"operationId": "create_" + o.Name, "tags": []string{o.Label}, "requestBody": jsonBody(ref(name + "Input")),
				"responses": obj{"202": jsonResponse("Queued", ref(name)), "default": problemResponse}}
		}
		paths[base+"/{id}"] = obj{
			"parameters": []any{pathParam("id")},
			"get":        obj{"summary": "Read a " + o.Singular, "operationId": "get_" + o.Name, "tags": []string{o.Label}, "responses": obj{"200": jsonResponse("The record", ref(name)), "default": problemResponse}},
			"patch": obj{"summary": "Update a " + o.Singular + " (JSON merge patch)", "operationId": "update_" + o.Name, "tags": []string{o.Label},
				"parameters":  []any{obj{"name": "If-Match", "in": "header", "schema": obj{"type": "string"}, "description": "the version you read; 412 when stale"}},
				"requestBody": jsonBody(obj{"type": "object", "properties": input, "additionalProperties": false}),
				"responses":   obj{"200": jsonResponse("The record after the change", ref(name)), "default": problemResponse}},
			"delete": obj{"summary": "Move a " + o.Singular + " to the trash", "operationId": "trash_" + o.Name, "tags": []string{o.Label}, "responses": obj{"204": obj{"description": "Trashed"}, "default": problemResponse}},
		}
		paths[base+"/{id}/restore"] = obj{"post": obj{"summary": "Restore a " + o.Singular + " from the trash", "operationId": "restore_" + o.Name, "tags": []string{o.Label},
			"parameters": []any{pathParam("id")}, "responses": obj{"200": jsonResponse("Restored", ref(name)), "default": problemResponse}}}
		paths[base+"/{id}/timeline"] = obj{"get": obj{"summary": "A " + o.Singular + "'s timeline, newest first", "operationId": "timeline_" + o.Name, "tags": []string{o.Label},
			"parameters": []any{pathParam("id"), queryParam("page_size", "integer", false), queryParam("page_token", "string", false)},
			"responses": obj{"200": jsonResponse("Timeline items", obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": ref("TimelineItem")},
				"next_page_token": obj{"type": "string"}}}), "default": problemResponse}}}
		formats := []string{"csv", "json"}
		if o.Name == "contacts" {
			formats = append(formats, "vcf")
		}
		paths[base+"/export"] = obj{"get": obj{"summary": "Every " + o.Singular + " a filter matches, streamed", "operationId": "export_" + o.Name, "tags": []string{o.Label},
			"parameters": []any{obj{"name": "format", "in": "query", "schema": obj{"type": "string", "enum": formats}}, queryParam("filter", "string", false), queryParam("q", "string", false), queryParam("order_by", "string", false)},
			"responses":  obj{"200": obj{"description": "CSV, JSON lines or vCard 3.0"}, "default": problemResponse}}}
		if o.Name == "contacts" || o.Name == "companies" {
			paths[base+"/{id}/duplicates"] = obj{"get": obj{"summary": "Likely duplicates of a " + o.Singular + ", with the reasons", "operationId": "duplicates_" + o.Name, "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "responses": obj{"200": obj{"description": "Candidates"}, "default": problemResponse}}}
		}
		if slices.Contains(dedupe.Mergeable, o.Name) {
			paths[base+"/{id}/merge"] = obj{"post": obj{"summary": "Merge duplicates into this " + o.Singular, "operationId": "merge_" + o.Name, "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "requestBody": jsonBody(obj{"type": "object", "required": []string{"duplicate_ids"}, "properties": obj{
					"duplicate_ids": obj{"type": "array", "items": obj{"type": "string"}}, "take": obj{"type": "object", "description": "field: the duplicate whose value wins"}}}),
				"responses": obj{"200": jsonResponse("The merged record", ref(name)), "default": problemResponse}}}
			paths[base+"/{id}/unmerge"] = obj{"post": obj{"summary": "Take back the latest merge into this " + o.Singular, "operationId": "unmerge_" + o.Name, "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "responses": obj{"200": jsonResponse("The record", ref(name)), "default": problemResponse}}}
		}
		if o.Name == "reports" {
			paths[base+"/{id}/result"] = obj{"get": obj{"summary": "The saved report's answer (over another named period with range)", "operationId": "reportResult", "tags": []string{o.Label},
				"parameters": []any{pathParam("id"), obj{"name": "range", "in": "query", "schema": obj{"type": "string", "enum": reports.Ranges}}, queryParam("fresh", "boolean", false)},
				"responses":  obj{"200": jsonResponse("The query and its result", obj{"type": "object"}), "default": problemResponse}}}
			paths[base+"/{id}/export"] = obj{"get": obj{"summary": "The saved report as CSV, or its chart as SVG or PNG, in the language Accept-Language asks for", "operationId": "exportReport", "tags": []string{o.Label},
				"parameters": []any{pathParam("id"), obj{"name": "format", "in": "query", "schema": obj{"type": "string", "enum": []string{"csv", "svg", "png"}}},
					obj{"name": "range", "in": "query", "schema": obj{"type": "string", "enum": reports.Ranges}}, queryParam("fresh", "boolean", false)},
				"responses": obj{"200": obj{"description": "CSV, SVG or PNG"}, "default": problemResponse}}}
		}
		if o.Name == "dashboards" {
			paths[base+"/{id}"].(obj)["get"] = obj{"summary": "A dashboard by id or address (sales, marketing, service): its fields, and a card per report with the report's answer over the dashboard's period (or its error)",
				"operationId": "dashboard", "tags": []string{o.Label},
				"parameters": []any{pathParam("id"), obj{"name": "range", "in": "query", "schema": obj{"type": "string", "enum": reports.Ranges}}, queryParam("owner_id", "string", false), queryParam("fresh", "boolean", false)},
				"responses":  obj{"200": jsonResponse("The dashboard and its cards", obj{"type": "object"}), "default": problemResponse}}
		}
		if o.Name == "pipelines" {
			money := obj{"type": "string", "description": "decimal amount"}
			paths[base+"/{id}/forecast"] = obj{"get": obj{"summary": "The pipeline's open deals by close month or owner: amount, weighted (amount × stage probability) and committed (stages of 80 % or more)",
				"operationId": "forecast", "tags": []string{o.Label},
				"parameters": []any{pathParam("id"), queryParam("from", "string", false), queryParam("to", "string", false),
					obj{"name": "group_by", "in": "query", "schema": obj{"type": "string", "enum": []string{"month", "owner"}}}},
				"responses": obj{"200": jsonResponse("Forecast rows, one per month or owner and currency", obj{"type": "object", "properties": obj{
					"from": obj{"type": "string"}, "to": obj{"type": "string"}, "group_by": obj{"type": "string"},
					"data": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
						"period": obj{"type": []any{"string", "null"}}, "owner_id": obj{"type": []any{"string", "null"}}, "currency": obj{"type": "string"},
						"count": obj{"type": "integer"}, "amount": money, "weighted": money, "committed": money}}}}}), "default": problemResponse}}}
		}
		if o.Name == "deals" {
			money := obj{"type": "string", "description": "decimal amount"}
			paths[base+"/stats"] = obj{"get": obj{"summary": "Deals closed (entered a won or lost stage) over a span of months, by owner or pipeline: won, lost, win rate, average sales cycle and won amounts per currency",
				"operationId": "dealStats", "tags": []string{o.Label},
				"parameters": []any{queryParam("from", "string", false), queryParam("to", "string", false), queryParam("pipeline_id", "string", false),
					obj{"name": "group_by", "in": "query", "schema": obj{"type": "string", "enum": []string{"owner", "pipeline"}}}},
				"responses": obj{"200": jsonResponse("One row per owner or pipeline", obj{"type": "object", "properties": obj{
					"from": obj{"type": "string"}, "to": obj{"type": "string"}, "group_by": obj{"type": "string"},
					"data": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
						"owner_id": obj{"type": []any{"string", "null"}}, "pipeline_id": obj{"type": []any{"string", "null"}},
						"won": obj{"type": "integer"}, "lost": obj{"type": "integer"},
						"win_rate":   obj{"type": []any{"number", "null"}, "description": "percent of closed deals won"},
						"cycle_days": obj{"type": []any{"number", "null"}, "description": "average days from creation to won"},
						"won_amounts": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
							"currency": obj{"type": "string"}, "count": obj{"type": "integer"}, "total": money, "average": money}}}}}}}}),
					"default": problemResponse}}}
		}
		if o.Name == "tasks" {
			list := obj{"type": "array", "items": ref(name)}
			paths[base+"/mine"] = obj{"get": obj{"summary": "The caller's open tasks: overdue, due today (the workspace's day), upcoming", "operationId": "myTasks", "tags": []string{o.Label},
				"responses": obj{"200": jsonResponse("Open tasks", obj{"type": "object", "properties": obj{"overdue": list, "today": list, "upcoming": list}}), "default": problemResponse}}}
		}
		if o.Name == "quotes" {
			paths[base+"/{id}/pdf"] = obj{"get": obj{"summary": "The quote as a PDF, in the language Accept-Language asks for", "operationId": "quotePDF", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "responses": obj{"200": obj{"description": "application/pdf"}, "default": problemResponse}}}
			paths[base+"/{id}/send"] = obj{"post": obj{"summary": "Mark the quote sent and write an email with its PDF attached (sent by a job) to its contact or to the addresses given", "operationId": "sendQuote", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "requestBody": jsonBody(obj{"type": "object", "properties": obj{
					"to": obj{"type": "array", "items": obj{"type": "string"}}, "cc": obj{"type": "array", "items": obj{"type": "string"}},
					"subject": obj{"type": "string"}, "message": obj{"type": "string"}}}),
				"responses": obj{"202": jsonResponse("Queued", obj{"type": "object", "properties": obj{"id": obj{"type": "string"}, "status": obj{"type": "string"},
					"email_id": obj{"type": "string", "description": "the email that carries the PDF (GET /api/v1/emails/{id} for its delivery)"},
					"to":       obj{"type": "array", "items": obj{"type": "string"}}, "quote": ref(name)}}), "default": problemResponse}}}
			paths[base+"/{id}/revise"] = obj{"post": obj{"summary": "A new version of a sent quote: a draft with the same number and the next revision", "operationId": "reviseQuote", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "responses": obj{"201": jsonResponse("The new version", ref(name)), "default": problemResponse}}}
			paths[base+"/{id}/accept"] = obj{"post": obj{"summary": "Mark the quote accepted; unless win_deal is false, its open deal moves to won", "operationId": "acceptQuote", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "requestBody": jsonBody(obj{"type": "object", "properties": obj{"win_deal": obj{"type": "boolean"}}}),
				"responses": obj{"200": jsonResponse("The quote", ref(name)), "default": problemResponse}}}
		}
		if o.Name == "tickets" {
			message := obj{"type": "object", "properties": obj{"id": obj{"type": "string"}, "ticket_id": obj{"type": "string"},
				"author_user_id": obj{"type": "string"}, "author_contact_id": obj{"type": "string"}, "internal": obj{"type": "boolean"},
				"body": obj{"type": "string"}, "email_id": obj{"type": "string", "description": "the email that carried it"}, "created_at": obj{"type": "string", "format": "date-time"}}}
			paths[base+"/{id}/messages"] = obj{
				"get": obj{"summary": "The ticket's conversation, oldest first: the requester's messages, public replies and internal notes", "operationId": "ticketMessages", "tags": []string{o.Label},
					"parameters": []any{pathParam("id")}, "responses": obj{"200": jsonResponse("Messages", obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": message}}}), "default": problemResponse}},
				"post": obj{"summary": "Answer the ticket: a public reply (mailed to the requester, threaded) or an internal note (never sent); 409 when others' messages came in after seen_message_id", "operationId": "answerTicket", "tags": []string{o.Label},
					"parameters": []any{pathParam("id")}, "requestBody": jsonBody(obj{"type": "object", "properties": obj{
						"body": obj{"type": "string"}, "internal": obj{"type": "boolean"}, "status": obj{"type": "string", "description": "the ticket's status after it"},
						"template_id":     obj{"type": "string", "description": "a canned response: the template filled for the requester, when body is empty"},
						"seen_message_id": obj{"type": "string", "description": "the last message the agent saw"},
						"attachments":     obj{"type": "array", "description": "files for a public reply: [{name, content_type, content_base64}]", "items": obj{"type": "object"}}}}),
					"responses": obj{"201": jsonResponse("The message", message), "default": problemResponse}}}
			paths[base+"/{id}/viewers"] = obj{"post": obj{"summary": "Say the caller has the ticket open (and is replying); returns the other agents who have it open (the collision notice); call every 20 s", "operationId": "ticketViewers", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "requestBody": jsonBody(obj{"type": "object", "properties": obj{"replying": obj{"type": "boolean"}}}),
				"responses": obj{"200": jsonResponse("Other viewers", obj{"type": "object", "properties": obj{"data": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
					"user_id": obj{"type": "string"}, "name": obj{"type": "string"}, "replying": obj{"type": "boolean"}, "seen_at": obj{"type": "string", "format": "date-time"}}}}}}), "default": problemResponse}}}
		}
		if o.Name == "contacts" {
			paths[base+"/{id}/gdpr-export"] = obj{"get": obj{"summary": "Everything held on the person (data subject access; admins and managers)", "operationId": "gdprExport", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "responses": obj{"200": obj{"description": "The contact, company, activities and history"}, "default": problemResponse}}}
			paths[base+"/{id}/erase"] = obj{"post": obj{"summary": "Erase the person's data (data subject erasure; admins and managers)", "operationId": "erase", "tags": []string{o.Label},
				"parameters": []any{pathParam("id")}, "responses": obj{"204": obj{"description": "Erased"}, "default": problemResponse}}}
		}
	}
	return obj{
		"openapi":  "3.1.0",
		"info":     obj{"title": "Rapport API", "version": version, "description": "The Rapport CRM HTTP API (v1). Errors are RFC 9457 problem details."},
		"servers":  []any{obj{"url": "/"}},
		"security": []any{obj{"bearer": []any{}}},
		"paths":    paths,
		"components": obj{
			"schemas":         schemas,
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "an API key from rapport apikey create"}},
		},
	}
}

func schemaName(o *schema.Object) string {
	b := []byte(o.Singular)
	out := make([]byte, 0, len(b))
	up := true
	for _, c := range b {
		if c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 32
		}
		up = false
		out = append(out, c)
	}
	return string(out)
}

func pathParam(name string) obj {
	return obj{"name": name, "in": "path", "required": true, "schema": obj{"type": "string"}}
}

func queryParam(name, typ string, required bool) obj {
	return obj{"name": name, "in": "query", "required": required, "schema": obj{"type": typ}}
}
