package testenv

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Require skips the test when ok is false, or fails it when CI=true, so that
// a missing component never silently skips tests in CI.
func Require(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (CI=true: failing, not skipping)", what)
	}
	t.Skipf("%s is missing", what)
}

// RequireBinary returns the path of the named executable, or skips/fails the
// test as Require does when it is not on PATH.
func RequireBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	Require(t, err == nil, "binary "+name+" (install with scripts/install-deps.sh)")
	return path
}

// RequirePulse checks that a PulseAudio server answers (`pactl info`), as it
// does inside scripts/with-test-env.sh.
func RequirePulse(t testing.TB) {
	t.Helper()
	RequireBinary(t, "pactl")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := exec.CommandContext(ctx, "pactl", "info").Run()
	Require(t, err == nil, "PulseAudio (run the tests under scripts/with-test-env.sh)")
}

// RequireHomeshore returns the homeshore binary the Makefile built (env
// HOMESHORE_BIN, set by `make test`), or skips/fails the test as Require
// does when it is not set or not executable.
func RequireHomeshore(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("HOMESHORE_BIN")
	ok := false
	if bin != "" {
		fi, err := os.Stat(bin)
		ok = err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
	}
	Require(t, ok, "homeshore binary in HOMESHORE_BIN (run `make build`, or the tests through `make test`)")
	return bin
}
