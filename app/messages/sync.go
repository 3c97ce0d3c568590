package messages

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/sse"
)

// Run is the sync loop: deliver the outbox, pull new messages, then wait for
// a new send, a wake-up from the live stream or the poll interval; while the
// backend fails it backs off exponentially (with jitter). It also keeps the
// live stream open. It returns when ctx ends, after both have stopped.
func (c *Client) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(1)
	go func() { defer wg.Done(); c.watch(ctx) }()
	backoff := time.Duration(0)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		err := c.SyncOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := c.opt.PollInterval
		if err != nil {
			backoff = min(max(backoff*2, c.opt.MinBackoff), c.opt.MaxBackoff)
			wait = backoff/2 + rand.N(backoff/2+1)
			c.log.Warn("message sync failed; retrying", "in", wait.Round(time.Millisecond), "err", err)
		} else {
			backoff = 0
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-c.kick:
			if err != nil {
				select { // a new send does not cut a backoff short
				case <-ctx.Done():
					return nil
				case <-timer.C:
				}
			} else {
				timer.Stop()
			}
		case <-timer.C:
		}
	}
}

// watch keeps the live stream open and turns each event into a pull.
func (c *Client) watch(ctx context.Context) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		err := c.watchOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		backoff = min(max(backoff*2, c.opt.MinBackoff), c.opt.MaxBackoff)
		c.log.Debug("live stream ended; reconnecting", "err", err, "in", backoff)
		t := time.NewTimer(backoff/2 + rand.N(backoff/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (c *Client) watchOnce(ctx context.Context) error {
	body, err := c.be.Stream(ctx)
	if err != nil {
		return err
	}
	defer body.Close()
	stop := context.AfterFunc(ctx, func() { body.Close() })
	defer stop()
	r := sse.NewReader(body)
	c.wake() // the stream (re)opened: anything may have happened meanwhile
	for {
		e, err := r.Next()
		if err != nil {
			return err
		}
		if e.Name == api.LiveMessage || e.Name == api.LiveHelp {
			c.wake()
		}
	}
}

// SyncOnce delivers the whole outbox, then pulls every new message. It
// stops at the first temporary failure and returns it.
func (c *Client) SyncOnce(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if err := c.flush(ctx); err != nil {
		return err
	}
	return c.pull(ctx)
}

type outboxEntry struct {
	seq       int64
	key, kind string
	payload   string
}

func (c *Client) flush(ctx context.Context) error {
	for {
		var e outboxEntry
		err := c.st.r.QueryRowContext(ctx, `SELECT seq, idem_key, kind, payload FROM outbox ORDER BY seq LIMIT 1`).
			Scan(&e.seq, &e.key, &e.kind, &e.payload)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		got, err := c.deliver(ctx, e)
		var rej *tickets.RejectedError
		switch {
		case errors.As(err, &rej):
			c.refuse(ctx, e, rej.Message)
			continue
		case err != nil:
			_, _ = c.st.w.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE seq = $2`, err.Error(), e.seq)
			return fmt.Errorf("send %s: %w", e.kind, err)
		}
		if c.opt.Confirmed != nil {
			c.opt.Confirmed(got.ID)
		}
		if e.kind == kindCancelHelp && got.CancelledAt == nil {
			// The server answered without the cancel: keep it as the pull will.
			now := time.Now().UTC()
			got.CancelledAt = &now
		}
		var stored Message
		err = c.st.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = $1`, e.seq); err != nil {
				return err
			}
			_, _, err := put(ctx, tx, got, true)
			if err == nil {
				stored, _, err = get(ctx, tx, got.ID)
			}
			return err
		})
		if err != nil {
			return err
		}
		if e.kind == kindCancelHelp {
			c.opt.Notify(HelpCancelled{Message: stored})
			continue
		}
		c.opt.Notify(Delivered{Message: stored})
	}
}

func (c *Client) deliver(ctx context.Context, e outboxEntry) (api.Message, error) {
	switch e.kind {
	case kindMessage:
		var m api.NewMessage
		if err := json.Unmarshal([]byte(e.payload), &m); err != nil {
			return api.Message{}, &tickets.RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		return c.be.SendMessage(ctx, e.key, m)
	case kindHelp:
		var h api.NewHelp
		if err := json.Unmarshal([]byte(e.payload), &h); err != nil {
			return api.Message{}, &tickets.RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		return c.be.RaiseHelp(ctx, e.key, h)
	case kindCancelHelp:
		var p cancelPayload
		if err := json.Unmarshal([]byte(e.payload), &p); err != nil {
			return api.Message{}, &tickets.RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		return c.be.CancelHelp(ctx, p.ID)
	}
	return api.Message{}, &tickets.RejectedError{Message: "unknown outbox entry kind " + e.kind}
}

// refuse sets aside a send the backend refused for good (kept in failed,
// never silently dropped) and tells the agent.
func (c *Client) refuse(ctx context.Context, e outboxEntry, reason string) {
	var id struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal([]byte(e.payload), &id)
	err := c.st.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = $1`, e.seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = $1 AND pending = 1`, id.ID); err != nil {
			return err
		}
		if e.kind == kindCancelHelp { // taken meanwhile: the request stands
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET cancelled_at = 0 WHERE id = $1`, id.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO failed (kind, payload, reason, at) VALUES ($1, $2, $3, $4)`,
			e.kind, e.payload, reason, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		c.log.Error("could not set aside a refused message", "err", err)
		return
	}
	c.log.Warn("the server refused a message", "reason", reason)
	c.opt.Notify(Refused{ID: id.ID, Reason: reason})
}

// pull reads every page after the stored cursor; each page and the cursor
// commit together, and the events it causes go out after the commit.
func (c *Client) pull(ctx context.Context) error {
	for {
		cursor, err := c.st.meta(ctx, "cursor")
		if err != nil {
			return err
		}
		page, err := c.be.Messages(ctx, cursor, pageSize)
		if err != nil {
			return fmt.Errorf("messages since %q: %w", cursor, err)
		}
		var events []Event
		err = c.st.tx(ctx, func(tx *sql.Tx) error {
			events = events[:0]
			for _, m := range page.Messages {
				mine := m.From == c.opt.Me
				before, found, err := put(ctx, tx, m, mine)
				if err != nil {
					return err
				}
				after, _, err := get(ctx, tx, m.ID)
				if err != nil {
					return err
				}
				switch {
				case !found && !mine:
					events = append(events, Received{Message: after})
				case found && before.Pending:
					events = append(events, Delivered{Message: after})
				}
				if mine && m.Kind == api.KindHelp && m.TakenBy != "" && before.TakenBy == "" {
					events = append(events, HelpTaken{Message: after})
				}
			}
			return setMeta(ctx, tx, "cursor", page.NextCursor)
		})
		if err != nil {
			return err
		}
		for _, e := range events {
			c.opt.Notify(e)
		}
		if !page.More {
			return nil
		}
	}
}
