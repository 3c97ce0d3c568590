package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver (no cgo)
)

// Store is the SQL storage of the backend. SQLite and PostgreSQL share every
// query: both accept $N placeholders, RETURNING and ON CONFLICT.
type Store struct {
	driver string
	// wdb takes every write transaction. On SQLite it holds one connection so
	// writers queue in Go instead of spinning in SQLite's busy handler; on
	// PostgreSQL it is the same pool as rdb.
	wdb *sql.DB
	rdb *sql.DB
	// writeMu queues SQLite writers in arrival order (sync.Mutex hands off
	// FIFO once waiters starve), where database/sql would pick a random
	// waiter and stretch the tail latency. Unused on PostgreSQL.
	writeMu sync.Mutex
}

// OpenStore opens (creating if needed) the database and applies migrations.
// driver is "sqlite" (dsn is a file path) or "postgres" (dsn is a libpq URL).
func OpenStore(ctx context.Context, driver, dsn string) (*Store, error) {
	st := &Store{driver: driver}
	switch driver {
	case "sqlite":
		// WAL + synchronous=FULL: a committed write survives a power cut;
		// foreign keys on; writers wait instead of failing while the file is busy.
		q := "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate"
		w, err := sql.Open("sqlite", "file:"+dsn+q)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", "file:"+dsn+q)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		r.SetMaxOpenConns(8)
		st.wdb, st.rdb = w, r
	case "postgres":
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		st.wdb, st.rdb = db, db
	default:
		return nil, fmt.Errorf("%q: %w", driver, ErrUnknownDriver)
	}
	if err := st.wdb.PingContext(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("connect to %s database: %w", driver, err)
	}
	if err := st.migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// Close closes the database handles; safe to call twice.
func (st *Store) Close() error {
	var errs []error
	if st.wdb != nil {
		errs = append(errs, st.wdb.Close())
	}
	if st.rdb != nil && st.rdb != st.wdb {
		errs = append(errs, st.rdb.Close())
	}
	st.wdb, st.rdb = nil, nil
	return errors.Join(errs...)
}

func (st *Store) migrate(ctx context.Context) error {
	if _, err := st.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := st.writeTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range strings.Split(m, ";\n") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %d: %w", version, err)
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// maxTxAttempts bounds retries of a write transaction.
const maxTxAttempts = 3

// retryablePG reports a PostgreSQL serialization failure or deadlock: the
// transaction was rolled back and can run again.
func retryablePG(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// writeTx runs fn in a write transaction, again when a concurrent request
// with the same idempotency key committed first or PostgreSQL reports a
// deadlock.
func (st *Store) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if st.driver == "sqlite" {
		st.writeMu.Lock()
		defer st.writeMu.Unlock()
	}
	for attempt := 0; ; attempt++ {
		tx, err := st.wdb.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		err = fn(tx)
		if err == nil {
			if err = tx.Commit(); err == nil {
				return nil
			}
			err = fmt.Errorf("commit: %w", err)
		} else {
			_ = tx.Rollback()
		}
		if (errors.Is(err, errIdempotencyRace) || retryablePG(err)) && attempt < maxTxAttempts-1 {
			continue
		}
		return err
	}
}

// readTx runs fn in a read-only transaction: every query in it sees the same
// snapshot of the database (SQLite WAL read transaction; PostgreSQL
// REPEATABLE READ), so a page of rows and their children agree.
func (st *Store) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if st.driver == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := st.rdb.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(tx)
}

// nextSeq draws the next change number. The counter row is locked until the
// transaction ends, so change numbers become visible in commit order and a
// sync cursor never skips a change.
func nextSeq(ctx context.Context, tx *sql.Tx) (int64, error) { return nextCounter(ctx, tx, "seq") }

// nextCounter draws the next number of counter name ("seq" for tickets,
// "live" for live events, "msg" for messages), committed in order likewise.
func nextCounter(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value`, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("next %s number: %w", name, err)
	}
	return v, nil
}

// tokenSecret returns the HMAC key for access tokens, created on first use and
// kept in the database so tokens survive a restart.
func (st *Store) tokenSecret(ctx context.Context) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	var out string
	err := st.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_meta (name, value) VALUES ('token_secret', $1) ON CONFLICT (name) DO NOTHING`, hex.EncodeToString(b)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM server_meta WHERE name = 'token_secret'`).Scan(&out)
	})
	if err != nil {
		return nil, fmt.Errorf("token secret: %w", err)
	}
	return hex.DecodeString(out)
}

// newID returns a random 128-bit id in UUID text form.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// idempotencyKeep is how long a write's stored answer is replayed: far
// longer than any client keeps retrying one write.
const idempotencyKeep = 30 * 24 * time.Hour

// prune drops expired refresh tokens, spent ones once their reuse need no
// longer be recognised, sessions with no refresh token left, and old
// idempotency records. It runs at start and every pruneEvery.
func (st *Store) prune(ctx context.Context, now time.Time) error {
	return st.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE expires_at < $1 OR (used = 1 AND used_at < $2)`,
			now.UnixMilli(), now.Add(-spentKeep).UnixMilli()); err != nil {
			return fmt.Errorf("prune refresh tokens: %w", err)
		}
		// A day on, none of their access tokens can be valid either.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE created_at < $1 AND
NOT EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.session_id = sessions.id)`, now.Add(-24*time.Hour).UnixMilli()); err != nil {
			return fmt.Errorf("prune sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency WHERE created_at < $1`, now.Add(-idempotencyKeep).UnixMilli()); err != nil {
			return fmt.Errorf("prune idempotency keys: %w", err)
		}
		return nil
	})
}
