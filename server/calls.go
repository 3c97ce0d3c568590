package server

import (
	"context"
	"database/sql"
	"errors"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/phone"
	"math"
	"net/http"
	"time"
)

// defaultDispositions are created on first start; supervisors' own lists can
// be added to the dispositions table.
var defaultDispositions = []api.Disposition{
	{Code: "resolved", Label: "Resolved"}, {Code: "callback", Label: "Callback scheduled"}, {Code: "escalated", Label: "Escalated"},
	{Code: "sale", Label: "Sale"}, {Code: "no_sale", Label: "No sale"}, {Code: "wrong_number", Label: "Wrong number"},
	{Code: "voicemail", Label: "Voicemail"}, {Code: "dropped", Label: "Call dropped"},
	// Set by the agent's app itself: a transfer, a call nobody answered or
	// the agent declined, a wrap-up that timed out with no outcome chosen.
	{Code: "transferred", Label: "Transferred"}, {Code: "missed", Label: "Missed"}, {Code: "rejected", Label: "Declined"},
	{Code: "no_disposition", Label: "No outcome chosen"},
}

func (s *Server) ensureDispositions(ctx context.Context) error {
	return s.st.writeTx(ctx, func(tx *sql.Tx) error {
		for i, d := range defaultDispositions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO dispositions (code, label, position) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`,
				d.Code, d.Label, i); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Server) handleDispositions(w http.ResponseWriter, r *http.Request, p principal) {
	rows, err := s.st.rdb.QueryContext(r.Context(), `SELECT code, label FROM dispositions ORDER BY position, code`)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rows.Close()
	out := []api.Disposition{}
	for rows.Next() {
		var d api.Disposition
		if err := rows.Scan(&d.Code, &d.Label); err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, d)
	}
	s.reply(w, r, http.StatusOK, map[string]any{"dispositions": out})
}

func validateCallLog(c *api.CallLog, region string) error {
	var err error
	if c.StartedAt, err = checkTime("started_at", c.StartedAt, true); err != nil {
		return err
	}
	if c.EndedAt, err = checkTime("ended_at", c.EndedAt, true); err != nil {
		return err
	}
	if err := checkTimePtr("answered_at", c.AnsweredAt); err != nil {
		return err
	}
	switch {
	case !validCallID(c.CallID):
		return badRequest("call_id must be 1 to %d printable characters without spaces", maxCallID)
	case c.Direction != api.Inbound && c.Direction != api.Outbound:
		return badRequest(`direction must be "inbound" or "outbound"`)
	case c.EndedAt.Before(c.StartedAt):
		return badRequest("ended_at must not be before started_at")
	case c.AnsweredAt != nil && (c.AnsweredAt.Before(c.StartedAt) || c.AnsweredAt.After(c.EndedAt)):
		return badRequest("answered_at must lie between started_at and ended_at")
	case len(c.Note) > maxNote:
		return badRequest("note over %d bytes", maxNote)
	case len(c.Quality.Codec) > 32 || badFloat(c.Quality.LossPct, 0, 100) || badFloat(c.Quality.JitterMs, 0, 1e5) ||
		badFloat(c.Quality.MOS, 0, 5):
		return badRequest("quality out of range: loss_pct 0-100, jitter_ms >= 0, mos 0-5")
	case c.TicketID != "" && !validID(c.TicketID):
		return badRequest("ticket_id is not a valid id")
	case c.ConsultOf != "" && (!validCallID(c.ConsultOf) || c.ConsultOf == c.CallID):
		return badRequest("consult_of must be the call_id of another call")
	}
	// Any party a PBX gives is a call: a public number, an extension, a SIP
	// address, a withheld caller ("anonymous"); only garbage is refused.
	key, kind := partyKey(c.Number, region)
	if kind == phone.Invalid {
		return badRequest("number must be a phone number, an extension, a sip: address or \"anonymous\" (at most 64 characters)")
	}
	c.Number = key
	c.TalkSeconds = 0
	if c.AnsweredAt != nil {
		c.TalkSeconds = c.EndedAt.Sub(*c.AnsweredAt).Seconds()
	}
	return nil
}

// maxRange bounds the time range of one list query.
const maxRange = 31 * 24 * time.Hour

// maxCallID fits SIP Call-IDs, which are often longer than our own ids.
const maxCallID = 200

func validCallID(id string) bool {
	if id == "" || len(id) > maxCallID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

func badFloat(v, lo, hi float64) bool { return math.IsNaN(v) || v < lo || v > hi }

// handleLogCall stores a call log once per call_id; a note on a call with a
// ticket is appended to the ticket's thread (note id "call:CALLID").
func (s *Server) handleLogCall(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var c api.CallLog
	if err := decodeJSON(body, &c); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := validateCallLog(&c, s.cfg.Region); err != nil {
		s.fail(w, r, err)
		return
	}
	c.AgentID = p.UserID
	s.idempotent(w, r, p, body, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		var d int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dispositions WHERE code = $1`, c.Disposition).Scan(&d); err != nil {
			return 0, nil, err
		}
		if d == 0 {
			return 0, nil, badRequest("unknown disposition %q; GET /v1/dispositions lists them", c.Disposition)
		}
		if c.TicketID != "" {
			if _, err := s.ticketFor(ctx, tx, p, c.TicketID); err != nil {
				return 0, nil, err
			}
		}
		var answered any
		talkMs := int64(math.Round(c.TalkSeconds * 1000))
		if c.AnsweredAt != nil {
			answered = c.AnsweredAt.UnixMilli()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO call_logs (call_id, agent_id, direction, number, started_at, answered_at, ended_at, talk_ms,
disposition, note, ticket_id, codec, loss_pct, jitter_ms, mos, created_at, consult_of) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (call_id) DO NOTHING`, c.CallID, p.UserID, c.Direction, c.Number, c.StartedAt.UnixMilli(), answered, c.EndedAt.UnixMilli(), talkMs,
			c.Disposition, c.Note, nullable(c.TicketID), c.Quality.Codec, c.Quality.LossPct, c.Quality.JitterMs, c.Quality.MOS, s.cfg.Now().UnixMilli(),
			c.ConsultOf)
		if err != nil {
			return 0, nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			got, err := s.st.callLog(ctx, tx, c.CallID)
			if err != nil {
				return 0, nil, err
			}
			if got.AgentID != p.UserID {
				return 0, nil, &apiError{Status: http.StatusConflict, Code: "exists", Message: "call " + c.CallID + " was logged by another agent"}
			}
			return http.StatusOK, got, nil
		}
		if c.TicketID != "" && c.Note != "" {
			// A full thread keeps the call log (pay and indicators need it)
			// without its note in the thread; the note stays on the call.
			if _, _, err := s.addNote(ctx, tx, p, c.TicketID, "call:"+c.CallID, c.Note); err != nil && !errors.Is(err, errThreadFull) {
				return 0, nil, err
			}
		}
		return http.StatusCreated, c, nil
	})
}

const callColumns = `call_id, agent_id, direction, number, started_at, answered_at, ended_at, talk_ms, disposition, note,
COALESCE(ticket_id, ''), codec, loss_pct, jitter_ms, mos, consult_of`

func scanCall(sc interface{ Scan(...any) error }) (api.CallLog, error) {
	var c api.CallLog
	var started, ended, talk int64
	var answered sql.NullInt64
	err := sc.Scan(&c.CallID, &c.AgentID, &c.Direction, &c.Number, &started, &answered, &ended, &talk, &c.Disposition, &c.Note,
		&c.TicketID, &c.Quality.Codec, &c.Quality.LossPct, &c.Quality.JitterMs, &c.Quality.MOS, &c.ConsultOf)
	if err != nil {
		return api.CallLog{}, err
	}
	c.StartedAt, c.EndedAt = time.UnixMilli(started).UTC(), time.UnixMilli(ended).UTC()
	if answered.Valid {
		a := time.UnixMilli(answered.Int64).UTC()
		c.AnsweredAt = &a
	}
	c.TalkSeconds = float64(talk) / 1000
	return c, nil
}

func (st *Store) callLog(ctx context.Context, q querier, callID string) (api.CallLog, error) {
	c, err := scanCall(q.QueryRowContext(ctx, `SELECT `+callColumns+` FROM call_logs WHERE call_id = $1`, callID))
	if errors.Is(err, sql.ErrNoRows) {
		return api.CallLog{}, notFound("call " + callID)
	}
	return c, err
}

// callsBetween lists an agent's calls started in [from, to).
func callsBetween(ctx context.Context, q querier, agentID string, from, to time.Time) ([]api.CallLog, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+callColumns+` FROM call_logs WHERE agent_id = $1 AND started_at >= $2 AND started_at < $3
ORDER BY started_at, call_id`, agentID, from.UnixMilli(), to.UnixMilli())
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

// handleListCalls: GET /v1/calls?agent_id=&from=&to= (RFC 3339; default the
// last 24 hours). Agents see their own calls only.
func (s *Server) handleListCalls(w http.ResponseWriter, r *http.Request, p principal) {
	agent, from, to, err := s.agentRange(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	calls, err := callsBetween(r.Context(), s.st.rdb, agent, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, map[string]any{"calls": calls})
}

// agentRange reads agent_id, from and to; only supervisors may name
// another agent.
func (s *Server) agentRange(r *http.Request, p principal) (string, time.Time, time.Time, error) {
	q := r.URL.Query()
	agent := q.Get("agent_id")
	if agent == "" {
		agent = p.UserID
	}
	ok, err := mayWatch(r.Context(), s.st.rdb, p, agent)
	if err != nil {
		return "", time.Time{}, time.Time{}, err
	}
	if !ok {
		return "", time.Time{}, time.Time{}, forbidden("you see only your own calls and shifts, or those of the agents of your queues")
	}
	to, err := queryTime(q, "to", s.cfg.Now().Add(time.Minute).UTC())
	if err != nil {
		return "", time.Time{}, time.Time{}, err
	}
	from, err := queryTime(q, "from", to.Add(-24*time.Hour))
	if err != nil {
		return "", time.Time{}, time.Time{}, err
	}
	if to.Before(from) || to.Sub(from) > maxRange {
		return "", from, to, badRequest("from must be before to, at most 31 days apart")
	}
	return agent, from, to, nil
}
