// Package cli parses the homeshore command line and runs its subcommands.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/version"
	"github.com/homeshore/homeshore/sip"
)

// Exit codes shared by every subcommand.
const (
	ExitOK       = 0
	ExitFailed   = 1
	ExitCantRun  = 2
	exitUsageErr = 2
)

const usage = `usage: homeshore [--demo] | homeshore COMMAND [flags]

With no command, homeshore opens its window (homeshore-gui); --demo opens it
on the embedded demo setup.

Commands:
  call URI     place one call (see: homeshore call --help)
  answer       wait for and answer one call
  monitor URI  listen to an agent's call as their supervisor (listen, whisper, barge)
  devices      list audio devices with the headset verdict
  check        run the pre-shift equipment check
  policy       print the effective IT policy (JSON)
  update       check for a signed update now (see: homeshore update --help)
  version      print the version
`

// Run executes the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return launchGUI(ctx, nil, stderr)
	}
	quietLibraries(stderr, slices.Contains(args, "-v") || slices.Contains(args, "--v"))
	switch args[0] {
	case "--demo", "-demo", "demo":
		return launchGUI(ctx, []string{"--demo"}, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "homeshore", version.Version)
		return ExitOK
	case "call":
		return runCall(ctx, args[1:], stdout, stderr, false)
	case "answer":
		return runCall(ctx, args[1:], stdout, stderr, true)
	case "monitor":
		return runMonitor(ctx, args[1:], stdout, stderr)
	case "check":
		return precheck.RunCLI(ctx, args[1:], stdout, stderr)
	case "devices":
		return precheck.DevicesCLI(ctx, args[1:], stdout, stderr)
	case "policy":
		return runPolicy(args[1:], stdout, stderr)
	case "update":
		return runUpdate(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(stderr, "homeshore: unknown command %q\n%s", args[0], usage)
		return exitUsageErr
	}
}

// quietLibraries keeps library logs (sipgo's transaction warnings) off a
// headless command's stderr, whose last line is the one that matters,
// unless -v asks for them. The CLI owns the process, so it may set the
// process-wide defaults.
func quietLibraries(stderr io.Writer, verbose bool) {
	level := slog.LevelError
	if verbose {
		level = slog.LevelDebug
	}
	l := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(l)
	sip.SetLibraryLogger(l)
}
