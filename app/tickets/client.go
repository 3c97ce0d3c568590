// Package tickets is the app's offline-first ticket client: a local SQLite
// cache for screen-pop, an outbox that delivers every write exactly once,
// and the sync loop that talks to a Backend.
//
// Usage:
//
//	be := backend.NewHTTPBackend(url, tokenStore, nil)
//	_ = be.Login(ctx, user, password)           // once; the refresh token goes to tokenStore
//	c, err := tickets.Open(path, be, tickets.Options{Notify: onNotice})
//	go c.Run(ctx)                                 // sync loop until ctx ends
//	ts, _ := c.LookupByPhone(ctx, "+33 6 12 34 56 78")   // local, works offline
//	_ = c.LogCall(ctx, call)                      // outbox first, then delivered
//	_ = c.AddNote(ctx, ticketID, "note")
//	defer c.Close()
//
// Every write (ticket, note, field edit, call log, agent event) is committed
// to the outbox with a fresh idempotency key before the call returns, and
// the sync loop delivers the outbox in order, with backoff while the backend
// is unreachable; a write is removed only once the backend confirmed it, and
// the backend applies each key once, so a crash, a lost response or a resend
// never loses or doubles a write. Reads are local. Notes merge (the thread is
// append-only); a field edit that meets a newer server version is re-applied
// on top of it for the fields nobody else touched, and the server's value
// wins for the others: the agent is told through Options.Notify.
package tickets

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/homeshore/homeshore/server/phone"
)

// Defaults for zero Options fields.
const (
	DefaultPollInterval = 15 * time.Second
	DefaultMinBackoff   = 500 * time.Millisecond
	DefaultMaxBackoff   = 30 * time.Second
	DefaultPageSize     = 1000
	DefaultRegion       = "US"
)

// Options tune a Client. All fields are optional.
type Options struct {
	// Region reads phone numbers without a +country prefix.
	Region string
	// AgentName is shown as the author of notes written here until the
	// server confirms them.
	AgentName string
	// Notify receives conflicts and rejected writes, from the sync goroutine;
	// it must not block (the GUI hands it to fyne.Do).
	Notify       func(Notice)
	PollInterval time.Duration
	MinBackoff   time.Duration
	MaxBackoff   time.Duration
	PageSize     int
	Logger       *slog.Logger
	// Delivered, if set, is called after each outbox entry is confirmed by
	// the backend (tests use it to interrupt a sync at a known point).
	Delivered func(kind string)
}

// Client is the local ticket store with its sync loop.
type Client struct {
	st      *store
	be      Backend
	opt     Options
	log     *slog.Logger
	kick    chan struct{}
	syncMu  sync.Mutex // one SyncOnce at a time
	closeMu sync.Mutex
	closed  bool
}

// Open opens (creating if needed) the cache at path.
func Open(path string, be Backend, opt Options) (*Client, error) {
	if opt.Region == "" {
		opt.Region = DefaultRegion
	}
	if opt.PollInterval == 0 {
		opt.PollInterval = DefaultPollInterval
	}
	if opt.MinBackoff == 0 {
		opt.MinBackoff = DefaultMinBackoff
	}
	if opt.MaxBackoff == 0 {
		opt.MaxBackoff = DefaultMaxBackoff
	}
	if opt.PageSize == 0 {
		opt.PageSize = DefaultPageSize
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Notify == nil {
		opt.Notify = func(Notice) {}
	}
	st, err := openStore(path)
	if err != nil {
		return nil, err
	}
	return &Client{st: st, be: be, opt: opt, log: opt.Logger, kick: make(chan struct{}, 1)}, nil
}

// Close closes the cache; safe to call twice. Stop Run (cancel its ctx) first.
func (c *Client) Close() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.st.close()
}

// newID returns a random UUID (version 4) string.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Outbox entry kinds.
const (
	kindCreate = "create_ticket"
	kindNote   = "note"
	kindPatch  = "patch"
	kindCall   = "call"
	kindEvent  = "agent_event"
)

// patchEntry is an outbox field edit: the patch and the values it replaced,
// so a conflict can tell which fields someone else changed meanwhile.
type patchEntry struct {
	TicketID string      `json:"ticket_id"`
	Patch    TicketPatch `json:"patch"`
	Base     Ticket      `json:"base"`
}

// enqueue commits payload to the outbox in tx and wakes the sync loop.
func enqueue(ctx context.Context, tx *sql.Tx, kind string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (idem_key, kind, payload, created_at) VALUES ($1, $2, $3, $4)`,
		newID(), kind, string(b), time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func (c *Client) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// LookupByPhone is the screen-pop: cached tickets with this number, newest
// first, answered from the local store (works offline).
func (c *Client) LookupByPhone(ctx context.Context, number string) ([]Ticket, error) {
	e, kind := PartyKey(number, c.opt.Region)
	switch {
	case kind == phone.Invalid:
		return nil, fmt.Errorf("%q is not a phone number, an extension or a SIP address: %w", number, ErrInvalid)
	case !kind.Matchable():
		return nil, nil // a withheld caller is nobody's customer
	}
	return c.st.tickets(ctx, c.st.r, `id IN (SELECT ticket_id FROM ticket_phones WHERE e164 = $1)`, e)
}

// Ticket returns a cached ticket with its thread (pending notes included).
func (c *Client) Ticket(ctx context.Context, id string) (Ticket, error) {
	ts, err := c.st.tickets(ctx, c.st.r, `id = $1`, id)
	if err != nil {
		return Ticket{}, err
	}
	if len(ts) == 0 {
		return Ticket{}, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return ts[0], nil
}

// CreateTicket creates a ticket locally (usable at once, e.g. for notes)
// and queues it for the backend.
func (c *Client) CreateTicket(ctx context.Context, t NewTicket) (Ticket, error) {
	if strings.TrimSpace(t.CustomerName) == "" || t.Queue == "" {
		return Ticket{}, fmt.Errorf("a ticket needs a customer name and a queue: %w", ErrInvalid)
	}
	if t.ID == "" {
		t.ID = newID()
	}
	if t.Channel == "" {
		t.Channel = "phone"
	}
	if t.Status == "" {
		t.Status = "open"
	}
	lt := Ticket{ID: t.ID, CustomerName: t.CustomerName, Phones: t.Phones, Subject: t.Subject, Channel: t.Channel, Status: t.Status,
		Queue: t.Queue, AssigneeID: t.AssigneeID, UpdatedAt: time.Now().UTC(), UpdatedBy: c.opt.AgentName}
	err := c.st.tx(ctx, func(tx *sql.Tx) error {
		if err := putTicket(ctx, tx, lt, c.opt.Region); err != nil {
			return err
		}
		return enqueue(ctx, tx, kindCreate, t)
	})
	if err != nil {
		return Ticket{}, err
	}
	c.wake()
	return lt, nil
}

// AddNote appends a note to a ticket's thread, locally at once and on the
// backend when the outbox is delivered.
func (c *Client) AddNote(ctx context.Context, ticketID, text string) (Note, error) {
	if strings.TrimSpace(text) == "" {
		return Note{}, fmt.Errorf("empty note: %w", ErrInvalid)
	}
	n := Note{ID: newID(), TicketID: ticketID, AuthorName: c.opt.AgentName, Body: text, CreatedAt: time.Now().UTC(), Pending: true}
	err := c.st.tx(ctx, func(tx *sql.Tx) error {
		var k int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE id = $1`, ticketID).Scan(&k); err != nil {
			return err
		}
		if k == 0 {
			return fmt.Errorf("%s: %w", ticketID, ErrNotFound)
		}
		if err := putNote(ctx, tx, n); err != nil {
			return err
		}
		return enqueue(ctx, tx, kindNote, n)
	})
	if err != nil {
		return Note{}, err
	}
	c.wake()
	return n, nil
}

// UpdateTicket edits fields of a cached ticket: applied locally at once,
// delivered with the version it was based on.
func (c *Client) UpdateTicket(ctx context.Context, ticketID string, p TicketPatch) error {
	err := c.st.tx(ctx, func(tx *sql.Tx) error {
		ts, err := c.st.tickets(ctx, tx, `id = $1`, ticketID)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return fmt.Errorf("%s: %w", ticketID, ErrNotFound)
		}
		base := ts[0]
		p.Version = base.Version
		next := applyPatch(base, p)
		next.Notes = nil
		if err := putTicket(ctx, tx, next, c.opt.Region); err != nil {
			return err
		}
		base.Notes = nil
		return enqueue(ctx, tx, kindPatch, patchEntry{TicketID: ticketID, Patch: p, Base: base})
	})
	if err != nil {
		return err
	}
	c.wake()
	return nil
}

// LogCall queues a call log; CallID, StartedAt and EndedAt are required.
func (c *Client) LogCall(ctx context.Context, call CallLog) error {
	if call.CallID == "" || call.StartedAt.IsZero() || call.EndedAt.IsZero() {
		return fmt.Errorf("a call log needs call_id, started_at and ended_at: %w", ErrInvalid)
	}
	// Stored as the server will: an extension, a SIP address or a withheld
	// caller is a call like any other. Text that is no party is queued as
	// it is: the server's refusal sets it aside and tells the agent, the
	// call is not lost.
	if key, kind := PartyKey(call.Number, c.opt.Region); kind != phone.Invalid {
		call.Number = key
	}
	err := c.st.tx(ctx, func(tx *sql.Tx) error {
		if call.TicketID != "" && call.Note != "" {
			// Shown in the thread at once; the server adds it as note "call:CALLID".
			n := Note{ID: "call:" + call.CallID, TicketID: call.TicketID, AuthorName: c.opt.AgentName, Body: call.Note,
				CreatedAt: time.Now().UTC(), Pending: true}
			if err := putNote(ctx, tx, n); err != nil {
				return err
			}
		}
		return enqueue(ctx, tx, kindCall, call)
	})
	if err != nil {
		return err
	}
	c.wake()
	return nil
}

// RecordAgentEvent queues a clock-in, state change or clock-out.
func (c *Client) RecordAgentEvent(ctx context.Context, e AgentEvent) error {
	if e.Kind == "" || e.At.IsZero() {
		return fmt.Errorf("an agent event needs kind and at: %w", ErrInvalid)
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if err := c.st.tx(ctx, func(tx *sql.Tx) error { return enqueue(ctx, tx, kindEvent, e) }); err != nil {
		return err
	}
	c.wake()
	return nil
}

// Dispositions are the wrap-up outcomes, as of the last sync.
func (c *Client) Dispositions(ctx context.Context) ([]Disposition, error) {
	rows, err := c.st.r.QueryContext(ctx, `SELECT code, label FROM dispositions ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Disposition
	for rows.Next() {
		var d Disposition
		if err := rows.Scan(&d.Code, &d.Label); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Pending counts writes not yet confirmed by the backend.
func (c *Client) Pending(ctx context.Context) (int, error) {
	var n int
	err := c.st.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, err
}

// Failed lists writes the backend refused for good, oldest first.
func (c *Client) Failed(ctx context.Context) ([]FailedWrite, error) {
	rows, err := c.st.r.QueryContext(ctx, `SELECT kind, payload, reason, at FROM failed ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FailedWrite
	for rows.Next() {
		var f FailedWrite
		var at int64
		if err := rows.Scan(&f.Kind, &f.Payload, &f.Reason, &at); err != nil {
			return nil, err
		}
		f.At = time.UnixMilli(at).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// errStop ends an outbox pass without an error to report.
var errStop = errors.New("stop")
