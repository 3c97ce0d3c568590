package api

import "time"

// Indicators are one agent's (or one queue's) figures over a range of days,
// for supervisors. Queue rows sum the agents of the queue (an agent in two
// queues counts in both).
type Indicators struct {
	AgentID          string  `json:"agent_id,omitempty"`
	Username         string  `json:"username,omitempty"`
	DisplayName      string  `json:"display_name,omitempty"`
	Queue            string  `json:"queue,omitempty"`
	CallsHandled     int     `json:"calls_handled"`
	CallsMissed      int     `json:"calls_missed"`
	Inbound          int     `json:"inbound"`
	Outbound         int     `json:"outbound"`
	AvgHandleSeconds float64 `json:"avg_handle_seconds"`
	TalkSeconds      float64 `json:"talk_seconds"`
	WrapUpSeconds    float64 `json:"wrap_up_seconds"`
	// AvgMOS is over answered calls with a measured MOS; 0 when none.
	AvgMOS     float64   `json:"avg_mos"`
	WorstCalls []CallRef `json:"worst_calls"`
	// PrecheckFailures counts failed pre-shift checks; ByCheck names the
	// checks that failed in them.
	PrecheckFailures        int                `json:"precheck_failures"`
	PrecheckFailuresByCheck map[string]int     `json:"precheck_failures_by_check"`
	StateSeconds            map[string]float64 `json:"state_seconds"`
	Dispositions            map[string]int     `json:"dispositions"`
}

// CallRef names one call with its quality, for "worst calls" lists.
type CallRef struct {
	CallID    string    `json:"call_id"`
	AgentID   string    `json:"agent_id"`
	Username  string    `json:"username"`
	Number    string    `json:"number"`
	StartedAt time.Time `json:"started_at"`
	MOS       float64   `json:"mos"`
	LossPct   float64   `json:"loss_pct"`
	JitterMs  float64   `json:"jitter_ms"`
	TicketID  string    `json:"ticket_id,omitempty"`
}

// IndicatorsReport answers GET /v1/indicators: the days [From, To] (UTC,
// both included), one row per visible agent and per visible queue.
type IndicatorsReport struct {
	From   string       `json:"from"`
	To     string       `json:"to"`
	Day    string       `json:"day,omitempty"` // set when From == To (compatibility)
	Agents []Indicators `json:"agents"`
	Queues []Indicators `json:"queues"`
}
