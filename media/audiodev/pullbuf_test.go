package audiodev

import (
	"testing"
	"time"
)

// govRun feeds the governor requests of 5 ms every 5 ms from t, with the
// given stalls (no request for that long, then one for what the server
// played meanwhile, capped at what it held), and returns the buffer asked
// for at the end and each change.
func govRun(g *pullGovernor, t time.Time, d time.Duration, stalls map[time.Duration]time.Duration) (time.Time, []time.Duration) {
	var changes []time.Duration
	end := t.Add(d)
	elapsed := time.Duration(0)
	for t.Before(end) {
		missing := pullRequest
		if s, ok := stalls[elapsed]; ok {
			t = t.Add(s)
			elapsed += s
			missing = min(s, g.held)
		}
		if want, ok := g.request(t, missing); ok {
			changes = append(changes, want)
			// The server grants the asked latency less the sink's
			// quarter, as PulseAudio does with 5 ms requests.
			g.granted(want - want/4)
		}
		t = t.Add(pullRequest)
		elapsed += pullRequest
	}
	return t, changes
}

func TestPullGovernorStaysSmallOnAQuietMachine(t *testing.T) {
	g := newPullGovernor()
	g.granted(15 * time.Millisecond)
	_, changes := govRun(&g, time.Unix(100, 0), time.Minute, nil)
	if len(changes) != 0 || g.cur != pullBufferFloor {
		t.Fatalf("buffer changed to %v on regular requests (now %v)", changes, g.cur)
	}
}

func TestPullGovernorGrowsWithStallsAndShrinksWhenCalm(t *testing.T) {
	g := newPullGovernor()
	g.granted(15 * time.Millisecond)
	// A 60 ms stall at 1 s: the buffer ran dry, it grows past the stall.
	now, changes := govRun(&g, time.Unix(100, 0), 2*time.Second, map[time.Duration]time.Duration{time.Second: 60 * time.Millisecond})
	if len(changes) != 1 || g.cur < 65*time.Millisecond || g.cur > pullBufferCeil {
		t.Fatalf("after a 60 ms stall: changes %v, buffer %v", changes, g.cur)
	}
	grown := g.cur
	// A stall that the grown buffer covers changes nothing.
	now, changes = govRun(&g, now, 2*time.Second, map[time.Duration]time.Duration{time.Second: 30 * time.Millisecond})
	if len(changes) != 0 {
		t.Fatalf("a 30 ms stall with %v held changed the buffer: %v", g.held, changes)
	}
	// Calm: one step down per pullCalm, down to the floor and no further.
	_, changes = govRun(&g, now, 3*time.Minute, nil)
	if g.cur != pullBufferFloor || len(changes) != int((grown-pullBufferFloor)/pullStep) {
		t.Fatalf("after 3 calm minutes: buffer %v, changes %v", g.cur, changes)
	}
	for _, c := range changes {
		if c > grown {
			t.Fatalf("grew while calm: %v", changes)
		}
	}
	// A stall longer than the ceiling gets the ceiling.
	_, _ = govRun(&g, now.Add(time.Hour), time.Second, map[time.Duration]time.Duration{100 * time.Millisecond: 500 * time.Millisecond})
	if g.cur != pullBufferCeil {
		t.Fatalf("after a 500 ms stall: %v, want the ceiling %v", g.cur, pullBufferCeil)
	}
}
