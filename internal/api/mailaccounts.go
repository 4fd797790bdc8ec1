package api

import (
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
)

// Mail accounts: the workspace's (admins) and each user's own, with the
// SMTP server mail goes out through and the IMAP mailbox Rapport reads.

func (d *Deps) listMailAccounts(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	list, err := d.Email.Accounts(r.Context(), id.Principal)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*email.Account{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list})
	return nil
}

func (d *Deps) getMailAccount(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	a, err := d.Email.Account(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// saveMailAccount creates (POST, 201) or changes (PATCH) an account.
func (d *Deps) saveMailAccount(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	a, err := d.Email.SaveAccount(r.Context(), id.Principal, r.PathValue("id"), func(in *email.AccountInput) error { return decodeBytes(body, in) })
	if err != nil {
		return err
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/mail-accounts/"+a.ID)
	}
	writeJSON(w, status, a)
	return nil
}

func (d *Deps) deleteMailAccount(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := d.Email.DeleteAccount(r.Context(), id.Principal, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// testMailAccount queues a test (202); the account shows its outcome
// (tested_at, test_error).
func (d *Deps) testMailAccount(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if err := d.Email.TestAccount(r.Context(), id.Principal, r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "testing"})
	return nil
}
