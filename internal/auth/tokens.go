package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/rapport-crm/rapport/internal/secret"
)

// Secrets handed to clients (API keys, session cookies, setup tokens) name
// their workspace in clear and carry 32 random bytes; only a SHA-256 of the
// whole secret is stored. "rk_<workspace>_<random>".

func newSecret(prefix, ws string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return prefix + "_" + strings.ReplaceAll(ws, "-", "") + "_" + base64.RawURLEncoding.EncodeToString(b)
}

// splitSecret returns the workspace id a secret names.
func splitSecret(prefix, s string) (ws string, ok bool) {
	rest, found := strings.CutPrefix(s, prefix+"_")
	if !found {
		return "", false
	}
	hexWS, random, found := strings.Cut(rest, "_")
	if !found || len(hexWS) != 32 || len(random) < 40 {
		return "", false
	}
	if _, err := hex.DecodeString(hexWS); err != nil {
		return "", false
	}
	return hexWS[0:8] + "-" + hexWS[8:12] + "-" + hexWS[12:16] + "-" + hexWS[16:20] + "-" + hexWS[20:32], true
}

func hashSecret(s string) string { return secret.Hash(s) }
