package server

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// mayWatch reports whether the caller may see agentID's figures: the agent
// themself, or a supervisor of one of the agent's queues.
func mayWatch(ctx context.Context, q querier, p principal, agentID string) (bool, error) {
	if agentID == p.UserID {
		return true, nil
	}
	if !p.supervisor() {
		return false, nil
	}
	return sharesQueue(ctx, q, p.UserID, agentID)
}

// handleTimeline: GET /v1/agents/{id}/timeline?day=YYYY-MM-DD, one agent's
// day for the drill-down.
func (s *Server) handleTimeline(w http.ResponseWriter, r *http.Request, p principal) {
	ctx := r.Context()
	agentID := r.PathValue("id")
	day, err := queryDay(r.URL.Query(), "day", s.cfg.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	end := day.Add(24 * time.Hour)
	stop := s.cfg.Now()
	if stop.After(end) {
		stop = end
	}
	var tl api.Timeline
	err = s.st.readTx(ctx, func(tx *sql.Tx) error {
		ok, err := mayWatch(ctx, tx, p, agentID)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("agent " + agentID)
		}
		if tl.Agent, err = userByID(ctx, tx, agentID); err != nil {
			return err
		}
		tl.Day = day.Format(time.DateOnly)
		events, err := eventsWithReportsOf(ctx, tx, agentID, day, end)
		if err != nil {
			return err
		}
		if tl.Calls, err = callsBetween(ctx, tx, agentID, day, end); err != nil {
			return err
		}
		plain := make([]api.AgentEvent, len(events))
		tl.Prechecks = []api.PrecheckSummary{}
		for i, e := range events {
			plain[i] = e.AgentEvent
			if e.Precheck != nil {
				override := ""
				if e.Kind == api.EventClockIn {
					override = e.Reason
				}
				tl.Prechecks = append(tl.Prechecks, summarizePrecheck(e.At, e.Precheck.Passed, override, []byte(e.report), true))
			}
		}
		tl.Segments = segmentsFrom(plain, stop)
		tl.Shifts = []api.Shift{}
		for _, sh := range shiftsFrom(plain, stop) {
			addCalls(sh, tl.Calls)
			tl.Shifts = append(tl.Shifts, *sh)
		}
		tl.Sessions, err = sessions(ctx, tx, `ms.agent_id = $1 AND ms.started_at >= $2 AND ms.started_at < $3`,
			agentID, day.UnixMilli(), end.UnixMilli())
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, tl)
}

// eventsWithReportsOf reads one agent's events with every pre-shift report.
func eventsWithReportsOf(ctx context.Context, q querier, agentID string, from, to time.Time) ([]eventWithReport, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, agent_id, kind, state, at, reason, precheck_passed, precheck_report
FROM agent_events WHERE agent_id = $1 AND at >= $2 AND at < $3 ORDER BY at, id`, agentID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eventWithReport
	for rows.Next() {
		var e eventWithReport
		var at int64
		var passed sql.NullInt64
		if err := rows.Scan(&e.ID, &e.AgentID, &e.Kind, &e.State, &at, &e.Reason, &passed, &e.report); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		if passed.Valid {
			e.Precheck = &api.Precheck{Passed: passed.Int64 == 1}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// segmentsFrom turns one agent's ordered events into the stretches spent in
// each state during shifts; an open shift's last state runs to stop.
func segmentsFrom(events []api.AgentEvent, stop time.Time) []api.Segment {
	out := []api.Segment{}
	var cur *api.Segment
	closeAt := func(at time.Time) {
		if cur != nil && at.After(cur.From) {
			cur.To = at
			out = append(out, *cur)
		}
		cur = nil
	}
	inShift := false
	for _, e := range events {
		switch e.Kind {
		case api.EventClockIn:
			closeAt(e.At)
			inShift = true
			cur = &api.Segment{State: orDefault(e.State, api.StateAvailable), From: e.At}
		case api.EventState:
			if inShift {
				closeAt(e.At)
				cur = &api.Segment{State: e.State, Reason: e.Reason, From: e.At}
			}
		case api.EventClockOut:
			closeAt(e.At)
			inShift = false
		}
	}
	closeAt(stop)
	return out
}
