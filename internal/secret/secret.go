// Package secret seals what Rapport must keep but may not show, and must
// read back to use (a mail account's password): AES-256-GCM under a key
// that is the install's RAPPORT_SECRET_KEY when set, or else one made for
// each workspace and kept in its own table, apart from what it seals.
package secret

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/store"
)

const prefix = "v1:"

// Box seals and opens secrets.
type Box struct {
	db      *store.DB
	install []byte // from RAPPORT_SECRET_KEY; nil: a key per workspace
}

// New returns a box over db. A non-empty passphrase is the key of every
// workspace (hashed to 256 bits); without one, each workspace gets a
// random key on first use.
func New(db *store.DB, passphrase string) *Box {
	b := &Box{db: db}
	if passphrase != "" {
		k := sha256.Sum256([]byte(passphrase))
		b.install = k[:]
	}
	return b
}

// Seal encrypts plain for workspace ws. The empty string stays empty.
func (b *Box) Seal(ctx context.Context, ws, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	aead, err := b.aead(ctx, ws)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte(plain), []byte(ws))
	return prefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal made.
func (b *Box) Open(ctx context.Context, ws, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", errors.New("secret: not sealed by this version")
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	aead, err := b.aead(ctx, ws)
	if err != nil {
		return "", err
	}
	if len(data) < aead.NonceSize() {
		return "", errors.New("secret: too short")
	}
	plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(ws))
	if err != nil {
		return "", errors.New("secret: cannot be opened with this key (was RAPPORT_SECRET_KEY changed?)")
	}
	return string(plain), nil
}

func (b *Box) aead(ctx context.Context, ws string) (cipher.AEAD, error) {
	key := b.install
	if key == nil {
		var err error
		if key, err = b.workspaceKey(ctx, ws); err != nil {
			return nil, err
		}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// workspaceKey reads the workspace's key, making it on first use; two
// nodes that make one at once keep the first.
func (b *Box) workspaceKey(ctx context.Context, ws string) ([]byte, error) {
	var key []byte
	err := b.db.Reader().QueryRowContext(ctx, `SELECT key FROM secret_keys WHERE workspace_id = $1`, ws).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	if _, err := b.db.Writer().ExecContext(ctx, `INSERT INTO secret_keys (workspace_id, key, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		ws, fresh, b.db.Dialect().Time(time.Now())); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	if err := b.db.Writer().QueryRowContext(ctx, `SELECT key FROM secret_keys WHERE workspace_id = $1`, ws).Scan(&key); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return key, nil
}

// Hash is what Rapport keeps of a token it hands out and takes back (an
// API key, a session, a sign-in or rating link): its SHA-256, in hex. The
// token itself is never stored.
func Hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
