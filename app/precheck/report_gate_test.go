package precheck

import "testing"

func TestMandatoryCheckThatDidNotRunBlocksTheShift(t *testing.T) {
	r := Report{Checks: []CheckResult{
		{Name: "headset", Verdict: Pass, Mandatory: true},
		{Name: "room", Verdict: Skipped, Mandatory: true},
		{Name: "network", Verdict: Skipped},
	}}
	if r.Passed() {
		t.Fatal("a mandatory check that never ran let the shift start")
	}
	if got := r.FailedChecks(); len(got) != 1 || got[0] != "room" {
		t.Fatalf("FailedChecks = %v, want [room]", got)
	}
	if r.ExitCode() != ExitCantRun {
		t.Fatalf("exit code %d, want %d (could not run)", r.ExitCode(), ExitCantRun)
	}
	r.Checks[1].Mandatory = false
	if !r.Passed() {
		t.Fatal("optional checks that did not run blocked the shift")
	}
}
