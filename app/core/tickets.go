package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/app/ui"
)

// ErrNoBackend means no ticket backend URL is set.
var ErrNoBackend = errors.New("no ticket server is set: enter its address in the account settings")

// ticketClient is ui.TicketClient over tickets.Client: a local SQLite store
// with an outbox, synced in the background with the backend at the
// account's URL. It opens on first use and reopens when the URL changes.
type ticketClient struct {
	c *Core

	mu     sync.Mutex
	url    string
	client *tickets.Client
	be     tickets.Backend // the backend client talks to (its session is shared)
	stop   context.CancelFunc
	done   chan struct{}
	// queues is the last list the backend gave (offline, it still serves).
	queues []string
}

func newTicketClient(c *Core) *ticketClient { return &ticketClient{c: c} }

// open returns the client for the current backend URL.
func (t *ticketClient) open() (*tickets.Client, error) {
	url := t.c.settings.account().BackendURL
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.client != nil && (t.url == url || t.c.opts.TicketBackend != nil) {
		return t.client, nil
	}
	be := t.c.opts.TicketBackend
	if be == nil {
		if url == "" {
			return nil, ErrNoBackend
		}
		be = backend.NewHTTPBackend(url, keyringTokens{store: t.c.opts.Secrets}, nil)
	}
	if err := t.closeLocked(); err != nil {
		t.c.log.Warn("closing the previous ticket store", "err", err)
	}
	if err := os.MkdirAll(t.c.opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data folder %s: %w", t.c.opts.DataDir, err)
	}
	cl, err := tickets.Open(filepath.Join(t.c.opts.DataDir, "tickets.db"), be,
		tickets.Options{AgentName: t.c.settings.account().AgentLogin, Logger: t.c.log, Region: t.c.region()})
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := cl.Run(ctx); err != nil && ctx.Err() == nil {
			t.c.log.Warn("ticket sync stopped", "err", err)
		}
	}()
	t.url, t.client, t.stop, t.done, t.be = url, cl, stop, done, be
	return cl, nil
}

// Client is the open ticket client (tests, headless callers).
func (t *ticketClient) Client() (*tickets.Client, error) { return t.open() }

// LookupByPhone is the screen-pop. A caller that is no phone number (an
// extension, a SIP address) simply has no tickets.
func (t *ticketClient) LookupByPhone(ctx context.Context, phone string) ([]ui.Ticket, error) {
	cl, err := t.open()
	if err != nil {
		return nil, err
	}
	list, err := cl.LookupByPhone(ctx, phone)
	if errors.Is(err, tickets.ErrInvalid) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]ui.Ticket, 0, len(list))
	for _, tk := range list {
		out = append(out, uiTicket(tk))
	}
	return out, nil
}

func uiTicket(tk tickets.Ticket) ui.Ticket {
	out := ui.Ticket{ID: tk.ID, Subject: tk.Subject, Status: tk.Status, Customer: tk.CustomerName, Queue: tk.Queue,
		Updated: tk.UpdatedAt, UpdatedBy: tk.UpdatedBy}
	for _, n := range tk.Notes {
		out.Notes = append(out.Notes, ui.Note{Author: n.AuthorName, Body: n.Body, At: n.CreatedAt, Pending: n.Pending})
	}
	return out
}

// Ticket is one ticket with its thread, from the local store.
func (t *ticketClient) Ticket(ctx context.Context, id string) (ui.Ticket, error) {
	cl, err := t.open()
	if err != nil {
		return ui.Ticket{}, err
	}
	tk, err := cl.Ticket(ctx, id)
	if err != nil {
		return ui.Ticket{}, err
	}
	return uiTicket(tk), nil
}

// AddNote appends to a ticket's thread (local at once, then the backend).
func (t *ticketClient) AddNote(ctx context.Context, id, text string) error {
	cl, err := t.open()
	if err != nil {
		return err
	}
	_, err = cl.AddNote(ctx, id, text)
	return err
}

// queueLister is a backend that names the agent's queues.
type queueLister interface {
	Queues(ctx context.Context) ([]string, error)
}

// Queues are the agent's queues; offline, the last list the backend gave.
func (t *ticketClient) Queues(ctx context.Context) ([]string, error) {
	if _, err := t.open(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	ql, ok := t.be.(queueLister)
	t.mu.Unlock()
	if !ok {
		return nil, nil
	}
	list, err := ql.Queues(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		if t.queues != nil {
			return append([]string(nil), t.queues...), nil
		}
		return nil, fmt.Errorf("your queues could not be read from the ticket server: %w", err)
	}
	t.queues = list
	return append([]string(nil), list...), nil
}

func (t *ticketClient) Dispositions(ctx context.Context) ([]ui.Disposition, error) {
	cl, err := t.open()
	if err != nil {
		return nil, err
	}
	list, err := cl.Dispositions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ui.Disposition, 0, len(list))
	for _, d := range list {
		out = append(out, ui.Disposition{Code: d.Code, Label: d.Label})
	}
	return out, nil
}

// LogCall queues the call's record; the outbox delivers it (once: the
// server keys it by Call-ID). The phone's own answer and end times win
// over the GUI's; quality missing from the GUI's copy is filled from the
// call's final figures. A new ticket is created first, for the customer
// in the queue the agent chose. It returns the ticket the call went to.
func (t *ticketClient) LogCall(ctx context.Context, log ui.CallLog) (string, error) {
	cl, err := t.open()
	if err != nil {
		return "", err
	}
	q := log.Quality
	end, known := t.c.phone.endOf(log.CallID)
	if known && q.MOS == 0 && q.Codec == "" && !end.answered.IsZero() {
		q = qualityOf(end.stats)
	}
	direction := "inbound"
	if log.Direction == ui.Outbound {
		direction = "outbound"
	}
	start, answered, ended := log.Start, log.Answered, log.End
	if known {
		if !end.answered.IsZero() {
			answered = end.answered
		}
		ended = end.ended
	}
	if start.IsZero() {
		start = time.Now()
	}
	if ended.IsZero() || ended.Before(start) {
		ended = start
	}
	rec := tickets.CallLog{
		CallID: log.CallID, Direction: direction, Number: t.c.Normalize(log.Remote),
		StartedAt: start.UTC(), EndedAt: ended.UTC(),
		Disposition: log.Disposition, Note: log.Note, TicketID: log.TicketID, ConsultOf: log.ConsultOf,
		Quality: tickets.CallQuality{Codec: q.Codec, LossPct: q.LossPercent, JitterMs: q.JitterMs, MOS: q.MOS},
	}
	if !answered.IsZero() {
		if answered.Before(start) {
			answered = start
		}
		if answered.After(ended) {
			answered = ended
		}
		a := answered.UTC()
		rec.AnsweredAt = &a
	}
	if log.CreateTicket && log.TicketID == "" {
		name := log.CustomerName
		if name == "" {
			name = log.Remote
		}
		subject := log.Subject
		if subject == "" {
			subject = "Call " + start.Local().Format("2006-01-02 15:04")
		}
		tk, err := cl.CreateTicket(ctx, tickets.NewTicket{CustomerName: name, Phones: t.phonesOf(log.Remote),
			Subject: subject, Channel: "phone", Queue: log.Queue})
		if err != nil {
			return "", fmt.Errorf("creating the ticket: %w", err)
		}
		rec.TicketID = tk.ID
	}
	if err := cl.LogCall(ctx, rec); err != nil {
		return "", err
	}
	return rec.TicketID, nil
}

func (t *ticketClient) phonesOf(remote string) []string {
	// An extension or a SIP user finds the ticket next time too; a withheld
	// caller gives the ticket no number.
	if key, kind := tickets.PartyKey(remote, t.c.region()); kind.Matchable() {
		return []string{key}
	}
	return nil
}

// recordAgentEvent queues a shift event when a backend is configured.
func (t *ticketClient) recordAgentEvent(e tickets.AgentEvent) error {
	cl, err := t.open()
	if errors.Is(err, ErrNoBackend) {
		return nil
	}
	if err != nil {
		return err
	}
	return cl.RecordAgentEvent(context.Background(), e)
}

func (t *ticketClient) closeLocked() error {
	if t.client == nil {
		return nil
	}
	t.stop()
	<-t.done
	err := t.client.Close()
	t.client = nil
	return err
}

func (t *ticketClient) close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closeLocked()
}

// SyncTickets runs one sync with the ticket backend now: pending writes
// go out, tickets and dispositions come in (tests, "sync now").
func (c *Core) SyncTickets(ctx context.Context) error {
	cl, err := c.tickets.open()
	if err != nil {
		return err
	}
	return cl.SyncOnce(ctx)
}
