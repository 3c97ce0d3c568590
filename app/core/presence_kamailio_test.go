package core

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
)

// notifyLine is one NOTIFY as the sipp watcher logs it.
var notifyLine = regexp.MustCompile(`notify \d+: (?:<basic>)?([a-z]*) \| (?:hs:agent-state[^>]*>)?([a-z_]*) \| (?:rpid:)?([a-z-]*)`)

// TestPresenceFollowsShift: the agent's app (the real core) registers at a
// Kamailio with its presence server; a watcher (sipp) SUBSCRIBEs to the
// agent and receives a NOTIFY at each change of the agent's state: Available
// (open), Not ready with its reason (closed, busy), Break (closed, away),
// and the publication removed at clock-out.
func TestPresenceFollowsShift(t *testing.T) {
	k := testenv.StartKamailioPresence(t, map[string]string{"agent": "agentpw"})
	a := startAgent(t, k, media.Silence(), nil, config.Profile{}, "agent")
	be := a.c.Backend()
	// Available is published before the watcher subscribes: its first
	// NOTIFY must already say so.
	a.next(t, 5*time.Second, func(e ui.Event) bool {
		s, ok := e.(ui.ShiftStateChanged)
		return ok && s.Status.State == ui.StateAvailable
	})
	if err := a.c.phone.pres.waitHandled(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("presence not published: %v", err)
	}
	watcher := testenv.Sipp(t, "uac_subscribe_presence.xml", "-s", "agent", k.Addr())
	time.Sleep(2 * time.Second) // the watcher's SUBSCRIBE and first NOTIFY
	steps := []func() error{
		func() error { return be.Shift.SetState(ctxFor(t, 5*time.Second), ui.StateNotReady, "tech") },
		func() error { return be.Shift.SetState(ctxFor(t, 5*time.Second), ui.StateBreak, "") },
		func() error { _, err := be.Shift.ClockOut(ctxFor(t, 5*time.Second)); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		if err := a.c.phone.pres.waitHandled(ctxFor(t, 10*time.Second)); err != nil {
			t.Fatalf("presence not published: %v", err)
		}
		time.Sleep(500 * time.Millisecond) // one NOTIFY per change, in order
	}
	if err := watcher.WaitTimeout(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	logs, err := os.ReadFile(watcher.LogsFile)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, m := range notifyLine.FindAllStringSubmatch(string(logs), -1) {
		seen = append(seen, strings.Trim(strings.Join(m[1:], "/"), "/"))
	}
	t.Logf("the watcher saw: %s", strings.Join(seen, " "))
	want := "open/available closed/not_ready/busy closed/break/away closed"
	if got := strings.Join(seen, " "); !strings.HasSuffix(got, want) {
		t.Fatalf("the watcher saw %q, want it to end with %q\n%s", got, want, logs)
	}
}
