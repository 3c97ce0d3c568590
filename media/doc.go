// Package media is the audio path of a call: codecs, RTP, jitter buffer
// and quality figures. It knows nothing of SIP or the GUI, and links no
// audio-device library: devices are opened by media/audiodev as Sources
// and Sinks.
//
// Everything exchanges 48 kHz mono int16 frames of FrameSamples (20 ms).
// A call's audio is one Session:
//
//	Source (WAV, device, Silence) -> encoder (Opus / G.711 + 48k->8k FIR)
//	  -> RTP packetizer -> UDP (symmetric: we send from the port we receive on)
//	UDP -> source latch (latch.go) / payload-type check -> adaptive jitter buffer
//	  -> decoder (Opus FEC, PLC) -> Sink (WAV, device)
//
// Pacing: a Source that is not real time (a WAV file) is read on the
// Session's 20 ms Clock; a device Source (RealTime) pushes each frame as it
// is captured. Playout into a plain Sink runs on the Clock; a device Sink
// pulls, blocking in Write. The Session closes neither; SetSource and
// SetSink swap them mid-call (a headset change) and return once the old one
// is released, so the caller can close it.
//
// For SDP: LocalAddr returns the address given to NewSession, so a Session
// bound to 0.0.0.0 needs the host's real address in c=. RTCP is on RTP+1
// (no rtcp-mux). RFC 4733 durations are counted in the telephone-event
// clock: negotiate telephone-event at the audio codec's rate
// (TelephoneEventFor). SourceDone fires when the source returns io.EOF,
// right after its last frame was sent; the peer plays that frame a jitter
// buffer later (< 250 ms), so wait that long before hanging up.
//
// Loss and delay (adapt.go, jitter.go, red.go, conceal.go): the peer's
// RTCP receiver reports (and RFC 3611 XR loss runs from a Homeshore peer)
// set the Opus FEC strength and bitrate, and switch on time-diverse
// redundancy against bursty loss: RFC 2198 RED when negotiated, else each
// packet sent again a few frames later; it stops on a clean path. We
// report every second while packets get lost. The jitter buffer holds two
// frames on a clean path (one would glitch at every scheduling hiccup of a
// busy machine; two also keep the next packet's FEC at hand), more with
// jitter, late packets, or the sender's redundancy distance. A loss burst
// never goes into the delay: the buffer judges its depth against where the
// sender must be by now (not against the newest packet, which after a
// burst may be a late copy), so it neither waits out a burst nor keeps a
// stall; what a stall concealed is not concealed twice, and bursts fade
// to comfort noise. Each peer's RTP source is latched, and
// re-latched after a steady in-sequence stream from a new one (latch.go).
package media
