package servertest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BuildServer compiles homeshore-server into dir and returns its path.
func BuildServer(dir string) (string, error) {
	out := filepath.Join(dir, "homeshore-server")
	cmd := exec.Command("go", "build", "-o", out, "github.com/homeshore/homeshore/server/cmd/homeshore-server")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build homeshore-server: %w: %s", err, b)
	}
	return out, nil
}

// Process is a running homeshore-server.
type Process struct {
	URL  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *strings.Builder
	err  error
}

// Options for StartProcess.
type Options struct {
	Addr   string   // listen address; "127.0.0.1:0" when empty
	DBPath string   // SQLite file (driver sqlite)
	PgDSN  string   // PostgreSQL URL; selects driver postgres when set
	Args   []string // extra flags, e.g. --demo
}

// StartProcess runs bin and waits for its "listening on" line. The process
// is killed when the test ends.
func StartProcess(t testing.TB, bin string, o Options) *Process {
	t.Helper()
	p, err := Start(bin, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p
}

// Start is StartProcess without a test; the caller must Kill or Stop it.
func Start(bin string, o Options) (*Process, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	args := []string{"--addr", o.Addr}
	env := os.Environ()
	if o.PgDSN != "" {
		args = append(args, "--driver", "postgres")
		env = append(env, "HOMESHORE_DB_DSN="+o.PgDSN)
	} else {
		args = append(args, "--db", o.DBPath)
	}
	cmd := exec.Command(bin, append(args, o.Args...)...)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{}), log: &strings.Builder{}}
	cmd.Stderr = &lockedWriter{b: p.log}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "homeshore-server listening on "); ok {
				urlc <- u
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		p.err = cmd.Wait()
		close(p.done)
	}()
	select {
	case p.URL = <-urlc:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("homeshore-server exited before listening (%v): %s", p.err, p.Log())
	case <-time.After(60 * time.Second):
		p.Kill()
		return nil, errors.New("homeshore-server did not start within 60 s")
	}
}

// Kill sends SIGKILL and waits for the process to go; safe to call twice.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop sends SIGTERM (graceful shutdown) and returns the exit error.
func (p *Process) Stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	return p.err
}

// Exited is closed when the process has ended.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Log returns what the server wrote to stderr so far.
func (p *Process) Log() string {
	lw := p.cmd.Stderr.(*lockedWriter)
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return p.log.String()
}

// PID is the server's process id (CPU and memory readings).
func (p *Process) PID() int { return p.cmd.Process.Pid }
