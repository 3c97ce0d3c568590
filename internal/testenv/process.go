package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// logTailLines is how much of a process log a failed test prints.
const logTailLines = 60

// stopGrace is how long a process gets after SIGTERM before SIGKILL.
const stopGrace = 3 * time.Second

// process is one started peer: its own process group, a log file, and a
// goroutine (owned by the cleanup) that reaps it.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done is closed
	// clean, when set, removes noise from log text before it is shown.
	clean func(string) string
}

// startProcess starts cmd in its own process group with stdout and stderr
// appended to logPath, and registers a cleanup that stops it and, on test
// failure, prints the log tail.
func startProcess(t testing.TB, name, logPath string, cmd *exec.Cmd) *process {
	t.Helper()
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("testenv: %s log: %v", name, err)
	}
	fmt.Fprintf(logFile, "### %s\n", cmd.String())
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("testenv: start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("testenv: last lines of %s log %s:\n%s", name, logPath, p.tail(logTailLines))
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop terminates the whole process group and waits for the leader. It is
// safe to call more than once.
func (p *process) stop() {
	if p.exited() {
		p.killGroup(syscall.SIGKILL) // children may outlive the leader
		return
	}
	p.killGroup(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		p.killGroup(syscall.SIGKILL)
		<-p.done
	}
	p.killGroup(syscall.SIGKILL)
}

func (p *process) killGroup(sig syscall.Signal) {
	err := syscall.Kill(-p.cmd.Process.Pid, sig)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		p.cmd.Process.Signal(sig)
	}
}

// tail returns the last n lines of the log.
func (p *process) tail(n int) string {
	if p.clean == nil {
		return tailFile(p.logPath, n)
	}
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", filepath.Base(p.logPath), err)
	}
	return lastLines(p.clean(string(data)), n)
}

func tailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", filepath.Base(path), err)
	}
	return lastLines(string(data), n)
}

func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
