package sip

import (
	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// DialOption changes the INVITE Dial sends.
type DialOption func(*dialOptions)

type dialOptions struct {
	headers   []sip.Header
	direction media.Direction
}

// WithHeader adds a header to the INVITE (e.g. X-Homeshore-Grant).
func WithHeader(name, value string) DialOption {
	return func(o *dialOptions) { o.headers = append(o.headers, sip.NewHeader(name, value)) }
}

// WithOfferDirection offers media in direction d instead of sendrecv
// (recvonly: we only listen).
func WithOfferDirection(d media.Direction) DialOption {
	return func(o *dialOptions) { o.direction = d }
}

// withReplaces adds the Replaces header a REFER asked for ("" adds none).
func withReplaces(value string) DialOption {
	return func(o *dialOptions) {
		if value != "" {
			o.headers = append(o.headers, sip.NewHeader("Replaces", value))
		}
	}
}

// applyDialOptions records the options on the call and returns the extra
// headers for the INVITE.
func (c *Call) applyDialOptions(opts []DialOption) []sip.Header {
	var o dialOptions
	for _, opt := range opts {
		opt(&o)
	}
	c.ext.offerDir = o.direction
	return o.headers
}
