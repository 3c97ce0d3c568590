package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"net"
	"net/http"
	"strings"
	"time"
)

// Limits on account fields.
const (
	maxUsername    = 64
	minPassword    = 8
	maxPassword    = 256
	maxDisplayName = 128
)

func validateNewUser(u api.NewUser) error {
	if u.Username == "" || len(u.Username) > maxUsername || strings.ContainsAny(u.Username, " \t\r\n") {
		return badRequest("username must be 1 to %d characters without spaces", maxUsername)
	}
	if len(u.Password) < minPassword || len(u.Password) > maxPassword {
		return badRequest("password must be %d to %d characters", minPassword, maxPassword)
	}
	if u.Role != api.RoleAgent && u.Role != api.RoleSupervisor {
		return badRequest("role must be %q or %q", api.RoleAgent, api.RoleSupervisor)
	}
	if len(u.DisplayName) > maxDisplayName {
		return badRequest("display_name over %d characters", maxDisplayName)
	}
	return nil
}

// CreateQueue adds a queue (no-op when it exists) and returns its id.
func (st *Store) CreateQueue(ctx context.Context, name string) (string, error) {
	return st.createQueue(ctx, name, nil)
}

// createQueue is CreateQueue; created (if set) runs in the transaction
// when the queue is new (the audit trail).
func (st *Store) createQueue(ctx context.Context, name string, created func(*sql.Tx) error) (string, error) {
	if name == "" || len(name) > 64 {
		return "", badRequest("queue name must be 1 to 64 characters")
	}
	var id string
	err := st.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO queues (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, newID(), name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 && created != nil {
			if err := created(tx); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `SELECT id FROM queues WHERE name = $1`, name).Scan(&id)
	})
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return id, nil
}

// CreateUser adds an account with an argon2id password hash.
func (st *Store) CreateUser(ctx context.Context, u api.NewUser) (api.User, error) {
	return st.createUser(ctx, u, nil)
}

// createUser is CreateUser; created (if set) runs in the transaction with
// the new account and the ids of its queues (the audit trail, live streams).
func (st *Store) createUser(ctx context.Context, u api.NewUser, created func(tx *sql.Tx, u api.User, queueIDs []string) error) (api.User, error) {
	if err := validateNewUser(u); err != nil {
		return api.User{}, err
	}
	hash, err := HashPassword(u.Password)
	if err != nil {
		return api.User{}, err
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	out := api.User{ID: newID(), Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Queues: []string{}}
	err = st.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, password_hash, role, created_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING`, out.ID, u.Username, u.DisplayName, hash, u.Role, time.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &apiError{Status: http.StatusConflict, Code: "exists", Message: "username " + u.Username + " is taken"}
		}
		var qids []string
		for _, q := range u.Queues {
			var qid string
			if err := tx.QueryRowContext(ctx, `SELECT id FROM queues WHERE name = $1`, q).Scan(&qid); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return badRequest("no queue named %q", q)
				}
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_queues (user_id, queue_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, out.ID, qid); err != nil {
				return err
			}
			out.Queues = append(out.Queues, q)
			qids = append(qids, qid)
		}
		if created != nil {
			return created(tx, out, qids)
		}
		return nil
	})
	if err != nil {
		return api.User{}, fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return out, nil
}

// dummyHash is checked against when the username is unknown, so a wrong
// username costs as much time as a wrong password.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// addrLimitFactor multiplies LoginLimit for failures counted per client address.
const addrLimitFactor = 10

type tokenPair = api.TokenPair

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	u, err := s.passwordLogin(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pair, err := s.issueTokens(r.Context(), u, s.cfg.RefreshTTL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, pair)
}

// passwordLogin reads {"username","password"} and checks it under the rate
// limit; it returns the account or the error to answer.
func (s *Server) passwordLogin(w http.ResponseWriter, r *http.Request) (api.User, error) {
	body, err := s.readBody(w, r)
	if err != nil {
		return api.User{}, err
	}
	var in api.Login
	if err := decodeJSON(body, &in); err != nil {
		return api.User{}, err
	}
	if in.Username == "" || len(in.Username) > maxUsername || len(in.Password) > maxPassword {
		return api.User{}, badRequest("username and password required")
	}
	// One username may fail LoginLimit times per window; one address ten
	// times that, so agents behind one office NAT are not locked out together.
	// Attempts in flight count too: parallel guesses cannot outrun the limit.
	keys := []limitKey{{"u:" + strings.ToLower(in.Username), s.cfg.LoginLimit}, {"a:" + clientAddr(r), s.cfg.LoginLimit * addrLimitFactor}}
	if wait := s.limiter.begin(keys, s.cfg.Now()); wait > 0 {
		return api.User{}, &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "too many failed logins; wait a minute and try again", RetryAfter: int(wait.Seconds()) + 1}
	}
	u, ok, err := s.checkLogin(r.Context(), in.Username, in.Password)
	s.limiter.end(keys, err == nil && !ok, s.cfg.Now())
	if err != nil {
		return api.User{}, err
	}
	if !ok {
		return api.User{}, &apiError{Status: http.StatusUnauthorized, Code: "bad_credentials", Message: ErrBadCredentials.Error()}
	}
	return u, nil
}

// checkLogin reports whether password is username's. An unknown username
// costs one hash like a wrong password, so it cannot be told apart by time.
func (s *Server) checkLogin(ctx context.Context, username, password string) (api.User, bool, error) {
	u, hash, err := s.st.userByName(ctx, username)
	if errors.Is(err, ErrNotFound) {
		hash = dummyHash
	} else if err != nil {
		return api.User{}, false, err
	}
	var ok bool
	if err := s.hashes.run(ctx, func() { ok, _ = checkPassword(hash, password) }); err != nil {
		return api.User{}, false, err
	}
	return u, ok && u.ID != "", nil
}

func (s *Server) issueTokens(ctx context.Context, u api.User, refreshTTL time.Duration) (tokenPair, error) {
	now := s.cfg.Now()
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	access := s.signer.sign(principal{UserID: u.ID, Role: u.Role, Name: u.DisplayName, Exp: now.Add(s.cfg.AccessTTL).Unix(),
		Nonce: base64.RawURLEncoding.EncodeToString(nonce)})
	refresh, hash := newRefreshToken()
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
			hash, u.ID, now.Add(refreshTTL).UnixMilli())
		return err
	})
	if err != nil {
		return tokenPair{}, fmt.Errorf("store refresh token: %w", err)
	}
	return tokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: int64(s.cfg.AccessTTL.Seconds()), User: u}, nil
}

// RefreshGrace is how long a spent refresh token still works: a client whose
// refresh answer was lost on the way retries with the same token instead of
// losing its session. After that a refresh token works no more.
const RefreshGrace = time.Minute

// handleRefresh trades a refresh token for a new pair; each refresh token
// is spent by its first use (rotation), with RefreshGrace for retries.
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
	u, err := s.spendRefresh(r.Context(), in.RefreshToken)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pair, err := s.issueTokens(r.Context(), u, s.cfg.RefreshTTL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, pair)
}

// spendRefresh spends a refresh token (still valid RefreshGrace after its
// first use) and returns its account.
func (s *Server) spendRefresh(ctx context.Context, token string) (api.User, error) {
	var uid string
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		now := s.cfg.Now().UnixMilli()
		err := tx.QueryRowContext(ctx, `UPDATE refresh_tokens SET used = 1, used_at = CASE WHEN used = 0 THEN $2 ELSE used_at END
WHERE token_hash = $1 AND expires_at > $2 AND (used = 0 OR used_at > $3) RETURNING user_id`,
			hashToken(token), now, now-RefreshGrace.Milliseconds()).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return errUnauthorized
		}
		return err
	})
	if err != nil {
		return api.User{}, err
	}
	return s.st.userByID(ctx, uid)
}

func (st *Store) userByName(ctx context.Context, name string) (api.User, string, error) {
	var u api.User
	var hash string
	err := st.rdb.QueryRowContext(ctx, `SELECT id, username, display_name, role, password_hash FROM users WHERE username = $1`, name).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return api.User{}, "", ErrNotFound
	}
	if err != nil {
		return api.User{}, "", err
	}
	u.Queues, err = userQueueNames(ctx, st.rdb, u.ID)
	return u, hash, err
}

func (st *Store) userByID(ctx context.Context, id string) (api.User, error) {
	return userByID(ctx, st.rdb, id)
}

// userByID reads an account and its queues through q (a transaction or the pool).
func userByID(ctx context.Context, q querier, id string) (api.User, error) {
	var u api.User
	err := q.QueryRowContext(ctx, `SELECT id, username, display_name, role FROM users WHERE id = $1`, id).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return api.User{}, notFound("user")
	}
	if err != nil {
		return api.User{}, err
	}
	u.Queues, err = userQueueNames(ctx, q, u.ID)
	return u, err
}

func userQueueNames(ctx context.Context, q querier, uid string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT q.name FROM user_queues uq JOIN queues q ON q.id = uq.queue_id WHERE uq.user_id = $1 ORDER BY q.name`, uid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, p principal) {
	u, err := s.st.userByID(r.Context(), p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, u)
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("only supervisors create accounts"))
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.NewUser
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	var u api.User
	ctx := r.Context()
	created := func(tx *sql.Tx, u api.User, queueIDs []string) error {
		now := s.cfg.Now()
		if err := audit(ctx, tx, now, p.UserID, api.AuditUserCreate, "", u.Username); err != nil {
			return err
		}
		for i, qid := range queueIDs {
			if err := audit(ctx, tx, now, p.UserID, api.AuditMemberAdd, u.Queues[i], u.Username); err != nil {
				return err
			}
			if err := membersChanged(ctx, tx, s.st.driver, u.ID, qid); err != nil {
				return err
			}
		}
		return nil
	}
	herr := s.hashes.run(ctx, func() { u, err = s.st.createUser(ctx, in, created) })
	if err = errors.Join(herr, err); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("account created", "by", p.UserID, "user", u.Username, "role", u.Role, "queues", u.Queues)
	s.live.poke()
	s.reply(w, r, http.StatusCreated, u)
}

func (s *Server) handleCreateQueue(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("only supervisors create queues"))
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := s.st.createQueue(r.Context(), in.Name, func(tx *sql.Tx) error {
		return audit(r.Context(), tx, s.cfg.Now(), p.UserID, api.AuditQueueCreate, in.Name, "")
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusCreated, map[string]string{"id": id, "name": in.Name})
}

func (s *Server) handleQueues(w http.ResponseWriter, r *http.Request, p principal) {
	u, err := s.st.userByID(r.Context(), p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !p.supervisor() {
		s.reply(w, r, http.StatusOK, map[string][]string{"queues": u.Queues})
		return
	}
	rows, err := s.st.rdb.QueryContext(r.Context(), `SELECT name FROM queues ORDER BY name`)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rows.Close()
	names := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			s.fail(w, r, err)
			return
		}
		names = append(names, n)
	}
	s.reply(w, r, http.StatusOK, map[string][]string{"queues": names})
}
