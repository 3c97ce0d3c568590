package server

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
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
			return nil
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
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency (user_id, idem_key, request_hash, status, body, created_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, idem_key) DO NOTHING`, p.UserID, key, reqHash, st, string(b), s.cfg.Now().UnixMilli())
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
