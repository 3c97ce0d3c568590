package server

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// Limits on messages.
const (
	maxMessage     = 4000
	maxHelpNote    = 1000
	maxMessagePage = 500
)

// messageVisibility is the SQL condition "the caller ($1, supervisor flag
// $2) may see message m": they sent it or it is to them, to one of their
// queues, or (supervisors) from an agent of their queues to the supervisors.
const messageVisibility = `(m.from_id = $1 OR m.to_id = $1
OR (m.to_id IS NULL AND m.queue_id IN (SELECT queue_id FROM user_queues WHERE user_id = $1))
OR ($2 = 1 AND m.to_id IS NULL AND m.queue_id IS NULL AND m.from_id IN
  (SELECT uq2.user_id FROM user_queues uq1 JOIN user_queues uq2 ON uq2.queue_id = uq1.queue_id WHERE uq1.user_id = $1)))`

const messageColumns = `m.id, m.seq, m.kind, f.username, f.display_name, COALESCE(t.username, ''), COALESCE(t.display_name, ''),
COALESCE(qu.name, ''), m.body, m.sent_at, m.created_at, COALESCE(k.username, ''), COALESCE(k.display_name, ''), m.taken_at,
m.from_id, COALESCE(m.to_id, ''), COALESCE(m.queue_id, ''), m.cancelled_at`

const messageFrom = ` FROM messages m JOIN users f ON f.id = m.from_id LEFT JOIN users t ON t.id = m.to_id
LEFT JOIN queues qu ON qu.id = m.queue_id LEFT JOIN users k ON k.id = m.taken_by WHERE `

// storedMessage is a message with the ids its audience is decided on.
type storedMessage struct {
	api.Message
	fromID, toID, queueID string
}

func (s *Server) queryMessages(ctx context.Context, q querier, cond string, args ...any) ([]api.Message, error) {
	ms, err := queryStored(ctx, q, cond, args...)
	out := make([]api.Message, len(ms))
	for i, m := range ms {
		out[i] = m.Message
	}
	return out, err
}

func queryStored(ctx context.Context, q querier, cond string, args ...any) ([]storedMessage, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+messageColumns+messageFrom+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []storedMessage{}
	for rows.Next() {
		var m storedMessage
		var sent, created int64
		var taken, cancelled sql.NullInt64
		if err := rows.Scan(&m.ID, &m.Seq, &m.Kind, &m.From, &m.FromName, &m.To, &m.ToName, &m.Queue, &m.Body, &sent, &created,
			&m.TakenBy, &m.TakenByName, &taken, &m.fromID, &m.toID, &m.queueID, &cancelled); err != nil {
			return nil, err
		}
		m.SentAt, m.CreatedAt = time.UnixMilli(sent).UTC(), time.UnixMilli(created).UTC()
		if taken.Valid {
			m.TakenAt = msTime(taken.Int64)
		}
		if cancelled.Valid {
			m.CancelledAt = msTime(cancelled.Int64)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// textOK accepts message text: printable, with line breaks and tabs.
func textOK(v string) bool {
	return printable(strings.NewReplacer("\n", "", "\t", "", "\r", "").Replace(v))
}

// emitMessage appends a message (new, or a help request taken) as a live event.
func (s *Server) emitMessage(ctx context.Context, tx *sql.Tx, m storedMessage) error {
	kind := api.LiveMessage
	agent := ""
	if m.Kind == api.KindHelp {
		kind, agent = api.LiveHelp, m.fromID
	}
	msg := m.Message
	return appendLive(ctx, tx, s.st.driver, liveEvent{Kind: kind, AgentID: agent, FromID: m.fromID, ToID: m.toID, QueueID: m.queueID},
		func(seq int64) any { return api.LiveEvent{Seq: seq, Kind: kind, Message: &msg} })
}

// sharesQueue reports whether users a and b have a queue in common.
func sharesQueue(ctx context.Context, q querier, a, b string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_queues uq1 JOIN user_queues uq2 ON uq2.queue_id = uq1.queue_id
WHERE uq1.user_id = $1 AND uq2.user_id = $2`, a, b).Scan(&n)
	return n > 0, err
}

// handleSendMessage: POST /v1/messages.
func (s *Server) handleSendMessage(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.NewMessage
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case !validID(in.ID):
		err = badRequest("id must be 1 to %d letters, digits, - _ : . with a letter or digit (a UUID)", maxIDLen)
	case strings.TrimSpace(in.Body) == "" || len(in.Body) > maxMessage || !textOK(in.Body):
		err = badRequest("body must be 1 to %d bytes of text", maxMessage)
	case in.To != "" && in.Queue != "":
		err = badRequest("a message goes to one user (to) or one queue (queue), not both")
	case in.To == "" && in.Queue == "" && p.supervisor():
		err = badRequest("name the agent (to) or the queue (queue) the message is for")
	case in.Queue != "" && !p.supervisor():
		err = forbidden("only supervisors send to a whole queue")
	}
	if err == nil {
		in.SentAt, err = checkTime("sent_at", in.SentAt, true)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.idempotent(w, r, p, body, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		m := storedMessage{fromID: p.UserID}
		m.ID, m.Kind, m.Body, m.SentAt = in.ID, api.KindMessage, in.Body, in.SentAt
		if in.To != "" {
			u, _, err := s.st.userByName(ctx, in.To)
			if errors.Is(err, ErrNotFound) {
				return 0, nil, badRequest("no user named %q", in.To)
			}
			if err != nil {
				return 0, nil, err
			}
			ok, err := sharesQueue(ctx, tx, p.UserID, u.ID)
			if err != nil {
				return 0, nil, err
			}
			switch {
			case p.supervisor() && !ok:
				return 0, nil, forbidden("you can write only to the people of your queues")
			case !p.supervisor() && (!ok || u.Role != api.RoleSupervisor):
				return 0, nil, forbidden("you can write only to the supervisors of your queues")
			}
			m.toID = u.ID
		}
		if in.Queue != "" {
			if err := tx.QueryRowContext(ctx, `SELECT q.id FROM queues q JOIN user_queues uq ON uq.queue_id = q.id AND uq.user_id = $1
WHERE q.name = $2`, p.UserID, in.Queue).Scan(&m.queueID); errors.Is(err, sql.ErrNoRows) {
				return 0, nil, forbidden("you are not a supervisor of queue " + in.Queue)
			} else if err != nil {
				return 0, nil, err
			}
		}
		return s.storeMessage(ctx, tx, p, m)
	})
	s.live.poke()
}

// storeMessage inserts m once per id and announces it; a resent id of the
// same sender answers the stored message.
func (s *Server) storeMessage(ctx context.Context, tx *sql.Tx, p principal, m storedMessage) (int, any, error) {
	seq, err := nextCounter(ctx, tx, "msg")
	if err != nil {
		return 0, nil, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (id, seq, kind, from_id, to_id, queue_id, body, sent_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`, m.ID, seq, m.Kind, p.UserID, nullable(m.toID), nullable(m.queueID),
		m.Body, m.SentAt.UnixMilli(), s.cfg.Now().UnixMilli())
	if err != nil {
		return 0, nil, err
	}
	inserted, _ := res.RowsAffected()
	got, err := queryStored(ctx, tx, `m.id = $1`, m.ID)
	if err != nil || len(got) == 0 {
		return 0, nil, errors.Join(err, errors.New("stored message vanished"))
	}
	if got[0].fromID != p.UserID {
		return 0, nil, &apiError{Status: http.StatusConflict, Code: "exists", Message: "message id " + m.ID + " is taken; use a new id"}
	}
	if inserted == 0 {
		return http.StatusOK, got[0].Message, nil
	}
	if err := s.emitMessage(ctx, tx, got[0]); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, got[0].Message, nil
}

// handleHelp: POST /v1/help, an agent raises a hand.
func (s *Server) handleHelp(w http.ResponseWriter, r *http.Request, p principal) {
	if p.supervisor() {
		s.fail(w, r, forbidden("help requests come from agents"))
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.NewHelp
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case !validID(in.ID):
		err = badRequest("id must be 1 to %d letters, digits, - _ : . with a letter or digit (a UUID)", maxIDLen)
	case len(in.Body) > maxHelpNote || !textOK(in.Body):
		err = badRequest("body must be at most %d bytes of text", maxHelpNote)
	}
	if err == nil {
		in.SentAt, err = checkTime("sent_at", in.SentAt, true)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.idempotent(w, r, p, body, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		m := storedMessage{fromID: p.UserID}
		m.ID, m.Kind, m.Body, m.SentAt = in.ID, api.KindHelp, in.Body, in.SentAt
		return s.storeMessage(ctx, tx, p, m)
	})
	s.live.poke()
}

// handleTakeHelp: POST /v1/help/{id}/take, a supervisor of the agent takes
// the request (the wallboard stops highlighting it; the agent is told who).
func (s *Server) handleTakeHelp(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("supervisors take help requests"))
		return
	}
	id := r.PathValue("id")
	ctx := r.Context()
	var out api.Message
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		got, err := queryStored(ctx, tx, `m.id = $3 AND m.kind = 'help' AND `+messageVisibility, p.UserID, 1, id)
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return notFound("help request " + id)
		}
		m := got[0]
		if m.CancelledAt != nil {
			return &apiError{Status: http.StatusConflict, Code: "cancelled", Message: m.FromName + " cancelled this help request"}
		}
		if m.TakenBy != "" {
			var me string
			if err := tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, p.UserID).Scan(&me); err != nil {
				return err
			}
			if me != m.TakenBy {
				return &apiError{Status: http.StatusConflict, Code: "taken", Message: m.TakenByName + " already took this help request"}
			}
			out = m.Message
			return nil
		}
		seq, err := nextCounter(ctx, tx, "msg")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET taken_by = $1, taken_at = $2, seq = $3 WHERE id = $4`,
			p.UserID, s.cfg.Now().UnixMilli(), seq, id); err != nil {
			return err
		}
		if got, err = queryStored(ctx, tx, `m.id = $1`, id); err != nil || len(got) == 0 {
			return errors.Join(err, errors.New("help request vanished"))
		}
		out = got[0].Message
		return s.emitMessage(ctx, tx, got[0])
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.live.poke()
	s.reply(w, r, http.StatusOK, out)
}

// handleCancelHelp: POST /v1/help/{id}/cancel, the agent who raised the
// request lowers their hand before anyone took it: the wallboard stops
// showing it. Again: the same answer. Once a supervisor took it, 409 taken
// (they are on their way: tell them with a message).
func (s *Server) handleCancelHelp(w http.ResponseWriter, r *http.Request, p principal) {
	if p.supervisor() {
		s.fail(w, r, forbidden("the agent who asked for help cancels it"))
		return
	}
	id := r.PathValue("id")
	ctx := r.Context()
	var out api.Message
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		got, err := queryStored(ctx, tx, `m.id = $1 AND m.kind = 'help' AND m.from_id = $2`, id, p.UserID)
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return notFound("help request " + id)
		}
		m := got[0]
		switch {
		case m.TakenBy != "":
			return &apiError{Status: http.StatusConflict, Code: "taken",
				Message: m.TakenByName + " already took this help request and is on the way: send them a message instead"}
		case m.CancelledAt != nil:
			out = m.Message
			return nil
		}
		seq, err := nextCounter(ctx, tx, "msg")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET cancelled_at = $1, seq = $2 WHERE id = $3`,
			s.cfg.Now().UnixMilli(), seq, id); err != nil {
			return err
		}
		if got, err = queryStored(ctx, tx, `m.id = $1`, id); err != nil || len(got) == 0 {
			return errors.Join(err, errors.New("help request vanished"))
		}
		out = got[0].Message
		return s.emitMessage(ctx, tx, got[0])
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.live.poke()
	s.reply(w, r, http.StatusOK, out)
}

// handleMessages: GET /v1/messages?cursor=&limit=, messages and help
// requests visible to the caller changed after the cursor.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	var cursor int64
	if c := q.Get("cursor"); c != "" {
		v, err := strconv.ParseInt(c, 10, 64)
		if err != nil || v < 0 {
			s.fail(w, r, badRequest("cursor must be a value returned as next_cursor"))
			return
		}
		cursor = v
	}
	limit := 200
	if l := q.Get("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 1 || v > maxMessagePage {
			s.fail(w, r, badRequest("limit must be 1 to %d", maxMessagePage))
			return
		}
		limit = v
	}
	ms, err := s.queryMessages(r.Context(), s.st.rdb, `m.seq > $3 AND `+messageVisibility+` ORDER BY m.seq LIMIT $4`,
		p.UserID, boolInt(p.supervisor()), cursor, limit+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := api.MessagePage{Messages: ms, NextCursor: strconv.FormatInt(cursor, 10)}
	if len(ms) > limit {
		page.Messages, page.More = ms[:limit], true
	}
	if n := len(page.Messages); n > 0 {
		page.NextCursor = strconv.FormatInt(page.Messages[n-1].Seq, 10)
	}
	s.reply(w, r, http.StatusOK, page)
}
