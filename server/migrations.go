package server

// migrations is the one schema history for SQLite and PostgreSQL: only
// portable types (TEXT, BIGINT, INTEGER as 0/1, DOUBLE PRECISION), text ids
// chosen by clients where offline creation needs them, times as Unix
// milliseconds. Append new steps; never edit an applied one.
//
// tickets.seq is unique by construction (one counter) but its index is not
// declared UNIQUE: on PostgreSQL an UPDATE of a unique-indexed column takes
// a FOR UPDATE row lock that conflicts with the key-share lock of a note's
// foreign key, which deadlocked concurrent notes and call logs.
var migrations = []string{
	// 1: accounts, queues, tickets with their thread, sync counter.
	`CREATE TABLE server_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters (name, value) VALUES ('seq', 0);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE queues (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE user_queues (
  user_id TEXT NOT NULL REFERENCES users(id),
  queue_id TEXT NOT NULL REFERENCES queues(id),
  PRIMARY KEY (user_id, queue_id)
);
CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  expires_at BIGINT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tickets (
  id TEXT PRIMARY KEY,
  customer_name TEXT NOT NULL,
  phones TEXT NOT NULL,
  subject TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL,
  queue_id TEXT NOT NULL REFERENCES queues(id),
  assignee_id TEXT REFERENCES users(id),
  version BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE INDEX tickets_seq ON tickets (seq);
CREATE INDEX tickets_queue ON tickets (queue_id, seq);
CREATE INDEX tickets_assignee ON tickets (assignee_id, seq);
CREATE TABLE ticket_phones (
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  e164 TEXT NOT NULL,
  PRIMARY KEY (e164, ticket_id)
);
CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  author_id TEXT NOT NULL REFERENCES users(id),
  author_name TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX notes_ticket ON notes (ticket_id, created_at);
CREATE TABLE idempotency (
  user_id TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, idem_key)
);
CREATE TABLE dispositions (code TEXT PRIMARY KEY, label TEXT NOT NULL, position INTEGER NOT NULL);`,
	// 2: call logs and agent events, the raw material of pay and indicators.
	`CREATE TABLE call_logs (
  call_id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES users(id),
  direction TEXT NOT NULL,
  number TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  answered_at BIGINT,
  ended_at BIGINT NOT NULL,
  talk_ms BIGINT NOT NULL,
  disposition TEXT NOT NULL,
  note TEXT NOT NULL,
  ticket_id TEXT REFERENCES tickets(id),
  codec TEXT NOT NULL,
  loss_pct DOUBLE PRECISION NOT NULL,
  jitter_ms DOUBLE PRECISION NOT NULL,
  mos DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX call_logs_agent ON call_logs (agent_id, started_at);
CREATE TABLE agent_events (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  precheck_passed INTEGER,
  precheck_report TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX agent_events_agent ON agent_events (agent_id, at);`,
	// 3: replacing a ticket's phone numbers deletes by ticket id.
	`CREATE INDEX ticket_phones_ticket ON ticket_phones (ticket_id);`,
	// 4: when a refresh token was spent, for its retry grace period.
	`ALTER TABLE refresh_tokens ADD COLUMN used_at BIGINT NOT NULL DEFAULT 0;`,
	// 5: the supervisors' side: live agent state and its event log, messages
	// and help requests, monitoring grants and sessions.
	`CREATE TABLE agent_live (
  agent_id TEXT PRIMARY KEY REFERENCES users(id),
  state TEXT NOT NULL,
  reason TEXT NOT NULL,
  state_since BIGINT NOT NULL,
  shift_start BIGINT NOT NULL,
  call TEXT NOT NULL,
  status_at BIGINT NOT NULL,
  precheck TEXT NOT NULL,
  precheck_at BIGINT NOT NULL,
  monitor TEXT NOT NULL,
  sip_uri TEXT NOT NULL,
  last_seen BIGINT NOT NULL,
  connected INTEGER NOT NULL
);
CREATE INDEX agent_live_seen ON agent_live (connected, last_seen);
INSERT INTO counters (name, value) VALUES ('live', 0);
INSERT INTO counters (name, value) VALUES ('msg', 0);
CREATE TABLE live_events (
  seq BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  queue_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX live_events_created ON live_events (created_at);
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL,
  from_id TEXT NOT NULL REFERENCES users(id),
  to_id TEXT REFERENCES users(id),
  queue_id TEXT REFERENCES queues(id),
  body TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  taken_by TEXT REFERENCES users(id),
  taken_at BIGINT
);
CREATE INDEX messages_seq ON messages (seq);
CREATE INDEX messages_from ON messages (from_id, seq);
CREATE TABLE monitor_grants (
  jti TEXT PRIMARY KEY,
  supervisor_id TEXT NOT NULL REFERENCES users(id),
  agent_id TEXT NOT NULL REFERENCES users(id),
  modes TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE monitor_sessions (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES users(id),
  supervisor TEXT NOT NULL,
  call_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  modes TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX monitor_sessions_agent ON monitor_sessions (agent_id, started_at);
CREATE INDEX user_queues_queue ON user_queues (queue_id);`,
	// 6: the live state's phone line and waiting call (JSON, "" = none);
	// help requests the agent cancelled; the audit trail of queue and
	// account administration.
	`ALTER TABLE agent_live ADD COLUMN line TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_live ADD COLUMN waiting TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN cancelled_at BIGINT;
INSERT INTO counters (name, value) VALUES ('audit', 0);
CREATE TABLE admin_audit (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id TEXT NOT NULL REFERENCES users(id),
  action TEXT NOT NULL,
  queue TEXT NOT NULL,
  target TEXT NOT NULL
);
CREATE INDEX admin_audit_at ON admin_audit (at);`,
}
