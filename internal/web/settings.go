package web

import (
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/money"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/webhooks"
)

type settingsData struct {
	Keys       []auth.APIKey
	NewKey     string // shown once, right after creation
	Objects    []*schema.Object
	Kinds      []schema.Kind
	IsAdmin    bool
	Errors     map[string]string
	FieldForm  map[string]string
	KeyFormErr string
	Users      []*auth.User
	Roles      []access.Role
	InviteLink string // shown once, right after the invitation
	Me         string
	Webhooks   []records.Record
	Deliveries map[string][]webhooks.Delivery
	HookForm   map[string]string
	ObjectForm map[string]string
	// Currencies and TimeZones are the choices of the region form.
	Currencies, TimeZones []string
}

// settings shows the API keys of the user and, for admins, the custom
// fields of every object with a form to add one.
func (d *Deps) settings(w http.ResponseWriter, r *http.Request, sh *shell) {
	d.showSettings(w, r, sh, settingsData{}, http.StatusOK)
}

func (d *Deps) showSettings(w http.ResponseWriter, r *http.Request, sh *shell, data settingsData, status int) {
	keys, err := d.Auth.APIKeys(r.Context(), sh.Identity.Principal, sh.Identity.UserID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data.Keys = keys
	data.IsAdmin = access.CanAdminister(sh.Identity.Principal) == nil
	data.Kinds = schema.CustomKinds
	data.Objects = sh.Nav
	data.Roles = access.Roles
	data.Me = sh.Identity.UserID
	data.Currencies, data.TimeZones = money.Codes(), TimeZones
	if data.IsAdmin {
		if data.Users, err = d.Auth.Users(r.Context(), sh.Identity.WorkspaceID); err != nil {
			d.fail(w, r, err)
			return
		}
		page, err := d.Records.List(r.Context(), sh.Identity.Principal, "webhooks", records.Query{PageSize: 100, OrderBy: "created_at"})
		if err != nil {
			d.fail(w, r, err)
			return
		}
		data.Webhooks = page.Data
		data.Deliveries = map[string][]webhooks.Delivery{}
		for _, h := range page.Data {
			if list, err := d.Webhooks.Deliveries(r.Context(), sh.Identity.Principal, h.ID(), 5); err == nil {
				data.Deliveries[h.ID()] = list
			}
		}
	}
	sh.Current = "settings"
	d.renderShell(w, status, "settings.html", sh.L.T("settings.heading"), sh, data)
}

func (d *Deps) createKey(w http.ResponseWriter, r *http.Request, sh *shell) {
	_, secret, err := d.Auth.CreateAPIKey(r.Context(), sh.Identity.Principal, sh.Identity.UserID, r.PostFormValue("name"))
	if err != nil {
		if fe := fault.As(err); fe != nil && fe.Kind == fault.KindInvalid {
			d.showSettings(w, r, sh, settingsData{KeyFormErr: sh.L.T("settings.key_name_error")}, http.StatusUnprocessableEntity)
			return
		}
		d.fail(w, r, err)
		return
	}
	// The key is shown on this response only; it is stored hashed.
	d.showSettings(w, r, sh, settingsData{NewKey: secret}, http.StatusCreated)
}

func (d *Deps) revokeKey(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.RevokeAPIKey(r.Context(), sh.Identity.Principal, r.PostFormValue("id")); err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.key_revoked"))
}

func (d *Deps) addField(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.renderShell(w, http.StatusForbidden, "notfound.html", sh.L.T("title.not_allowed"), sh, nil)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"object", "name", "label", "kind", "options", "target"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	nf := schema.NewField{Name: form["name"], Label: form["label"], Kind: schema.Kind(form["kind"]), Target: form["target"],
		Required: r.PostFormValue("required") == "on", Unique: r.PostFormValue("unique") == "on", Indexed: r.PostFormValue("indexed") == "on"}
	for _, opt := range strings.Split(form["options"], ",") {
		if opt = strings.TrimSpace(opt); opt != "" {
			nf.Options = append(nf.Options, opt)
		}
	}
	if _, err := d.Schemas.AddField(r.Context(), sh.Identity.WorkspaceID, form["object"], nf); err != nil {
		fe := fault.As(err)
		if fe == nil {
			d.fail(w, r, err)
			return
		}
		d.showSettings(w, r, sh, settingsData{Errors: fieldMessages(sh.L, fe, "", "object"), FieldForm: form}, http.StatusUnprocessableEntity)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.field_added", form["name"], d.objectName(sh, form["object"])))
}

func (d *Deps) invite(w http.ResponseWriter, r *http.Request, sh *shell) {
	_, token, err := d.Auth.Invite(r.Context(), sh.Identity.Principal, r.PostFormValue("email"), r.PostFormValue("name"), r.PostFormValue("role"))
	if err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	link := "/invite?token=" + token
	if d.PublicURL != "" {
		link = strings.TrimRight(d.PublicURL, "/") + link
	} else {
		link = "http://" + r.Host + link
	}
	d.showSettings(w, r, sh, settingsData{InviteLink: link}, http.StatusCreated)
}

func (d *Deps) setRole(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.SetRole(r.Context(), sh.Identity.Principal, r.PostFormValue("user_id"), r.PostFormValue("role")); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.role_changed"))
}

func (d *Deps) setActive(w http.ResponseWriter, r *http.Request, sh *shell) {
	active := r.PostFormValue("active") == "1"
	if err := d.Auth.SetActive(r.Context(), sh.Identity.Principal, r.PostFormValue("user_id"), active); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	msg := sh.L.T("flash.user_deactivated")
	if active {
		msg = sh.L.T("flash.user_reactivated")
	}
	d.redirectWithFlash(w, r, "/settings", msg)
}

// settingsError shows a settings form's failure as a message on the page.
func (d *Deps) settingsError(w http.ResponseWriter, r *http.Request, sh *shell, err error) {
	fe := fault.As(err)
	if fe == nil {
		d.fail(w, r, err)
		return
	}
	status := formStatus(fe.Kind)
	errs := map[string]string{"users": sh.L.Message(fe.Msg)}
	for _, f := range fe.Fields {
		errs["users"] = f.Field + " " + sh.L.Message(f.Message)
	}
	d.showSettings(w, r, sh, settingsData{Errors: errs}, status)
}

// invitePage lets an invited person choose a password.
func (d *Deps) invitePage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	u, _, err := d.Auth.Invited(r.Context(), tok)
	if err != nil {
		d.render(w, r, http.StatusNotFound, "message.html", page{Title: "title.invitation", Error: fault.As(err).Msg})
		return
	}
	d.render(w, r, http.StatusOK, "invite.html", page{Title: "invite.heading", CSRF: d.formToken(w, r), Form: map[string]string{"token": tok, "name": u.Name, "email": u.Email}})
}

func (d *Deps) acceptInvite(w http.ResponseWriter, r *http.Request) {
	tok := r.PostFormValue("token")
	if !d.checkFormToken(r) {
		d.render(w, r, http.StatusForbidden, "message.html", page{Title: "title.invitation", Error: "The form expired; open the invitation link again."})
		return
	}
	u, ws, err := d.Auth.AcceptInvite(r.Context(), tok, r.PostFormValue("password"))
	if err != nil {
		fe := fault.As(err)
		if fe != nil && fe.Kind == fault.KindInvalid {
			inv, _, _ := d.Auth.Invited(r.Context(), tok)
			form := map[string]string{"token": tok}
			if inv != nil {
				form["name"], form["email"] = inv.Name, inv.Email
			}
			d.render(w, r, http.StatusUnprocessableEntity, "invite.html", page{Title: "invite.heading", Error: "Please choose a longer password.",
				Fields: map[string]string{"password": fe.Fields[0].Message}, Form: form, CSRF: d.formToken(w, r)})
			return
		}
		if fe != nil {
			d.render(w, r, http.StatusNotFound, "message.html", page{Title: "title.invitation", Error: fe.Msg})
			return
		}
		d.fail(w, r, err)
		return
	}
	sess, err := d.Auth.NewSession(r.Context(), ws, u.ID, clientIP(r), r.UserAgent())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.startSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (d *Deps) addWebhook(w http.ResponseWriter, r *http.Request, sh *shell) {
	form := map[string]string{"url": strings.TrimSpace(r.PostFormValue("url")), "events": r.PostFormValue("events"), "secret": r.PostFormValue("secret")}
	var evs []any
	for _, e := range strings.FieldsFunc(form["events"], func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		evs = append(evs, e)
	}
	in := map[string]any{"url": form["url"], "events": evs, "active": true}
	if form["secret"] != "" {
		in["secret"] = form["secret"]
	}
	if _, err := d.Records.Create(r.Context(), sh.Identity.Principal, "webhooks", in); err != nil {
		fe := fault.As(err)
		if fe == nil {
			d.fail(w, r, err)
			return
		}
		errs := fieldMessages(sh.L, fe, "hook_", "hook_url")
		d.showSettings(w, r, sh, settingsData{Errors: errs, HookForm: form}, formStatus(fe.Kind))
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.webhook_added"))
}

func (d *Deps) deleteWebhook(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Records.Trash(r.Context(), sh.Identity.Principal, "webhooks", r.PostFormValue("id")); err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.webhook_deleted"))
}

func (d *Deps) addObject(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.renderShell(w, http.StatusForbidden, "notfound.html", sh.L.T("title.not_allowed"), sh, nil)
		return
	}
	form := map[string]string{"name": strings.TrimSpace(r.PostFormValue("name")), "label": strings.TrimSpace(r.PostFormValue("label")),
		"title_field": strings.TrimSpace(r.PostFormValue("title_field"))}
	no := schema.NewObject{Name: form["name"], Label: form["label"]}
	if form["title_field"] != "" {
		no.Fields = []schema.NewField{{Name: form["title_field"], Kind: schema.Text, Required: true}}
	}
	o, err := d.Schemas.CreateObject(r.Context(), sh.Identity.WorkspaceID, no)
	if err != nil {
		fe := fault.As(err)
		if fe == nil {
			d.fail(w, r, err)
			return
		}
		errs := map[string]string{}
		for k, v := range fieldMessages(sh.L, fe, "obj_", "obj_name") {
			errs[strings.Replace(k, "fields[0].", "", 1)] = v
		}
		d.showSettings(w, r, sh, settingsData{Errors: errs, ObjectForm: form}, http.StatusUnprocessableEntity)
		return
	}
	d.redirectWithFlash(w, r, "/"+o.Name, sh.L.T("flash.object_created", o.Label))
}

func (d *Deps) renameWorkspace(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.RenameWorkspace(r.Context(), sh.Identity.Principal, r.PostFormValue("workspace_name")); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.workspace_renamed"))
}

// setRegion sets the workspace's default currency and time zone.
func (d *Deps) setRegion(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.SetRegion(r.Context(), sh.Identity.Principal, r.PostFormValue("default_currency"), r.PostFormValue("time_zone")); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.region_saved"))
}

// setMailContacts says whether mail from unknown people makes contacts.
func (d *Deps) setMailContacts(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := d.Auth.SetMailCreatesContacts(r.Context(), sh.Identity.Principal, r.PostFormValue("mail_creates_contacts") == "on"); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.mail_saved"))
}

// TimeZones are the zones the settings page suggests (any IANA zone may be
// typed).
var TimeZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam", "Europe/Zurich",
	"Europe/Vienna", "Europe/Madrid", "Europe/Rome", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki", "Europe/Warsaw",
	"Europe/Prague", "Europe/Athens", "Europe/Istanbul", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Toronto", "America/Mexico_City", "America/Sao_Paulo", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai",
	"Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg", "Africa/Lagos"}

func (d *Deps) renameField(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	if err := d.Schemas.RenameField(r.Context(), sh.Identity.WorkspaceID, r.PostFormValue("object"), r.PostFormValue("name"), r.PostFormValue("label")); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.field_renamed"))
}

func (d *Deps) deleteField(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	object, name := r.PostFormValue("object"), r.PostFormValue("name")
	if r.PostFormValue("confirm") != name {
		d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.field_not_deleted"))
		return
	}
	if err := d.Schemas.DeleteField(r.Context(), sh.Identity.WorkspaceID, object, name); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.field_deleted", name, d.objectName(sh, object)))
}

// objectName is an object's label in the user's language, or the name as
// given when there is no such object.
func (d *Deps) objectName(sh *shell, name string) string {
	if o, ok := sh.Schema.Object(name); ok {
		return sh.L.ObjectLabel(o)
	}
	return name
}

// moveField moves a custom field up or down among its object's fields.
func (d *Deps) moveField(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	object, name := r.PostFormValue("object"), r.PostFormValue("name")
	o, ok := sh.Schema.Object(object)
	if !ok {
		d.notFound(w, r, sh)
		return
	}
	at := -1
	n := 0
	for _, f := range o.Fields {
		if f.Custom {
			if f.Name == name {
				at = n
			}
			n++
		}
	}
	if at < 0 {
		d.notFound(w, r, sh)
		return
	}
	to := at - 1
	if r.PostFormValue("dir") == "down" {
		to = at + 1
	}
	if err := d.Schemas.MoveField(r.Context(), sh.Identity.WorkspaceID, object, name, to); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings#fields-title", sh.L.T("flash.field_moved", name))
}

// renameObject changes a custom object's label.
func (d *Deps) renameObject(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	if err := d.Schemas.RenameObject(r.Context(), sh.Identity.WorkspaceID, r.PostFormValue("object"), r.PostFormValue("label")); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings#objects-title", sh.L.T("flash.object_renamed"))
}

// deleteObject removes a custom object with its records, once its name is
// typed to confirm.
func (d *Deps) deleteObject(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	object := r.PostFormValue("object")
	if r.PostFormValue("confirm") != object {
		d.redirectWithFlash(w, r, "/settings#objects-title", sh.L.T("flash.object_not_deleted"))
		return
	}
	if err := d.Schemas.DeleteObject(r.Context(), sh.Identity.WorkspaceID, object); err != nil {
		d.settingsError(w, r, sh, err)
		return
	}
	d.redirectWithFlash(w, r, "/settings", sh.L.T("flash.object_deleted", object))
}
