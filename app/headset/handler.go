package headset

// Button is what the agent pressed on the headset.
type Button int

// Presses.
const (
	// Answer: the hook switch went off-hook (the call button, or lifting
	// the handset) while the app had the line on-hook.
	Answer Button = iota + 1
	// Hangup: back on-hook while the app had the line off-hook, or Drop.
	Hangup
	// Mute: the microphone button.
	Mute
	// Flash: hold / swap.
	Flash
	// Reject: a decline key (Jabra sends button 7).
	Reject
	// Redial.
	Redial
)

var buttonNames = map[Button]string{Answer: "answer", Hangup: "hangup", Mute: "mute", Flash: "flash", Reject: "reject", Redial: "redial"}

func (b Button) String() string { return buttonNames[b] }

// CallState is what the app tells the headset; it lights the LEDs from it.
type CallState struct {
	Ringing, OffHook, Muted, Held bool
}

// Handler turns a headset's input reports into presses and the app's call
// state into output reports. Headsets echo the host's off-hook state on
// their hook switch (the answer a person gives on screen comes back as a
// hook change): a hook switch that agrees with the state the app set is an
// echo, not a press.
type Handler struct {
	t     Layout
	last  map[Usage]int32
	state CallState
}

// Layout is where a headset's controls and LEDs sit in its reports: a
// parsed descriptor (Telephony, Linux) or the Windows HID API's caps.
type Layout interface {
	// Decode reads one input report: each call control it carries and its
	// value; ok is false for a report of another collection.
	Decode(report []byte) (values map[Usage]int32, ok bool)
	// Encode writes the LEDs on (others off) into output reports.
	Encode(on map[Usage]bool) [][]byte
	// Relative reports whether u is a push button (a report per press)
	// rather than a state.
	Relative(u Usage) bool
}

// NewHandler handles reports for the headset laid out as t.
func NewHandler(t Layout) *Handler { return &Handler{t: t, last: map[Usage]int32{}} }

// Report reads one input report and returns the presses it means.
func (h *Handler) Report(report []byte) []Button {
	values, ok := h.t.Decode(report)
	if !ok {
		return nil
	}
	var out []Button
	pressed := func(u Usage) bool { return values[u] != 0 && h.last[u] == 0 }
	if v, in := values[UsageHookSwitch]; in && v != h.last[UsageHookSwitch] {
		switch {
		case h.t.Relative(UsageHookSwitch):
			if v != 0 { // a toggle button: each press flips the line
				out = append(out, map[bool]Button{true: Hangup, false: Answer}[h.state.OffHook])
			}
		case v != 0 && !h.state.OffHook:
			out = append(out, Answer)
		case v == 0 && h.state.OffHook:
			out = append(out, Hangup)
		}
	}
	if v, in := values[UsagePhoneMute]; in && v != h.last[UsagePhoneMute] {
		if h.t.Relative(UsagePhoneMute) {
			if v != 0 {
				out = append(out, Mute)
			}
		} else if (v != 0) != h.state.Muted {
			out = append(out, Mute)
		}
	}
	for u, b := range map[Usage]Button{UsageFlash: Flash, UsageRedial: Redial, UsageButtonSeven: Reject, UsageDrop: Hangup} {
		if _, in := values[u]; in && pressed(u) {
			out = append(out, b)
		}
	}
	for u, v := range values {
		h.last[u] = v
	}
	return out
}

// SetState records the app's call state and returns the output reports
// that light the LEDs to match it.
func (h *Handler) SetState(s CallState) [][]byte {
	h.state = s
	on := map[Usage]bool{
		UsageLEDOffHook: s.OffHook,
		UsageLEDRing:    s.Ringing,
		UsageRinger:     s.Ringing,
		UsageLEDMute:    s.Muted,
		UsageLEDHold:    s.Held,
	}
	return h.t.Encode(on)
}
