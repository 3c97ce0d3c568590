package api

import (
	"encoding/json"
	"time"
)

// LiveStatus is what the agent app reports with PUT /v1/live/status: its
// state now, the call in progress with its live quality, and where it
// takes SIP. It is sent every few seconds during a call and as a heartbeat
// otherwise; the newest At wins. Connection presence is derived from it.
type LiveStatus struct {
	At         time.Time `json:"at"`
	State      string    `json:"state"`
	Reason     string    `json:"reason,omitempty"`
	StateSince time.Time `json:"state_since"`
	Call       *LiveCall `json:"call,omitempty"`
	// Waiting is a second call ringing while the agent is on Call (call
	// waiting); Call stays the one the agent talks in.
	Waiting *LiveCall `json:"waiting,omitempty"`
	SIPURI  string    `json:"sip_uri,omitempty"`
	// Line is the phone line as the app sees it; nil from an app that
	// does not report it.
	Line *LiveLine `json:"line,omitempty"`
}

// LiveLine is the agent's phone line: registered (calls reach the agent),
// reconnecting since when (down; the app registers again by itself),
// refused (the SIP server refused the account: only the agent or IT can
// fix it) or off (not registered, e.g. before the first registration).
type LiveLine struct {
	State string `json:"state"`
	// Since is when the line went down (reconnecting, refused).
	Since *time.Time `json:"since,omitempty"`
	// Detail says why, in one line (the app's words).
	Detail string `json:"detail,omitempty"`
}

// Phone line states of LiveLine.
const (
	LineRegistered   = "registered"
	LineReconnecting = "reconnecting"
	LineRefused      = "refused"
	LineOff          = "off"
)

// LiveCall is the call an agent is on (or that rings), with its quality so
// far. Quality is nil until media flows.
type LiveCall struct {
	ID         string       `json:"id"`
	Direction  string       `json:"direction"`
	Number     string       `json:"number"`
	StartedAt  time.Time    `json:"started_at"`
	AnsweredAt *time.Time   `json:"answered_at,omitempty"`
	OnHold     bool         `json:"on_hold,omitempty"`
	Quality    *CallQuality `json:"quality,omitempty"`
}

// AgentLive is one agent as the wallboard shows it. State is "offline"
// outside a shift; Connected is false when the app has not reported for
// longer than the server's presence timeout (or never did).
type AgentLive struct {
	AgentID     string           `json:"agent_id"`
	Username    string           `json:"username"`
	DisplayName string           `json:"display_name"`
	Queues      []string         `json:"queues"`
	State       string           `json:"state"`
	Reason      string           `json:"reason,omitempty"`
	StateSince  *time.Time       `json:"state_since,omitempty"`
	ShiftStart  *time.Time       `json:"shift_start,omitempty"`
	Connected   bool             `json:"connected"`
	LastSeen    *time.Time       `json:"last_seen,omitempty"`
	Call        *LiveCall        `json:"call,omitempty"`
	Waiting     *LiveCall        `json:"waiting,omitempty"`
	Line        *LiveLine        `json:"line,omitempty"`
	Precheck    *PrecheckSummary `json:"precheck,omitempty"`
	Monitor     *MonitorSession  `json:"monitor,omitempty"`
	SIPURI      string           `json:"sip_uri,omitempty"`
}

// PrecheckSummary is a pre-shift check as supervisors see it: the outcome,
// the override reason when the agent started despite a failure, and the
// checks that did not pass with their figures.
type PrecheckSummary struct {
	At       time.Time    `json:"at"`
	Passed   bool         `json:"passed"`
	Override string       `json:"override,omitempty"`
	Checks   []CheckShort `json:"checks"`
}

// CheckShort is one check of a pre-shift report: its verdict, what it found
// (one line each) and its figures as the app measured them.
type CheckShort struct {
	Name     string          `json:"name"`
	Verdict  string          `json:"verdict"`
	Findings []string        `json:"findings,omitempty"`
	Figures  json.RawMessage `json:"figures,omitempty"`
}

// Live event kinds, the "kind" of a LiveEvent and the SSE event name.
const (
	LiveSnapshot = "snapshot"
	LiveAgent    = "agent"
	LiveMessage  = "message"
	LiveHelp     = "help"
)

// LiveEvent is one event of GET /v1/live/stream (server-sent events; the
// SSE id is Seq). Agent carries the agent's whole new state; Message a
// message or help request (new, or taken).
type LiveEvent struct {
	Seq     int64      `json:"seq"`
	Kind    string     `json:"kind"`
	Agent   *AgentLive `json:"agent,omitempty"`
	Message *Message   `json:"message,omitempty"`
}

// LiveBoard is GET /v1/live/agents and the stream's first event: every
// agent of the caller's queues, the open help requests, as of event Seq.
type LiveBoard struct {
	Seq    int64       `json:"seq"`
	At     time.Time   `json:"at"`
	Agents []AgentLive `json:"agents"`
	Help   []Message   `json:"help"`
}
