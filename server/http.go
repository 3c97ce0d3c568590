package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"io"
	"net/http"
	"strconv"
)

// reply answers status with v as JSON. The body is encoded before anything
// is written, so a value that cannot be encoded (a time outside years
// 0-9999, a NaN) becomes a logged 500, never a status with an empty body.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("answer could not be encoded", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, err)
		return
	}
	writeRaw(w, status, append(b, '\n'))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers with the API error, or a 500 that hides internals.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case dbUnavailable(err):
		ae = errUnavailable
	default:
		ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; try again later"}
	}
	var b api.ErrorBody
	b.Error.Code, b.Error.Message, b.Ticket = ae.Code, ae.Message, ae.Ticket
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	out, mErr := json.Marshal(b)
	if mErr != nil {
		// Only the conflict's ticket can fail to encode; the error alone always does.
		b.Ticket = nil
		out, _ = json.Marshal(b)
	}
	writeRaw(w, ae.Status, append(out, '\n'))
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae), errors.Is(err, context.Canceled):
	case dbUnavailable(err):
		s.log.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, err)
}

// readBody reads at most MaxBody bytes of the request body. A body declared
// bigger (Content-Length) is refused before a byte of it is read: no
// "100 Continue" for it, no wait for a body that will be refused anyway.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message: "request body over " + strconv.FormatInt(s.cfg.MaxBody, 10) + " bytes"}
	if r.ContentLength > s.cfg.MaxBody {
		// Close after the answer. net/http still reads up to 256 KiB of
		// the rest first (after the answer is sent): a client that sent
		// it at full speed must be able to read its 413, not a reset.
		// One that trickles is cut by the read timeout, as under the limit.
		w.Header().Set("Connection", "close")
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, tooLarge
		}
		return nil, badRequest("could not read the request body")
	}
	return body, nil
}

type authedHandler func(w http.ResponseWriter, r *http.Request, p principal)

// auth authenticates the caller (Bearer token or console session) and
// passes them on.
func (s *Server) auth(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			writeError(w, err)
			return
		}
		h(w, r, p)
	})
}

// recoverer turns a panic into a 500 so one bad request never takes the server down.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeError(w, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 128

// idempotent runs a write once per (caller, Idempotency-Key): the write and the
// stored response commit in the same transaction, so a retry after a lost
// response replays the first answer instead of writing twice.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, p principal, body []byte,
	fn func(ctx context.Context, tx *sql.Tx) (int, any, error)) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || len(key) > maxIdempotencyKey {
		s.fail(w, r, badRequest("Idempotency-Key header required (1 to %d characters)", maxIdempotencyKey))
		return
	}
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	reqHash := hex.EncodeToString(h.Sum(nil))
	ctx := r.Context()
	var status int
	var out []byte
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		var storedHash string
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, body FROM idempotency WHERE user_id = $1 AND idem_key = $2`,
			p.UserID, key).Scan(&storedHash, &status, &out)
		if err == nil {
			if storedHash != reqHash {
				return &apiError{Status: http.StatusUnprocessableEntity, Code: "idempotency_key_reused",
					Message: "this Idempotency-Key was used for a different request; use a new key"}
			}
			out, err = s.replayed(ctx, tx, p, out)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		st, v, err := fn(ctx, tx)
		if err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		stored, err := storedAnswer(v, b)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency (user_id, idem_key, request_hash, status, body, created_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, idem_key) DO NOTHING`, p.UserID, key, reqHash, st, string(stored), s.cfg.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errIdempotencyRace
		}
		status, out = st, b
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeRaw(w, status, append(out, '\n'))
}

// A ticket's answer is stored without its notes, which are read afresh when
// it is replayed: a thread may hold megabytes, and every edit of the ticket
// stored it again for idempotencyKeep (20 edits of a full ticket, a few
// dozen bytes each, stored 665 MB). Notes are append-only and merge by id,
// so a replay that carries notes written since is still a right answer.
// The stored form is {"$notes_of": ticket id, "ticket": the ticket without
// notes}; no answer of the API starts with that key.
type notesOmitted struct {
	NotesOf string     `json:"$notes_of"`
	Ticket  api.Ticket `json:"ticket"`
}

var notesOmittedPrefix = []byte(`{"$notes_of":`)

// storedAnswer is what idempotent stores for answer v (b, marshalled).
func storedAnswer(v any, b []byte) ([]byte, error) {
	t, ok := v.(api.Ticket)
	if !ok || len(t.Notes) == 0 {
		return b, nil
	}
	t.Notes = nil
	return json.Marshal(notesOmitted{NotesOf: t.ID, Ticket: t})
}

// replayed turns a stored answer back into the answer: a ticket gets the
// notes the caller may see now.
func (s *Server) replayed(ctx context.Context, tx *sql.Tx, p principal, stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, notesOmittedPrefix) {
		return stored, nil
	}
	var o notesOmitted
	if err := json.Unmarshal(stored, &o); err != nil {
		return nil, fmt.Errorf("stored answer: %w", err)
	}
	o.Ticket.Notes = []api.Note{}
	now, err := s.ticketFor(ctx, tx, p, o.NotesOf)
	var ae *apiError
	switch {
	case err == nil && now.Notes != nil:
		o.Ticket.Notes = now.Notes
	case err == nil:
	case !errors.As(err, &ae):
		return nil, err
	}
	return json.Marshal(o.Ticket)
}
