package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// PlaybackRecorder records what a PulseAudio sink plays, through its
// monitor, as a 48 kHz mono WAV file.
type PlaybackRecorder struct {
	Path string
	cmd  *exec.Cmd
	done bool
}

// RecordPlayback starts recording what baresip plays out (all its calls,
// as a person at its speaker hears them). Unlike RecordedWAV it does not
// depend on baresip's sndfile module, which stops recording a call after
// some re-INVITEs. Stop it before reading Path; the test's cleanup stops it
// otherwise.
func (b *Baresip) RecordPlayback(t testing.TB) *PlaybackRecorder {
	t.Helper()
	return RecordSink(t, b.Sink)
}

// RecordSink records what the PulseAudio sink named sink plays.
func RecordSink(t testing.TB, sink string) *PlaybackRecorder {
	t.Helper()
	bin := RequireBinary(t, "parecord")
	r := &PlaybackRecorder{Path: filepath.Join(t.TempDir(), sink+"-heard.wav")}
	r.cmd = exec.Command(bin, "--device="+sink+".monitor", "--rate=48000", "--channels=1", "--format=s16le", "--file-format=wav", r.Path)
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("testenv: parecord: %v", err)
	}
	t.Cleanup(func() { r.Stop() })
	return r
}

// Stop ends the recording (parecord completes the WAV header on SIGINT)
// and returns its path.
func (r *PlaybackRecorder) Stop() string {
	if !r.done {
		r.done = true
		_ = r.cmd.Process.Signal(os.Interrupt)
		_ = r.cmd.Wait()
	}
	return r.Path
}
