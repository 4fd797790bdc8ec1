package app

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/mail"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c common
	var cfg Config
	var allowPrivate bool
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&cfg.Addr, "addr", "", "listen address (env RAPPORT_ADDR, default 127.0.0.1:8080)")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "base URL of links (env RAPPORT_PUBLIC_URL)")
	var smtpURL, mailFrom, smtpListen, mailDomain, dkimKey, dkimSelector string
	var smtpMaxMB int
	var smtpCert, smtpKey string
	fs.StringVar(&smtpListen, "smtp-listen", "", "receive mail by SMTP on this address, e.g. :2525 (env RAPPORT_SMTP_LISTEN; off unless set)")
	fs.StringVar(&mailDomain, "mail-domain", "", "the domain the receiver takes mail for, comma-separated (env RAPPORT_MAIL_DOMAIN, default the sender address's domain)")
	fs.IntVar(&smtpMaxMB, "smtp-max-mb", 25, "the largest message the receiver takes, in MiB")
	fs.StringVar(&smtpCert, "smtp-tls-cert", "", "a PEM certificate (chain) the receiver offers STARTTLS with (env RAPPORT_SMTP_TLS_CERT; with --smtp-tls-key)")
	fs.StringVar(&smtpKey, "smtp-tls-key", "", "the PEM private key of --smtp-tls-cert (env RAPPORT_SMTP_TLS_KEY)")
	fs.StringVar(&smtpURL, "smtp", "", "the default SMTP server that sends mail: smtp://user:password@host:587 (STARTTLS), smtps://…:465, smtp://host:25?tls=none (env RAPPORT_SMTP)")
	fs.StringVar(&smtpURL, "smtp-url", "", "the same as --smtp (env RAPPORT_SMTP_URL)")
	fs.StringVar(&dkimKey, "dkim-key", "", "PEM private key that signs outgoing mail of the sender's domain (env RAPPORT_DKIM_KEY, a file)")
	fs.StringVar(&dkimSelector, "dkim-selector", "", "the DKIM selector its public key is published under (env RAPPORT_DKIM_SELECTOR, default rapport)")
	fs.StringVar(&mailFrom, "mail-from", "", "sender of the mail Rapport sends (env RAPPORT_MAIL_FROM, default rapport@ the public URL's host)")
	fs.BoolVar(&allowPrivate, "webhooks-allow-private", false, "let webhooks target private and loopback addresses (env RAPPORT_WEBHOOKS_ALLOW_PRIVATE=1)")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("serve takes no arguments, got %q", pos[0])
	}
	c.resolve(getenv)
	cfg.Addr = env(getenv, cfg.Addr, "RAPPORT_ADDR", "127.0.0.1:8080")
	cfg.PublicURL = env(getenv, cfg.PublicURL, "RAPPORT_PUBLIC_URL", "")
	switch strings.ToLower(getenv("RAPPORT_WEBHOOKS_ALLOW_PRIVATE")) {
	case "1", "true", "yes":
		allowPrivate = true
	}
	cfg.AllowPrivateWebhooks = allowPrivate
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--public-url must be an http(s) URL, got %q", cfg.PublicURL)
		}
		cfg.SecureCookies = u.Scheme == "https"
	}
	smtpURL = env(getenv, smtpURL, "RAPPORT_SMTP", getenv("RAPPORT_SMTP_URL"))
	if smtpURL != "" {
		host := "localhost"
		if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		sender, err := mail.ParseURL(smtpURL, env(getenv, mailFrom, "RAPPORT_MAIL_FROM", "Rapport <rapport@"+host+">"))
		if err != nil {
			return usagef("--smtp: %v", err)
		}
		if dkimKey = env(getenv, dkimKey, "RAPPORT_DKIM_KEY", ""); dkimKey != "" {
			pemData, err := os.ReadFile(dkimKey)
			if err != nil {
				return usagef("--dkim-key: %v", err)
			}
			domain := strings.TrimSpace(strings.Split(env(getenv, mailDomain, "RAPPORT_MAIL_DOMAIN", sender.Domain()), ",")[0])
			if cfg.DKIM, err = mail.ParseDKIMKey(pemData, domain, env(getenv, dkimSelector, "RAPPORT_DKIM_SELECTOR", "rapport")); err != nil {
				return usagef("--dkim-key: %v", err)
			}
			sender.SignWith(cfg.DKIM)
		}
		cfg.Mail = sender
	}
	cfg.MailDomain = strings.TrimSpace(strings.Split(env(getenv, mailDomain, "RAPPORT_MAIL_DOMAIN", ""), ",")[0])
	cfg.SecretKey = getenv("RAPPORT_SECRET_KEY")
	log := newLogger(stderr)
	start := time.Now()
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := Build(db, cfg, log, time.Now)
	ws, err := sys.Auth.DefaultWorkspace(ctx)
	if err != nil {
		return err
	}
	if err := sys.Deals.EnsurePipelines(ctx); err != nil {
		return err
	}
	if err := sys.Reports.EnsureBuiltins(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := cfg.PublicURL
	if base == "" {
		base = "http://" + displayAddr(ln.Addr().String())
	}
	base = strings.TrimRight(base, "/")
	sys.Tickets.SetBaseURL(base)
	fmt.Fprintf(stdout, "Rapport %s is running at %s (database: %s %s, started in %s)\n", Version, base, db.Dialect(), db.Location, time.Since(start).Round(time.Millisecond))
	if has, err := sys.Auth.HasUsers(ctx, ws.ID); err != nil {
		return err
	} else if !has {
		tok, err := sys.Auth.NewSetupToken(ctx, ws.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "No user yet: open %s/setup?token=%s to create the first admin (the link works once).\n", base, tok)
	}
	var receiver *smtp.Server
	if smtpListen = env(getenv, smtpListen, "RAPPORT_SMTP_LISTEN", ""); smtpListen != "" {
		domains := strings.Split(env(getenv, mailDomain, "RAPPORT_MAIL_DOMAIN", ""), ",")
		if domains[0] == "" && cfg.Mail != nil {
			domains = []string{cfg.Mail.Domain()}
		}
		if domains[0] == "" {
			return usagef("--smtp-listen needs --mail-domain (or --smtp-url's sender) to know which mail to take")
		}
		rl, err := net.Listen("tcp", smtpListen)
		if err != nil {
			return fmt.Errorf("listen for mail on %s: %w", smtpListen, err)
		}
		var tlsConfig *tls.Config
		smtpCert, smtpKey = env(getenv, smtpCert, "RAPPORT_SMTP_TLS_CERT", ""), env(getenv, smtpKey, "RAPPORT_SMTP_TLS_KEY", "")
		if smtpCert != "" || smtpKey != "" {
			pair, err := tls.LoadX509KeyPair(smtpCert, smtpKey)
			if err != nil {
				return usagef("--smtp-tls-cert and --smtp-tls-key: %v", err)
			}
			tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
		}
		rc := sys.Email.Receiver(email.Receiving{Domains: domains, MaxBytes: int64(smtpMaxMB) << 20, TLS: tlsConfig, Workspace: func(ctx context.Context) (string, error) {
			w, err := sys.Auth.DefaultWorkspace(ctx)
			if err != nil {
				return "", err
			}
			return w.ID, nil
		}})
		sys.Email.RepliesTo(strings.TrimSpace(domains[0]))
		receiver = rc.NewServer(strings.TrimSpace(domains[0]))
		go func() { _ = receiver.Serve(rl) }()
		fmt.Fprintf(stdout, "Receiving mail for %s on %s\n", strings.Join(domains, ", "), rl.Addr())
	}
	srv := &http.Server{Handler: sys.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	workCtx, stopWork := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); sys.Jobs.Run(workCtx, 4) }()
	go func() { defer wg.Done(); maintain(workCtx, sys) }()
	go func() { defer wg.Done(); sys.Email.ReadMailboxes(workCtx, email.Reading{}) }()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err = <-serveErr:
	case <-ctx.Done():
		fmt.Fprintln(stdout, "Stopping: finishing requests in flight and releasing jobs…")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	if receiver != nil {
		_ = receiver.Close()
	}
	stopWork()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		fmt.Fprintln(stdout, "Stopped.")
	}
	return err
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// maintain prunes what only grows: finished jobs (kept 14 days, so their
// unique keys keep deduplicating), expired sessions, old login attempts.
// Every node runs it; the deletes are idempotent.
func maintain(ctx context.Context, sys *System) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := sys.Jobs.Prune(ctx, 14*24*time.Hour); err != nil && ctx.Err() == nil {
			sys.Log.Error("maintenance", "err", err)
		}
		if err := sys.Auth.Prune(ctx); err != nil && ctx.Err() == nil {
			sys.Log.Error("maintenance", "err", err)
		}
		if err := sys.Email.PruneRates(ctx); err != nil && ctx.Err() == nil {
			sys.Log.Error("maintenance", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
