// Package guitest holds the end-to-end run of the agent window on the real
// core: Xvfb, Kamailio, baresip, PulseAudio and the ticket server. It has
// no code of its own outside its tests.
package guitest
