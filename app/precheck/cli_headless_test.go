package precheck

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The headless check cannot ask the agent to read a sentence or whether
// they heard the test sound; its help and its report say so, and what that
// leaves unconfirmed.
func TestHeadlessCheckSaysWhatNeedsTheAgent(t *testing.T) {
	var out, errb bytes.Buffer
	RunCLI(context.Background(), []string{"--help"}, &out, &errb)
	for _, want := range []string{"reading a sentence aloud", "unrecognised microphone stays unconfirmed", "speaker stays unverified"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, errb.String())
		}
	}
	out.Reset()
	printReport(&out, Report{Verdict: Warn, Checks: []CheckResult{{Name: "headset", Verdict: Warn, Mandatory: true,
		Findings: []Finding{{Code: "mic_unverified", Verdict: Warn, Message: "not confirmed"}}}}})
	if !strings.Contains(out.String(), "Note: Two steps need the agent at the Homeshore window") {
		t.Fatalf("the text report does not say what was left out:\n%s", out.String())
	}
}
