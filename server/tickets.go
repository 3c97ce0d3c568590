package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Limits on ticket fields.
const (
	maxIDLen     = 64
	maxName      = 200
	maxSubject   = 500
	maxNote      = 16 << 10
	maxPhones    = 10
	maxSyncLimit = 1000
	maxLookup    = 50
	// DefaultMaxNotes bounds one ticket's thread (2000 notes of at most
	// 16 KiB: 32 MiB); past it a note is refused, a call's note skipped.
	DefaultMaxNotes = 2000
	// DefaultMaxThreadBytes bounds the text of one ticket's notes: 2000
	// notes of 16 KiB made a 31 MiB ticket that every edit and read
	// returned whole (tens of MiB of memory a request); real threads of
	// 2000 notes average well under 2 KiB a note.
	DefaultMaxThreadBytes = 4 << 20
	// DefaultPageBytes is roughly how much text one sync page or screen-pop
	// carries: a page stops at the ticket that goes past it (one ticket
	// always fits), so no page grows past what a client reads (64 MiB).
	DefaultPageBytes = 8 << 20
)

// errThreadFull refuses a note to a ticket whose thread is full.
var errThreadFull = &apiError{Status: http.StatusConflict, Code: "thread_full",
	Message: "this ticket's thread is full; open a new ticket for the customer and note there"}

// ticketBytes estimates a ticket's size as JSON.
func ticketBytes(t api.Ticket) int {
	n := 400 + len(t.ID) + len(t.CustomerName) + len(t.Subject) + len(t.UpdatedBy) + 20*len(t.Phones)
	for _, nt := range t.Notes {
		n += 200 + len(nt.ID) + len(nt.AuthorName) + len(nt.Body)
	}
	return n
}

// fitPage returns how many of ts, from the first, fit in budget bytes:
// at least one.
func fitPage(ts []api.Ticket, budget int) int {
	size := 0
	for i, t := range ts {
		size += ticketBytes(t)
		if size > budget && i > 0 {
			return i
		}
	}
	return len(ts)
}

func (s *Server) normalizePhones(in []string) ([]string, error) {
	if len(in) > maxPhones {
		return nil, badRequest("at most %d phone numbers", maxPhones)
	}
	out := make([]string, 0, len(in))
	for _, p := range in {
		e, kind := partyKey(p, s.cfg.Region)
		if !kind.Matchable() {
			return nil, badRequest("%q is not a phone number, an extension or a sip: address a customer can call from", p)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func checkText(field, v string, max int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return badRequest("%s is required", field)
	}
	if len(v) > max {
		return badRequest("%s over %d bytes", field, max)
	}
	return nil
}

// visibility is the SQL condition "the caller may see ticket t"; it takes
// the caller's id as $1 and 1 for a supervisor as $2.
const visibility = `($2 = 1 OR t.assignee_id = $1 OR t.queue_id IN (SELECT queue_id FROM user_queues WHERE user_id = $1))`

const ticketColumns = `t.id, t.customer_name, t.phones, t.subject, t.channel, t.status, q.name, COALESCE(t.assignee_id, ''), t.version, t.seq, t.created_at, t.updated_at, t.updated_by`

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func scanTickets(rows *sql.Rows) ([]api.Ticket, error) {
	defer rows.Close()
	out := []api.Ticket{}
	for rows.Next() {
		var t api.Ticket
		var phones string
		var created, updated int64
		if err := rows.Scan(&t.ID, &t.CustomerName, &phones, &t.Subject, &t.Channel, &t.Status, &t.Queue, &t.AssigneeID,
			&t.Version, &t.Seq, &created, &updated, &t.UpdatedBy); err != nil {
			return nil, err
		}
		t.Phones = splitPhones(phones)
		t.CreatedAt, t.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		t.Notes = []api.Note{}
		out = append(out, t)
	}
	return out, rows.Err()
}

func splitPhones(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// attachNotes loads the threads of tickets with one query; cond selects the
// tickets (alias t) with args.
func attachNotes(ctx context.Context, q querier, tickets []api.Ticket, cond string, args ...any) error {
	if len(tickets) == 0 {
		return nil
	}
	idx := make(map[string]int, len(tickets))
	for i, t := range tickets {
		idx[t.ID] = i
	}
	rows, err := q.QueryContext(ctx, `SELECT n.id, n.ticket_id, n.author_id, n.author_name, n.body, n.created_at
FROM notes n JOIN tickets t ON t.id = n.ticket_id WHERE `+cond+` ORDER BY n.created_at, n.id`, args...)
	if err != nil {
		return fmt.Errorf("load notes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n api.Note
		var at int64
		if err := rows.Scan(&n.ID, &n.TicketID, &n.AuthorID, &n.AuthorName, &n.Body, &at); err != nil {
			return err
		}
		n.CreatedAt = time.UnixMilli(at).UTC()
		if i, ok := idx[n.TicketID]; ok {
			tickets[i].Notes = append(tickets[i].Notes, n)
		}
	}
	return rows.Err()
}

// ticketFor returns the ticket if the caller may see it; ErrNotFound-style
// 404 otherwise, so agents cannot probe other queues' ticket ids.
func (s *Server) ticketFor(ctx context.Context, q querier, p principal, id string) (api.Ticket, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.id = $3 AND `+visibility, p.UserID, boolInt(p.supervisor()), id)
	if err != nil {
		return api.Ticket{}, err
	}
	ts, err := scanTickets(rows)
	if err != nil {
		return api.Ticket{}, err
	}
	if len(ts) == 0 {
		return api.Ticket{}, notFound("ticket " + id)
	}
	err = attachNotes(ctx, q, ts, `t.id = $1`, id)
	return ts[0], err
}

// queueAllowed returns the queue's id when the caller may put tickets in it.
func (s *Server) queueAllowed(ctx context.Context, tx *sql.Tx, p principal, name string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM queues WHERE name = $1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", badRequest("no queue named %q", name)
	}
	if err != nil {
		return "", err
	}
	if p.supervisor() {
		return id, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_queues WHERE user_id = $1 AND queue_id = $2`, p.UserID, id).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", forbidden("you are not a member of queue " + name)
	}
	return id, nil
}

func (s *Server) assigneeValid(ctx context.Context, tx *sql.Tx, id string) error {
	if id == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return badRequest("no user with id %q", id)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) setPhones(ctx context.Context, tx *sql.Tx, ticketID string, phones []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_phones WHERE ticket_id = $1`, ticketID); err != nil {
		return err
	}
	for _, e := range phones {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_phones (ticket_id, e164) VALUES ($1, $2)`, ticketID, e); err != nil {
			return err
		}
	}
	return nil
}

// createTicket inserts t in tx. An id that already exists and is visible to
// the caller returns the stored ticket (a retried offline create).
func (s *Server) createTicket(ctx context.Context, tx *sql.Tx, p principal, in api.NewTicket) (int, api.Ticket, error) {
	if in.ID == "" {
		in.ID = newID()
	}
	if in.Status == "" {
		in.Status = "open"
	}
	if in.Channel == "" {
		in.Channel = "phone"
	}
	switch {
	case !validID(in.ID):
		return 0, api.Ticket{}, badRequest("id must be 1 to %d letters, digits, - _ : .", maxIDLen)
	case !slices.Contains(api.Channels, in.Channel):
		return 0, api.Ticket{}, badRequest("channel must be one of %s", strings.Join(api.Channels, ", "))
	case !slices.Contains(api.Statuses, in.Status):
		return 0, api.Ticket{}, badRequest("status must be one of %s", strings.Join(api.Statuses, ", "))
	}
	if err := checkText("customer_name", in.CustomerName, maxName, true); err != nil {
		return 0, api.Ticket{}, err
	}
	if err := checkText("subject", in.Subject, maxSubject, false); err != nil {
		return 0, api.Ticket{}, err
	}
	phones, err := s.normalizePhones(in.Phones)
	if err != nil {
		return 0, api.Ticket{}, err
	}
	qid, err := s.queueAllowed(ctx, tx, p, in.Queue)
	if err != nil {
		return 0, api.Ticket{}, err
	}
	if err := s.assigneeValid(ctx, tx, in.AssigneeID); err != nil {
		return 0, api.Ticket{}, err
	}
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return 0, api.Ticket{}, err
	}
	now := s.cfg.Now().UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, customer_name, phones, subject, channel, status, queue_id, assignee_id, version, seq, created_at, updated_at, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10, $11) ON CONFLICT (id) DO NOTHING`,
		in.ID, in.CustomerName, strings.Join(phones, ","), in.Subject, in.Channel, in.Status, qid, nullable(in.AssigneeID), seq, now, p.Name)
	if err != nil {
		return 0, api.Ticket{}, fmt.Errorf("insert ticket: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t, err := s.ticketFor(ctx, tx, p, in.ID)
		if err != nil {
			return 0, api.Ticket{}, &apiError{Status: http.StatusConflict, Code: "exists", Message: "a ticket with id " + in.ID + " exists"}
		}
		return http.StatusOK, t, nil
	}
	if err := s.setPhones(ctx, tx, in.ID, phones); err != nil {
		return 0, api.Ticket{}, err
	}
	t, err := s.ticketFor(ctx, tx, p, in.ID)
	return http.StatusCreated, t, err
}
