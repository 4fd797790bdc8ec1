package ops

import (
	"net/http"
	"strings"
)

// BaseURL is the base of links Rapport hands out: the public URL when one
// is set, else the scheme and host the request came to.
func BaseURL(public string, r *http.Request) string {
	if base := strings.TrimSuffix(public, "/"); base != "" {
		return base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
