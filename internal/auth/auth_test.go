package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

func TestPasswordHash(t *testing.T) {
	h := auth.HashPassword("correct horse")
	if !auth.CheckPassword(h, "correct horse") || auth.CheckPassword(h, "correct horsE") || auth.CheckPassword("garbage", "x") {
		t.Fatal("password check is wrong")
	}
	if h == auth.HashPassword("correct horse") {
		t.Fatal("hashes are not salted")
	}
}

func setup(t *testing.T) (*auth.Service, string) {
	db := storetest.Open(t)
	s := auth.New(db, time.Now)
	ws, err := s.CreateWorkspace(context.Background(), "Test")
	if err != nil {
		t.Fatal(err)
	}
	return s, ws.ID
}

func TestDefaultWorkspaceIsCreatedOnce(t *testing.T) {
	ctx := context.Background()
	s := auth.New(storetest.Open(t), time.Now)
	a, err := s.DefaultWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.DefaultWorkspace(ctx)
	if err != nil || a.ID != b.ID {
		t.Fatalf("second call: %v %v, want the same workspace", b, err)
	}
}

func TestSetupOnceThenLogin(t *testing.T) {
	ctx := context.Background()
	s, ws := setup(t)
	tok, err := s.NewSetupToken(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setup(ctx, ws, "wrong", "Acme", auth.NewUser{Email: "a@b.co", Name: "A", Password: "long enough pw"}); !errors.Is(err, fault.ErrForbidden) {
		t.Fatalf("setup with a wrong token: %v", err)
	}
	u, err := s.Setup(ctx, ws, tok, "Acme Ltd", auth.NewUser{Email: "Admin@Acme.test", Name: "Ada", Password: "long enough pw"})
	if err != nil || u.Role != access.Admin || u.Email != "admin@acme.test" {
		t.Fatalf("setup: %v %v", u, err)
	}
	if _, err := s.Setup(ctx, ws, tok, "Again", auth.NewUser{Email: "b@b.co", Name: "B", Password: "long enough pw"}); !errors.Is(err, fault.ErrForbidden) {
		t.Fatalf("second setup: %v", err)
	}
	w, _ := s.Workspace(ctx, ws)
	if w.Name != "Acme Ltd" {
		t.Fatalf("workspace name %q", w.Name)
	}
	sess, err := s.Login(ctx, ws, "ADMIN@acme.test", "long enough pw", "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Session(ctx, sess.Token)
	if err != nil || id.UserID != u.ID || id.Role != access.Admin {
		t.Fatalf("session: %v %v", id, err)
	}
	if id.CheckCSRF(sess.CSRFToken) != nil || id.CheckCSRF("nope") == nil {
		t.Fatal("csrf check is wrong")
	}
	if err := s.LogoutEverywhere(ctx, ws, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, sess.Token); fault.KindOf(err) != fault.KindUnauthorized {
		t.Fatalf("session after logout everywhere: %v", err)
	}
}

func TestLoginIsRateLimitedPerAccount(t *testing.T) {
	ctx := context.Background()
	s, ws := setup(t)
	if _, err := s.CreateUser(ctx, access.System(ws), ws, auth.NewUser{Email: "s@x.co", Name: "S", Role: "sales", Password: "long enough pw"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := s.Login(ctx, ws, "s@x.co", "wrong password", "10.0.0.2", ""); fault.KindOf(err) != fault.KindUnauthorized {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	_, err := s.Login(ctx, ws, "s@x.co", "long enough pw", "10.0.0.3", "")
	if fe := fault.As(err); fe == nil || fe.Kind != fault.KindRateLimited || fe.RetryAfter <= 0 {
		t.Fatalf("sixth attempt with the right password: %v, want rate limited", err)
	}
}

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	s, ws := setup(t)
	admin, _ := s.CreateUser(ctx, access.System(ws), ws, auth.NewUser{Email: "a@x.co", Name: "A", Role: "admin", Password: "long enough pw"})
	sales, _ := s.CreateUser(ctx, access.System(ws), ws, auth.NewUser{Email: "s@x.co", Name: "S", Role: "sales", Password: "long enough pw"})
	sp := access.Principal{WorkspaceID: ws, UserID: sales.ID, Role: access.Sales}
	if _, _, err := s.CreateAPIKey(ctx, sp, admin.ID, "steal"); !errors.Is(err, fault.ErrForbidden) {
		t.Fatalf("sales making a key for the admin: %v", err)
	}
	k, secret, err := s.CreateAPIKey(ctx, sp, sales.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.APIKey(ctx, secret)
	if err != nil || id.UserID != sales.ID || id.Role != access.Sales {
		t.Fatalf("resolve key: %v %v", id, err)
	}
	if _, err := s.APIKey(ctx, secret+"x"); fault.KindOf(err) != fault.KindUnauthorized {
		t.Fatalf("wrong key: %v", err)
	}
	keys, _ := s.APIKeys(ctx, sp, sales.ID)
	if len(keys) != 1 || keys[0].LastUsedAt == nil {
		t.Fatalf("keys %v: want one, with a last-used time", keys)
	}
	if err := s.RevokeAPIKey(ctx, sp, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIKey(ctx, secret); fault.KindOf(err) != fault.KindUnauthorized {
		t.Fatalf("revoked key: %v", err)
	}
}

func TestPruneEndsExpiredSessions(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	s := auth.New(db, time.Now)
	w, _ := s.CreateWorkspace(ctx, "Prune")
	ws := w.ID
	u, _ := s.CreateUser(ctx, access.System(ws), ws, auth.NewUser{Email: "p@x.co", Name: "P", Role: "sales", Password: "long enough pw"})
	s.SessionTTL = -time.Minute
	sess, err := s.NewSession(ctx, ws, u.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, sess.Token); fault.KindOf(err) != fault.KindUnauthorized {
		t.Fatalf("expired session: %v", err)
	}
	if err := s.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE workspace_id = $1`, ws).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d sessions after prune (err %v), want 0", n, err)
	}
}

func TestLoginIsRateLimitedPerAddress(t *testing.T) {
	ctx := context.Background()
	s, ws := setup(t)
	if _, err := s.CreateUser(ctx, access.System(ws), ws, auth.NewUser{Email: "v@x.co", Name: "V", Role: "sales", Password: "long enough pw"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		email := "guess" + string(rune('a'+i)) + "@x.co"
		if _, err := s.Login(ctx, ws, email, "wrong password", "10.9.9.9", ""); fault.KindOf(err) != fault.KindUnauthorized {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := s.Login(ctx, ws, "v@x.co", "long enough pw", "10.9.9.9", ""); fault.KindOf(err) != fault.KindRateLimited {
		t.Fatalf("from the same address after 20 failures: %v, want rate limited", err)
	}
	if _, err := s.Login(ctx, ws, "v@x.co", "long enough pw", "10.9.9.10", ""); err != nil {
		t.Fatalf("from another address: %v", err)
	}
}
