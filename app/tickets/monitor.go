package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/homeshore/homeshore/server/api"
)

// kindMonitor is the outbox kind of a monitoring session log.
const kindMonitor = "monitor_session"

// The monitoring session log's wire types are the server's (server/api).
type (
	// ModeChange is one mode of a monitoring session and when it began.
	ModeChange = api.ModeChange
	// MonitorSession is one supervisor listening session on the agent's
	// call, as POST /v1/monitor/sessions takes it (an upsert on ID): who
	// listened to whom, on which call, in which modes, from when to when
	// (EndedAt nil while it runs). No audio is kept.
	MonitorSession = api.MonitorSession
)

// MonitorLogger is implemented by backends that keep monitoring sessions
// (HTTPBackend does). Like every write it must be idempotent on key; the
// session itself is an upsert on its ID.
type MonitorLogger interface {
	LogMonitorSession(ctx context.Context, key string, s MonitorSession) error
}

// RecordMonitorSession queues the session as it stands now; call it at the
// start, at each mode change and at the end: the backend keeps the last.
func (c *Client) RecordMonitorSession(ctx context.Context, s MonitorSession) error {
	if s.ID == "" || s.Supervisor == "" || s.Agent == "" || s.StartedAt.IsZero() {
		return fmt.Errorf("a monitoring session needs id, supervisor, agent and started_at: %w", ErrInvalid)
	}
	if err := c.st.tx(ctx, func(tx *sql.Tx) error { return enqueue(ctx, tx, kindMonitor, s) }); err != nil {
		return err
	}
	c.wake()
	return nil
}

// deliverMonitor sends one monitoring session entry.
func (c *Client) deliverMonitor(ctx context.Context, e outboxEntry, done func(func(*sql.Tx) error) error) error {
	var s MonitorSession
	if err := json.Unmarshal([]byte(e.payload), &s); err != nil {
		return &RejectedError{Message: "corrupt outbox entry: " + err.Error()}
	}
	ml, ok := c.be.(MonitorLogger)
	if !ok {
		return &RejectedError{Message: "this ticket backend does not keep monitoring sessions"}
	}
	if err := ml.LogMonitorSession(ctx, e.key, s); err != nil {
		return err
	}
	return done(nil)
}
