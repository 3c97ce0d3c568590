package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/homeshore/homeshore/media/dsp"
	"github.com/homeshore/homeshore/sip"
)

// processingFlag is --audio-processing: "on" (the default), "off", or a
// list of ns, agc, aec run exactly as listed. "on" is noise suppression and
// automatic gain, plus echo cancellation when the call has an acoustic echo
// path: microphone and speaker both devices. A --play file or a --record
// file is not in the room: nothing it sends or receives can leak from a
// speaker into a microphone, and an echo canceller given a far end that
// does not leak has nothing to do but harm (docs/audio.md).
type processingFlag struct {
	cfg dsp.Config
	on  bool // "on": resolve decides the echo canceller
}

func defaultProcessing() processingFlag { return processingFlag{on: true} }

func (f *processingFlag) String() string {
	if f.on {
		return "on"
	}
	return f.cfg.String()
}

func (f *processingFlag) Set(s string) error {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "on", "all":
		*f = processingFlag{on: true}
		return nil
	case "off", "none":
		*f = processingFlag{}
		return nil
	}
	var cfg dsp.Config
	for item := range strings.SplitSeq(s, ",") {
		switch strings.ToLower(strings.TrimSpace(item)) {
		case "ns":
			cfg.NoiseSuppression = true
		case "agc":
			cfg.AGC = true
		case "aec":
			cfg.EchoCancel = true
		default:
			return fmt.Errorf("%q: use on, off, or a list of ns (noise suppression), agc (automatic gain), aec (echo cancellation), e.g. ns,agc", item)
		}
	}
	*f = processingFlag{cfg: cfg}
	return nil
}

// resolve is what runs: "on" cancels echo only with an acoustic path
// (devices on both sides).
func (f processingFlag) resolve(acousticPath bool) dsp.Config {
	if !f.on {
		return f.cfg
	}
	cfg := dsp.All()
	cfg.EchoCancel = acousticPath
	return cfg
}

// acousticPath reports whether the call's audio can leak from the speaker
// into the microphone: both are devices, no --play or --record file.
func (f callFlags) acousticPath() bool { return f.play == "" && f.record == "" }

// withProcessing runs the call's outgoing audio (file or microphone)
// through the processing asked for, the played audio feeding the echo
// canceller. It returns what runs for the summary: "ns+agc+aec", "off", or
// "unavailable" when this build has no DSP library (the raw audio is sent).
func withProcessing(audio sip.Audio, cfg dsp.Config, log *slog.Logger) (sip.Audio, func(), string) {
	if !cfg.Any() {
		return audio, func() {}, cfg.String()
	}
	proc, err := dsp.New(cfg, log)
	if errors.Is(err, dsp.ErrUnavailable) {
		log.Warn("sending unprocessed audio", "error", err)
		return audio, func() {}, "unavailable"
	}
	if err != nil {
		log.Warn("sending unprocessed audio", "error", err)
		return audio, func() {}, "failed"
	}
	audio.Source, audio.Sink = proc.Capture(audio.Source), proc.Playback(audio.Sink)
	return audio, func() { _ = proc.Close() }, cfg.String()
}
