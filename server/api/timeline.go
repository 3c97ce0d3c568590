package api

import "time"

// Segment is a stretch of time an agent spent in one state.
type Segment struct {
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
}

// Timeline answers GET /v1/agents/{id}/timeline: one agent's day for the
// drill-down: states, calls with their quality and ticket, pre-shift checks
// with their figures, shifts, monitoring sessions.
type Timeline struct {
	Agent     User              `json:"agent"`
	Day       string            `json:"day"`
	Segments  []Segment         `json:"segments"`
	Calls     []CallLog         `json:"calls"`
	Prechecks []PrecheckSummary `json:"prechecks"`
	Shifts    []Shift           `json:"shifts"`
	Sessions  []MonitorSession  `json:"sessions"`
}
