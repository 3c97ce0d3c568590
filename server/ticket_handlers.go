package server

import (
	"context"
	"database/sql"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/phone"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) handleCreateTicket(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.NewTicket
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	s.idempotent(w, r, p, body, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		status, t, err := s.createTicket(ctx, tx, p, in)
		return status, t, err
	})
}

func (s *Server) handleGetTicket(w http.ResponseWriter, r *http.Request, p principal) {
	var t api.Ticket
	err := s.st.readTx(r.Context(), func(tx *sql.Tx) (err error) {
		t, err = s.ticketFor(r.Context(), tx, p, r.PathValue("id"))
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, t)
}

// handlePatchTicket applies a field edit if it is based on the current
// version; otherwise 409 with the current ticket.
func (s *Server) handlePatchTicket(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.TicketPatch
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	s.idempotent(w, r, p, body, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		cur, err := s.ticketFor(ctx, tx, p, id)
		if err != nil {
			return 0, nil, err
		}
		if in.Version != cur.Version {
			return 0, nil, &apiError{Status: http.StatusConflict, Code: "version_conflict",
				Message: "the ticket changed since version " + strconv.FormatInt(in.Version, 10) + "; merge with the current version", Ticket: &cur}
		}
		next := cur
		if in.CustomerName != nil {
			if err := checkText("customer_name", *in.CustomerName, maxName, true); err != nil {
				return 0, nil, err
			}
			next.CustomerName = *in.CustomerName
		}
		if in.Subject != nil {
			if err := checkText("subject", *in.Subject, maxSubject, false); err != nil {
				return 0, nil, err
			}
			next.Subject = *in.Subject
		}
		if in.Status != nil {
			if !slices.Contains(api.Statuses, *in.Status) {
				return 0, nil, badRequest("status must be one of %s", strings.Join(api.Statuses, ", "))
			}
			next.Status = *in.Status
		}
		if in.Phones != nil {
			if next.Phones, err = s.normalizePhones(*in.Phones); err != nil {
				return 0, nil, err
			}
		}
		qid := ""
		if in.Queue != nil {
			if qid, err = s.queueAllowed(ctx, tx, p, *in.Queue); err != nil {
				return 0, nil, err
			}
			next.Queue = *in.Queue
		} else if err := tx.QueryRowContext(ctx, `SELECT queue_id FROM tickets WHERE id = $1`, id).Scan(&qid); err != nil {
			return 0, nil, err
		}
		if in.AssigneeID != nil {
			if err := s.assigneeValid(ctx, tx, *in.AssigneeID); err != nil {
				return 0, nil, err
			}
			next.AssigneeID = *in.AssigneeID
		}
		if unchanged(cur, next) {
			// Nothing to change: no new version (it would send every other
			// client that holds this version into a needless conflict).
			return http.StatusOK, cur, nil
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return 0, nil, err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET customer_name = $1, phones = $2, subject = $3, status = $4, queue_id = $5,
assignee_id = $6, version = version + 1, seq = $7, updated_at = $8, updated_by = $9 WHERE id = $10 AND version = $11`,
			next.CustomerName, strings.Join(next.Phones, ","), next.Subject, next.Status, qid, nullable(next.AssigneeID), seq,
			s.cfg.Now().UnixMilli(), p.Name, id, in.Version)
		if err != nil {
			return 0, nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			// Another edit committed between our read and our update (on
			// PostgreSQL the update waited for it): answer with the ticket
			// as that edit left it, read afresh, not the version we read
			// (or not found, if that edit moved it out of the caller's sight).
			now, err := s.ticketFor(ctx, tx, p, id)
			if err != nil {
				return 0, nil, err
			}
			return 0, nil, &apiError{Status: http.StatusConflict, Code: "version_conflict", Message: "the ticket changed meanwhile; merge with the current version", Ticket: &now}
		}
		if in.Phones != nil {
			if err := s.setPhones(ctx, tx, id, next.Phones); err != nil {
				return 0, nil, err
			}
		}
		t, err := s.ticketFor(ctx, tx, p, id)
		if err != nil {
			// The edit moved the ticket out of the caller's sight; report what was written.
			next.Version, next.Seq = cur.Version+1, seq
			return http.StatusOK, next, nil
		}
		return http.StatusOK, t, nil
	})
}

// handleAddNote appends to the thread. Notes never conflict: they merge by
// id, so a client-chosen id also makes a retried note a no-op.
func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		ID   string `json:"id"`
		Body string `json:"body"`
	}
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ID == "" {
		in.ID = newID()
	}
	if !validID(in.ID) {
		s.fail(w, r, badRequest("note id must be 1 to %d letters, digits, - _ : .", maxIDLen))
		return
	}
	if err := checkText("body", in.Body, maxNote, true); err != nil {
		s.fail(w, r, err)
		return
	}
	tid := r.PathValue("id")
	s.idempotent(w, r, p, body, func(ctx context.Context, tx *sql.Tx) (int, any, error) {
		n, created, err := s.addNote(ctx, tx, p, tid, in.ID, in.Body)
		if err != nil {
			return 0, nil, err
		}
		if created {
			return http.StatusCreated, n, nil
		}
		return http.StatusOK, n, nil
	})
}

// addNote inserts a note (once per id) and bumps the ticket's change number
// so other agents' sync picks it up.
func (s *Server) addNote(ctx context.Context, tx *sql.Tx, p principal, ticketID, noteID, body string) (api.Note, bool, error) {
	if _, err := s.ticketFor(ctx, tx, p, ticketID); err != nil {
		return api.Note{}, false, err
	}
	// The change number first: its lock, held to the commit, makes notes
	// added at the same moment count the thread one after the other (on
	// PostgreSQL each counted it before the others committed, and all went
	// past the cap). Every ticket write takes it before the ticket's row,
	// so no deadlock. A resent note leaves the number unused: sync does not
	// mind gaps.
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return api.Note{}, false, err
	}
	var notes, size int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(OCTET_LENGTH(body)), 0) FROM notes WHERE ticket_id = $1`,
		ticketID).Scan(&notes, &size); err != nil {
		return api.Note{}, false, err
	}
	if notes >= s.cfg.MaxNotes || size+len(body) > s.cfg.MaxThreadBytes {
		// A resent note that is already in the thread is still answered.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notes WHERE id = $1`, noteID).Scan(&n); err != nil {
			return api.Note{}, false, err
		}
		if n == 0 {
			return api.Note{}, false, errThreadFull
		}
	}
	now := s.cfg.Now()
	res, err := tx.ExecContext(ctx, `INSERT INTO notes (id, ticket_id, author_id, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO NOTHING`, noteID, ticketID, p.UserID, p.Name, body, now.UnixMilli())
	if err != nil {
		return api.Note{}, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var got api.Note
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT id, ticket_id, author_id, author_name, body, created_at FROM notes WHERE id = $1`, noteID).
			Scan(&got.ID, &got.TicketID, &got.AuthorID, &got.AuthorName, &got.Body, &at)
		if err != nil {
			return api.Note{}, false, err
		}
		if got.TicketID != ticketID || got.AuthorID != p.UserID {
			return api.Note{}, false, &apiError{Status: http.StatusConflict, Code: "exists", Message: "a note with id " + noteID + " exists elsewhere; use a new id"}
		}
		got.CreatedAt = time.UnixMilli(at).UTC()
		return got, false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET seq = $1, updated_at = $2 WHERE id = $3`, seq, now.UnixMilli(), ticketID); err != nil {
		return api.Note{}, false, err
	}
	return api.Note{ID: noteID, TicketID: ticketID, AuthorID: p.UserID, AuthorName: p.Name, Body: body, CreatedAt: time.UnixMilli(now.UnixMilli()).UTC()}, true, nil
}

// handleLookup is the screen-pop: GET /v1/tickets?phone=NUMBER.
func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request, p principal) {
	e164, kind := partyKey(r.URL.Query().Get("phone"), s.cfg.Region)
	switch {
	case kind == phone.Invalid:
		s.fail(w, r, badRequest("phone query parameter must be a phone number, an extension, a sip: address or \"anonymous\""))
		return
	case !kind.Matchable():
		// A withheld caller: no ticket is theirs, whoever they are.
		s.reply(w, r, http.StatusOK, api.Lookup{Phone: e164, Tickets: []api.Ticket{}})
		return
	}
	ctx := r.Context()
	var ts []api.Ticket
	err := s.st.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.id IN (SELECT ticket_id FROM ticket_phones WHERE e164 = $3) AND `+visibility+` ORDER BY t.updated_at DESC LIMIT `+strconv.Itoa(maxLookup),
			p.UserID, boolInt(p.supervisor()), e164)
		if err != nil {
			return err
		}
		if ts, err = scanTickets(rows); err != nil {
			return err
		}
		if err := attachNotes(ctx, tx, ts, `t.id IN (SELECT ticket_id FROM ticket_phones WHERE e164 = $3) AND `+visibility,
			p.UserID, boolInt(p.supervisor()), e164); err != nil {
			return err
		}
		// The newest tickets, as many as fit a page.
		ts = ts[:fitPage(ts, s.cfg.PageBytes)]
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, api.Lookup{Phone: e164, Tickets: ts})
}

func (s *Server) handleSync(w http.ResponseWriter, r *http.Request, p principal) {
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
	limit := 500
	if l := q.Get("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 1 || v > maxSyncLimit {
			s.fail(w, r, badRequest("limit must be 1 to %d", maxSyncLimit))
			return
		}
		limit = v
	}
	ctx := r.Context()
	var page api.SyncPage
	err := s.st.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.seq > $3 AND `+visibility+` ORDER BY t.seq LIMIT $4`, p.UserID, boolInt(p.supervisor()), cursor, limit+1)
		if err != nil {
			return err
		}
		ts, err := scanTickets(rows)
		if err != nil {
			return err
		}
		page = api.SyncPage{Tickets: ts, NextCursor: strconv.FormatInt(cursor, 10)}
		if len(ts) > limit {
			page.Tickets, page.More = ts[:limit], true
		}
		n := len(page.Tickets)
		if n == 0 {
			return nil
		}
		last := page.Tickets[n-1].Seq
		page.NextCursor = strconv.FormatInt(last, 10)
		// Same snapshot as the tickets: each comes with its thread as it was.
		if err := attachNotes(ctx, tx, page.Tickets, `t.seq > $3 AND t.seq <= $4 AND `+visibility,
			p.UserID, boolInt(p.supervisor()), cursor, last); err != nil {
			return err
		}
		// A page holds as many tickets as fit; the next page goes on from there.
		if k := fitPage(page.Tickets, s.cfg.PageBytes); k < n {
			page.Tickets, page.More = page.Tickets[:k], true
			page.NextCursor = strconv.FormatInt(page.Tickets[k-1].Seq, 10)
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, page)
}

// unchanged says an edit leaves every editable field of the ticket as it is.
func unchanged(cur, next api.Ticket) bool {
	return cur.CustomerName == next.CustomerName && cur.Subject == next.Subject && cur.Status == next.Status &&
		cur.Queue == next.Queue && cur.AssigneeID == next.AssigneeID && slices.Equal(cur.Phones, next.Phones)
}
