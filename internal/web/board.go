package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/deals"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/views"
)

// boardData is a pipeline's kanban board.
type boardData struct {
	Pipeline  records.Record
	Pipelines []records.Record
	Columns   []boardColumn
	Stages    []deals.Stage
	Views     []views.View
	ViewID    string
	Filter    string
	Q         string
	// Query is the board's URL query without a column's page, for links.
	Query       string
	FilterError string
	CanMove     bool
}

// boardColumn is a column as the page shows it: its sums and cards
// formatted in the reader's language.
type boardColumn struct {
	Stage  deals.Stage
	Count  int64
	Closed bool // won or lost: shown folded at the end
	Sums   []string
	Cards  []boardCard
	More   string // the URL of the column's next page
}

type boardCard struct {
	ID, Name, Amount, Company, Owner, OwnerName string
	Version                                     int64
	Days                                        int
}

// board shows a pipeline's deals as columns of cards, one a stage: the
// filter, search and saved views of the deals list apply, each column
// counts and sums what it holds and pages its cards, and each card can be
// moved by a form (the keyboard's way) or dragged (app.js).
func (d *Deps) board(w http.ResponseWriter, r *http.Request, sh *shell) {
	sh.Current = deals.Object
	q := r.URL.Query()
	data := boardData{Filter: q.Get("filter"), Q: q.Get("q"), ViewID: q.Get("view")}
	if data.ViewID != "" {
		if v, err := d.Views.Get(r.Context(), sh.Identity.Principal, data.ViewID); err == nil && v.Object == deals.Object {
			data.Filter, data.Q = v.Filter, v.Q
		}
	}
	data.Views, _ = d.Views.List(r.Context(), sh.Identity.Principal, deals.Object)
	keep := url.Values{}
	for k, v := range map[string]string{"filter": data.Filter, "q": data.Q, "view": data.ViewID} {
		if v != "" {
			keep.Set(k, v)
		}
	}
	data.Query = keep.Encode()
	b, err := d.Deals.Board(r.Context(), sh.Identity.Principal, r.PathValue("id"), deals.BoardQuery{
		Filter: data.Filter, Q: data.Q, Column: q.Get("column"), PageToken: q.Get("page_token")})
	// A filter or search the board cannot run is said at the filter, and
	// the board shown without it.
	if fe := fault.As(err); fe != nil && (fe.Kind == fault.KindBadRequest || fe.Kind == fault.KindInvalid) {
		data.FilterError = sh.L.Message(fe.Msg)
		if len(fe.Fields) > 0 {
			data.FilterError = sh.L.Message(fe.Fields[0].Message)
		}
		b, err = d.Deals.Board(r.Context(), sh.Identity.Principal, r.PathValue("id"), deals.BoardQuery{})
	}
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	data.Pipeline, data.Stages = b.Pipeline, b.Stages
	if page, err := d.Records.List(r.Context(), sh.Identity.Principal, deals.Pipelines, records.Query{OrderBy: "created_at", PageSize: 50}); err == nil {
		data.Pipelines = page.Data
	}
	data.CanMove = access.CanCreate(sh.Identity.Principal, deals.Object) == nil
	companies, owners := d.cardPeople(r, sh, b)
	now := d.now()
	for _, c := range b.Columns {
		col := boardColumn{Stage: c.Stage, Count: c.Count, Closed: c.Stage.Kind != "open"}
		for _, m := range c.Sums {
			col.Sums = append(col.Sums, sh.L.Money(m.Amount, m.Currency))
		}
		for _, rec := range c.Cards {
			card := boardCard{ID: rec.ID(), Version: rec.Version()}
			card.Name, _ = rec["name"].(string)
			if a, ok := rec["amount"].(string); ok {
				cur, _ := rec["currency"].(string)
				card.Amount = sh.L.Money(a, cur)
			}
			if id, ok := rec["company_id"].(string); ok {
				card.Company = companies[id]
			}
			if id := rec.Owner(); id != "" {
				card.OwnerName = owners[id]
				card.Owner = initials(card.OwnerName)
			}
			if t, ok := rec["stage_entered_at"].(time.Time); ok {
				card.Days = int(now.Sub(t).Hours() / 24)
			}
			col.Cards = append(col.Cards, card)
		}
		if c.Next != "" {
			more := url.Values{}
			for k, v := range keep {
				more[k] = v
			}
			more.Set("column", c.Stage.ID)
			more.Set("page_token", c.Next)
			col.More = "/pipelines/" + b.Pipeline.ID() + "/board?" + more.Encode()
		}
		data.Columns = append(data.Columns, col)
	}
	title := sh.L.T("board.title", b.Pipeline["name"])
	d.renderShell(w, http.StatusOK, "board.html", title, sh, data)
}

// cardPeople are the names of the cards' companies and owners, each read
// once for the whole board.
func (d *Deps) cardPeople(r *http.Request, sh *shell, b *deals.Board) (map[string]string, map[string]string) {
	var companyIDs []string
	owners := map[string]string{}
	for _, c := range b.Columns {
		for _, rec := range c.Cards {
			if id, ok := rec["company_id"].(string); ok {
				companyIDs = append(companyIDs, id)
			}
			if id := rec.Owner(); id != "" {
				owners[id] = ""
			}
		}
	}
	companies := map[string]string{}
	if recs, err := d.Records.GetMany(r.Context(), sh.Identity.Principal, "companies", companyIDs); err == nil {
		o, _ := sh.Schema.Object("companies")
		for id, rec := range recs {
			companies[id] = records.Title(o, rec)
		}
	}
	for id := range owners {
		if u, err := d.Auth.User(r.Context(), sh.Identity.WorkspaceID, id); err == nil {
			owners[id] = u.Name
		}
	}
	return companies, owners
}

// moveDeal moves a deal to another stage from a board's card (its form,
// or a drag that fills and sends the form), with the reason when the
// stage is a lost one, and goes back to the board.
func (d *Deps) moveDeal(w http.ResponseWriter, r *http.Request, sh *shell) {
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/pipelines/") {
		back = "/deals"
	}
	in := map[string]any{"stage_id": r.PostFormValue("stage_id")}
	if reason := strings.TrimSpace(r.PostFormValue("lost_reason")); reason != "" {
		in["lost_reason"] = reason
	}
	rec, err := d.Records.Update(r.Context(), sh.Identity.Principal, deals.Object, r.PathValue("id"), in, nil)
	if err != nil {
		d.refusedTo(w, r, sh, back, err)
		return
	}
	stage := rec["stage_id"]
	if b, err := d.Records.Get(r.Context(), sh.Identity.Principal, deals.Pipelines, rec["pipeline_id"].(string), false); err == nil {
		for _, st := range deals.StagesOf(b) {
			if st.ID == stage {
				stage = st.Name
			}
		}
	}
	d.redirectWithFlash(w, r, back, sh.L.T("board.moved", rec["name"], stage))
}

// firstBoard opens the board of the first pipeline.
func (d *Deps) firstBoard(w http.ResponseWriter, r *http.Request, sh *shell) {
	page, err := d.Records.List(r.Context(), sh.Identity.Principal, deals.Pipelines, records.Query{OrderBy: "created_at", PageSize: 1})
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	if len(page.Data) == 0 {
		d.redirectWithFlash(w, r, "/pipelines", sh.L.T("board.no_pipeline"))
		return
	}
	http.Redirect(w, r, "/pipelines/"+page.Data[0].ID()+"/board", http.StatusSeeOther)
}
