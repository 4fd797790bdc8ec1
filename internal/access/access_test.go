package access

import (
	"fmt"
	"testing"
)

func TestPermissionsPerRole(t *testing.T) {
	const me, other = "u-me", "u-other"
	type want struct{ read, create, writeOwn, writeOthers, writeOthersContact, admin, readWebhooks bool }
	tests := map[Role]want{
		Admin:     {true, true, true, true, true, true, true},
		Manager:   {true, true, true, true, true, false, false},
		Sales:     {true, true, true, false, false, false, false},
		Support:   {true, true, true, false, false, false, false},
		Marketing: {true, true, true, false, true, false, false},
		ReadOnly:  {true, false, false, false, false, false, false},
	}
	for role, w := range tests {
		p := Principal{WorkspaceID: "w", UserID: me, Role: role}
		checks := []struct {
			name string
			err  error
			want bool
		}{
			{"read companies", CanRead(p, "companies"), w.read},
			{"create companies", CanCreate(p, "companies"), w.create},
			{"write own company", CanWrite(p, "companies", me), w.writeOwn},
			{"write another's company", CanWrite(p, "companies", other), w.writeOthers},
			{"write unowned company", CanWrite(p, "companies", ""), w.writeOthers},
			{"write another's contact", CanWrite(p, "contacts", other), w.writeOthersContact},
			{"administer", CanAdminister(p), w.admin},
			{"read webhooks", CanRead(p, "webhooks"), w.readWebhooks},
		}
		for _, c := range checks {
			if got := c.err == nil; got != c.want {
				t.Errorf("%s: %s allowed = %v, want %v (%v)", role, c.name, got, c.want, c.err)
			}
		}
		assignOther := CanAssign(p, other) == nil
		if want := role == Admin || role == Manager; assignOther != want {
			t.Errorf("%s: assign to another = %v, want %v", role, assignOther, want)
		}
	}
	if fmt.Sprint(len(tests)) != fmt.Sprint(len(Roles)) {
		t.Errorf("test covers %d roles, there are %d", len(tests), len(Roles))
	}
}
