package server

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// Queue administration, for supervisors: who is in which queue, and who
// changed it. A supervisor sees only the agents of their queues, so they
// administer only those queues (were they to join another, they would see
// its agents); the account named by HOMESHORE_ADMIN_USER (Config.AdminUser,
// which starts in no queue) administers every queue. Each change is written
// to admin_audit in the transaction that makes it, and open live streams
// follow it (a "members" live event).

// maxAuditRange bounds one read of the audit trail.
const maxAuditRange = 366 * 24 * time.Hour

// audit records an administrative change in tx, numbered in commit order.
func audit(ctx context.Context, tx *sql.Tx, at time.Time, actorID, action, queue, target string) error {
	seq, err := nextCounter(ctx, tx, "audit")
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO admin_audit (seq, at, actor_id, action, queue, target) VALUES ($1, $2, $3, $4, $5, $6)`,
		seq, at.UnixMilli(), actorID, action, queue, target)
	return err
}

// membersChanged announces in tx that user joined or left queue: the live
// streams of this and the other replicas recompute what they may see.
func membersChanged(ctx context.Context, tx *sql.Tx, driver, userID, queueID string) error {
	return appendLive(ctx, tx, driver, liveEvent{Kind: api.LiveMembers, AgentID: userID, QueueID: queueID},
		func(seq int64) any { return api.LiveEvent{Seq: seq, Kind: api.LiveMembers} })
}

// queueMembers reads one queue with its people, by display name.
func queueMembers(ctx context.Context, q querier, queueID, name string) (api.QueueMembers, error) {
	out := api.QueueMembers{Name: name, Agents: []api.Member{}, Supervisors: []api.Member{}}
	rows, err := q.QueryContext(ctx, `SELECT u.username, u.display_name, u.role FROM user_queues uq JOIN users u ON u.id = uq.user_id
WHERE uq.queue_id = $1 ORDER BY u.display_name, u.username`, queueID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var m api.Member
		var role string
		if err := rows.Scan(&m.Username, &m.DisplayName, &role); err != nil {
			return out, err
		}
		if role == api.RoleSupervisor {
			out.Supervisors = append(out.Supervisors, m)
		} else {
			out.Agents = append(out.Agents, m)
		}
	}
	return out, rows.Err()
}

// handleAdminQueues: GET /v1/admin/queues, every queue with its people.
func (s *Server) handleAdminQueues(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("queue administration is for supervisors"))
		return
	}
	ctx := r.Context()
	list := api.QueueList{Queues: []api.QueueMembers{}}
	err := s.st.readTx(ctx, func(tx *sql.Tx) error {
		_, all, mine, err := s.adminScope(ctx, tx, p)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM queues ORDER BY name`)
		if err != nil {
			return err
		}
		type queue struct{ id, name string }
		var qs []queue
		for rows.Next() {
			var q queue
			if err := rows.Scan(&q.id, &q.name); err != nil {
				rows.Close()
				return err
			}
			qs = append(qs, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, q := range qs {
			if !all && !mine[q.name] {
				continue
			}
			m, err := queueMembers(ctx, tx, q.id, q.name)
			if err != nil {
				return err
			}
			list.Queues = append(list.Queues, m)
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, list)
}

// handleAdminUsers: GET /v1/admin/users, the accounts the caller may
// administer, with their queues.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("account administration is for supervisors"))
		return
	}
	ctx := r.Context()
	out := api.UserList{Users: []api.User{}}
	err := s.st.readTx(ctx, func(tx *sql.Tx) error {
		_, all, mine, err := s.adminScope(ctx, tx, p)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM users ORDER BY role, display_name, username`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			u, err := userByID(ctx, tx, id)
			if err != nil {
				return err
			}
			// An agent in no queue yet (a new hire) is listed too, so a
			// supervisor can take them into a queue without the
			// administrator; agents of other teams stay unlisted.
			newHire := u.Role == api.RoleAgent && len(u.Queues) == 0
			if all || id == p.UserID || newHire || slices.ContainsFunc(u.Queues, func(q string) bool { return mine[q] }) {
				out.Users = append(out.Users, u)
			}
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, out)
}

// handleAddMember: PUT /v1/admin/queues/{queue}/members/{username}.
func (s *Server) handleAddMember(w http.ResponseWriter, r *http.Request, p principal) {
	s.changeMember(w, r, p, true)
}

// handleRemoveMember: DELETE /v1/admin/queues/{queue}/members/{username}.
func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request, p principal) {
	s.changeMember(w, r, p, false)
}

// changeMember puts the user into the queue (add) or takes them out, and
// answers the queue as it is now. Doing it twice is harmless and recorded
// once.
func (s *Server) changeMember(w http.ResponseWriter, r *http.Request, p principal, add bool) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("only supervisors change who is in a queue"))
		return
	}
	queue, username := r.PathValue("queue"), r.PathValue("username")
	ctx := r.Context()
	var out api.QueueMembers
	var changed bool
	err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
		changed = false
		var qid string
		err := tx.QueryRowContext(ctx, `SELECT id FROM queues WHERE name = $1`, queue).Scan(&qid)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("queue " + queue + " (POST /v1/queues creates it)")
		}
		if err != nil {
			return err
		}
		if _, all, mine, err := s.adminScope(ctx, tx, p); err != nil {
			return err
		} else if !all && !mine[queue] {
			return forbidden("you administer only your own queues; " + queue + " is not one of them (ask your administrator)")
		}
		var uid string
		err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, username).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user " + username)
		}
		if err != nil {
			return err
		}
		q, action := `INSERT INTO user_queues (user_id, queue_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, api.AuditMemberAdd
		if !add {
			q, action = `DELETE FROM user_queues WHERE user_id = $1 AND queue_id = $2`, api.AuditMemberRemove
		}
		res, err := tx.ExecContext(ctx, q, uid, qid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changed = true
			if err := audit(ctx, tx, s.cfg.Now(), p.UserID, action, queue, username); err != nil {
				return err
			}
			if err := membersChanged(ctx, tx, s.st.driver, uid, qid); err != nil {
				return err
			}
		}
		out, err = queueMembers(ctx, tx, qid, queue)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if changed {
		s.log.Info("queue membership changed", "by", p.UserID, "add", add, "queue", queue, "user", username)
		s.live.poke()
	}
	s.reply(w, r, http.StatusOK, out)
}

// handleAudit: GET /v1/admin/audit?from=&to=, administrative changes in
// that range (default the last 30 days), oldest first.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, p principal) {
	if !p.supervisor() {
		s.fail(w, r, forbidden("the audit trail is for supervisors"))
		return
	}
	q := r.URL.Query()
	now := s.cfg.Now()
	to, err := queryTime(q, "to", now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, err := queryTime(q, "from", to.Add(-30*24*time.Hour))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if to.Before(from) || to.Sub(from) > maxAuditRange {
		s.fail(w, r, badRequest("from must be before to, at most 366 days apart"))
		return
	}
	me, all, mine, err := s.adminScope(r.Context(), s.st.rdb, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := s.st.rdb.QueryContext(r.Context(), `SELECT a.at, u.username, a.action, a.queue, a.target FROM admin_audit a
JOIN users u ON u.id = a.actor_id WHERE a.at >= $1 AND a.at <= $2 ORDER BY a.seq`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rows.Close()
	out := api.AuditLog{Entries: []api.AuditEntry{}}
	for rows.Next() {
		var e api.AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Queue, &e.Target); err != nil {
			s.fail(w, r, err)
			return
		}
		e.At = time.UnixMilli(at).UTC()
		if all || mine[e.Queue] || e.Actor == me {
			out.Entries = append(out.Entries, e)
		}
	}
	if err := rows.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, out)
}

// adminScope says which queues p administers: every queue (all, for the
// admin account) or the names of the queues p is in; name is p's username.
func (s *Server) adminScope(ctx context.Context, q querier, p principal) (name string, all bool, queues map[string]bool, err error) {
	if err := q.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, p.UserID).Scan(&name); err != nil {
		return "", false, nil, err
	}
	if admin, ok := canonicalUsername(s.cfg.AdminUser); ok && admin == name {
		return name, true, nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT q.name FROM user_queues uq JOIN queues q ON q.id = uq.queue_id WHERE uq.user_id = $1`, p.UserID)
	if err != nil {
		return "", false, nil, err
	}
	defer rows.Close()
	queues = map[string]bool{}
	for rows.Next() {
		var qn string
		if err := rows.Scan(&qn); err != nil {
			return "", false, nil, err
		}
		queues[qn] = true
	}
	return name, false, queues, rows.Err()
}
