package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", no cgo
)

// localSchema is the client's cache: tickets and notes from the server (and
// pending local ones), the outbox of writes not yet delivered, writes the
// server refused, and the sync cursor.
const localSchema = `
CREATE TABLE IF NOT EXISTS tickets (
  id TEXT PRIMARY KEY, customer_name TEXT NOT NULL, phones TEXT NOT NULL, subject TEXT NOT NULL,
  channel TEXT NOT NULL, status TEXT NOT NULL, queue TEXT NOT NULL, assignee_id TEXT NOT NULL,
  version INTEGER NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_phones (e164 TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (e164, ticket_id));
CREATE INDEX IF NOT EXISTS ticket_phones_ticket ON ticket_phones (ticket_id);
CREATE TABLE IF NOT EXISTS notes (
  id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, author_name TEXT NOT NULL, body TEXT NOT NULL,
  created_at INTEGER NOT NULL, pending INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_ticket ON notes (ticket_id, created_at);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, idem_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS failed (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dispositions (code TEXT PRIMARY KEY, label TEXT NOT NULL, position INTEGER NOT NULL);
`

// store is the local SQLite database. Writes go through one connection
// (durable: WAL with synchronous=FULL); reads use their own pool, so a
// screen-pop is not held up by a sync writing a page.
type store struct {
	w, r *sql.DB
}

func openStore(path string) (*store, error) {
	q := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	w, err := sql.Open("sqlite", q)
	if err != nil {
		return nil, fmt.Errorf("open ticket cache %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(localSchema); err != nil {
		w.Close()
		return nil, fmt.Errorf("ticket cache %s: %w (delete the file to start over)", path, err)
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
		return fmt.Errorf("ticket cache: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ticket cache commit: %w", err)
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

// putTicket stores the server's (or a new local) ticket fields and its
// notes; notes merge by id and lose their pending mark once the server has them.
func putTicket(ctx context.Context, tx *sql.Tx, t Ticket, region string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, customer_name, phones, subject, channel, status, queue, assignee_id, version, updated_at, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name,
phones = excluded.phones, subject = excluded.subject, channel = excluded.channel, status = excluded.status, queue = excluded.queue,
assignee_id = excluded.assignee_id, version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		t.ID, t.CustomerName, strings.Join(t.Phones, ","), t.Subject, t.Channel, t.Status, t.Queue, t.AssigneeID, t.Version,
		t.UpdatedAt.UnixMilli(), t.UpdatedBy)
	if err != nil {
		return fmt.Errorf("cache ticket %s: %w", t.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_phones WHERE ticket_id = $1`, t.ID); err != nil {
		return err
	}
	for _, p := range t.Phones {
		e, kind := PartyKey(p, region)
		if !kind.Matchable() {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_phones (e164, ticket_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, e, t.ID); err != nil {
			return err
		}
	}
	for _, n := range t.Notes {
		n.TicketID = t.ID
		if err := putNote(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

func putNote(ctx context.Context, tx *sql.Tx, n Note) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notes (id, ticket_id, author_name, body, created_at, pending) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET author_name = excluded.author_name, created_at = excluded.created_at, pending = excluded.pending`,
		n.ID, n.TicketID, n.AuthorName, n.Body, n.CreatedAt.UnixMilli(), boolInt(n.Pending))
	if err != nil {
		return fmt.Errorf("cache note %s: %w", n.ID, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const ticketCols = `id, customer_name, phones, subject, channel, status, queue, assignee_id, version, updated_at, updated_by`

// tickets loads tickets matching where (with args) and their notes.
func (s *store) tickets(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]Ticket, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE `+where+` ORDER BY updated_at DESC, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Ticket
	idx := map[string]int{}
	for rows.Next() {
		var t Ticket
		var phones string
		var updated int64
		if err := rows.Scan(&t.ID, &t.CustomerName, &phones, &t.Subject, &t.Channel, &t.Status, &t.Queue, &t.AssigneeID,
			&t.Version, &updated, &t.UpdatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		if phones != "" {
			t.Phones = strings.Split(phones, ",")
		}
		t.UpdatedAt = time.UnixMilli(updated).UTC()
		idx[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		notes, err := s.notes(ctx, q, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Notes = notes
	}
	return out, nil
}

func (s *store) notes(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, ticketID string) ([]Note, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, ticket_id, author_name, body, created_at, pending FROM notes WHERE ticket_id = $1 ORDER BY created_at, id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		var n Note
		var at int64
		var pending int
		if err := rows.Scan(&n.ID, &n.TicketID, &n.AuthorName, &n.Body, &at, &pending); err != nil {
			return nil, err
		}
		n.CreatedAt, n.Pending = time.UnixMilli(at).UTC(), pending == 1
		out = append(out, n)
	}
	return out, rows.Err()
}
