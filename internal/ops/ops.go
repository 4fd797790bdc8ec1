// Package ops is what operators see: request ids, structured request logs,
// Prometheus metrics, and the health and readiness endpoints.
package ops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rapport-crm/rapport/internal/store"
)

type ctxKey int

const requestIDKey ctxKey = 1

// RequestID returns the request id carried by ctx.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

var goodID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// Metrics holds the Prometheus collectors.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// Stats is what the metrics read on each scrape.
type Stats struct {
	DB       *store.DB
	JobDepth func(ctx context.Context) (map[string]int64, error)
}

// NewMetrics registers the collectors.
func NewMetrics(st Stats) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rapport_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st.JobDepth != nil {
		for _, state := range []string{"available", "running"} {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "rapport_jobs", Help: "Jobs by state.", ConstLabels: prometheus.Labels{"state": state}},
				func() float64 {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					defer cancel()
					d, err := st.JobDepth(ctx)
					if err != nil {
						return -1
					}
					return float64(d[state])
				}))
		}
	}
	if st.DB != nil {
		for _, pool := range []string{"writer", "reader"} {
			read := func() (s struct{ open, inUse, idle, waits float64 }) {
				w, r := st.DB.Stats()
				x := w
				if pool == "reader" {
					x = r
				}
				s.open, s.inUse, s.idle, s.waits = float64(x.OpenConnections), float64(x.InUse), float64(x.Idle), float64(x.WaitCount)
				return s
			}
			l := prometheus.Labels{"pool": pool}
			reg.MustRegister(
				prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "rapport_db_connections_open", Help: "Open database connections.", ConstLabels: l}, func() float64 { return read().open }),
				prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "rapport_db_connections_in_use", Help: "Database connections in use.", ConstLabels: l}, func() float64 { return read().inUse }),
				prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "rapport_db_connections_idle", Help: "Idle database connections.", ConstLabels: l}, func() float64 { return read().idle }),
				prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "rapport_db_connection_waits_total", Help: "Waits for a database connection.", ConstLabels: l}, func() float64 { return read().waits }),
			)
		}
	}
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Middleware gives each request an id (kept from X-Request-Id when sane),
// returns it in X-Request-Id, logs the request, counts it per route, and
// turns a panic into a logged 500.
func (m *Metrics) Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !goodID.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		rec := &recorder{ResponseWriter: w}
		r = r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(ctx, "panic", "err", p, "request_id", id, "path", r.URL.Path)
				if rec.status == 0 {
					w.Header().Set("Content-Type", "application/problem+json")
					rec.WriteHeader(http.StatusInternalServerError)
					_, _ = w.Write([]byte(`{"type":"/problems/internal","title":"Internal server error","status":500,"request_id":"` + id + `"}`))
				}
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			dur := time.Since(start)
			m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
			m.latency.WithLabelValues(route, r.Method).Observe(dur.Seconds())
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelError
			}
			log.Log(ctx, level, "request", "request_id", id, "method", r.Method, "path", r.URL.Path, "route", route,
				"status", rec.status, "bytes", rec.bytes, "duration_ms", float64(dur.Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r)
	})
}

// Health answers /healthz: the process is up.
func Health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
}

// Ready answers /readyz: the database answers and its schema is current.
func Ready(db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := db.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable","reason":"database unreachable"}` + "\n"))
			return
		}
		cur, known, err := db.SchemaVersion(ctx)
		if err != nil || cur != known {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable","reason":"migrations pending"}` + "\n"))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
}
