package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/i18n"
	"github.com/rapport-crm/rapport/internal/ops"
)

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type      string             `json:"type"`
	Title     string             `json:"title"`
	Status    int                `json:"status"`
	Detail    string             `json:"detail,omitempty"`
	Errors    []fault.FieldError `json:"errors,omitempty"`
	RequestID string             `json:"request_id,omitempty"`
}

var problemKinds = map[fault.Kind]struct {
	status int
	slug   string
	title  string
}{
	fault.KindBadRequest:   {400, "bad-request", "Bad request"},
	fault.KindUnauthorized: {401, "unauthorized", "Authentication required"},
	fault.KindForbidden:    {403, "forbidden", "Not allowed"},
	fault.KindNotFound:     {404, "not-found", "Not found"},
	fault.KindConflict:     {409, "conflict", "Conflict"},
	fault.KindStale:        {412, "stale", "Precondition failed"},
	fault.KindTooLarge:     {413, "too-large", "Request body too large"},
	fault.KindInvalid:      {422, "validation", "Validation failed"},
	fault.KindRateLimited:  {429, "rate-limited", "Too many requests"},
	fault.KindInternal:     {500, "internal", "Internal server error"},
}

// WriteError answers with the problem document for err. Internal errors
// are logged with the request id and never echoed.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	kind := fault.KindOf(err)
	pk := problemKinds[kind]
	p := Problem{Type: "/problems/" + pk.slug, Title: pk.title, Status: pk.status, RequestID: ops.RequestID(r.Context())}
	if fe := fault.As(err); fe != nil && kind != fault.KindInternal {
		p.Detail, p.Errors = fe.Msg, fe.Fields
		if fe.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(fe.RetryAfter))
		}
	}
	if l := localeOf(r); l.Tag != i18n.Default && kind != fault.KindInternal {
		// Messages for people: the web app's inline editing asks in the
		// page's language. Field names and the problem's type stay.
		p.Detail = l.Message(p.Detail)
		errs := make([]fault.FieldError, len(p.Errors))
		for i, fe := range p.Errors {
			errs[i] = fault.FieldError{Field: fe.Field, Message: l.Message(fe.Message)}
		}
		p.Errors = errs
		w.Header().Set("Content-Language", l.Tag)
	}
	switch kind {
	case fault.KindInternal:
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err, "request_id", p.RequestID)
		p.Detail = "something went wrong on our side; quote request id " + p.RequestID + " when reporting it"
	case fault.KindUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="rapport"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

var catalog = sync.OnceValue(i18n.MustLoad)

// localeOf is the language a request's Accept-Language asks for; English
// when it asks for none Rapport speaks.
func localeOf(r *http.Request) *i18n.Locale {
	return catalog().Negotiate("", r.Header.Get("Accept-Language"))
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
