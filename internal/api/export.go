package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
)

var exportParams = map[string]bool{"format": true, "filter": true, "q": true, "order_by": true}

// export streams every record a filter matches as CSV, JSON lines or
// vCard. What goes wrong before the first byte is a problem document;
// after it, the stream stops short and the error is logged.
func (d *Deps) export(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	for k := range q {
		if !exportParams[k] {
			return fault.BadRequest("unknown query parameter %q (known: format, filter, q, order_by)", k)
		}
	}
	object := r.PathValue("object")
	_, o, err := d.object(r, id, object)
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format == "" {
		format = exchange.CSV
	}
	if err := exchange.CheckFormat(format, o); err != nil {
		return err
	}
	query := records.Query{Filter: q.Get("filter"), Q: q.Get("q"), OrderBy: q.Get("order_by")}
	// Check the query before the headers go out.
	if _, err := d.Records.List(r.Context(), id.Principal, object, records.Query{Filter: query.Filter, Q: query.Q, OrderBy: query.OrderBy, PageSize: 1}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", exchange.ContentType(format))
	w.Header().Set("Content-Disposition", `attachment; filename="`+object+"-"+time.Now().UTC().Format("20060102-150405")+"."+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	ew, err := exchange.NewWriter(w, format, o, exchange.Titles(r.Context(), d.Records, id.Principal))
	if err != nil {
		return err
	}
	n := 0
	err = d.Records.Each(r.Context(), id.Principal, object, query, func(rec records.Record) error {
		n++
		return ew.Write(rec)
	})
	if err == nil {
		err = ew.Close()
	}
	if err != nil {
		d.Log.ErrorContext(r.Context(), "export stopped", "object", object, "rows", strconv.Itoa(n), "err", err)
	}
	return nil
}
