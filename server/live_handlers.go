package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// Stream timing.
const (
	// streamPing is how often an idle stream sends a comment, so proxies
	// and the browser know it is alive.
	streamPing = 15 * time.Second
	// streamWriteWait bounds one write to a stream client.
	streamWriteWait = 30 * time.Second
	// helpShown is how long an untaken help request stays on the wallboard.
	helpShown = 12 * time.Hour
)

// audience is who a stream belongs to and what it may see.
type audience struct {
	user       string
	supervisor bool
	agents     map[string]bool // agents sharing a queue with a supervisor
	queues     map[string]bool // the user's queue ids
}

func (s *Server) audienceOf(ctx context.Context, p principal) (audience, error) {
	a := audience{user: p.UserID, supervisor: p.supervisor(), agents: map[string]bool{}, queues: map[string]bool{}}
	rows, err := s.st.rdb.QueryContext(ctx, `SELECT queue_id FROM user_queues WHERE user_id = $1`, p.UserID)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			rows.Close()
			return a, err
		}
		a.queues[q] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil || !a.supervisor {
		return a, err
	}
	rows, err = s.st.rdb.QueryContext(ctx, `SELECT u.id FROM users u WHERE u.role = 'agent' AND `+visibleAgents, p.UserID)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return a, err
		}
		a.agents[id] = true
	}
	return a, rows.Err()
}

// sees decides whether the stream's owner may see event e. A membership
// change concerns a stream whose owner joined or left a queue, and a
// supervisor's whose queue gained or lost someone.
func (a *audience) sees(e liveEvent) bool {
	switch e.Kind {
	case api.LiveMembers:
		return e.AgentID == a.user || (a.supervisor && a.queues[e.QueueID])
	case api.LiveAgent:
		return a.supervisor && a.agents[e.AgentID]
	case api.LiveHelp:
		return e.AgentID == a.user || (a.supervisor && a.agents[e.AgentID])
	case api.LiveMessage:
		switch {
		case e.FromID == a.user || e.ToID == a.user:
			return true
		case e.ToID == "" && e.QueueID != "":
			return a.queues[e.QueueID]
		case e.ToID == "" && e.QueueID == "":
			return a.supervisor && a.agents[e.FromID]
		}
	}
	return false
}

// handleLiveStatus: PUT /v1/live/status from the agent app.
func (s *Server) handleLiveStatus(w http.ResponseWriter, r *http.Request, p principal) {
	if p.supervisor() {
		s.fail(w, r, forbidden("live status is sent by the agent app"))
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var st api.LiveStatus
	if err := decodeJSON(body, &st); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.validateStatus(&st); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	now := s.cfg.Now()
	if need, err := s.statusChanges(ctx, p.UserID, st, now); err != nil || !need {
		if err != nil {
			s.fail(w, r, err)
		} else {
			w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	var changed bool
	err = s.st.writeTx(ctx, func(tx *sql.Tx) (err error) {
		changed, err = s.applyStatus(ctx, tx, p.UserID, st, now)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if changed {
		s.live.poke()
	}
	w.WriteHeader(http.StatusNoContent)
}

// maxLiveText bounds the free texts of a live status.
const maxLiveText = 256

func (s *Server) validateStatus(st *api.LiveStatus) error {
	var err error
	if st.At, err = checkTime("at", st.At, true); err != nil {
		return err
	}
	if st.StateSince, err = checkTime("state_since", st.StateSince, true); err != nil {
		return err
	}
	switch {
	case !liveStateName(st.State):
		return badRequest("state must be a short word such as available, on_call, wrap_up, not_ready, break, offline")
	case len(st.Reason) > maxLiveText || !printable(st.Reason):
		return badRequest("reason must be at most %d printable characters", maxLiveText)
	case st.SIPURI != "" && (len(st.SIPURI) > maxLiveText || !printable(st.SIPURI) || strings.ContainsAny(st.SIPURI, " <>\"") ||
		!(strings.HasPrefix(st.SIPURI, "sip:") || strings.HasPrefix(st.SIPURI, "sips:"))):
		return badRequest("sip_uri must be a sip: or sips: URI")
	}
	if l := st.Line; l != nil {
		switch {
		case l.State != api.LineRegistered && l.State != api.LineReconnecting && l.State != api.LineRefused && l.State != api.LineOff:
			return badRequest(`line.state must be "registered", "reconnecting", "refused" or "off"`)
		case len(l.Detail) > maxLiveText || !printable(l.Detail):
			return badRequest("line.detail must be at most %d printable characters", maxLiveText)
		}
		if err := checkTimePtr("line.since", l.Since); err != nil {
			return err
		}
	}
	if err := s.validateCall("call", st.Call); err != nil {
		return err
	}
	return s.validateCall("waiting", st.Waiting)
}

// validateCall checks a live status's call (name: its field) and writes
// its number in E.164.
func (s *Server) validateCall(name string, c *api.LiveCall) error {
	if c == nil {
		return nil
	}
	var err error
	if c.StartedAt, err = checkTime(name+".started_at", c.StartedAt, true); err != nil {
		return err
	}
	if err := checkTimePtr(name+".answered_at", c.AnsweredAt); err != nil {
		return err
	}
	switch {
	case !validCallID(c.ID):
		return badRequest("%s.id must be 1 to %d printable characters without spaces", name, maxCallID)
	case c.Direction != api.Inbound && c.Direction != api.Outbound:
		return badRequest(`%s.direction must be "inbound" or "outbound"`, name)
	case len(c.Number) > 64 || !printable(c.Number):
		return badRequest("%s.number must be at most 64 printable characters", name)
	case c.Quality != nil && (len(c.Quality.Codec) > 32 || badFloat(c.Quality.LossPct, 0, 100) || badFloat(c.Quality.JitterMs, 0, 1e5) ||
		badFloat(c.Quality.MOS, 0, 5)):
		return badRequest("%s.quality out of range: loss_pct 0-100, jitter_ms >= 0, mos 0-5", name)
	}
	if e, ok := NormalizePhone(c.Number, s.cfg.Region); ok {
		c.Number = e
	}
	return nil
}

// printable reports text without control characters.
func printable(v string) bool {
	for _, c := range v {
		if c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// board reads the wallboard in q: the caller's agents and open help requests,
// and the live event number it is current as of.
func (s *Server) board(ctx context.Context, q querier, p principal) (api.LiveBoard, error) {
	var b api.LiveBoard
	var err error
	if b.Seq, err = s.st.liveHead(ctx, q); err != nil {
		return b, err
	}
	b.At = s.cfg.Now().UTC()
	if b.Agents, err = liveAgents(ctx, q, visibleAgents, p.UserID); err != nil {
		return b, err
	}
	b.Help, err = s.queryMessages(ctx, q, `m.kind = 'help' AND m.taken_by IS NULL AND m.cancelled_at IS NULL AND m.created_at >= $2 AND m.from_id IN
(SELECT u.id FROM users u WHERE `+visibleAgents+`) ORDER BY m.seq`, p.UserID, b.At.Add(-helpShown).UnixMilli())
	return b, err
}

// handleBoard: GET /v1/live/agents, the wallboard as of now (supervisors).
func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("the wallboard is for supervisors"))
		return
	}
	var b api.LiveBoard
	err := s.st.readTx(r.Context(), func(tx *sql.Tx) (err error) {
		b, err = s.board(r.Context(), tx, p)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, b)
}

// handleStream: GET /v1/live/stream, server-sent events. A supervisor's
// stream starts with the wallboard (event "snapshot") and then carries every
// change of their agents, their help requests and messages; an agent's
// carries their messages and help answers. A client that reconnects with
// Last-Event-ID gets what it missed (or a fresh snapshot when that is gone).
// The stream ends when the access token expires: the client reconnects
// with a fresh one.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request, p principal) {
	ctx := r.Context()
	aud, err := s.audienceOf(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Who the stream may see changes with queue membership (admin.go): the
	// hub's filter reads the current audience.
	var cur atomic.Pointer[audience]
	cur.Store(&aud)
	sub := s.live.subscribe(func(e liveEvent) bool { return cur.Load().sees(e) })
	defer s.live.unsubscribe(sub)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(id int64, event string, data []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWait))
		var err error
		if event == "" {
			_, err = fmt.Fprintf(w, ": ping\n\n")
		} else {
			_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", id, event, data)
		}
		return err == nil && rc.Flush() == nil
	}
	sent, ok := s.streamStart(ctx, p, &aud, r.Header.Get("Last-Event-ID"), write)
	if !ok {
		return
	}
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	expire := time.NewTimer(time.Until(time.Unix(p.Exp, 0)))
	defer expire.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.streamsDone:
			return
		case <-expire.C:
			write(sent, "reauth", []byte(`{}`))
			return
		case <-ping.C:
			if !write(0, "", nil) {
				return
			}
		case e, open := <-sub.ch:
			if !open {
				return
			}
			if e.Seq <= sent {
				continue
			}
			if e.Kind == api.LiveMembers {
				if sent, ok = s.membersChanged(ctx, p, &cur, sent, write); !ok {
					return // the client reconnects and starts afresh
				}
				continue
			}
			if !write(e.Seq, e.Kind, e.Payload) {
				return
			}
			sent = e.Seq
		}
	}
}

// membersChanged recomputes who an open stream may see after a queue
// membership change; a supervisor's stream then gets a new snapshot of the
// wallboard (agents added or gone). It returns the last event number sent.
func (s *Server) membersChanged(ctx context.Context, p principal, cur *atomic.Pointer[audience], sent int64,
	write func(int64, string, []byte) bool) (int64, bool) {
	next, err := s.audienceOf(ctx, p)
	if err != nil {
		s.log.Warn("live stream: reading the new queue membership", "err", err)
		return sent, false
	}
	cur.Store(&next)
	if !p.supervisor() {
		return sent, true
	}
	return s.snapshot(ctx, p, write)
}

// snapshot sends a supervisor the wallboard as of now and returns its
// event number.
func (s *Server) snapshot(ctx context.Context, p principal, write func(int64, string, []byte) bool) (int64, bool) {
	var b api.LiveBoard
	err := s.st.readTx(ctx, func(tx *sql.Tx) (err error) {
		b, err = s.board(ctx, tx, p)
		return err
	})
	if err != nil {
		s.log.Warn("live stream snapshot", "err", err)
		return 0, false
	}
	data, err := json.Marshal(b)
	if err != nil {
		return 0, false
	}
	return b.Seq, write(b.Seq, api.LiveSnapshot, data)
}

// streamStart sends what a new stream begins with and returns the last
// event number sent: the events after Last-Event-ID when they are all
// still kept, else (supervisors) the wallboard snapshot.
func (s *Server) streamStart(ctx context.Context, p principal, aud *audience, lastID string,
	write func(int64, string, []byte) bool) (int64, bool) {
	if last, err := strconv.ParseInt(lastID, 10, 64); err == nil && last >= 0 {
		oldest, err := s.st.liveOldest(ctx, s.st.rdb)
		if err == nil && (oldest == 0 || oldest <= last+1) {
			sent := last
			for {
				evs, err := s.st.liveSince(ctx, s.st.rdb, sent, liveBatch)
				if err != nil {
					return 0, false
				}
				for _, e := range evs {
					if e.Kind == api.LiveMembers {
						if aud.sees(e) && p.supervisor() {
							// Membership changed while away: the wallboard afresh.
							return s.snapshot(ctx, p, write)
						}
						sent = e.Seq
						continue
					}
					if aud.sees(e) && !write(e.Seq, e.Kind, e.Payload) {
						return 0, false
					}
					sent = e.Seq
				}
				if len(evs) < liveBatch {
					return sent, true
				}
			}
		}
	}
	if !p.supervisor() {
		head, err := s.st.liveHead(ctx, s.st.rdb)
		return head, err == nil && write(head, "ready", []byte(`{}`))
	}
	return s.snapshot(ctx, p, write)
}
