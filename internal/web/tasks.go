package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/activities"
	"github.com/rapport-crm/rapport/internal/notify"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/tasks"
)

// FollowUpDays are the choices of when a follow-up is due, in days.
var FollowUpDays = []int{1, 3, 7, 14, 30}

// taskRow is a task in a list: its title, when it is due, what it is about.
type taskRow struct {
	ID, Title, Due, DueExact string
	Related                  cell
	Done                     bool
}

// taskListCtx is what the task-list template needs: the rows, the form
// token, and where completing one goes back to.
type taskListCtx struct {
	Rows       []taskRow
	CSRF, Back string
}

// myTasksData is the My tasks page.
type myTasksData struct {
	Overdue, Today, Upcoming []taskRow
}

// followUp is a record page's "Plan a follow-up" form.
type followUp struct {
	Object, ID, Title string
	Days              []int
}

// myTasks shows the user's open tasks: overdue, today, upcoming.
func (d *Deps) myTasks(w http.ResponseWriter, r *http.Request, sh *shell) {
	sh.Current = "mytasks"
	mine, err := d.Tasks.Mine(r.Context(), sh.Identity.Principal)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	data := myTasksData{Overdue: d.taskRows(r, sh, mine.Overdue), Today: d.taskRows(r, sh, mine.Today), Upcoming: d.taskRows(r, sh, mine.Upcoming)}
	d.renderShell(w, http.StatusOK, "mytasks.html", sh.L.T("tasks.mine"), sh, data)
}

// taskRows formats tasks for a list, each with the record it is about
// (read together: one query per object).
func (d *Deps) taskRows(r *http.Request, sh *shell, list []records.Record) []taskRow {
	ids := map[string][]string{}
	for _, t := range list {
		if ref, ok := tasks.Related(t); ok {
			ids[ref.Object] = append(ids[ref.Object], ref.ID)
		}
	}
	about := map[string]map[string]records.Record{}
	for object, list := range ids {
		if recs, err := d.Records.GetMany(r.Context(), sh.Identity.Principal, object, list); err == nil {
			about[object] = recs
		}
	}
	out := make([]taskRow, 0, len(list))
	for _, t := range list {
		row := taskRow{ID: t.ID()}
		row.Title, _ = t["title"].(string)
		row.Done, _ = t["done"].(bool)
		if due, ok := t["due_at"].(time.Time); ok {
			row.Due, row.DueExact = sh.L.Relative(due, d.now()), sh.L.Time(tasks.InZone(due, sh.Workspace.TimeZone))
		}
		if ref, ok := tasks.Related(t); ok {
			o, known := sh.Schema.Object(ref.Object)
			if rec, found := about[ref.Object][ref.ID]; known && found {
				row.Related = cell{Text: records.Title(o, rec), Link: "/" + ref.Object + "/" + ref.ID}
			}
		}
		out = append(out, row)
	}
	return out
}

// completeTask marks a task done from a list (My tasks, a record's open
// tasks) and goes back there.
func (d *Deps) completeTask(w http.ResponseWriter, r *http.Request, sh *shell) {
	back := "/tasks/mine"
	if b := r.PostFormValue("back"); b != "" {
		back = safeNext(b)
	}
	t, err := d.Records.Update(r.Context(), sh.Identity.Principal, tasks.Object, r.PathValue("id"), map[string]any{"done": true}, nil)
	if err != nil {
		d.refusedTo(w, r, sh, back, err)
		return
	}
	d.redirectWithFlash(w, r, back, sh.L.T("tasks.flash.done", t["title"]))
}

// planFollowUp makes a task about a record from its page: due in the days
// chosen at the time chosen (the workspace's time), with a reminder then.
// From an activity, the task is about the activity's first record, so
// that it shows where the conversation does.
func (d *Deps) planFollowUp(w http.ResponseWriter, r *http.Request, sh *shell) {
	object, id := r.PostFormValue("object"), r.PostFormValue("id")
	back := "/" + object + "/" + id
	if object == activities.Object {
		if act, err := d.Records.Get(r.Context(), sh.Identity.Principal, object, id, false); err == nil {
			if refs := activities.Refs(act); len(refs) > 0 {
				object, id = refs[0].Object, refs[0].ID
			}
		}
	}
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || days < 0 || days > 366 {
		days = 3
	}
	hour, minute := 9, 0
	if hm := strings.Split(r.PostFormValue("time"), ":"); len(hm) == 2 {
		if h, err := strconv.Atoi(hm[0]); err == nil && h >= 0 && h < 24 {
			hour = h
		}
		if m, err := strconv.Atoi(hm[1]); err == nil && m >= 0 && m < 60 {
			minute = m
		}
	}
	now := tasks.InZone(d.now(), sh.Workspace.TimeZone)
	due := time.Date(now.Year(), now.Month(), now.Day()+days, hour, minute, 0, 0, now.Location())
	in := map[string]any{"title": r.PostFormValue("title"), "due_at": due.UTC().Format(time.RFC3339), "related": map[string]any{"object": object, "id": id}}
	if r.PostFormValue("remind") == "on" {
		in["remind_at"] = in["due_at"]
	}
	if _, err := d.Records.Create(r.Context(), sh.Identity.Principal, tasks.Object, in); err != nil {
		d.refusedTo(w, r, sh, back, err)
		return
	}
	d.redirectWithFlash(w, r, back, sh.L.T("tasks.flash.planned", sh.L.Time(due)))
}

// notifications lists the user's notifications and marks them read: seen
// is read.
func (d *Deps) notifications(w http.ResponseWriter, r *http.Request, sh *shell) {
	sh.Current = "notifications"
	list, _, err := d.Notify.List(r.Context(), sh.Identity.WorkspaceID, sh.Identity.UserID, false, notify.MaxList)
	if err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	if err := d.Notify.MarkRead(r.Context(), sh.Identity.WorkspaceID, sh.Identity.UserID, nil); err != nil {
		d.failAt(w, r, sh, err)
		return
	}
	sh.Unread = 0
	type row struct {
		notify.Notification
		When, Exact string
		New         bool
	}
	rows := make([]row, 0, len(list))
	for _, n := range list {
		rows = append(rows, row{Notification: n, When: sh.L.Relative(n.CreatedAt, d.now()), Exact: sh.L.Time(n.CreatedAt), New: n.ReadAt == nil})
	}
	d.renderShell(w, http.StatusOK, "notifications.html", sh.L.T("notifications.title"), sh, rows)
}

// recordTasks are a record's open tasks, soonest first, and its
// follow-up form (not on a task, nor for those who may not make tasks).
func (d *Deps) recordTasks(r *http.Request, sh *shell, object, id, title string) ([]taskRow, *followUp) {
	if object == tasks.Object || access.CanCreate(sh.Identity.Principal, tasks.Object) != nil {
		return nil, nil
	}
	page, err := d.Records.List(r.Context(), sh.Identity.Principal, tasks.Object, records.Query{
		Filter: `related.id = "` + id + `" AND done = false`, OrderBy: "due_at, id", PageSize: 20})
	var open []taskRow
	if err == nil {
		open = d.taskRows(r, sh, page.Data)
	}
	return open, &followUp{Object: object, ID: id, Title: sh.L.T("tasks.follow_up_title", title), Days: FollowUpDays}
}
