package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Run is the sync loop: deliver the outbox, pull changes, then wait for a
// new write or the poll interval; while the backend fails it backs off
// exponentially (with jitter) up to MaxBackoff. It returns when ctx ends.
func (c *Client) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		err := c.SyncOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := c.opt.PollInterval
		if err != nil {
			if backoff == 0 {
				backoff = c.opt.MinBackoff
			} else {
				backoff = min(backoff*2, c.opt.MaxBackoff)
			}
			wait = backoff/2 + rand.N(backoff/2+1)
			c.log.Warn("ticket sync failed; retrying", "in", wait.Round(time.Millisecond), "err", err)
		} else {
			backoff = 0
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-c.kick:
			if err != nil {
				// A new write does not cut a backoff short: wait it out.
				select {
				case <-ctx.Done():
					return nil
				case <-timer.C:
				}
			} else {
				// Go >= 1.23 timers: after Stop no stale tick can arrive, so no drain.
				timer.Stop()
			}
		case <-timer.C:
		}
	}
}

// SyncOnce delivers the whole outbox, then pulls every change from the
// backend. It stops at the first temporary failure and returns it.
func (c *Client) SyncOnce(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if err := c.flush(ctx); err != nil {
		return err
	}
	return c.pull(ctx)
}

type outboxEntry struct {
	seq     int64
	key     string
	kind    string
	payload string
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
		if err := c.deliver(ctx, e); err != nil {
			var rej *RejectedError
			if errors.As(err, &rej) {
				c.reject(ctx, e, rej)
				continue
			}
			if errors.Is(err, ErrLoginNeeded) {
				c.opt.Notify(Notice{Kind: NoticeLoginNeeded, Message: "Log in to the ticket server again; your notes and calls are kept until then."})
			}
			_, _ = c.st.w.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE seq = $2`, err.Error(), e.seq)
			return fmt.Errorf("deliver %s: %w", e.kind, err)
		}
		if c.opt.Delivered != nil {
			c.opt.Delivered(e.kind)
		}
	}
}

// deliver sends one entry and, in the same local transaction, removes it
// from the outbox and stores what the server answered.
func (c *Client) deliver(ctx context.Context, e outboxEntry) error {
	done := func(apply func(tx *sql.Tx) error) error {
		return c.st.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = $1`, e.seq); err != nil {
				return err
			}
			if apply == nil {
				return nil
			}
			return apply(tx)
		})
	}
	switch e.kind {
	case kindCreate:
		var t NewTicket
		if err := json.Unmarshal([]byte(e.payload), &t); err != nil {
			return &RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		got, err := c.be.CreateTicket(ctx, e.key, t)
		if err != nil {
			return err
		}
		return done(func(tx *sql.Tx) error { return putTicket(ctx, tx, got, c.opt.Region) })
	case kindNote:
		var n Note
		if err := json.Unmarshal([]byte(e.payload), &n); err != nil {
			return &RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		got, err := c.be.AddNote(ctx, e.key, n)
		if err != nil {
			return err
		}
		got.TicketID, got.Pending = n.TicketID, false
		return done(func(tx *sql.Tx) error { return putNote(ctx, tx, got) })
	case kindPatch:
		var p patchEntry
		if err := json.Unmarshal([]byte(e.payload), &p); err != nil {
			return &RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		return c.deliverPatch(ctx, e, p, done)
	case kindCall:
		var call CallLog
		if err := json.Unmarshal([]byte(e.payload), &call); err != nil {
			return &RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		if err := c.be.LogCall(ctx, e.key, call); err != nil {
			return err
		}
		return done(func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE notes SET pending = 0 WHERE id = $1`, "call:"+call.CallID)
			return err
		})
	case kindEvent:
		var ev AgentEvent
		if err := json.Unmarshal([]byte(e.payload), &ev); err != nil {
			return &RejectedError{Message: "corrupt outbox entry: " + err.Error()}
		}
		if err := c.be.RecordAgentEvent(ctx, e.key, ev); err != nil {
			return err
		}
		return done(nil)
	case kindMonitor:
		return c.deliverMonitor(ctx, e, done)
	default:
		return &RejectedError{Message: "unknown outbox entry kind " + e.kind}
	}
}

// reject moves an entry the backend refused for good to the failed table
// (kept, never silently dropped) and tells the agent.
func (c *Client) reject(ctx context.Context, e outboxEntry, rej *RejectedError) {
	err := c.st.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = $1`, e.seq); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO failed (kind, payload, reason, at) VALUES ($1, $2, $3, $4)`,
			e.kind, e.payload, rej.Message, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		c.log.Error("could not set aside a refused write", "kind", e.kind, "err", err)
		return
	}
	c.log.Warn("ticket server refused a write", "kind", e.kind, "reason", rej.Message)
	c.opt.Notify(Notice{Kind: NoticeRejected, Message: "The ticket server refused a " + strings.ReplaceAll(e.kind, "_", " ") + ": " + rej.Message})
}

func (c *Client) pull(ctx context.Context) error {
	if ds, err := c.be.Dispositions(ctx); err == nil && len(ds) > 0 {
		err := c.st.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM dispositions`); err != nil {
				return err
			}
			for i, d := range ds {
				if _, err := tx.ExecContext(ctx, `INSERT INTO dispositions (code, label, position) VALUES ($1, $2, $3)`, d.Code, d.Label, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("dispositions: %w", err)
	}
	for {
		cursor, err := c.st.meta(ctx, "cursor")
		if err != nil {
			return err
		}
		page, err := c.be.Changes(ctx, cursor, c.opt.PageSize)
		if err != nil {
			return fmt.Errorf("changes since %q: %w", cursor, err)
		}
		err = c.st.tx(ctx, func(tx *sql.Tx) error {
			for _, t := range page.Tickets {
				if err := putTicket(ctx, tx, t, c.opt.Region); err != nil {
					return err
				}
			}
			return setMeta(ctx, tx, "cursor", page.NextCursor)
		})
		if err != nil {
			return err
		}
		if !page.More {
			return nil
		}
	}
}
