package api

import (
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/reports"
)

// queryReport answers a report query: group-by columns first, then the
// measures in the order asked.
func (d *Deps) queryReport(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	var in struct {
		reports.Query
		// Fresh asks for a live answer rather than a kept one.
		Fresh bool `json:"fresh"`
	}
	if err := decodeInto(w, r, &in); err != nil {
		return err
	}
	res, err := d.Reports.Answer(r.Context(), id.Principal, in.Query, in.Fresh)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

var (
	dashboardParams    = map[string]bool{"range": true, "owner_id": true, "fresh": true}
	resultParams       = map[string]bool{"range": true, "fresh": true}
	reportExportParams = map[string]bool{"range": true, "format": true, "fresh": true}
)

// dashboard answers every report on a dashboard (sales, marketing,
// service, or one's own by id): the dashboard's fields, the period, and
// one card per report with its answer or its error.
func (d *Deps) dashboard(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	if r.PathValue("ref") == "export" {
		r.SetPathValue("object", reports.Dashboards)
		return d.export(w, r, id)
	}
	q := r.URL.Query()
	if err := knownParams(q, dashboardParams); err != nil {
		return err
	}
	if err := checkRange(q.Get("range")); err != nil {
		return err
	}
	v, err := d.Reports.Dashboard(r.Context(), id.Principal, r.PathValue("ref"), reports.ViewOptions{Range: q.Get("range"), OwnerID: q.Get("owner_id"), Fresh: q.Get("fresh") == "true"})
	if err != nil {
		return err
	}
	out := map[string]any{}
	for k, val := range v.Dashboard {
		out[k] = val
	}
	out["range"], out["cards"] = v.Range, v.Cards
	if v.OwnerID != "" {
		out["owner_id_filter"] = v.OwnerID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// checkRange refuses a period that is none of the named ones.
func checkRange(rng string) error {
	if rng != "" && !slices.Contains(reports.Ranges, rng) {
		return fault.BadRequest("range: want one of %s, not %q", strings.Join(reports.Ranges, ", "), rng)
	}
	return nil
}

// reportResult answers a saved report.
func (d *Deps) reportResult(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, resultParams); err != nil {
		return err
	}
	if err := checkRange(q.Get("range")); err != nil {
		return err
	}
	sv, err := d.Reports.RunSaved(r.Context(), id.Principal, r.PathValue("id"), q.Get("range"), q.Get("fresh") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"query": sv.Query, "result": sv.Result})
	return nil
}

// exportReport writes a saved report as CSV, or its chart as SVG or PNG,
// in the language Accept-Language asks for.
func (d *Deps) exportReport(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, reportExportParams); err != nil {
		return err
	}
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if _, ok := reports.Formats[format]; !ok {
		return fault.BadRequest("format: want csv, svg or png, not %q", format)
	}
	if err := checkRange(q.Get("range")); err != nil {
		return err
	}
	sv, err := d.Reports.RunSaved(r.Context(), id.Principal, r.PathValue("id"), q.Get("range"), q.Get("fresh") == "true")
	if err != nil {
		return err
	}
	s, err := d.Records.Schema(r.Context(), id.WorkspaceID)
	if err != nil {
		return err
	}
	b, err := reports.Presenter{L: localeOf(r), Schema: s}.Export(sv, format)
	if err != nil {
		return err
	}
	name, _ := sv.Report["name"].(string)
	w.Header().Set("Content-Type", reports.Formats[format])
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": reports.FileName(name) + "." + format}))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}
