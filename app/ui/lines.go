package ui

import (
	"context"
	"time"
)

// Lines is the agent's desk beyond one call: call waiting, the consultation
// call of an attended transfer, the 3-way conference mixed in the agent's
// app, and the supervisor's monitoring sessions. app/core implements it;
// Backend.Lines is nil when the backend has none (the demo), and the GUI
// then hides these controls. Every method may block on the network: call
// it off the Fyne thread (Controller.async).
//
// The Phone methods keep working per call ID on every line: Answer on a
// waiting call first puts the answered calls on hold; Hangup drops one
// line (one leg of a conference: the others stay together); Hold(id, true)
// on a conference leg takes that leg out of the mix, Hold(id, false) brings
// it back in.
//
// What the GUI shows comes from events: LinesChanged after every change
// (the whole desk, so a list widget is rebuilt from it), CallWaiting when
// a second call rings, TransferUpdated while a transfer runs, and
// MonitorChanged for the "your supervisor is listening" banner, which must
// stay visible while a session is Active.
type Lines interface {
	// Lines lists the calls now, in the order they started.
	Lines() []Line
	// Swap makes id the call the agent talks to: every other answered
	// call is put on hold first (a conference as a whole), then id is
	// resumed. Swapping back and forth between a caller on hold and a
	// consultation is Swap on each in turn.
	Swap(ctx context.Context, id string) error
	// Consult puts id on hold and dials target for an attended transfer;
	// the new call's Line has ConsultFor == id. It returns once the
	// consultation call is placed (it rings in the background).
	Consult(ctx context.Context, id, target string) (CallInfo, error)
	// CompleteTransfer hands the caller on hold to the consulted party
	// (REFER with Replaces, RFC 3891 / RFC 5589) and leaves both calls. It
	// returns when the transfer succeeded or failed; on failure both calls
	// are kept (the caller stays on hold) and the error says why.
	CompleteTransfer(ctx context.Context, consultID string) error
	// CancelConsult hangs up the consultation and resumes the call it was
	// for.
	CancelConsult(ctx context.Context, consultID string) error
	// Merge joins answered calls (two or more, or one more into a running
	// conference) into one conference mixed in the agent's app: everybody
	// hears everybody. It resumes the held ones.
	Merge(ctx context.Context, ids ...string) error
}

// LineState is where one call stands on the agent's desk.
type LineState int

// Line states.
const (
	// LineRinging: an incoming call not answered yet. While another call
	// is up this is a waiting call.
	LineRinging LineState = iota
	// LineDialing: an outgoing call not answered yet.
	LineDialing
	// LineActive: answered; the agent talks with this call alone.
	LineActive
	// LineHeld: answered and on hold by the agent.
	LineHeld
	// LineConference: answered and in the local conference.
	LineConference
	// LineTransferring: a transfer of this call is under way.
	LineTransferring
)

// lineStateNames are the stable names of LineState (logs, tests).
var lineStateNames = [...]string{"ringing", "dialing", "active", "held", "conference", "transferring"}

// String is the state's stable name ("held").
func (s LineState) String() string {
	if int(s) < len(lineStateNames) && s >= 0 {
		return lineStateNames[s]
	}
	return "unknown"
}

// Line is one call on the desk.
type Line struct {
	Call  CallInfo
	State LineState
	// RemoteHold: the other side put us on hold.
	RemoteHold bool
	Muted      bool
	// ConsultFor is the ID of the call this consultation may be
	// transferred to (attended transfer); "" for other calls.
	ConsultFor string
}

// LinesChanged: a call was added, changed state or ended. Lines is the
// whole desk after the change.
type LinesChanged struct{ Lines []Line }

// CallWaiting: a call rings while the agent is on another. Phone.Answer
// holds the others and answers it; Phone.Reject declines it (486 Busy Here).
type CallWaiting struct{ Call CallInfo }

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
	// shows while it is.
	Active     bool
	Mode       string // MonitorListen, MonitorWhisper or MonitorBarge
	Supervisor string
	// CallID is the monitored call.
	CallID string
	Since  time.Time
}

// MonitorChanged: a monitoring session started, switched mode or ended.
type MonitorChanged struct{ Session MonitorSession }

func (LinesChanged) isEvent()    {}
func (CallWaiting) isEvent()     {}
func (TransferUpdated) isEvent() {}
func (MonitorChanged) isEvent()  {}
