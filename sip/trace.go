package sip

import (
	"log/slog"
	"regexp"

	"github.com/emiago/sipgo/sip"
)

// authHeader matches credentials lines; the digest response is as good as
// a password for replay, so the whole value goes. A monitoring grant is a
// bearer token: it goes too.
var authHeader = regexp.MustCompile(`(?im)^((?:proxy-)?authorization|x-homeshore-grant)[ \t]*:.*$`)

// sdesKey matches the SRTP master key of an SDP a=crypto line (RFC 4568).
var sdesKey = regexp.MustCompile(`(?i)(a=crypto:\S+ \S+ inline:)[^\s|]+`)

// Redact removes credentials from a SIP message for logs: Authorization
// and Proxy-Authorization headers, monitoring grants and the SRTP keys in
// an SDP body.
func Redact(msg []byte) []byte {
	msg = authHeader.ReplaceAll(msg, []byte("$1: [redacted]"))
	return sdesKey.ReplaceAll(msg, []byte("${1}[redacted]"))
}

// EnableTrace logs every SIP message sent and received, credentials
// redacted. sipgo's tracer is process-wide, so this is too: call it once
// from main, never from a library.
func EnableTrace(log *slog.Logger) {
	sip.SIPDebug = true
	sip.SIPDebugTracer(tracer{log})
}

type tracer struct{ log *slog.Logger }

func (t tracer) SIPTraceRead(transport, laddr, raddr string, msg []byte) {
	t.log.Info("SIP received", "transport", transport, "local", laddr, "remote", raddr, "message", string(Redact(msg)))
}

func (t tracer) SIPTraceWrite(transport, laddr, raddr string, msg []byte) {
	t.log.Info("SIP sent", "transport", transport, "local", laddr, "remote", raddr, "message", string(Redact(msg)))
}

// SetLibraryLogger sends sipgo's own logs (transaction and transport
// warnings) to l. Like EnableTrace it is process-wide: call it from main.
func SetLibraryLogger(l *slog.Logger) {
	sip.SetDefaultLogger(l)
}
