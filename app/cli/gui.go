package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// guiNames are the window binary's names, next to this one: homeshore-gui
// on Linux; on Windows the installer names the window homeshore.exe and
// this console binary homeshore-cli.exe.
var guiNames = []string{"homeshore-gui", "homeshore"}

// launchGUI starts the window binary with args and waits for it, passing
// signals through the shared context.
func launchGUI(ctx context.Context, args []string, stderr io.Writer) int {
	path, err := findGUI()
	if err != nil {
		fmt.Fprintln(stderr, "homeshore:", err)
		return ExitCantRun
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(stderr, "homeshore: starting the window:", err)
		return ExitCantRun
	}
	return ExitOK
}

func findGUI() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot locate the homeshore binary: %w", err)
	}
	self, _ = filepath.EvalSymlinks(self)
	dir := filepath.Dir(self)
	for _, name := range guiNames {
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		candidate := filepath.Join(dir, name)
		if candidate == self {
			continue
		}
		if fi, err := os.Stat(candidate); err == nil && !fi.IsDir() {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("the window binary homeshore-gui is not next to %s: reinstall Homeshore, or run `make build`", self)
}
