package ui

import (
	"context"
	"time"
)

// The consumer-defined seams between the GUI and the headless core. The
// lead's adapters (and app/demo) implement them; every method may block, so
// the GUI only calls them off the Fyne thread (see Controller.async).

// Phone is the SIP user agent as the GUI uses it.
type Phone interface {
	Register(ctx context.Context, acc Account) error
	Dial(ctx context.Context, number string) (CallInfo, error)
	Answer(ctx context.Context, callID string) error
	Reject(ctx context.Context, callID string) error
	Hangup(ctx context.Context, callID string) error
	Hold(ctx context.Context, callID string, on bool) error
	Mute(callID string, on bool) error
	SendDTMF(callID string, digits string) error
	Transfer(ctx context.Context, callID, target string) error
}

// ShiftControl is the agent state machine (app/shift), the one source of
// truth for the agent's state: the GUI shows what it reports.
type ShiftControl interface {
	// ClockIn starts the shift; overrideReason is non-empty when the agent
	// starts despite a failed check (only when the report allows it).
	ClockIn(ctx context.Context, report CheckReport, overrideReason string) error
	// SetState is the agent's pick of Available, Not ready or Break with a
	// reason code from Reasons. During a call it sets where the agent goes
	// after the call instead (ShiftStatus.Then).
	SetState(ctx context.Context, state AgentState, reason string) error
	// EndWrapUp closes the wrap-up of a logged call: the agent goes to next
	// when they chose, else back to the state before the call.
	// disposition (a code, "" for none) is counted in the summary.
	EndWrapUp(ctx context.Context, disposition string, next *NextState) error
	ClockOut(ctx context.Context) (ShiftSummary, error)
	// Reasons lists the Not ready and Break reasons IT's policy allows.
	Reasons() []ReasonCode
}

// TicketClient is the ticket backend client (app/tickets). Reads answer
// from the local store (offline-first); writes are queued for the backend.
type TicketClient interface {
	LookupByPhone(ctx context.Context, phone string) ([]Ticket, error)
	// Ticket returns one ticket with its whole thread.
	Ticket(ctx context.Context, id string) (Ticket, error)
	AddNote(ctx context.Context, ticketID, text string) error
	// Queues are the agent's queues, for a new ticket.
	Queues(ctx context.Context) ([]string, error)
	Dispositions(ctx context.Context) ([]Disposition, error)
	// LogCall logs the call and returns the ticket it went to ("" for
	// none): the one chosen, or the one created for it.
	LogCall(ctx context.Context, log CallLog) (ticketID string, err error)
}

// Checker runs the pre-shift check (app/precheck).
type Checker interface {
	// Run runs the whole check. agent is the agent at the check screen:
	// the check shows its progress there, asks them to read a sentence
	// aloud (the microphone's level and its distance from the mouth) and,
	// where nothing else can tell, whether they heard the test sound. nil
	// runs it without the agent, as `homeshore check` does.
	Run(ctx context.Context, agent CheckAgent) (CheckReport, error)
}

// CheckAgent is the agent at the check screen as a running check reaches
// them. Its methods may be called from any goroutine; the GUI routes them
// through its event adapter.
type CheckAgent interface {
	Progress(CheckProgress)
	// ReadAloud shows the sentence and returns nil when the agent starts
	// reading (the check then records for seconds), ErrStepSkipped when
	// they skip it, or ctx's error.
	ReadAloud(ctx context.Context, seconds float64) error
	// HeardSound asks whether the agent heard the test sound in the
	// headset; replay plays it again on the same output.
	HeardSound(ctx context.Context, replay func(context.Context) error) (bool, error)
}

// DeviceLister lists audio devices with their headset verdicts (media).
type DeviceLister interface {
	Devices(ctx context.Context) ([]Device, error)
}

// SecretStore is the OS keyring (service "homeshore").
type SecretStore interface {
	Set(key, value string) error
	Get(key string) (string, error)
}

// Secret keys in the SecretStore.
const (
	SecretSIPPassword  = "sip-password"
	SecretBackendToken = "backend-token"
)

// ConfigStore keeps the account (without secrets) and settings (app/config),
// and reports what IT policy locks.
type ConfigStore interface {
	Load() (Account, Settings, error)
	SaveAccount(Account) error
	SaveSettings(Settings) error
	Locked() Locked
}

// Consulter is attended transfer and the three-way conference (optional:
// nil leaves those controls out). Swapping legs is Hold on one and resume
// on the other; cancelling a consultation is Hangup on it; dropping a leg
// of the conference is Hangup on that leg.
type Consulter interface {
	// Consult holds callID and calls target; the consultation is reported
	// like a dialled call (CallEstablished, CallClosed).
	Consult(ctx context.Context, callID, target string) (CallInfo, error)
	// CompleteTransfer connects the held caller with the consulted party
	// (REFER with Replaces) and leaves both calls.
	CompleteTransfer(ctx context.Context, heldID, consultID string) error
	// Conference joins both calls in a conference mixed by the app.
	Conference(ctx context.Context, heldID, consultID string) error
}

// Ringer plays the ringtone on a device until stop is called (media).
type Ringer interface {
	Ring(device, ringtone string) (stop func())
}

// Notifier shows a desktop notification. The default uses Fyne's.
type Notifier interface {
	Notify(title, body string)
}

// EventSource delivers the core's typed events. The channel closes when the
// source stops.
type EventSource interface {
	Events() <-chan Event
}

// Backend bundles everything the GUI needs from the core.
type Backend struct {
	Phone   Phone
	Shift   ShiftControl
	Tickets TicketClient
	Checker Checker
	Devices DeviceLister
	Secrets SecretStore
	Config  ConfigStore
	Ringer  Ringer
	Events  EventSource
	// Consult is attended transfer and conference; nil hides them.
	Consult Consulter
	// Normalize writes a phone number in the one form used to dial, look
	// up and list calls (E.164 in the policy's region); numbers it cannot
	// read (extensions, SIP addresses) come back as they are. nil: as typed.
	Normalize func(number string) string
	// Messages is the agent's messages with supervisors and help requests
	// (optional; see messages.go).
	Messages MessageClient
	// Codecs the core supports, offered in Settings.
	Codecs []string
	// Clock returns now; nil means time.Now (tests inject a fixed clock).
	Clock func() time.Time
}

// Event is one typed event from the core. The adapter (adapter.go) is the
// only place that turns events into UI updates, always inside fyne.Do.
type Event interface{ isEvent() }

// RegistrationChanged: registered, failed or lost.
type RegistrationChanged struct{ Status RegStatus }

// IncomingCall: a call rings.
type IncomingCall struct{ Call CallInfo }

// CallEstablished: the call was answered (either side).
type CallEstablished struct{ Call CallInfo }

// CallClosed: the call ended. By is "local" or "remote".
type CallClosed struct {
	CallID string
	By     string
	Reason string
}

// QualityUpdated: new live quality figures for a call.
type QualityUpdated struct {
	CallID  string
	Quality Quality
}

// DTMFReceived: a digit arrived from the far end.
type DTMFReceived struct {
	CallID string
	Digit  string
}

// ShiftStateChanged: the state machine moved.
type ShiftStateChanged struct{ Status ShiftStatus }

// DeviceLost: a mid-shift check failed (headset unplugged, Bluetooth...).
// Message says what happened and what to do.
type DeviceLost struct {
	Device  string
	Message Text
}

// SoundDefaultChanged: the computer's default sound devices changed
// during the shift. Calls stay on the checked headset (Headset names it);
// Away says the default output or input is now another device, which
// Output and Input name.
type SoundDefaultChanged struct {
	Output, Input string
	Headset       string
	Away          bool
}

// CheckProgressed: progress of a running pre-shift check.
type CheckProgressed struct{ Progress CheckProgress }

// HeadsetButton: the agent pressed a call button on the USB headset.
type HeadsetButton struct{ Button HeadsetKey }

// HeadsetKey is a headset's call button.
type HeadsetKey int

// Headset call buttons.
const (
	// HeadsetAnswer: the call button (hook switch) while the line is free.
	HeadsetAnswer HeadsetKey = iota + 1
	// HeadsetHangup: the call button during a call.
	HeadsetHangup
	HeadsetMute
	// HeadsetFlash: hold, or swap between two calls.
	HeadsetFlash
	HeadsetReject
	HeadsetRedial
)

func (RegistrationChanged) isEvent() {}
func (IncomingCall) isEvent()        {}
func (CallEstablished) isEvent()     {}
func (CallClosed) isEvent()          {}
func (QualityUpdated) isEvent()      {}
func (DTMFReceived) isEvent()        {}
func (ShiftStateChanged) isEvent()   {}
func (DeviceLost) isEvent()          {}
func (CheckProgressed) isEvent()     {}
func (SoundDefaultChanged) isEvent() {}
func (HeadsetButton) isEvent()       {}
