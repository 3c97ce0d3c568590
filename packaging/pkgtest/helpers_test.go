//go:build packaging

package pkgtest

import (
	"bytes"
	"github.com/homeshore/homeshore/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// require fails under CI=true and skips otherwise when a component is missing.
func require(t *testing.T, ok bool, what string) {
	testenv.Require(t, ok, what)
}

func requireTool(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		_, err := exec.LookPath(n)
		require(t, err == nil, n+" (scripts/deps/packaging.txt)")
	}
}

func distDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("HOMESHORE_DIST")
	require(t, d != "", "HOMESHORE_DIST (run make test-package)")
	return d
}

// artifact returns the one file matching glob under dist.
func artifact(t *testing.T, glob string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(distDir(t), glob))
	require(t, len(m) == 1, "exactly one "+glob+" in HOMESHORE_DIST (found "+strings.Join(m, ", ")+")")
	return m[0]
}

// run runs a command and returns its combined output, failing the test on a non-zero exit.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// fails runs a command that must exit non-zero and returns its output.
func fails(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err == nil {
		t.Fatalf("%s %s succeeded, want failure\n%s", name, strings.Join(args, " "), out)
	}
	return string(out)
}

// tamperedCopy copies src into the test's temp dir and flips one byte at the
// offset where marker is found plus delta, or in the middle when marker is empty.
func tamperedCopy(t *testing.T, src string, marker []byte, delta int) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	off := len(data) / 2
	if marker != nil {
		i := bytes.Index(data, marker)
		if i < 0 {
			t.Fatalf("%s: marker %q not found", src, marker)
		}
		off = i + delta
	}
	data[off] ^= 0x01
	dst := filepath.Join(t.TempDir(), "tampered-"+filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func copyFile(t *testing.T, src, dir string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func assertContains(t *testing.T, what, haystack string, needles ...string) {
	t.Helper()
	for _, n := range needles {
		if !strings.Contains(haystack, n) {
			t.Errorf("%s lacks %q:\n%s", what, n, haystack)
		}
	}
}
