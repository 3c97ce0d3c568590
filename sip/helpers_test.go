package sip_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// newUA starts a user agent on loopback that the test closes.
func newUA(t *testing.T, cfg sip.Config, opts ...sip.Option) *sip.UA {
	t.Helper()
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 3 * time.Second
	}
	if os.Getenv("HOMESHORE_SIP_TRACE") != "" {
		sip.EnableTrace(slog.Default())
	}
	ua, err := sip.New(cfg, opts...)
	if err != nil {
		t.Fatalf("sip.New: %v", err)
	}
	t.Cleanup(func() { _ = ua.Close() })
	return ua
}

// fileAudio plays wav (or silence when empty) and records into a temp file.
func fileAudio(t *testing.T, wav string) (sip.Audio, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "received.wav")
	sink, err := media.CreateWAVSink(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	var src media.Source = media.Silence()
	if wav != "" {
		s, err := media.OpenWAVSource(wav)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		src = s
	}
	return sip.Audio{Source: src, Sink: sink}, out
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// nextIncoming waits for a call ringing at ua.
func nextIncoming(t *testing.T, ua *sip.UA, within time.Duration) *sip.Call {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-ua.Events():
			if in, ok := ev.(sip.IncomingCall); ok {
				return in.Call
			}
		case <-deadline:
			t.Fatalf("no incoming call within %s", within)
		}
	}
}

// waitCallEvent returns the first call event match accepts.
func waitCallEvent(t *testing.T, c *sip.Call, within time.Duration, match func(sip.CallEvent) bool) sip.CallEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-c.Events():
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("call event not seen within %s", within)
		}
	}
}

func waitDone(t *testing.T, c *sip.Call, within time.Duration) sip.EndInfo {
	t.Helper()
	select {
	case <-c.Done():
		return c.End()
	case <-time.After(within):
		t.Fatalf("call did not end within %s", within)
		return sip.EndInfo{}
	}
}

// assertSpeech checks received carries the sent speech.
func assertSpeech(t *testing.T, sent, received string) {
	t.Helper()
	res, err := audiocmp.Compare(sent, received)
	if err != nil {
		t.Fatalf("comparing %s with %s: %v", sent, received, err)
	}
	if !res.OK() {
		t.Fatalf("received audio does not match what was sent: %s", res)
	}
	t.Logf("audio match: %s", res)
}

func codecList(t *testing.T, names ...string) []media.Codec {
	t.Helper()
	var out []media.Codec
	for _, n := range names {
		c, ok := media.LookupCodec(n)
		if !ok {
			t.Fatalf("unknown codec %s", n)
		}
		out = append(out, c)
	}
	return out
}

// flush finalizes a recording made by fileAudio so it can be read.
func flush(t *testing.T, a sip.Audio) {
	t.Helper()
	if c, ok := a.Sink.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			t.Fatalf("closing recording: %v", err)
		}
	}
}
