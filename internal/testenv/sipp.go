package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sippGlobalTimeout bounds one sipp run unless the caller passes -timeout.
const sippGlobalTimeout = "30s"

// SippRun is one sipp process running a scenario.
type SippRun struct {
	Port      int    // sipp's local SIP port on 127.0.0.1
	MediaPort int    // [media_port] in SDP (-mp); 0 when the caller passed -mp
	Scenario  string // path of the scenario file
	Dir       string // holds the logs below
	LogFile   string // stdout/stderr
	ErrFile   string // -trace_err: unexpected messages
	MsgFile   string // -trace_msg: every message sent and received
	LogsFile  string // -trace_logs: <log> actions of the scenario

	proc *process
}

// Addr returns sipp's SIP address "127.0.0.1:PORT".
func (s *SippRun) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// Sipp starts `sipp -sf SCENARIO -i 127.0.0.1 -p FREEPORT -mp FREEPORT -m 1
// -timeout 30s ARGS...` with -trace_err, -trace_msg and -trace_logs into its
// own directory. scenario is a file name under testdata/sipp (embedded; e.g.
// "uac_cancel.xml") or a path to another file. args are passed through and
// end with the target "HOST:PORT" for UAC scenarios (use -s USER for the
// Request-URI user, -key NAME VALUE for scenario keys); -p, -mp, -m and
// -timeout given in args replace the defaults. Sipp returns once sipp has bound
// its UDP port, so a UAS scenario is ready to receive calls.
func Sipp(t testing.TB, scenario string, args ...string) *SippRun {
	t.Helper()
	bin := RequireBinary(t, "sipp")
	dir := t.TempDir()
	path := scenario
	if !strings.Contains(scenario, "/") {
		data, err := testdata.ReadFile("testdata/sipp/" + scenario)
		if err != nil {
			t.Fatalf("testenv: no sipp scenario %q in testdata/sipp: %v", scenario, err)
		}
		path = filepath.Join(dir, scenario)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatalf("testenv: %v", err)
		}
	}
	s := &SippRun{
		Scenario: path,
		Dir:      dir,
		LogFile:  filepath.Join(dir, "sipp.log"),
		ErrFile:  filepath.Join(dir, "errors.log"),
		MsgFile:  filepath.Join(dir, "messages.log"),
		LogsFile: filepath.Join(dir, "logs.log"),
	}
	if i := slices.Index(args, "-p"); i >= 0 && i+1 < len(args) {
		p, err := strconv.Atoi(args[i+1])
		if err != nil {
			t.Fatalf("testenv: sipp -p %q: %v", args[i+1], err)
		}
		s.Port = p
	} else {
		s.Port = FreeUDPTCPPort(t)
	}
	cmdArgs := []string{"-sf", path, "-i", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-nostdin",
		"-trace_err", "-error_file", s.ErrFile,
		"-trace_msg", "-message_file", s.MsgFile,
		"-trace_logs", "-log_file", s.LogsFile}
	if !slices.Contains(args, "-m") {
		cmdArgs = append(cmdArgs, "-m", "1")
	}
	if !slices.Contains(args, "-mp") {
		// sipp's default 6000 would collide between parallel tests.
		s.MediaPort = FreeUDPPort(t)
		cmdArgs = append(cmdArgs, "-mp", strconv.Itoa(s.MediaPort))
	}
	if !slices.Contains(args, "-timeout") {
		cmdArgs = append(cmdArgs, "-timeout", sippGlobalTimeout, "-timeout_error")
	}
	cmdArgs = append(cmdArgs, withoutPort(args)...)
	cmd := exec.Command(bin, cmdArgs...)
	cmd.Dir = dir
	s.proc = startProcess(t, "sipp "+filepath.Base(path), s.LogFile, cmd)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	proto := "udp"
	if i := slices.Index(args, "-t"); i >= 0 && i+1 < len(args) && strings.HasPrefix(args[i+1], "t") {
		proto = "tcp"
	}
	if err := waitBound(ctx, proto, s.Port, func() bool { return !s.proc.exited() }); err != nil {
		// A UAC scenario may legitimately finish at once; only a start
		// failure is an error here, and Wait reports it.
		if !s.proc.exited() {
			t.Fatalf("testenv: sipp %s: %v\n%s", scenario, err, s.Logs())
		}
	}
	return s
}

func withoutPort(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if args[i] == "-p" && i+1 < len(args) {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// Wait waits for sipp to end and returns nil when every call of the
// scenario succeeded (exit 0). Otherwise the error carries sipp's exit code
// and the tails of its error, message and output logs. When ctx ends first
// sipp is killed.
func (s *SippRun) Wait(ctx context.Context) error {
	select {
	case <-s.proc.done:
	case <-ctx.Done():
		s.proc.stop()
		return fmt.Errorf("%w: %s still running: %w\n%s", ErrSipp, filepath.Base(s.Scenario), ctx.Err(), s.Logs())
	}
	if s.proc.waitErr == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %w\n%s", ErrSipp, filepath.Base(s.Scenario), s.proc.waitErr, s.Logs())
}

// WaitTimeout is Wait with a timeout.
func (s *SippRun) WaitTimeout(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.Wait(ctx)
}

// Logs returns the tails of sipp's logs, for error messages.
func (s *SippRun) Logs() string {
	var b strings.Builder
	for _, f := range []struct{ name, path string }{
		{"errors", s.ErrFile}, {"log actions", s.LogsFile}, {"messages", s.MsgFile}, {"output", s.LogFile},
	} {
		if _, err := os.Stat(f.path); err != nil {
			continue
		}
		fmt.Fprintf(&b, "--- sipp %s (%s):\n%s\n", f.name, f.path, tailFile(f.path, logTailLines))
	}
	return b.String()
}

// Messages returns every SIP message sipp sent and received so far.
func (s *SippRun) Messages() string { return tailFile(s.MsgFile, 1<<30) }

// SippScenario writes the embedded scenario name (under testdata/sipp)
// into a temporary file with each {{key}} replaced by vars[key], and
// returns its path for Sipp. It serves what sipp's own -key cannot
// reach: sipp reads a response's status code when it loads the scenario.
func SippScenario(t testing.TB, name string, vars map[string]string) string {
	t.Helper()
	data, err := testdata.ReadFile("testdata/sipp/" + name)
	if err != nil {
		t.Fatalf("testenv: no sipp scenario %q in testdata/sipp: %v", name, err)
	}
	text := string(data)
	for k, v := range vars {
		text = strings.ReplaceAll(text, "{{"+k+"}}", v)
	}
	if i := strings.Index(text, "{{"); i >= 0 {
		t.Fatalf("testenv: sipp scenario %s: no value for %s", name, text[i:i+min(len(text)-i, 20)])
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return path
}
