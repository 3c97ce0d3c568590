package ui

import "time"

// The plain data the widgets show. Adapters from the core (sip, media,
// app/shift, app/precheck, app/tickets) convert into these types so that no
// widget ever sees a sipgo or pion value.

// AgentState is the agent's shift state as the GUI shows it.
type AgentState int

// Agent states, in the order app/shift defines them.
const (
	StateOffline AgentState = iota
	StateChecking
	StateAvailable
	StateOnCall
	StateWrapUp
	StateNotReady
	StateBreak
)

// stateKeys names each state's translation key.
var stateKeys = map[AgentState]string{
	StateOffline:   "state.offline",
	StateChecking:  "state.checking",
	StateAvailable: "state.available",
	StateOnCall:    "state.oncall",
	StateWrapUp:    "state.wrapup",
	StateNotReady:  "state.notready",
	StateBreak:     "state.break",
}

// ShiftStatus is the agent's current state and since when.
type ShiftStatus struct {
	State AgentState
	// Reason is the Not ready or Break reason code (empty otherwise).
	Reason     string
	Since      time.Time
	ShiftStart time.Time
	// Then is where the agent goes after the call and its wrap-up (set
	// while On call or in Wrap-up).
	Then *NextState
}

// NextState is a state with its reason code.
type NextState struct {
	State  AgentState
	Reason string
}

// ReasonCode is one Not ready or Break reason from IT's policy. Built-in
// codes are labelled by the catalogue (reason.<code>); Labels, by
// language, win.
type ReasonCode struct {
	Code   string
	State  AgentState
	Labels map[string]string
}

// RegState is the SIP registration state.
type RegState int

// Registration states.
const (
	RegNone RegState = iota
	RegRegistering
	RegRegistered
	RegFailed
	// RegReconnecting: the line dropped and the phone registers again by
	// itself (server restarted, network changed); calls cannot reach the agent.
	RegReconnecting
)

// RegStatus is what the registration indicator shows.
type RegStatus struct {
	State  RegState
	Server string
	// Detail is the one-line reason when State is RegFailed or
	// RegReconnecting, e.g. "403 Forbidden".
	Detail string
	// Since is when the line went down (RegReconnecting, RegFailed): the
	// GUI counts the time unreachable from it.
	Since time.Time
}

// ReconnectingError is what Phone.Register returns when the line is not up
// yet but the phone keeps trying by itself (the server or the network is
// not reachable yet): the line shows Reconnecting, not a failure, and a
// RegistrationChanged follows once it is up. Err says why; Since is when
// the line went down (zero: now).
type ReconnectingError struct {
	Err   error
	Since time.Time
}

func (e *ReconnectingError) Error() string { return e.Err.Error() }

func (e *ReconnectingError) Unwrap() error { return e.Err }

// Direction of a call.
type Direction int

// Call directions.
const (
	Inbound Direction = iota
	Outbound
)

// CallInfo describes one call.
type CallInfo struct {
	ID        string
	Direction Direction
	// Remote is the other party's number or URI user part.
	Remote   string
	Display  string
	Started  time.Time
	Answered time.Time
}

// Quality is the live call quality (media.Stats, flattened).
type Quality struct {
	Codec       string
	LossPercent float64
	JitterMs    float64
	RTTMs       float64
	MOS         float64
}

// Degraded reports whether the quality is bad enough to warn the agent.
func (q Quality) Degraded() bool {
	return q.MOS > 0 && q.MOS < mosWarn || q.LossPercent > lossWarnPercent
}

const (
	mosWarn         = 3.6
	lossWarnPercent = 3.0
)

// RecentCall is one line of the recent calls list.
type RecentCall struct {
	Direction Direction
	// Remote is the number as Backend.Normalize writes it.
	Remote   string
	Name     string
	At       time.Time
	Duration time.Duration
	Missed   bool
	// Rejected: the agent declined it.
	Rejected    bool
	Disposition string
	// TransferredTo is where the call was transferred ("" if it was not).
	TransferredTo string
}

// Verdict is a check's outcome.
type Verdict int

// Check verdicts.
const (
	VerdictPass Verdict = iota
	VerdictWarn
	VerdictFail
	// VerdictSkipped: the check did not run; it proves nothing either way.
	VerdictSkipped
)

// CheckResult is one pre-shift check's result.
type CheckResult struct {
	Name string
	// Check is the check's stable name ("headset", "room"…), which the
	// GUI names in the agent's language; empty: Name is shown.
	Check   string
	Verdict Verdict
	// Figures are the measured values in plain words, e.g. "noise 52 dBA, limit 45".
	Figures Text
	// Fix says what to do, e.g. "Close the door".
	Fix Text
}

// Text is a message from the core: Key (a key of assets/i18n) filled with
// Args, shown in the agent's language; Plain when there is no Key or the
// catalogue lacks it.
type Text struct {
	Plain string
	Key   string
	Args  []any
}

// Plain is a Text with no catalogue form.
func Plain(s string) Text { return Text{Plain: s} }

// Empty tells whether there is nothing to show.
func (t Text) Empty() bool { return t.Plain == "" && t.Key == "" }

// CheckReport is the whole pre-shift check.
type CheckReport struct {
	Results []CheckResult
	// CanStart is the policy's decision: every mandatory check passed.
	CanStart bool
	// OverrideAllowed lets the agent start anyway with a logged reason.
	OverrideAllowed bool
}

// CheckProgress is reported while the check runs.
type CheckProgress struct {
	Step, Steps int
	Current     Text
	// MicLevel is the live microphone level, 0..1.
	MicLevel float64
	// QuietLeft is the quiet-room countdown; zero outside that step.
	QuietLeft time.Duration
	// Reading: the agent's read sentence is being recorded; ReadLeft is
	// the recording's countdown and Voice how the voice comes through.
	Reading  bool
	ReadLeft time.Duration
	Voice    VoiceHint
}

// VoiceHint is live advice while the agent reads the sentence aloud.
type VoiceHint int

// Voice hints, from the live level of the recording.
const (
	// VoiceUnknown: too early to tell.
	VoiceUnknown VoiceHint = iota
	VoiceGood
	// VoiceQuiet: even the loudest moments are below the speech limit.
	VoiceQuiet
	// VoiceSilent: the microphone sends digital silence (muted).
	VoiceSilent
	// VoiceLoud: the voice clips.
	VoiceLoud
)

// Ticket is one ticket shown in the screen-pop.
type Ticket struct {
	ID       string
	Subject  string
	Status   string
	Customer string
	Queue    string
	Updated  time.Time
	// UpdatedBy is who last wrote on it (field edit or note).
	UpdatedBy string
	// Notes is the thread, oldest first; LookupByPhone may give only the last.
	Notes []Note
}

// Note is one entry of a ticket's thread.
type Note struct {
	Author string
	Body   string
	At     time.Time
	// Pending: written here, not yet on the server.
	Pending bool
}

// Disposition is one wrap-up outcome from the backend's list.
type Disposition struct {
	Code  string
	Label string
}

// Disposition codes the app sets itself.
const (
	DispositionTransferred = "transferred"
	DispositionMissed      = "missed"
	DispositionRejected    = "rejected"
	DispositionNone        = "no_disposition"
)

// CallLog is what wrap-up sends to the ticket client.
type CallLog struct {
	CallID    string
	Remote    string
	Direction Direction
	// Start is when the call began (ringing or dialling); Answered is zero
	// for a call nobody answered; End is when it ended.
	Start, Answered, End time.Time
	Disposition          string
	Note                 string
	// TicketID links an existing ticket; empty with CreateTicket makes one
	// for CustomerName in Queue.
	TicketID     string
	CreateTicket bool
	CustomerName string
	Queue        string
	Subject      string
	Quality      Quality
	// TransferredTo is where the call was transferred ("" if it was not).
	TransferredTo string
}

// ShiftSummary is shown at clock-out.
type ShiftSummary struct {
	Start, End time.Time
	// Calls are the answered calls, in and out, from any state.
	Calls int
	Talk  time.Duration
	// Missed rang unanswered; Rejected were declined.
	Missed, Rejected int
	// AverageHandle is talk plus wrap-up per answered call.
	AverageHandle time.Duration
	// Dispositions counts wrap-up outcomes by code.
	Dispositions map[string]int
	InState      map[AgentState]time.Duration
}

// DeviceKind tells inputs from outputs.
type DeviceKind int

// Device kinds.
const (
	DeviceInput DeviceKind = iota
	DeviceOutput
)

// Device is one audio device with the headset verdict.
type Device struct {
	ID      string
	Name    string
	Kind    DeviceKind
	Verdict Verdict
	// Note explains the verdict, e.g. "Bluetooth headsets are not allowed".
	Note Text
}

// Account is the agent's SIP and backend account. Password and Token only
// pass through on their way to the SecretStore; they are never saved here.
type Account struct {
	Server     string
	User       string
	AuthUser   string
	Password   string
	Transport  string
	BackendURL string
	AgentLogin string
	Token      string
}

// Settings are the agent's own preferences.
type Settings struct {
	InputDevice  string
	OutputDevice string
	RingDevice   string
	Codecs       []string
	Ringtone     string
	// Language is "" to follow the OS, else "en" or "fr".
	Language string
	// Theme is "", "light" or "dark".
	Theme         string
	WrapUpSeconds int
	// SRTP is call encryption: "off" (or ""), "optional" or "mandatory".
	SRTP string
	// Processing of the agent's outgoing audio: "on", "off" or "auto"
	// (echo cancellation off once the check proved a headset).
	NoiseSuppression, AGC, EchoCancel string
}

// Locked lists the settings IT policy fixes, keyed by setting name
// (the field names below), with the value policy imposes.
type Locked map[string]string

// Setting names used as keys of Locked.
const (
	SettingServer     = "server"
	SettingTransport  = "transport"
	SettingBackendURL = "backend_url"
	SettingCodecs     = "codecs"
	SettingSRTP       = "srtp"
	// Outgoing audio processing (values "on", "off", "auto").
	SettingNoiseSuppression = "noise_suppression"
	SettingAGC              = "agc"
	SettingEchoCancel       = "echo_cancel"
	SettingLanguage         = "language"
	SettingRingDevice       = "ring_device"
)
