package messages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", no cgo

	"github.com/homeshore/homeshore/server/api"
)

// localSchema: every message seen (received, or sent from here and pending
// until the server confirms it), the outbox of sends not yet confirmed, and
// the sync cursor.
const localSchema = `
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, kind TEXT NOT NULL, from_user TEXT NOT NULL, from_name TEXT NOT NULL,
  to_user TEXT NOT NULL, to_name TEXT NOT NULL, queue TEXT NOT NULL, body TEXT NOT NULL, sent_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL, taken_by TEXT NOT NULL, taken_by_name TEXT NOT NULL, taken_at INTEGER NOT NULL,
  pending INTEGER NOT NULL, read INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_created ON messages (created_at, id);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, idem_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS failed (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`

// addedColumns are columns added to a table after its first release:
// stores made before get them at open.
var addedColumns = []struct{ table, column, decl string }{
	{"messages", "cancelled_at", "INTEGER NOT NULL DEFAULT 0"},
}

// addColumns adds the columns a store made by an older app lacks.
func addColumns(db *sql.DB) error {
	for _, c := range addedColumns {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2`, c.table, c.column).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := db.Exec(`ALTER TABLE ` + c.table + ` ADD COLUMN ` + c.column + ` ` + c.decl); err != nil {
				return err
			}
		}
	}
	return nil
}

// store is the local SQLite database: one writer connection (durable: WAL,
// synchronous=FULL), a read pool.
type store struct{ w, r *sql.DB }

func openStore(path string) (*store, error) {
	q := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	w, err := sql.Open("sqlite", q)
	if err != nil {
		return nil, fmt.Errorf("open message store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(localSchema); err != nil {
		w.Close()
		return nil, fmt.Errorf("message store %s: %w (delete the file to start over)", path, err)
	}
	if err := addColumns(w); err != nil {
		w.Close()
		return nil, fmt.Errorf("message store %s: %w (delete the file to start over)", path, err)
	}
	r, err := sql.Open("sqlite", q)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	return &store{w: w, r: r}, nil
}

func (s *store) close() error { return errors.Join(s.w.Close(), s.r.Close()) }

func (s *store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("message store: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("message store commit: %w", err)
	}
	return nil
}

func (s *store) meta(ctx context.Context, name string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func setMeta(ctx context.Context, tx *sql.Tx, name, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// put stores m as the server has it and reports what was there before
// (found=false for a message never seen here).
func put(ctx context.Context, tx *sql.Tx, m api.Message, read bool) (before Message, found bool, err error) {
	before, found, err = get(ctx, tx, m.ID)
	if err != nil {
		return before, found, err
	}
	var taken, cancelled int64
	if m.TakenAt != nil {
		taken = m.TakenAt.UnixMilli()
	}
	if m.CancelledAt != nil {
		cancelled = m.CancelledAt.UnixMilli()
	}
	// A cancel still in the outbox keeps the local mark until the server has it.
	_, err = tx.ExecContext(ctx, `INSERT INTO messages (id, seq, kind, from_user, from_name, to_user, to_name, queue, body, sent_at, created_at,
taken_by, taken_by_name, taken_at, pending, read, cancelled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, $16)
ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, from_name = excluded.from_name, to_name = excluded.to_name,
created_at = excluded.created_at, taken_by = excluded.taken_by, taken_by_name = excluded.taken_by_name, taken_at = excluded.taken_at, pending = 0,
cancelled_at = CASE WHEN excluded.cancelled_at <> 0 THEN excluded.cancelled_at ELSE messages.cancelled_at END`,
		m.ID, m.Seq, m.Kind, m.From, m.FromName, m.To, m.ToName, m.Queue, m.Body, ms(m.SentAt), ms(m.CreatedAt),
		m.TakenBy, m.TakenByName, taken, boolInt(read), cancelled)
	return before, found, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const cols = `id, seq, kind, from_user, from_name, to_user, to_name, queue, body, sent_at, created_at, taken_by, taken_by_name, taken_at, pending, read,
cancelled_at`

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func scan(rows *sql.Rows) (Message, error) {
	var m Message
	var sent, created, taken, cancelled int64
	var pending, read int
	err := rows.Scan(&m.ID, &m.Seq, &m.Kind, &m.From, &m.FromName, &m.To, &m.ToName, &m.Queue, &m.Body, &sent, &created,
		&m.TakenBy, &m.TakenByName, &taken, &pending, &read, &cancelled)
	m.SentAt, m.CreatedAt = fromMS(sent), fromMS(created)
	if taken != 0 {
		t := fromMS(taken)
		m.TakenAt = &t
	}
	if cancelled != 0 {
		t := fromMS(cancelled)
		m.CancelledAt = &t
	}
	m.Pending, m.Read = pending == 1, read == 1
	return m, err
}

func list(ctx context.Context, q querier, where string, args ...any) ([]Message, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM messages WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func get(ctx context.Context, q querier, id string) (Message, bool, error) {
	ms, err := list(ctx, q, `id = $1`, id)
	if err != nil || len(ms) == 0 {
		return Message{}, false, err
	}
	return ms[0], true, nil
}
