package app

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

// TestImportKilledMidFile: a real `rapport import` process is killed
// (SIGKILL, no chance to clean up) half-way through a file that creates
// contacts, updates others (every tenth row's email is known) and makes a
// company for every 40 rows. What it wrote is exactly what it recorded as
// done, and all of it is in its journal; the same command run again
// resumes after those rows, and in the end every row is in once: none
// lost, none applied twice. Undone, the workspace is as before the import.
func TestImportKilledMidFile(t *testing.T) {
	bin := buildRapport(t)
	dbURL := storetest.FreshURL(t)
	const rows, known = 40000, 4000
	dir := t.TempDir()
	write := func(name string, n int, line func(i int) string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		for i := range n {
			fmt.Fprintln(w, line(i))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	before := write("before.csv", known+1, func(i int) string {
		if i == 0 {
			return "First Name,Email"
		}
		return fmt.Sprintf("Old,p%d@example.com", (i-1)*10)
	})
	if out, err := exec.Command(bin, "import", "contacts", before, "--db", dbURL).CombinedOutput(); err != nil {
		t.Fatalf("the first import: %v\n%s", err, out)
	}
	file := write("people.csv", rows+1, func(i int) string {
		if i == 0 {
			return "First Name,Last Name,Email,Company Name"
		}
		i--
		return fmt.Sprintf("P%d,Q%d,p%d@example.com,Company %d", i, i, i, i/40)
	})

	cmd := exec.Command(bin, "import", "contacts", file, "--dedupe", "email", "--db", dbURL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	db := storetest.OpenURL(t, dbURL)
	ctx := context.Background()
	done := 0
	deadline := time.Now().Add(2 * time.Minute)
	for done < 4000 {
		select {
		case err := <-exited:
			t.Fatalf("the import ended before it could be killed (%d rows recorded): %v\n%s", done, err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress recorded: %s", stderr.String())
		}
		_ = db.Reader().QueryRowContext(ctx, `SELECT COALESCE(MAX(rows_done), 0) FROM imports WHERE filename = $1`, file).Scan(&done)
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited

	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.Reader().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var id string
	var created, updated int
	if err := db.Reader().QueryRowContext(ctx, `SELECT id, rows_done, created, updated FROM imports WHERE filename = $1`, file).Scan(&id, &done, &created, &updated); err != nil {
		t.Fatal(err)
	}
	if done == 0 || done >= rows || created+updated != done {
		t.Fatalf("killed after %d of %d rows (%d created, %d updated): not half-way", done, rows, created, updated)
	}
	if n := count(`SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL`); n != known+created {
		t.Fatalf("after the kill %d contacts are in, but the import recorded %d created", n, created)
	}
	if n := count(`SELECT COUNT(*) FROM events WHERE object = 'contacts' AND kind = 'created'`); n != known+created {
		t.Fatalf("%d created events for %d created", n, created)
	}
	if n := count(`SELECT COUNT(*) FROM events WHERE object = 'contacts' AND kind = 'updated'`); n != updated {
		t.Fatalf("%d updated events for %d updated", n, updated)
	}
	journal := func(object, before string) int {
		return count(`SELECT COUNT(*) FROM import_changes WHERE import_id = '` + id + `' AND object = '` + object + `' AND before IS ` + before)
	}
	if n := journal("contacts", "NULL"); n != created {
		t.Fatalf("the journal holds %d contacts created for %d", n, created)
	}
	if n := journal("contacts", "NOT NULL"); n != updated {
		t.Fatalf("the journal holds %d contacts updated for %d", n, updated)
	}
	if n, m := count(`SELECT COUNT(*) FROM companies`), journal("companies", "NULL"); n != m || n != (done+39)/40 {
		t.Fatalf("after %d rows, %d companies are in and %d in the journal", done, n, m)
	}

	out, err := exec.Command(bin, "import", "contacts", file, "--dedupe", "email", "--db", dbURL).CombinedOutput()
	if err != nil {
		t.Fatalf("the second run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "resumed import ") || !strings.Contains(string(out), fmt.Sprintf("after the %d rows it had done", done)) {
		t.Errorf("the second run does not say it resumed: %s", out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("created %d, updated %d, skipped 0, failed 0", rows-known, known)) {
		t.Errorf("the second run's summary: %s", out)
	}
	if n := count(`SELECT COUNT(DISTINCT email) FROM contacts WHERE deleted_at IS NULL`); n != rows {
		t.Errorf("%d distinct contacts, want %d", n, rows)
	}
	if n := count(`SELECT COUNT(*) FROM contacts`); n != rows {
		t.Errorf("%d contacts, want %d", n, rows)
	}
	if n := count(`SELECT COUNT(*) FROM contacts WHERE first_name = 'Old'`); n != 0 {
		t.Errorf("%d contacts the import did not update", n)
	}
	if n := count(`SELECT COUNT(*) FROM events WHERE object = 'contacts' AND kind = 'updated'`); n != known {
		t.Errorf("%d updated events, want %d", n, known)
	}
	if n := count(`SELECT COUNT(*) FROM companies`); n != rows/40 {
		t.Errorf("%d companies, want %d", n, rows/40)
	}
	if n := count(`SELECT COUNT(*) FROM imports WHERE status = 'done'`); n != 2 {
		t.Errorf("%d finished imports, want both", n)
	}

	sys, ws, err := openSystem(ctx, common{db: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.DB.Close()
	if _, err := sys.Imports.Undo(ctx, access.System(ws.ID), id); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL`); n != known {
		t.Errorf("undone, %d contacts are left, want the %d from before", n, known)
	}
	if n := count(`SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL AND first_name = 'Old' AND last_name IS NULL`); n != known {
		t.Errorf("undone, %d of the %d contacts from before are as they were", n, known)
	}
	if n := count(`SELECT COUNT(*) FROM companies WHERE deleted_at IS NULL`); n != 0 {
		t.Errorf("undone, %d companies are left", n)
	}
}

// buildRapport builds the command into the test's temporary directory.
func buildRapport(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the test builds the command, and needs go on the PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "rapport")
	if out, err := exec.Command(gobin, "build", "-o", bin, "github.com/rapport-crm/rapport/cmd/rapport").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestImportFileChanged: an interrupted import whose file has changed
// since is not resumed (its rows done would no longer be the file's first
// rows): it is marked failed and named, and a new import starts.
func TestImportFileChanged(t *testing.T) {
	dbURL := storetest.FreshURL(t)
	env := map[string]string{"RAPPORT_DB": dbURL}
	file := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(file, []byte("First Name,Email\nAda,ada@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, env, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	db := storetest.OpenURL(t, dbURL)
	ctx := context.Background()
	r := runCmd(t, env, "", "import", "contacts", file)
	if r.code != 0 {
		t.Fatalf("first import: %+v", r)
	}
	// Made what a process killed after 500 rows of an earlier version of
	// the file leaves.
	if _, err := db.Writer().ExecContext(ctx, `UPDATE imports SET status = 'running', rows_done = 500, options = REPLACE(options, '"source":"', '"source":"old|')`); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, env, "", "import", "contacts", file, "--dedupe", "email")
	if r.code != 0 || !strings.Contains(r.stderr, "stopped after 500 rows and cannot be resumed: the file has changed since") || r.stdout != "created 0, updated 1, skipped 0, failed 0\n" {
		t.Fatalf("changed file: %+v", r)
	}
	var failed, done int
	_ = db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM imports WHERE status = 'failed' AND message LIKE '%changed since%'`).Scan(&failed)
	_ = db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM imports WHERE status = 'done'`).Scan(&done)
	if failed != 1 || done != 1 {
		t.Errorf("imports: %d failed, %d done; want one of each", failed, done)
	}
}
