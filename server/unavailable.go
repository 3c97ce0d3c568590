package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// When the database cannot take a request (PostgreSQL down or restarting,
// a failover left us on a read-only standby, the disk full, the SQLite file
// read-only or unreadable), the API answers 503 with Retry-After and says
// so, instead of a 500 that reads like a bug: the app's outbox keeps the
// write and retries, a load balancer's health check takes the replica out.

// errUnavailable answers a request the database could not serve.
var errUnavailable = &apiError{Status: http.StatusServiceUnavailable, Code: "unavailable",
	Message: "the ticket database is unavailable; your request was not saved: try again in a few seconds", RetryAfter: 5}

// dbUnavailable reports whether err means the database is out of service
// (not that the request was wrong or the code is broken).
func dbUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
			sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),  // insufficient resources: disk full, too many connections
			strings.HasPrefix(pe.Code, "57P"), // operator intervention: shutdown, cannot connect now
			pe.Code == "25006",                // read-only transaction: a standby after a failover
			pe.Code == "40001", pe.Code == "40P01":
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.Timeout(err)
}

// healthWait bounds the database check of /v1/health.
const healthWait = 3 * time.Second

// handleHealth: GET /v1/health answers 200 only when the database answers
// (and, on PostgreSQL, takes writes): a load balancer's probe then takes a
// replica whose database is gone out of rotation.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthWait)
	defer cancel()
	err := s.st.rdb.PingContext(ctx)
	if err == nil && s.st.driver == "postgres" {
		var ro string
		if err = s.st.rdb.QueryRowContext(ctx, `SHOW transaction_read_only`).Scan(&ro); err == nil && ro == "on" {
			err = errors.New("the database is read-only (a standby?)")
		}
	}
	if err != nil {
		s.log.Warn("health check: database unavailable", "err", err)
		writeError(w, errUnavailable)
		return
	}
	s.reply(w, r, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}
