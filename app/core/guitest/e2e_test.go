package guitest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/servertest"
)

// Environment of the child process that runs the window (see child_test.go).
const (
	envChild   = "HOMESHORE_GUITEST_CHILD"
	envProfile = "HOMESHORE_GUITEST_PROFILE"
)

// customerNumber is the caller's SIP user: Claire Martin's number written
// the French way; the policy's region (FR) makes it +33612345678, whose
// tickets the demo server holds.
const customerNumber = "0612345678"

// colleague is whom the agent transfers Claire to (a second baresip).
const colleague = "2002"

// The window must run on the process's main thread, so the test binary
// re-runs itself under xvfb-run and TestMain hands that run to the GUI.
func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// TestAgentShiftEndToEnd is a whole shift in the real window, on the real
// core, against real peers (Kamailio, baresip, the ticket server), driven
// through the window's widgets and keys: the pre-shift check (the test's
// policy makes no check mandatory, as `"mandatory": []` does for a site
// that only wants the figures logged, so the verdicts on null devices do
// not block; the agent presses Start reading when asked to read the
// sentence), Start shift, an inbound call with its screen-pop, mute, DTMF
// from the keyboard, hold, an attended transfer to a colleague (baresip:
// consult with Claire on hold, complete; Claire then talks with the
// colleague), wrap-up with "Transferred" already chosen and a new ticket
// for the caller, a call placed while Not ready (the state and its reason
// kept), a missed call, Break, End shift. Then the summary on screen,
// /v1/shifts and /v1/calls must agree call for call.
func TestAgentShiftEndToEnd(t *testing.T) {
	_, err := exec.LookPath("xvfb-run")
	testenv.Require(t, err == nil, "xvfb-run (scripts/deps/test-gui.txt)")
	testenv.RequirePulse(t)
	requireKeyring(t)
	// The agent's wired USB headset, the system default on a sound server
	// of this test's own (the window process inherits it), with a quiet
	// room in its microphone: the check runs every step on it.
	testenv.PrivatePulse(t)
	hs := testenv.PulseHeadset(t, "guitest", map[string]string{"device.bus": "usb", "device.form_factor": "headset"})
	for _, args := range [][]string{{"set-default-sink", hs.Speaker}, {"set-default-source", hs.Mic}} {
		if out, err := exec.Command("pactl", args...).CombinedOutput(); err != nil {
			t.Fatalf("pactl %v: %v %s", args, err, out)
		}
	}
	play(t, hs.MicFeed, quietRoom(t))
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", customerNumber: "custpw", colleague: "collpw"})
	url := servertest.StartDemo(t)
	dir := t.TempDir()

	profile := filepath.Join(dir, "config", "profile.json")
	err = config.SaveProfile(profile, config.Profile{
		SIP:     config.SIPAccount{Server: k.Addr(), User: "agent", Codecs: []string{"pcmu"}},
		Backend: config.Backend{URL: url, Agent: server.DemoAgent},
	})
	if err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "policy.json")
	pol := `{"checks": {"mandatory": [], "allow_override": true,
		"room": {"capture_seconds": 1}, "microphone": {"speech_seconds": 3}, "leak": {"probe_ms": 300}},
		"shift": {"phone_region": "FR"}}`
	if err := os.WriteFile(policy, []byte(pol), 0o644); err != nil {
		t.Fatal(err)
	}
	keyring := config.Keyring{}
	pwKey := config.SIPPasswordKey("agent", k.Addr())
	if err := keyring.Set(pwKey, "agentpw"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.Delete(pwKey); _ = keyring.Delete(ui.SecretBackendToken) })
	login := backend.NewHTTPBackend(url, keyringTokens{}, nil)
	if err := login.Login(context.Background(), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}

	b := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR(customerNumber), Password: "custpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Espeak(t, "Hello, my invoice shows a double charge."), PlayLoop: true, AutoAnswer: true})

	coll := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR(colleague), Password: "collpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Espeak(t, "Billing department, how can I help?"), PlayLoop: true, AutoAnswer: true})

	child := startChild(t, []string{
		envChild + "=1", envProfile + "=" + profile, config.PolicyEnv + "=" + policy,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		// The headset pinned by the check stays in this test.
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg-config"),
	})
	// The check asks the agent to read a sentence: they read it into the
	// headset's microphone.
	child.expect(t, "reading", 90*time.Second)
	play(t, hs.MicFeed, testenv.Espeak(t, "Hello, thank you for calling. I will look at your account and help you right away."))
	child.expect(t, "ready", 90*time.Second)
	// 1. Claire calls.
	if err := b.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	child.expect(t, "answered", 60*time.Second)
	b.Expect(t, testenv.EventCallEstablished)
	// The agent consults the colleague, then transfers: Claire's phone
	// leaves the agent and talks with the colleague.
	child.expect(t, "transferred", 60*time.Second)
	coll.Expect(t, testenv.EventCallEstablished) // the consultation
	b.Expect(t, testenv.EventCallClosed)         // the call with the agent
	b.Expect(t, testenv.EventCallEstablished)    // the call with the colleague
	coll.Expect(t, testenv.EventCallEstablished)
	if err := b.Command("/hangup"); err != nil {
		t.Fatal(err)
	}
	b.Expect(t, testenv.EventCallClosed)
	child.expect(t, "wrapped", 60*time.Second)
	// 2. The agent calls her back while Not ready: baresip answers by itself.
	child.expect(t, "dialled", 60*time.Second)
	b.Expect(t, testenv.EventCallEstablished)
	b.Expect(t, testenv.EventCallClosed)
	// 3. She calls again and gives up while it rings: a missed call.
	child.expect(t, "await-missed", 60*time.Second)
	if err := b.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	child.expect(t, "ringing", 30*time.Second)
	if err := b.Command("/hangup"); err != nil {
		t.Fatal(err)
	}
	summary := child.expectPrefix(t, "summary ", 60*time.Second)
	child.expect(t, "done", 60*time.Second)
	child.wait(t, 30*time.Second)

	if got := b.ReceivedDTMF(); got != "12" {
		t.Errorf("baresip received DTMF %q, want the 12 typed on the keyboard", got)
	}
	calls := servertest.AgentCalls(t, url)
	var answered, missed, transferred, consulted, notReady int
	for _, c := range calls {
		switch {
		case c.AnsweredAt == nil:
			missed++
			if c.Disposition != "missed" || c.Direction != "inbound" {
				t.Errorf("unanswered call %+v: want an inbound call logged as missed", c)
			}
			continue
		case c.Direction == "inbound":
			transferred++
			if c.Disposition != "transferred" || c.Number != "+33612345678" || c.TicketID == "" ||
				c.TicketID == "demo-1" || c.TicketID == "demo-3" || !strings.EqualFold(c.Quality.Codec, "pcmu") {
				t.Errorf("inbound call %+v: want Claire's call, transferred to %s, on a new ticket, with its PCMU figures", c, colleague)
			}
		case c.Number == colleague:
			// Part of handling Claire's call, not a call of the shift.
			consulted++
			if c.Disposition != "transferred" || c.ConsultOf == "" {
				t.Errorf("consultation %+v: want it logged with the transfer, as part of the customer's call", c)
			}
			continue
		default:
			notReady++
			if c.Disposition != "resolved" || c.Number != "+33612345678" || c.TalkSeconds < 2 {
				t.Errorf("outbound call %+v: want the call placed while Not ready, resolved", c)
			}
		}
		answered++
	}
	// The consultation of the colleague's extension is logged (the server
	// once refused an extension as "no phone number") but not counted.
	if transferred != 1 || consulted != 1 || notReady != 1 || missed != 1 {
		t.Fatalf("/v1/calls holds %d calls (%d transferred, %d consultations, %d placed while Not ready, %d missed): %+v",
			len(calls), transferred, consulted, notReady, missed, calls)
	}
	if want := fmt.Sprintf("summary calls=%d missed=%d", answered, missed); summary != want {
		t.Errorf("the summary on screen says %q, /v1/calls %q", summary, want)
	}
	shifts := servertest.AgentShifts(t, url)
	if len(shifts) != 1 || shifts[0].Calls != answered || shifts[0].ClockOut == nil {
		t.Fatalf("/v1/shifts = %+v, want one closed shift with %d calls", shifts, answered)
	}
	for _, st := range []string{"available", "on_call", "wrap_up", "not_ready", "break"} {
		if shifts[0].StateSeconds[st] <= 0 {
			t.Errorf("/v1/shifts: no time %s in %v", st, shifts[0].StateSeconds)
		}
	}
}

// play plays wav into a PulseAudio sink until it ends or the test does.
func play(t *testing.T, sink, wav string) {
	t.Helper()
	cmd := exec.Command(testenv.RequireBinary(t, "paplay"), "--device="+sink, wav)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
}

// quietRoom is a minute of a quiet room as a working microphone hears it
// (pink noise, -80 dBFS): digital silence would be a dead microphone.
func quietRoom(t *testing.T) string {
	t.Helper()
	wav := filepath.Join(t.TempDir(), "room.wav")
	out, err := exec.Command(testenv.RequireBinary(t, "sox"), "-R", "-n", "-r", "48000", "-c", "1", "-b", "16", wav,
		"synth", "120", "pinknoise", "vol", "-80dB").CombinedOutput()
	if err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	return wav
}

// keyringTokens keeps the ticket server's token where the core reads it.
type keyringTokens struct{}

func (keyringTokens) Load() (string, error) {
	v, err := config.Keyring{}.Get(ui.SecretBackendToken)
	if errors.Is(err, config.ErrSecretNotFound) {
		return "", nil
	}
	return v, err
}
func (keyringTokens) Save(tok string) error { return config.Keyring{}.Set(ui.SecretBackendToken, tok) }
func (keyringTokens) Delete() error         { return config.Keyring{}.Delete(ui.SecretBackendToken) }

func requireKeyring(t *testing.T) {
	t.Helper()
	const probe = "guitest-probe"
	err := config.Keyring{}.Set(probe, "x")
	if err == nil {
		err = config.Keyring{}.Delete(probe)
	}
	testenv.Require(t, err == nil, fmt.Sprintf("an unlocked OS keyring (run under scripts/with-test-env.sh): %v", err))
}

// childProc is the GUI run: it prints one word per step on stdout.
type childProc struct {
	cmd    *exec.Cmd
	lines  chan string
	exited chan error
	mu     sync.Mutex
	logs   bytes.Buffer
}

func startChild(t *testing.T, env []string) *childProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	auth := filepath.Join(t.TempDir(), "Xauthority")
	cmd := exec.Command("xvfb-run", "-a", "-f", auth, "-s", "-screen 0 1280x800x24", exe, "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, config.EnvSIPPassword+"=") { // the password comes from the keyring
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &childProc{cmd: cmd, lines: make(chan string, 16), exited: make(chan error, 1)}
	cmd.Stderr = &lockedWriter{p: p}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- strings.TrimSpace(sc.Text())
		}
		p.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
		}
		if t.Failed() || os.Getenv("HOMESHORE_GUITEST_LOG") != "" {
			p.mu.Lock()
			t.Logf("GUI log:\n%s", tail(p.logs.String(), 6000))
			p.mu.Unlock()
		}
	})
	return p
}

type lockedWriter struct{ p *childProc }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.logs.Write(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// expectPrefix waits for a line starting with prefix and returns it.
func (p *childProc) expectPrefix(t *testing.T, prefix string, within time.Duration) string {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case line := <-p.lines:
			if strings.HasPrefix(line, prefix) {
				return line
			}
			if strings.HasPrefix(line, "fail") {
				t.Fatalf("the GUI run failed before %q: %s", prefix, line)
			}
		case err := <-p.exited:
			p.exited <- err
			t.Fatalf("the GUI exited before %q: %v", prefix, err)
		case <-deadline:
			t.Fatalf("the GUI did not reach %q within %s", prefix, within)
		}
	}
}

// expect waits for the child to report step word (or fail).
func (p *childProc) expect(t *testing.T, word string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case line := <-p.lines:
			if line == word {
				return
			}
			if strings.HasPrefix(line, "fail") {
				t.Fatalf("the GUI run failed before %q: %s", word, line)
			}
		case err := <-p.exited:
			p.exited <- err
			t.Fatalf("the GUI exited before %q: %v", word, err)
		case <-deadline:
			t.Fatalf("the GUI did not reach %q within %s", word, within)
		}
	}
}

func (p *childProc) wait(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err
		if err != nil {
			t.Fatalf("the GUI did not exit cleanly: %v", err)
		}
	case <-time.After(within):
		t.Fatalf("the GUI did not quit within %s", within)
	}
}
