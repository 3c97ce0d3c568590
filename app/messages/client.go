// Package messages is the agent app's side of supervisor messages and help
// requests, offline-first like the ticket client: a local SQLite store of
// every message, an outbox that delivers each send exactly once, and a sync
// loop that pulls new messages (GET /v1/messages) whenever the backend's
// live stream says there is something new, and now and then without it.
//
//	c, err := messages.Open(path, messages.NewHTTPBackend(be), messages.Options{Me: "alice", Notify: onEvent})
//	go c.Run(ctx)
//	_, _ = c.Send(ctx, "", "Can you join my call?")   // "" = the supervisors of my queues
//	_, _ = c.Help(ctx, "Customer wants a refund over my limit")
//	list, _ := c.List(ctx)                           // local, works offline
//
// A send is committed to the outbox with its message id and an idempotency
// key before Send returns; the backend stores each id once, and received
// messages are stored by id, so a crash, a kill, a lost answer or a backend
// outage never loses a message or shows one twice.
package messages

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

	"github.com/homeshore/homeshore/server/api"
)

// Defaults for zero Options fields.
const (
	// DefaultPollInterval: a pull without a wake-up from the stream (a
	// safety net; the stream normally says when to pull).
	DefaultPollInterval = time.Minute
	DefaultMinBackoff   = 500 * time.Millisecond
	DefaultMaxBackoff   = 30 * time.Second
	pageSize            = 500
	maxBody             = 4000
)

// Errors callers branch on.
var (
	ErrInvalid = errors.New("invalid message")
	ErrClosed  = errors.New("message client closed")
	// ErrNoOpenHelp: no help request of the agent is waiting for a supervisor.
	ErrNoOpenHelp = errors.New("no help request is waiting: a supervisor may already have taken it")
)

// Message is a message or help request as stored here. Pending: sent from
// here, not yet confirmed by the backend. Read: the agent has seen it.
type Message struct {
	api.Message
	Pending bool
	Read    bool
}

// Event is what the sync loop tells the app.
type Event interface{ isEvent() }

// Received: a message from someone else arrived (once per message).
type Received struct{ Message Message }

// HelpTaken: a supervisor took the agent's help request.
type HelpTaken struct{ Message Message }

// Delivered: a message sent from here reached the backend.
type Delivered struct{ Message Message }

// HelpCancelled: the backend has the agent's cancel of a help request.
type HelpCancelled struct{ Message Message }

// Refused: the backend refused a send for good (the reason says why); it is
// kept in Failed and not retried.
type Refused struct {
	ID     string
	Reason string
}

func (Received) isEvent()      {}
func (HelpTaken) isEvent()     {}
func (Delivered) isEvent()     {}
func (HelpCancelled) isEvent() {}
func (Refused) isEvent()       {}

// Options tune a Client. Me is required: the agent's username.
type Options struct {
	Me string
	// MyName is shown as the sender of pending messages.
	MyName string
	// Notify receives events from the sync goroutine; it must not block.
	Notify       func(Event)
	PollInterval time.Duration
	MinBackoff   time.Duration
	MaxBackoff   time.Duration
	Logger       *slog.Logger
	// Confirmed, if set, is called after the backend confirmed an outbox
	// entry and before it leaves the outbox (tests interrupt there).
	Confirmed func(id string)
}

// Client is the local message store with its sync loop.
type Client struct {
	st     *store
	be     Backend
	opt    Options
	log    *slog.Logger
	kick   chan struct{}
	syncMu sync.Mutex

	closeMu sync.Mutex
	closed  bool
}

// Open opens (creating if needed) the store at path.
func Open(path string, be Backend, opt Options) (*Client, error) {
	if opt.Me == "" {
		return nil, fmt.Errorf("messages: Options.Me (the agent's username) is required: %w", ErrInvalid)
	}
	if opt.MyName == "" {
		opt.MyName = opt.Me
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = DefaultPollInterval
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = DefaultMinBackoff
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = DefaultMaxBackoff
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Notify == nil {
		opt.Notify = func(Event) {}
	}
	st, err := openStore(path)
	if err != nil {
		return nil, err
	}
	return &Client{st: st, be: be, opt: opt, log: opt.Logger, kick: make(chan struct{}, 1)}, nil
}

// Close closes the store; safe to call twice. Stop Run first.
func (c *Client) Close() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.st.close()
}

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
	kindMessage    = "message"
	kindHelp       = "help"
	kindCancelHelp = "cancel_help"
)

func (c *Client) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// queue stores m as pending and its send in the outbox, in one transaction.
func (c *Client) queue(ctx context.Context, kind string, m api.Message, payload any) (Message, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return Message{}, err
	}
	err = c.st.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, seq, kind, from_user, from_name, to_user, to_name, queue, body, sent_at,
created_at, taken_by, taken_by_name, taken_at, pending, read) VALUES ($1, 0, $2, $3, $4, $5, '', '', $6, $7, $7, '', '', 0, 1, 1)`,
			m.ID, m.Kind, c.opt.Me, c.opt.MyName, m.To, m.Body, ms(m.SentAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (idem_key, kind, payload, created_at) VALUES ($1, $2, $3, $4)`,
			newID(), kind, string(b), time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("message outbox: %w", err)
	}
	c.wake()
	m.From, m.FromName, m.CreatedAt = c.opt.Me, c.opt.MyName, m.SentAt
	return Message{Message: m, Pending: true, Read: true}, nil
}

// Send queues a message to a supervisor (to = their username; "" = the
// supervisors of the agent's queues) and returns it as stored locally.
func (c *Client) Send(ctx context.Context, to, body string) (Message, error) {
	body = strings.TrimSpace(body)
	if body == "" || len(body) > maxBody {
		return Message{}, fmt.Errorf("a message holds 1 to %d bytes of text: %w", maxBody, ErrInvalid)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	m := api.Message{ID: newID(), Kind: api.KindMessage, To: to, Body: body, SentAt: now}
	return c.queue(ctx, kindMessage, m, api.NewMessage{ID: m.ID, To: to, Body: body, SentAt: now})
}

// Help raises the agent's hand on the supervisors' wallboard, with an
// optional note.
func (c *Client) Help(ctx context.Context, note string) (Message, error) {
	note = strings.TrimSpace(note)
	if len(note) > 1000 {
		return Message{}, fmt.Errorf("a help note holds at most 1000 bytes: %w", ErrInvalid)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	m := api.Message{ID: newID(), Kind: api.KindHelp, Body: note, SentAt: now}
	return c.queue(ctx, kindHelp, m, api.NewHelp{ID: m.ID, Body: note, SentAt: now})
}

// CancelHelp lowers the agent's hand: their open help request is marked
// cancelled here at once and the cancel goes through the outbox like a
// send. A request still in the outbox is dropped with it (the supervisors
// never see it). A supervisor who took the request meanwhile wins: the
// backend refuses the cancel, the mark is undone and HelpTaken follows.
func (c *Client) CancelHelp(ctx context.Context) (Message, error) {
	open, ok, err := c.OpenHelp(ctx)
	if err != nil {
		return Message{}, err
	}
	if !ok {
		return Message{}, ErrNoOpenHelp
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	err = c.st.tx(ctx, func(tx *sql.Tx) error {
		dropped, err := dropQueuedHelp(ctx, tx, open.ID)
		if err != nil || dropped {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET cancelled_at = $1 WHERE id = $2`, now.UnixMilli(), open.ID); err != nil {
			return err
		}
		b, _ := json.Marshal(cancelPayload{ID: open.ID})
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (idem_key, kind, payload, created_at) VALUES ($1, $2, $3, $4)`,
			newID(), kindCancelHelp, string(b), now.UnixMilli())
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("message outbox: %w", err)
	}
	c.wake()
	open.CancelledAt = &now
	return open, nil
}

// cancelPayload is a cancel in the outbox.
type cancelPayload struct {
	ID string `json:"id"`
}

// dropQueuedHelp removes help request id and its send when it is still in
// the outbox; it reports whether it was.
func dropQueuedHelp(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, payload FROM outbox WHERE kind = $1`, kindHelp)
	if err != nil {
		return false, err
	}
	var found int64
	for rows.Next() {
		var seq int64
		var payload string
		if err := rows.Scan(&seq, &payload); err != nil {
			rows.Close()
			return false, err
		}
		var h api.NewHelp
		if json.Unmarshal([]byte(payload), &h) == nil && h.ID == id {
			found = seq
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || found == 0 {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = $1`, found); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM messages WHERE id = $1 AND pending = 1`, id)
	return err == nil, err
}

// List returns every message, oldest first.
func (c *Client) List(ctx context.Context) ([]Message, error) {
	return list(ctx, c.st.r, `1 = 1 ORDER BY created_at, id`)
}

// Unread counts messages from others the agent has not marked read.
func (c *Client) Unread(ctx context.Context) (int, error) {
	var n int
	err := c.st.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE read = 0`).Scan(&n)
	return n, err
}

// MarkRead marks every message up to and including id as read ("" = all).
func (c *Client) MarkRead(ctx context.Context, id string) error {
	return c.st.tx(ctx, func(tx *sql.Tx) error {
		if id == "" {
			_, err := tx.ExecContext(ctx, `UPDATE messages SET read = 1`)
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE messages SET read = 1 WHERE (created_at, id) <= (SELECT created_at, id FROM messages WHERE id = $1)`, id)
		return err
	})
}

// OpenHelp returns the agent's newest help request that nobody took (or
// cancelled) yet.
func (c *Client) OpenHelp(ctx context.Context) (Message, bool, error) {
	ms, err := list(ctx, c.st.r, `kind = 'help' AND from_user = $1 AND taken_by = '' AND cancelled_at = 0
ORDER BY created_at DESC, id DESC LIMIT 1`, c.opt.Me)
	if err != nil || len(ms) == 0 {
		return Message{}, false, err
	}
	return ms[0], true, nil
}

// Pending counts sends not yet confirmed by the backend.
func (c *Client) Pending(ctx context.Context) (int, error) {
	var n int
	err := c.st.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, err
}
