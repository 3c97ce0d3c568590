package sip

import "github.com/emiago/sipgo/sip"

// maxUDPMessage is the largest SIP message we send over UDP: the largest
// UDP payload over IPv4. IP fragments anything above the path MTU.
const maxUDPMessage = 65507

// sipgo v1.7.2 refuses to write any UDP message longer than UDPMTUSize-200
// (1300 bytes) and fails the transaction with ErrUDPMTUCongestion. A 180
// or 200 copies every Via and Record-Route of the INVITE (a call through a
// few proxies, or RFC 4475's longreq), and our INVITE grows past 1300 bytes
// with a display name, a domain and SRTP keys; those calls failed outright.
// RFC 3261 §18.1.1 would move requests over 1300 bytes to TCP, but the
// account's server may only listen on UDP (most PBXs here do), so we send
// them over UDP as other phones do and let IP fragment them. UDPMTUSize
// is the library's process-wide knob; it is set once, before any UA runs.
func init() {
	sip.UDPMTUSize = maxUDPMessage + 200
}
