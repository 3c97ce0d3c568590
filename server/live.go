package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Live events reach every supervisor whatever replica they are connected to:
// each event is a row of live_events, numbered by a counter that commits in
// order, written in the transaction that made the change. Every replica
// tails that table from its last number and fans the rows out to its own
// streams. A local write wakes the local tailer at once; on PostgreSQL the
// transaction also sends NOTIFY homeshore_live, which wakes the tailers of
// the other replicas (LISTEN on a connection of their own).

// liveChannel is the PostgreSQL NOTIFY channel of live events.
const liveChannel = "homeshore_live"

// Live tuning.
const (
	// liveKeep is how long events stay for streams resuming with Last-Event-ID.
	liveKeep = time.Hour
	// liveBatch bounds the rows one tail query reads.
	liveBatch = 500
	// subBuffer is how many events a slow stream may lag before it is cut
	// (the browser reconnects and resumes from its last event id).
	subBuffer = 1024
	// listenRetry is the pause before the LISTEN connection is retried.
	listenRetry = 2 * time.Second
)

// liveEvent is one row of live_events. Who may see it is decided from the
// ids; Payload is the api.LiveEvent sent on the stream.
type liveEvent struct {
	Seq     int64
	Kind    string
	AgentID string // the agent the event is about
	FromID  string // messages: sender
	ToID    string // messages: recipient ("" for a queue or the supervisors)
	QueueID string // messages: queue broadcast to
	Payload []byte
}

// liveSub is one stream's subscription. ch closes when the hub drops it.
type liveSub struct {
	ch     chan liveEvent
	filter func(liveEvent) bool
}

// liveHub tails live_events and fans them out to the streams of this replica.
type liveHub struct {
	st  *Store
	dsn string // PostgreSQL DSN for LISTEN; "" on SQLite
	log *slog.Logger
	// seen, if set before start, is told of every event before any stream.
	seen func(liveEvent)

	mu   sync.Mutex
	subs map[*liveSub]struct{}
	last int64 // last seq fanned out

	wake   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newLiveHub(st *Store, dsn string, log *slog.Logger) *liveHub {
	return &liveHub{st: st, dsn: dsn, log: log, subs: map[*liveSub]struct{}{}, wake: make(chan struct{}, 1)}
}

// start begins tailing from the newest event; stop ends it.
func (h *liveHub) start(ctx context.Context) error {
	last, err := h.st.liveHead(ctx, h.st.rdb)
	if err != nil {
		return err
	}
	h.last = last
	ctx, h.cancel = context.WithCancel(context.Background())
	h.wg.Add(1)
	go func() { defer h.wg.Done(); h.tail(ctx) }()
	if h.st.driver == "postgres" {
		h.wg.Add(1)
		go func() { defer h.wg.Done(); h.listen(ctx) }()
	}
	return nil
}

// stop ends the tailer and the listener and closes every subscription.
func (h *liveHub) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.wg.Wait()
	h.mu.Lock()
	for s := range h.subs {
		close(s.ch)
		delete(h.subs, s)
	}
	h.mu.Unlock()
}

// poke wakes the tailer: a transaction that wrote live events committed.
func (h *liveHub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// subscribe registers a stream; events it may see arrive on the channel in
// order, from the next one the hub fans out. Call unsubscribe when done.
func (h *liveHub) subscribe(filter func(liveEvent) bool) *liveSub {
	s := &liveSub{ch: make(chan liveEvent, subBuffer), filter: filter}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *liveHub) unsubscribe(s *liveSub) {
	h.mu.Lock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
	h.mu.Unlock()
}

// tail reads new events whenever woken and fans them out; it also drops
// events older than liveKeep now and then.
func (h *liveHub) tail(ctx context.Context) {
	prune := time.NewTicker(liveKeep / 4)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			if err := h.st.pruneLive(ctx, time.Now().Add(-liveKeep)); err != nil && ctx.Err() == nil {
				h.log.Warn("pruning live events", "err", err)
			}
			continue
		case <-h.wake:
		}
		for {
			evs, err := h.st.liveSince(ctx, h.st.rdb, h.last, liveBatch)
			if err != nil {
				if ctx.Err() == nil {
					h.log.Warn("reading live events", "err", err)
				}
				break
			}
			h.fanOut(evs)
			if len(evs) < liveBatch {
				break
			}
		}
	}
}

func (h *liveHub) fanOut(evs []liveEvent) {
	if len(evs) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range evs {
		if h.seen != nil {
			h.seen(e)
		}
		for s := range h.subs {
			if !s.filter(e) {
				continue
			}
			select {
			case s.ch <- e:
			default:
				// Too far behind: cut it; the client resumes from its last id.
				delete(h.subs, s)
				close(s.ch)
			}
		}
	}
	h.last = evs[len(evs)-1].Seq
}

// listen keeps a LISTEN connection to PostgreSQL and wakes the tailer on
// every notification, and once after each (re)connection to catch up.
func (h *liveHub) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := h.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("live events: LISTEN connection lost; reconnecting", "err", err, "in", listenRetry)
		t := time.NewTimer(listenRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (h *liveHub) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, h.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+liveChannel); err != nil {
		return err
	}
	h.poke() // events committed while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		h.poke()
	}
}

// appendLive writes an event in tx: the next live number, the row, and on
// PostgreSQL the NOTIFY that wakes the other replicas when tx commits.
// fill builds the payload once the number is known.
func appendLive(ctx context.Context, tx *sql.Tx, driver string, e liveEvent, fill func(seq int64) any) error {
	seq, err := nextCounter(ctx, tx, "live")
	if err != nil {
		return err
	}
	payload, err := json.Marshal(fill(seq))
	if err != nil {
		return fmt.Errorf("live event: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO live_events (seq, kind, agent_id, from_id, to_id, queue_id, payload, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, seq, e.Kind, e.AgentID, e.FromID, e.ToID, e.QueueID, string(payload), time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("live event: %w", err)
	}
	if driver == "postgres" {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify('`+liveChannel+`', '')`); err != nil {
			return fmt.Errorf("notify live event: %w", err)
		}
	}
	return nil
}

// liveHead is the newest live event number committed.
func (st *Store) liveHead(ctx context.Context, q querier) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'live'`).Scan(&v)
	return v, err
}

// liveSince reads up to limit events after seq, in order.
func (st *Store) liveSince(ctx context.Context, q querier, seq int64, limit int) ([]liveEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, agent_id, from_id, to_id, queue_id, payload FROM live_events
WHERE seq > $1 ORDER BY seq LIMIT $2`, seq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []liveEvent
	for rows.Next() {
		var e liveEvent
		var payload string
		if err := rows.Scan(&e.Seq, &e.Kind, &e.AgentID, &e.FromID, &e.ToID, &e.QueueID, &payload); err != nil {
			return nil, err
		}
		e.Payload = []byte(payload)
		out = append(out, e)
	}
	return out, rows.Err()
}

// liveOldest is the oldest event number still kept (0 when none).
func (st *Store) liveOldest(ctx context.Context, q querier) (int64, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MIN(seq) FROM live_events`).Scan(&v)
	return v.Int64, err
}

func (st *Store) pruneLive(ctx context.Context, before time.Time) error {
	return st.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM live_events WHERE created_at < $1`, before.UnixMilli())
		return err
	})
}
