package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// SQLite spends a quarter of a busy writer's time compiling SQL text into
// statements (profiled filing support mail: 25 % of the CPU in
// sqlite3Prepare), and database/sql compiles every ExecContext and
// QueryContext afresh. The connections Rapport opens keep what they
// compiled, by SQL text, and run it again with new arguments: the driver's
// statements keep their compiled form and are reset between runs. A
// statement that the schema changed under recompiles itself (SQLite does
// that on its own).

// cachingDriverName is the SQLite driver whose connections keep their
// statements.
const cachingDriverName = "rapport-sqlite"

func init() {
	// The driver registered as "sqlite", whose connections have the
	// functions Rapport registers with the package (LocalTime).
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	sql.Register(cachingDriverName, cachingDriver{db.Driver()})
}

// maxCachedStmts bounds the statements a connection keeps; past it, it
// lets go of those not in use and starts again (filters make endless
// texts, the hot ones come back at once).
const maxCachedStmts = 256

type cachingDriver struct{ inner driver.Driver }

func (d cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	ic, ok := c.(sqliteConn)
	if !ok {
		c.Close()
		return nil, errors.New("store: the SQLite driver's connection lacks the context methods")
	}
	return &cachingConn{sqliteConn: ic, stmts: map[string]*cachedStmt{}}, nil
}

// sqliteConn is what the SQLite driver's connection does.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// stmt is what the SQLite driver's statements do.
type stmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type cachedStmt struct {
	stmt
	busy bool // its rows are being read
}

// cachingConn is a connection that keeps its statements. database/sql
// uses a connection from one goroutine at a time, so it needs no lock;
// a statement whose rows are still open is not run again meanwhile (a
// second one is compiled for that run, and closed after).
type cachingConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

// get returns the connection's statement for query, and whether it is a
// one-off to close after use.
func (c *cachingConn) get(ctx context.Context, query string) (*cachedStmt, bool, error) {
	if s, ok := c.stmts[query]; ok {
		if !s.busy {
			return s, false, nil
		}
		st, err := c.prepare(ctx, query)
		return &cachedStmt{stmt: st}, true, err
	}
	if len(c.stmts) >= maxCachedStmts {
		for q, s := range c.stmts {
			if !s.busy {
				s.Close()
				delete(c.stmts, q)
			}
		}
	}
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, false, err
	}
	s := &cachedStmt{stmt: st}
	c.stmts[query] = s
	return s, false, nil
}

func (c *cachingConn) prepare(ctx context.Context, query string) (stmt, error) {
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(stmt)
	if !ok {
		ds.Close()
		return nil, errors.New("store: the SQLite driver's statement lacks the context methods")
	}
	return st, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, once, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := s.ExecContext(ctx, args)
	if once {
		s.Close()
	} else if err != nil {
		c.forget(query, s) // compiled afresh next time, whatever state the error left
	}
	return res, err
}

// forget closes a kept statement and lets go of it.
func (c *cachingConn) forget(query string, s *cachedStmt) {
	if c.stmts[query] == s {
		delete(c.stmts, query)
	}
	s.Close()
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, once, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, args)
	if err != nil {
		if once {
			s.Close()
		} else {
			c.forget(query, s)
		}
		return nil, err
	}
	s.busy = true
	return &leasedRows{Rows: rows, c: c, query: query, s: s, once: once}, nil
}

func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// leasedRows gives its statement back when closed.
type leasedRows struct {
	driver.Rows
	c      *cachingConn
	query  string
	s      *cachedStmt
	once   bool
	closed bool
}

func (r *leasedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	r.s.busy = false
	switch {
	case r.once:
		if e := r.s.Close(); err == nil {
			err = e
		}
	case err != nil:
		r.c.forget(r.query, r.s)
	}
	return err
}
