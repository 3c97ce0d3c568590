package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wineTimeout bounds one Wine command (a cold prefix's first start included).
const wineTimeout = 3 * time.Minute

// Wine is a throwaway 64-bit Wine prefix: its own wineserver, stopped (with
// every Windows process it runs) when the test ends, and the directory
// removed.
type Wine struct {
	Prefix string
	env    []string
}

// WinePrefix creates a fresh prefix (wineboot), with the test-only
// bcryptprimitives.dll (ProcessPrng, which Go >= 1.22 needs and Wine 8.0
// lacks) built by mingw-w64 into its system32. Audio goes through Wine's
// PulseAudio driver to the server of the test environment
// (scripts/with-test-env.sh). The prefix lives under the test's temp dir.
func WinePrefix(t testing.TB) *Wine {
	t.Helper()
	RequireBinary(t, "wine")
	RequireBinary(t, "wineserver")
	cc := RequireBinary(t, "x86_64-w64-mingw32-gcc")
	w := &Wine{Prefix: filepath.Join(t.TempDir(), "wineprefix")}
	w.env = append(os.Environ(), "WINEPREFIX="+w.Prefix, "WINEARCH=win64", "WINEDEBUG=-all",
		// No Mono or Gecko installer prompts: the tests need neither.
		// winemenubuilder would copy Start-menu entries into the host's
		// ~/.local/share/applications.
		"WINEDLLOVERRIDES=mscoree=;mshtml=;winemenubuilder.exe=d")
	t.Cleanup(func() { w.stop(t) })
	ctx, cancel := context.WithTimeout(context.Background(), wineTimeout)
	defer cancel()
	// A wineserver that exits a few seconds after its last client races
	// with the next command ("recvmsg: Connection reset by peer"): keep one
	// running for the whole test (stop kills it). It needs the prefix's
	// directory, which wineboot then fills.
	if err := os.MkdirAll(w.Prefix, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := w.output(t, w.command(ctx, "wineserver", "--persistent")); err != nil {
		t.Fatalf("testenv: wineserver --persistent: %v %s", err, errOut)
	}
	if out, _, err := w.output(t, w.command(ctx, "wineboot", "--init")); err != nil {
		t.Fatalf("testenv: wineboot: %v\n%s", err, out)
	}
	src := filepath.Join(t.TempDir(), "prng")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"bcryptprimitives.c", "bcryptprimitives.def"} {
		b, err := testdata.ReadFile("testdata/wine/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dll := filepath.Join(w.Prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	if out, err := exec.Command(cc, "-O2", "-shared", "-o", dll, filepath.Join(src, "bcryptprimitives.c"),
		filepath.Join(src, "bcryptprimitives.def"), "-ladvapi32").CombinedOutput(); err != nil {
		t.Fatalf("testenv: build bcryptprimitives.dll: %v\n%s", err, out)
	}
	return w
}

func (w *Wine) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = w.env
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Env returns the environment Wine commands of this prefix run with, plus extra.
func (w *Wine) Env(extra ...string) []string { return append(append([]string{}, w.env...), extra...) }

// Command prepares `wine exe args...` in this prefix.
func (w *Wine) Command(ctx context.Context, exe string, args ...string) *exec.Cmd {
	return w.command(ctx, "wine", append([]string{exe}, args...)...)
}

// Run runs `wine exe args...` and returns stdout, stderr and the exit code
// (the Windows program's). It fails the test when Wine itself cannot run it.
func (w *Wine) Run(t testing.TB, exe string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wineTimeout)
	defer cancel()
	cmd := w.Command(ctx, exe, args...)
	o, e, err := w.output(t, cmd)
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("testenv: wine %s: %v", exe, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("testenv: wine %s %s: timed out after %v\nstderr:\n%s", exe, strings.Join(args, " "), wineTimeout, e)
	}
	return o, e, cmd.ProcessState.ExitCode()
}

// output runs cmd with stdout and stderr in files: Wine's background
// processes (wineserver, services) inherit them and outlive the command,
// so pipes would never reach EOF.
func (w *Wine) output(t testing.TB, cmd *exec.Cmd) (stdout, stderr string, err error) {
	t.Helper()
	dir := t.TempDir()
	of, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer of.Close()
	ef, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	cmd.Stdout, cmd.Stderr = of, ef
	err = cmd.Run()
	ob, _ := os.ReadFile(of.Name())
	eb, _ := os.ReadFile(ef.Name())
	return string(ob), string(eb), err
}

// ImportRegistry writes a .reg document (regedit's "Windows Registry
// Editor Version 5.00" format) into the prefix's registry.
func (w *Wine) ImportRegistry(t testing.TB, doc string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "import.reg")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	// reg.exe says what it could not import; regedit /S only exits 1.
	if out, errOut, code := w.Run(t, "reg", "import", path); code != 0 {
		t.Fatalf("testenv: reg import: exit %d\n%s%s\n--- imported:\n%s", code, out, errOut, doc)
	}
}

// QueryRegistry returns `reg query KEY args...` output ("" when the key is absent).
func (w *Wine) QueryRegistry(t testing.TB, key string, args ...string) string {
	t.Helper()
	out, _, code := w.Run(t, "reg", append([]string{"query", key}, args...)...)
	if code != 0 {
		return ""
	}
	return strings.ReplaceAll(out, "\r\n", "\n")
}

// Path is the Unix path of a file in the prefix's C: drive ("Program Files/Homeshore").
func (w *Wine) Path(rel string) string {
	return filepath.Join(w.Prefix, "drive_c", filepath.FromSlash(rel))
}

// stop ends the prefix's wineserver and every process in it.
func (w *Wine) stop(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Exit status 1 means no server was left running.
	_ = w.command(ctx, "wineserver", "--kill").Run()
	// --wait returns once the server is gone, so the temp dir can go.
	_ = w.command(ctx, "wineserver", "--wait").Run()
}

// RegString escapes s for a .reg string value.
func RegString(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// RegDword formats a .reg dword value.
func RegDword(v uint32) string { return fmt.Sprintf("dword:%08x", v) }
