// Package dsp cleans the agent's outgoing audio before it is encoded: noise
// suppression, automatic gain and acoustic echo cancellation (speexdsp
// through cgo), as stages over media.Source and media.Sink.
//
// A Processor serves one call. Capture wraps the microphone (any
// media.Source, files included) and returns the cleaned Source to give the
// media Session; Playback wraps the headset (any media.Sink) and keeps a copy
// of what is played, the far-end reference the echo canceller subtracts.
//
//	mic -> Capture: high-pass 100 Hz -> echo canceller (far end from the
//	       reference ring) -> preprocessor (denoise, residual echo, AGC) -> Session
//	Session -> Playback: reference ring <- copy; -> headset
//
// Frames stay the project's 48 kHz mono 20 ms frames on both sides; inside,
// speexdsp runs at 48 kHz on 10 ms blocks (two per frame), which measured
// better than 20 ms blocks for the denoiser (docs/audio.md). The
// preprocessor's overlap-add delays the sent audio by one block (10 ms).
//
// The echo canceller needs the far end aligned with the microphone: the
// reference ring advances exactly one frame per captured frame (sample
// clocks, not goroutine timing) and realigns only when playback stalls or
// under-runs, capture loses frames or the clocks drift apart; a delay
// estimator moves the far end so the echo lands inside the canceller's
// filter even when the devices buffer hundreds of milliseconds.
//
// Built without cgo, New returns ErrUnavailable and callers send the raw
// microphone.
package dsp
