package cli_test

// End-to-end tests of the headless contract (BRIEF.md §3): the built
// homeshore binary against real peers.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
)

type summary struct {
	Result          string  `json:"result"`
	Error           string  `json:"error"`
	StatusCode      int     `json:"status_code"`
	Answered        bool    `json:"answered"`
	Codec           string  `json:"codec"`
	SRTP            string  `json:"srtp"`
	DurationS       float64 `json:"duration_s"`
	PacketsSent     uint64  `json:"packets_sent"`
	PacketsReceived uint64  `json:"packets_received"`
	MOS             float64 `json:"mos"`
	DTMFReceived    string  `json:"dtmf_received"`
	HangupBy        string  `json:"hangup_by"`
	AudioProcessing string  `json:"audio_processing"`
}

// run is one homeshore process; Wait returns its exit code, its JSON
// summary (when --json) and the last line of stderr.
type run struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr watchedBuffer
}

// watchedBuffer is stderr as it grows, so a test can wait for a line.
type watchedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.changed != nil {
		close(w.changed)
		w.changed = nil
	}
	return w.buf.Write(p)
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the output contains text.
func (w *watchedBuffer) waitFor(t *testing.T, text string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		w.mu.Lock()
		if strings.Contains(w.buf.String(), text) {
			w.mu.Unlock()
			return
		}
		if w.changed == nil {
			w.changed = make(chan struct{})
		}
		changed := w.changed
		w.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%q not printed within %s; stderr so far:\n%s", text, within, w.String())
		}
	}
}

func start(t *testing.T, env []string, args ...string) *run {
	t.Helper()
	bin := testenv.RequireHomeshore(t)
	r := &run{cmd: exec.Command(bin, args...)}
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	r.cmd.Env = append(os.Environ(), env...)
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
			_ = r.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("homeshore %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.stdout.String(), r.stderr.String())
		}
	})
	return r
}

func (r *run) wait(t *testing.T, within time.Duration) (int, summary, string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(within):
		_ = r.cmd.Process.Kill()
		<-done
		t.Fatalf("homeshore did not exit within %s", within)
	}
	var s summary
	if out := strings.TrimSpace(r.stdout.String()); strings.HasPrefix(out, "{") {
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("--json output is not one JSON object: %v\n%s", err, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stderr.String()), "\n")
	return r.cmd.ProcessState.ExitCode(), s, lines[len(lines)-1]
}

func freeSIP(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", testenv.FreeUDPPort(t))
}

func TestCLICallsBaresipWithAudioAndDTMF(t *testing.T) {
	for _, codec := range []string{"opus", "pcmu"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			customer := testenv.Espeak(t, "I would like to change the delivery address of my parcel please.")
			// The digits go 0.5 s after the answer and replace the audio
			// for about 0.4 s (RFC 4733): the agent speaks after them.
			agent := testenv.Pad(t, testenv.Espeak(t, "Of course, I can change the address for you right now."), 1200*time.Millisecond, 0)
			recordDir := t.TempDir()
			b := testenv.StartBaresip(t, testenv.BaresipOptions{AutoAnswer: true, Codecs: []string{codec}, PlayWAV: customer, RecordDir: recordDir})
			rec := filepath.Join(t.TempDir(), "rec.wav")
			r := start(t, nil, "call", b.URI(), "--play", agent, "--record", rec, "--duration", "7s", "--dtmf", "19#", "--codecs", codec, "--json")
			code, s, last := r.wait(t, 30*time.Second)
			if code != 0 || s.Result != "ok" {
				t.Fatalf("exit %d, summary %+v, last line %q", code, s, last)
			}
			if !strings.EqualFold(s.Codec, codec) || !s.Answered || s.HangupBy != "local" || s.PacketsReceived < 250 || s.MOS < 4 {
				t.Fatalf("summary %+v", s)
			}
			b.Expect(t, testenv.EventCallClosed)
			if got := b.ReceivedDTMF(); got != "19#" {
				t.Errorf("baresip got DTMF %q, want 19#", got)
			}
			// Our adaptive jitter buffer may grow mid-call on a loaded
			// machine, which stretches the recording by tens of ms.
			compareStretchable(t, customer, rec)
			compare(t, agent, b.RecordedWAV())
		})
	}
}

func compare(t *testing.T, sent, received string) {
	t.Helper()
	res, err := audiocmp.Compare(sent, received)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("%s does not carry %s: %s", received, sent, res)
	}
}

func compareStretchable(t *testing.T, sent, received string) {
	t.Helper()
	res, err := audiocmp.CompareSegments(sent, received, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("%s does not carry %s: %s", received, sent, res)
	}
}

func TestCLIAnswersBaresip(t *testing.T) {
	t.Parallel()
	customer := testenv.Espeak(t, "Hello, is this the support line for my internet box?")
	listen := freeSIP(t)
	rec := filepath.Join(t.TempDir(), "rec.wav")
	r := start(t, nil, "answer", "--listen", "udp:"+listen, "--record", rec, "--answer-after", "1s", "--json")
	b := testenv.StartBaresip(t, testenv.BaresipOptions{Codecs: []string{"opus"}, PlayWAV: customer, PlayDuration: 7 * time.Second})
	r.stderr.waitFor(t, "waiting for a call", 10*time.Second)
	if err := b.Command("/dial sip:agent@" + listen); err != nil {
		t.Fatal(err)
	}
	b.Expect(t, testenv.EventCallRinging)
	b.Expect(t, testenv.EventCallEstablished)
	time.Sleep(4 * time.Second) // after the sentence: baresip's DTMF interrupts its audio
	if err := b.Command("/sndcode 7*"); err != nil {
		t.Fatal(err)
	}
	code, s, last := r.wait(t, 30*time.Second) // baresip hangs up when its file ends
	if code != 0 || s.HangupBy != "remote" || s.Codec != "opus" {
		t.Fatalf("exit %d, summary %+v, last line %q", code, s, last)
	}
	if s.DTMFReceived != "7*" {
		t.Errorf("dtmf_received %q, want 7*", s.DTMFReceived)
	}
	compare(t, customer, rec)
}

func TestCLIRejectAndNoCommonCodecSayWhatFailed(t *testing.T) {
	t.Parallel()
	busy := freeSIP(t)
	a := start(t, nil, "answer", "--listen", "udp:"+busy, "--reject", "486")
	pcmuOnly := freeSIP(t)
	b := start(t, nil, "answer", "--listen", "udp:"+pcmuOnly, "--codecs", "pcmu", "--timeout", "5s")
	a.stderr.waitFor(t, "waiting for a call", 10*time.Second)
	b.stderr.waitFor(t, "waiting for a call", 10*time.Second)

	code, s, last := start(t, nil, "call", "sip:agent@"+busy, "--play", testenv.Tone(t, 440, time.Second), "--record", filepath.Join(t.TempDir(), "x.wav"), "--json").wait(t, 15*time.Second)
	if code == 0 || s.StatusCode != 486 || !strings.Contains(last, "486 Busy Here") {
		t.Fatalf("busy call: exit %d, summary %+v, last line %q", code, s, last)
	}
	if code, _, _ := a.wait(t, 5*time.Second); code == 0 {
		t.Errorf("answer --reject exited 0; a refused call is not a normal call")
	}

	code, s, last = start(t, nil, "call", "sip:agent@"+pcmuOnly, "--codecs", "opus", "--play", testenv.Tone(t, 440, time.Second), "--record", filepath.Join(t.TempDir(), "y.wav"), "--json").wait(t, 15*time.Second)
	if code == 0 || s.StatusCode != 488 || !strings.Contains(last, "488 Not Acceptable Here") || !strings.Contains(last, "no common codec") {
		t.Fatalf("codec mismatch: exit %d, summary %+v, last line %q", code, s, last)
	}
	code, _, last = b.wait(t, 10*time.Second)
	if code == 0 || !strings.Contains(last, "488 Not Acceptable Here: no common codec") {
		t.Fatalf("answer side of the mismatch: exit %d, last line %q", code, last)
	}
}

func TestCLIRegistersWithKeyringOrEnvPassword(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "right-pw"})
	code, _, last := start(t, []string{"HOMESHORE_SIP_PASSWORD=wrong"}, "answer", "--registrar", k.Addr(), "--user", "alice", "--timeout", "1s").wait(t, 15*time.Second)
	if code == 0 || !strings.Contains(last, "password") {
		t.Fatalf("wrong password: exit %d, last line %q", code, last)
	}
	// Right password: it registers, then reports that no call came.
	code, _, last = start(t, []string{"HOMESHORE_SIP_PASSWORD=right-pw"}, "answer", "--registrar", k.Addr(), "--user", "alice", "--timeout", "1s").wait(t, 15*time.Second)
	if code == 0 || !strings.Contains(last, "no call arrived") {
		t.Fatalf("right password: exit %d, last line %q", code, last)
	}
}

// TestCLISIPTraceWithoutVerbose: --sip-trace prints every SIP message on
// its own (docs/cli.md), credentials redacted.
func TestCLISIPTraceWithoutVerbose(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "tr4ce-pw"})
	r := start(t, []string{"HOMESHORE_SIP_PASSWORD=tr4ce-pw"}, "answer", "--registrar", k.Addr(), "--user", "alice", "--timeout", "1s", "--sip-trace")
	if code, _, last := r.wait(t, 15*time.Second); code == 0 || !strings.Contains(last, "no call arrived") {
		t.Fatalf("exit %d, last line %q", code, last)
	}
	trace := r.stderr.String()
	for _, want := range []string{"REGISTER sip:", "SIP/2.0 401", "SIP/2.0 200", "Authorization: [redacted]", "Expires: 0"} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
	if strings.Contains(trace, "response=") || strings.Contains(trace, "tr4ce-pw") {
		t.Errorf("trace shows credentials:\n%s", trace)
	}
}

func TestCLITwoAgentsThroughKamailio(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "apw", "bob": "bpw"})
	speech := testenv.Espeak(t, "Your replacement card will arrive within five working days.")
	rec := filepath.Join(t.TempDir(), "bob.wav")
	bob := start(t, []string{"HOMESHORE_SIP_PASSWORD=bpw"}, "answer", "--registrar", k.Addr(), "--user", "bob", "--record", rec, "--timeout", "20s", "--json")
	bob.stderr.waitFor(t, "waiting for a call to sip:bob@", 10*time.Second)
	code, s, last := start(t, []string{"HOMESHORE_SIP_PASSWORD=apw"}, "call", "bob", "--registrar", k.Addr(), "--user", "alice",
		"--play", speech, "--record", filepath.Join(t.TempDir(), "alice.wav"), "--json").wait(t, 30*time.Second)
	if code != 0 || !s.Answered {
		t.Fatalf("alice: exit %d, summary %+v, last %q", code, s, last)
	}
	code, s, last = bob.wait(t, 10*time.Second)
	if code != 0 || s.HangupBy != "remote" {
		t.Fatalf("bob: exit %d, summary %+v, last %q", code, s, last)
	}
	compare(t, speech, rec)
}

// TestCLICallOnPulseAudioDevices: no files on the answering side: its
// microphone and speaker are PulseAudio virtual devices, routed with
// PULSE_SOURCE/PULSE_SINK as libpulse clients are; once through the native
// Pulse backend (Linux's default) and once through PortAudio (ALSA's pulse
// plugin), the backend Windows and macOS use.
func TestCLICallOnPulseAudioDevices(t *testing.T) {
	for _, backend := range []struct{ name, env, client string }{
		{"native", "pulse", "Homeshore microphone"},
		{"portaudio", "portaudio", "ALSA plug-in"},
	} {
		t.Run(backend.name, func(t *testing.T) {
			t.Parallel()
			callOnPulseAudioDevices(t, backend.env, backend.client)
		})
	}
}

// callOnPulseAudioDevices runs the agent with HOMESHORE_AUDIO_BACKEND=backend
// and checks that the PulseAudio client recording its microphone is named
// like client.
func callOnPulseAudioDevices(t *testing.T, backend, client string) {
	testenv.RequirePulse(t)
	mic := testenv.PulseDevice(t, "agentmic_"+backend, map[string]string{"device.bus": "usb", "device.form_factor": "headset"}, nil)
	out := testenv.PulseDevice(t, "agentout_"+backend, map[string]string{"device.bus": "usb", "device.form_factor": "headset"}, nil)
	speech := testenv.Espeak(t, "Thank you for holding, I found your booking.")
	caller := testenv.Espeak(t, "Hello, I am calling about my hotel booking for next week.")
	listen := freeSIP(t)
	agent := start(t, []string{"PULSE_SOURCE=" + mic.Source, "PULSE_SINK=" + out.Sink, "HOMESHORE_AUDIO_BACKEND=" + backend}, "answer", "--listen", "udp:"+listen, "--json")
	heard := filepath.Join(t.TempDir(), "speaker.wav")
	parecord := exec.Command(testenv.RequireBinary(t, "parecord"), "--device="+out.Sink+".monitor", "--rate=48000", "--channels=1", "--file-format=wav", heard)
	if err := parecord.Start(); err != nil {
		t.Fatal(err)
	}
	agent.stderr.waitFor(t, "waiting for a call", 10*time.Second)
	rec := filepath.Join(t.TempDir(), "caller.wav")
	callRun := start(t, nil, "call", "sip:agent@"+listen, "--play", testenv.Pad(t, caller, 2500*time.Millisecond, 0), "--record", rec, "--duration", "10s", "--json")
	// The speech goes into the agent's microphone once the call is up
	// (a null source is silent for its first second or two).
	time.Sleep(2500 * time.Millisecond)
	if got := recordingClients(t, mic.Source); !strings.Contains(got, client) {
		t.Errorf("%s backend: clients recording %s are %q, want one named %q", backend, mic.Source, got, client)
	}
	paplay := exec.Command(testenv.RequireBinary(t, "paplay"), "--device="+mic.Sink, speech)
	if outp, err := paplay.CombinedOutput(); err != nil {
		t.Fatalf("paplay: %v %s", err, outp)
	}
	code, s, last := callRun.wait(t, 30*time.Second)
	_ = parecord.Process.Signal(os.Interrupt)
	_ = parecord.Wait()
	if code != 0 || !s.Answered {
		t.Fatalf("caller: exit %d %+v %q", code, s, last)
	}
	code, as, last := agent.wait(t, 10*time.Second)
	if code != 0 {
		t.Fatalf("agent on devices: exit %d, last %q", code, last)
	}
	// The default cancels echo where it can come back: devices on both
	// sides, not --play/--record files.
	if as.AudioProcessing != "ns+agc+aec" || s.AudioProcessing != "ns+agc" {
		t.Errorf("audio_processing: agent on devices %q (want ns+agc+aec), caller with files %q (want ns+agc)", as.AudioProcessing, s.AudioProcessing)
	}
	// Sound devices under-run on a loaded machine, which shifts the rest of
	// a recording: each part of the speech is found on its own.
	compareStretchable(t, testenv.Pad(t, speech, 2500*time.Millisecond, 0), rec)
	compareStretchable(t, testenv.Pad(t, caller, 2500*time.Millisecond, 0), heard)
}

// recordingClients is the application.name of every PulseAudio client
// recording from source, one per line.
func recordingClients(t *testing.T, source string) string {
	t.Helper()
	out, err := exec.Command("pactl", "--format=json", "list", "source-outputs").Output()
	if err != nil {
		t.Fatalf("pactl list source-outputs: %v", err)
	}
	var outputs []struct {
		Source     json.Number       `json:"source"`
		Properties map[string]string `json:"properties"`
	}
	if err := json.Unmarshal(out, &outputs); err != nil {
		t.Fatalf("pactl list source-outputs: %v", err)
	}
	index := sourceIndex(t, source)
	var names []string
	for _, o := range outputs {
		if o.Source.String() == index {
			names = append(names, o.Properties["application.name"])
		}
	}
	return strings.Join(names, "\n")
}

// sourceIndex is the PulseAudio index of the source named name.
func sourceIndex(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("pactl", "--format=json", "list", "short", "sources").Output()
	if err != nil {
		t.Fatalf("pactl list sources: %v", err)
	}
	var sources []struct {
		Index json.Number `json:"index"`
		Name  string      `json:"name"`
	}
	if err := json.Unmarshal(out, &sources); err != nil {
		t.Fatalf("pactl list sources: %v", err)
	}
	for _, s := range sources {
		if s.Name == name {
			return s.Index.String()
		}
	}
	t.Fatalf("no PulseAudio source named %s", name)
	return ""
}

// TestCLIEncryptedCall: --srtp mandatory on the caller gives an encrypted
// call that the JSON summary of both sides reports; an answerer that
// requires SRTP refuses a plain caller with a last line that says so.
func TestCLIEncryptedCall(t *testing.T) {
	t.Parallel()
	speech := testenv.Espeak(t, "Your refund has been approved and will arrive in five days.")
	listen := freeSIP(t)
	agent := start(t, nil, "answer", "--listen", "udp:"+listen, "--srtp", "optional", "--record", filepath.Join(t.TempDir(), "agent.wav"), "--json")
	agent.stderr.waitFor(t, "waiting for a call", 10*time.Second)
	rec := filepath.Join(t.TempDir(), "caller.wav")
	code, s, last := start(t, nil, "call", "sip:agent@"+listen, "--srtp", "mandatory", "--play", testenv.Tone(t, 440, 2*time.Second), "--record", rec, "--json").wait(t, 20*time.Second)
	if code != 0 || s.SRTP != "AES_CM_128_HMAC_SHA1_80" {
		t.Fatalf("caller: exit %d, summary %+v, last %q", code, s, last)
	}
	if code, s, last := agent.wait(t, 10*time.Second); code != 0 || s.SRTP != "AES_CM_128_HMAC_SHA1_80" || s.PacketsReceived < 50 {
		t.Fatalf("agent: exit %d, summary %+v, last %q", code, s, last)
	}

	strict := freeSIP(t)
	agent = start(t, nil, "answer", "--listen", "udp:"+strict, "--srtp", "mandatory", "--timeout", "5s")
	agent.stderr.waitFor(t, "waiting for a call", 10*time.Second)
	code, s, last = start(t, nil, "call", "sip:agent@"+strict, "--play", speech, "--record", filepath.Join(t.TempDir(), "x.wav"), "--json").wait(t, 15*time.Second)
	if code == 0 || s.StatusCode != 488 || !strings.Contains(last, "SRTP") {
		t.Fatalf("plain call to an SRTP-only agent: exit %d, summary %+v, last %q", code, s, last)
	}
	if code, _, last := agent.wait(t, 10*time.Second); code == 0 || !strings.Contains(last, "plain RTP") {
		t.Fatalf("SRTP-only agent: exit %d, last %q", code, last)
	}
}
