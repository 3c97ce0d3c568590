package ui

import "time"

// Events of the multi-call desk (app/core, consult.go and monitor.go there)
// beyond those of one call. Call waiting is a second IncomingCall while a
// call is up; a call whose party was replaced (the agent is the target of
// an attended transfer) keeps its ID and gets CallEstablished again with
// the new party.

// TransferState is where a transfer stands.
type TransferState int

// Transfer states.
const (
	// TransferTrying: the transfer request went out; the target is being reached.
	TransferTrying TransferState = iota
	// TransferRinging: the target rings.
	TransferRinging
	// TransferDone: the caller is connected with the target; the calls left the desk.
	TransferDone
	// TransferFailed: the transfer did not happen; the calls are kept.
	TransferFailed
)

// TransferUpdated: progress of a transfer of CallID (attended or blind).
// Code and Reason are the target's SIP answer when known (e.g. 486 Busy Here).
type TransferUpdated struct {
	CallID string
	State  TransferState
	Code   int
	Reason string
}

// Monitoring modes a supervisor may use.
const (
	// MonitorListen: the supervisor hears the customer and the agent; nobody hears the supervisor.
	MonitorListen = "listen"
	// MonitorWhisper: the agent also hears the supervisor; the customer does not.
	MonitorWhisper = "whisper"
	// MonitorBarge: a 3-way call; everybody hears everybody.
	MonitorBarge = "barge"
)

// MonitorSession is a supervisor's listening session on the agent's call.
type MonitorSession struct {
	ID string
	// Active is true from the start of the session to its end; the banner
	// ("Your supervisor is listening") shows while it is.
	Active     bool
	Mode       string // MonitorListen, MonitorWhisper or MonitorBarge
	Supervisor string
	// CallID is the monitored call.
	CallID string
	Since  time.Time
}

// MonitorChanged: a monitoring session started, switched mode or ended.
// The agent must always be told: the GUI shows a banner while Active.
type MonitorChanged struct{ Session MonitorSession }

func (TransferUpdated) isEvent() {}
func (MonitorChanged) isEvent()  {}
