package precheck

import (
	"time"

	"github.com/homeshore/homeshore/app/version"
)

// Verdict of one check or of the whole report.
type Verdict string

// Verdicts, from best to worst. Error means the check could not run.
const (
	Pass    Verdict = "pass"
	Warn    Verdict = "warn"
	Fail    Verdict = "fail"
	Error   Verdict = "error"
	Skipped Verdict = "skipped"
)

func (v Verdict) rank() int {
	switch v {
	case Warn:
		return 1
	case Fail:
		return 2
	case Error:
		return 3
	}
	return 0
}

// worse returns the more severe of two verdicts.
func worse(a, b Verdict) Verdict {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Finding is one reason, in words a person understands, with a stable code.
type Finding struct {
	Code    string  `json:"code"`
	Verdict Verdict `json:"verdict"`
	Message string  `json:"message"`
	// Key and Args are Message in catalogue form (assets/i18n), so the
	// GUI can show it in the agent's language.
	Key  string `json:"-"`
	Args []any  `json:"-"`
}

// CheckResult is one check's outcome. Figures is a per-check struct (see
// docs/precheck.md); only figures are kept, never audio.
type CheckResult struct {
	Name       string    `json:"name"`
	Verdict    Verdict   `json:"verdict"`
	Mandatory  bool      `json:"mandatory"`
	Findings   []Finding `json:"findings"`
	Figures    any       `json:"figures,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

// add records a finding whose text is the catalogue's "check.msg.<code>"
// filled with args.
func (c *CheckResult) add(v Verdict, code string, args ...any) {
	c.addKey(v, code, msgKey(code), args...)
}

// addKey is add for a code whose texts differ by situation.
func (c *CheckResult) addKey(v Verdict, code, key string, args ...any) {
	c.Findings = append(c.Findings, Finding{Code: code, Verdict: v, Message: message(key, args...), Key: key, Args: args})
	c.Verdict = worse(c.Verdict, v)
}

// Report is the whole pre-shift check, JSON-stable (docs/precheck.md).
type Report struct {
	Schema     int           `json:"schema"` // bumped on incompatible changes
	Version    string        `json:"homeshore_version"`
	Started    time.Time     `json:"started"`
	DurationMS int64         `json:"duration_ms"`
	Verdict    Verdict       `json:"verdict"`
	Output     string        `json:"output_device,omitempty"`
	Input      string        `json:"input_device,omitempty"`
	PolicyFile string        `json:"policy_file,omitempty"`
	Checks     []CheckResult `json:"checks"`
}

// ReportSchema is the current Report.Schema.
const ReportSchema = 1

// Passed: no mandatory check failed or errored (warnings pass).
func (r Report) Passed() bool {
	for _, c := range r.Checks {
		// A mandatory check that did not run proves nothing: it blocks too.
		if c.Mandatory && (c.Verdict == Fail || c.Verdict == Error || c.Verdict == Skipped) {
			return false
		}
	}
	return true
}

// FailedChecks names the mandatory checks that failed or could not run.
func (r Report) FailedChecks() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Mandatory && (c.Verdict == Fail || c.Verdict == Error || c.Verdict == Skipped) {
			out = append(out, c.Name)
		}
	}
	return out
}

// Exit codes of `homeshore check`.
const (
	ExitPass    = 0
	ExitFail    = 1
	ExitCantRun = 2
)

// ExitCode: 0 when every mandatory check passed (warnings allowed), 2 when
// a mandatory check could not run and none failed, else 1.
func (r Report) ExitCode() int {
	failed, errored := false, false
	for _, c := range r.Checks {
		if !c.Mandatory {
			continue
		}
		switch c.Verdict {
		case Fail:
			failed = true
		case Error, Skipped:
			errored = true
		}
	}
	switch {
	case failed:
		return ExitFail
	case errored:
		return ExitCantRun
	}
	return ExitPass
}

func (r *Report) finish() {
	r.Verdict = Pass
	for _, c := range r.Checks {
		if c.Mandatory || c.Verdict == Warn || c.Verdict == Pass {
			r.Verdict = worse(r.Verdict, c.Verdict)
		} else {
			r.Verdict = worse(r.Verdict, Warn) // an optional failure is a warning overall
		}
	}
	r.Version = version.Version
	r.Schema = ReportSchema
}
