package tickets

import (
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// The wire types are the server's (server/api), one definition for both
// sides; these names keep the client's API short.
type (
	// Ticket is a customer case as cached locally. Version is the server's;
	// 0 means created here and not yet accepted by the server.
	Ticket = api.Ticket
	// Note is one entry of a ticket's append-only thread; Pending notes are
	// written locally and not yet on the server.
	Note = api.Note
	// NewTicket describes a ticket to create. ID is filled in by the client.
	NewTicket = api.NewTicket
	// TicketPatch is a field edit; nil fields stay as they are. Version is
	// the version the edit is based on (the client fills it in).
	TicketPatch = api.TicketPatch
	// Page is one page of changes since a cursor.
	Page = api.SyncPage
	// CallQuality is what the media layer measured on a call.
	CallQuality = api.CallQuality
	// CallLog is a call as logged at wrap-up; CallID (the SIP Call-ID)
	// makes a second delivery a no-op on the server.
	CallLog = api.CallLog
	// AgentEvent is a clock-in (with the pre-shift report), a state change
	// or a clock-out. ID is filled in by the client when empty.
	AgentEvent = api.AgentEvent
	// Precheck is the pre-shift check outcome with the check's own report.
	Precheck = api.Precheck
	// Disposition is a wrap-up outcome.
	Disposition = api.Disposition
)

// Agent event kinds.
const (
	EventClockIn  = api.EventClockIn
	EventState    = api.EventState
	EventClockOut = api.EventClockOut
	EventPrecheck = api.EventPrecheck // a failed pre-shift check with no clock-in
)

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
