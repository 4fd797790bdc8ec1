package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

// TestBenchMail runs the mail benchmark small, so that it keeps working:
// every message reaches the sink and every received one is filed (the
// benchmark fails otherwise).
func TestBenchMail(t *testing.T) {
	ctx := context.Background()
	sys, p := benchSystem(t)
	rows, err := benchMail(ctx, sys, p, 200, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !strings.HasSuffix(rows[0][1], "msg/s") || !strings.Contains(rows[4][0], "200 received messages") {
		t.Fatalf("rows: %v", rows)
	}
}

// TestBenchTickets runs the helpdesk benchmark small, so that it keeps
// working: every mail to support@ opens a ticket (it fails otherwise).
func TestBenchTickets(t *testing.T) {
	ctx := context.Background()
	sys, p := benchSystem(t)
	measured := 0
	measure := func(name string, paths []string) ([]string, error) {
		measured++
		return []string{name, "", "1 ms", "1 ms"}, nil
	}
	rows, err := benchTickets(ctx, sys, p, 300, 50, measure, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || measured != 2 || !strings.Contains(rows[3][0], "50 mails to support@") {
		t.Fatalf("rows: %v", rows)
	}
}

// benchSystem is a system on a fresh database with an admin and 20
// contacts with addresses, for the benchmarks run small.
func benchSystem(t *testing.T) (*System, access.Principal) {
	ctx := context.Background()
	sys := Build(storetest.OpenFresh(t), Config{}, newLogger(io.Discard), time.Now)
	ws, err := sys.Auth.CreateWorkspace(ctx, "Bench")
	if err != nil {
		t.Fatal(err)
	}
	u, err := sys.Auth.CreateUser(ctx, access.System(ws.ID), ws.ID, auth.NewUser{Email: "bench@rapport.example", Name: "Bench", Role: "admin", Password: "bench-password"})
	if err != nil {
		t.Fatal(err)
	}
	p := access.Principal{WorkspaceID: ws.ID, UserID: u.ID, Role: access.Admin}
	var people []map[string]any
	for i := range 20 {
		people = append(people, map[string]any{"first_name": "P", "email": fmt.Sprintf("p%d@example.com", i)})
	}
	if _, err := sys.Records.CreateMany(ctx, p, "contacts", people); err != nil {
		t.Fatal(err)
	}
	return sys, p
}
