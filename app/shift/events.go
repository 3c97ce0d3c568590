package shift

import (
	"encoding/json"
	"time"
)

// Event is delivered to subscribers, in order. The GUI adapter turns each
// into a fyne.Do call; the ticket backend records ClockedIn / ClockedOut.
type Event interface {
	eventTime() time.Time
}

// StateChanged: the agent's state moved.
type StateChanged struct {
	At     time.Time `json:"at"`
	From   State     `json:"from"`
	To     State     `json:"to"`
	Reason Reason    `json:"reason"`
	// Then is where the agent goes once the call and its wrap-up are
	// over; set while On call or in Wrap-up.
	Then *Next `json:"then,omitempty"`
}

// ClockedIn: a shift started. Report is the full check report as JSON
// (figures, verdicts, versions) for the backend.
type ClockedIn struct {
	At       time.Time       `json:"at"`
	Passed   bool            `json:"passed"`
	Failed   []string        `json:"failed_checks,omitempty"`
	Override *Override       `json:"override,omitempty"`
	Report   json.RawMessage `json:"report"`
}

// Rechecked: a mid-shift check ran (after a device loss, or on demand).
type Rechecked struct {
	At     time.Time       `json:"at"`
	Passed bool            `json:"passed"`
	Failed []string        `json:"failed_checks,omitempty"`
	Report json.RawMessage `json:"report"`
}

// ClockedOut: the shift ended with its summary.
type ClockedOut struct {
	At      time.Time `json:"at"`
	Summary Summary   `json:"summary"`
}

func (e StateChanged) eventTime() time.Time { return e.At }
func (e ClockedIn) eventTime() time.Time    { return e.At }
func (e Rechecked) eventTime() time.Time    { return e.At }
func (e ClockedOut) eventTime() time.Time   { return e.At }
