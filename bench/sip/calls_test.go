package sipbench_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// callWarmup is how long after starting the endpoints CPU sampling
// begins: call set-up over loopback takes milliseconds, process start and
// the first audio a little longer.
const callWarmup = 3 * time.Second

// callResult is one run of n concurrent calls by one implementation.
type callResult struct {
	calls           int
	window          time.Duration
	cpuPerMin       float64 // CPU-seconds per call-minute per endpoint (mean)
	callerCPU       float64 // same, callers only
	answererCPU     float64 // same, answerers only
	rssKB, hwmKB    int     // mean over endpoints, sampled at the window's end
	recordedSeconds float64 // shortest received recording, for a sanity check
}

// endpoint is one process of a call and which side it is.
type endpoint struct {
	p      *proc
	caller bool
}

// measure samples CPU over window after warm-up and memory at its end.
func measure(b *testing.B, eps []endpoint, window time.Duration) callResult {
	time.Sleep(callWarmup)
	before := make([]float64, len(eps))
	for i, e := range eps {
		c, err := cpuSeconds(e.p.cmd.Process.Pid)
		if err != nil {
			b.Fatalf("%s ended before the window: %v\n%s", e.p.name, err, e.p.tail())
		}
		before[i] = c
	}
	t0 := time.Now()
	time.Sleep(window)
	elapsed := time.Since(t0)
	r := callResult{calls: len(eps) / 2, window: elapsed}
	var nCaller, nAnswer int
	for i, e := range eps {
		c, err := cpuSeconds(e.p.cmd.Process.Pid)
		rss, hwm, err2 := memKB(e.p.cmd.Process.Pid)
		if err != nil || err2 != nil {
			b.Fatalf("%s ended during the window: %v %v\n%s", e.p.name, err, err2, e.p.tail())
		}
		perMin := (c - before[i]) / elapsed.Minutes()
		r.cpuPerMin += perMin
		if e.caller {
			r.callerCPU += perMin
			nCaller++
		} else {
			r.answererCPU += perMin
			nAnswer++
		}
		r.rssKB += rss
		r.hwmKB += hwm
	}
	r.cpuPerMin /= float64(len(eps))
	r.callerCPU /= float64(nCaller)
	r.answererCPU /= float64(nAnswer)
	r.rssKB /= len(eps)
	r.hwmKB /= len(eps)
	return r
}

// loopWAV returns speech looped to d at 48 kHz mono 16 bit.
func loopWAV(b *testing.B, speech string, d time.Duration) string {
	out := filepath.Join(b.TempDir(), fmt.Sprintf("mic-%d.wav", d.Milliseconds()))
	secs := strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
	cmd := exec.Command("sox", speech, "-r", "48000", "-c", "1", "-b", "16", "-e", "signed-integer", out,
		"repeat", strconv.Itoa(int(d.Seconds())+1), "trim", "0", secs)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("sox: %v\n%s", err, msg)
	}
	return out
}

// wavSeconds returns how long a 48 kHz mono 16-bit WAV is from its size,
// so a recording whose header was not completed (a peer killed after
// stopGrace) still counts; 0 when it is missing.
func wavSeconds(path string) float64 {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() < wavHeader {
		return 0
	}
	return float64(fi.Size()-wavHeader) / (2 * 48000)
}

// wavHeader is the size of a canonical WAV header.
const wavHeader = 44

// homeshoreCalls runs n concurrent `homeshore answer` / `homeshore call`
// pairs over loopback, both sides playing speech and recording, without
// outgoing audio processing like the baresip they are compared with
// (BenchmarkDSPVsBaresip compares the processing). With
// device set, they play what they receive out to the private PulseAudio's
// default sink (through the native Pulse backend, or PortAudio with
// HOMESHORE_AUDIO_BACKEND=portaudio) instead of recording it.
func homeshoreCalls(b *testing.B, bin, speech string, n int, window time.Duration, device bool) callResult {
	dir := b.TempDir()
	callLen := callWarmup + window + 2*time.Second
	mic := loopWAV(b, speech, callLen+10*time.Second)
	profile := filepath.Join(dir, "no-profile.json")
	var eps []endpoint
	for i := range n {
		port := testenv.FreeUDPPort(b)
		out := func(side string) []string {
			if device {
				return nil
			}
			return []string{"--record", filepath.Join(dir, fmt.Sprintf("%s-%d.wav", side, i))}
		}
		ans := startProc(b, "homeshore answer", filepath.Join(dir, fmt.Sprintf("answer-%d.log", i)), nil, bin,
			append([]string{"answer", "--listen", "udp:127.0.0.1:" + strconv.Itoa(port), "--codecs", "opus",
				"--play", mic, "--timeout", "20s", "--profile", profile, "--audio-processing", "off"}, out("answer")...)...)
		eps = append(eps, endpoint{p: ans})
		waitUDPBound(b, ans, port)
		call := startProc(b, "homeshore call", filepath.Join(dir, fmt.Sprintf("call-%d.log", i)), nil, bin,
			append([]string{"call", "sip:bench@127.0.0.1:" + strconv.Itoa(port), "--codecs", "opus",
				"--play", mic, "--duration", callLen.String(), "--profile", profile, "--audio-processing", "off"}, out("call")...)...)
		eps = append(eps, endpoint{p: call, caller: true})
	}
	r := measure(b, eps, window)
	r.recordedSeconds = -1
	for i, e := range eps {
		if err := e.p.wait(callLen + 15*time.Second); err != nil {
			b.Fatalf("%s: %v\n%s", e.p.name, err, e.p.tail())
		}
		if device {
			continue // nothing recorded; exit status 0 says the call ran
		}
		side := "answer"
		if e.caller {
			side = "call"
		}
		s := wavSeconds(filepath.Join(dir, fmt.Sprintf("%s-%d.wav", side, i/2)))
		if s < window.Seconds() {
			b.Fatalf("%s %d recorded %.1f s, shorter than the CPU window: the call did not run\n%s", e.p.name, i/2, s, e.p.tail())
		}
		if r.recordedSeconds < 0 || s < r.recordedSeconds {
			r.recordedSeconds = s
		}
	}
	return r
}

// baresipCalls runs n concurrent pairs of baresip instances: one answers
// automatically, the other dials it with -e at start; both play speech
// from aufile and record with sndfile.
func baresipCalls(b *testing.B, speech string, n int, window time.Duration) callResult {
	callLen := callWarmup + window + 2*time.Second
	// aufile hangs up when its file ends: the caller's file is the call.
	callerMic := loopWAV(b, speech, callLen)
	answerMic := loopWAV(b, speech, callLen+10*time.Second)
	quit := strconv.Itoa(int((callLen + 10*time.Second).Seconds()))
	var eps []endpoint
	var records []string
	for i := range n {
		port := sipPortPair(b)
		rec := b.TempDir()
		d := baresipDir(b, port, answerMic, rec,
			"<sip:bench@127.0.0.1>;regint=0;answermode=auto;audio_codecs=opus/48000/2", 20000+(2*i)*100)
		ans := startProc(b, "baresip answer", filepath.Join(d, "baresip.log"), nil, "baresip", "-f", d, "-t", quit)
		eps = append(eps, endpoint{p: ans})
		records = append(records, rec)
		waitUDPBound(b, ans, port)
		rec = b.TempDir()
		d = baresipDir(b, sipPortPair(b), callerMic, rec,
			"<sip:caller@127.0.0.1>;regint=0;answermode=manual;audio_codecs=opus/48000/2", 20000+(2*i+1)*100)
		call := startProc(b, "baresip call", filepath.Join(d, "baresip.log"), nil, "baresip", "-f", d, "-t", quit,
			"-e", "/dial sip:bench@127.0.0.1:"+strconv.Itoa(port))
		eps = append(eps, endpoint{p: call, caller: true})
		records = append(records, rec)
	}
	r := measure(b, eps, window)
	r.recordedSeconds = -1
	// The callers' files end 2 s after the window (hang-up); then stop all.
	time.Sleep(3 * time.Second)
	for i, e := range eps {
		e.p.stop()
		m, _ := filepath.Glob(filepath.Join(records[i], "dump-*-dec.wav"))
		s := 0.0
		if len(m) > 0 {
			s = wavSeconds(m[0])
		}
		if s < window.Seconds() {
			b.Fatalf("%s %d recorded %.1f s (%v), shorter than the CPU window: the call did not run\n%s", e.p.name, i/2, s, m, e.p.tail())
		}
		if r.recordedSeconds < 0 || s < r.recordedSeconds {
			r.recordedSeconds = s
		}
	}
	return r
}

// waitUDPBound waits until something listens on UDP 127.0.0.1:port.
func waitUDPBound(b *testing.B, p *proc, port int) {
	hex := fmt.Sprintf(":%04X ", port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile("/proc/net/udp")
		if strings.Contains(string(data), "0100007F"+hex) {
			return
		}
		select {
		case <-p.done:
			b.Fatalf("%s exited: %v\n%s", p.name, p.err, p.tail())
		case <-time.After(20 * time.Millisecond):
		}
	}
	b.Fatalf("%s does not listen on UDP %d\n%s", p.name, port, p.tail())
}
