package sip

import "time"

// Event is something the UA tells its owner: registration changes and
// incoming calls. The GUI turns these into widget updates.
type Event interface{ uaEvent() }

// Registered says the registrar accepted us until Expires from now.
type Registered struct {
	AOR     string
	Expires time.Duration
	// At is when the registrar accepted us.
	At time.Time
	// Unreachable is how long we had been unreachable (Reconnecting or
	// RegistrationFailed) before this registration; zero for the first
	// registration and for refreshes.
	Unreachable time.Duration
}

// Reconnecting says we are not reachable for calls and are registering
// again by ourselves: the registrar lost our binding, stopped answering
// or refused us for now, the connection dropped, the network changed, or
// the very first REGISTER failed (server or network not up yet). Since is
// when we noticed (unchanged while the outage lasts); Err says why. It is
// sent once per outage, not for each failed retry.
type Reconnecting struct {
	Since time.Time
	Err   error
	// Retry is when the next REGISTER goes out (UA clock); zero: at once.
	Retry time.Time
}

// RegistrationFailed says the registrar refused our credentials, or we
// have none to give: nothing is retried until the account is fixed and
// Register is called again. Since is when the outage began.
type RegistrationFailed struct {
	Err   error
	Since time.Time
}

// Unregistered says we removed our registration.
type Unregistered struct{}

// IncomingCall is a new call ringing at us; answer or reject it.
type IncomingCall struct{ Call *Call }

// CallRefused: we refused an incoming call ourselves before it rang
// (no common codec, unusable SDP); Err is a *StatusError.
type CallRefused struct {
	From string
	Err  error
}

func (Registered) uaEvent()         {}
func (Reconnecting) uaEvent()       {}
func (CallRefused) uaEvent()        {}
func (RegistrationFailed) uaEvent() {}
func (Unregistered) uaEvent()       {}
func (IncomingCall) uaEvent()       {}

// CallEvent is something that happened to one call.
type CallEvent interface{ callEvent() }

// Ringing: the far end is alerting (180/183 without media).
type Ringing struct{}

// EarlyMedia: the far end sends audio before answering (183 with SDP).
type EarlyMedia struct{ Codec string }

// Established: the call is answered and media flows.
type Established struct{ Codec string }

// HoldChanged: either side put the call on hold or resumed it.
type HoldChanged struct{ Local, Remote bool }

// DTMFReceived: the far end pressed a key (RFC 4733 or SIP INFO).
type DTMFReceived struct{ Digit rune }

// TransferProgress: the transfer target's progress, from NOTIFY sipfrag.
type TransferProgress struct {
	Code   int
	Reason string
}

// Ended: the call is over; Info says who ended it and why.
type Ended struct{ Info EndInfo }

func (Ringing) callEvent()          {}
func (EarlyMedia) callEvent()       {}
func (Established) callEvent()      {}
func (HoldChanged) callEvent()      {}
func (DTMFReceived) callEvent()     {}
func (TransferProgress) callEvent() {}
func (Ended) callEvent()            {}

// Who ended a call.
const (
	EndedByLocal  = "local"
	EndedByRemote = "remote"
)

// EndInfo describes how a call ended.
type EndInfo struct {
	By string // EndedByLocal or EndedByRemote
	// Err is nil for a normal end (BYE either way); otherwise why setup failed.
	Err error
	// Answered is true when the call got to talking.
	Answered bool
	// Transferred is true when we left the call after a blind transfer.
	Transferred bool
}

// Transferred: the far end transferred us (REFER) and To is the new call
// that carries on; this one ends.
type Transferred struct{ To *Call }

func (Transferred) callEvent() {}
