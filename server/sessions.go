package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// A session is one login: the app's or a console's. Its refresh tokens
// rotate at every refresh, all of one family, and its access tokens carry
// its id, so that ending the session ends all of them at once:
//   - logout (the app's POST /v1/auth/logout, the console's) revokes it, and
//     its access tokens stop working at the next request, not 15 min later;
//   - a spent refresh token presented again after RefreshGrace means two
//     parties hold the family (RFC 9700 §4.14.2, refresh token reuse): the
//     session is revoked, whoever rotated it first;
//   - open event streams end within a ping of the revocation.

// RefreshGrace is how long a spent refresh token still works: a client whose
// refresh answer was lost on the way retries with the same token instead of
// losing its session. After that a refresh token works no more, and using
// it revokes its session.
const RefreshGrace = time.Minute

// spentKeep is how long a spent refresh token is remembered, to recognise
// its reuse.
const spentKeep = 7 * 24 * time.Hour

// issueTokens gives u a new access token and refresh token in session sid;
// with sid "" a new session starts whose refresh tokens last ttl.
func (s *Server) issueTokens(ctx context.Context, u api.User, sid string, ttl time.Duration) (tokenPair, error) {
	now := s.cfg.Now()
	refresh, hash := newRefreshToken()
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		if sid == "" {
			sid = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, ttl_ms, created_at, revoked_at) VALUES ($1, $2, $3, $4, 0)`,
				sid, u.ID, ttl.Milliseconds(), now.UnixMilli()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, session_id) VALUES ($1, $2, $3, $4)`,
			hash, u.ID, now.Add(ttl).UnixMilli(), sid)
		return err
	})
	if err != nil {
		return tokenPair{}, fmt.Errorf("store refresh token: %w", err)
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	access := s.signer.sign(principal{UserID: u.ID, Role: u.Role, Name: u.DisplayName, Exp: now.Add(s.cfg.AccessTTL).Unix(),
		Nonce: base64.RawURLEncoding.EncodeToString(nonce), Sid: sid})
	return tokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: int64(s.cfg.AccessTTL.Seconds()), User: u}, nil
}

// refreshed is what spending a refresh token gives: the account, its
// session and how long the session's refresh tokens last.
type refreshed struct {
	user api.User
	sid  string
	ttl  time.Duration
}

// spendRefresh spends a refresh token (still valid RefreshGrace after its
// first use) of a live session. A token spent longer ago revokes its session.
func (s *Server) spendRefresh(ctx context.Context, token string) (refreshed, error) {
	var out refreshed
	var uid string
	var ttl int64
	reused := false
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		now := s.cfg.Now().UnixMilli()
		h := hashToken(token)
		err := tx.QueryRowContext(ctx, `UPDATE refresh_tokens SET used = 1, used_at = CASE WHEN used = 0 THEN $2 ELSE used_at END
WHERE token_hash = $1 AND expires_at > $2 AND (used = 0 OR used_at > $3)
  AND (session_id = '' OR session_id IN (SELECT id FROM sessions WHERE revoked_at = 0)) RETURNING user_id, session_id`,
			h, now, now-RefreshGrace.Milliseconds()).Scan(&uid, &out.sid)
		if errors.Is(err, sql.ErrNoRows) {
			// Spent before the grace: someone else holds this family.
			var victim string
			err := tx.QueryRowContext(ctx, `UPDATE sessions SET revoked_at = $2 WHERE revoked_at = 0 AND id IN
(SELECT session_id FROM refresh_tokens WHERE token_hash = $1 AND used = 1 AND session_id <> '') RETURNING user_id`, h, now).Scan(&victim)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			reused = true
			return s.emitSessionEnded(ctx, tx, victim)
		}
		if err != nil {
			return err
		}
		if out.sid == "" {
			// A token from before sessions: it starts one.
			return nil
		}
		return tx.QueryRowContext(ctx, `SELECT ttl_ms FROM sessions WHERE id = $1`, out.sid).Scan(&ttl)
	})
	if err != nil {
		return out, err
	}
	if uid == "" {
		if reused {
			s.liveSessions.forget()
			s.live.poke()
			s.log.Warn("a spent refresh token was used again: its session is revoked (stolen token?)")
		}
		return out, errUnauthorized
	}
	out.ttl = time.Duration(ttl) * time.Millisecond
	if out.ttl <= 0 {
		out.ttl = s.cfg.RefreshTTL
	}
	out.user, err = s.st.userByID(ctx, uid)
	return out, err
}

// revokeSessions ends sessions: the one of an access token, the one of a
// refresh token, or every session of a user. The streams of their users
// hear of it (a sessionEnded live event) and end unless theirs still runs.
func (s *Server) revokeSessions(ctx context.Context, sid, refreshToken, allOfUser string) error {
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		now := s.cfg.Now().UnixMilli()
		var ids []string
		if refreshToken != "" {
			var rsid string
			err := tx.QueryRowContext(ctx, `SELECT session_id FROM refresh_tokens WHERE token_hash = $1`, hashToken(refreshToken)).Scan(&rsid)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE token_hash = $1`, hashToken(refreshToken)); err != nil {
				return err
			}
			ids = append(ids, rsid)
		}
		ids = append(ids, sid)
		users := map[string]bool{}
		for _, id := range ids {
			if id == "" {
				continue
			}
			var uid string
			err := tx.QueryRowContext(ctx, `UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at = 0 RETURNING user_id`, id, now).Scan(&uid)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			users[uid] = uid != ""
		}
		if allOfUser != "" {
			res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at = 0`, allOfUser, now)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			users[allOfUser] = n > 0
		}
		for uid, revoked := range users {
			if revoked {
				if err := s.emitSessionEnded(ctx, tx, uid); err != nil {
					return err
				}
			}
		}
		return nil
	})
	s.liveSessions.forget()
	if err == nil {
		s.live.poke()
	}
	return err
}

// sessionEnded is the live event kind that tells a user's streams one of
// their sessions ended; it is never sent to a client.
const sessionEnded = "session_ended"

func (s *Server) emitSessionEnded(ctx context.Context, tx *sql.Tx, userID string) error {
	return appendLive(ctx, tx, s.st.driver, liveEvent{Kind: sessionEnded, AgentID: userID}, func(int64) any { return struct{}{} })
}

// sessionLive reports whether the session of an access token still runs.
// Tokens from before sessions (no sid) live out their 15 minutes. A live
// answer is remembered for liveCacheTTL, so a busy client costs one query
// every few seconds, not one per request. Every revocation writes a
// sessionEnded live event; each replica forgets what it remembered when the
// event reaches it (this one at once, the others through NOTIFY), so a
// revoked session is refused everywhere within moments, liveCacheTTL at most
// (a replica whose LISTEN connection is down).
func (s *Server) sessionLive(ctx context.Context, sid string) (bool, error) {
	if sid == "" {
		return true, nil
	}
	now := s.cfg.Now()
	gen, fresh := s.liveSessions.fresh(sid, now)
	if fresh {
		return true, nil
	}
	var revoked int64
	err := s.st.rdb.QueryRowContext(ctx, `SELECT revoked_at FROM sessions WHERE id = $1`, sid).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil || revoked != 0 {
		return false, err
	}
	s.liveSessions.remember(sid, now, gen)
	return true, nil
}

// liveCacheTTL is how long a session found live is taken as live.
const liveCacheTTL = 5 * time.Second

// liveCacheMax bounds the sessions remembered; past it the cache starts over.
const liveCacheMax = 100000

// sessionCache remembers sessions found live, for liveCacheTTL.
type sessionCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
	// gen counts forgets: an answer read before a forget is not remembered
	// after it (the revocation may have committed in between).
	gen uint64
}

// fresh reports whether sid was found live less than liveCacheTTL ago, and
// the generation to pass to remember.
func (c *sessionCache) fresh(sid string, now time.Time) (gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.seen[sid]
	return c.gen, ok && now.Sub(at) < liveCacheTTL && !now.Before(at)
}

// remember records sid as live at now, unless the cache was forgotten since
// generation gen (from fresh, before the database was asked).
func (c *sessionCache) remember(sid string, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.seen == nil || len(c.seen) >= liveCacheMax {
		c.seen = map[string]time.Time{}
	}
	c.seen[sid] = now
}

// forget drops every remembered session (a revocation: which ones it hit
// is not always known here, and the cache refills in a query each).
func (c *sessionCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = nil
	c.gen++
}

// handleRefresh trades a refresh token for a new pair in the same session;
// each refresh token is spent by its first use (rotation), with
// RefreshGrace for retries.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	got, err := s.spendRefresh(r.Context(), in.RefreshToken)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pair, err := s.issueTokens(r.Context(), got.user, got.sid, got.ttl)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, pair)
}

// handleLogout: POST /v1/auth/logout ends the caller's session (its access
// and refresh tokens), and with {"all": true} every session of the account
// (a lost laptop). A refresh_token in the body is revoked as well.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		RefreshToken string `json:"refresh_token"`
		All          bool   `json:"all"`
	}
	if len(body) > 0 {
		if err := decodeJSON(body, &in); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	all := ""
	if in.All {
		all = p.UserID
	}
	if err := s.revokeSessions(r.Context(), p.Sid, in.RefreshToken, all); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
