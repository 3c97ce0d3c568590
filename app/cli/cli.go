// Package cli parses the homeshore command line and runs its subcommands.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/homeshore/homeshore/app/core"
	"github.com/homeshore/homeshore/app/demo"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/app/version"
)

// Exit codes shared by every subcommand.
const (
	ExitOK       = 0
	ExitFailed   = 1
	ExitCantRun  = 2
	exitUsageErr = 2
)

const usage = `usage: homeshore [--demo] | homeshore COMMAND [flags]

Commands:
  call URI     place one call (see: homeshore call --help)
  answer       wait for and answer one call
  devices      list audio devices with the headset verdict
  check        run the pre-shift equipment check
  version      print the version
`

// Run executes the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		// The GUI on the real core: profile, IT policy, keyring.
		c, err := core.New(core.Options{})
		if err == nil {
			err = ui.Main(ctx, ui.Options{Backend: c.Backend()})
			err = errors.Join(err, c.Close())
		}
		if err != nil {
			fmt.Fprintln(stderr, "homeshore:", oneLine(err))
			return ExitFailed
		}
		return ExitOK
	}
	switch args[0] {
	case "--demo", "-demo", "demo":
		if err := demo.Run(ctx, ui.Options{}); err != nil {
			fmt.Fprintln(stderr, "homeshore:", oneLine(err))
			return ExitFailed
		}
		return ExitOK
	case "version", "--version":
		fmt.Fprintln(stdout, "homeshore", version.Version)
		return ExitOK
	case "call":
		return runCall(ctx, args[1:], stdout, stderr, false)
	case "answer":
		return runCall(ctx, args[1:], stdout, stderr, true)
	case "check":
		return precheck.RunCLI(ctx, args[1:], stdout, stderr)
	case "devices":
		return precheck.DevicesCLI(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(stderr, "homeshore: unknown command %q\n%s", args[0], usage)
		return exitUsageErr
	}
}
