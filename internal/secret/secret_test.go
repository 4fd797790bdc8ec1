package secret_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/secret"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

func TestSealOpen(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenFresh(t)
	for _, tc := range []struct {
		name       string
		passphrase string
	}{{"a key per workspace", ""}, {"the install's key", "correct horse battery staple"}} {
		t.Run(tc.name, func(t *testing.T) {
			box := secret.New(db, tc.passphrase)
			sealed, err := box.Seal(ctx, "ws1", "hunter2 — pässwörd")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(sealed, "hunter2") || !strings.HasPrefix(sealed, "v1:") {
				t.Fatalf("sealed = %q", sealed)
			}
			again, _ := box.Seal(ctx, "ws1", "hunter2 — pässwörd")
			if again == sealed {
				t.Error("two seals of one secret are equal: the nonce is not fresh")
			}
			plain, err := box.Open(ctx, "ws1", sealed)
			if err != nil || plain != "hunter2 — pässwörd" {
				t.Fatalf("Open = %q, %v", plain, err)
			}
			// Sealed for one workspace, it does not open in another.
			if _, err := box.Open(ctx, "ws2", sealed); err == nil {
				t.Error("a secret of ws1 opened in ws2")
			}
			// Nor under another key.
			if _, err := secret.New(db, "another key").Open(ctx, "ws1", sealed); err == nil && tc.passphrase != "" {
				t.Error("opened under another passphrase")
			}
			if s, err := box.Seal(ctx, "ws1", ""); s != "" || err != nil {
				t.Errorf("Seal(\"\") = %q, %v", s, err)
			}
			if _, err := box.Open(ctx, "ws1", "plain text"); err == nil {
				t.Error("opened what was never sealed")
			}
		})
	}
}
