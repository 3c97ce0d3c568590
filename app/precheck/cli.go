package precheck

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/homeshore/homeshore/app/config"
)

// RunCLI is `homeshore check [--json] [--output ID] [--input ID] [--server HOST:PORT]
// [--transport udp|tcp|tls] [--room-seconds N] [--watch]`: progress on stderr, the
// report (text, or JSON with --json) on stdout. Returns the exit code:
// 0 pass, 1 fail, 2 could not run.
func RunCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON (docs/precheck.md)")
	out := fs.String("output", "", "output device id (default: pinned headset, else system default)")
	in := fs.String("input", "", "microphone device id (default: pinned headset, else system default)")
	server := fs.String("server", "", "SIP server host[:port] (default: policy sip.server)")
	transport := fs.String("transport", "", "udp, tcp or tls (default: policy sip.transport)")
	room := fs.Float64("room-seconds", 0, "room capture length (default: policy checks.room.capture_seconds)")
	watch := fs.Bool("watch", false, "after a passing check, watch the devices as a shift does; exit 1 when the agent would go Not ready")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: homeshore check [flags]")
		fmt.Fprintln(stderr, "The pre-shift check without the agent. "+headlessNote)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return ExitCantRun
	}
	pol, err := config.LoadPolicy()
	if err != nil {
		fmt.Fprintln(stderr, "homeshore check:", err)
		return ExitCantRun
	}
	opts := Options{Policy: pol, Output: *out, Input: *in, SIPServer: *server, Transport: *transport, RoomSeconds: *room,
		Progress: func(s Step) { printStep(stderr, s) }}
	rep, err := Run(ctx, opts)
	if err != nil && len(rep.Checks) == 0 {
		fmt.Fprintln(stderr, "homeshore check: could not run:", err)
		return ExitCantRun
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "homeshore check:", err)
			return ExitCantRun
		}
	} else {
		printReport(stdout, rep)
	}
	if err != nil {
		fmt.Fprintln(stderr, "homeshore check: interrupted:", err)
		return ExitCantRun
	}
	if *watch && rep.Passed() {
		return watchAfterCheck(ctx, rep, pol, stdout, stderr, *asJSON)
	}
	return rep.ExitCode()
}

func printStep(w io.Writer, s Step) {
	if !s.Done {
		fmt.Fprintf(w, "… %-10s %s\n", s.Check, s.Message)
		return
	}
	fmt.Fprintf(w, "%s %-10s %s\n", mark(s.Verdict), s.Check, s.Message)
}

func mark(v Verdict) string {
	switch v {
	case Pass:
		return "✓"
	case Warn:
		return "!"
	case Skipped:
		return "-"
	}
	return "✗"
}

// headlessNote says what the check leaves out without the agent.
const headlessNote = "Two steps need the agent at the Homeshore window and are not run here: " +
	"reading a sentence aloud (the voice level, and whether the microphone is near the mouth: " +
	"an unrecognised microphone stays unconfirmed, a warning) and, where the system cannot listen " +
	"to its own output (PortAudio, Wine), confirming the test sound was heard (the speaker stays unverified, a warning)."

func printReport(w io.Writer, r Report) {
	fmt.Fprintf(w, "Pre-shift check: %s (%.1f s)\n", strings.ToUpper(string(r.Verdict)), float64(r.DurationMS)/1000)
	for _, c := range r.Checks {
		req := ""
		if !c.Mandatory {
			req = " (optional)"
		}
		fmt.Fprintf(w, "%s %s%s: %s\n", mark(c.Verdict), c.Name, req, c.Verdict)
		for _, f := range c.Findings {
			if f.Verdict != Pass || c.Verdict == Pass {
				fmt.Fprintf(w, "    %s\n", f.Message)
			}
		}
	}
	fmt.Fprintln(w, "Note: "+headlessNote)
}

// DevicesCLI is `homeshore devices [--json]`: every device with bus, form
// factor, kind, verdict and the reason. Exit 0, or 2 when devices cannot be read.
func DevicesCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON (docs/precheck.md)")
	if err := fs.Parse(args); err != nil {
		return ExitCantRun
	}
	pol, err := config.LoadPolicy()
	if err != nil {
		fmt.Fprintln(stderr, "homeshore devices:", err)
		return ExitCantRun
	}
	devs, err := ListDevices(ctx, pol)
	if err != nil {
		fmt.Fprintln(stderr, "homeshore devices:", err)
		return ExitCantRun
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if devs == nil {
			devs = []DeviceVerdict{}
		}
		if err := enc.Encode(devs); err != nil {
			return ExitCantRun
		}
		return ExitPass
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DIR\tID\tBUS\tFORM\tKIND\tVERDICT\tREASON (EVIDENCE)")
	for _, d := range devs {
		def := ""
		if d.Default {
			def = "*"
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\t%s\t%s\n", d.Direction, def, d.ID, orDash(d.Bus), orDash(d.FormFactor), d.Kind, d.Verdict, d.Reason+" ("+d.Evidence+")")
	}
	tw.Flush()
	return ExitPass
}
