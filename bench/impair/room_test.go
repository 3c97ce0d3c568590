package impairbench

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// room is the PulseAudio set-up of one call (see runCall): a stereo null
// sink recorded whole, a mouth (left) and an ear (right) as mono sinks
// remapped onto it, a microphone hearing the mouth, and a sink for the
// sender's own playout that nobody records.
type room struct {
	sink, mouth, ear, mic, discard string
	modules                        []string
}

func newRoom(tb testing.TB, prefix string) *room {
	tb.Helper()
	p := strings.ReplaceAll(prefix, "-", "_")
	r := &room{sink: p + "_room", mouth: p + "_mouth", ear: p + "_ear", mic: p + "_mic", discard: p + "_discard"}
	load := func(args ...string) {
		tb.Helper()
		out, err := pactl(tb, append([]string{"load-module"}, args...)...)
		if err != nil {
			tb.Fatalf("pactl load-module %v: %v", args, err)
		}
		r.modules = append(r.modules, strings.TrimSpace(out))
	}
	tb.Cleanup(r.close)
	load("module-null-sink", "sink_name="+r.sink, "rate=48000", "channels=2", "channel_map=front-left,front-right")
	load("module-null-sink", "sink_name="+r.discard, "rate=48000", "channels=1")
	load("module-remap-sink", "sink_name="+r.mouth, "master="+r.sink, "channels=1", "channel_map=mono", "master_channel_map=front-left", "remix=no")
	load("module-remap-sink", "sink_name="+r.ear, "master="+r.sink, "channels=1", "channel_map=mono", "master_channel_map=front-right", "remix=no")
	load("module-remap-source", "source_name="+r.mic, "master="+r.sink+".monitor", "channels=1", "channel_map=mono", "master_channel_map=front-left", "remix=no")
	return r
}

// close unloads the room's modules (each null sink renders on a timer:
// left loaded, the rooms of earlier calls would load the sound server).
// Safe to call twice.
func (r *room) close() {
	for i := len(r.modules) - 1; i >= 0; i-- {
		_, _ = pactl(nil, "unload-module", r.modules[i])
	}
	r.modules = nil
}

func pactl(tb testing.TB, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pactl", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, out)
	}
	return string(out), nil
}

// recorder is a parecord of the room's monitor.
type recorder struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (r *room) record(tb testing.TB, path string) *recorder {
	tb.Helper()
	cmd := exec.Command("parecord", "--device="+r.sink+".monitor", "--rate=48000", "--channels=2",
		"--format=s16le", "--file-format=wav", "--latency-msec=10", path)
	if err := cmd.Start(); err != nil {
		tb.Fatalf("parecord: %v", err)
	}
	rec := &recorder{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(rec.done) }()
	tb.Cleanup(rec.stop)
	// parecord writes as it records: wait for 100 ms of audio.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 44+4*4800 {
			return rec
		}
		if time.Now().After(deadline) {
			tb.Fatal("parecord recorded nothing for 10 s")
		}
		select {
		case <-rec.done:
			tb.Fatal("parecord exited")
		case <-time.After(logPoll):
		}
	}
}

// stop ends the recording (SIGINT: parecord completes the WAV header).
func (r *recorder) stop() {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

// speak plays wav into the mouth after a pause of lead, and waits until
// it has been played.
func (r *room) speak(tb testing.TB, wav string, lead time.Duration) {
	tb.Helper()
	<-time.After(lead)
	out, err := exec.Command("paplay", "--device="+r.mouth, wav).CombinedOutput()
	if err != nil {
		tb.Fatalf("paplay: %v\n%s", err, out)
	}
}

// spokeAt is the first sample of mouth louder than -40 dBFS.
func (r *room) spokeAt(mouth []float64) int {
	for i, v := range mouth {
		if v > 0.01 || v < -0.01 {
			return max(0, i-4800)
		}
	}
	return 0
}

// loadStereo reads a 16-bit stereo WAV (parecord's) into its two channels.
func loadStereo(path string) (left, right []float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	off := 12
	for off+8 <= len(b) {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		if id == "data" {
			data := b[off+8:]
			if size > 0 && size <= len(data) {
				data = data[:size]
			}
			n := len(data) / 4
			left, right = make([]float64, n), make([]float64, n)
			for i := range n {
				left[i] = float64(int16(binary.LittleEndian.Uint16(data[4*i:]))) / 32768
				right[i] = float64(int16(binary.LittleEndian.Uint16(data[4*i+2:]))) / 32768
			}
			return left, right, nil
		}
		off += 8 + size + size%2
	}
	return nil, nil, fmt.Errorf("%s: no data chunk", path)
}

var _ = strconv.Itoa
