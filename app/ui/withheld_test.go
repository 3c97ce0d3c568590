package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// A caller who withheld their number is "Numéro masqué" (in French) on the
// ringing panel, in the recent calls and nowhere "anonymous"; the wrap-up
// leaves the customer's name for the agent to ask, and the call is logged
// as from "anonymous".
func TestWithheldCallerIsNamedAsSuch(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "fr")
	c.handle(IncomingCall{Call: CallInfo{ID: "in-1", Direction: Inbound, Remote: WithheldNumber, Started: c.now()}})
	p := c.home.call
	if p.caller.Text != "Numéro masqué" || p.number.Text != "" {
		t.Fatalf("ringing: caller %q, number %q", p.caller.Text, p.number.Text)
	}
	test.Tap(p.answer)
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now()}})
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
	if c.wrap.call == nil || c.wrap.customer.Text != "" {
		t.Fatalf("wrap-up customer %q, want it empty for the agent to ask", c.wrap.customer.Text)
	}
	if len(c.recent) > 0 {
		if line := c.home.recentLine(c.recent[len(c.recent)-1]); strings.Contains(line, WithheldNumber) {
			t.Fatalf("recent line %q", line)
		}
	}
	c.handle(IncomingCall{Call: CallInfo{ID: "in-2", Direction: Inbound, Remote: WithheldNumber, Started: c.now()}})
	c.handle(CallClosed{CallID: "in-2", By: "remote"})
	last := c.recent[len(c.recent)-1]
	if line := c.home.recentLine(last); !last.Missed || !strings.Contains(line, "Numéro masqué") || strings.Contains(line, WithheldNumber) {
		t.Fatalf("missed withheld call in recent calls: %q", line)
	}
	var logged bool
	for _, l := range f.logs {
		if l.CallID == "in-2" && l.Remote == WithheldNumber {
			logged = true
		}
	}
	if !logged {
		t.Fatalf("the missed withheld call is not logged from %q: %+v", WithheldNumber, f.logs)
	}
}
