package web

import (
	"net/http"
	"net/url"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/views"
)

// saveView saves the list's current filter, search and order under a name.
func (d *Deps) saveView(w http.ResponseWriter, r *http.Request, sh *shell) {
	object := r.PostFormValue("object")
	if _, ok := sh.Schema.Object(object); !ok {
		d.notFound(w, r, sh)
		return
	}
	v, err := d.Views.Save(r.Context(), sh.Identity.Principal, views.View{Object: object, Name: r.PostFormValue("name"),
		Shared: r.PostFormValue("shared") == "on", Filter: r.PostFormValue("filter"), Q: r.PostFormValue("q"), OrderBy: r.PostFormValue("order_by"), Columns: r.PostForm["cols"]})
	if err != nil {
		back := url.Values{"filter": {r.PostFormValue("filter")}, "q": {r.PostFormValue("q")}, "order_by": {r.PostFormValue("order_by")}}
		if fe := fault.As(err); fe != nil {
			msg := sh.L.Message(fe.Msg)
			if len(fe.Fields) > 0 {
				msg = fe.Fields[0].Field + " " + sh.L.Message(fe.Fields[0].Message)
			}
			d.redirectWithFlash(w, r, "/"+object+"?"+back.Encode(), sh.L.T("flash.view_not_saved", msg))
			return
		}
		d.fail(w, r, err)
		return
	}
	d.redirectWithFlash(w, r, "/"+object+"?view="+url.QueryEscape(v.ID), sh.L.T("flash.view_saved", v.Name))
}

func (d *Deps) deleteView(w http.ResponseWriter, r *http.Request, sh *shell) {
	v, err := d.Views.Get(r.Context(), sh.Identity.Principal, r.PostFormValue("id"))
	if err != nil {
		d.notFound(w, r, sh)
		return
	}
	if err := d.Views.Delete(r.Context(), sh.Identity.Principal, v.ID); err != nil {
		d.redirectWithFlash(w, r, "/"+v.Object+"?view="+url.QueryEscape(v.ID), sh.L.Message(fault.As(err).Msg))
		return
	}
	d.redirectWithFlash(w, r, "/"+v.Object, sh.L.T("flash.view_deleted", v.Name))
}
