package email

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/google/uuid"
)

// Reading mailboxes: one node at a time reads a mailbox (it holds a lease
// on the account), files every message it has not filed yet — kept as it
// came with a job to read it, and the highest UID filed, in one
// transaction — then waits for more: IDLE where the server has it, a poll
// where not. Nothing is filed twice (UIDs, then Message-IDs) and nothing
// is lost across restarts (the UID moves only with the messages filed).

// Reading configures the mailbox readers.
type Reading struct {
	// Every is how often a mailbox without IDLE is polled, and how often
	// the readers look for mailboxes to read.
	Every time.Duration
	// Idle bounds one IDLE (servers drop it after 30 minutes).
	Idle time.Duration
	// MaxBytes bounds a message; a larger one is skipped with a note.
	MaxBytes int64
	// TLS is the TLS configuration of the connections (nil: the system's).
	TLS *tls.Config
}

// batch is how many messages one fetch files.
const batch = 50

// ReadMailboxes reads every workspace's IMAP mailboxes until ctx ends.
func (s *Service) ReadMailboxes(ctx context.Context, opt Reading) {
	if opt.Every <= 0 {
		opt.Every = time.Minute
	}
	if opt.Idle <= 0 {
		opt.Idle = 25 * time.Minute
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 25 << 20
	}
	node := uuid.NewString()
	reading := map[string]context.CancelFunc{} // by workspace/account
	done := make(chan string, 16)
	t := time.NewTicker(opt.Every)
	defer t.Stop()
	for {
		for _, ref := range s.claimMailboxes(ctx, node, opt) {
			key := ref[0] + "/" + ref[1]
			if _, ok := reading[key]; ok {
				continue
			}
			rctx, cancel := context.WithCancel(ctx)
			reading[key] = cancel
			go func() {
				s.readMailbox(rctx, node, ref[0], ref[1], opt)
				done <- key
			}()
		}
		select {
		case <-ctx.Done():
			for len(reading) > 0 {
				delete(reading, <-done)
			}
			return
		case key := <-done:
			reading[key]()
			delete(reading, key)
		case <-s.readers:
		case <-t.C:
		}
	}
}

// wakeReaders makes the readers look for mailboxes now (one was added or
// changed).
func (s *Service) wakeReaders() {
	select {
	case s.readers <- struct{}{}:
	default:
	}
}

// leaseFor is how long a reader's hold on a mailbox lasts unless renewed
// (every round of the readers renews it): a node that dies leaves its
// mailboxes to another within three rounds.
func leaseFor(opt Reading) time.Duration { return 3 * opt.Every }

// claimMailboxes takes the lease of every mailbox no live node reads, and
// returns them (workspace, account) with those this node holds.
func (s *Service) claimMailboxes(ctx context.Context, node string, opt Reading) [][2]string {
	d := s.db.Dialect()
	now := s.now()
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE mail_accounts SET lease_by = $1, lease_until = $2
		WHERE imap_host <> '' AND (lease_by = '' OR lease_by = $1 OR lease_until IS NULL OR lease_until < $3)`, node, d.Time(now.Add(leaseFor(opt))), d.Time(now))
	if err != nil {
		return nil
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT workspace_id, id FROM mail_accounts WHERE imap_host <> '' AND lease_by = $1`, node)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var ref [2]string
		if rows.Scan(&ref[0], &ref[1]) == nil {
			out = append(out, ref)
		}
	}
	return out
}

// readMailbox reads one mailbox while this node holds it: files what is
// new, waits, and again; on an error it notes it on the account and
// returns (the next round of the readers tries again).
func (s *Service) readMailbox(ctx context.Context, node, ws, id string, opt Reading) {
	err := s.watch(ctx, node, ws, id, opt)
	if ctx.Err() != nil {
		_, _ = s.db.Writer().ExecContext(context.WithoutCancel(ctx), `UPDATE mail_accounts SET lease_by = '', lease_until = NULL WHERE workspace_id = $1 AND id = $2 AND lease_by = $3`, ws, id, node)
		return
	}
	if err != nil {
		_, _ = s.db.Writer().ExecContext(ctx, `UPDATE mail_accounts SET imap_error = $4, imap_polled_at = $5 WHERE workspace_id = $1 AND id = $2 AND lease_by = $3`,
			ws, id, node, strings.ToValidUTF8(err.Error(), "\uFFFD"), s.db.Dialect().Time(s.now()))
		// Wait a round before the next try, still holding the lease.
		select {
		case <-ctx.Done():
		case <-time.After(opt.Every):
		}
	}
}

// watch connects to a mailbox and files its mail until ctx ends or the
// account changes.
func (s *Service) watch(ctx context.Context, node, ws, id string, opt Reading) error {
	a, _, err := s.account(ctx, ws, id)
	if err != nil {
		return err
	}
	newMail := make(chan struct{}, 1)
	c, sel, err := s.dialIMAP(ctx, ws, a, opt, &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			select {
			case newMail <- struct{}{}:
			default:
			}
		}
	}})
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	for {
		if err := s.fileNew(ctx, node, ws, a, c, sel.UIDValidity, opt); err != nil {
			return err
		}
		// Still ours, and unchanged? (Else the readers start again.)
		var by string
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT lease_by FROM mail_accounts WHERE workspace_id = $1 AND id = $2`, ws, id).Scan(&by); err != nil {
			return err
		}
		now, _, err := s.account(ctx, ws, id)
		if err != nil {
			return err
		}
		if by != node || !now.UpdatedAt.Equal(a.UpdatedAt) {
			return nil
		}
		if c.Caps().Has(imap.CapIdle) {
			if err := idle(ctx, c, newMail, opt.Idle); err != nil {
				return err
			}
		} else {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(opt.Every):
			}
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// idle waits in IDLE until new mail, d, or ctx.
func idle(ctx context.Context, c *imapclient.Client, newMail <-chan struct{}, d time.Duration) error {
	cmd, err := c.Idle()
	if err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-newMail:
	case <-t.C:
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	return cmd.Wait()
}

// dialIMAP connects and logs in to an account's mailbox and selects its
// folder.
func (s *Service) dialIMAP(ctx context.Context, ws string, a *Account, opt Reading, h *imapclient.UnilateralDataHandler) (*imapclient.Client, *imap.SelectData, error) {
	_, sec, err := s.account(ctx, ws, a.ID)
	if err != nil {
		return nil, nil, err
	}
	pass, err := s.box.Open(ctx, ws, sec.imap)
	if err != nil {
		return nil, nil, err
	}
	addr := net.JoinHostPort(a.IMAP.Host, strconv.Itoa(a.IMAP.Port))
	tlsConfig := opt.TLS
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: a.IMAP.Host}
	}
	options := &imapclient.Options{TLSConfig: tlsConfig, UnilateralDataHandler: h, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	var c *imapclient.Client
	switch a.IMAP.Security {
	case "tls":
		c, err = imapclient.DialTLS(addr, options)
	case "starttls":
		c, err = imapclient.DialStartTLS(addr, options)
	default:
		c, err = imapclient.DialInsecure(addr, options)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	if err := c.Login(a.IMAP.Username, pass).Wait(); err != nil {
		_ = c.Close()
		return nil, nil, fmt.Errorf("log in as %s: %w", a.IMAP.Username, err)
	}
	sel, err := c.Select(a.IMAP.Folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		_ = c.Close()
		return nil, nil, fmt.Errorf("open folder %s: %w", a.IMAP.Folder, err)
	}
	return c, sel, nil
}

// testRead logs in to an account's mailbox and opens its folder.
func (s *Service) testRead(ctx context.Context, ws string, a *Account) error {
	c, _, err := s.dialIMAP(ctx, ws, a, Reading{}, nil)
	if err != nil {
		return err
	}
	_ = c.Logout().Wait()
	return c.Close()
}

// fileNew files the mailbox's messages above the highest UID filed, a
// batch a transaction. A changed UIDVALIDITY (the folder was rebuilt)
// starts over from the first UID; Message-IDs keep what was filed before
// from being filed again.
func (s *Service) fileNew(ctx context.Context, node, ws string, a *Account, c *imapclient.Client, uidValidity uint32, opt Reading) error {
	var validity, last int64
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT imap_validity, imap_last_uid FROM mail_accounts WHERE workspace_id = $1 AND id = $2`, ws, a.ID).Scan(&validity, &last); err != nil {
		return err
	}
	if int64(uidValidity) != validity {
		validity, last = int64(uidValidity), 0
	}
	// Which UIDs are new, and how large (UID FETCH n:* always answers
	// the highest message, new or not).
	var from imap.UIDSet
	from.AddRange(imap.UID(last+1), 0)
	sizes, err := c.Fetch(from, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("list new mail: %w", err)
	}
	type item struct {
		uid  imap.UID
		size int64
	}
	var fresh []item
	for _, m := range sizes {
		if int64(m.UID) > last {
			fresh = append(fresh, item{m.UID, m.RFC822Size})
		}
	}
	slices.SortFunc(fresh, func(a, b item) int { return int(a.uid) - int(b.uid) })
	var skipped []string
	for len(fresh) > 0 {
		n := min(batch, len(fresh))
		chunk := fresh[:n]
		fresh = fresh[n:]
		var want imap.UIDSet
		for _, it := range chunk {
			if it.size > opt.MaxBytes {
				skipped = append(skipped, fmt.Sprintf("UID %d (%d bytes)", it.uid, it.size))
				continue
			}
			want.AddNum(it.uid)
		}
		var msgs []*imapclient.FetchMessageBuffer
		if len(want) > 0 {
			body := &imap.FetchItemBodySection{Peek: true}
			if msgs, err = c.Fetch(want, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect(); err != nil {
				return fmt.Errorf("fetch mail: %w", err)
			}
			slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
		}
		top := int64(chunk[len(chunk)-1].uid)
		if err := s.file(ctx, node, ws, a, validity, top, msgs); err != nil {
			return err
		}
	}
	note := ""
	if len(skipped) > 0 {
		note = fmt.Sprintf("skipped, larger than %d MiB: %v", opt.MaxBytes>>20, skipped)
	}
	d := s.db.Dialect()
	_, err = s.db.Writer().ExecContext(ctx, `UPDATE mail_accounts SET imap_validity = $3, imap_polled_at = $4, imap_error = $5, lease_until = $6
		WHERE workspace_id = $1 AND id = $2`, ws, a.ID, validity, d.Time(s.now()), note, d.Time(s.now().Add(leaseFor(opt))))
	return err
}

// file keeps a batch of fetched messages with a job each, and moves the
// account's highest UID to top, in one transaction (only while this node
// holds the mailbox).
func (s *Service) file(ctx context.Context, node, ws string, a *Account, validity, top int64, msgs []*imapclient.FetchMessageBuffer) error {
	return s.eng.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mail_accounts SET imap_validity = $3, imap_last_uid = $4 WHERE workspace_id = $1 AND id = $2 AND lease_by = $5`,
			ws, a.ID, validity, top, node)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errors.New("another node reads this mailbox now")
		}
		for _, m := range msgs {
			if len(m.BodySection) == 0 {
				continue
			}
			if err := s.Keep(ctx, tx, Inbound{WorkspaceID: ws, To: a.Address, Raw: m.BodySection[0].Bytes, AccountID: a.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}
