package sip

import (
	"slices"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// What this user agent implements, in one place. Every request method we
// accept is a row of methods (its handler and the bodies it reads); every
// SIP extension we implement is an option tag in optionTags. From these come
// the Allow, Supported and Accept headers we send, the 405/501 for other
// methods, the 420 for a Require we do not implement and the 415 for a body
// we cannot read. A new feature (Replaces, Join, ...) adds its row or tag
// here together with its handler, and the headers follow.

// optionTags are the extensions (RFC 3261 §19.2) we implement, lower case:
// Replaces (RFC 3891) for attended transfer, Join (RFC 3911) for a
// supervisor's barge (replaces.go, monitor.go). We do not send or honour
// 100rel or timer.
var optionTags = []string{"replaces", "join"}

// knownMethods are methods RFC 3261 and its extensions define: one we do
// not accept gets 405 Method Not Allowed; an unknown one 501.
var knownMethods = []sip.RequestMethod{sip.INVITE, sip.ACK, sip.CANCEL, sip.BYE, sip.REGISTER, sip.OPTIONS,
	sip.SUBSCRIBE, sip.NOTIFY, sip.REFER, sip.INFO, sip.MESSAGE, sip.PRACK, sip.UPDATE, sip.PUBLISH}

// method is one request method we accept.
type method struct {
	name    sip.RequestMethod
	handler func(*sip.Request, sip.ServerTransaction)
	// accept lists the body types the handler reads; a request with
	// another body that must be handled gets 415. Nil: no body is read.
	accept []string
}

const sdpType = "application/sdp"

// anyBody in an accept list takes every body (it is never read).
const anyBody = "*/*"

// methods is the table of request methods we accept.
func (u *UA) methods() []method {
	return []method{
		{sip.INVITE, u.onInvite, []string{sdpType}},
		{sip.ACK, u.onAck, []string{sdpType}},
		{sip.CANCEL, u.onCancel, nil},
		{sip.BYE, u.onBye, []string{anyBody}}, // a hang-up is taken whatever it carries (SIP-I: ISUP REL)
		{sip.OPTIONS, u.onOptions, nil},
		{sip.INFO, u.onInfo, []string{"application/dtmf-relay", "application/dtmf", MonitorInfoType}},
		{sip.REFER, u.onRefer, nil},
		{sip.NOTIFY, u.onNotify, []string{"message/sipfrag", "application/simple-message-summary"}},
	}
}

// routes installs every row of the table on the sipgo server, behind the
// checks RFC 3261 §8.2 asks of a UAS (see screen).
func (u *UA) routes() {
	u.accepted = u.methods()
	for _, m := range u.accepted {
		u.server.OnRequest(m.name, u.guard(m))
	}
	u.server.OnNoRoute(u.guard(method{})) // screen answers 405 or 501
}

// acceptedMethod returns our row for name.
func (u *UA) acceptedMethod(name sip.RequestMethod) (method, bool) {
	i := slices.IndexFunc(u.accepted, func(m method) bool { return m.name == name })
	if i < 0 {
		return method{}, false
	}
	return u.accepted[i], true
}

// allowValue is the Allow header value: the methods we accept.
func (u *UA) allowValue() string {
	names := make([]string, 0, len(u.accepted))
	for _, m := range u.accepted {
		names = append(names, string(m.name))
	}
	return strings.Join(names, ", ")
}

// supportedValue is the Supported header value (possibly empty: we
// implement no extension, RFC 3261 §20.37).
func supportedValue() string { return strings.Join(optionTags, ", ") }

// supports reports whether we implement the extension tag.
func supports(tag string) bool {
	return slices.Contains(optionTags, strings.ToLower(tag))
}

// advertise adds Allow and Supported to a request or response that
// starts or confirms a dialog, or answers OPTIONS (RFC 3261 §13.2.1,
// §11.2).
func (u *UA) advertise(m sip.Message) {
	m.AppendHeader(sip.NewHeader("Allow", u.allowValue()))
	m.AppendHeader(sip.NewHeader("Supported", supportedValue()))
}
