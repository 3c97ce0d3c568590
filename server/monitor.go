package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// GrantTTL is how long a monitoring grant is valid: long enough to dial the
// agent, far below the contract's 120 s ceiling.
const GrantTTL = 60 * time.Second

// LoadMonitorKey reads the ed25519 key that signs monitoring grants from
// path (PEM, PKCS #8), creating it (mode 0600) when the file does not exist.
// Replicas behind one load balancer must share the file.
func LoadMonitorKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, key, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		der, merr := x509.MarshalPKCS8PrivateKey(key)
		if merr != nil {
			return nil, merr
		}
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(cerr, fs.ErrExist) {
			return LoadMonitorKey(path) // another replica created it first
		}
		if cerr != nil {
			return nil, fmt.Errorf("create the monitoring key %s: %w", path, cerr)
		}
		werr := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err := errors.Join(werr, f.Close()); err != nil {
			return nil, fmt.Errorf("write the monitoring key %s: %w", path, err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the monitoring key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("monitoring key %s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("monitoring key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("monitoring key %s is not an ed25519 key", path)
	}
	return key, nil
}

// signGrant returns the token for claims: base64url(JSON) "." base64url(sig).
func signGrant(key ed25519.PrivateKey, c api.GrantClaims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(ed25519.Sign(key, payload)), nil
}

func (s *Server) handlePublicKey(w http.ResponseWriter, r *http.Request) {
	pub := s.monitorKey.Public().(ed25519.PublicKey)
	s.reply(w, r, http.StatusOK, api.PublicKey{PublicKey: base64.StdEncoding.EncodeToString(pub)})
}

// handleGrant: POST /v1/monitor/grants by a supervisor of one of the agent's
// queues; anyone else gets 403, and the refusal is logged.
func (s *Server) handleGrant(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.GrantRequest
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if !slices.Contains(api.Modes, in.Mode) {
		s.fail(w, r, badRequest("mode must be listen, whisper or barge"))
		return
	}
	ctx := r.Context()
	sup, err := s.st.userByID(ctx, p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !p.supervisor() {
		// Refused before the agent is looked up: an agent cannot tell
		// which usernames exist by the answer.
		s.log.Warn("monitoring grant refused", "user", sup.Username, "agent", in.Agent, "mode", in.Mode)
		s.fail(w, r, forbidden("only a supervisor of one of "+in.Agent+"'s queues may listen to their calls"))
		return
	}
	agent, _, err := s.st.userByName(ctx, in.Agent)
	if errors.Is(err, ErrNotFound) || (err == nil && agent.Role != api.RoleAgent) {
		err = notFound("agent " + in.Agent)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ok, err := sharesQueue(ctx, s.st.rdb, p.UserID, agent.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.log.Warn("monitoring grant refused", "user", sup.Username, "agent", in.Agent, "mode", in.Mode)
		s.fail(w, r, forbidden("only a supervisor of one of "+in.Agent+"'s queues may listen to their calls"))
		return
	}
	now := s.cfg.Now()
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := api.GrantClaims{V: 1, Iss: api.GrantIssuer, Sup: sup.Username, Agent: agent.Username, Modes: api.Modes,
		Iat: now.Unix(), Exp: now.Add(GrantTTL).Unix(), JTI: hex.EncodeToString(jti)}
	tok, err := signGrant(s.monitorKey, claims)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var uri string
	err = s.st.writeTx(ctx, func(tx *sql.Tx) error {
		modes, _ := json.Marshal(claims.Modes)
		if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_grants (jti, supervisor_id, agent_id, modes, issued_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)`, claims.JTI, sup.ID, agent.ID, string(modes), claims.Iat, claims.Exp); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT sip_uri FROM agent_live WHERE agent_id = $1`, agent.ID).Scan(&uri)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("monitoring grant issued", "supervisor", sup.Username, "agent", agent.Username, "mode", in.Mode, "jti", claims.JTI)
	s.reply(w, r, http.StatusCreated, api.Grant{Grant: tok, ExpiresAt: time.Unix(claims.Exp, 0).UTC(), AgentURI: uri})
}

func validateSession(m *api.MonitorSession) error {
	var err error
	switch {
	case !validID(m.ID):
		return badRequest("id must be 1 to %d letters, digits, - _ : . with a letter or digit (a UUID)", maxIDLen)
	case m.Supervisor == "" || len(m.Supervisor) > maxUsername || !printable(m.Supervisor):
		return badRequest("supervisor must be a username")
	case !validCallID(m.CallID):
		return badRequest("call_id must be the SIP Call-ID of the monitored call")
	case !slices.Contains(api.Modes, m.Mode):
		return badRequest("mode must be listen, whisper or barge")
	case len(m.Modes) > 100:
		return badRequest("at most 100 mode changes")
	}
	if m.StartedAt, err = checkTime("started_at", m.StartedAt, true); err != nil {
		return err
	}
	if err := checkTimePtr("ended_at", m.EndedAt); err != nil {
		return err
	}
	if m.EndedAt != nil && m.EndedAt.Before(m.StartedAt) {
		return badRequest("ended_at must not be before started_at")
	}
	for i := range m.Modes {
		if !slices.Contains(api.Modes, m.Modes[i].Mode) {
			return badRequest("modes[%d].mode must be listen, whisper or barge", i)
		}
		if m.Modes[i].At, err = checkTime("modes.at", m.Modes[i].At, true); err != nil {
			return err
		}
	}
	if m.Modes == nil {
		m.Modes = []api.ModeChange{}
	}
	return nil
}

// handleSessionLog: POST /v1/monitor/sessions from the monitored agent's
// app, an upsert on id: a later post of the same session (ended, another
// mode) updates it; an older one never reopens an ended session.
func (s *Server) handleSessionLog(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.MonitorSession
	if err := decodeJSON(body, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := validateSession(&in); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	me, err := s.st.userByID(ctx, p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !sameUser(in.Agent, me.Username) {
		s.fail(w, r, forbidden("the monitored agent's app logs the session"))
		return
	}
	modes, _ := json.Marshal(in.Modes)
	var ended any
	if in.EndedAt != nil {
		ended = in.EndedAt.UnixMilli()
	}
	var out api.MonitorSession
	status := http.StatusOK
	err = s.st.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO monitor_sessions (id, agent_id, supervisor, call_id, mode, started_at, ended_at, modes, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO UPDATE SET ended_at = COALESCE(monitor_sessions.ended_at, excluded.ended_at),
  mode = CASE WHEN monitor_sessions.ended_at IS NULL THEN excluded.mode ELSE monitor_sessions.mode END,
  modes = CASE WHEN LENGTH(excluded.modes) >= LENGTH(monitor_sessions.modes) THEN excluded.modes ELSE monitor_sessions.modes END,
  updated_at = excluded.updated_at
WHERE monitor_sessions.agent_id = excluded.agent_id`,
			in.ID, p.UserID, in.Supervisor, in.CallID, in.Mode, in.StartedAt.UnixMilli(), ended, string(modes), s.cfg.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &apiError{Status: http.StatusConflict, Code: "exists", Message: "session id " + in.ID + " is taken; use a new id"}
		}
		got, err := sessions(ctx, tx, `ms.id = $1`, in.ID)
		if err != nil || len(got) == 0 {
			return errors.Join(err, errors.New("session vanished"))
		}
		out = got[0]
		if out.StartedAt.Equal(in.StartedAt) && out.EndedAt == nil && len(out.Modes) == len(in.Modes) {
			status = http.StatusCreated
		}
		_, err = s.updateLive(ctx, tx, p.UserID, func(r *liveRow) {
			cur := api.MonitorSession{}
			_ = json.Unmarshal([]byte(r.Monitor), &cur)
			switch {
			case out.EndedAt == nil:
				b, _ := json.Marshal(out)
				r.Monitor = string(b)
			case cur.ID == out.ID:
				r.Monitor = ""
			}
		})
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.live.poke()
	s.reply(w, r, status, out)
}

func sessions(ctx context.Context, q querier, cond string, args ...any) ([]api.MonitorSession, error) {
	rows, err := q.QueryContext(ctx, `SELECT ms.id, u.username, ms.supervisor, ms.call_id, ms.mode, ms.started_at, ms.ended_at, ms.modes
FROM monitor_sessions ms JOIN users u ON u.id = ms.agent_id WHERE `+cond+` ORDER BY ms.started_at, ms.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.MonitorSession{}
	for rows.Next() {
		var m api.MonitorSession
		var started int64
		var ended sql.NullInt64
		var modes string
		if err := rows.Scan(&m.ID, &m.Agent, &m.Supervisor, &m.CallID, &m.Mode, &started, &ended, &modes); err != nil {
			return nil, err
		}
		m.StartedAt = time.UnixMilli(started).UTC()
		if ended.Valid {
			m.EndedAt = msTime(ended.Int64)
		}
		if json.Unmarshal([]byte(modes), &m.Modes) != nil || m.Modes == nil {
			m.Modes = []api.ModeChange{}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// handleSessions: GET /v1/monitor/sessions?agent=&from=&to= for supervisors
// of the agent's queues (all their agents without agent=), or the agent.
func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	to, err := queryTime(q, "to", s.cfg.Now().Add(time.Minute).UTC())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, err := queryTime(q, "from", to.Add(-24*time.Hour))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if to.Before(from) || to.Sub(from) > maxRange {
		s.fail(w, r, badRequest("from must be before to, at most 31 days apart"))
		return
	}
	ctx := r.Context()
	cond := `ms.started_at >= $2 AND ms.started_at < $3 AND `
	args := []any{p.UserID, from.UnixMilli(), to.UnixMilli()}
	switch agent := q.Get("agent"); {
	case !p.supervisor():
		cond += `ms.agent_id = $1`
		me, err := s.st.userByID(ctx, p.UserID)
		if err == nil && agent != "" && !sameUser(agent, me.Username) {
			err = forbidden("agents see only their own sessions")
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	case agent != "":
		cond += `u.username = $4 AND ` + visibleAgents
		args = append(args, limitName(agent))
	default:
		cond += visibleAgents
	}
	out, err := sessions(ctx, s.st.rdb, cond, args...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, map[string]any{"sessions": out})
}
