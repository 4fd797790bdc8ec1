package exchange_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/app"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

// BenchmarkImport: a CSV import of 20,000 contacts with dedupe by email and
// companies by name, into a new workspace each round (make bench measures
// 1,000,000 against the driver's ceiling).
func BenchmarkImport(b *testing.B) {
	const n = 20000
	var file bytes.Buffer
	fmt.Fprintln(&file, "First Name,Last Name,Email,Phone Number,Job Title,Company Name")
	for i := range n {
		fmt.Fprintf(&file, "Ada,Lovelace%d,imp%d@example%d.com,+49 30 %07d,Engineer,Import Company %d\n", i, i, i%500, i, i%(n/500+1))
	}
	ctx := context.Background()
	sys := app.Build(storetest.OpenFresh(b), app.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	im := &exchange.Importer{Eng: sys.Records}
	round := 0
	for b.Loop() {
		round++
		ws, err := sys.Auth.CreateWorkspace(ctx, fmt.Sprint("Bench ", round))
		if err != nil {
			b.Fatal(err)
		}
		res, err := im.ImportCSV(ctx, access.System(ws.ID), "contacts", bytes.NewReader(file.Bytes()), exchange.Options{Dedupe: "email"}, io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Created != n {
			b.Fatalf("created %d of %d: %+v", res.Created, n, res)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
