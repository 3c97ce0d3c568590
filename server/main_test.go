package server_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/server/servertest"
)

// Shared by every test of the package: one built binary, one PostgreSQL
// cluster (each test gets its own database in it).
var (
	serverBin string
	pg        *servertest.Postgres
	pgErr     error
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	// Fuzzing (the coordinator and its workers) runs only the fuzz target,
	// which needs neither: no build, no cluster, seconds saved per target.
	for _, a := range os.Args {
		if strings.HasPrefix(a, "-test.fuzzworker") || (strings.HasPrefix(a, "-test.fuzz=") && a != "-test.fuzz=") {
			return m.Run()
		}
	}
	dir, err := os.MkdirTemp("", "homeshore-server-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if serverBin, err = servertest.BuildServer(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pg, pgErr = servertest.StartPostgres()
	if pg != nil {
		defer pg.Stop()
	}
	return m.Run()
}

// backends lists the databases the API suite runs against.
var backends = []string{"sqlite", "postgres"}

// startServer runs a real homeshore-server process with demo data on the
// given database kind.
func startServer(t *testing.T, kind string, extra ...string) *servertest.Process {
	t.Helper()
	o := servertest.Options{Args: append([]string{"--demo", "--monitor-key", t.TempDir() + "/monitor.key"}, extra...)}
	switch kind {
	case "sqlite":
		o.DBPath = t.TempDir() + "/homeshore.db"
	case "postgres":
		o.PgDSN = newPgDatabase(t)
	}
	return servertest.StartProcess(t, serverBin, o)
}

// newPgDatabase creates an empty database in the shared cluster.
func newPgDatabase(t *testing.T) string {
	t.Helper()
	servertest.Require(t, pgErr == nil, fmt.Sprintf("PostgreSQL (%v)", pgErr))
	dsn, err := pg.NewDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}
