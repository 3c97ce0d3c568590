package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/homeshore/homeshore/app/config"
)

// runPolicy is `homeshore policy`: the effective IT policy this machine
// runs with (defaults, the policy file, and on Windows the HKLM policy
// values the MSI or Group Policy wrote) as JSON, for IT to confirm a
// deployment. Exit 2 when the policy cannot be read.
func runPolicy(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsageErr
	}
	pol, err := config.LoadPolicy()
	if err != nil {
		fmt.Fprintln(stderr, "homeshore policy:", err)
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
