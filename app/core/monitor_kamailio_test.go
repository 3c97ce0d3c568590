package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

const supervisorTurn = "Hello, supervisor speaking."

// monitorPhase is how long each mode lasts in TestMonitorListenWhisperBarge:
// in each, the customer speaks first, then the agent, then the supervisor.
const monitorPhase = 10 * time.Second

// Where each party speaks within a phase, from its start.
const (
	customerAt   = 1200 * time.Millisecond
	agentAt      = 4200 * time.Millisecond
	supervisorAt = 7000 * time.Millisecond
)

// monitoredAgent is the agent's app logged in to a real backend, with the
// backend's grant key in its policy.
type monitoredAgent struct {
	agentCore
	mic        *cue
	backendURL string
}

func startMonitoredAgent(t *testing.T, k *testenv.Kamailio, mic *cue, edit func(*config.Policy)) monitoredAgent {
	t.Helper()
	url := servertest.StartDemo(t)
	pol := config.DefaultPolicy()
	pol.Monitoring.GrantPublicKeys = []string{backendKey(t, url)}
	if edit != nil {
		edit(&pol)
	}
	a := startAgent(t, k, mic, &pol, config.Profile{Backend: config.Backend{URL: url, Agent: server.DemoAgent}}, server.DemoAgent)
	login := backend.NewHTTPBackend(url, keyringTokens{store: a.c.opts.Secrets}, nil)
	if err := login.Login(ctxFor(t, 5*time.Second), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	return monitoredAgent{agentCore: a, mic: mic, backendURL: url}
}

// backendKey is the backend's grant public key, as IT copies it into the policy.
func backendKey(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url + "/v1/monitor/public-key")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var k api.PublicKey
	if err := json.NewDecoder(res.Body).Decode(&k); err != nil || k.PublicKey == "" {
		t.Fatalf("public key: %v %+v", err, k)
	}
	return k.PublicKey
}

// supervisorRun is `homeshore monitor` running as the supervisor.
type supervisorRun struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan error
}

func startSupervisor(t *testing.T, args ...string) *supervisorRun {
	t.Helper()
	bin := testenv.RequireHomeshore(t)
	s := &supervisorRun{cmd: exec.Command(bin, append([]string{"monitor"}, args...)...), done: make(chan error, 1)}
	s.cmd.Env = append(os.Environ(), config.EnvBackendPassword+"="+server.DemoPassword, config.EnvSIPPassword+"=sampw")
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

// wait returns the exit code and the JSON summary.
func (s *supervisorRun) wait(t *testing.T, within time.Duration) (int, map[string]any) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(within):
		t.Fatalf("homeshore monitor still running after %s; stderr:\n%s", within, s.stderr.String())
	}
	var sum map[string]any
	if s.stdout.Len() > 0 {
		if err := json.Unmarshal(s.stdout.Bytes(), &sum); err != nil {
			t.Fatalf("monitor --json printed %q: %v", s.stdout.String(), err)
		}
	}
	return s.cmd.ProcessState.ExitCode(), sum
}

// monitorArgs are the supervisor's account flags: sam registered at Kamailio.
func monitorArgs(k *testenv.Kamailio, backend string) []string {
	return []string{"--registrar", k.Addr(), "--user", "sam", "--codecs", "pcmu",
		"--backend", backend, "--backend-user", server.DemoSupervisor, "--json"}
}

// phaseHearing checks one phase of one party's recording: each of heard
// is found in it, and apart from them it is silent (nobody else leaked in,
// not even the party's own voice).
func phaseHearing(t *testing.T, who, mode, recording string, from time.Duration, heard ...string) {
	t.Helper()
	seg := filepath.Join(t.TempDir(), fmt.Sprintf("%s-%s.wav", strings.ReplaceAll(who, " ", "-"), mode))
	out, err := exec.Command("sox", recording, "-r", "48000", seg, "trim", secondsArg(from), secondsArg(monitorPhase)).CombinedOutput()
	if err != nil {
		t.Fatalf("sox trim: %v %s", err, out)
	}
	var masks [][2]time.Duration
	for _, s := range heard {
		r, err := audiocmp.FindSegments(s, seg, 4)
		if err != nil || !r.OK() {
			t.Errorf("%s, %s: did not hear %s: %v %v", mode, who, filepath.Base(s), r, err)
			continue
		}
		a, _ := audiocmp.Load(s)
		length := time.Duration(len(a.Samples)) * time.Second / time.Duration(a.Rate)
		masks = append(masks, [2]time.Duration{r.Lag - 300*time.Millisecond, r.Lag + length + 400*time.Millisecond})
	}
	loud, total := loudFrames(t, seg, masks)
	if total == 0 {
		t.Fatalf("%s, %s: empty recording segment", mode, who)
	}
	// A leaked sentence would be a second or two of loud frames.
	if loud > total/20 {
		t.Errorf("%s, %s: %d of %d frames are sound outside what it should hear: somebody leaked in", mode, who, loud, total)
	}
}

func secondsArg(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// loudFrames counts the 10 ms frames above -45 dBFS outside masks.
func loudFrames(t *testing.T, wav string, masks [][2]time.Duration) (loud, total int) {
	t.Helper()
	a, err := audiocmp.Load(wav)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Rate / 100
	for i := 0; i+n <= len(a.Samples); i += n {
		at := time.Duration(i) * time.Second / time.Duration(a.Rate)
		masked := false
		for _, m := range masks {
			if at >= m[0] && at < m[1] {
				masked = true
			}
		}
		if masked {
			continue
		}
		total++
		var sum float64
		for _, v := range a.Samples[i : i+n] {
			sum += v * v
		}
		if 10*math.Log10(sum/float64(n)+1e-20) > -45 {
			loud++
		}
	}
	return loud, total
}

// TestMonitorListenWhisperBarge: a customer (baresip) talks with the agent
// (the real core) through Kamailio; the supervisor runs `homeshore monitor`
// with a grant from the real backend, in listen mode, then switches to
// whisper and barge. In each phase the customer, the agent and the
// supervisor speak in turn, and each recording proves who hears whom:
// listen: the supervisor hears both, neither hears the supervisor; whisper:
// the agent hears the supervisor, the customer does not; barge: everybody
// hears everybody. The agent's banner events follow the modes, and the
// session with its modes is in the backend's log.
func TestMonitorListenWhisperBarge(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{server.DemoAgent: "agentpw", "cust": "custpw", "sam": "sampw"})
	customer, agent, supervisor := testenv.Espeak(t, customerTurn), testenv.Espeak(t, agentTurn), testenv.EspeakVoice(t, "en+f3", supervisorTurn)
	a := startMonitoredAgent(t, k, newCue(t, agent), nil)
	custDir := t.TempDir()
	// The customer is silent until the test switches its microphone to the
	// sentence (baresip's /ausrc), at its turn in each phase.
	cust := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("cust"), Password: "custpw", Codecs: []string{"pcmu"},
		PlayDuration: 90 * time.Second, RecordDir: custDir})
	custSays := testenv.Pad(t, customer, 0, 60*time.Second)
	supLine := testenv.Pad(t, supervisor, supervisorAt, monitorPhase-supervisorAt-wavLength(t, supervisor))
	supPlay := testenv.Concat(t, supLine, supLine, supLine)
	supHeard := filepath.Join(t.TempDir(), "supervisor-heard.wav")

	if err := cust.Command("/dial " + k.AOR(server.DemoAgent)); err != nil {
		t.Fatal(err)
	}
	in := a.incoming(t)
	answeredAt := time.Now()
	if err := a.c.Backend().Phone.Answer(ctxFor(t, 10*time.Second), in.ID); err != nil {
		t.Fatal(err)
	}
	cust.Expect(t, testenv.EventCallEstablished)
	sup := startSupervisor(t, append(monitorArgs(k, a.backendURL), k.AOR(server.DemoAgent), "--mode", "listen",
		"--play", supPlay, "--record", supHeard, "--duration", "30s",
		"--switch", "whisper@10s", "--switch", "barge@20s")...)
	ev := a.next(t, 15*time.Second, func(e ui.Event) bool { _, ok := e.(ui.MonitorChanged); return ok }).(ui.MonitorChanged)
	joined := time.Now()
	if s := ev.Session; !s.Active || s.Mode != ui.MonitorListen || s.Supervisor != server.DemoSupervisor || s.CallID != in.ID {
		t.Fatalf("banner event %+v, want listen by sam on the customer's call", s)
	}
	for phase, mode := range []string{ui.MonitorListen, ui.MonitorWhisper, ui.MonitorBarge} {
		start := joined.Add(time.Duration(phase) * monitorPhase)
		time.Sleep(time.Until(start.Add(customerAt)))
		if err := cust.Command("/ausrc aufile," + custSays); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(start.Add(agentAt)))
		a.mic.Say()
		if phase > 0 {
			// The switch came during this phase's first second.
			if s, ok := a.c.monitor.Active(); !ok || s.Mode != mode {
				t.Errorf("phase %d: session %+v, want mode %s", phase, s, mode)
			}
		}
	}
	code, sum := sup.wait(t, 25*time.Second)
	if code != 0 {
		t.Fatalf("homeshore monitor exit %d: %v\n%s", code, sum, sup.stderr.String())
	}
	if got := fmt.Sprint(sum["mode"]); got != "barge" {
		t.Errorf("summary mode %s, want barge: %v", got, sum)
	}
	var modes []string
	for {
		ev := a.next(t, 5*time.Second, func(e ui.Event) bool { _, ok := e.(ui.MonitorChanged); return ok }).(ui.MonitorChanged)
		if !ev.Session.Active {
			break
		}
		modes = append(modes, ev.Session.Mode)
	}
	if strings.Join(modes, ",") != "whisper,barge" {
		t.Errorf("banner switched through %v, want whisper then barge, then ended", modes)
	}
	if err := cust.Command("/hangup"); err != nil {
		t.Fatal(err)
	}
	a.next(t, 10*time.Second, func(e ui.Event) bool { ev, ok := e.(ui.CallClosed); return ok && ev.CallID == in.ID })

	// Every party's recording, phase by phase. The agent's and the
	// customer's start at the answer; the supervisor's when it joined.
	custRecs := recordings(custDir)
	if len(custRecs) != 1 {
		t.Fatalf("customer recordings %v, want one (no re-INVITE on its call)", custRecs)
	}
	joinOffset := joined.Sub(answeredAt)
	for phase, mode := range []string{"listen", "whisper", "barge"} {
		at := time.Duration(phase) * monitorPhase
		agentHears := []string{customer}
		custHears := []string{agent}
		switch mode {
		case "whisper":
			agentHears = append(agentHears, supervisor)
		case "barge":
			agentHears = append(agentHears, supervisor)
			custHears = append(custHears, supervisor)
		}
		phaseHearing(t, "the agent", mode, a.heard, joinOffset+at, agentHears...)
		phaseHearing(t, "the customer", mode, custRecs[0], joinOffset+at, custHears...)
		phaseHearing(t, "the supervisor", mode, supHeard, at, customer, agent)
	}

	flushOutbox(t, a)
	sessions := monitorSessions(t, a.backendURL)
	if len(sessions) != 1 {
		t.Fatalf("backend holds %d sessions, want 1: %+v", len(sessions), sessions)
	}
	s := sessions[0]
	var logged []string
	for _, m := range s.Modes {
		logged = append(logged, m.Mode)
	}
	if s.Supervisor != server.DemoSupervisor || s.Agent != server.DemoAgent || s.CallID != in.ID || s.EndedAt == nil ||
		strings.Join(logged, ",") != "listen,whisper,barge" {
		t.Fatalf("backend session %+v (modes %v), want sam on alice's call, listen, whisper, barge, ended", s, logged)
	}
}

func wavLength(t *testing.T, wav string) time.Duration {
	t.Helper()
	a, err := audiocmp.Load(wav)
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(len(a.Samples)) * time.Second / time.Duration(a.Rate)
}

// monitorSessions lists the sessions the backend logged, as the supervisor sees them.
func monitorSessions(t *testing.T, url string) []api.MonitorSession {
	t.Helper()
	be := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := be.Login(ctxFor(t, 5*time.Second), server.DemoSupervisor, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	out, err := be.MonitorSessions(ctxFor(t, 5*time.Second), server.DemoAgent)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// flushOutbox delivers what the agent's app still has to send the backend.
func flushOutbox(t *testing.T, a monitoredAgent) {
	t.Helper()
	cl, err := a.c.tickets.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SyncOnce(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("delivering the agent's outbox: %v", err)
	}
}

// grantFor asks the backend, as the demo supervisor, for a grant to
// monitor agent.
func grantFor(t *testing.T, url, agent string) string {
	t.Helper()
	be := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := be.Login(ctxFor(t, 5*time.Second), server.DemoSupervisor, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	g, err := be.RequestGrant(ctxFor(t, 5*time.Second), agent, "listen")
	if err != nil {
		t.Fatal(err)
	}
	return g.Grant
}

// TestMonitorRefused: the agent's app answers 403 (and shows nothing) to a
// monitoring request with a forged grant, a grant for another agent, a
// grant already used, or any grant when IT's policy turns monitoring off;
// 480 when the agent has no call. The supervisor's command says so.
func TestMonitorRefused(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{server.DemoAgent: "agentpw", "cust": "custpw", "sam": "sampw"})
	a := startMonitoredAgent(t, k, newCue(t, testenv.Espeak(t, agentTurn)), nil)
	run := func(name string, grant string, wantCode int) {
		t.Helper()
		args := []string{"--registrar", k.Addr(), "--user", "sam", "--codecs", "pcmu", "--json", "--duration", "1s",
			"--record", filepath.Join(t.TempDir(), "heard.wav"), "--play", testenv.Espeak(t, supervisorTurn),
			"--grant", grant, k.AOR(server.DemoAgent)}
		code, sum := startSupervisor(t, args...).wait(t, 20*time.Second)
		got, _ := sum["status_code"].(float64)
		if wantCode == 0 {
			if code != 0 {
				t.Errorf("%s: exit %d %v, want a session", name, code, sum)
			}
			return
		}
		if code != 1 || int(got) != wantCode {
			t.Errorf("%s: exit %d, status %v, want exit 1 and %d: %v", name, code, got, wantCode, sum)
		}
	}
	run("no call to monitor", grantFor(t, a.backendURL, server.DemoAgent), 480)

	cust := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("cust"), Password: "custpw", Codecs: []string{"pcmu"}})
	if err := cust.Command("/dial " + k.AOR(server.DemoAgent)); err != nil {
		t.Fatal(err)
	}
	in := a.incoming(t)
	if err := a.c.Backend().Phone.Answer(ctxFor(t, 10*time.Second), in.ID); err != nil {
		t.Fatal(err)
	}
	run("forged grant", "eyJ2IjoxfQ.c2lnbmF0dXJl", 403)
	run("grant for another agent", grantFor(t, a.backendURL, server.DemoAgent2), 403)
	valid := grantFor(t, a.backendURL, server.DemoAgent)
	run("valid grant", valid, 0)
	run("the same grant again", valid, 403)
	a.c.policy.Monitoring.Enabled = false
	run("monitoring off in the policy", grantFor(t, a.backendURL, server.DemoAgent), 403)

	// Only the one accepted session reached the banner and the backend.
	var banners []string
	for {
		select {
		case ev := <-a.events:
			if m, ok := ev.(ui.MonitorChanged); ok {
				banners = append(banners, fmt.Sprint(m.Session.Active))
			}
			continue
		default:
		}
		break
	}
	if strings.Join(banners, ",") != "true,false" {
		t.Errorf("banner events %v, want one session shown then ended", banners)
	}
	flushOutbox(t, a)
	if s := monitorSessions(t, a.backendURL); len(s) != 1 {
		t.Errorf("backend holds %d sessions, want the accepted one: %+v", len(s), s)
	}
}
