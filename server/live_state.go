package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// liveRow is an agent's row of agent_live: the state the wallboard shows.
// Times are Unix milliseconds (0 = none); Call, Waiting, Line, Precheck
// and Monitor hold JSON ("" = none).
type liveRow struct {
	State      string
	Reason     string
	StateSince int64
	ShiftStart int64
	Call       string
	StatusAt   int64
	Precheck   string
	PrecheckAt int64
	Monitor    string
	SIPURI     string
	LastSeen   int64
	Connected  bool
	Waiting    string
	Line       string
}

func offlineRow() liveRow { return liveRow{State: api.StateOffline} }

// liveColumns are agent_live's columns in liveRow's order (scanLive).
const liveColumns = `state, reason, state_since, shift_start, call, status_at, precheck, precheck_at, monitor, sip_uri, last_seen, connected,
waiting, line`

// scanLive reads one row of liveColumns.
func scanLive(row interface{ Scan(...any) error }, r *liveRow) error {
	var connected int
	err := row.Scan(&r.State, &r.Reason, &r.StateSince, &r.ShiftStart, &r.Call, &r.StatusAt,
		&r.Precheck, &r.PrecheckAt, &r.Monitor, &r.SIPURI, &r.LastSeen, &connected, &r.Waiting, &r.Line)
	r.Connected = connected == 1
	return err
}

// lockLive reads an agent's live row for update in tx (a new agent gets an
// offline row): concurrent updates of one agent queue up instead of losing
// each other's changes.
func (st *Store) lockLive(ctx context.Context, tx *sql.Tx, agentID string) (liveRow, error) {
	q := `SELECT ` + liveColumns + ` FROM agent_live WHERE agent_id = $1`
	if st.driver == "postgres" {
		q += ` FOR UPDATE`
	}
	r := offlineRow()
	err := scanLive(tx.QueryRowContext(ctx, q, agentID), &r)
	if errors.Is(err, sql.ErrNoRows) {
		// Create it so the lock holds from here on (PostgreSQL), then lock it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_live (agent_id, state, reason, state_since, shift_start, call, status_at, precheck,
precheck_at, monitor, sip_uri, last_seen, connected) VALUES ($1, $2, '', 0, 0, '', 0, '', 0, '', '', 0, 0) ON CONFLICT (agent_id) DO NOTHING`,
			agentID, api.StateOffline); err != nil {
			return r, err
		}
		err = scanLive(tx.QueryRowContext(ctx, q, agentID), &r)
	}
	return r, err
}

func saveLive(ctx context.Context, tx *sql.Tx, agentID string, r liveRow) error {
	_, err := tx.ExecContext(ctx, `UPDATE agent_live SET state = $2, reason = $3, state_since = $4, shift_start = $5, call = $6,
status_at = $7, precheck = $8, precheck_at = $9, monitor = $10, sip_uri = $11, last_seen = $12, connected = $13, waiting = $14,
line = $15 WHERE agent_id = $1`,
		agentID, r.State, r.Reason, r.StateSince, r.ShiftStart, r.Call, r.StatusAt, r.Precheck, r.PrecheckAt, r.Monitor, r.SIPURI,
		r.LastSeen, boolInt(r.Connected), r.Waiting, r.Line)
	return err
}

// visibleChange reports whether two rows differ in what the wallboard shows
// (a heartbeat that only moves LastSeen is no event).
func visibleChange(a, b liveRow) bool {
	a.LastSeen, b.LastSeen, a.StatusAt, b.StatusAt = 0, 0, 0, 0
	return a != b
}

// updateLive applies change to an agent's live row in tx and, when the
// wallboard would show something new, appends the agent's new state as a
// live event. It reports whether an event was written.
func (s *Server) updateLive(ctx context.Context, tx *sql.Tx, agentID string, change func(*liveRow)) (bool, error) {
	old, err := s.st.lockLive(ctx, tx, agentID)
	if err != nil {
		return false, err
	}
	next := old
	change(&next)
	if !s.worthSaving(old, next) {
		return false, nil
	}
	if err := saveLive(ctx, tx, agentID, next); err != nil {
		return false, err
	}
	if !visibleChange(old, next) {
		return false, nil
	}
	return true, s.emitAgent(ctx, tx, agentID)
}

// worthSaving reports whether next must be written over old. A heartbeat
// that only moves LastSeen is written a few times per presence timeout, not
// every time: fewer writes, same presence.
func (s *Server) worthSaving(old, next liveRow) bool {
	if next == old {
		return false
	}
	return visibleChange(old, next) || next.Connected != old.Connected ||
		next.LastSeen-old.LastSeen >= (s.cfg.PresenceTimeout/3).Milliseconds()
}

// statusChanges reports, from a plain read, whether a live status would
// change anything to store: most heartbeats do not, and then need no write
// transaction at all.
func (s *Server) statusChanges(ctx context.Context, agentID string, st api.LiveStatus, now time.Time) (bool, error) {
	r := offlineRow()
	err := scanLive(s.st.rdb.QueryRowContext(ctx, `SELECT `+liveColumns+` FROM agent_live WHERE agent_id = $1`, agentID), &r)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	next := r
	applyStatusTo(&next, st, now)
	return s.worthSaving(r, next), nil
}

// emitAgent appends the agent's current live state as an event.
func (s *Server) emitAgent(ctx context.Context, tx *sql.Tx, agentID string) error {
	agents, err := liveAgents(ctx, tx, `u.id = $1`, agentID)
	if err != nil || len(agents) == 0 {
		return err
	}
	a := agents[0]
	return appendLive(ctx, tx, s.st.driver, liveEvent{Kind: api.LiveAgent, AgentID: agentID}, func(seq int64) any {
		return api.LiveEvent{Seq: seq, Kind: api.LiveAgent, Agent: &a}
	})
}

// applyAgentEvent moves the live state for a newly stored agent event. An
// event older than the state shown (a late delivery from the app's outbox
// after an outage) changes nothing.
func (s *Server) applyAgentEvent(ctx context.Context, tx *sql.Tx, agentID string, e api.AgentEvent) error {
	at := e.At.UnixMilli()
	_, err := s.updateLive(ctx, tx, agentID, func(r *liveRow) {
		if e.Precheck != nil && at >= r.PrecheckAt {
			override := ""
			if e.Kind == api.EventClockIn {
				override = e.Reason
			}
			sum := summarizePrecheck(e.At, e.Precheck.Passed, override, e.Precheck.Report, false)
			if b, err := json.Marshal(sum); err == nil {
				r.Precheck, r.PrecheckAt = string(b), at
			}
		}
		if at < r.StateSince {
			return
		}
		switch e.Kind {
		case api.EventClockIn:
			r.State, r.Reason, r.StateSince, r.ShiftStart = orDefault(e.State, api.StateAvailable), "", at, at
		case api.EventState:
			r.State, r.Reason, r.StateSince = e.State, e.Reason, at
			if r.ShiftStart == 0 {
				r.ShiftStart = at
			}
		case api.EventClockOut:
			r.State, r.Reason, r.StateSince, r.ShiftStart, r.Call, r.Waiting = api.StateOffline, "", at, 0, "", ""
		}
	})
	return err
}

// applyStatus records a live status from the agent app: the agent is
// connected as of now; the newest status sets the call and SIP address, the
// newest state change the state.
func (s *Server) applyStatus(ctx context.Context, tx *sql.Tx, agentID string, st api.LiveStatus, now time.Time) (bool, error) {
	return s.updateLive(ctx, tx, agentID, func(r *liveRow) { applyStatusTo(r, st, now) })
}

// applyStatusTo is applyStatus on a row in memory.
func applyStatusTo(r *liveRow, st api.LiveStatus, now time.Time) {
	r.LastSeen, r.Connected = now.UnixMilli(), true
	at := st.At.UnixMilli()
	if at < r.StatusAt {
		return
	}
	r.StatusAt = at
	r.SIPURI = st.SIPURI
	r.Call, r.Waiting = jsonOrEmpty(st.Call), jsonOrEmpty(st.Waiting)
	if st.Line != nil {
		r.Line = jsonOrEmpty(st.Line)
	}
	if since := st.StateSince.UnixMilli(); since >= r.StateSince && (since > r.StateSince || st.State != r.State || st.Reason != r.Reason) {
		if st.State == api.StateOffline {
			r.ShiftStart = 0
		} else if r.State == api.StateOffline || r.ShiftStart == 0 {
			r.ShiftStart = since
		}
		r.State, r.Reason, r.StateSince = st.State, st.Reason, since
	}
}

// jsonOrEmpty is v as JSON, "" for a nil pointer.
func jsonOrEmpty[T any](v *T) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// precheckReport is the part of the app's pre-shift report (docs/precheck.md)
// supervisors see.
type precheckReport struct {
	Checks []struct {
		Name     string `json:"name"`
		Verdict  string `json:"verdict"`
		Findings []struct {
			Verdict string `json:"verdict"`
			Message string `json:"message"`
		} `json:"findings"`
		Figures json.RawMessage `json:"figures"`
	} `json:"checks"`
}

// maxFigures bounds one check's figures kept in a summary.
const maxFigures = 4 << 10

// summarizePrecheck turns the app's report into what supervisors see: the
// checks that did not pass (all checks with all=true), each with its
// findings and figures. A report it cannot read gives no checks.
func summarizePrecheck(at time.Time, passed bool, override string, report json.RawMessage, all bool) api.PrecheckSummary {
	sum := api.PrecheckSummary{At: at.UTC(), Passed: passed, Override: override, Checks: []api.CheckShort{}}
	var rep precheckReport
	if len(report) == 0 || json.Unmarshal(report, &rep) != nil {
		return sum
	}
	for _, c := range rep.Checks {
		if !all && (c.Verdict == "pass" || c.Verdict == "") {
			continue
		}
		cs := api.CheckShort{Name: c.Name, Verdict: c.Verdict}
		for _, f := range c.Findings {
			if f.Message != "" && (all || f.Verdict != "pass") {
				cs.Findings = append(cs.Findings, f.Message)
			}
		}
		if len(c.Figures) > 0 && len(c.Figures) <= maxFigures && !bytes.Equal(c.Figures, []byte("null")) {
			cs.Figures = c.Figures
		}
		sum.Checks = append(sum.Checks, cs)
	}
	return sum
}

// failedChecks names the checks that failed or could not run in a report.
func failedChecks(report string) []string {
	var rep precheckReport
	if json.Unmarshal([]byte(report), &rep) != nil {
		return nil
	}
	var out []string
	for _, c := range rep.Checks {
		if c.Verdict == "fail" || c.Verdict == "error" {
			out = append(out, c.Name)
		}
	}
	return out
}

// visibleAgents is the SQL condition "agent u shares a queue with $1".
const visibleAgents = `u.id IN (SELECT uq2.user_id FROM user_queues uq1 JOIN user_queues uq2 ON uq2.queue_id = uq1.queue_id WHERE uq1.user_id = $1)`

// liveAgents reads the agents matching cond (alias u, with args) with their
// live state and queues, by display name.
func liveAgents(ctx context.Context, q querier, cond string, args ...any) ([]api.AgentLive, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, COALESCE(l.state, ''), COALESCE(l.reason, ''),
COALESCE(l.state_since, 0), COALESCE(l.shift_start, 0), COALESCE(l.call, ''), COALESCE(l.precheck, ''), COALESCE(l.monitor, ''),
COALESCE(l.sip_uri, ''), COALESCE(l.last_seen, 0), COALESCE(l.connected, 0), COALESCE(l.waiting, ''), COALESCE(l.line, '')
FROM users u LEFT JOIN agent_live l ON l.agent_id = u.id WHERE u.role = 'agent' AND `+cond+` ORDER BY u.display_name, u.username`, args...)
	if err != nil {
		return nil, err
	}
	out := []api.AgentLive{}
	idx := map[string]int{}
	for rows.Next() {
		var a api.AgentLive
		var r liveRow
		var connected int
		if err := rows.Scan(&a.AgentID, &a.Username, &a.DisplayName, &r.State, &r.Reason, &r.StateSince, &r.ShiftStart, &r.Call,
			&r.Precheck, &r.Monitor, &r.SIPURI, &r.LastSeen, &connected, &r.Waiting, &r.Line); err != nil {
			rows.Close()
			return nil, err
		}
		r.Connected = connected == 1
		fillLive(&a, r)
		idx[a.AgentID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	qrows, err := q.QueryContext(ctx, `SELECT uq.user_id, qu.name FROM user_queues uq JOIN queues qu ON qu.id = uq.queue_id
JOIN users u ON u.id = uq.user_id WHERE u.role = 'agent' AND `+cond+` ORDER BY qu.name`, args...)
	if err != nil {
		return nil, err
	}
	defer qrows.Close()
	for qrows.Next() {
		var id, name string
		if err := qrows.Scan(&id, &name); err != nil {
			return nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].Queues = append(out[i].Queues, name)
		}
	}
	return out, qrows.Err()
}

func msTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// fillLive copies a live row into what the wallboard shows.
func fillLive(a *api.AgentLive, r liveRow) {
	a.Queues = []string{}
	a.State, a.Reason = orDefault(r.State, api.StateOffline), r.Reason
	a.StateSince, a.ShiftStart, a.LastSeen = msTime(r.StateSince), msTime(r.ShiftStart), msTime(r.LastSeen)
	a.Connected, a.SIPURI = r.Connected, r.SIPURI
	if a.State != api.StateOffline {
		a.Call, a.Waiting, a.Line = fromJSON[api.LiveCall](r.Call), fromJSON[api.LiveCall](r.Waiting), fromJSON[api.LiveLine](r.Line)
	}
	if r.Precheck != "" {
		var p api.PrecheckSummary
		if json.Unmarshal([]byte(r.Precheck), &p) == nil {
			a.Precheck = &p
		}
	}
	if r.Monitor != "" {
		var m api.MonitorSession
		if json.Unmarshal([]byte(r.Monitor), &m) == nil {
			a.Monitor = &m
		}
	}
}

// fromJSON decodes a live row's JSON column; nil when empty or unreadable.
func fromJSON[T any](s string) *T {
	if s == "" {
		return nil
	}
	var v T
	if json.Unmarshal([]byte(s), &v) != nil {
		return nil
	}
	return &v
}

// sweepPresence marks agents whose app went quiet for longer than timeout
// as not connected, once (the conditional update makes one replica win).
func (s *Server) sweepPresence(ctx context.Context, now time.Time, timeout time.Duration) error {
	var changed bool
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		changed = false
		rows, err := tx.QueryContext(ctx, `UPDATE agent_live SET connected = 0 WHERE connected = 1 AND last_seen < $1 RETURNING agent_id`,
			now.Add(-timeout).UnixMilli())
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.emitAgent(ctx, tx, id); err != nil {
				return err
			}
		}
		changed = len(ids) > 0
		return nil
	})
	if changed {
		s.live.poke()
	}
	return err
}

// liveStateName checks a state name from the app.
func liveStateName(st string) bool {
	return st != "" && len(st) <= 32 && validID(st) && !strings.Contains(st, ":")
}
