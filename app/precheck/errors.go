package precheck

import "errors"

// Sentinels callers branch on (errors.Is).
var (
	// ErrNoAudio: the sound server cannot be reached; the check cannot run (exit 2).
	ErrNoAudio = errors.New("cannot reach the sound server (PulseAudio/PipeWire): log out and in again, or ask IT")
	// ErrDeviceMissing: a named (or pinned) device is not present.
	ErrDeviceMissing = errors.New("audio device not found")
	// ErrNoMonitor: the audio backend cannot record what an output plays,
	// so the headless speaker test cannot verify the output.
	ErrNoMonitor = errors.New("cannot listen to what the output plays on this system")
	// ErrClosed: a device was used after Close.
	ErrClosed = errors.New("audio device closed")
	// ErrCaptureStalled: a capture stopped delivering sound (suspended, held
	// by another program, driver stalled).
	ErrCaptureStalled = errors.New("the microphone stopped sending sound")
	// ErrNoSIPServer: the policy names no SIP server, so the network check cannot run.
	ErrNoSIPServer = errors.New("no SIP server configured: set sip.server in the IT policy or your profile")
)
