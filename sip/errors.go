package sip

import (
	"errors"
	"fmt"
	"time"
)

// Sentinels callers branch on.
var (
	// ErrNoCommonCodec means the offer and our codec list share no audio codec.
	ErrNoCommonCodec = errors.New("no common codec")
	// ErrAuthFailed means the registrar or proxy refused our credentials.
	ErrAuthFailed = errors.New("authentication failed")
	// ErrTimeout means the far end never answered a request.
	ErrTimeout = errors.New("no answer from the SIP server")
	// ErrCallEnded is returned by operations on a call that is over.
	ErrCallEnded = errors.New("call has ended")
	// ErrNoDTMF means the far end did not negotiate telephone-event.
	ErrNoDTMF = errors.New("the other side does not accept DTMF (no telephone-event)")
	// ErrNoPassword means the account needs a password and none was found.
	ErrNoPassword = errors.New("no SIP password: store it in the keyring or set HOMESHORE_SIP_PASSWORD")
	// ErrCallCancelled means a call was given up before it was answered, by
	// either side: the caller sent CANCEL while we rang, or the agent hung
	// up an outgoing call that was still ringing.
	ErrCallCancelled = errors.New("call cancelled before answer")
	// ErrClosed is returned by a UA that Close has shut down.
	ErrClosed = errors.New("the SIP user agent is closed")
	// ErrNoNetwork means the SIP server cannot be reached from this computer
	// yet: its name does not resolve or no route leads to it (network or VPN
	// not up). Waiting for the network fixes it (see WaitNetwork).
	ErrNoNetwork = errors.New("no network path to the SIP server")
)

// RetryingError is what Register returns when the first REGISTER failed
// in a way that may pass by itself (no answer, connection refused, no
// route, a DNS failure, 5xx, 408, 480, a 403 before any password was
// asked for...): the UA keeps registering in the background (Reconnecting
// now, Registered once the server takes it). Err is why it failed.
type RetryingError struct {
	Err error
	// Retry is when the next REGISTER goes out, on the UA's clock.
	Retry time.Time
}

func (e *RetryingError) Error() string { return e.Err.Error() }

func (e *RetryingError) Unwrap() error { return e.Err }

// errHungUpEarly is the cause when the agent hangs up an unanswered
// outgoing call.
var errHungUpEarly = fmt.Errorf("%w: hung up before the callee answered", ErrCallCancelled)

// StatusError is a SIP final response that ended a request, so the UI can
// say "Busy (486)".
type StatusError struct {
	Code   int
	Reason string
	// Detail says what the code means for this request, e.g. the codecs of both sides.
	Detail string
	// RetryAfter is the response's Retry-After (503, 500, 480...), zero
	// when it gave none.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%d %s: %s", e.Code, e.Reason, e.Detail)
	}
	return fmt.Sprintf("%d %s", e.Code, e.Reason)
}

// IsStatus reports whether err carries SIP status code code.
func IsStatus(err error, code int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == code
}

// CodecMismatchError says which codecs each side had when none matched.
type CodecMismatchError struct {
	Ours, Theirs []string
}

func (e *CodecMismatchError) Error() string {
	return fmt.Sprintf("no common codec: we offer %v, they offer %v", e.Ours, e.Theirs)
}

func (e *CodecMismatchError) Unwrap() error { return ErrNoCommonCodec }
