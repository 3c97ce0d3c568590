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
	pg := &Postgres{dir: dir, done: make(chan struct{})}
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
	pg.cmd = asPostgresUser(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "logging_collector=off")
	stderr, err := pg.cmd.StderrPipe()
	if err != nil {
		return fail(err)
	}
	pg.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := pg.cmd.Start(); err != nil {
		return fail(fmt.Errorf("start postgres: %w", err))
	}
	ready := make(chan error, 1)
	go func() {
		defer close(pg.done)
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
		err := pg.cmd.Wait()
		if !signalled {
			ready <- fmt.Errorf("postgres exited before it was ready (%v):\n%s", err, log.String())
		}
	}()
	select {
	case err := <-ready:
		if err != nil {
			<-pg.done
			return fail(err)
		}
	case <-time.After(60 * time.Second):
		pg.Stop()
		return nil, errors.New("postgres did not start within 60 s")
	}
	return pg, nil
}

// Stop shuts the cluster down fast and removes its files.
func (pg *Postgres) Stop() {
	if pg.cmd != nil && pg.cmd.Process != nil {
		// SIGINT is PostgreSQL's "fast shutdown". Sent to the whole process
		// group: runuser does not pass it on to postgres.
		_ = syscall.Kill(-pg.cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-pg.done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-pg.cmd.Process.Pid, syscall.SIGKILL)
			<-pg.done
		}
	}
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
