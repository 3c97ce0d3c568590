package media

import "errors"

var (
	// ErrCodecUnavailable means the codec is known but not compiled in
	// (Opus needs cgo and libopus).
	ErrCodecUnavailable = errors.New("codec not available in this build")
	// ErrUnknownCodec means the codec name is not one we can send or receive.
	ErrUnknownCodec = errors.New("unknown codec")
	// ErrNoDTMF means no telephone-event payload was negotiated, so RFC 4733
	// digits cannot be sent on this call.
	ErrNoDTMF = errors.New("the other side did not accept RFC 4733 DTMF (telephone-event)")
	// ErrBadDTMFDigit means a digit outside 0-9 * # A-D was asked for.
	ErrBadDTMFDigit = errors.New("invalid DTMF digit (use 0-9, *, #, A-D)")
	// ErrAlreadyStarted means Start was called twice.
	ErrAlreadyStarted = errors.New("media session already started")
	// ErrNotStarted means Update was called before Start.
	ErrNotStarted = errors.New("media session not started")
	// ErrClosed means the session was closed.
	ErrClosed = errors.New("media session closed")
	// ErrNoPorts means no pair of UDP ports (even RTP, RTP+1 RTCP) could be bound.
	ErrNoPorts = errors.New("no free RTP/RTCP port pair")
	// ErrBadWAV means a WAV file is not 16-bit PCM or is damaged.
	ErrBadWAV = errors.New("not a 16-bit PCM WAV file")
)
