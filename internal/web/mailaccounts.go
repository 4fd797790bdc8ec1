package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
)

// The mail accounts page: the workspace's accounts (kept by admins) and
// the user's own, each with its servers, its last test and a form to
// change it; and a form to add one.

type mailAccountsData struct {
	Accounts []mailAccountRow
	New      mailAccountForm
	IsAdmin  bool
	CanAdd   bool // read-only users send no mail
}

type mailAccountRow struct {
	*email.Account
	Mine, CanKeep bool
	Form          mailAccountForm
}

// mailAccountForm is an account form's values and what was wrong.
type mailAccountForm struct {
	Action string
	Values map[string]string
	Errors map[string]string
	Open   bool // shown open: it has errors
}

// accountFormCtx is what the account form template reads.
type accountFormCtx struct {
	Form         mailAccountForm
	CSRF, Prefix string
	New, IsAdmin bool
}

func (d *Deps) mailAccounts(w http.ResponseWriter, r *http.Request, sh *shell) {
	d.showMailAccounts(w, r, sh, "", nil, http.StatusOK)
}

// showMailAccounts renders the page; failed, when set, is the form (an
// account's id, or "new") that failed, with its values and errors.
func (d *Deps) showMailAccounts(w http.ResponseWriter, r *http.Request, sh *shell, failedID string, failed *mailAccountForm, status int) {
	p := sh.Identity.Principal
	list, err := d.Email.Accounts(r.Context(), p)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data := mailAccountsData{IsAdmin: access.CanAdminister(p) == nil, CanAdd: p.Role != access.ReadOnly,
		New: mailAccountForm{Action: "/mail-accounts", Values: map[string]string{"smtp_security": "starttls", "imap_security": "tls", "per_minute": "60", "personal": "on"}}}
	if !data.IsAdmin {
		data.New.Values["personal"] = "on"
	}
	for _, a := range list {
		row := mailAccountRow{Account: a, Mine: a.UserID == p.UserID, CanKeep: (a.Personal() && a.UserID == p.UserID && p.Role != access.ReadOnly) || (!a.Personal() && data.IsAdmin),
			Form: mailAccountForm{Action: "/mail-accounts/" + a.ID, Values: accountValues(a)}}
		if failedID == a.ID && failed != nil {
			row.Form = *failed
		}
		data.Accounts = append(data.Accounts, row)
	}
	if failedID == "new" && failed != nil {
		data.New = *failed
	}
	sh.Current = "settings"
	d.renderShell(w, status, "mailaccounts.html", sh.L.T("mail.title"), sh, data)
}

// accountValues are an account's form values (never its passwords).
func accountValues(a *email.Account) map[string]string {
	v := map[string]string{"name": a.Name, "address": a.Address, "per_minute": strconv.Itoa(a.PerMinute),
		"smtp_host": a.SMTP.Host, "smtp_security": a.SMTP.Security, "smtp_username": a.SMTP.Username,
		"imap_host": a.IMAP.Host, "imap_security": a.IMAP.Security, "imap_username": a.IMAP.Username, "imap_folder": a.IMAP.Folder}
	if a.SMTP.Port > 0 {
		v["smtp_port"] = strconv.Itoa(a.SMTP.Port)
	}
	if a.IMAP.Port > 0 {
		v["imap_port"] = strconv.Itoa(a.IMAP.Port)
	}
	if v["smtp_security"] == "" {
		v["smtp_security"] = "starttls"
	}
	if v["imap_security"] == "" {
		v["imap_security"] = "tls"
	}
	if a.Private {
		v["private"] = "on"
	}
	return v
}

// mailAccountFields are the form's fields.
var mailAccountFields = []string{"name", "address", "personal", "private", "per_minute", "smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password",
	"imap_host", "imap_port", "imap_security", "imap_username", "imap_password", "imap_folder"}

// saveMailAccount adds an account (POST /mail-accounts) or changes one
// (POST /mail-accounts/{id}) from its form; an empty password keeps the
// one there is.
func (d *Deps) saveMailAccount(w http.ResponseWriter, r *http.Request, sh *shell) {
	id := r.PathValue("id")
	values := map[string]string{}
	for _, f := range mailAccountFields {
		values[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	formErrs := map[string]string{}
	number := func(field string) int {
		if values[field] == "" {
			return 0
		}
		n, err := strconv.Atoi(values[field])
		if err != nil {
			formErrs[field] = sh.L.T("mail.not_a_number")
		}
		return n
	}
	decode := func(in *email.AccountInput) error {
		in.Name, in.Address, in.Private = values["name"], values["address"], values["private"] == "on"
		if id == "" {
			personal := values["personal"] == "on" || access.CanAdminister(sh.Identity.Principal) != nil
			in.Personal = &personal
		}
		in.PerMinute = number("per_minute")
		in.SMTP.Host, in.SMTP.Port, in.SMTP.Security, in.SMTP.Username, in.SMTP.Password = values["smtp_host"], number("smtp_port"), values["smtp_security"], values["smtp_username"], r.PostFormValue("smtp_password")
		in.IMAP.Host, in.IMAP.Port, in.IMAP.Security, in.IMAP.Username, in.IMAP.Password = values["imap_host"], number("imap_port"), values["imap_security"], values["imap_username"], r.PostFormValue("imap_password")
		in.IMAP.Folder = values["imap_folder"]
		if len(formErrs) > 0 {
			return fault.Invalid() // shown from formErrs
		}
		return nil
	}
	_, err := d.Email.SaveAccount(r.Context(), sh.Identity.Principal, id, decode)
	if err == nil {
		d.redirectWithFlash(w, r, "/mail-accounts", sh.L.T("mail.saved", values["address"]))
		return
	}
	fe := fault.As(err)
	if fe == nil {
		d.fail(w, r, err)
		return
	}
	for _, f := range fe.Fields {
		formErrs[strings.ReplaceAll(f.Field, ".", "_")] = sh.L.Message(f.Message)
	}
	if len(formErrs) == 0 {
		formErrs["form"] = sh.L.Message(fe.Msg)
	}
	values["smtp_password"], values["imap_password"] = "", ""
	failedID, action := "new", "/mail-accounts"
	if id != "" {
		failedID, action = id, "/mail-accounts/"+id
	}
	d.showMailAccounts(w, r, sh, failedID, &mailAccountForm{Action: action, Values: values, Errors: formErrs, Open: true}, formStatus(fe.Kind))
}

// testMailAccount queues a test of an account; the page shows its outcome.
func (d *Deps) testMailAccount(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Email.TestAccount(r.Context(), sh.Identity.Principal, r.PathValue("id")); err != nil {
		d.fail(w, r, err)
		return
	}
	d.redirectWithFlash(w, r, "/mail-accounts", sh.L.T("mail.testing"))
}

func (d *Deps) deleteMailAccount(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Email.DeleteAccount(r.Context(), sh.Identity.Principal, r.PathValue("id")); err != nil {
		d.fail(w, r, err)
		return
	}
	d.redirectWithFlash(w, r, "/mail-accounts", sh.L.T("mail.deleted"))
}
