package store

import (
	"context"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
)

// Prepared statements cached per connection, for SQLite.
//
// modernc.org/sqlite parses and plans every statement that database/sql
// runs through the connection's Exec or Query, and frees it afterwards:
// about a sixth of a node's CPU under load went to parsing the same few
// INSERTs and SELECTs again. The connection wrapper below hides Exec and
// Query, so database/sql prepares each statement, and keeps the prepared
// statement on its connection by SQL text: the next use binds and steps
// it again. (pgx does the same on PostgreSQL by itself: its default query
// mode prepares and caches statements per connection.)

// stmtCacheSize bounds the statements kept per connection; SQL built at
// run time (IN lists of varying length) beyond it is prepared as before.
const stmtCacheSize = 256

// sqliteConnector opens modernc SQLite connections wrapped in cachingConn.
type sqliteConnector struct {
	base driver.Connector
}

func newSQLiteConnector(dsn string) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sqliteConnector{base: base}, nil
}

func (c sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite driver connection lacks the expected methods")
	}
	return &cachingConn{inner: inner, stmts: make(map[string]*cachedStmt)}, nil
}

func (c sqliteConnector) Driver() driver.Driver { return c.base.Driver() }

// sqliteConn is what the wrapper needs of a modernc connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is a connection that keeps its prepared statements. A
// connection is used by one goroutine at a time (database/sql's rule), so
// the map needs no lock.
type cachingConn struct {
	inner sqliteConn
	stmts map[string]*cachedStmt
}

var (
	_ driver.Conn               = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if s, ok := c.stmts[query]; ok && !s.busy {
		s.busy = true
		return s, nil
	}
	st, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := c.stmts[query]; ok || len(c.stmts) >= stmtCacheSize {
		// The cached one is in use (rows of the same query still open in
		// this transaction), or the cache is full: a statement of its own.
		return st, nil
	}
	s := &cachedStmt{inner: st.(sqliteStmt), busy: true}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.inner.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.inner.IsValid() }
func (c *cachingConn) CheckNamedValue(nv *driver.NamedValue) error {
	return checkNamedValue(c.inner, nv)
}

// Close finalizes the cached statements and closes the connection.
func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		_ = s.inner.Close()
		delete(c.stmts, q)
	}
	return c.inner.Close()
}

// checkNamedValue lets the driver convert values as it would without the
// wrapper.
func checkNamedValue(conn driver.Conn, nv *driver.NamedValue) error {
	if ch, ok := conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// sqliteStmt is what the wrapper needs of a modernc statement.
type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachedStmt is a prepared statement kept on its connection: Close only
// marks it free (database/sql closes it after each use; after the rows
// of a query are closed).
type cachedStmt struct {
	inner sqliteStmt
	busy  bool
}

var (
	_ driver.StmtExecContext  = (*cachedStmt)(nil)
	_ driver.StmtQueryContext = (*cachedStmt)(nil)
)

func (s *cachedStmt) Close() error  { s.busy = false; return nil }
func (s *cachedStmt) NumInput() int { return s.inner.NumInput() }

func (s *cachedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.inner.Exec(args)
}

func (s *cachedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.inner.Query(args)
}

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.inner.ExecContext(ctx, args)
}

func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.inner.QueryContext(ctx, args)
}
