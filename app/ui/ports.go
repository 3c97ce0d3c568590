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

// ShiftControl is the agent state machine (app/shift).
type ShiftControl interface {
	// ClockIn starts the shift; overrideReason is non-empty when the agent
	// starts despite a failed check (only when the report allows it).
	ClockIn(ctx context.Context, report CheckReport, overrideReason string) error
	SetState(ctx context.Context, state AgentState, reason string) error
	ClockOut(ctx context.Context) (ShiftSummary, error)
	NotReadyReasons() []ReasonCode
}

// TicketClient is the ticket backend client (app/tickets).
type TicketClient interface {
	LookupByPhone(ctx context.Context, phone string) ([]Ticket, error)
	Dispositions(ctx context.Context) ([]Disposition, error)
	LogCall(ctx context.Context, log CallLog) error
}

// Checker runs the pre-shift check (app/precheck). progress may be called
// from any goroutine; the GUI routes it through its event adapter.
type Checker interface {
	Run(ctx context.Context, progress func(CheckProgress)) (CheckReport, error)
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

// CheckProgressed: progress of a running pre-shift check.
type CheckProgressed struct{ Progress CheckProgress }

func (RegistrationChanged) isEvent() {}
func (IncomingCall) isEvent()        {}
func (CallEstablished) isEvent()     {}
func (CallClosed) isEvent()          {}
func (QualityUpdated) isEvent()      {}
func (DTMFReceived) isEvent()        {}
func (ShiftStateChanged) isEvent()   {}
func (DeviceLost) isEvent()          {}
func (CheckProgressed) isEvent()     {}
