package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/homeshore/homeshore/media/dsp"
	"github.com/homeshore/homeshore/sip"
)

// processingFlag is --audio-processing: "on" (noise suppression, gain and
// echo cancellation: the default), "off", or a list of ns, agc, aec.
type processingFlag struct{ cfg dsp.Config }

func defaultProcessing() processingFlag { return processingFlag{cfg: dsp.All()} }

func (f *processingFlag) String() string { return f.cfg.String() }

func (f *processingFlag) Set(s string) error {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "on", "all":
		f.cfg = dsp.All()
		return nil
	case "off", "none":
		f.cfg = dsp.Config{}
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
	f.cfg = cfg
	return nil
}

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
