package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/homeshore/homeshore/app/config"
)

// runPolicy is `homeshore policy`: the effective IT policy this machine
// runs with (defaults, the policy file, and on Windows the HKLM policy
// values the MSI or Group Policy wrote) as JSON, for IT to confirm a
// deployment: the same policy the window and the call commands apply.
// Exit 2 when the policy cannot be read (the window would refuse it too).
func runPolicy(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("policy", stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: homeshore policy\n\nPrints the effective IT policy as JSON: where it came from, the keys IT set, and every value.")
	}
	fs.Bool("json", true, "accepted for symmetry with the other commands: the output is always JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return exitUsageErr
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "homeshore policy: unexpected argument %q\n", fs.Arg(0))
		return exitUsageErr
	}
	pol, err := config.LoadPolicy()
	if err != nil {
		fmt.Fprintf(stderr, "homeshore policy: the IT policy cannot be used (%v): ask IT to fix it\n", err)
		return ExitCantRun
	}
	out := struct {
		Source string        `json:"source"`
		Locked []string      `json:"locked"` // keys IT set (file, registry)
		Policy config.Policy `json:"policy"`
	}{pol.Source(), pol.LockedKeys(), pol}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(stderr, "homeshore policy:", err)
		return ExitCantRun
	}
	return ExitOK
}
