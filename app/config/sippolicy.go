package config

import "slices"

// EnforceSIP returns the account as IT's policy lets it run: the server,
// transport, codecs and SRTP mode IT set replace the agent's, and the
// policy's outbound proxy, when it names one, replaces the agent's. The
// registration timing is RegistrationTiming's. The GUI (app/core) and the
// headless commands (app/cli) both run the account through it, so they
// register and call alike on a managed computer.
func (p *Policy) EnforceSIP(a SIPAccount) SIPAccount {
	if p.Locked("sip.server") {
		a.Server = p.SIP.Server
	}
	if p.Locked("sip.transport") {
		a.Transport = p.SIP.Transport
	}
	if p.SIP.OutboundProxy != "" {
		a.OutboundProxy = p.SIP.OutboundProxy
	}
	if p.Locked("sip.codecs") {
		a.Codecs = slices.Clone(p.SIP.Codecs)
	}
	if p.Locked("sip.srtp") {
		a.SRTP = p.SIP.SRTP
	}
	return a
}
