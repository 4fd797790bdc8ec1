package web

import (
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/schema"
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
	sh.Current = "settings"
	d.renderShell(w, status, "settings.html", "Settings", sh, data)
}

func (d *Deps) createKey(w http.ResponseWriter, r *http.Request, sh *shell) {
	_, secret, err := d.Auth.CreateAPIKey(r.Context(), sh.Identity.Principal, sh.Identity.UserID, r.PostFormValue("name"))
	if err != nil {
		if fe := fault.As(err); fe != nil && fe.Kind == fault.KindInvalid {
			d.showSettings(w, r, sh, settingsData{KeyFormErr: "Give the key a name (at most 200 bytes)."}, http.StatusUnprocessableEntity)
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
	d.redirectWithFlash(w, r, "/settings", "API key revoked")
}

func (d *Deps) addField(w http.ResponseWriter, r *http.Request, sh *shell) {
	if err := access.CanAdminister(sh.Identity.Principal); err != nil {
		d.renderShell(w, http.StatusForbidden, "notfound.html", "Not allowed", sh, nil)
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
		errs := map[string]string{}
		for _, f := range fe.Fields {
			errs[f.Field] = f.Message
		}
		if len(errs) == 0 {
			errs["object"] = fe.Msg
		}
		d.showSettings(w, r, sh, settingsData{Errors: errs, FieldForm: form}, http.StatusUnprocessableEntity)
		return
	}
	d.redirectWithFlash(w, r, "/settings", "Field "+form["name"]+" added to "+form["object"])
}
