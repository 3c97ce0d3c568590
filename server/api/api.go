// Package api holds the JSON wire types of the Homeshore backend's HTTP API
// (/v1), shared by the server (server/) and its clients (app/tickets,
// app/messages, app/livestatus) so both sides encode the same fields.
package api

import (
	"encoding/json"
	"time"
)

// Roles of an account.
const (
	RoleAgent      = "agent"
	RoleSupervisor = "supervisor"
)

// User is an account as the API shows it.
type User struct {
	ID          string   `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Role        string   `json:"role"`
	Queues      []string `json:"queues"`
}

// NewUser is the body of POST /v1/users.
type NewUser struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Password    string   `json:"password"`
	Role        string   `json:"role"`
	Queues      []string `json:"queues"` // queue names
}

// Login is the body of POST /v1/auth/login (and /v1/console/login).
type Login struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// TokenPair answers a login or a refresh.
type TokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"` // seconds
	User         User   `json:"user"`
}

// ErrorBody is every error answer: a stable code and one line saying what
// to do. Ticket is set on a version conflict (the current ticket).
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Ticket *Ticket `json:"ticket,omitempty"`
}

// Ticket channels and statuses.
var (
	Channels = []string{"phone", "email", "chat"}
	Statuses = []string{"open", "pending", "resolved", "closed"}
)

// Ticket is a customer case with its append-only thread of notes. Version
// counts field edits (0 on a client: created there, not yet accepted); Seq
// is the change number sync pages follow.
type Ticket struct {
	ID           string    `json:"id"`
	CustomerName string    `json:"customer_name"`
	Phones       []string  `json:"phones"`
	Subject      string    `json:"subject"`
	Channel      string    `json:"channel"`
	Status       string    `json:"status"`
	Queue        string    `json:"queue"`
	AssigneeID   string    `json:"assignee_id,omitempty"`
	Version      int64     `json:"version"`
	Seq          int64     `json:"seq"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    string    `json:"updated_by"`
	Notes        []Note    `json:"notes"`
}

// Note is one entry of a ticket's thread.
type Note struct {
	ID         string    `json:"id"`
	TicketID   string    `json:"ticket_id"`
	AuthorID   string    `json:"author_id,omitempty"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
	// Pending is client-side only (never on the wire): written locally and
	// not yet confirmed by the server.
	Pending bool `json:"-"`
}

// NewNote is the body of POST /v1/tickets/{id}/notes.
type NewNote struct {
	ID   string `json:"id,omitempty"`
	Body string `json:"body"`
}

// NewTicket is the body of POST /v1/tickets. ID may be chosen by the client
// (a UUID) so it can create tickets offline and attach notes before sync.
type NewTicket struct {
	ID           string   `json:"id"`
	CustomerName string   `json:"customer_name"`
	Phones       []string `json:"phones"`
	Subject      string   `json:"subject"`
	Channel      string   `json:"channel,omitempty"`
	Status       string   `json:"status,omitempty"`
	Queue        string   `json:"queue"`
	AssigneeID   string   `json:"assignee_id,omitempty"`
}

// TicketPatch is the body of PATCH /v1/tickets/{id}: the version the edit
// is based on and the fields to change (nil = unchanged, left out).
type TicketPatch struct {
	Version      int64     `json:"version"`
	CustomerName *string   `json:"customer_name,omitempty"`
	Phones       *[]string `json:"phones,omitempty"`
	Subject      *string   `json:"subject,omitempty"`
	Status       *string   `json:"status,omitempty"`
	Queue        *string   `json:"queue,omitempty"`
	AssigneeID   *string   `json:"assignee_id,omitempty"`
}

// Lookup answers the screen-pop GET /v1/tickets?phone=.
type Lookup struct {
	Phone   string   `json:"phone"`
	Tickets []Ticket `json:"tickets"`
}

// SyncPage is one page of GET /v1/sync: tickets changed after the cursor,
// in change order, each with its whole thread as of one snapshot.
type SyncPage struct {
	Tickets    []Ticket `json:"tickets"`
	NextCursor string   `json:"next_cursor"`
	More       bool     `json:"more"`
}

// Disposition is a wrap-up outcome an agent picks for a call.
type Disposition struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// CallQuality is what the media layer measured on a call.
type CallQuality struct {
	Codec    string  `json:"codec"`
	LossPct  float64 `json:"loss_pct"`
	JitterMs float64 `json:"jitter_ms"`
	MOS      float64 `json:"mos"`
}

// Call directions.
const (
	Inbound  = "inbound"
	Outbound = "outbound"
)

// CallLog is one call as logged at wrap-up. CallID (the SIP Call-ID) makes
// logging a call twice a no-op. The server fills AgentID and TalkSeconds.
// A call never answered has no AnsweredAt and may have no Disposition.
type CallLog struct {
	CallID      string      `json:"call_id"`
	AgentID     string      `json:"agent_id,omitempty"`
	Direction   string      `json:"direction"`
	Number      string      `json:"number"`
	StartedAt   time.Time   `json:"started_at"`
	AnsweredAt  *time.Time  `json:"answered_at,omitempty"`
	EndedAt     time.Time   `json:"ended_at"`
	TalkSeconds float64     `json:"talk_seconds"`
	Disposition string      `json:"disposition"`
	Note        string      `json:"note"`
	TicketID    string      `json:"ticket_id,omitempty"`
	Quality     CallQuality `json:"quality"`
	// ConsultOf is the call_id of the customer's call this leg served (the
	// consultation of an attended transfer, a conference leg): it is part
	// of that call, listed but not counted as a call of the shift.
	ConsultOf string `json:"consult_of,omitempty"`
}

// Agent event kinds.
const (
	EventClockIn  = "clock_in"
	EventState    = "state"
	EventClockOut = "clock_out"
	// EventPrecheck records a pre-shift check that did not lead to a clock-in.
	EventPrecheck = "precheck"
)

// Agent states as the backend names them.
const (
	StateAvailable = "available"
	StateOnCall    = "on_call"
	StateWrapUp    = "wrap_up"
	StateNotReady  = "not_ready"
	StateBreak     = "break"
	StateOffline   = "offline"
)

// AgentEvent is a clock-in (with its pre-shift check), a state change or a
// clock-out. ID is chosen by the client so a resent event is stored once.
// Reason is the Not ready reason, or on a clock-in the override reason.
type AgentEvent struct {
	ID       string    `json:"id"`
	AgentID  string    `json:"agent_id,omitempty"`
	Kind     string    `json:"kind"`
	State    string    `json:"state,omitempty"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
	Precheck *Precheck `json:"precheck,omitempty"`
}

// Precheck is the pre-shift check outcome; Report is the check's own JSON
// (docs/precheck.md).
type Precheck struct {
	Passed bool            `json:"passed"`
	Report json.RawMessage `json:"report,omitempty"`
}

// Shift is one clock-in to clock-out with what a contractor is paid on.
type Shift struct {
	AgentID         string             `json:"agent_id"`
	ClockIn         time.Time          `json:"clock_in"`
	ClockOut        *time.Time         `json:"clock_out"` // nil while the shift is open
	PrecheckPassed  bool               `json:"precheck_passed"`
	Calls           int                `json:"calls"`
	TalkSeconds     float64            `json:"talk_seconds"`
	TalkMinutes     float64            `json:"talk_minutes"`
	BillableMinutes int                `json:"billable_minutes"` // each answered call rounded up to a whole minute
	WrapUpSeconds   float64            `json:"wrap_up_seconds"`
	StateSeconds    map[string]float64 `json:"state_seconds"`
}
