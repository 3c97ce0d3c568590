// Package shift owns the agent's working state during a shift: the state
// machine (Offline, Checking, Available, On call, Wrap-up, Not ready, Break),
// clock-in/out gated by the pre-shift check, and typed events for subscribers.
package shift

import (
	"encoding/json"
	"fmt"
	"time"
)

// State is the agent's working state.
type State int

// Agent states. Offline is the zero value: no shift open.
const (
	Offline State = iota
	Checking
	Available
	OnCall
	WrapUp
	NotReady
	Break
)

var stateNames = [...]string{"offline", "checking", "available", "on_call", "wrap_up", "not_ready", "break"}

// String returns the stable, machine-readable name (used in JSON and logs).
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("state(%d)", int(s))
	}
	return stateNames[s]
}

// MarshalText makes State appear by name in JSON (also as a map key).
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a name written by MarshalText.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("unknown agent state %q", b)
}

// ReasonCode classifies why an agent is Not ready or on Break. Besides the
// codes below, IT's policy names its own (training, lunch…).
type ReasonCode string

// Reason codes. Device codes require a new check before Available.
const (
	ReasonNone            ReasonCode = ""
	ReasonManual          ReasonCode = "manual"           // the agent chose Not ready without a reason
	ReasonHeadsetMissing  ReasonCode = "headset_missing"  // pinned headset unplugged/removed
	ReasonDeviceChanged   ReasonCode = "device_changed"   // default device switched to Bluetooth/speakers
	ReasonCheckFailed     ReasonCode = "check_failed"     // a mid-shift re-check failed
	ReasonNetworkDegraded ReasonCode = "network_degraded" // reserved for network watchers
	ReasonMissedCall      ReasonCode = "missed_call"      // an offered call rang out (Options.MissedCallNotReady)
)

// needsRecheck reports whether leaving Not ready requires a passing check.
func (c ReasonCode) needsRecheck() bool {
	switch c {
	case ReasonHeadsetMissing, ReasonDeviceChanged, ReasonCheckFailed:
		return true
	}
	return false
}

// NeedsRecheck reports whether only a passing check ends this reason.
func (c ReasonCode) NeedsRecheck() bool { return c.needsRecheck() }

// Reason is a code plus a sentence for the agent ("Headset unplugged: plug it back in and run the check").
type Reason struct {
	Code    ReasonCode `json:"code"`
	Message string     `json:"message,omitempty"`
	// Key and Args are Message in catalogue form (assets/i18n), for the GUI.
	Key  string `json:"-"`
	Args []any  `json:"-"`
}

// Next is a state with its reason: where the agent goes after a call.
type Next struct {
	State  State  `json:"state"`
	Reason Reason `json:"reason"`
}

// Clock is the time source; tests inject a fake.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// CheckReport is what shift needs from a pre-shift check report
// (app/precheck.Report implements it). It must marshal to JSON: it is kept
// with the clock-in event for the ticket backend.
type CheckReport interface {
	Passed() bool
	FailedChecks() []string
}

// Override lets an agent start despite a failed check, when IT allows it.
type Override struct {
	Reason string `json:"reason"`
}

// Summary is the shift record shown and sent at clock-out.
type Summary struct {
	ClockIn  time.Time `json:"clock_in"`
	ClockOut time.Time `json:"clock_out"`
	// Calls counts answered calls, in and out, whatever the state they
	// started in; TalkTime is their summed talk time.
	Calls    int           `json:"calls"`
	TalkTime time.Duration `json:"talk_time_ns"`
	// Missed: inbound calls that rang and ended unanswered; Rejected: the
	// agent declined them.
	Missed   int `json:"missed"`
	Rejected int `json:"rejected"`
	// Dispositions counts wrap-up outcomes by code.
	Dispositions map[string]int          `json:"dispositions,omitempty"`
	TimeIn       map[State]time.Duration `json:"time_in_state_ns"`
	Overridden   bool                    `json:"overridden"`
}

// AverageHandle is talk plus wrap-up time per answered call (AHT).
func (s Summary) AverageHandle() time.Duration {
	if s.Calls == 0 {
		return 0
	}
	return (s.TalkTime + s.TimeIn[WrapUp]) / time.Duration(s.Calls)
}

// marshalReport keeps the report as JSON for the clock-in event.
func marshalReport(r CheckReport) json.RawMessage {
	if r == nil {
		return nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil
	}
	return b
}
