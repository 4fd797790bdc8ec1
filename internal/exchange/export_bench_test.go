package exchange_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/app"
	"github.com/rapport-crm/rapport/internal/exchange"
	"github.com/rapport-crm/rapport/internal/records"
	"github.com/rapport-crm/rapport/internal/store/storetest"
)

// BenchmarkExport: the engine's walk and the writers, without HTTP
// (make bench measures the whole path at 1,000,000 contacts).
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	sys := app.Build(storetest.OpenFresh(b), app.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	ws, err := sys.Auth.CreateWorkspace(ctx, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	p := access.System(ws.ID)
	var batch []map[string]any
	for i := range 20000 {
		batch = append(batch, map[string]any{"first_name": "Ada", "last_name": fmt.Sprint("Lovelace", i), "email": fmt.Sprintf("ada%d@example.com", i),
			"phone": "+44 20 7946 0000", "lifecycle_stage": "lead", "tags": []any{"vip"}})
		if len(batch) == 5000 {
			if _, err := sys.Records.CreateMany(ctx, p, "contacts", batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	s, _ := sys.Schemas.Get(ctx, ws.ID)
	o, _ := s.Object("contacts")
	for _, format := range []string{exchange.CSV, exchange.JSON} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				w, _ := exchange.NewWriter(io.Discard, format, o, nil)
				if err := sys.Records.Each(ctx, p, "contacts", records.Query{}, w.Write); err != nil {
					b.Fatal(err)
				}
				_ = w.Close()
			}
			b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
