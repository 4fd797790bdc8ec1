package apitest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/app"
	"github.com/rapport-crm/rapport/internal/webhooks"
)

type received struct {
	body      []byte
	signature string
	event     string
}

func receiver(t *testing.T, status *int) (*httptest.Server, func() []received) {
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{b, r.Header.Get("X-Rapport-Signature"), r.Header.Get("X-Rapport-Event")})
		code := *status
		mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), got...)
	}
}

func drain(t *testing.T, e *Env) {
	t.Helper()
	for i := 0; i < 100; i++ {
		ran, err := e.Sys.Jobs.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

func TestWebhooksDeliverSignedEvents(t *testing.T) {
	e := New(t)
	e.Sys.Jobs.Backoff = func(int) time.Duration { return 0 }
	status := 200
	srv, got := receiver(t, &status)
	e.Vars["url"] = srv.URL + "/hook"
	e.Run(t, []Scenario{
		{Name: "sales may not subscribe", Role: "sales", Method: "POST", Path: "/api/v1/webhooks", Body: `{"url":"{{url}}","events":["contact.created"]}`, Status: 403},
		{Name: "bad event type", Method: "POST", Path: "/api/v1/webhooks", Body: `{"url":"{{url}}","events":["created"]}`, Status: 422, Contains: []string{`"field":"events"`}},
		{Name: "subscribe", Method: "POST", Path: "/api/v1/webhooks", Body: `{"url":"{{url}}","events":["contact.created","contact.updated"],"secret":"s3cret"}`,
			Status: 201, Events: 1, Save: "hook"},
		{Name: "a company is not subscribed", Method: "POST", Path: "/api/v1/companies", Body: `{"name":"Acme"}`, Status: 201, Events: 1, Jobs: 0},
		{Name: "a contact is", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada"}`, Status: 201, Events: 1, Jobs: 1, Save: "ada"},
		{Name: "an update is", Method: "PATCH", Path: "/api/v1/contacts/{{ada}}", Body: `{"last_name":"Lovelace"}`, Status: 200, Events: 1, Jobs: 1},
		{Name: "a trash is not", Method: "DELETE", Path: "/api/v1/contacts/{{ada}}", Status: 204, Events: 1, Jobs: 0},
	})
	if n := len(got()); n != 0 {
		t.Fatalf("delivered %d inside the requests; deliveries are jobs", n)
	}
	drain(t, e)
	deliveries := got()
	if len(deliveries) != 2 {
		t.Fatalf("delivered %d, want 2", len(deliveries))
	}
	for i, want := range []string{"contact.created", "contact.updated"} {
		d := deliveries[i]
		var body webhooks.Body
		if err := json.Unmarshal(d.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Type != want || d.event != want || body.Object != "contacts" || body.RecordID != e.Vars["ada"] || body.ID == "" {
			t.Errorf("delivery %d: %+v", i, body)
		}
		unix, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(d.signature, ",")[0], "t="), 10, 64)
		if want := webhooks.Sign("s3cret", time.Unix(unix, 0), d.body); d.signature != want {
			t.Errorf("delivery %d: signature %s, want %s", i, d.signature, want)
		}
	}
	if !strings.Contains(string(deliveries[1].body), `"changes":{"last_name":[null,"Lovelace"]}`) {
		t.Errorf("update body lacks the changes: %s", deliveries[1].body)
	}
	// A failing target is retried, and every attempt is logged.
	status = 503
	e.Run(t, []Scenario{{Name: "another contact", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Grace"}`, Status: 201, Events: 1, Jobs: 1}})
	for i := 0; i < 2; i++ {
		if _, err := e.Sys.Jobs.RunOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	status = 200
	drain(t, e)
	e.Run(t, []Scenario{
		{Name: "delivery log", Method: "GET", Path: "/api/v1/webhooks/{{hook}}/deliveries", Status: 200,
			Contains: []string{`"status_code":503`, `"error":"target answered 503"`, `"attempt":2`, `"attempt":3`, `"ok":true`}},
		{Name: "sales may not read the log", Role: "sales", Method: "GET", Path: "/api/v1/webhooks/{{hook}}/deliveries", Status: 403},
	})
	if n := len(got()); n != 5 {
		t.Errorf("target saw %d requests, want 5 (2 + 2 failures + 1 success)", n)
	}
}

func TestWebhooksRefusePrivateTargets(t *testing.T) {
	e := NewWithConfig(t, app.Config{})
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest"} {
		e.Vars["url"] = u
		e.Run(t, []Scenario{{Name: u, Method: "POST", Path: "/api/v1/webhooks", Body: `{"url":"{{url}}","events":["*"]}`, Status: 422, Contains: []string{"private or loopback"}}})
	}
}
