// Package audiodev opens the machine's audio devices as media Sources and
// Sinks: native PulseAudio on Linux, PortAudio elsewhere.
//
// It is the one place a device backend lives, so media (codecs, RTP,
// sessions) and sip build without any audio-device library.
package audiodev
