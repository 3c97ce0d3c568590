package media

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// teeSink writes to a WAV file and counts what it wrote.
type teeSink struct {
	wav *WAVSink
	mem *memSink
}

func (s teeSink) Write(frame []int16) error {
	if err := s.wav.Write(frame); err != nil {
		return err
	}
	return s.mem.Write(frame)
}

func readAll(t *testing.T, path string) []int16 {
	t.Helper()
	src, err := OpenWAVSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []int16
	frame := make([]int16, FrameSamples)
	for src.Read(frame) == nil {
		out = append(out, frame...)
	}
	return out
}

// Real speech from espeak-ng (22.05 kHz WAV) goes file -> Session A ->
// Session B -> WAV file, as `homeshore call --play/--record` does. The
// recording's 10 ms envelope must correlate with the original's (> 0.8).
func TestSessionSpeechWAVFiles(t *testing.T) {
	t.Parallel()
	_, err := exec.LookPath("espeak-ng")
	requireOrSkip(t, err == nil, "espeak-ng")
	dir := t.TempDir()
	in := filepath.Join(dir, "speech.wav")
	if out, err := exec.Command("espeak-ng", "-w", in, "Hello, this is Homeshore calling.").CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v %s", err, out)
	}
	want := readAll(t, in)
	for _, name := range []string{"opus", "pcmu"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			codec, _ := LookupCodec(name)
			requireOrSkip(t, CodecAvailable(codec), name+" codec (cgo build with libopus)")
			src, err := OpenWAVSource(in)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			outPath := filepath.Join(dir, name+"-received.wav")
			wav, err := CreateWAVSink(outPath)
			if err != nil {
				t.Fatal(err)
			}
			defer wav.Close()
			mem := newMemSink(len(want) + SampleRate/2)
			a, b := newTestSession(t), newTestSession(t)
			if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec}, nil, teeSink{wav, mem}); err != nil {
				t.Fatal(err)
			}
			if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec}, src, nil); err != nil {
				t.Fatal(err)
			}
			waitOrFail(t, a.SourceDone(), 15*time.Second, "the speech file to finish")
			waitOrFail(t, mem.full, 15*time.Second, "the recording")
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if err := wav.Close(); err != nil {
				t.Fatal(err)
			}
			got := readAll(t, outPath)
			if len(got) < len(want) {
				t.Fatalf("recorded %d samples, sent %d", len(got), len(want))
			}
			// Segment by segment: a loaded machine makes the jitter buffer
			// grow or trim a frame now and then, shifting what follows.
			c := segmentedCorrelation(envelope(want, SampleRate), envelope(got, SampleRate), 3, 100)
			t.Logf("%s: speech envelope correlation %.3f", name, c)
			if c < 0.8 {
				t.Fatalf("speech envelope correlation %.3f < 0.8", c)
			}
		})
	}
}
