package server

import (
	"cmp"
	"context"
	"database/sql"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// worstCalls is how many of the lowest-MOS calls a row lists.
const worstCalls = 3

// maxDays bounds an indicators range.
const maxDays = 31

// indicatorRange reads day, or from and to (UTC days, both included), and
// an optional queue name.
func (s *Server) indicatorRange(r *http.Request) (from, to time.Time, queue string, err error) {
	q := r.URL.Query()
	today := s.cfg.Now().UTC().Truncate(24 * time.Hour)
	if q.Get("day") != "" {
		from, err = queryDay(q, "day", today)
		to = from
	} else if from, err = queryDay(q, "from", today); err == nil {
		to, err = queryDay(q, "to", from)
	}
	switch {
	case err != nil:
	case to.Before(from):
		err = badRequest("to must not be before from")
	case to.Sub(from) >= maxDays*24*time.Hour:
		err = badRequest("at most %d days at once", maxDays)
	}
	return from, to, q.Get("queue"), err
}

// agentRow is one visible agent with the queues they are in.
type agentRow struct {
	id, username, name string
	queues             []string
}

// indicatorsReport computes the figures of the supervisor's agents (of one
// queue when queue is set) over [from, to] days, from one snapshot.
func (s *Server) indicatorsReport(ctx context.Context, p principal, from, to time.Time, queue string) (api.IndicatorsReport, error) {
	rep := api.IndicatorsReport{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Agents: []api.Indicators{}, Queues: []api.Indicators{}}
	if from.Equal(to) {
		rep.Day = rep.From
	}
	end := to.Add(24 * time.Hour)
	stop := s.cfg.Now()
	if stop.After(end) {
		stop = end
	}
	err := s.st.readTx(ctx, func(tx *sql.Tx) error {
		agents, queues, err := visibleRoster(ctx, tx, p, queue)
		if err != nil {
			return err
		}
		byID := map[string]*acc{}
		for _, a := range agents {
			byID[a.id] = newAcc(api.Indicators{AgentID: a.id, Username: a.username, DisplayName: a.name})
		}
		events, err := eventsWithReports(ctx, tx, p.UserID, from, end)
		if err != nil {
			return err
		}
		for i := 0; i < len(events); {
			j := i
			for j < len(events) && events[j].AgentID == events[i].AgentID {
				j++
			}
			if a := byID[events[i].AgentID]; a != nil {
				a.addEvents(events[i:j], stop)
			}
			i = j
		}
		calls, err := visibleCalls(ctx, tx, p.UserID, from, end)
		if err != nil {
			return err
		}
		for _, c := range calls {
			if a := byID[c.AgentID]; a != nil {
				a.addCall(c, a.row.Username)
			}
		}
		for _, a := range agents {
			rep.Agents = append(rep.Agents, byID[a.id].done())
		}
		for _, qn := range queues {
			q := newAcc(api.Indicators{Queue: qn})
			for _, a := range agents {
				if slices.Contains(a.queues, qn) {
					q.merge(byID[a.id])
				}
			}
			rep.Queues = append(rep.Queues, q.done())
		}
		return nil
	})
	return rep, err
}

// visibleRoster lists the supervisor's agents and queues (only queue when set).
func visibleRoster(ctx context.Context, q querier, p principal, queue string) ([]agentRow, []string, error) {
	myQueues, err := userQueueNames(ctx, q, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	if queue != "" {
		if !slices.Contains(myQueues, queue) {
			return nil, nil, forbidden("you are not a supervisor of queue " + queue)
		}
		myQueues = []string{queue}
	}
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, qu.name FROM users u
JOIN user_queues uq ON uq.user_id = u.id JOIN queues qu ON qu.id = uq.queue_id
WHERE u.role = 'agent' AND `+visibleAgents+` ORDER BY u.display_name, u.username, qu.name`, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []agentRow
	for rows.Next() {
		var a agentRow
		var qn string
		if err := rows.Scan(&a.id, &a.username, &a.name, &qn); err != nil {
			return nil, nil, err
		}
		if n := len(out); n > 0 && out[n-1].id == a.id {
			out[n-1].queues = append(out[n-1].queues, qn)
			continue
		}
		a.queues = []string{qn}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if queue != "" {
		out = slices.DeleteFunc(out, func(a agentRow) bool { return !slices.Contains(a.queues, queue) })
	}
	return out, myQueues, nil
}

// eventWithReport is an agent event with its pre-shift report (failed ones).
type eventWithReport struct {
	api.AgentEvent
	report string
}

func eventsWithReports(ctx context.Context, q querier, supervisor string, from, to time.Time) ([]eventWithReport, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.agent_id, e.kind, e.state, e.at, e.reason, e.precheck_passed,
CASE WHEN e.precheck_passed = 0 THEN e.precheck_report ELSE '' END
FROM agent_events e JOIN users u ON u.id = e.agent_id WHERE e.at >= $2 AND e.at < $3 AND `+visibleAgents+`
ORDER BY e.agent_id, e.at, e.id`, supervisor, from.UnixMilli(), to.UnixMilli())
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

func visibleCalls(ctx context.Context, q querier, supervisor string, from, to time.Time) ([]api.CallLog, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+callColumns+` FROM call_logs JOIN users u ON u.id = call_logs.agent_id
WHERE started_at >= $2 AND started_at < $3 AND `+visibleAgents+` ORDER BY started_at, call_id`, supervisor, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.CallLog{}
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// acc accumulates one row of indicators.
type acc struct {
	row    api.Indicators
	mosN   int
	mosSum float64
	worst  []api.CallRef
}

func newAcc(row api.Indicators) *acc {
	row.WorstCalls = []api.CallRef{}
	row.PrecheckFailuresByCheck = map[string]int{}
	row.StateSeconds = map[string]float64{}
	row.Dispositions = map[string]int{}
	return &acc{row: row}
}

func (a *acc) addEvents(events []eventWithReport, stop time.Time) {
	plain := make([]api.AgentEvent, len(events))
	for i, e := range events {
		plain[i] = e.AgentEvent
		if (e.Kind == api.EventClockIn || e.Kind == api.EventPrecheck) && e.Precheck != nil && !e.Precheck.Passed {
			a.row.PrecheckFailures++
			for _, c := range failedChecks(e.report) {
				a.row.PrecheckFailuresByCheck[c]++
			}
		}
	}
	for _, sh := range shiftsFrom(plain, stop) {
		for k, v := range sh.StateSeconds {
			a.row.StateSeconds[k] += v
		}
	}
}

func (a *acc) addCall(c api.CallLog, username string) {
	if c.ConsultOf != "" {
		return // part of its customer's call, counted there
	}
	if c.Direction == api.Inbound {
		a.row.Inbound++
	} else {
		a.row.Outbound++
	}
	if c.AnsweredAt == nil {
		if c.Direction == api.Inbound {
			a.row.CallsMissed++
		}
		return
	}
	a.row.CallsHandled++
	a.row.TalkSeconds += c.TalkSeconds
	if c.Disposition != "" {
		a.row.Dispositions[c.Disposition]++
	}
	if c.Quality.MOS > 0 {
		a.mosN++
		a.mosSum += c.Quality.MOS
		a.worst = append(a.worst, api.CallRef{CallID: c.CallID, AgentID: c.AgentID, Username: username, Number: c.Number,
			StartedAt: c.StartedAt, MOS: c.Quality.MOS, LossPct: c.Quality.LossPct, JitterMs: c.Quality.JitterMs, TicketID: c.TicketID})
	}
}

// merge adds an agent's row into a queue's.
func (a *acc) merge(b *acc) {
	r, o := &a.row, b.row
	r.CallsHandled += o.CallsHandled
	r.CallsMissed += o.CallsMissed
	r.Inbound += o.Inbound
	r.Outbound += o.Outbound
	r.TalkSeconds += o.TalkSeconds
	r.PrecheckFailures += o.PrecheckFailures
	for k, v := range o.PrecheckFailuresByCheck {
		r.PrecheckFailuresByCheck[k] += v
	}
	for k, v := range o.StateSeconds {
		r.StateSeconds[k] += v
	}
	for k, v := range o.Dispositions {
		r.Dispositions[k] += v
	}
	a.mosN += b.mosN
	a.mosSum += b.mosSum
	a.worst = append(a.worst, b.worst...)
}

// done finishes the averages and the worst-call list.
func (a *acc) done() api.Indicators {
	r := a.row
	for k, v := range r.StateSeconds {
		r.StateSeconds[k] = round(v, 1)
	}
	r.TalkSeconds = round(r.TalkSeconds, 1)
	r.WrapUpSeconds = r.StateSeconds[api.StateWrapUp]
	if r.CallsHandled > 0 {
		r.AvgHandleSeconds = round((r.TalkSeconds+r.WrapUpSeconds)/float64(r.CallsHandled), 1)
	}
	if a.mosN > 0 {
		r.AvgMOS = round(a.mosSum/float64(a.mosN), 2)
	}
	w := slices.Clone(a.worst)
	slices.SortStableFunc(w, func(x, y api.CallRef) int { return cmp.Compare(x.MOS, y.MOS) })
	r.WorstCalls = append([]api.CallRef{}, w[:min(len(w), worstCalls)]...)
	return r
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// handleIndicators: GET /v1/indicators?day= | from=&to= [&queue=], supervisors.
func (s *Server) handleIndicators(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("indicators are for supervisors"))
		return
	}
	from, to, queue, err := s.indicatorRange(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.indicatorsReport(r.Context(), p, from, to, queue)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, rep)
}
