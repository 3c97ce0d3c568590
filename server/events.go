package server

import (
	"context"
	"database/sql"
	"github.com/homeshore/homeshore/server/api"
	"math"
	"net/http"
	"time"
)

const maxPrecheckReport = 32 << 10

func validateAgentEvent(e *api.AgentEvent) error {
	var err error
	if e.At, err = checkTime("at", e.At, true); err != nil {
		return err
	}
	switch e.Kind {
	case api.EventClockIn, api.EventClockOut, api.EventPrecheck:
	case api.EventState:
		if e.State == "" {
			return badRequest("a state event needs state")
		}
	default:
		return badRequest("kind must be clock_in, state, clock_out or precheck")
	}
	switch {
	case !validID(e.ID):
		return badRequest("id must be 1 to %d letters, digits, - _ : .", maxIDLen)
	case e.State != "" && (len(e.State) > 32 || !validID(e.State)):
		return badRequest("state must be a short word such as available, on_call, wrap_up, not_ready, break")
	case len(e.Reason) > 1000:
		return badRequest("reason over 1000 bytes")
	case (e.Kind == api.EventClockIn || e.Kind == api.EventPrecheck) && e.Precheck == nil:
		return badRequest("%s needs the pre-shift check report (precheck)", e.Kind)
	case e.Precheck != nil && len(e.Precheck.Report) > maxPrecheckReport:
		return badRequest("precheck report over %d bytes", maxPrecheckReport)
	}
	return nil
}

func (s *Server) handleAgentEvent(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var e api.AgentEvent
	if err := decodeJSON(body, &e); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := validateAgentEvent(&e); err != nil {
		s.fail(w, r, err)
		return
	}
	e.AgentID = p.UserID
	s.idempotent(w, r, p, body, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		var passed any
		report := ""
		if e.Precheck != nil {
			passed = boolInt(e.Precheck.Passed)
			report = string(e.Precheck.Report)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO agent_events (id, agent_id, kind, state, at, reason, precheck_passed, precheck_report, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
			e.ID, p.UserID, e.Kind, e.State, e.At.UnixMilli(), e.Reason, passed, report, s.cfg.Now().UnixMilli())
		if err != nil {
			return 0, nil, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if err := s.applyAgentEvent(ctx, tx, p.UserID, e); err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, e, nil
		}
		var owner string
		if err := tx.QueryRowContext(ctx, `SELECT agent_id FROM agent_events WHERE id = $1`, e.ID).Scan(&owner); err != nil {
			return 0, nil, err
		}
		if owner != p.UserID {
			return 0, nil, &apiError{Status: http.StatusConflict, Code: "exists", Message: "event id " + e.ID + " is taken; use a new id"}
		}
		return http.StatusOK, e, nil
	})
	s.live.poke()
}

func eventsBetween(ctx context.Context, db querier, agentID string, from, to time.Time) ([]api.AgentEvent, error) {
	q := `SELECT id, agent_id, kind, state, at, reason, precheck_passed FROM agent_events WHERE at >= $1 AND at < $2`
	args := []any{from.UnixMilli(), to.UnixMilli()}
	if agentID != "" {
		q += ` AND agent_id = $3`
		args = append(args, agentID)
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY agent_id, at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.AgentEvent{}
	for rows.Next() {
		var e api.AgentEvent
		var at int64
		var passed sql.NullInt64
		if err := rows.Scan(&e.ID, &e.AgentID, &e.Kind, &e.State, &at, &e.Reason, &passed); err != nil {
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

// shiftsFrom splits one agent's ordered events into shifts, ending an open
// shift's last state at now.
func shiftsFrom(events []api.AgentEvent, now time.Time) []*api.Shift {
	var out []*api.Shift
	var cur *api.Shift
	state, since := "", time.Time{}
	closeState := func(at time.Time) {
		if cur != nil && state != "" && at.After(since) {
			cur.StateSeconds[state] += at.Sub(since).Seconds()
		}
	}
	for _, e := range events {
		switch e.Kind {
		case api.EventClockIn:
			if cur != nil {
				closeState(e.At)
			}
			cur = &api.Shift{AgentID: e.AgentID, ClockIn: e.At, StateSeconds: map[string]float64{}}
			cur.PrecheckPassed = e.Precheck != nil && e.Precheck.Passed
			out = append(out, cur)
			state, since = e.State, e.At
			if state == "" {
				state = "available"
			}
		case api.EventState:
			if cur != nil {
				closeState(e.At)
				state, since = e.State, e.At
			}
		case api.EventClockOut:
			if cur != nil {
				closeState(e.At)
				at := e.At
				cur.ClockOut = &at
				cur, state = nil, ""
			}
		}
	}
	if cur != nil && now.After(since) {
		closeState(now)
	}
	return out
}

func addCalls(sh *api.Shift, calls []api.CallLog) {
	end := time.Unix(math.MaxInt32, 0)
	if sh.ClockOut != nil {
		end = *sh.ClockOut
	}
	for _, c := range calls {
		// A consultation leg's time lies within its customer's call.
		if c.StartedAt.Before(sh.ClockIn) || !c.StartedAt.Before(end) || c.AnsweredAt == nil || c.ConsultOf != "" {
			continue
		}
		sh.Calls++
		sh.TalkSeconds += c.TalkSeconds
		sh.BillableMinutes += int(math.Ceil(c.TalkSeconds / 60))
	}
	sh.TalkMinutes = math.Round(sh.TalkSeconds/60*100) / 100
	sh.WrapUpSeconds = sh.StateSeconds[api.StateWrapUp]
}

// handleShifts: GET /v1/shifts?agent_id=&from=&to= lists shifts that began
// in the range, each with its summary.
func (s *Server) handleShifts(w http.ResponseWriter, r *http.Request, p principal) {
	agent, from, to, err := s.agentRange(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	// Events and calls up to a day past the range close shifts that began inside it.
	// Events and calls from one snapshot, so a call never lacks its shift.
	var events []api.AgentEvent
	var calls []api.CallLog
	err = s.st.readTx(ctx, func(tx *sql.Tx) (err error) {
		if events, err = eventsBetween(ctx, tx, agent, from, to.Add(24*time.Hour)); err != nil {
			return err
		}
		calls, err = callsBetween(ctx, tx, agent, from, to.Add(24*time.Hour))
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []*api.Shift{}
	for _, sh := range shiftsFrom(events, s.cfg.Now()) {
		if sh.ClockIn.Before(to) {
			addCalls(sh, calls)
			out = append(out, sh)
		}
	}
	s.reply(w, r, http.StatusOK, map[string]any{"shifts": out})
}
