package guitest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/homeshore/homeshore/server/servertest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/server"
)

// Environment of the child process that runs the window (see child_test.go).
const (
	envChild   = "HOMESHORE_GUITEST_CHILD"
	envProfile = "HOMESHORE_GUITEST_PROFILE"
)

// customerNumber is the caller's SIP user: a phone number, as the ticket
// server logs calls by number.
const customerNumber = "4155550134"

// chosenDisposition is what the agent picks at wrap-up (label, code).
const (
	chosenLabel = "Escalated"
	chosenCode  = "escalated"
)

// The window must run on the process's main thread, so the test binary
// re-runs itself under xvfb-run and TestMain hands that run to the GUI.
func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// TestAgentShiftEndToEnd is the whole shift in the real window, on the real
// core, against real peers: the agent starts the shift (the IT policy for
// this test makes no check mandatory, as `"mandatory": []` does for a site
// that only wants the figures logged, so the check's verdicts on null
// devices do not block), registers to Kamailio, baresip calls, the agent
// answers, holds, resumes and hangs up on the window's buttons, picks a
// disposition at wrap-up, and the call log reaches the ticket server once,
// with the disposition and the call's quality.
func TestAgentShiftEndToEnd(t *testing.T) {
	_, err := exec.LookPath("xvfb-run")
	testenv.Require(t, err == nil, "xvfb-run (scripts/deps/test-gui.txt)")
	testenv.RequirePulse(t)
	requireKeyring(t)
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", customerNumber: "custpw"})
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
		"room": {"capture_seconds": 1}, "microphone": {"speech_seconds": 1}, "leak": {"probe_ms": 300}}}`
	if err := os.WriteFile(policy, []byte(pol), 0o644); err != nil {
		t.Fatal(err)
	}
	keyring := config.Keyring{}
	pwKey := config.SIPPasswordKey("agent", k.Addr())
	if err := keyring.Set(pwKey, "agentpw"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.Delete(pwKey); _ = keyring.Delete(ui.SecretBackendToken) })
	login := tickets.NewHTTPBackend(url, keyringTokens{}, nil)
	if err := login.Login(context.Background(), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}

	b := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR(customerNumber), Password: "custpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Espeak(t, "Hello, my router keeps disconnecting."), PlayLoop: true})

	child := startChild(t, []string{
		envChild + "=1", envProfile + "=" + profile, config.PolicyEnv + "=" + policy,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
	})
	child.expect(t, "ready", 90*time.Second)
	if err := b.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	b.Expect(t, testenv.EventCallEstablished)
	child.expect(t, "done", 60*time.Second)
	b.Expect(t, testenv.EventCallClosed)
	child.wait(t, 30*time.Second)

	calls := servertest.AgentCalls(t, url)
	if len(calls) != 1 {
		t.Fatalf("the ticket server holds %d calls, want exactly 1: %+v", len(calls), calls)
	}
	got := calls[0]
	if got.Disposition != chosenCode || got.Direction != "inbound" || got.Number != "+1"+customerNumber {
		t.Fatalf("call log %+v: want inbound from +1%s with disposition %s", got, customerNumber, chosenCode)
	}
	if !strings.EqualFold(got.Quality.Codec, "pcmu") || got.Quality.MOS < 3 || got.TalkSeconds <= 0 {
		t.Fatalf("call quality %+v, talk %.1f s: want the PCMU call's figures", got.Quality, got.TalkSeconds)
	}
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
