// Package servertest starts real homeshore-server processes and a throwaway
// PostgreSQL cluster for tests of the backend and of its clients.
package servertest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/homeshore/homeshore/internal/testenv"
)

// Require fails the test when ok is false and CI=true, else skips it
// (testenv.Require, with the install hint for the database).
func Require(t testing.TB, ok bool, what string) {
	t.Helper()
	testenv.Require(t, ok, what+"; install with scripts/install-deps.sh test-db")
}

// ErrNoPostgres means no PostgreSQL server binaries were found.
var ErrNoPostgres = errors.New("PostgreSQL binaries (initdb, postgres) not found")

// Postgres is a throwaway cluster on 127.0.0.1 with trust authentication.
type Postgres struct {
	Port int
	dir  string
	bin  string
	data string
	cmd  *exec.Cmd
	done chan struct{}
	n    atomic.Int64
}

// PostgresBinDir finds Debian's /usr/lib/postgresql/N/bin (newest N), or the
// directory of initdb on PATH.
func PostgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNoPostgres
}

func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// asPostgresUser wraps a command so it runs as the postgres system user when
// we are root (PostgreSQL refuses to run as root).
func asPostgresUser(name string, args ...string) *exec.Cmd {
	if os.Geteuid() != 0 {
		return exec.Command(name, args...)
	}
	return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
}

// StartPostgres initialises a cluster in a new temporary directory and starts
// it on a free 127.0.0.1 port. Call Stop when done.
func StartPostgres() (*Postgres, error) {
	bin, err := PostgresBinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(clusterParent(), "homeshore-pg-")
	if err != nil {
		return nil, err
	}
	pg := &Postgres{dir: dir}
	fail := func(err error) (*Postgres, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fail(fmt.Errorf("running as root needs the postgres system user: %w", err))
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chmod(dir, 0o700); err != nil {
			return fail(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return fail(err)
		}
	}
	data := filepath.Join(dir, "data")
	out, err := asPostgresUser(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions").CombinedOutput()
	if err != nil {
		return fail(fmt.Errorf("initdb: %w: %s", err, out))
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	pg.Port = port
	pg.bin, pg.data = bin, data
	if err := pg.launch(); err != nil {
		return fail(err)
	}
	return pg, nil
}

// launch starts postgres on pg.data and pg.Port and waits until it accepts
// connections.
func (pg *Postgres) launch() error {
	pg.done = make(chan struct{})
	pg.cmd = asPostgresUser(filepath.Join(pg.bin, "postgres"), "-D", pg.data, "-p", strconv.Itoa(pg.Port), "-k", pg.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "logging_collector=off")
	stderr, err := pg.cmd.StderrPipe()
	if err != nil {
		return err
	}
	pg.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := pg.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	ready := make(chan error, 1)
	done := pg.done
	cmd := pg.cmd
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		var log strings.Builder
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			if !signalled {
				log.WriteString(line + "\n")
				if strings.Contains(line, "ready to accept connections") {
					ready <- nil
					signalled = true
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		err := cmd.Wait()
		if !signalled {
			ready <- fmt.Errorf("postgres exited before it was ready (%v):\n%s", err, log.String())
		}
	}()
	select {
	case err := <-ready:
		if err != nil {
			<-done
			return err
		}
	case <-time.After(60 * time.Second):
		pg.halt(syscall.SIGKILL)
		return errors.New("postgres did not start within 60 s")
	}
	return nil
}

// halt sends sig to the cluster's process group and waits for it to exit
// (SIGKILL after 20 s).
func (pg *Postgres) halt(sig syscall.Signal) {
	if pg.cmd == nil || pg.cmd.Process == nil {
		return
	}
	// Sent to the whole process group: runuser does not pass it on to postgres.
	_ = syscall.Kill(-pg.cmd.Process.Pid, sig)
	select {
	case <-pg.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-pg.cmd.Process.Pid, syscall.SIGKILL)
		<-pg.done
	}
}

// Down stops the cluster and keeps its data: with crash, every process is
// SIGKILLed (PostgreSQL recovers from its log at the next start), else a
// fast shutdown. Up starts it again on the same port.
func (pg *Postgres) Down(crash bool) {
	if !crash {
		pg.halt(syscall.SIGINT)
		return
	}
	pid := pg.postmasterPID()
	pg.halt(syscall.SIGKILL)
	// The postmaster may outlive runuser by a moment; postgres refuses to
	// start while the pid in its lock file runs. No event tells us: poll.
	for deadline := time.Now().Add(20 * time.Second); pid > 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			break
		}
	}
}

// postmasterPID reads the postmaster's pid from its lock file (0 if none).
func (pg *Postgres) postmasterPID() int {
	b, err := os.ReadFile(filepath.Join(pg.data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}

// Up starts the cluster again after Down.
func (pg *Postgres) Up() error { return pg.launch() }

// Stop shuts the cluster down fast and removes its files.
func (pg *Postgres) Stop() {
	// SIGINT is PostgreSQL's "fast shutdown".
	pg.halt(syscall.SIGINT)
	os.RemoveAll(pg.dir)
}

// DSN is the URL of database name in the cluster.
func (pg *Postgres) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.Port, name)
}

// NewDatabase creates an empty database and returns its URL.
func (pg *Postgres) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), pg.n.Add(1))
	db, err := sql.Open("pgx", pg.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	return pg.DSN(name), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// clusterParent is where the cluster directory goes: the temp dir, unless we
// are root and the postgres user could not reach into it (a private TMPDIR),
// then /tmp.
func clusterParent() string {
	base := os.TempDir()
	if os.Geteuid() != 0 {
		return base
	}
	for d := base; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return base
		}
	}
}
