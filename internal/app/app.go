// Package app is the composition root: it reads configuration, opens the
// store, builds the services and servers, and runs the subcommands.
package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/access"
	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/fault"
	"github.com/rapport-crm/rapport/internal/store"
)

// Version is Rapport's release.
const Version = "0.1.0-dev"

func versionString() string {
	v := "rapport " + Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

const usage = `rapport — the Rapport CRM

Usage:
  rapport serve [--addr 127.0.0.1:8080] [--public-url URL] [--webhooks-allow-private]
  rapport migrate
  rapport user create --email E --name N --role admin|manager|sales|support|marketing|readonly --password-stdin
  rapport apikey create --email E --name N
  rapport demo [--contacts N]
  rapport import OBJECT FILE.csv [--map "CSV column=field"]... [--dedupe email|phone|none] [--on-duplicate update|skip|create]
  rapport export OBJECT [--format csv|json|vcf] [--filter EXPR] [-o FILE]
  rapport bench [--contacts N] [--db URL]
  rapport version

Every command takes --data DIR (env RAPPORT_DATA, default ./rapport-data) and
--db URL (env RAPPORT_DB, default a SQLite file in the data dir; postgres://… for PostgreSQL).
`

// common holds the flags every command takes.
type common struct {
	data, db string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", "", "data directory (env RAPPORT_DATA, default ./rapport-data)")
	fs.StringVar(&c.db, "db", "", "database URL (env RAPPORT_DB, default sqlite in the data dir)")
}

func (c *common) resolve(getenv func(string) string) {
	c.data = env(getenv, c.data, "RAPPORT_DATA", "./rapport-data")
	c.db = env(getenv, c.db, "RAPPORT_DB", store.DefaultURL(c.data))
}

// Run runs one command and returns the exit status: 0 done, 1 failed,
// 2 bad usage.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := run(ctx, args, getenv, stdin, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "rapport: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "rapport: %v\n", describe(err))
		return 1
	}
}

// describe makes a fault readable on a terminal.
func describe(err error) string {
	fe := fault.As(err)
	if fe == nil || len(fe.Fields) == 0 {
		return err.Error()
	}
	var parts []string
	for _, f := range fe.Fields {
		parts = append(parts, "--"+strings.ReplaceAll(f.Field, "_", "-")+" "+f.Message)
	}
	return strings.Join(parts, "; ")
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout)
	case "user":
		if len(rest) == 0 || rest[0] != "create" {
			return usagef("user: the subcommand is create")
		}
		return userCreate(ctx, rest[1:], getenv, stdin, stdout)
	case "apikey":
		if len(rest) == 0 || rest[0] != "create" {
			return usagef("apikey: the subcommand is create")
		}
		return apikeyCreate(ctx, rest[1:], getenv, stdout)
	case "demo":
		return demo(ctx, rest, getenv, stdout)
	case "export":
		return export(ctx, rest, getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, getenv, stdout, stderr)
	case "bench":
		return bench(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usagef("unknown command %q", cmd)
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, c common) (*store.DB, error) {
	db, err := store.Open(ctx, c.db)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openWorkspace opens the store and the install's default workspace, for
// the commands that act on it.
func openWorkspace(ctx context.Context, c common) (*store.DB, *auth.Service, *auth.Workspace, error) {
	db, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, nil, err
	}
	svc := auth.New(db, time.Now)
	ws, err := svc.DefaultWorkspace(ctx)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, svc, ws, nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var c common
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	c.register(fs)
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("migrate takes no arguments")
	}
	c.resolve(getenv)
	db, err := store.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migrations; the database is at schema version %d\n", n, cur)
	return nil
}

func userCreate(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	var c common
	var email, name, role string
	var pwStdin bool
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&email, "email", "", "email")
	fs.StringVar(&name, "name", "", "name")
	fs.StringVar(&role, "role", "", "role")
	fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("user create takes no arguments, got %q", pos[0])
	}
	if email == "" || name == "" || role == "" {
		return usagef("user create needs --email, --name and --role")
	}
	if !access.ValidRole(role) {
		return usagef("--role must be one of admin, manager, sales, support, marketing, readonly")
	}
	if !pwStdin {
		return usagef("user create needs --password-stdin (passwords never go on the command line)")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	c.resolve(getenv)
	db, svc, ws, err := openWorkspace(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.CreateUser(ctx, access.System(ws.ID), ws.ID, auth.NewUser{Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s (%s, %s)\n", u.Email, u.Role, u.ID)
	return nil
}

func apikeyCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var c common
	var email, name string
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&email, "email", "", "the user the key acts as")
	fs.StringVar(&name, "name", "", "a name for the key")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("apikey create takes no arguments, got %q", pos[0])
	}
	if email == "" || name == "" {
		return usagef("apikey create needs --email and --name")
	}
	c.resolve(getenv)
	db, svc, ws, err := openWorkspace(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.UserByEmail(ctx, ws.ID, email)
	if err != nil {
		return err
	}
	_, secret, err := svc.CreateAPIKey(ctx, access.System(ws.ID), u.ID, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
