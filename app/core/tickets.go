package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

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
		be = tickets.NewHTTPBackend(url, keyringTokens{store: t.c.opts.Secrets}, nil)
	}
	if err := t.closeLocked(); err != nil {
		t.c.log.Warn("closing the previous ticket store", "err", err)
	}
	if err := os.MkdirAll(t.c.opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data folder %s: %w", t.c.opts.DataDir, err)
	}
	cl, err := tickets.Open(filepath.Join(t.c.opts.DataDir, "tickets.db"), be,
		tickets.Options{AgentName: t.c.settings.account().AgentLogin, Logger: t.c.log})
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

func (t *ticketClient) LookupByPhone(ctx context.Context, phone string) ([]ui.Ticket, error) {
	cl, err := t.open()
	if err != nil {
		return nil, err
	}
	list, err := cl.LookupByPhone(ctx, phone)
	if err != nil {
		return nil, err
	}
	out := make([]ui.Ticket, 0, len(list))
	for _, tk := range list {
		out = append(out, ui.Ticket{ID: tk.ID, Subject: tk.Subject, Status: tk.Status, Updated: tk.UpdatedAt})
	}
	return out, nil
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

// LogCall queues the wrap-up record; the outbox delivers it (once: the
// server keys it by Call-ID). Quality missing from the GUI's copy is
// filled from the call's final figures.
func (t *ticketClient) LogCall(ctx context.Context, log ui.CallLog) error {
	cl, err := t.open()
	if err != nil {
		return err
	}
	q := log.Quality
	end, known := t.c.phone.endOf(log.CallID)
	if known && q.MOS == 0 && q.Codec == "" {
		q = qualityOf(end.stats)
	}
	direction := "inbound"
	if log.Direction == ui.Outbound {
		direction = "outbound"
	}
	start := log.Start
	if start.IsZero() {
		start = time.Now().Add(-log.Duration)
	}
	// The GUI's Duration is talk time; the phone knows when it really ended.
	answered, ended := start, start.Add(log.Duration)
	if known && !end.answered.IsZero() {
		answered, ended = end.answered, end.ended
	}
	answered = answered.UTC()
	rec := tickets.CallLog{
		CallID: log.CallID, Direction: direction, Number: log.Remote,
		StartedAt: start.UTC(), AnsweredAt: &answered, EndedAt: ended.UTC(),
		Disposition: log.Disposition, Note: log.Note, TicketID: log.TicketID,
		Quality: tickets.CallQuality{Codec: q.Codec, LossPct: q.LossPercent, JitterMs: q.JitterMs, MOS: q.MOS},
	}
	if log.CreateTicket && log.TicketID == "" {
		tk, err := cl.CreateTicket(ctx, tickets.NewTicket{CustomerName: log.Remote, Phones: phonesOf(log.Remote),
			Subject: "Call " + start.Local().Format("2006-01-02 15:04"), Channel: "phone"})
		if err != nil {
			return fmt.Errorf("creating the ticket: %w", err)
		}
		rec.TicketID = tk.ID
	}
	return cl.LogCall(ctx, rec)
}

func phonesOf(remote string) []string {
	if _, ok := tickets.NormalizePhone(remote, tickets.DefaultRegion); ok {
		return []string{remote}
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
