package app

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/schema"
	"github.com/rapport-crm/rapport/internal/store"
	"github.com/rapport-crm/rapport/internal/web"
)

// bench seeds a workspace with many contacts and measures the API over
// real HTTP on loopback. It writes a Markdown table to stdout.
func bench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbURL, cpuProfile string
	var contacts, samples, importRows, dealRows, mailRows, ticketRows int
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&dbURL, "db", "", "database URL (default: a new SQLite file in a temporary folder)")
	fs.IntVar(&contacts, "contacts", 1000000, "contacts to seed")
	fs.IntVar(&samples, "samples", 400, "requests measured per scenario")
	fs.IntVar(&importRows, "import", 0, "also import this many contacts from a CSV file, against the raw insert ceiling (0: no)")
	fs.IntVar(&dealRows, "deals", 0, "also seed this many deals across five pipelines and measure the kanban board, the forecast and the reports (0: no)")
	fs.IntVar(&mailRows, "mail", 0, "also send this many messages to an SMTP sink and file as many received ones (0: no)")
	fs.IntVar(&ticketRows, "tickets", 0, "also seed this many tickets, measure an agent's open tickets, and file mail to support@ into tickets (0: no)")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof reads it)")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("bench takes no arguments")
	}
	if contacts < 1000 {
		return usagef("--contacts must be at least 1000")
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "rapport-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbURL = store.DefaultURL(filepath.Join(dir, "data"))
	}
	db, err := openStore(ctx, common{db: dbURL})
	if err != nil {
		return err
	}
	defer db.Close()
	sys := Build(db, Config{}, newLogger(io.Discard), time.Now)
	ws, err := sys.Auth.CreateWorkspace(ctx, "Bench")
	if err != nil {
		return err
	}
	admin, err := sys.Auth.CreateUser(ctx, access.System(ws.ID), ws.ID, auth.NewUser{Email: "bench@rapport.example", Name: "Bench", Role: "admin", Password: "bench-password"})
	if err != nil {
		return err
	}
	p := access.Principal{WorkspaceID: ws.ID, UserID: admin.ID, Role: access.Admin}
	_, key, err := sys.Auth.CreateAPIKey(ctx, p, admin.ID, "bench")
	if err != nil {
		return err
	}
	if _, err := sys.Schemas.AddField(ctx, ws.ID, "contacts", schema.NewField{Name: "region_code", Kind: schema.Text, Indexed: true}); err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }

	// Seed: companies, then contacts, 5,000 per transaction.
	g := newGenerator(42)
	nCompanies := max(10, contacts/100)
	var companyIDs []string
	for start := 0; start < nCompanies; start += 5000 {
		var batch []map[string]any
		for i := start; i < min(start+5000, nCompanies); i++ {
			batch = append(batch, g.company())
		}
		recs, err := sys.Records.CreateMany(ctx, p, "companies", batch)
		if err != nil {
			return fmt.Errorf("seed companies: %w", err)
		}
		for _, r := range recs {
			companyIDs = append(companyIDs, r.ID())
		}
	}
	seedStart := time.Now()
	const seedBatch = 5000
	for start := 0; start < contacts; start += seedBatch {
		batch := make([]map[string]any, 0, seedBatch)
		for i := start; i < min(start+seedBatch, contacts); i++ {
			c := g.contact(companyIDs[g.r.IntN(len(companyIDs))], "")
			c["region_code"] = fmt.Sprintf("R%04d", g.r.IntN(1000))
			batch = append(batch, c)
		}
		if _, err := sys.Records.CreateMany(ctx, p, "contacts", batch); err != nil {
			return fmt.Errorf("seed contacts: %w", err)
		}
		if done := start + len(batch); done%100000 == 0 || done == contacts {
			el := time.Since(seedStart)
			logf("seeded %d contacts in %s (%.0f rows/s)", done, el.Round(time.Second), float64(done)/el.Seconds())
		}
	}
	seedRate := float64(contacts) / time.Since(seedStart).Seconds()
	// What a user would meet some seconds after an import: the search
	// index merged (store.DB.MergeSearchLater).
	mergeStart := time.Now()
	if err := db.SearchMerged(ctx); err != nil {
		return err
	}
	logf("search index merged %s after the seed", time.Since(mergeStart).Round(time.Millisecond))
	if _, err := db.Writer().ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}

	sess, err := sys.Auth.NewSession(ctx, ws.ID, admin.ID, "127.0.0.1", "bench")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sys.Handler}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}
	call := func(method, path string, body any) (map[string]any, time.Duration, error) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequestWithContext(ctx, method, base+path, rd)
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+key)
		} else {
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: sess.Token})
		}
		req.Header.Set("Content-Type", "application/json")
		t := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, 0, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		d := time.Since(t)
		if resp.StatusCode >= 300 {
			return nil, d, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out, d, nil
	}
	// measureN measures n requests (0: --samples) after n/20 warm-up
	// ones (at least 3; 20 for --samples).
	measureN := func(name string, paths []string, n int) (row []string, err error) {
		warm := max(3, n/20)
		if n <= 0 {
			n, warm = samples, 20
		}
		for i := 0; i < warm; i++ { // warm up
			if _, _, err := call("GET", paths[i%len(paths)], nil); err != nil {
				return nil, err
			}
		}
		var ds []time.Duration
		for i := 0; i < n; i++ {
			_, d, err := call("GET", paths[i%len(paths)], nil)
			if err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
		p50, p99 := percentile(ds, 50), percentile(ds, 99)
		logf("%s: p50 %s p99 %s", name, p50, p99)
		return []string{name, "", ms(p50), ms(p99)}, nil
	}
	measure := func(name string, paths []string) ([]string, error) { return measureN(name, paths, 0) }

	var rows [][]string
	rows = append(rows, []string{fmt.Sprintf("bulk seed of %d contacts (5,000 per transaction, with their events)", contacts), fmt.Sprintf("%.0f rows/s", seedRate), "", ""})

	// Create over HTTP: 4 clients, one record per request.
	const creates, workers = 4000, 8
	var mu sync.Mutex
	var cds []time.Duration
	var wg sync.WaitGroup
	var firstErr error
	cstart := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < creates; i += workers {
				_, d, err := call("POST", "/api/v1/contacts", map[string]any{"first_name": "Bench", "last_name": fmt.Sprintf("Create%d", i),
					"email": fmt.Sprintf("bench.create.%d@example.com", i), "lifecycle_stage": "lead"})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				cds = append(cds, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	rate := float64(creates) / time.Since(cstart).Seconds()
	logf("create: %.0f req/s", rate)
	rows = append(rows, []string{fmt.Sprintf("create one contact over HTTP (%d clients)", workers), fmt.Sprintf("%.0f req/s", rate), ms(percentile(cds, 50)), ms(percentile(cds, 99))})

	list := "/api/v1/contacts?" + url.Values{"filter": {`lifecycle_stage = "customer"`}, "order_by": {"created_at desc"}, "page_size": {"50"}}.Encode()
	r, err := measure(`list, filter lifecycle_stage = "customer", order created_at desc, first page of 50`, []string{list})
	if err != nil {
		return err
	}
	rows = append(rows, r)
	// A deep page: walk 500-record pages half-way through the matches.
	token := ""
	deep := 0
	for i := 0; i < contacts/8/500/2+1; i++ {
		out, _, err := call("GET", "/api/v1/contacts?"+url.Values{"filter": {`lifecycle_stage = "customer"`}, "order_by": {"created_at desc"}, "page_size": {"500"}, "page_token": {token}}.Encode(), nil)
		if err != nil {
			return err
		}
		next, _ := out["next_page_token"].(string)
		if next == "" {
			break
		}
		token, deep = next, deep+500
	}
	r, err = measure(fmt.Sprintf("the same list, a deep page (after %d records)", deep), []string{list + "&page_token=" + url.QueryEscape(token)})
	if err != nil {
		return err
	}
	rows = append(rows, r)
	page := "/contacts?" + url.Values{"filter": {`lifecycle_stage = "customer"`}, "order_by": {"created_at desc"}}.Encode()
	r, err = measure("web: the same list as a page (50 rows with their companies and owners, and the count)", []string{page})
	if err != nil {
		return err
	}
	rows = append(rows, r)
	var searches []string
	for _, n := range lastNames[:40] {
		if len([]rune(n)) >= 3 {
			searches = append(searches, "/api/v1/contacts?"+url.Values{"q": {string([]rune(n)[:3])}, "page_size": {"50"}}.Encode())
		}
	}
	r, err = measure("q search by a 3-letter name prefix, 50 results", searches)
	if err != nil {
		return err
	}
	rows = append(rows, r)
	var regions []string
	for i := 0; i < 50; i++ {
		regions = append(regions, "/api/v1/contacts?"+url.Values{"filter": {fmt.Sprintf(`region_code = "R%04d"`, i*17)}, "page_size": {"50"}}.Encode())
	}
	r, err = measure("filter on an indexed custom field (region_code = \"R0042\", ~0.1% of rows)", regions)
	if err != nil {
		return err
	}
	rows = append(rows, r)

	// Export: every contact streamed over HTTP, read and counted by the
	// client (whose CPU shares the two cores).
	for _, format := range []string{"csv", "json"} {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/contacts/export?format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		t0 := time.Now()
		resp, err := (&http.Client{}).Do(req)
		if err != nil {
			return err
		}
		n, err := countLines(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if format == "csv" {
			n-- // the header
		}
		el := time.Since(t0)
		logf("export %s: %d rows in %s", format, n, el.Round(time.Millisecond))
		rows = append(rows, []string{fmt.Sprintf("export every contact as %s over HTTP (%d rows, streamed)", strings.ToUpper(format), n), fmt.Sprintf("%.0f rows/s", float64(n)/el.Seconds()), "", ""})
	}

	if dealRows > 0 {
		more, err := benchDeals(ctx, sys, p, dealRows, companyIDs, measureN, logf)
		if err != nil {
			return err
		}
		rows = append(rows, more...)
	}
	if ticketRows > 0 {
		more, err := benchTickets(ctx, sys, p, ticketRows, max(mailRows, 5000), measure, logf)
		if err != nil {
			return err
		}
		rows = append(rows, more...)
	}
	if mailRows > 0 {
		more, err := benchMail(ctx, sys, p, mailRows, logf)
		if err != nil {
			return err
		}
		rows = append(rows, more...)
	}
	if importRows > 0 {
		more, err := benchImport(ctx, sys, importRows, logf)
		if err != nil {
			return err
		}
		rows = append(rows, more...)
	}

	fmt.Fprintf(stdout, "\n%s, %d contacts across %d companies (%s)\n\n", db.Dialect(), contacts, nCompanies, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(stdout, "| measurement | throughput | p50 | p99 |")
	fmt.Fprintln(stdout, "|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3])
	}
	return nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// countLines counts the lines of a stream (records with quoted newlines
// are not in the benchmark's data).
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 256<<10)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
