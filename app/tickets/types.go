package tickets

import (
	"encoding/json"
	"time"
)

// Ticket is a customer case as cached locally. Version is the server's;
// 0 means created here and not yet accepted by the server.
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
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    string    `json:"updated_by"`
	Notes        []Note    `json:"notes"`
}

// Note is one entry of a ticket's append-only thread. Pending notes are
// written locally and not yet on the server.
type Note struct {
	ID         string    `json:"id"`
	TicketID   string    `json:"ticket_id"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
	Pending    bool      `json:"-"`
}

// NewTicket describes a ticket to create. ID is filled in by the client.
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

// TicketPatch is a field edit; nil fields stay as they are. Version is the
// version the edit is based on (the client fills it in).
type TicketPatch struct {
	Version      int64     `json:"version"`
	CustomerName *string   `json:"customer_name,omitempty"`
	Phones       *[]string `json:"phones,omitempty"`
	Subject      *string   `json:"subject,omitempty"`
	Status       *string   `json:"status,omitempty"`
	Queue        *string   `json:"queue,omitempty"`
	AssigneeID   *string   `json:"assignee_id,omitempty"`
}

// Page is one page of changes since a cursor.
type Page struct {
	Tickets    []Ticket `json:"tickets"`
	NextCursor string   `json:"next_cursor"`
	More       bool     `json:"more"`
}

// CallQuality is what the media layer measured on a call.
type CallQuality struct {
	Codec    string  `json:"codec"`
	LossPct  float64 `json:"loss_pct"`
	JitterMs float64 `json:"jitter_ms"`
	MOS      float64 `json:"mos"`
}

// CallLog is a call as logged at wrap-up. CallID (the SIP Call-ID) makes a
// second delivery of the same call a no-op on the server.
type CallLog struct {
	CallID      string      `json:"call_id"`
	Direction   string      `json:"direction"` // "inbound" or "outbound"
	Number      string      `json:"number"`
	StartedAt   time.Time   `json:"started_at"`
	AnsweredAt  *time.Time  `json:"answered_at,omitempty"`
	EndedAt     time.Time   `json:"ended_at"`
	Disposition string      `json:"disposition"`
	Note        string      `json:"note"`
	TicketID    string      `json:"ticket_id,omitempty"`
	Quality     CallQuality `json:"quality"`
}

// Agent event kinds.
const (
	EventClockIn  = "clock_in"
	EventState    = "state"
	EventClockOut = "clock_out"
	EventPrecheck = "precheck" // a failed pre-shift check with no clock-in
)

// AgentEvent is a clock-in (with the pre-shift report), a state change or a
// clock-out. ID is filled in by the client when empty.
type AgentEvent struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	State    string    `json:"state,omitempty"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
	Precheck *Precheck `json:"precheck,omitempty"`
}

// Precheck is the pre-shift check outcome with the check's own JSON report.
type Precheck struct {
	Passed bool            `json:"passed"`
	Report json.RawMessage `json:"report,omitempty"`
}

// Disposition is a wrap-up outcome.
type Disposition struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Notice kinds.
const (
	// NoticeConflict: someone else changed a field the agent edited; the
	// server's value won.
	NoticeConflict = "conflict"
	// NoticeRejected: the server refused a write for good (bad data); the
	// write is kept in Failed() and not retried.
	NoticeRejected = "rejected"
	// NoticeLoginNeeded: the backend wants a new login; writes wait.
	NoticeLoginNeeded = "login_needed"
)

// Notice tells the agent something the sync loop found. Message is one line
// for the UI.
type Notice struct {
	Kind     string
	TicketID string
	Message  string
	Changes  []FieldChange
}

// FieldChange is one field someone else changed before the agent's edit
// arrived: Mine is what the agent wrote, Theirs what the server kept.
type FieldChange struct {
	Field  string
	Mine   string
	Theirs string
	By     string
}

// FailedWrite is a write the server refused for good.
type FailedWrite struct {
	Kind    string
	Payload string
	Reason  string
	At      time.Time
}
