package impairbench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/impair"
	"github.com/homeshore/homeshore/internal/testenv"
)

// Peer is the program at one end of a measured call.
type Peer string

const (
	Homeshore Peer = "homeshore"
	Baresip   Peer = "baresip"
)

// Condition is a network path: Path applies to both directions (each
// with its own seed), so the RTCP reports coming back suffer too.
type Condition struct {
	Name string
	Path impair.Config
}

// Call is one measured call: Sender in namespace A plays Speech, Receiver
// in namespace B records what it decodes.
type Call struct {
	Sender, Receiver Peer
	Cond             Condition
	Seed             uint64
	Speech           string // 48 kHz mono WAV
	// Mouth: the harness speaks Speech into the sender's microphone (a
	// PulseAudio device) and measures mouth-to-ear; Homeshore senders only.
	Mouth bool
}

// Result of one call.
type Result struct {
	Score
	Impaired   impair.Stats   // the sender's media as the impairer saw it
	SenderJSON map[string]any // homeshore's --json summary, if the sender is homeshore
	RecvJSON   map[string]any
	// Homeshore's "media latency" log line of each side (stage by stage).
	SenderChain, RecvChain string
}

const sipPort = 5060

var runCounter atomic.Int64

// requireHarness checks what every harness call needs.
func requireHarness(tb testing.TB) string {
	tb.Helper()
	testenv.Require(tb, os.Geteuid() == 0, "root (network namespaces and TUN devices for the impairer)")
	testenv.RequireBinary(tb, "ip")
	testenv.RequireBinary(tb, "sox")
	testenv.RequirePulse(tb)
	return testenv.RequireHomeshore(tb)
}

// runCall sets up the impaired namespaces and a PulseAudio room, runs the
// call and scores what the receiver played out.
//
// The room is a stereo null sink recorded whole: its left channel is the
// mouth (what the sender's microphone hears), its right channel the ear
// (what the receiver plays out), so one recording times both and the
// mouth-to-ear delay is the lag between its channels. With Call.Mouth the
// harness speaks into the mouth and Homeshore sends from its microphone;
// otherwise senders play the speech file (--play, aufile) and the
// recording's ear is scored against the file.
func runCall(tb testing.TB, bin string, c Call) Result {
	tb.Helper()
	fwd, back := c.Cond.Path, c.Cond.Path
	fwd.Seed, back.Seed = c.Seed, c.Seed+1000
	prefix := fmt.Sprintf("hsi%d-%d", os.Getpid()%100000, runCounter.Add(1))
	ns, err := impair.NewNamespaces(prefix, fwd, back, impair.MediaOnly(sipPort))
	if err != nil {
		tb.Fatal(err)
	}
	defer func() {
		if err := ns.Close(); err != nil {
			tb.Errorf("impairer teardown: %v", err)
		}
	}()
	rm := newRoom(tb, prefix)
	defer rm.close()
	dir := tb.TempDir()
	// Record from before anyone plays: an idle null sink takes up to 2 s
	// to notice a new stream, so wait until audio flows.
	rec := rm.record(tb, filepath.Join(dir, "room.wav"))
	speechLen := wavDuration(tb, c.Speech)
	lead := 1500 * time.Millisecond // set-up before the mouth speaks
	callLen := speechLen + 1500*time.Millisecond
	if c.Mouth {
		callLen += lead
	}
	recvAddr := fmt.Sprintf("%s:%d", ns.Addrs[1], sipPort)
	silence := silenceWAV(tb, dir, callLen+10*time.Second)
	profile := filepath.Join(dir, "none.json")
	off := processingOff(tb, bin)
	var res Result

	// Receiver in B, playing out to the ear.
	var recv *proc
	switch c.Receiver {
	case Homeshore:
		recv = startProc(tb, ns, 1, "homeshore answer", filepath.Join(dir, "answer.log"), nil, bin,
			append([]string{"answer", "--listen", "udp:" + recvAddr, "--codecs", "opus", "--play", silence,
				"--output-device", rm.ear, "--timeout", "30s", "--profile", profile, "--json", "-v"}, off...)...)
	case Baresip:
		d := baresipDir(tb, ns.Addrs[1].String(), silence, "", "<sip:bench@"+ns.Addrs[1].String()+">;regint=0;answermode=auto;audio_codecs=opus/48000/2")
		recv = startProc(tb, ns, 1, "baresip answer", filepath.Join(d, "baresip.log"), []string{"PULSE_SINK=" + rm.ear}, "baresip", "-f", d,
			"-t", fmt.Sprint(int((callLen + 20*time.Second).Seconds())))
	}
	recv.waitUDP(tb, sipPort)

	// Sender in A.
	var send *proc
	target := "sip:bench@" + recvAddr
	switch c.Sender {
	case Homeshore:
		args := []string{"call", target, "--codecs", "opus", "--output-device", rm.discard,
			"--duration", callLen.String(), "--profile", profile, "--json", "-v"}
		args = append(args, off...)
		if c.Mouth {
			args = append(args, "--input-device", rm.mic)
		} else {
			args = append(args, "--play", c.Speech)
		}
		send = startProc(tb, ns, 0, "homeshore call", filepath.Join(dir, "call.log"), nil, bin, args...)
	case Baresip:
		// aufile hangs up when the file ends: the padded speech is the call.
		mic := padWAV(tb, dir, c.Speech, callLen)
		d := baresipDir(tb, ns.Addrs[0].String(), mic, "", "<sip:caller@"+ns.Addrs[0].String()+">;regint=0;answermode=manual;audio_codecs=opus/48000/2")
		send = startProc(tb, ns, 0, "baresip call", filepath.Join(d, "baresip.log"), []string{"PULSE_SINK=" + rm.discard}, "baresip", "-f", d,
			"-t", fmt.Sprint(int((callLen + 20*time.Second).Seconds())), "-e", "/dial "+target)
	}
	if c.Mouth {
		send.waitLog(tb, 15*time.Second, "media started")
		rm.speak(tb, c.Speech, lead)
	}

	// The call ends when the sender hangs up: homeshore call exits, baresip
	// hangs up at the end of its file, and homeshore answer exits then.
	limit := callLen + 20*time.Second
	switch {
	case c.Sender == Homeshore:
		send.wait(tb, limit)
		if c.Receiver == Homeshore {
			recv.wait(tb, 10*time.Second)
		} else {
			recv.waitLog(tb, 10*time.Second, "terminated")
			recv.stop()
		}
	case c.Receiver == Homeshore:
		recv.wait(tb, limit)
		send.stop()
	default:
		recv.waitLog(tb, limit, "terminated")
		recv.stop()
		send.stop()
	}
	rec.stop()
	res.Impaired, _ = ns.Stats()
	res.SenderJSON, res.RecvJSON = send.json(), recv.json()
	res.SenderChain, res.RecvChain = send.logValue("media latency", "chain"), recv.logValue("media latency", "chain")
	if off != nil {
		for _, j := range []struct {
			peer Peer
			sum  map[string]any
			name string
		}{{c.Sender, res.SenderJSON, "sender"}, {c.Receiver, res.RecvJSON, "receiver"}} {
			if p, _ := j.sum["audio_processing"].(string); j.peer == Homeshore && p != "off" {
				tb.Errorf("homeshore %s: audio_processing %q, want off (the harness measures the network, not the DSP): %v", j.name, p, j.sum)
			}
		}
	}

	if keep := os.Getenv("IMPAIR_KEEP"); keep != "" {
		// Keep the recordings for a look by ear or with sox.
		name := strings.NewReplacer(" ", "_", "%", "", "±", "pm").Replace(fmt.Sprintf("%s-%s-%s-%d", c.Sender, c.Receiver, c.Cond.Name, c.Seed))
		_ = os.MkdirAll(keep, 0o755)
		_ = exec.Command("cp", filepath.Join(dir, "room.wav"), filepath.Join(keep, name+".wav")).Run()
		_ = exec.Command("cp", c.Speech, filepath.Join(keep, "speech.wav")).Run()
		_ = exec.Command("cp", send.log, filepath.Join(keep, name+".send.log")).Run()
		_ = exec.Command("cp", recv.log, filepath.Join(keep, name+".recv.log")).Run()
	}
	mouth, ear, err := loadStereo(filepath.Join(dir, "room.wav"))
	if err != nil {
		tb.Fatalf("room recording: %v", err)
	}
	sent := mouth
	maxDelay := 3 * time.Second
	if !c.Mouth {
		a, err := audiocmp.Load(c.Speech)
		if err != nil {
			tb.Fatal(err)
		}
		sent, maxDelay = a.Samples, time.Duration(len(ear))*time.Second/48000
	} else {
		// Score only from where the mouth spoke.
		start := max(0, int((lead-200*time.Millisecond).Seconds()*48000)+rm.spokeAt(mouth))
		sent, ear = mouth[start:], ear[start:]
	}
	res.Score = Compare(sent, ear, maxDelay)
	if res.Frames == 0 || res.EnvCorr < 0.3 {
		tb.Logf("poor match (%+v)\nreceiver:\n%s\nsender:\n%s", res.Score, recv.tail(), send.tail())
	}
	return res
}

// processingOff returns the flags that turn Homeshore's processing of the
// sent audio (noise suppression, gain, echo cancellation) off, if bin has
// them (builds before issue 15 do not, as a before binary may be): the
// harness measures what the network does to the audio, and a before/after
// pair must differ in that alone.
func processingOff(tb testing.TB, bin string) []string {
	tb.Helper()
	// "call -h" prints the flags and exits (status 0 or 2 by version).
	out, err := exec.Command(bin, "call", "-h").CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		tb.Fatalf("%s call -h: %v", bin, err)
	}
	if strings.Contains(string(out), "-audio-processing") {
		return []string{"--audio-processing", "off"}
	}
	return nil
}

// proc is a program running inside one namespace, its output in a log.
type proc struct {
	name, log string
	cmd       *exec.Cmd
	done      chan struct{}
	err       error
}

const stopGrace = 5 * time.Second

func startProc(tb testing.TB, ns *impair.Namespaces, side int, name, logPath string, env []string, bin string, args ...string) *proc {
	tb.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	// Both programs run at the same raised priority, so other jobs on a
	// shared machine disturb the measurement less (and alike for both).
	cmd := ns.Command(tb.Context(), side, "nice", append([]string{"-n", "-10", bin}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = filepath.Dir(logPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		f.Close()
		tb.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	tb.Cleanup(p.stop)
	return p
}

func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *proc) wait(tb testing.TB, d time.Duration) {
	tb.Helper()
	select {
	case <-p.done:
		if p.err != nil {
			tb.Fatalf("%s: %v\n%s", p.name, p.err, p.tail())
		}
	case <-time.After(d):
		tb.Fatalf("%s still running after %v\n%s", p.name, d, p.tail())
	}
}

// logPoll is how often a log or /proc is re-read while waiting for a
// program started in a namespace (it has no other way to tell us).
const logPoll = 20 * time.Millisecond

// waitUDP waits until the program has bound UDP port (read from its own
// network namespace's /proc/PID/net/udp).
func (p *proc) waitUDP(tb testing.TB, port int) {
	tb.Helper()
	want := fmt.Sprintf(":%04X ", port)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/udp", p.cmd.Process.Pid))
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) > 2 && strings.Contains(f[1]+" ", want) {
				return
			}
		}
		select {
		case <-p.done:
			tb.Fatalf("%s exited: %v\n%s", p.name, p.err, p.tail())
		case <-time.After(logPoll):
		}
	}
	tb.Fatalf("%s did not bind UDP %d\n%s", p.name, port, p.tail())
}

// waitLog waits until the log contains s.
func (p *proc) waitLog(tb testing.TB, d time.Duration, s string) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if b, _ := os.ReadFile(p.log); strings.Contains(string(b), s) {
			return
		}
		select {
		case <-p.done:
			return
		case <-time.After(logPoll):
		}
	}
	tb.Fatalf("%s: no %q in the log after %v\n%s", p.name, s, d, p.tail())
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// logValue returns the value of key in the last log line with msg (slog's
// text format), or "".
func (p *proc) logValue(msg, key string) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return ""
	}
	val := ""
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, "msg=\""+msg+"\"") && !strings.Contains(line, "msg="+msg+" ") {
			continue
		}
		i := strings.Index(line, key+"=")
		if i < 0 {
			continue
		}
		v := line[i+len(key)+1:]
		if strings.HasPrefix(v, "\"") {
			if q, err := strconv.QuotedPrefix(v); err == nil {
				v, _ = strconv.Unquote(q)
			}
		} else if j := strings.IndexByte(v, ' '); j >= 0 {
			v = v[:j]
		}
		val = v
	}
	return val
}

// json returns the last JSON object the program printed, or nil.
func (p *proc) json() map[string]any {
	f, err := os.Open(p.log)
	if err != nil {
		return nil
	}
	defer f.Close()
	var last map[string]any
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if strings.HasPrefix(line, "{\"result\"") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil {
				last = m
			}
		}
	}
	return last
}

func wavDuration(tb testing.TB, path string) time.Duration {
	tb.Helper()
	a, err := audiocmp.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return time.Duration(len(a.Samples)) * time.Second / time.Duration(a.Rate)
}

func sox(tb testing.TB, args ...string) {
	tb.Helper()
	if out, err := exec.CommandContext(tb.Context(), "sox", args...).CombinedOutput(); err != nil {
		tb.Fatalf("sox %v: %v\n%s", args, err, out)
	}
}

func silenceWAV(tb testing.TB, dir string, d time.Duration) string {
	out := filepath.Join(dir, "silence.wav")
	sox(tb, "-n", "-r", "48000", "-c", "1", "-b", "16", out, "trim", "0", fmt.Sprintf("%.3f", d.Seconds()))
	return out
}

// padWAV pads speech with silence to d.
func padWAV(tb testing.TB, dir, speech string, d time.Duration) string {
	out := filepath.Join(dir, "mic.wav")
	sox(tb, speech, "-r", "48000", "-c", "1", "-b", "16", "-e", "signed-integer", out, "pad", "0", fmt.Sprintf("%.3f", d.Seconds()), "trim", "0", fmt.Sprintf("%.3f", d.Seconds()))
	return out
}

// baresipConfig: baresip 1.0.0 with aufile as microphone, sndfile
// recording, ALSA (= the private PulseAudio) playback, Opus mono at
// 32 kbit/s like Homeshore, and its in-band FEC on, tuned for 10 % loss
// (baresip's default sends none). No stdio or ctrl_tcp (they spin or
// need the test's network namespace).
const baresipConfig = `poll_method		epoll
net_interface		%[1]s
sip_listen		%[1]s:%[2]d
call_local_timeout	120
audio_player		alsa,default
audio_alert		alsa,default
audio_source		aufile,%[3]s
audio_path		/usr/share/baresip
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		1
auplay_channels		1
audio_buffer		20-160
audio_level		no
rtp_tos			0
rtp_ports		20000-29998
rtcp_mux		no
jitter_buffer_delay	2-10
rtp_stats		no
opus_bitrate		32000
opus_stereo		no
opus_sprop_stereo	no
opus_inbandfec		yes
opus_packet_loss	10
%[4]s
module_path		/usr/lib/baresip/modules
module			opus.so
module			aufile.so
module			alsa.so
%[5]s
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
`

func baresipDir(tb testing.TB, addr, mic, record, account string) string {
	tb.Helper()
	testenv.RequireBinary(tb, "baresip")
	dir := tb.TempDir()
	sndPath, sndMod := "", ""
	if record != "" {
		if err := os.MkdirAll(record, 0o755); err != nil {
			tb.Fatal(err)
		}
		sndPath, sndMod = "snd_path\t\t"+record, "module\t\t\tsndfile.so"
	}
	cfg := fmt.Sprintf(baresipConfig, addr, sipPort, mic, sndPath, sndMod)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}
