package sip

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// sdpBody is the session description a message carries, or nil when it
// carries none. It is the body itself for application/sdp, or the SDP part
// of a multipart body: PSTN gateways (SIP-I/SIP-T) send SDP and ISUP
// together in multipart/mixed, and RFC 4475 §3.1.1.11 has multipart/signed.
func sdpBody(m sip.Message) ([]byte, error) {
	body := m.Body()
	if len(body) == 0 {
		return nil, nil
	}
	cts := m.GetHeaders("Content-Type")
	if len(cts) == 0 {
		return body, nil // screen refuses a request like this; a response is read as SDP
	}
	ct := cts[0]
	media, params, err := mime.ParseMediaType(ct.Value())
	if err != nil {
		return nil, fmt.Errorf("%w: Content-Type %q: %w", ErrBadSDP, ct.Value(), err)
	}
	switch {
	case media == sdpType:
		return body, nil
	case strings.HasPrefix(media, "multipart/"):
		return sdpPart(body, params["boundary"])
	}
	return nil, fmt.Errorf("%w: a %s body, not SDP", ErrBadSDP, media)
}

// sdpPart returns the first application/sdp part of a multipart body
// (nested multiparts included), or nil when there is none.
func sdpPart(body []byte, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, fmt.Errorf("%w: a multipart body without boundary", ErrBadSDP)
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: multipart body: %w", ErrBadSDP, err)
		}
		media, params, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			continue
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("%w: multipart body: %w", ErrBadSDP, err)
		}
		switch {
		case media == sdpType:
			return data, nil
		case strings.HasPrefix(media, "multipart/"):
			if sdp, err := sdpPart(data, params["boundary"]); err != nil || sdp != nil {
				return sdp, err
			}
		}
	}
}

// hasSDP reports whether a request's body holds a session description
// (for the 415 check: a multipart body without one is not ours to read).
func hasSDP(req *sip.Request) bool {
	sdp, err := sdpBody(req)
	return err == nil && sdp != nil
}
